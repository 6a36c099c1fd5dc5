"""Believable appeals for the demo logins (`seed_demo`), made through the same services as in real use.

The household login has a «Контрольная проверка прибора учета» done and rated, a question to technical support the
company has answered (unread, so «Обращения» shows a counter) and a saved draft; the company login has an
«Включение объекта в действующий договор» signed by a simple electronic signature and waiting for its documents to
be signed, a technical-support question closed with a rating and «Акт сверки» accepted. Idempotent: an appeal that
is already there (same author, topic and text) is not made again.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F

from backoffice.models import Contract, PersonalAccount

from ..models import Appeal, AppealMessage, AppealRead, AppealTopic, Signature, SignatureRequest, TransitionLog
from . import appeals as service
from . import appeals_signing as signing
from .appeals_classifier import appeal_topics_seed

HOUSEHOLD = "household@demo.energokabinet.example"
COMPANY = "company@demo.energokabinet.example"
STAFF = "staff@demo.energokabinet.example"


def _document_pdf(title: str, body: str) -> bytes:
    from weasyprint import HTML

    html = (
        "<html><head><meta charset='utf-8'><style>body{font-family:'DejaVu Sans',sans-serif;font-size:12pt}"
        "h1{font-size:16pt}</style></head><body>"
        f"<h1>{title}</h1><p>{body}</p><p>Подписи сторон: ____________ / ____________</p></body></html>"
    )
    return HTML(string=html).write_pdf()


def _shift(appeal: Appeal, days: float) -> None:
    """Move the appeal's whole story `days` back, so the demo has history (and the list its dates)."""
    delta = datetime.timedelta(days=days)
    fields = [
        "created_at",
        "updated_at",
        "submitted_at",
        "registered_at",
        "resolved_at",
        "reopen_until",
        "closed_at",
        "due_at",
        "paused_at",
        "last_message_at",
        "last_staff_message_at",
        "last_customer_message_at",
        "staff_read_at",
        "rated_at",
    ]
    Appeal.objects.filter(pk=appeal.pk).update(
        **{name: F(name) - delta for name in fields if getattr(appeal, name, None) is not None}
    )
    AppealMessage.objects.filter(appeal=appeal).update(created_at=F("created_at") - delta)
    AppealRead.objects.filter(appeal=appeal).update(read_at=F("read_at") - delta)
    Signature.objects.filter(appeal=appeal).update(signed_at=F("signed_at") - delta)
    SignatureRequest.objects.filter(appeal=appeal).update(created_at=F("created_at") - delta)
    TransitionLog.objects.filter(
        content_type__model="appeal", content_type__app_label="workflows", object_id=appeal.pk
    ).update(at=F("at") - delta)


def _exists(user, code: str, text: str) -> bool:
    return Appeal.objects.filter(user=user, topic__code=code, text=text).exists()


def _file(user, code, text, *, contract=None, account=None, files=()):
    topic = AppealTopic.objects.get(code=code)
    appeal = service.appeal_classify(user=user, topic=topic, contract=contract, account=account)
    return service.appeal_submit(appeal=appeal, user=user, text=text, files=files)


def _fresh(appeal: Appeal) -> Appeal:
    return Appeal.objects.get(pk=appeal.pk)


@transaction.atomic
def demo_appeals_create() -> int:
    """Make the demo appeals that are missing; returns how many were made."""
    appeal_topics_seed()
    users = {user.email: user for user in get_user_model().objects.filter(email__in=[HOUSEHOLD, COMPANY, STAFF])}
    household, company, staff = users.get(HOUSEHOLD), users.get(COMPANY), users.get(STAFF)
    if staff is None:
        return 0
    made = 0
    account = PersonalAccount.objects.filter(number="100000001").first()
    if household is not None and account is not None:
        made += _household(household, staff, account)
    contract = Contract.objects.filter(number="78010000002778").first()
    if company is not None and contract is not None and company.contract_roles.filter(contract=contract).exists():
        made += _company(company, staff, contract)
    return made


def _household(user, staff, account) -> int:
    made = 0
    text = "Прошу провести контрольную проверку прибора учета: расход за октябрь выше обычного в два раза."
    if not _exists(user, "meter-check", text):
        appeal = _file(user, "meter-check", text, account=account)
        service.appeal_register(appeal=appeal, by=staff)
        service.appeal_start(appeal=_fresh(appeal), by=staff)
        service.appeal_resolve(
            appeal=_fresh(appeal),
            by=staff,
            comment="Контролёр проверил прибор учета 14.11: прибор исправен, пломбы целы, показания 012345. "
            "Высокий расход связан с обогревателем, включённым в октябре.",
        )
        service.appeal_rate(appeal=_fresh(appeal), user=user, rating=5, comment="Быстро и понятно, спасибо.")
        _shift(_fresh(appeal), 6)
        made += 1
    text = "Не приходят письма с уведомлениями о новых счетах, хотя в настройках включены."
    if not _exists(user, "tech-support-mail", text):
        appeal = _file(user, "tech-support-mail", text, account=account)
        service.appeal_register(appeal=appeal, by=staff)
        service.appeal_start(appeal=_fresh(appeal), by=staff)
        _shift(_fresh(appeal), 1)
        service.appeal_answer(
            appeal=_fresh(appeal),
            by=staff,
            text="Письма уходят на адрес из профиля. Проверьте, пожалуйста, папку «Спам» и напишите, нашлись ли они.",
            ask_customer=True,
        )
        made += 1
    if not Appeal.objects.filter(user=user, topic__code="meter-fault", state=Appeal.State.DRAFT).exists():
        appeal = service.appeal_classify(user=user, topic=AppealTopic.objects.get(code="meter-fault"), account=account)
        service.appeal_draft_text_save(appeal=appeal, user=user, text="Счётчик перестал мигать индикатором, показания")
        service.appeal_draft_save(appeal=appeal, user=user)
        made += 1
    return made


def _company(user, staff, contract) -> int:
    made = 0
    text = "Просим включить в договор новый цех по адресу: г. Энергоград, ул. Заводская, д. 9, корп. 2."
    if not _exists(user, "contract-conclusion-object-legal", text):
        topic = AppealTopic.objects.get(code="contract-conclusion-object-legal")
        appeal = service.appeal_classify(user=user, topic=topic, contract=contract)
        answers = {
            "energy_objects": [
                {
                    "name": "Цех № 3 (хлебопекарный)",
                    "address": "г. Энергоград, ул. Заводская, д. 9, корп. 2",
                    "points": [
                        {
                            "name": "ТП-15, ввод 3",
                            "max_power": "150",
                            "boundary": "Наконечники кабеля в РУ-0,4 кВ ТП-15",
                            "grid": "АО «Энергосети»",
                            "conditions": {
                                "voltage": "НН",
                                "price_category": "I",
                                "region": "Энергоградская область",
                                "contract_kind": "С услугами по передаче",
                                "zones": "Без тарифных зон",
                            },
                            "metering": [
                                {
                                    "name": "ИК-001",
                                    "losses": "2",
                                    "voltage": "НН",
                                    "meter": {
                                        "serial": "432453234",
                                        "model": "ЦЭ6803В | 5-60 А | 230/400 В",
                                        "made_on": "2024-01-15",
                                        "integer_digits": 6,
                                        "fraction_digits": 2,
                                        "initial_reading": "94.44",
                                        "verified_on": "2024-02-01",
                                        "owner": "Потребитель",
                                    },
                                }
                            ],
                        }
                    ],
                }
            ]
        }
        service.appeal_step_save(appeal=appeal, user=user, step_number=2, answers=answers)
        service.appeal_draft_text_save(appeal=appeal, user=user, text=text)
        key = signing._key_for_submission(appeal)
        from selfservice.services.codes import one_time_code_issue

        code = one_time_code_issue(user=user, purpose=signing.PURPOSE, sent_to=signing._bound_to(user, key))
        appeal = signing.appeal_submit_sign(appeal=appeal, user=user, code=code, ip_address="127.0.0.1")
        service.appeal_register(appeal=appeal, by=staff)
        service.appeal_start(appeal=_fresh(appeal), by=staff)
        document = SimpleUploadedFile(
            "Дополнительное соглашение № 3.pdf",
            _document_pdf(
                f"Дополнительное соглашение № 3 к договору № {contract.number}",
                "Стороны договорились включить в договор энергоснабжения энергообъект «Цех № 3 (хлебопекарный)».",
            ),
            content_type="application/pdf",
        )
        signing.appeal_signature_request(
            appeal=_fresh(appeal),
            by=staff,
            text="Уважаемый клиент! Направляем дополнительное соглашение, подписанное со стороны гарантирующего "
            "поставщика. Просим подписать его в личном кабинете.",
            files=[document],
        )
        _shift(_fresh(appeal), 3)
        made += 1
    text = "В разделе «Документы» не видно счёта-фактуры за сентябрь."
    if not _exists(user, "tech-support-documents", text):
        appeal = _file(user, "tech-support-documents", text, contract=contract)
        service.appeal_register(appeal=appeal, by=staff)
        service.appeal_start(appeal=_fresh(appeal), by=staff)
        service.appeal_resolve(
            appeal=_fresh(appeal),
            by=staff,
            comment="Документ выгружен повторно, он появился в «История» → «Документы».",
        )
        service.appeal_rate(appeal=_fresh(appeal), user=user, rating=4)
        service.appeal_close(appeal=_fresh(appeal), by=user)
        _shift(_fresh(appeal), 20)
        made += 1
    text = "Просим направить акт сверки взаимных расчётов за третий квартал."
    if not _exists(user, "billing-reconciliation", text):
        appeal = _file(user, "billing-reconciliation", text, contract=contract)
        service.appeal_register(appeal=appeal, by=staff, comment="Акт сверки подготовим до конца недели.")
        made += 1
    return made
