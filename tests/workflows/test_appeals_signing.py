"""Documents to sign and signed appeals (F-G6): «Подписать», «Отклонить», «Подписать с протоколом разногласий», a
simple electronic signature confirmed by a one-time code and kept with SHA-256, signer, time and IP; a failed
signing returns the appeal to «Черновики»."""

import hashlib
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from backoffice.models import Notification, OutboxMessage
from tests.factories import UserFactory
from tests.selfservice.cabinet import Role, contract_with_sites, give_role
from tests.workflows.appeals_kit import clerk, file_appeal, pdf, topic
from workflows.models import Appeal, Signature, SignatureRequest, TransitionLog
from workflows.services.appeals import AppealRefused, appeal_classify, appeal_register, appeal_start, appeal_step_save
from workflows.services.appeals_selectors import TAB_DRAFTS, appeal_tab_counts
from workflows.services.appeals_signing import (
    SigningFailed,
    SigningRefused,
    appeal_signature_confirm,
    appeal_signature_decline,
    appeal_signature_request,
    appeal_signature_start,
    appeal_submit_sign,
    appeal_submit_sign_start,
    application_sha256,
)

pytestmark = pytest.mark.django_db

RState = SignatureRequest.State
CONTRACT_TEXT = "%PDF-1.4 Дополнительное соглашение № 3".encode()


def last_code(user) -> str:
    letter = OutboxMessage.objects.filter(recipient=user.email, template="appeal_signature_code").latest("pk")
    return re.search(r"Код подписания: (\d{5})", letter.body).group(1)


def wrong(code: str) -> str:
    return "00000" if code != "00000" else "11111"


@pytest.fixture
def desk():
    return clerk()


@pytest.fixture
def customer():
    return UserFactory(email="director@company.example", last_name="Смирнов", first_name="Олег")


@pytest.fixture
def request_to_sign(customer, desk):
    appeal = file_appeal(customer)
    appeal = appeal_start(appeal=appeal_register(appeal=appeal, by=desk), by=desk)
    return appeal_signature_request(
        appeal=appeal, by=desk, text="Подпишите соглашение", files=[pdf("соглашение.pdf", CONTRACT_TEXT)]
    )


def test_staff_send_documents_and_the_customer_is_asked_to_sign(request_to_sign, customer):
    request = request_to_sign
    document = request.files.get()

    assert request.state == RState.PENDING and request.message.from_staff and request.message.asks_customer
    assert document.sha256 == hashlib.sha256(CONTRACT_TEXT).hexdigest()
    assert Notification.objects.filter(user=customer, title__startswith="Подпишите документы по обращению").exists()
    assert TransitionLog.objects.filter(object_id=request.appeal_id, transition="signature_requested").exists()


def test_documents_are_required(customer, desk):
    appeal = appeal_start(appeal=appeal_register(appeal=file_appeal(customer), by=desk), by=desk)

    with pytest.raises(ValidationError):
        appeal_signature_request(appeal=appeal, by=desk, files=[])


def test_signing_with_the_code_keeps_hash_signer_time_and_ip(request_to_sign, customer):
    appeal_signature_start(request=request_to_sign, user=customer, decision="sign")

    appeal_signature_confirm(
        request=request_to_sign,
        user=customer,
        code=last_code(customer),
        ip_address="203.0.113.7",
        user_agent="Mozilla/5.0 Test",
    )

    signature = Signature.objects.get()
    assert signature.sha256 == hashlib.sha256(CONTRACT_TEXT).hexdigest()
    assert signature.signer == customer and signature.signer_name == "Смирнов Олег Иванович"
    assert signature.ip_address == "203.0.113.7" and signature.user_agent == "Mozilla/5.0 Test"
    assert signature.signed_file.name == "соглашение.pdf" and signature.decision == Signature.Decision.SIGN
    request = SignatureRequest.objects.get()
    assert request.state == RState.SIGNED and request.decided_by == customer
    appeal = Appeal.objects.get()
    assert appeal.messages.last().text == "Документы подписаны простой электронной подписью."
    assert appeal.paused_at is None
    assert TransitionLog.objects.filter(object_id=appeal.pk, transition="signed").exists()


def test_a_wrong_code_signs_nothing_and_says_how_many_tries_are_left(request_to_sign, customer):
    appeal_signature_start(request=request_to_sign, user=customer, decision="sign")

    with pytest.raises(SigningRefused, match="Неверный код. Осталось попыток: 4"):
        appeal_signature_confirm(request=request_to_sign, user=customer, code=wrong(last_code(customer)))

    assert not Signature.objects.exists()
    assert SignatureRequest.objects.get().state == RState.PENDING


def test_a_failed_signing_returns_the_appeal_to_drafts_and_can_be_signed_again(request_to_sign, customer):
    appeal_signature_start(request=request_to_sign, user=customer, decision="sign")
    code = last_code(customer)
    for _attempt in range(4):
        with pytest.raises(SigningRefused):
            appeal_signature_confirm(request=request_to_sign, user=customer, code=wrong(code))

    with pytest.raises(SigningFailed, match="Обращение сохранено в черновиках"):
        appeal_signature_confirm(request=request_to_sign, user=customer, code=wrong(code))

    appeal = Appeal.objects.get()
    assert appeal.state == Appeal.State.IN_PROGRESS  # the company's work goes on
    assert appeal.draft_expires_at is not None
    assert appeal_tab_counts(user=customer)[TAB_DRAFTS] == 1
    assert TransitionLog.objects.filter(object_id=appeal.pk, transition="signing_failed").exists()

    appeal_signature_start(request=request_to_sign, user=customer, decision="sign")
    appeal_signature_confirm(request=request_to_sign, user=customer, code=last_code(customer))

    assert SignatureRequest.objects.get().state == RState.SIGNED
    assert Appeal.objects.get().draft_expires_at is None
    assert appeal_tab_counts(user=customer)[TAB_DRAFTS] == 0


def test_signing_with_a_protocol_of_disagreements(request_to_sign, customer):
    with pytest.raises(ValidationError):
        appeal_signature_start(request=request_to_sign, user=customer, decision="protocol")

    appeal_signature_start(
        request=request_to_sign, user=customer, decision="protocol", protocol=pdf("протокол.pdf", b"%PDF-1.4 protocol")
    )
    appeal_signature_confirm(request=request_to_sign, user=customer, code=last_code(customer))

    request = SignatureRequest.objects.get()
    assert request.state == RState.SIGNED_WITH_PROTOCOL
    assert sorted(Signature.objects.values_list("subject", "decision")) == [
        ("протокол.pdf", "protocol"),
        ("соглашение.pdf", "protocol"),
    ]
    message = Appeal.objects.get().messages.last()
    assert "с протоколом разногласий" in message.text and message.files.get().name == "протокол.pdf"


def test_a_protocol_that_is_not_a_document_is_refused(request_to_sign, customer):
    with pytest.raises(ValidationError):
        appeal_signature_start(
            request=request_to_sign, user=customer, decision="protocol", protocol=pdf("протокол.pdf", b"MZ\x90binary")
        )

    assert SignatureRequest.objects.get().pending_decision == ""


def test_declining_needs_a_reason_which_the_company_reads(request_to_sign, customer):
    with pytest.raises(ValidationError):
        appeal_signature_decline(request=request_to_sign, user=customer, reason="")

    appeal_signature_decline(request=request_to_sign, user=customer, reason="Не согласны со сроком")

    request = SignatureRequest.objects.get()
    assert request.state == RState.DECLINED and request.decline_reason == "Не согласны со сроком"
    assert Appeal.objects.get().messages.last().text == "Документы отклонены: Не согласны со сроком"


def test_a_code_for_one_request_does_not_sign_another(request_to_sign, customer, desk):
    second = appeal_signature_request(appeal=request_to_sign.appeal, by=desk, files=[pdf("акт.pdf")])
    appeal_signature_start(request=request_to_sign, user=customer, decision="sign")
    code = last_code(customer)
    appeal_signature_start(request=second, user=customer, decision="sign")  # a new code retires the first

    with pytest.raises((SigningRefused, SigningFailed)):
        appeal_signature_confirm(request=request_to_sign, user=customer, code=code)

    assert not Signature.objects.filter(request=request_to_sign).exists()


def test_a_document_changed_after_sending_is_not_signed(request_to_sign, customer):
    document = request_to_sign.files.get()
    with document.file.open("wb") as handle:
        handle.write(b"%PDF-1.4 altered")
    appeal_signature_start(request=request_to_sign, user=customer, decision="sign")

    with pytest.raises(AppealRefused, match="изменился после отправки"):
        appeal_signature_confirm(request=request_to_sign, user=customer, code=last_code(customer))

    assert not Signature.objects.exists()


def test_once_decided_the_request_takes_no_other_decision(request_to_sign, customer):
    appeal_signature_decline(request=request_to_sign, user=customer, reason="Нет")

    with pytest.raises(AppealRefused):
        appeal_signature_start(request=request_to_sign, user=customer, decision="sign")


def test_a_stranger_cannot_sign(request_to_sign):
    with pytest.raises(Exception) as refusal:
        appeal_signature_start(request=request_to_sign, user=UserFactory(), decision="sign")

    assert refusal.type.__name__ == "Http404"


def test_a_colleague_on_the_contract_signs_for_the_organisation(desk):
    contract = contract_with_sites(energy_objects=1)
    author, colleague = UserFactory(), UserFactory(email="glavbuh@company.example")
    give_role(author, contract, Role.HEAD)
    give_role(colleague, contract, Role.ADMINISTRATOR)
    appeal = file_appeal(author, "contract-contacts", contract=contract, text="Смена директора")
    appeal = appeal_start(appeal=appeal_register(appeal=appeal, by=desk), by=desk)
    request = appeal_signature_request(appeal=appeal, by=desk, files=[pdf()])

    appeal_signature_start(request=request, user=colleague, decision="sign")
    appeal_signature_confirm(request=request, user=colleague, code=last_code(colleague))

    assert Signature.objects.get().signer == colleague


# --- The appeal itself signed at submission («Заключение договора энергоснабжения») -------------------------------


def contract_application(user):
    """A «Заключение договора» draft with every step passed (the answers as the steps' forms store them)."""
    draft = appeal_classify(user=user, topic=topic("contract-conclusion-new-legal"))
    branch = contract_with_sites(energy_objects=1).branch
    answers = {
        "inn": {"inn": "7801000001"},
        "branch": {"branch": branch.pk},
        "information": {"full_name": "ООО «Пекарня»", "short_name": "ООО «Пекарня»", "inn": "7801000001"},
        "bank": {"bank": {"bik": "044000001", "account": "40702810900000000123"}},
        "energy-object": {"energy_objects": [{"name": "Цех", "address": "ул. Заводская, 9", "points": []}]},
    }
    for number, step in enumerate(draft.steps, 2):
        draft = appeal_step_save(appeal=draft, user=user, step_number=number, answers=answers[step.key])
    return draft


def test_the_application_is_signed_by_code_and_filed(customer):
    draft = contract_application(customer)

    appeal_submit_sign_start(appeal=draft, user=customer, text="Прошу заключить договор", files=[pdf("устав.pdf")])
    draft = Appeal.objects.get()
    expected_hash = application_sha256(draft)
    appeal = appeal_submit_sign(appeal=draft, user=customer, code=last_code(customer), ip_address="198.51.100.4")

    assert appeal.state == Appeal.State.NEW and appeal.number.endswith("-Ю-Л")
    signature = Signature.objects.get()
    assert signature.decision == Signature.Decision.APPLICATION and signature.request is None
    assert signature.sha256 == expected_hash and signature.ip_address == "198.51.100.4"
    assert appeal.branch_id == draft.answers["branch"]["branch"]  # «Выберите отделение» routes the appeal


def test_a_failed_signing_of_the_application_keeps_it_in_drafts(customer):
    draft = contract_application(customer)
    appeal_submit_sign_start(appeal=draft, user=customer, text="Прошу заключить договор")
    code = last_code(customer)
    for _attempt in range(4):
        with pytest.raises(SigningRefused):
            appeal_submit_sign(appeal=draft, user=customer, code=wrong(code))

    with pytest.raises(SigningFailed, match="Обращение сохранено в черновиках"):
        appeal_submit_sign(appeal=draft, user=customer, code=wrong(code))

    draft = Appeal.objects.get()
    assert draft.state == Appeal.State.DRAFT and draft.draft_expires_at is not None and not draft.number
    assert appeal_tab_counts(user=customer)[TAB_DRAFTS] == 1


def test_the_signing_code_comes_by_e_mail_only_to_a_confirmed_address(customer):
    draft = contract_application(customer)
    customer.email_confirmed_at = None
    customer.save(update_fields=["email_confirmed_at"])

    with pytest.raises(AppealRefused, match="Подтвердите адрес электронной почты"):
        appeal_submit_sign_start(appeal=draft, user=customer, text="Прошу заключить договор")


def test_the_desk_shows_the_signature(client, request_to_sign, customer, desk):
    appeal_signature_start(request=request_to_sign, user=customer, decision="sign")
    appeal_signature_confirm(request=request_to_sign, user=customer, code=last_code(customer), ip_address="203.0.113.9")
    client.force_login(desk)

    page = client.get(reverse("workflows_appeals:inspect", args=[request_to_sign.appeal_id])).content.decode()

    assert hashlib.sha256(CONTRACT_TEXT).hexdigest() in page
    assert "203.0.113.9" in page and "Смирнов Олег Иванович" in page
