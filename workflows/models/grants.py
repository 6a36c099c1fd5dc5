"""The Администратор grant (F-B5; seed 001 §13.2.1.3): a contract's user asks for the role, staff decide.

Новая → (Запрошены документы ⇄ Новая) → Роль выдана | Отказано; Роль выдана → Роль отозвана.
Staff ask for documents (a power of attorney) through the request's messages; the customer answers with a
file, which puts the request back in the queue. `ConcurrentTransitionMixin` refuses to save a request whose
state changed since it was read, so two clerks deciding at once cannot both win.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from backoffice.storage import private_storage

DECIDE = "workflows.decide_administratorrequest"


def attachment_path(instance, filename: str) -> str:
    """A folder of its own for every file, so it keeps the name the customer gave it."""
    return f"access-requests/{timezone.now():%Y}/{uuid.uuid4().hex}/{filename}"


class AdministratorRequest(ConcurrentTransitionMixin, models.Model):
    class State(models.TextChoices):
        NEW = "new", _("Новая")
        WAITING = "waiting", _("Запрошены документы")
        GRANTED = "granted", _("Роль выдана")
        REFUSED = "refused", _("Отказано")
        REVOKED = "revoked", _("Роль отозвана")

    OPEN = (State.NEW, State.WAITING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="administrator_requests",
        verbose_name=_("пользователь"),
    )
    contract = models.ForeignKey(
        "backoffice.Contract",
        on_delete=models.CASCADE,
        related_name="administrator_requests",
        verbose_name=_("договор"),
    )
    text = models.TextField(_("Текст обращения"), max_length=2000)
    state = FSMField(_("статус"), default=State.NEW, choices=State.choices, protected=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("решение принял"),
    )
    decided_at = models.DateTimeField(_("дата решения"), null=True, blank=True)
    created_at = models.DateTimeField(_("создан"), default=timezone.now)
    updated_at = models.DateTimeField(_("изменён"), default=timezone.now)

    class Meta:
        verbose_name = _("запрос роли «Администратор»")
        verbose_name_plural = _("запросы роли «Администратор»")
        ordering = ["-created_at"]
        permissions = [("decide_administratorrequest", _("Может выдавать и отзывать роль «Администратор»"))]
        indexes = [models.Index(fields=["state", "updated_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "contract"],
                condition=models.Q(state__in=["new", "waiting"]),
                name="administrator_request_open_once",
            ),
        ]

    def __str__(self):
        return _("Запрос роли «Администратор» по договору № %(number)s") % {"number": self.contract.number}

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN

    def _decided(self, by):
        self.decided_by, self.decided_at = by, timezone.now()

    @transition(field=state, source=State.NEW, target=State.WAITING, permission=DECIDE)
    def ask_documents(self, *, by):
        """«Запросить документы»: the clerk's message tells what is needed."""

    @transition(field=state, source=State.WAITING, target=State.NEW)
    def documents_sent(self):
        """The customer answered: the request is back in the queue."""

    @transition(field=state, source=OPEN, target=State.GRANTED, permission=DECIDE)
    def grant(self, *, by):
        self._decided(by)

    @transition(field=state, source=OPEN, target=State.REFUSED, permission=DECIDE)
    def refuse(self, *, by):
        self._decided(by)

    @transition(field=state, source=State.GRANTED, target=State.REVOKED, permission=DECIDE)
    def revoke(self, *, by):
        self._decided(by)


class AdministratorRequestMessage(models.Model):
    """One message of the request's dialog: the customer's «Вы» or the company's «Администратор»."""

    request = models.ForeignKey(
        AdministratorRequest, on_delete=models.CASCADE, related_name="messages", verbose_name=_("запрос")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("автор")
    )
    from_staff = models.BooleanField(_("от сотрудника"), default=False)
    text = models.TextField(_("сообщение"), max_length=4000)
    file = models.FileField(_("файл"), storage=private_storage, upload_to=attachment_path, max_length=255, blank=True)
    created_at = models.DateTimeField(_("отправлено"), default=timezone.now)

    class Meta:
        verbose_name = _("сообщение по запросу роли")
        verbose_name_plural = _("сообщения по запросам роли")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:60]

    @property
    def file_name(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""
