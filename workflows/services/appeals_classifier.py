"""The classifier every installation starts with (F-G1): seed 001 §8 and seed 000 §3.3, kept as data.

`appeal_topics_seed` adds the topics that are missing (by code) and never touches one staff have edited, so it runs
from the data migration, from `seed_demo` and from tests alike. Staff change everything afterwards in the admin:
«Обращения» → «Классификатор».
"""

import uuid

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


def field(name, label, kind="text", *, required=False, choices=(), hint="", prefill="", max_length=None):
    return {
        "type": "field",
        "value": {
            "name": name,
            "label": str(label),
            "kind": kind,
            "required": required,
            "max_length": max_length,
            "choices": "\n".join(str(choice) for choice in choices),
            "hint": str(hint),
            "prefill": prefill,
        },
        "id": str(uuid.uuid4()),
    }


def group(name, label, fields, *, repeatable=False, min_items=1, max_items=None):
    return {
        "type": "group",
        "value": {
            "name": name,
            "label": str(label),
            "repeatable": repeatable,
            "min_items": min_items,
            "max_items": max_items,
            "fields": fields,
        },
        "id": str(uuid.uuid4()),
    }


def step(key, title, fields, hint=""):
    return {"type": "step", "value": {"title": str(title), "hint": str(hint), "fields": fields}, "id": key}


VOLTAGES = ("ВН", "СН-1", "СН-2", "НН")

ENERGY_OBJECT = step(
    "energy-object",
    _("Энергообъект"),
    [
        group(
            "energy_objects",
            _("Энергообъект"),
            [
                field("name", _("Наименование энергообъекта"), required=True),
                field("address", _("Адрес энергообъекта"), required=True, max_length=500),
                group(
                    "points",
                    _("Точка присоединения"),
                    [
                        field("name", _("Наименование точки присоединения"), required=True),
                        field("max_power", _("Величина максимальной мощности, кВт"), "decimal", required=True),
                        field("boundary", _("Место (точка) разграничения балансовой принадлежности электросетей")),
                        field("grid", _("Сетевая организация")),
                        group(
                            "conditions",
                            _("Условия обслуживания"),
                            [
                                field("voltage", _("Уровень напряжения"), "choice", required=True, choices=VOLTAGES),
                                field(
                                    "price_category",
                                    _("Ценовая категория"),
                                    "choice",
                                    required=True,
                                    choices=("I", "II", "III", "IV", "V", "VI"),
                                ),
                                field("region", _("Регион")),
                                field(
                                    "contract_kind",
                                    _("Вид договора"),
                                    "choice",
                                    choices=(_("С услугами по передаче"), _("Без услуг по передаче")),
                                ),
                                field(
                                    "zones",
                                    _("Группа тарифных зон"),
                                    "choice",
                                    choices=(
                                        _("Без тарифных зон"),
                                        _("Две зоны (день, ночь)"),
                                        _("Три зоны (пик, полупик, ночь)"),
                                    ),
                                ),
                            ],
                        ),
                        group(
                            "metering",
                            _("Точка учёта"),
                            [
                                field("name", _("Наименование ИК"), required=True),
                                field("losses", _("Потери, %"), "decimal"),
                                field("voltage", _("Уровень напряжения"), "choice", choices=VOLTAGES),
                                group(
                                    "meter",
                                    _("Прибор учёта"),
                                    [
                                        field("serial", _("Заводской номер"), required=True),
                                        field("model", _("Номинал"), hint=_("Тип, класс точности, ток, напряжение.")),
                                        field("made_on", _("Год выпуска"), "date"),
                                        field("integer_digits", _("Разрядность. Целая часть"), "integer"),
                                        field("fraction_digits", _("Разрядность. Дробная часть"), "integer"),
                                        field("initial_reading", _("Начальные показания"), "decimal"),
                                        field("verified_on", _("Дата поверки"), "date"),
                                        field(
                                            "owner",
                                            _("Балансовая принадлежность"),
                                            "choice",
                                            choices=(_("Потребитель"), _("Сетевая организация")),
                                        ),
                                    ],
                                ),
                            ],
                            repeatable=True,
                            max_items=10,
                        ),
                    ],
                    repeatable=True,
                    max_items=10,
                ),
            ],
            repeatable=True,
            max_items=10,
        ),
    ],
    hint=_("Добавьте каждый энергообъект, его точки присоединения и точки учёта с приборами учёта."),
)

CONTRACT_CONCLUSION_STEPS = [
    step("inn", _("ИНН"), [field("inn", _("ИНН"), "inn", required=True, prefill="customer.inn")]),
    step(
        "branch",
        _("Отделение"),
        [field("branch", _("Выберите отделение"), "branch", required=True)],
        hint=_("Отделение, которое будет обслуживать договор."),
    ),
    step(
        "information",
        _("Информация"),
        [
            field(
                "full_name",
                _("Полное наименование организации"),
                required=True,
                max_length=500,
                prefill="user.organisation",
            ),
            field("short_name", _("Краткое наименование организации"), required=True),
            field("not_budget", _("Не является бюджетной организацией"), "yes_no"),
            field("inn", _("ИНН"), "inn", required=True),
            field("okpo", _("ОКПО"), "okpo"),
            field("ogrn", _("ОГРН / ОГРНИП"), "ogrn", required=True),
            field("kpp", _("КПП"), "kpp", hint=_("У индивидуального предпринимателя КПП нет.")),
            field("head_position", _("Должность руководителя"), required=True),
            field("head_name", _("ФИО руководителя"), required=True),
            field("legal_address", _("Адрес места нахождения"), required=True, max_length=500),
            field("postal_address", _("Почтовый адрес"), max_length=500),
            field("postal_same", _("Совпадает с местом нахождения"), "yes_no"),
        ],
    ),
    step(
        "bank",
        _("Банк"),
        [
            group(
                "bank",
                _("Банковские реквизиты"),
                [
                    field("bik", _("БИК банка"), "bik", required=True),
                    field("bank_name", _("Наименование банка")),
                    field("account", _("Номер расчётного счёта"), "bank_account", required=True),
                    field("correspondent_account", _("Корреспондентский счёт"), "bank_account"),
                ],
            ),
            group(
                "delivery",
                _("Оформление и доставка"),
                [
                    field("start_date", _("Желаемая дата начала договора"), "date", required=True),
                    field("contract_date", _("Дата договора"), "date"),
                    field(
                        "delivery_method",
                        _("Способ доставки финансовых документов"),
                        "choice",
                        required=True,
                        choices=(_("Электронный документооборот"), _("Почтой"), _("Лично в клиентском офисе")),
                    ),
                    field("edo_operator", _("Оператор электронного документооборота")),
                    field("edo_code", _("Код продавца (покупателя) в системе оператора ЭДО")),
                    field("region", _("Регион расположения энергообъекта"), required=True),
                ],
            ),
            group(
                "contact",
                _("Контактные данные"),
                [
                    field("last_name", _("Фамилия"), required=True, prefill="user.last_name"),
                    field("first_name", _("Имя"), required=True, prefill="user.first_name"),
                    field("middle_name", _("Отчество"), prefill="user.middle_name"),
                    field("position", _("Должность"), prefill="user.position"),
                    field("phone", _("Телефон"), "phone", required=True, prefill="user.phone"),
                    field("email", _("E-mail"), "email", required=True, prefill="user.email"),
                ],
            ),
        ],
    ),
    ENERGY_OBJECT,
]

# (code, name, parent code, fields); rules left out are inherited from the parent, then the defaults of the model.
TOPICS = (
    (
        "tech-support",
        _("Техническая поддержка"),
        None,
        {
            "list_title": "ЛКК",
            "sort_order": 10,
            "audience": "all",
            "owner_rule": "optional",
            "correspondence_allowed": True,
            "response_days": 3,
            "attachments_allowed": True,
            "intro": _("Опишите, что не получается в личном кабинете: что вы делали и что увидели на экране."),
        },
    ),
    ("tech-support-login", _("Не получается войти в личный кабинет"), "tech-support", {"sort_order": 10}),
    ("tech-support-mail", _("Не приходят письма и уведомления"), "tech-support", {"sort_order": 20}),
    (
        "tech-support-readings",
        _("Ошибка при передаче показаний"),
        "tech-support",
        {"sort_order": 30, "capability": "readings_history"},
    ),
    (
        "tech-support-documents",
        _("Не отображаются документы или платежи"),
        "tech-support",
        {"sort_order": 40, "capability": "billing_history"},
    ),
    (
        "tech-support-payment",
        _("Ошибка при оплате"),
        "tech-support",
        {"sort_order": 50, "capability": "billing_history"},
    ),
    ("tech-support-other", _("Другой вопрос по работе личного кабинета"), "tech-support", {"sort_order": 90}),
    (
        "lkk-ul",
        _("ЛКК ЮЛ"),
        None,
        {"sort_order": 20, "audience": "organisation", "owner_rule": "required", "response_days": 5},
    ),
    ("access-rights", _("Права доступа"), "lkk-ul", {"sort_order": 10, "handover": "access_request"}),
    ("contract-contacts", _("Изменение контактных данных по договору"), "lkk-ul", {"sort_order": 20}),
    (
        "billing",
        _("Расчёты и оплата"),
        None,
        {
            "sort_order": 30,
            "owner_rule": "required",
            "capability": "billing_history",
            "response_days": 10,
        },
    ),
    ("billing-invoice", _("Вопрос по счёту"), "billing", {"sort_order": 10}),
    ("billing-recalculation", _("Перерасчёт"), "billing", {"sort_order": 20}),
    ("billing-reconciliation", _("Акт сверки"), "billing", {"sort_order": 30}),
    (
        "contract-conclusion",
        _("Заключение договора энергоснабжения"),
        None,
        {
            "sort_order": 40,
            "audience": "organisation",
            "owner_rule": "none",
            "response_days": 30,
            "signature_required": True,
            "steps": CONTRACT_CONCLUSION_STEPS,
            "intro": _("Заявление подписывается простой электронной подписью: код придёт на вашу почту."),
        },
    ),
    ("contract-conclusion-new", _("Заключение договора"), "contract-conclusion", {"sort_order": 10}),
    ("contract-conclusion-new-legal", _("Юридическое лицо"), "contract-conclusion-new", {"sort_order": 10}),
    ("contract-conclusion-new-ip", _("Индивидуальный предприниматель"), "contract-conclusion-new", {"sort_order": 20}),
    (
        "contract-conclusion-object",
        _("Включение объекта в действующий договор"),
        "contract-conclusion",
        {"sort_order": 20, "owner_rule": "required", "steps": [ENERGY_OBJECT]},
    ),
    (
        "contract-conclusion-object-legal",
        _("Юридическое лицо"),
        "contract-conclusion-object",
        {"sort_order": 10},
    ),
    (
        "contract-conclusion-object-ip",
        _("Индивидуальный предприниматель"),
        "contract-conclusion-object",
        {"sort_order": 20},
    ),
    (
        "meter",
        _("Прибор учета"),
        None,
        {"sort_order": 50, "audience": "household", "owner_rule": "required", "response_days": 10},
    ),
    (
        "meter-check",
        _("Контрольная проверка прибора учета"),
        "meter",
        {
            "sort_order": 10,
            "list_title": "Контрольная проверка прибора учета",
            "text_max_length": 220,
            "correspondence_allowed": False,
            "attachments_allowed": False,
            "intro": _("Услуга: Электроэнергия. Обработка заявки производится в биллинговой системе."),
        },
    ),
    (
        "meter-fault",
        _("Неисправность прибора учета"),
        "meter",
        {
            "sort_order": 20,
            "list_title": "Неисправность прибора учета",
            "text_max_length": 2000,
            "attachments_allowed": True,
        },
    ),
    (
        "service-order",
        _("Заказ услуги"),
        None,
        {"sort_order": 60, "owner_rule": "none", "handover": "service_order"},
    ),
)


def appeal_topics_seed(topic_model=None) -> int:
    """Add the missing seed topics; returns how many were added. `topic_model` lets the data migration pass its
    historical model."""
    if topic_model is None:
        from ..models import AppealTopic as topic_model
    by_code = {topic.code: topic for topic in topic_model.objects.filter(code__in=[code for code, *_ in TOPICS])}
    added = 0
    for code, name, parent_code, fields in TOPICS:
        if code in by_code:
            continue
        values = {key: (str(value) if isinstance(value, Promise) else value) for key, value in fields.items()}
        topic = topic_model(code=code, name=str(name), parent=by_code.get(parent_code), **values)
        topic.save()
        by_code[code] = topic
        added += 1
    return added
