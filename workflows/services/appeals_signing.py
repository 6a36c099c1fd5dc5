"""Documents to sign and signed appeals (F-G6; seed 001 §8.2, §8.3.1, рис. 85, 91).

Staff attach documents to a message «Подпишите документы»; the customer chooses «Подписать», «Отклонить» or
«Подписать с протоколом разногласий» (with the protocol as a file). Signing is a simple electronic signature
(ПЭП): a one-time code is e-mailed to the confirmed address and entered in the portal; a `Signature` row keeps the
SHA-256 of each document as it was signed (checked against the hash taken when staff uploaded it), the signer,
the time, the IP address and the browser, and the desk shows them.

A topic may ask for the appeal itself to be signed at submission («Подписать и отправить»); what is signed is the
SHA-256 of the application: the topic, the contract or ЛС, every answer, the text and the hashes of the files.

A failed signing (the code expired or its tries ran out) is not lost: the appeal goes to «Черновики» for a month
— a draft stays a draft, an open appeal shows there with its pending documents — and signing starts again from
there (seed 001 §8.1, §8.3.1: «сюда попадают обращения, при подписании которых произошла ошибка»).

A code is bound to what it signs (`sent_to` names the appeal or the request), so a code sent for one document
cannot sign another. The verification runs in its own transaction, so a wrong try is counted even when nothing
else is written.
"""

import hashlib
import json

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.services.outbox import message_send
from selfservice.models import OneTimeCode
from selfservice.services.codes import one_time_code_issue, one_time_code_verify

from ..models import Appeal, AppealFile, AppealMessage, AppealSettings, Signature, SignatureRequest
from ..models.appeals import WORK, one_month_later
from .appeals import (
    AppealRefused,
    _customer_acted,
    _draft_locked,
    _file_store,
    _files_store,
    _submit,
    _tell,
    _visible_locked,
    appeal_draft_text_save,
    appeal_file_kind,
    file_sha256,
)
from .history import transition_log_write

PURPOSE = OneTimeCode.Purpose.SIGNATURE
Decision = SignatureRequest.Decision
RState = SignatureRequest.State


class SigningRefused(AppealRefused):
    """The code was wrong but may be tried again."""


class SigningFailed(AppealRefused):
    """The code can no longer be used: the appeal waits in «Черновики»."""


def _bound_to(user, subject_key: str) -> str:
    return f"{user.email} · {subject_key}"[:254]


def _key_for_submission(appeal: Appeal) -> str:
    return f"обращение {appeal.pk}"


def _key_for_request(request: SignatureRequest) -> str:
    return f"запрос подписи {request.pk}"


def signing_code_wait(*, user) -> int:
    """Seconds before another code may be sent (one a minute, like every code of the portal)."""
    latest = OneTimeCode.objects.filter(user=user, purpose=PURPOSE).order_by("-created_at").first()
    if latest is None:
        return 0
    passed = (timezone.now() - latest.created_at).total_seconds()
    return max(int(settings.ONE_TIME_CODE_RESEND_SECONDS - passed), 0)


def _code_send(*, user, subject_key: str, subject: str, number: str = "", documents=()) -> None:
    if not user.email_confirmed:
        raise AppealRefused(_("Подтвердите адрес электронной почты в профиле: код подписания приходит на него."))
    code = one_time_code_issue(user=user, purpose=PURPOSE, sent_to=_bound_to(user, subject_key))
    message_send(
        to=user.email,
        template="appeal_signature_code",
        context={
            "code": code,
            "subject": subject,
            "number": number,
            "documents": list(documents),
            "ttl_minutes": settings.ONE_TIME_CODE_TTL_MINUTES,
        },
        user=user,
    )


def _verify(*, user, subject_key: str, code: str) -> None:
    """Spend the code or say why not: SigningRefused while it may be tried again, SigningFailed when it is dead."""
    bound = _bound_to(user, subject_key)
    if one_time_code_verify(user=user, purpose=PURPOSE, code=code, sent_to=bound):
        return
    latest = OneTimeCode.objects.filter(user=user, purpose=PURPOSE, sent_to=bound).order_by("-created_at").first()
    if latest is not None and latest.is_usable():
        left = settings.ONE_TIME_CODE_MAX_ATTEMPTS - latest.attempts
        raise SigningRefused(_("Неверный код. Осталось попыток: %(left)s.") % {"left": left})
    raise SigningFailed("")


def _signer_name(user) -> str:
    return user.get_full_name() or user.email


# --- Signing the appeal itself ------------------------------------------------------------------------------------


def application_sha256(appeal: Appeal) -> str:
    """The hash of what the customer signs: topic, owner, every answer, the text and the files' hashes."""
    content = {
        "topic": appeal.topic_path,
        "contract": appeal.contract.number if appeal.contract_id else None,
        "account": appeal.account.number if appeal.account_id else None,
        "answers": appeal.answers,
        "text": appeal.text,
        "files": sorted(appeal.files.filter(message=None).values_list("name", "sha256")),
    }
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


@transaction.atomic
def appeal_submit_sign_start(*, appeal: Appeal, user, text: str, files=()) -> Appeal:
    """«Подписать и отправить»: keep the text and files on the draft and e-mail the signing code."""
    locked = appeal_draft_text_save(appeal=appeal, user=user, text=text, files=files)
    if not locked.text:
        raise ValidationError({"text": _("Заполните поле")})
    if not locked.ready_to_submit():
        raise ValidationError({"text": _("Заполните все шаги обращения и «Текст обращения».")})
    _code_send(
        user=user, subject_key=_key_for_submission(locked), subject=_("заявление «%(title)s»") % {"title": locked.title}
    )
    return locked


def appeal_submit_sign(*, appeal: Appeal, user, code: str, ip_address=None, user_agent: str = "") -> Appeal:
    """The code entered: the application is signed and filed. A dead code saves the draft in «Черновики»."""
    try:
        _verify(user=user, subject_key=_key_for_submission(appeal), code=code)
    except SigningFailed:
        with transaction.atomic():
            locked = _draft_locked(appeal, user)
            locked.draft_expires_at = one_month_later(timezone.now())
            locked.save(update_fields=["draft_expires_at"])
        raise SigningFailed(
            _(
                "Не удалось подписать обращение: код больше не действует. Обращение сохранено в черновиках — "
                "откройте его на вкладке «Черновики» и подпишите снова."
            )
        ) from None
    with transaction.atomic():
        locked = _draft_locked(appeal, user)
        now = timezone.now()
        Signature.objects.create(
            appeal=locked,
            subject=_("Заявление «%(title)s»") % {"title": locked.title},
            sha256=application_sha256(locked),
            decision=Signature.Decision.APPLICATION,
            signer=user,
            signer_name=_signer_name(user),
            signer_email=user.email,
            signed_at=now,
            ip_address=ip_address,
            user_agent=(user_agent or "")[:500],
        )
        return _submit(locked, user, now)


def appeal_submit_code_resend(*, appeal: Appeal, user) -> int:
    """«Отправить код ещё раз»; returns the seconds left to wait (0 when sent)."""
    wait = signing_code_wait(user=user)
    if wait:
        return wait
    with transaction.atomic():
        locked = _draft_locked(appeal, user)
        _code_send(
            user=user,
            subject_key=_key_for_submission(locked),
            subject=_("заявление «%(title)s»") % {"title": locked.title},
        )
    return 0


# --- Documents sent by the company ---------------------------------------------------------------------------------


@transaction.atomic
def appeal_signature_request(*, appeal: Appeal, by, text: str = "", files=()) -> SignatureRequest:
    """Staff: «Подпишите документы» with the documents; the clock waits for the customer's decision."""
    if not by.has_perm(WORK):
        raise PermissionDenied
    locked = (
        Appeal.objects.select_for_update(of=("self",)).select_related("user", "account", "contract").get(pk=appeal.pk)
    )
    if locked.state not in Appeal.STAFF_OPEN:
        raise AppealRefused(_("Документы на подпись отправляют по обращению в работе."))
    files = [file for file in files or () if file]
    if not files:
        raise ValidationError({"files": _("Приложите документы, которые клиент должен подписать.")})
    now = timezone.now()
    text = (text or "").strip() or _("Подпишите документы")
    message = AppealMessage.objects.create(
        appeal=locked, author=by, from_staff=True, text=text[:4000], asks_customer=True, created_at=now
    )
    request = SignatureRequest.objects.create(appeal=locked, message=message, requested_by=by, created_at=now)
    try:
        _files_store(
            appeal=locked, files=files, user=by, message=message, purpose=AppealFile.Purpose.DOCUMENT, request=request
        )
    except ValidationError as error:
        raise ValidationError({"files": error.messages}) from None
    locked.sla_pause(now)
    locked.last_message_at = locked.last_staff_message_at = locked.updated_at = locked.staff_read_at = now
    locked.save()
    transition_log_write(
        subject=locked,
        transition="signature_requested",
        source=locked.state,
        target=locked.state,
        by=by,
        comment=", ".join(file.name for file in files),
    )
    _tell(locked, _("Подпишите документы по обращению № %(number)s"), text[:300])
    return request


@transaction.atomic
def appeal_signature_withdraw(*, request: SignatureRequest, by) -> SignatureRequest:
    """Staff: the documents are no longer to be signed (sent by mistake, replaced)."""
    if not by.has_perm(WORK):
        raise PermissionDenied
    locked = SignatureRequest.objects.select_for_update().get(pk=request.pk)
    if locked.state != RState.PENDING:
        raise AppealRefused(_("Клиент уже ответил на запрос подписи. Обновите страницу."))
    appeal = Appeal.objects.select_for_update().get(pk=locked.appeal_id)
    now = timezone.now()
    locked.state, locked.decided_by, locked.decided_at = RState.WITHDRAWN, by, now
    locked.pending_decision, locked.draft_expires_at = "", None
    locked.save()
    if not appeal.signature_requests.filter(state=RState.PENDING).exists():
        appeal.sla_resume(now)
        appeal.draft_expires_at = None
    appeal.updated_at = now
    appeal.save()
    transition_log_write(
        subject=appeal, transition="signature_withdrawn", source=appeal.state, target=appeal.state, by=by
    )
    return locked


def _unsigned_protocols_delete(request: SignatureRequest) -> None:
    """A protocol chosen for a signing that did not happen is replaced by the next one (or by a refusal)."""
    for stored in request.files.filter(purpose=AppealFile.Purpose.PROTOCOL, message=None):
        stored.file.delete(save=False)
        stored.delete()


def _pending_locked(request: SignatureRequest, user) -> tuple[Appeal, SignatureRequest]:
    appeal = _visible_locked(request.appeal, user)
    locked = SignatureRequest.objects.select_for_update().filter(pk=request.pk, appeal=appeal).first()
    if locked is None:
        raise PermissionDenied
    if locked.state != RState.PENDING:
        raise AppealRefused(_("По этим документам решение уже принято. Обновите страницу."))
    if appeal.is_finished:
        raise AppealRefused(_("Обращение закрыто."))
    return appeal, locked


@transaction.atomic
def appeal_signature_start(*, request: SignatureRequest, user, decision: str, protocol=None) -> SignatureRequest:
    """«Подписать» or «Подписать с протоколом разногласий» (the protocol as a file): the code goes by e-mail."""
    appeal, locked = _pending_locked(request, user)
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Выберите, как подписать документы.")})
    _unsigned_protocols_delete(locked)
    if decision == Decision.PROTOCOL:
        if not protocol:
            raise ValidationError({"protocol": _("Приложите протокол разногласий.")})
        try:
            kind = appeal_file_kind(protocol, max_bytes=AppealSettings.load().max_file_bytes)
        except ValidationError as error:
            raise ValidationError({"protocol": error.messages}) from None
        _file_store(
            appeal=appeal, upload=protocol, kind=kind, user=user, purpose=AppealFile.Purpose.PROTOCOL, request=locked
        )
    now = timezone.now()
    locked.pending_decision, locked.pending_by, locked.code_sent_at = decision, user, now
    locked.save(update_fields=["pending_decision", "pending_by", "code_sent_at"])
    names = list(locked.files.filter(purpose=AppealFile.Purpose.DOCUMENT).values_list("name", flat=True))
    _code_send(
        user=user,
        subject_key=_key_for_request(locked),
        subject=_("документы по обращению") if decision == Decision.SIGN else _("документы с протоколом разногласий"),
        number=appeal.number,
        documents=names,
    )
    return locked


def appeal_signature_confirm(
    *, request: SignatureRequest, user, code: str, ip_address=None, user_agent: str = ""
) -> SignatureRequest:
    """The code entered: each document is signed with its SHA-256, the signer, time and IP; the company is told in
    the dialog and its clock runs again. A dead code moves the appeal to «Черновики» to be signed again."""
    try:
        _verify(user=user, subject_key=_key_for_request(request), code=code)
    except SigningFailed:
        _signing_failed(request, user)
        raise SigningFailed(
            _(
                "Не удалось подписать документы: код больше не действует. Обращение сохранено в черновиках — "
                "откройте его на вкладке «Черновики» и подпишите снова."
            )
        ) from None
    with transaction.atomic():
        appeal, locked = _pending_locked(request, user)
        if not locked.pending_decision or locked.pending_by_id != user.pk:
            raise AppealRefused(_("Начните подписание заново: нажмите «Подписать»."))
        now = timezone.now()
        documents = list(locked.files.filter(purpose=AppealFile.Purpose.DOCUMENT))
        protocol = locked.files.filter(purpose=AppealFile.Purpose.PROTOCOL, message=None).last()
        with_protocol = locked.pending_decision == Decision.PROTOCOL
        if with_protocol and protocol is None:
            raise AppealRefused(_("Приложите протокол разногласий заново."))
        signed = [*documents, protocol] if with_protocol else documents
        for document in signed:
            digest = file_sha256(document)
            if digest != document.sha256:
                raise AppealRefused(
                    _("Документ «%(name)s» изменился после отправки: подписать его нельзя.") % {"name": document.name}
                )
            Signature.objects.create(
                appeal=appeal,
                request=locked,
                signed_file=document,
                subject=document.name,
                sha256=digest,
                decision=Signature.Decision.PROTOCOL if with_protocol else Signature.Decision.SIGN,
                signer=user,
                signer_name=_signer_name(user),
                signer_email=user.email,
                signed_at=now,
                ip_address=ip_address,
                user_agent=(user_agent or "")[:500],
            )
        text = (
            _("Документы подписаны простой электронной подписью с протоколом разногласий.")
            if with_protocol
            else _("Документы подписаны простой электронной подписью.")
        )
        message = AppealMessage.objects.create(appeal=appeal, author=user, text=text, created_at=now)
        if protocol is not None and with_protocol:
            protocol.message = message
            protocol.save(update_fields=["message"])
        locked.state = RState.SIGNED_WITH_PROTOCOL if with_protocol else RState.SIGNED
        locked.decided_by, locked.decided_at = user, now
        locked.pending_decision, locked.failed_at, locked.draft_expires_at = "", None, None
        locked.save()
        _decided(appeal, now)
        transition_log_write(
            subject=appeal,
            transition="signed_with_protocol" if with_protocol else "signed",
            source=appeal.state,
            target=appeal.state,
            by=user,
            comment=", ".join(document.name for document in signed),
        )
        return locked


def _decided(appeal: Appeal, now) -> None:
    _customer_acted(appeal, now)
    still_failed = appeal.signature_requests.filter(state=RState.PENDING, draft_expires_at__isnull=False).exists()
    if not still_failed:
        appeal.draft_expires_at = None
    appeal.save()


def _signing_failed(request: SignatureRequest, user) -> None:
    with transaction.atomic():
        appeal, locked = _pending_locked(request, user)
        now = timezone.now()
        expires = one_month_later(now)
        locked.failed_at, locked.draft_expires_at = now, expires
        locked.save(update_fields=["failed_at", "draft_expires_at"])
        appeal.draft_expires_at = expires
        appeal.save(update_fields=["draft_expires_at"])
        transition_log_write(
            subject=appeal,
            transition="signing_failed",
            source=appeal.state,
            target=appeal.state,
            by=user,
            comment=_("Код подписания не подтверждён"),
        )


def appeal_signature_code_resend(*, request: SignatureRequest, user) -> int:
    """«Отправить код ещё раз» while a decision waits for its code; returns the seconds left to wait."""
    wait = signing_code_wait(user=user)
    if wait:
        return wait
    with transaction.atomic():
        appeal, locked = _pending_locked(request, user)
        if not locked.pending_decision:
            raise AppealRefused(_("Начните подписание заново: нажмите «Подписать»."))
        names = list(locked.files.filter(purpose=AppealFile.Purpose.DOCUMENT).values_list("name", flat=True))
        _code_send(
            user=user,
            subject_key=_key_for_request(locked),
            subject=_("документы по обращению"),
            number=appeal.number,
            documents=names,
        )
    return 0


@transaction.atomic
def appeal_signature_decline(*, request: SignatureRequest, user, reason: str) -> SignatureRequest:
    """«Отклонить», with the reason the company reads in the dialog."""
    appeal, locked = _pending_locked(request, user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Напишите, почему вы не подписываете документы.")})
    now = timezone.now()
    _unsigned_protocols_delete(locked)
    locked.state, locked.decided_by, locked.decided_at = RState.DECLINED, user, now
    locked.decline_reason, locked.pending_decision, locked.draft_expires_at = reason[:2000], "", None
    locked.save()
    AppealMessage.objects.create(
        appeal=appeal,
        author=user,
        text=_("Документы отклонены: %(reason)s") % {"reason": reason[:3900]},
        created_at=now,
    )
    _decided(appeal, now)
    transition_log_write(
        subject=appeal,
        transition="signature_declined",
        source=appeal.state,
        target=appeal.state,
        by=user,
        comment=reason,
    )
    return locked
