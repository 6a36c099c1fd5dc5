"""«Создать обращение» (F-G2, seed 001 §8.2, seed 000 §3.3): «Шаг N из M», «Назад», «Дальше», «Текст обращения»,
files with limits, the answers of the topic's steps, the FAQ for the topic and the topics handed to other screens."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.backoffice.factories import PersonalAccountFactory
from tests.factories import UserFactory
from tests.selfservice.cabinet import Role, contract_with_sites, give_role, link_account
from tests.workflows.appeals_kit import pdf, png, topic, topics
from workflows.models import Appeal, AppealFile, AppealSettings

pytestmark = pytest.mark.django_db

State = Appeal.State


@pytest.fixture(autouse=True)
def classifier(db):
    topics()


def step_url(appeal, number):
    return reverse("selfservice:appeal_step", args=[appeal.pk, number])


def start(client, code, owner="", **extra):
    """Step 1 «Дальше» for the topic `code` (the theme, the section and the subsection as the selects send them)."""
    node = topic(code)
    path = [node]
    while path[0].parent_id:
        path.insert(0, path[0].parent)
    data = {"owner": owner, "theme": path[0].pk, **extra}
    if len(path) > 1:
        data["section"] = path[1].pk
    if len(path) > 2:
        data["subsection"] = path[2].pk
    return client.post(reverse("selfservice:appeal_new"), data)


def docx(name="письмо.docx"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def test_a_technical_support_question_in_two_steps(signed_in_client, user):
    first = signed_in_client.get(reverse("selfservice:appeal_new"))
    assert "Шаг 1 из 2" in first.content.decode()

    response = start(signed_in_client, "tech-support-mail")
    appeal = Appeal.objects.get()
    assert response.url == step_url(appeal, 2)
    page = signed_in_client.get(response.url).content.decode()
    assert "Шаг 2 из 2" in page and "Текст обращения" in page

    sent = signed_in_client.post(
        response.url, {"text": "Не приходят письма с кодом", "files": [pdf(), png()]}, follow=True
    )

    appeal = Appeal.objects.get()
    assert appeal.state == State.NEW and appeal.number.endswith("-Ф-Л")
    content = sent.content.decode()
    assert "Обращение успешно отправлено" in content and "[Новая] ЛКК" in content
    assert sorted(appeal.files.values_list("name", flat=True)) == ["screen.png", "скан.pdf"]
    assert appeal.messages.get().files.count() == 2


def test_the_text_is_required_and_the_files_chosen_stay_on_the_draft(signed_in_client):
    start(signed_in_client, "tech-support-other")
    appeal = Appeal.objects.get()

    response = signed_in_client.post(step_url(appeal, 2), {"text": "", "files": [pdf()]})

    assert "Заполните поле" in response.content.decode()
    assert Appeal.objects.get().state == State.DRAFT
    assert appeal.files.filter(message=None).count() == 1 and "скан.pdf" in response.content.decode()


def test_a_file_that_is_not_what_its_name_says_is_refused_and_the_text_kept(signed_in_client):
    start(signed_in_client, "tech-support-other")
    appeal = Appeal.objects.get()
    fake = SimpleUploadedFile("договор.pdf", b"<html><script>alert(1)</script></html>")

    response = signed_in_client.post(step_url(appeal, 2), {"text": "Мой вопрос", "files": [fake, pdf()]})

    page = response.content.decode()
    assert "Файл «договор.pdf» не подходит: принимаются PDF, JPG, PNG, DOCX, XLSX." in page
    assert "Мой вопрос" in page
    assert not AppealFile.objects.exists()  # nothing half-stored: the good file waits for a good batch
    assert Appeal.objects.get().state == State.DRAFT


def test_office_documents_are_accepted_by_their_content(signed_in_client):
    start(signed_in_client, "tech-support-other")
    appeal = Appeal.objects.get()

    signed_in_client.post(step_url(appeal, 2), {"text": "Письмо во вложении", "files": [docx()]})

    assert AppealFile.objects.get().kind == "docx"


def test_too_many_or_too_large_files_are_refused(signed_in_client):
    settings = AppealSettings.load()
    settings.max_files, settings.max_file_megabytes = 2, 1
    settings.save()
    start(signed_in_client, "tech-support-other")
    appeal = Appeal.objects.get()

    many = signed_in_client.post(
        step_url(appeal, 2), {"text": "x", "files": [pdf("1.pdf"), pdf("2.pdf"), pdf("3.pdf")]}
    )
    large = signed_in_client.post(
        step_url(appeal, 2), {"text": "x", "files": [pdf("big.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 1))]}
    )

    assert "Можно приложить не больше 2 файлов." in many.content.decode()
    assert "Файл «big.pdf» больше 1,0\xa0МБ." in large.content.decode()
    assert not AppealFile.objects.exists()


def test_a_meter_check_needs_the_account_and_at_most_220_characters(client):
    household = UserFactory()
    account = PersonalAccountFactory()
    link_account(household, account)
    client.force_login(household)

    refused = start(client, "meter-check")
    assert "По этой теме выберите лицевой счёт." in refused.content.decode()

    start(client, "meter-check", owner=f"account:{account.pk}")
    appeal = Appeal.objects.get()
    page = client.get(step_url(appeal, 2)).content.decode()
    assert 'maxlength="220"' in page and "Осталось символов" in page
    assert 'name="files"' not in page  # this topic takes no files

    long = client.post(step_url(appeal, 2), {"text": "Ш" * 221})
    assert "Не больше 220 символов" in long.content.decode() and "Ш" * 221 in long.content.decode()

    sent = client.post(step_url(appeal, 2), {"text": "Прошу проверить счётчик"}, follow=True)
    assert "По данному обращению переписка недоступна" in sent.content.decode()
    assert Appeal.objects.get().account == account


def test_household_topics_are_not_offered_without_an_account(signed_in_client):
    page = signed_in_client.get(reverse("selfservice:appeal_new")).content.decode()

    assert "Контрольная проверка прибора учета" not in page and "Техническая поддержка" in page


def test_a_section_of_another_theme_is_refused(signed_in_client):
    response = signed_in_client.post(
        reverse("selfservice:appeal_new"),
        {"owner": "", "theme": topic("tech-support").pk, "section": topic("contract-conclusion-new").pk},
    )

    assert "Этот раздел относится к другой теме." in response.content.decode()
    assert not Appeal.objects.exists()


def test_a_theme_with_sections_needs_one(signed_in_client):
    response = signed_in_client.post(
        reverse("selfservice:appeal_new"), {"owner": "", "theme": topic("tech-support").pk}
    )

    assert "Выберите раздел." in response.content.decode()


def test_someone_elses_contract_cannot_be_chosen(signed_in_client):
    contract = contract_with_sites(energy_objects=1)

    response = start(signed_in_client, "contract-contacts", owner=f"contract:{contract.pk}")

    assert response.status_code == 200 and not Appeal.objects.exists()
    assert "Выберите корректный вариант" in response.content.decode()


def test_the_faq_answers_for_the_topic_are_shown_before_writing(signed_in_client):
    from faq.models import FaqGroup, FaqQuestion

    group = FaqGroup.objects.create(name="Личный кабинет")
    question = FaqQuestion(group=group, question="Почему не приходят письма?", answer="<p>Проверьте «Спам».</p>")
    question.save()
    question.topics.set(["Техническая поддержка"])
    question.save()
    question.save_revision().publish()
    hidden = FaqQuestion(group=group, question="Черновик ответа", answer="<p>…</p>", live=False)
    hidden.save()
    hidden.topics.set(["Техническая поддержка"])
    hidden.save()

    start(signed_in_client, "tech-support-mail")
    page = signed_in_client.get(step_url(Appeal.objects.get(), 2)).content.decode()

    assert "Возможно, ответ уже есть" in page and "Почему не приходят письма?" in page
    assert "Черновик ответа" not in page


def test_access_rights_lead_to_zaprosit_dostup_of_the_chosen_contract(client):
    user = UserFactory()
    contract = contract_with_sites(energy_objects=1)
    give_role(user, contract, Role.HEAD)
    client.force_login(user)

    response = start(client, "access-rights", owner=f"contract:{contract.pk}")

    assert response.url == reverse("selfservice:access_request_create", args=[contract.number])
    assert not Appeal.objects.exists()


def test_a_service_order_leads_to_the_catalog(signed_in_client):
    response = start(signed_in_client, "service-order")

    assert response.url == reverse("selfservice:services") and not Appeal.objects.exists()


# --- «Заключение договора энергоснабжения»: seven steps with nested, repeatable fields -----------------------------


@pytest.fixture
def organisation(client):
    user = UserFactory(organisation="ООО «Пекарня»", last_name="Яга", first_name="Васильевна")
    client.force_login(user)
    return user


def conclusion(client):
    start(client, "contract-conclusion-new-legal")
    return Appeal.objects.get()


def test_the_steps_are_counted_and_prefilled(client, organisation):
    appeal = conclusion(client)

    assert appeal.total_steps == 7
    client.post(step_url(appeal, 2), {"f-inn": "7801000001"})
    branch = contract_with_sites(energy_objects=1).branch
    client.post(step_url(appeal, 3), {"f-branch": branch.pk})
    page = client.get(step_url(appeal, 4)).content.decode()

    assert "Шаг 4 из 7" in page and "Информация" in page
    assert 'value="ООО «Пекарня»"' in page  # «Полное наименование организации» from the profile
    assert Appeal.objects.get().branch == branch


def test_a_step_cannot_be_skipped(client, organisation):
    appeal = conclusion(client)

    response = client.get(step_url(appeal, 5))

    assert response.url == step_url(appeal, 2)


def test_bad_input_on_a_step_keeps_what_was_typed(client, organisation):
    appeal = conclusion(client)

    response = client.post(step_url(appeal, 2), {"f-inn": "12345"})

    page = response.content.decode()
    assert "ИНН — 10 цифр у организации или 12 у предпринимателя." in page and 'value="12345"' in page
    assert Appeal.objects.get().steps_passed == 1


def test_energy_objects_repeat_and_nest_and_come_back_after_nazad(client, organisation):
    appeal = conclusion(client)
    organisation_step = {
        "f-full_name": "ООО «Пекарня»",
        "f-short_name": "Пекарня",
        "f-inn": "7801000001",
        "f-ogrn": "1027800000001",
        "f-head_position": "Директор",
        "f-head_name": "Иванов И. И.",
        "f-legal_address": "г. Энергоград",
    }
    bank_and_contacts_step = {
        "f-bank.bik": "044000001",
        "f-bank.account": "40702810900000000123",
        "f-delivery.start_date": "01.12.2023",
        "f-delivery.delivery_method": "Почтой",
        "f-delivery.region": "Энергоградская область",
        "f-contact.last_name": "Яга",
        "f-contact.first_name": "Васильевна",
        "f-contact.phone": "+79608250000",
        "f-contact.email": "yaga@company.example",
    }
    for number, data in (
        (2, {"f-inn": "7801000001"}),
        (3, {"f-branch": contract_with_sites(energy_objects=1).branch.pk}),
        (4, organisation_step),
        (5, bank_and_contacts_step),
    ):
        assert client.post(step_url(appeal, number), data).status_code == 302, number

    objects = {
        "n-energy_objects": "1",
        "f-energy_objects.0.name": "Цех № 3",
        "f-energy_objects.0.address": "ул. Заводская, 9",
        "n-energy_objects.0.points": "1",
        "f-energy_objects.0.points.0.name": "тсп-01",
        "f-energy_objects.0.points.0.max_power": "150",
        "f-energy_objects.0.points.0.conditions.voltage": "НН",
        "f-energy_objects.0.points.0.conditions.price_category": "I",
        "n-energy_objects.0.points.0.metering": "1",
        "f-energy_objects.0.points.0.metering.0.name": "ИК-001",
        "f-energy_objects.0.points.0.metering.0.meter.serial": "432453234",
    }
    more = client.post(step_url(appeal, 6), {**objects, "add-energy_objects": ""})
    page = more.content.decode()
    assert more.status_code == 200 and "Энергообъект 2" in page and 'value="Цех № 3"' in page

    done = client.post(step_url(appeal, 6), objects)
    assert done.url == step_url(appeal, 7)
    back = client.get(step_url(appeal, 6)).content.decode()
    assert 'value="432453234"' in back and 'value="тсп-01"' in back
    stored = Appeal.objects.get().answers["energy-object"]["energy_objects"][0]
    assert stored["points"][0]["metering"][0]["meter"]["serial"] == "432453234"
    final = client.get(step_url(appeal, 7)).content.decode()
    assert "Подписать и отправить" in final
