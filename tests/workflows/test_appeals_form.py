"""A topic's questions kept as data (F-G1): the definition staff edit, its validation, and the step forms the
wizard builds from it — nested and repeatable groups, Russian input, errors that keep what was typed."""

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from tests.factories import UserFactory
from tests.workflows.appeals_kit import topic
from workflows.models import AppealTopic
from workflows.models.appeals import Classifier
from workflows.models.appeals_form import (
    Context,
    FieldSpec,
    StepForm,
    answers_display,
    clean_value,
    definition_problems,
    steps_from_raw,
)
from workflows.services.appeals_classifier import ENERGY_OBJECT, field, group, step

pytestmark = pytest.mark.django_db


def energy_step():
    return steps_from_raw([ENERGY_OBJECT])[0]


@pytest.mark.parametrize(
    ("kind", "typed", "stored"),
    [
        ("decimal", "94,44", "94.44"),
        ("decimal", "1 500,5", "1500.5"),
        ("integer", "6", 6),
        ("date", "01.12.2023", "2023-12-01"),
        ("phone", "8 (960) 825-00-00", "+79608250000"),
        ("inn", "5751 024935", "5751024935"),
        ("email", "Energo@Company.RU", "energo@company.ru"),
        ("yes_no", "on", True),
    ],
)
def test_values_are_read_as_people_type_them(kind, typed, stored):
    assert clean_value(FieldSpec(name="x", label="X", kind=kind), typed, Context()) == stored


@pytest.mark.parametrize(
    ("kind", "typed", "message"),
    [
        ("decimal", "сто", "Введите число"),
        ("date", "31.02.2024", "ДД.ММ.ГГГГ"),
        ("inn", "123", "ИНН — 10 цифр"),
        ("phone", "12", "номер телефона"),
        ("bank_account", "4070", "20 цифр"),
    ],
)
def test_wrong_values_get_a_russian_message(kind, typed, message):
    with pytest.raises(ValidationError, match=message):
        clean_value(FieldSpec(name="x", label="X", kind=kind), typed, Context())


def test_a_required_field_says_fill_it_in():
    with pytest.raises(ValidationError, match="Заполните поле"):
        clean_value(FieldSpec(name="x", label="X", required=True), "  ", Context())


def test_a_choice_must_be_one_of_the_variants():
    spec = FieldSpec(name="v", label="Уровень напряжения", kind="choice", choices=("ВН", "НН"))

    assert clean_value(spec, "НН", Context()) == "НН"
    with pytest.raises(ValidationError, match="Выберите вариант"):
        clean_value(spec, "СН-9", Context())


def test_the_energy_object_step_nests_four_levels():
    spec = energy_step()
    objects = spec.children[0]
    points = objects.children[2]
    metering = points.children[5]
    meter = metering.children[3]

    assert (objects.label, points.label, metering.label, meter.label) == (
        "Энергообъект",
        "Точка присоединения",
        "Точка учёта",
        "Прибор учёта",
    )
    assert objects.repeatable and points.repeatable and metering.repeatable and not meter.repeatable


def full_energy_object(prefix="energy_objects.0."):
    return {
        f"f-{prefix}name": "Цех № 3",
        f"f-{prefix}address": "ул. Заводская, 9",
        f"n-{prefix}points": "1",
        f"f-{prefix}points.0.name": "ТП-15",
        f"f-{prefix}points.0.max_power": "150,5",
        f"f-{prefix}points.0.conditions.voltage": "НН",
        f"f-{prefix}points.0.conditions.price_category": "I",
        f"n-{prefix}points.0.metering": "1",
        f"f-{prefix}points.0.metering.0.name": "ИК-001",
        f"f-{prefix}points.0.metering.0.meter.serial": "432453234",
        f"f-{prefix}points.0.metering.0.meter.verified_on": "01.12.2023",
    }


def querydict(values: dict) -> QueryDict:
    data = QueryDict(mutable=True)
    data.update(values)
    return data


def test_nested_repeatable_answers_are_cleaned_into_a_tree():
    form = StepForm(energy_step(), data=querydict({"n-energy_objects": "1", **full_energy_object()}))

    assert form.is_valid(), form.errors
    point = form.cleaned_data["energy_objects"][0]["points"][0]
    assert point["max_power"] == "150.5"
    assert point["conditions"]["voltage"] == "НН"
    assert point["metering"][0]["meter"] == {
        "serial": "432453234",
        "model": None,
        "made_on": None,
        "integer_digits": None,
        "fraction_digits": None,
        "initial_reading": None,
        "verified_on": "2023-12-01",
        "owner": None,
    }


def test_errors_point_at_the_nested_field_and_keep_what_was_typed():
    values = {"n-energy_objects": "1", **full_energy_object()}
    values["f-energy_objects.0.points.0.max_power"] = "много"
    values["f-energy_objects.0.points.0.metering.0.meter.serial"] = ""
    form = StepForm(energy_step(), data=querydict(values))

    assert not form.is_valid()
    assert form.errors == {
        "energy_objects.0.points.0.max_power": "Введите число, например 150 или 94,44.",
        "energy_objects.0.points.0.metering.0.meter.serial": "Заполните поле",
    }
    nodes = form.nodes()
    point = nodes[0].items[0][1][2].items[0][1]
    assert point[1].value == "много" and point[1].error.startswith("Введите число")
    assert [label for _id, label, _message in form.error_list()] == [
        "Величина максимальной мощности, кВт",
        "Заводской номер",
    ]


def test_another_item_is_added_and_one_removed_keeping_the_others():
    values = {"n-energy_objects": "2", **full_energy_object(), **full_energy_object("energy_objects.1.")}
    values["f-energy_objects.1.name"] = "Склад"

    added = StepForm(energy_step(), data=querydict({**values, "add-energy_objects": ""}))
    assert not added.is_valid() and added.edit_action == ("add", "energy_objects")
    assert [item[1][0].value for item in added.nodes()[0].items] == ["Цех № 3", "Склад", ""]

    removed = StepForm(energy_step(), data=querydict({**values, "remove-energy_objects.0": ""}))
    items = removed.nodes()[0].items
    assert [nodes[0].value for _position, nodes in items] == ["Склад"]
    assert items[0][1][0].html_name == "f-energy_objects.0.name"  # renumbered: the next POST reads it as 0


def test_at_least_the_minimum_of_items():
    spec = steps_from_raw(
        [step("s", "Шаг", [group("rows", "Строка", [field("a", "А")], repeatable=True, min_items=2)])]
    )[0]
    form = StepForm(spec, data=querydict({"n-rows": "1", "f-rows.0.a": "x"}))

    assert not form.is_valid()
    assert form.errors["rows"] == "Добавьте хотя бы 2."


def test_fields_are_prefilled_from_the_profile_and_the_contract():
    user = UserFactory(last_name="Яга", first_name="Васильевна", organisation="ООО «Пекарня»")
    spec = steps_from_raw(
        [
            step(
                "s",
                "Шаг",
                [
                    field("org", "Организация", prefill="user.organisation"),
                    field("last", "Фамилия", prefill="user.last_name"),
                ],
            )
        ]
    )[0]

    nodes = StepForm(spec, context=Context(user=user)).nodes()

    assert [node.value for node in nodes] == ["ООО «Пекарня»", "Яга"]


def test_stored_answers_come_back_as_typed_values():
    spec = steps_from_raw([step("s", "Шаг", [field("d", "Дата", "date"), field("n", "Число", "decimal")])])[0]

    nodes = StepForm(spec, stored={"d": "2023-12-01", "n": "94.44"}).nodes()

    assert [node.value for node in nodes] == ["01.12.2023", "94,44"]


def test_the_card_shows_the_answers_as_labelled_nested_rows():
    form = StepForm(energy_step(), data=querydict({"n-energy_objects": "1", **full_energy_object()}))
    assert form.is_valid()

    rows = answers_display((energy_step(),), {"energy-object": form.cleaned_data}, Context())

    (energy,) = rows
    assert energy.label == "Энергообъект" and energy.is_group
    (obj,) = energy.children
    point = next(row for row in obj.children if row.label == "Точка присоединения")
    assert ("Величина максимальной мощности, кВт", "150,5") in [(row.label, row.value) for row in point.children]
    metering = next(row for row in point.children if row.label == "Точка учёта")
    meter = next(row for row in metering.children if row.label == "Прибор учёта")
    assert ("Дата поверки", "01.12.2023") in [(row.label, row.value) for row in meter.children]


def test_a_definition_with_a_repeated_code_or_choices_without_variants_is_refused():
    raw = [
        step(
            "s",
            "Банк",
            [field("bik", "БИК"), field("bik", "Ещё БИК"), field("kind", "Вид", "choice")],
        )
    ]

    problems = definition_problems(raw)

    assert "Банк: код «bik» повторяется." in problems
    assert "Банк: у поля «Вид» нет вариантов." in problems


def test_staff_cannot_save_a_broken_definition():
    node = AppealTopic(
        code="broken", name="Сломанная тема", steps=[step("s", "Шаг", [field("a", "А"), field("a", "Б")])]
    )

    with pytest.raises(ValidationError) as error:
        node.full_clean()

    assert "steps" in error.value.message_dict


def test_three_levels_at_most():
    leaf = topic("contract-conclusion-new-legal")
    deeper = AppealTopic(code="too-deep", name="Четвёртый уровень", parent=leaf)

    with pytest.raises(ValidationError, match="Уровней три"):
        deeper.full_clean()


def test_an_empty_rule_is_inherited_from_the_parent_and_the_questions_too():
    node = topic("contract-conclusion-new-ip")
    classifier = Classifier.load()
    rules = classifier.rules(classifier.get(node.pk))

    assert rules.response_days == 30 and rules.signature_required and rules.owner_rule == "none"
    assert [spec.title for spec in rules.steps] == ["ИНН", "Отделение", "Информация", "Банк", "Энергообъект"]
    assert rules.total_steps == 7
    assert (
        rules.path_label == "Заключение договора энергоснабжения / Заключение договора / Индивидуальный предприниматель"
    )


def test_a_new_topic_added_by_staff_is_offered_at_once():
    root = AppealTopic.objects.create(
        code="quality",
        name="Качество электроэнергии",
        response_days=15,
        steps=[step("q", "Когда", [field("when", "Когда заметили", "date", required=True)])],
    )
    AppealTopic.objects.create(code="quality-voltage", name="Перепады напряжения", parent=root)

    classifier = Classifier.load()
    rules = classifier.rules(classifier.get(AppealTopic.objects.get(code="quality-voltage").pk))

    assert rules.response_days == 15 and rules.total_steps == 3 and rules.steps[0].children[0].label == "Когда заметили"


def test_a_hidden_theme_hides_its_sections():
    root = topic("billing")
    root.is_active = False
    root.save()

    codes = {node.code for node in Classifier.load().walk()}

    assert "billing" not in codes and "billing-invoice" not in codes
