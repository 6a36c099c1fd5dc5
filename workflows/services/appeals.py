"""Appeals (F-G2…F-G7): the wizard and its drafts, the workflow, the dialog, the desk's steps and the beat jobs.

Every write with a rule is here; the portal views, the desk in the Wagtail admin and the Celery tasks call these
functions and nothing else. Each runs in one transaction: the appeal's row is locked, the transition is taken (its
guard and permission are declared on the model), a `TransitionLog` row is written and the customer is told through
`notification_send` (the in-app row and the outbox letter in the same transaction, delivered after commit).

The wizard (seed 001 §8.2–8.3): step 1 chooses the contract or ЛС and Тема → Раздел → Подраздел; the topic's own
steps follow; the last one is «Информация по обращению» with «Текст обращения» and files. Passing step 1 creates
the appeal as a «Черновик» nobody sees yet; every «Дальше» stores that step's answers (only passed steps are kept).
Closing asks «Сохранить черновик обращения?»: «Сохранить» puts it in «Черновики» for a month, «Закрыть» forgets a
draft never saved. `appeal_drafts_purge` (beat, hourly) deletes expired drafts and wizards left unsaved for a day.

Two clerks at once: a step locks the row and refuses when the state is not the one the clerk saw (`seen_state`),
so the second is told «Обращение уже обработал другой сотрудник» and the log has one entry.
"""

import datetime
import hashlib
import zipfile

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from backoffice.models import Contract, Notification, PersonalAccount
from backoffice.services.notifications import notification_send
from backoffice.uploads import attachment_validate
from selfservice.selectors import accounts_for, contracts_for, energy_objects_for

from ..models import (
    Appeal,
    AppealCounter,
    AppealFile,
    AppealMessage,
    AppealNote,
    AppealRead,
    AppealSettings,
    AppealTopic,
    SignatureRequest,
)
from ..models.appeals import (
    ASSIGN,
    UNSAVED_DRAFT_HOURS,
    WORK,
    Audience,
    Classifier,
    OwnerRule,
    PersonType,
    TopicRules,
    one_month_later,
)
from ..models.appeals_form import first_value_of_kind
from .appeals_selectors import appeal_get_for, cabinet_reach, reach_forget
from .history import transition_log_write

State = Appeal.State
ALLOWED_TYPES = "PDF, JPG, PNG, DOCX, XLSX"
MESSAGE_MAX_LENGTH = 4000


class AppealRefused(Exception):
    """A step that cannot be taken now; the message is shown to the person as it is."""


def appeal_url(appeal: Appeal) -> str:
    return reverse("selfservice:appeal", args=[appeal.pk])


def _taken_by_another() -> AppealRefused:
    return AppealRefused(_("Обращение уже обработал другой сотрудник. Обновите страницу."))


# --- Files --------------------------------------------------------------------------------------------------------


def appeal_file_kind(upload, *, max_bytes: int) -> str:
    """The file's format judged by its content: PDF, JPG, PNG (backoffice.uploads) or an Office document."""
    try:
        return attachment_validate(upload, max_bytes=max_bytes)
    except ValidationError as error:
        if error.code != "type":
            raise
    upload.seek(0)
    if upload.read(4) == b"PK\x03\x04":
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            names = set()
        upload.seek(0)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
    upload.seek(0)
    raise ValidationError(
        _("Файл «%(name)s» не подходит: принимаются %(types)s.") % {"name": upload.name, "types": ALLOWED_TYPES},
        code="type",
    )


def appeal_files_check(files, *, already: int = 0, limits: AppealSettings | None = None) -> list[str]:
    """Refuse too many files, or any empty, too large or wrongly typed one, with every reason at once."""
    limits = limits or AppealSettings.load()
    files = [file for file in files or () if file]
    errors = []
    if already + len(files) > limits.max_files:
        errors.append(_("Можно приложить не больше %(count)s файлов.") % {"count": limits.max_files})
    kinds = []
    for upload in files:
        try:
            kinds.append(appeal_file_kind(upload, max_bytes=limits.max_file_bytes))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return kinds


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _file_store(*, appeal, upload, kind, user, purpose=AppealFile.Purpose.ATTACHMENT, message=None, request=None):
    stored = AppealFile(
        appeal=appeal,
        message=message,
        signature_request=request,
        purpose=purpose,
        name=upload.name.rsplit("/", 1)[-1][:255],
        size=upload.size,
        kind=kind,
        sha256=_sha256(upload),
        uploaded_by=user,
    )
    stored.file.save(stored.name, upload, save=False)
    stored.save()
    return stored


def _files_store(*, appeal, files, user, message=None, already=0, **kwargs) -> list[AppealFile]:
    files = [file for file in files or () if file]
    kinds = appeal_files_check(files, already=already)
    return [
        _file_store(appeal=appeal, upload=upload, kind=kind, user=user, message=message, **kwargs)
        for upload, kind in zip(files, kinds, strict=True)
    ]


def file_sha256(stored: AppealFile) -> str:
    """The SHA-256 of a stored file as it is now (a signature checks the document did not change)."""
    digest = hashlib.sha256()
    with stored.file.open("rb") as handle:
        for chunk in iter(lambda: handle.read(65536), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- The wizard ---------------------------------------------------------------------------------------------------


def topic_owner_kind(rules: TopicRules) -> str | None:
    """What the topic may be filed on: "contract", "account", "any" or None (nothing)."""
    if rules.owner_rule == OwnerRule.NONE:
        return None
    return {Audience.HOUSEHOLD: "account", Audience.ORGANISATION: "contract"}.get(rules.audience, "any")


def topic_available(rules: TopicRules, *, has_contracts: bool, has_accounts: bool) -> bool:
    """A topic whose contract or ЛС the user cannot give is not offered (a household topic without a ЛС)."""
    if rules.owner_rule != OwnerRule.REQUIRED:
        return True
    kind = topic_owner_kind(rules)
    return {"contract": has_contracts, "account": has_accounts, "any": has_contracts or has_accounts}[kind]


def appeal_classification_check(*, user, rules: TopicRules, contract=None, account=None) -> tuple:
    """Step 1's rules (F-G2): the owner the topic wants, from the user's own cabinet. Returns (contract, account)."""
    if contract is not None and not contracts_for(user=user).filter(pk=contract.pk).exists():
        raise PermissionDenied
    if account is not None and not accounts_for(user=user).filter(pk=account.pk).exists():
        raise PermissionDenied
    kind = topic_owner_kind(rules)
    if kind is None:
        return None, None
    if kind == "contract" and account is not None:
        raise ValidationError({"owner": _("По этой теме выберите договор.")})
    if kind == "account" and contract is not None:
        raise ValidationError({"owner": _("По этой теме выберите лицевой счёт.")})
    if rules.owner_rule == OwnerRule.REQUIRED and contract is None and account is None:
        message = {
            "contract": _("По этой теме выберите договор."),
            "account": _("По этой теме выберите лицевой счёт."),
        }.get(kind, _("По этой теме выберите договор или лицевой счёт."))
        raise ValidationError({"owner": message})
    if rules.handover == "access_request" and contract is None:
        raise ValidationError({"owner": _("Выберите договор, по которому нужен доступ.")})
    return contract, account


def _person_type(*, user, rules, contract, account) -> str:
    if contract is not None or rules.audience == Audience.ORGANISATION:
        return PersonType.LEGAL
    if account is not None or rules.audience == Audience.HOUSEHOLD:
        return PersonType.INDIVIDUAL
    has_contracts = bool(cabinet_contract_ids(user))
    has_accounts = accounts_for(user=user).exists()
    return PersonType.LEGAL if has_contracts and not has_accounts else PersonType.INDIVIDUAL


def cabinet_contract_ids(user) -> set:
    return set().union(*cabinet_reach(user=user).contracts.values())


def _leaf_rules(topic: AppealTopic) -> TopicRules:
    classifier = Classifier.load()
    node = classifier.get(topic.pk)
    if node is None:
        raise ValidationError({"topic": _("Эта тема больше не принимает обращения. Выберите другую.")})
    if not classifier.is_leaf(node):
        raise ValidationError({"topic": _("Выберите раздел темы.")})
    return classifier.rules(node)


@transaction.atomic
def appeal_classify(
    *, user, topic: AppealTopic, contract: Contract | None = None, account: PersonalAccount | None = None, appeal=None
) -> Appeal:
    """Step 1 «Дальше»: a new draft for the chosen topic, or the same draft with a new choice.

    A different topic starts its steps afresh (the answers to other questions do not fit); another contract or ЛС
    keeps them. Topics handed over to another screen («Права доступа», a service order) are not filed here.
    """
    rules = _leaf_rules(topic)
    if rules.handover:
        raise AppealRefused(_("Эта тема оформляется на отдельной странице."))
    contract, account = appeal_classification_check(user=user, rules=rules, contract=contract, account=account)
    now = timezone.now()
    appeal = Appeal(user=user, created_at=now, last_message_at=now) if appeal is None else _draft_locked(appeal, user)
    if appeal.pk is None or appeal.topic_id != rules.topic.pk:
        appeal.answers, appeal.form_snapshot = {}, rules.steps_raw
    if contract is None or appeal.contract_id != contract.pk:
        appeal.energy_object = None
    appeal.contract, appeal.account = contract, account
    appeal.branch = (contract or account).branch if (contract or account) else None
    appeal.person_type = _person_type(user=user, rules=rules, contract=contract, account=account)
    appeal.topic, appeal.theme = rules.topic, rules.path[0]
    appeal.section = rules.path[1] if len(rules.path) > 1 else None
    appeal.title, appeal.topic_path = rules.title, rules.path_label
    appeal.applicant = Appeal.applicant_label(user=user, contract=contract, account=account)
    appeal.capability = rules.capability
    appeal.correspondence_allowed = rules.correspondence_allowed
    appeal.attachments_allowed = rules.attachments_allowed
    appeal.signature_required = rules.signature_required
    appeal.text_max_length = rules.text_max_length
    appeal.response_days = rules.response_days
    appeal.steps_passed = max(appeal.steps_passed, 1)
    appeal.updated_at = now
    appeal.save()
    _route(appeal, user)
    return appeal


def _draft_locked(appeal: Appeal, user) -> Appeal:
    locked = Appeal.objects.select_for_update().filter(pk=appeal.pk, user=user).first()
    if locked is None:
        raise PermissionDenied
    if locked.state != State.DRAFT:
        raise AppealRefused(_("Обращение уже отправлено: изменить его нельзя."))
    return locked


def _route(appeal: Appeal, user) -> None:
    """The branch and energy object the answers chose («Выберите отделение», «Энергообъект») route the appeal."""
    branch_id = first_value_of_kind(appeal.steps, appeal.answers, "branch")
    object_id = first_value_of_kind(appeal.steps, appeal.answers, "energy_object")
    changed = []
    if branch_id and branch_id != appeal.branch_id:
        appeal.branch_id = branch_id
        changed.append("branch")
    if object_id and appeal.contract_id and object_id != appeal.energy_object_id:
        if not energy_objects_for(user=user, contract=appeal.contract).filter(pk=object_id).exists():
            raise PermissionDenied
        appeal.energy_object_id = object_id
        changed.append("energy_object")
    if changed:
        appeal.save(update_fields=changed)


@transaction.atomic
def appeal_step_save(*, appeal: Appeal, user, step_number: int, answers: dict) -> Appeal:
    """A topic step's «Дальше»: keep its answers (validated by its StepForm) and count it as passed."""
    locked = _draft_locked(appeal, user)
    index = step_number - 2
    if not 0 <= index < len(locked.steps):
        raise AppealRefused(_("Такого шага нет."))
    if step_number > locked.steps_passed + 1:
        raise AppealRefused(_("Сначала заполните предыдущие шаги."))
    locked.answers = {**(locked.answers or {}), locked.steps[index].key: answers}
    locked.steps_passed = max(locked.steps_passed, step_number)
    locked.updated_at = timezone.now()
    locked.save(update_fields=["answers", "steps_passed", "updated_at"])
    _route(locked, user)
    return locked


@transaction.atomic
def appeal_draft_text_save(*, appeal: Appeal, user, text: str, files=()) -> Appeal:
    """«Информация по обращению» kept on the draft: the text (within the topic's limit) and any new files."""
    locked = _draft_locked(appeal, user)
    text = (text or "").strip()
    if len(text) > locked.text_max_length:
        raise ValidationError(
            {
                "text": _("Не больше %(limit)s символов (сейчас %(count)s).")
                % {"limit": locked.text_max_length, "count": len(text)}
            }
        )
    files = [file for file in files or () if file]
    if files and not locked.attachments_allowed:
        raise ValidationError({"files": _("По этой теме файлы не прикладываются.")})
    if files:
        try:
            _files_store(appeal=locked, files=files, user=user, already=locked.files.filter(message=None).count())
        except ValidationError as error:
            raise ValidationError({"files": error.messages}) from None
    locked.text = text
    locked.updated_at = timezone.now()
    locked.save(update_fields=["text", "updated_at"])
    return locked


@transaction.atomic
def appeal_draft_file_remove(*, appeal: Appeal, user, file_id: int) -> None:
    """«Корзина» beside a file chosen for the draft."""
    locked = _draft_locked(appeal, user)
    stored = locked.files.filter(pk=file_id, message=None).first()
    if stored is None:
        raise PermissionDenied
    stored.file.delete(save=False)
    stored.delete()


@transaction.atomic
def appeal_draft_save(*, appeal: Appeal, user) -> Appeal:
    """«Сохранить»: the draft goes to «Черновики» and may be continued for a month (seed 001 §8.3.1)."""
    locked = _draft_locked(appeal, user)
    if locked.steps_passed < 1:
        raise AppealRefused(_("Черновик сохраняется со второго шага."))
    now = timezone.now()
    locked.draft_expires_at = one_month_later(now)
    locked.updated_at = now
    locked.save(update_fields=["draft_expires_at", "updated_at"])
    return locked


def _delete_with_files(appeal: Appeal) -> None:
    for stored in appeal.files.all():
        stored.file.delete(save=False)
    appeal.delete()


@transaction.atomic
def appeal_draft_discard(*, appeal: Appeal, user) -> bool:
    """«Закрыть» without saving: a draft never saved is forgotten; a saved one stays as it was. True if deleted."""
    locked = _draft_locked(appeal, user)
    if locked.draft_expires_at is not None:
        return False
    _delete_with_files(locked)
    return True


@transaction.atomic
def appeal_draft_delete(*, appeal: Appeal, user) -> None:
    """«Удалить» on a tile of «Черновики»."""
    _delete_with_files(_draft_locked(appeal, user))


def _number_take(appeal: Appeal, now) -> None:
    """The next number of the year, under a lock on the year's counter: no gaps, no doubles (F-G4)."""
    year = timezone.localdate(now).year
    AppealCounter.objects.bulk_create([AppealCounter(year=year, last=0)], ignore_conflicts=True)
    counter = AppealCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    region = AppealSettings.load().region_code
    appeal.year, appeal.sequence = year, counter.last
    appeal.number = f"{counter.last:07d}-{year % 100:02d}-{region}-{appeal.person_type}"


def _submit(locked: Appeal, user, now, *, by=None) -> Appeal:
    if not has_transition_perm(locked.submit, user):
        if locked.user_id != user.pk:
            raise PermissionDenied
        raise ValidationError({"text": _("Заполните все шаги обращения и «Текст обращения».")})
    _number_take(locked, now)
    locked.submit(now=now)
    locked.updated_at = now
    locked.save()
    message = AppealMessage.objects.create(
        appeal=locked, author=user, from_staff=False, text=locked.text, created_at=now
    )
    locked.files.filter(message=None, purpose=AppealFile.Purpose.ATTACHMENT).update(message=message)
    transition_log_write(subject=locked, transition="submit", source=State.DRAFT, target=locked.state, by=by or user)
    _read(locked, user, now)
    notification_send(
        user=user,
        kind=Notification.Kind.APPEAL,
        title=_("Обращение № %(number)s отправлено") % {"number": locked.number},
        body=_("Тема: %(topic)s. Срок ответа — до %(due)s.")
        % {"topic": locked.topic_path, "due": timezone.localtime(locked.due_at).strftime("%d.%m.%Y")},
        url=appeal_url(locked),
        account=locked.account,
        contract=locked.contract,
    )
    return locked


@transaction.atomic
def appeal_submit(*, appeal: Appeal, user, text: str, files=()) -> Appeal:
    """«Отправить»: the draft becomes «Новая» with its number; «Обращение успешно отправлено».

    A topic signed by a simple electronic signature goes through `appeals_signing.appeal_submit_sign` instead.
    """
    locked = appeal_draft_text_save(appeal=appeal, user=user, text=text, files=files)
    if not locked.text:
        raise ValidationError({"text": _("Заполните поле")})
    if locked.signature_required:
        raise AppealRefused(_("Это обращение подписывается: нажмите «Подписать и отправить»."))
    return _submit(locked, user, timezone.now())


# --- The customer after submission --------------------------------------------------------------------------------


def _visible_locked(appeal: Appeal, user) -> Appeal:
    reach_forget(user)
    return appeal_get_for(user=user, pk=appeal.pk, select_for_update=True)


def _read(appeal: Appeal, user, now) -> None:
    AppealRead.objects.bulk_create(
        [AppealRead(user=user, appeal=appeal, read_at=now)],
        update_conflicts=True,
        unique_fields=["user", "appeal"],
        update_fields=["read_at"],
    )


def appeal_mark_read(*, appeal: Appeal, user) -> None:
    """The customer opened the card: the company's messages up to now are read (the unread mark goes)."""
    _read(appeal, user, timezone.now())


def _message_text(text: str) -> str:
    text = (text or "").strip()
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {
                "text": _("Не больше %(limit)s символов (сейчас %(count)s).")
                % {"limit": MESSAGE_MAX_LENGTH, "count": len(text)}
            }
        )
    return text


@transaction.atomic
def appeal_reply(*, appeal: Appeal, user, text: str, files=()) -> AppealMessage:
    """The customer's message («Вы»). Refused on a closed appeal and where the topic forbids correspondence; a
    reply to a question of the company starts its clock again."""
    locked = _visible_locked(appeal, user)
    if locked.is_finished:
        raise AppealRefused(_("Обращение закрыто: отвечать на него нельзя."))
    if locked.state == State.DRAFT:
        raise AppealRefused(_("Обращение ещё не отправлено."))
    if not locked.correspondence_allowed:
        raise AppealRefused(_("По данному обращению переписка недоступна"))
    text, files = _message_text(text), [file for file in files or () if file]
    if not text and not files:
        raise ValidationError({"text": _("Напишите сообщение или приложите файл.")})
    now = timezone.now()
    message = AppealMessage.objects.create(appeal=locked, author=user, text=text, created_at=now)
    try:
        _files_store(appeal=locked, files=files, user=user, message=message)
    except ValidationError as error:
        raise ValidationError({"files": error.messages}) from None
    _customer_acted(locked, now)
    locked.save()
    _read(locked, user, now)
    return message


def _customer_acted(locked: Appeal, now) -> None:
    """A message or a decision of the customer: the desk sees it, and a clock paused for the customer runs again."""
    locked.last_message_at = locked.last_customer_message_at = locked.updated_at = now
    if locked.state in Appeal.STAFF_OPEN:
        locked.sla_resume(now)


@transaction.atomic
def appeal_close(*, appeal: Appeal, by, seen_state=None) -> Appeal:
    """«Закрыть обращение» after «Выполнена»: by the customer, or by a clerk."""
    customer = not by.has_perm(WORK)
    locked = _visible_locked(appeal, by) if customer else Appeal.objects.select_for_update().get(pk=appeal.pk)
    if (seen_state and locked.state != seen_state) or not can_proceed(locked.close):
        raise AppealRefused(_("Обращение уже закрыто или снова в работе. Обновите страницу."))
    if not has_transition_perm(locked.close, by):
        raise PermissionDenied
    now = timezone.now()
    source = locked.state
    locked.close(by=by, now=now)
    locked.updated_at = now
    locked.save()
    transition_log_write(subject=locked, transition="close", source=source, target=locked.state, by=by)
    if not customer:
        _tell(locked, _("Обращение № %(number)s закрыто"), "")
    return locked


@transaction.atomic
def appeal_reopen(*, appeal: Appeal, user, comment: str) -> Appeal:
    """«Возобновить»: not satisfied with the answer, within the set time after «Выполнена» (F-G4)."""
    locked = _visible_locked(appeal, user)
    comment = _message_text(comment)
    if not comment:
        raise ValidationError({"comment": _("Напишите, что осталось нерешённым.")})
    if locked.state not in (State.RESOLVED, State.CLOSED):
        raise AppealRefused(_("Обращение уже в работе. Обновите страницу."))
    if not can_proceed(locked.reopen):
        raise AppealRefused(_("Срок, в который обращение можно возобновить, прошёл. Создайте новое обращение."))
    if not has_transition_perm(locked.reopen, user):
        raise PermissionDenied
    now = timezone.now()
    source = locked.state
    locked.reopen(by=user, now=now)
    AppealMessage.objects.create(appeal=locked, author=user, text=comment, created_at=now)
    locked.last_message_at = locked.last_customer_message_at = locked.updated_at = now
    locked.save()
    transition_log_write(
        subject=locked, transition="reopen", source=source, target=locked.state, by=user, comment=comment
    )
    return locked


@transaction.atomic
def appeal_rate(*, appeal: Appeal, user, rating: int, comment: str = "") -> Appeal:
    """«Оцените решение»: once, after «Выполнена» (F-G7)."""
    locked = _visible_locked(appeal, user)
    if locked.state not in (State.RESOLVED, State.CLOSED):
        raise AppealRefused(_("Оценить можно выполненное обращение."))
    if locked.rated_at is not None:
        raise AppealRefused(_("Вы уже оценили решение по этому обращению."))
    if rating not in range(1, 6):
        raise ValidationError({"rating": _("Выберите оценку от 1 до 5.")})
    locked.rating, locked.rating_comment, locked.rated_at = rating, (comment or "").strip()[:1000], timezone.now()
    locked.save(update_fields=["rating", "rating_comment", "rated_at"])
    transition_log_write(
        subject=locked, transition="rate", source=locked.state, target=locked.state, by=user, comment=f"{rating}/5"
    )
    return locked


# --- The desk -----------------------------------------------------------------------------------------------------


def _tell(appeal: Appeal, title: str, body: str) -> None:
    notification_send(
        user=appeal.user,
        kind=Notification.Kind.APPEAL,
        title=title % {"number": appeal.number},
        body=body,
        url=appeal_url(appeal),
        account=appeal.account,
        contract=appeal.contract,
    )


def _staff_locked(appeal: Appeal, *, by, transition: str, seen_state) -> Appeal:
    locked = (
        Appeal.objects.select_for_update(of=("self",)).select_related("user", "account", "contract").get(pk=appeal.pk)
    )
    if not by.has_perm(WORK):
        raise PermissionDenied
    method = getattr(locked, transition)
    if locked.state != (seen_state or appeal.state) or not can_proceed(method, check_conditions=False):
        raise _taken_by_another()
    if not can_proceed(method):
        raise AppealRefused(GUARD_MESSAGES.get(transition, _("Сейчас этот шаг недоступен.")))
    if not has_transition_perm(method, by):
        raise PermissionDenied
    return locked


GUARD_MESSAGES = {
    "resolve": _("Клиент ещё не ответил на документы на подпись: отзовите запрос или дождитесь решения."),
}

# transition → (title for the customer, whether a comment is required, what it is for)
STAFF_STEPS = {
    "register": (_("Обращение № %(number)s принято"), False),
    "start": (_("По обращению № %(number)s начата работа"), False),
    "resolve": (_("Обращение № %(number)s выполнено"), True),
    "reject": (_("Обращение № %(number)s отклонено"), True),
}
COMMENT_REQUIRED = {
    "resolve": _("Напишите ответ клиенту: он увидит его в обращении."),
    "reject": _("Укажите причину: её получит клиент."),
}


def _staff_step(*, appeal, by, transition: str, seen_state=None, comment: str = "") -> Appeal:
    title, needs_comment = STAFF_STEPS[transition]
    comment = _message_text(comment)
    if needs_comment and not comment:
        raise ValidationError({"comment": COMMENT_REQUIRED[transition]})
    locked = _staff_locked(appeal, by=by, transition=transition, seen_state=seen_state)
    now = timezone.now()
    source = locked.state
    kwargs = {"by": by, "now": now}
    if transition == "resolve":
        kwargs["reopen_days"] = AppealSettings.load().reopen_days
    getattr(locked, transition)(**kwargs)
    if comment:
        AppealMessage.objects.create(appeal=locked, author=by, from_staff=True, text=comment, created_at=now)
        locked.last_message_at = locked.last_staff_message_at = now
    locked.updated_at = locked.staff_read_at = now
    try:
        locked.save()
    except ConcurrentTransition:
        raise _taken_by_another() from None
    transition_log_write(
        subject=locked, transition=transition, source=source, target=locked.state, by=by, comment=comment
    )
    body = comment
    if transition == "resolve":
        body = f"{comment}\n\n" + _(
            "Оцените решение в карточке обращения. Если вопрос не решён, возобновите обращение."
        )
    _tell(locked, title, body)
    return locked


@transaction.atomic
def appeal_register(*, appeal, by, seen_state=None, comment: str = "") -> Appeal:
    """«Зарегистрировать»: the company accepted the appeal; the customer sees «Принято»."""
    return _staff_step(appeal=appeal, by=by, transition="register", seen_state=seen_state, comment=comment)


@transaction.atomic
def appeal_start(*, appeal, by, seen_state=None, comment: str = "") -> Appeal:
    """«Взять в работу»: «Решается»."""
    return _staff_step(appeal=appeal, by=by, transition="start", seen_state=seen_state, comment=comment)


@transaction.atomic
def appeal_resolve(*, appeal, by, seen_state=None, comment: str = "") -> Appeal:
    """«Выполнено», with the answer; the customer may rate it, close it or reopen it within the set days."""
    return _staff_step(appeal=appeal, by=by, transition="resolve", seen_state=seen_state, comment=comment)


@transaction.atomic
def appeal_reject(*, appeal, by, seen_state=None, comment: str = "") -> Appeal:
    """«Отклонить», with the reason the customer reads."""
    return _staff_step(appeal=appeal, by=by, transition="reject", seen_state=seen_state, comment=comment)


STAFF_TRANSITIONS = {
    "register": appeal_register,
    "start": appeal_start,
    "resolve": appeal_resolve,
    "reject": appeal_reject,
}


@transaction.atomic
def appeal_assign(*, appeal, by, assignee, seen_assignee_id=None) -> Appeal:
    """«Назначить»: any clerk with the right to assign; «Взять себе» for anyone who works appeals."""
    if assignee is not None and not (assignee.is_active and assignee.is_staff and assignee.has_perm(WORK)):
        raise ValidationError({"assignee": _("Этот сотрудник не работает с обращениями.")})
    if not (by.has_perm(ASSIGN) or (by.has_perm(WORK) and assignee is not None and assignee.pk == by.pk)):
        raise PermissionDenied
    locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if locked.state not in Appeal.OPEN:
        raise AppealRefused(_("Обращение закрыто: исполнителя не меняют."))
    expected = seen_assignee_id if seen_assignee_id is not None else appeal.assignee_id
    if (locked.assignee_id or 0) != (expected or 0):
        raise AppealRefused(_("Исполнителя уже сменил другой сотрудник. Обновите страницу."))
    locked.assignee = assignee
    locked.updated_at = timezone.now()
    locked.save(update_fields=["assignee", "updated_at"])
    label = (assignee.get_full_name() or assignee.email) if assignee else _("не назначен")
    transition_log_write(
        subject=locked, transition="assign", source=locked.state, target=locked.state, by=by, comment=label
    )
    return locked


@transaction.atomic
def appeal_answer(*, appeal, by, text: str, files=(), ask_customer: bool = False) -> AppealMessage:
    """The company's message («Администратор»), with files; «Ждать ответа клиента» stops the SLA clock."""
    if not by.has_perm(WORK):
        raise PermissionDenied
    locked = (
        Appeal.objects.select_for_update(of=("self",)).select_related("user", "account", "contract").get(pk=appeal.pk)
    )
    if locked.is_finished or locked.state == State.DRAFT:
        raise AppealRefused(_("Обращение закрыто: сообщения в него не добавляют."))
    text, files = _message_text(text), [file for file in files or () if file]
    if not text:
        raise ValidationError({"text": _("Напишите сообщение клиенту.")})
    now = timezone.now()
    message = AppealMessage.objects.create(
        appeal=locked, author=by, from_staff=True, text=text, asks_customer=ask_customer, created_at=now
    )
    try:
        _files_store(appeal=locked, files=files, user=by, message=message)
    except ValidationError as error:
        raise ValidationError({"files": error.messages}) from None
    locked.last_message_at = locked.last_staff_message_at = locked.updated_at = locked.staff_read_at = now
    if ask_customer and locked.state in Appeal.STAFF_OPEN:
        locked.sla_pause(now)
    locked.save()
    _tell(locked, _("Ответ по обращению № %(number)s"), text[:300])
    return message


@transaction.atomic
def appeal_note_add(*, appeal, by, text: str) -> AppealNote:
    """An internal note: for colleagues only, never shown in the portal."""
    if not by.has_perm(WORK):
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Напишите заметку.")})
    if len(text) > 4000:
        raise ValidationError({"text": _("Не больше 4000 символов.")})
    return AppealNote.objects.create(appeal=appeal, author=by, text=text)


def appeal_staff_mark_read(*, appeal: Appeal, by) -> None:
    """A clerk opened the appeal: the customer's replies up to now are seen by the desk."""
    Appeal.objects.filter(pk=appeal.pk).update(staff_read_at=timezone.now())


def appeals_bulk(*, ids, by, action: str, comment: str = "", assignee=None) -> dict[str, list]:
    """One step on many appeals from the queue, each in its own transaction (one refusal stops none of the
    others). Returns {"done": [numbers], "refused": [(number, reason)]}."""
    done, refused = [], []
    for appeal in Appeal.objects.filter(pk__in=ids).order_by("pk"):
        try:
            if action == "assign":
                appeal_assign(appeal=appeal, by=by, assignee=assignee)
            else:
                STAFF_TRANSITIONS[action](appeal=appeal, by=by, seen_state=appeal.state, comment=comment)
        except (AppealRefused, ValidationError, PermissionDenied) as error:
            reason = error.messages[0] if isinstance(error, ValidationError) else str(error) or _("нет права")
            refused.append((appeal.number, reason))
        else:
            done.append(appeal.number)
    return {"done": done, "refused": refused}


# --- Beat jobs ----------------------------------------------------------------------------------------------------


def appeal_drafts_purge(*, now=None) -> int:
    """Delete drafts past «Дата окончания действия черновика» and wizards left unsaved for a day; forget failed
    signings that expired (the appeal stays open). Returns how many drafts were deleted."""
    now = now or timezone.now()
    stale = Appeal.objects.filter(state=State.DRAFT).filter(
        Q(draft_expires_at__lte=now)
        | Q(draft_expires_at__isnull=True, updated_at__lt=now - datetime.timedelta(hours=UNSAVED_DRAFT_HOURS))
    )
    deleted = 0
    for pk in list(stale.values_list("pk", flat=True)[:5000]):
        with transaction.atomic():
            draft = Appeal.objects.select_for_update().filter(pk=pk, state=State.DRAFT).first()
            if draft is not None:
                _delete_with_files(draft)
                deleted += 1
    Appeal.objects.exclude(state=State.DRAFT).filter(draft_expires_at__lte=now).update(draft_expires_at=None)
    SignatureRequest.objects.filter(draft_expires_at__lte=now).update(draft_expires_at=None)
    return deleted


def appeals_close_resolved(*, now=None) -> int:
    """Close «Выполнена» appeals whose reopening window passed; the customer is told. Returns how many."""
    now = now or timezone.now()
    closed = 0
    ids = list(Appeal.objects.filter(state=State.RESOLVED, reopen_until__lt=now).values_list("pk", flat=True)[:5000])
    for pk in ids:
        with transaction.atomic():
            locked = (
                Appeal.objects.select_for_update(of=("self",))
                .select_related("user")
                .filter(pk=pk, state=State.RESOLVED)
                .first()
            )
            if locked is None or locked.reopen_until is None or locked.reopen_until >= now:
                continue
            locked.close(by=None, now=now)
            locked.updated_at = now
            locked.save()
            transition_log_write(
                subject=locked,
                transition="close",
                source=State.RESOLVED,
                target=locked.state,
                comment=_("Закрыто автоматически: срок возобновления истёк."),
            )
            _tell(locked, _("Обращение № %(number)s закрыто"), _("Срок, в который его можно было возобновить, истёк."))
            closed += 1
    return closed


# --- Staff on a customer's behalf ---------------------------------------------------------------------------------


@transaction.atomic
def appeal_open_on_behalf(
    *,
    by,
    user,
    topic: AppealTopic,
    text: str,
    contract: Contract | None = None,
    account: PersonalAccount | None = None,
    customer=None,
) -> Appeal:
    """«Создать обращение от имени клиента» (the customer's card): a clerk files what the customer said on the phone
    or at the office. The appeal is the customer's (`user` is its author and sees it in the portal, on a contract or
    ЛС of their cabinet) and goes straight to «Новая» with its number; the log and the audit trail name the clerk.

    Only topics without steps of their own and without a signature can be filed so: the rest the customer fills in.
    `customer` names whose card shows the audit entry when the appeal has no contract or ЛС.
    """
    from backoffice.models.audit import AuditAction  # the audit trail is written here only
    from backoffice.services.audit import audit_record

    if not by.has_perm(WORK):
        raise PermissionDenied
    rules = _leaf_rules(topic)
    if rules.handover or rules.steps or rules.signature_required:
        raise ValidationError(
            {"topic": _("По этой теме обращение заполняет сам клиент в личном кабинете: выберите другую тему.")}
        )
    try:
        appeal = appeal_classify(user=user, topic=topic, contract=contract, account=account)
    except PermissionDenied:
        raise ValidationError({"owner": _("Этого договора или лицевого счёта нет в кабинете клиента.")}) from None
    locked = appeal_draft_text_save(appeal=appeal, user=user, text=text)
    if not locked.text:
        raise ValidationError({"text": _("Заполните поле")})
    _submit(locked, user, timezone.now(), by=by)
    owner = locked.contract or locked.account
    audit_record(
        actor=by,
        action=AuditAction.STAFF_ACTION,
        summary=_("Обращение № %(number)s создано от имени клиента %(user)s")
        % {"number": locked.number, "user": user.get_full_name() or user.email},
        subject=locked,
        customer=owner.customer_id if owner is not None else customer,
        changes={"topic": locked.topic_path, "author": user.email},
    )
    return locked
