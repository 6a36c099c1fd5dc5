"""Portal users and the one-time codes that confirm what they do."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase
from phonenumber_field.modelfields import PhoneNumberField


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **fields):
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=email.strip().lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude={"password"})
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)

    def get_by_natural_key(self, email):
        # Migrated cabinets may share one e-mail (see User.Meta); the cabinet without an old login wins.
        return self.filter(email__iexact=email).order_by("login").first() or self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a customer, a clerk or an editor.

    The e-mail is the login. `login` keeps the user name of a cabinet migrated
    from an older system (seed 001 §2.3), so such users can still sign in with it.
    """

    # Stored in lower case (see save), so a plain unique index is case-insensitive too. Unique except
    # among cabinets migrated from the older system, where one e-mail often served several logins
    # (seed 000 §2: the recovery letter lists them); registration refuses any e-mail already in use.
    email = models.EmailField(_("E-mail"), max_length=254)
    login = models.CharField(
        _("Логин"),
        max_length=150,
        blank=True,
        help_text=_("Логин из прежнего личного кабинета, если он был."),
    )
    phone = PhoneNumberField(_("Телефон"), blank=True)
    last_name = models.CharField(_("Фамилия"), max_length=150, blank=True)
    first_name = models.CharField(_("Имя"), max_length=150, blank=True)
    middle_name = models.CharField(_("Отчество"), max_length=150, blank=True)
    organisation = models.CharField(_("Организация"), max_length=255, blank=True)
    position = models.CharField(_("Должность"), max_length=255, blank=True)
    address = models.CharField(_("Адрес"), max_length=500, blank=True)
    email_confirmed_at = models.DateTimeField(_("E-mail подтверждён"), null=True, blank=True)
    pending_email = models.EmailField(
        _("Новый e-mail"), blank=True, help_text=_("Ждёт подтверждения кодом; до тех пор вход по прежнему e-mail.")
    )
    agreement_accepted_at = models.DateTimeField(_("Соглашение принято"), null=True, blank=True)
    advertising_consent = models.BooleanField(_("Согласие на рекламные рассылки"), default=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Зарегистрировал сотрудник"),
    )
    anonymised_at = models.DateTimeField(_("Аккаунт удалён"), null=True, blank=True)
    confirm_new_devices = models.BooleanField(
        _("Подтверждать вход с нового устройства"),
        default=False,
        help_text=_("При входе из незнакомого браузера запрашивать код, отправленный на e-mail."),
    )
    phone_confirmed_at = models.DateTimeField(_("Телефон подтверждён"), null=True, blank=True)
    is_staff = models.BooleanField(
        _("Сотрудник"), default=False, help_text=_("Может входить в административную часть.")
    )
    is_active = models.BooleanField(_("Активен"), default=True)
    date_joined = models.DateTimeField(_("Дата регистрации"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        ordering = ["email"]
        # Staff help customers («Пользователи портала», F-A7) with this right, not with add/change_user:
        # those open Wagtail's own user management, where groups (and so admin rights) are granted.
        permissions = [("assist_customer", _("Может помогать клиентам портала: регистрировать, привязывать ЛС"))]
        constraints = [
            models.UniqueConstraint(Lower("login"), condition=~models.Q(login=""), name="user_login_unique_ci"),
            models.UniqueConstraint(
                "email",
                condition=models.Q(login=""),
                name="user_email_unique_unless_legacy",
                violation_error_message=_("Пользователь с таким e-mail уже зарегистрирован."),
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def get_full_name(self):
        return " ".join(part for part in (self.last_name, self.first_name, self.middle_name) if part)

    def get_short_name(self):
        return self.first_name or self.email

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def phone_confirmed(self) -> bool:
        return self.phone_confirmed_at is not None

    @property
    def is_introduced(self) -> bool:
        """«Давайте познакомимся» is filled: the required Фамилия, Имя and Телефон are known (F-A3)."""
        return bool(self.last_name and self.first_name and self.phone)


class UserSession(models.Model):
    """A signed-in browser, for the «Сессии» tab (F-A6): the session store keeps the session itself."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="portal_sessions",
        verbose_name=_("пользователь"),
    )
    session_key = models.CharField(_("ключ сессии"), max_length=40, unique=True)
    user_agent = models.CharField(_("браузер (User-Agent)"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)
    created_at = models.DateTimeField(_("вход"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("последняя активность"), default=timezone.now)

    class Meta:
        verbose_name = _("сессия")
        verbose_name_plural = _("сессии")
        ordering = ["-last_seen_at"]

    def __str__(self):
        return f"{self.user} · {self.created_at:%d.%m.%Y}"


class KnownDevice(models.Model):
    """A browser the user has confirmed by code, remembered by a long-lived cookie (seed 001 §13.1.6)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="known_devices", verbose_name=_("пользователь")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    user_agent = models.CharField(_("браузер (User-Agent)"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("подтверждено"), default=timezone.now)
    last_used_at = models.DateTimeField(_("последний вход"), default=timezone.now)

    class Meta:
        verbose_name = _("доверенное устройство")
        verbose_name_plural = _("доверенные устройства")

    def __str__(self):
        return f"{self.user} · {self.user_agent[:40]}"


class AccountLink(models.Model):
    """A household user's access to a personal account (ЛС): the truth the portal's permissions derive from."""

    class Relation(models.TextChoices):
        # «Статус отношения к ЛС» (seed 004 §4.1)
        OWNER = "owner", _("Собственник")
        TENANT = "tenant", _("Наниматель")
        REGISTERED = "registered", _("Зарегистрированный")
        RESIDES = "resides", _("Проживает")
        OTHER = "other", _("Другое")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_links", verbose_name=_("пользователь")
    )
    account = models.ForeignKey(
        "backoffice.PersonalAccount",
        on_delete=models.PROTECT,
        related_name="user_links",
        verbose_name=_("лицевой счёт"),
    )
    relation = models.CharField(
        _("Статус отношения к ЛС"), max_length=16, choices=Relation.choices, default=Relation.OWNER
    )
    paperless = models.BooleanField(_("Счета только по e-mail"), default=False)
    group = models.CharField(_("Группа"), max_length=100, blank=True)
    note = models.CharField(_("Заметка"), max_length=255, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Привязал сотрудник"),
    )
    created_at = models.DateTimeField(_("привязан"), default=timezone.now)

    class Meta:
        verbose_name = _("привязка лицевого счёта")
        verbose_name_plural = _("привязки лицевых счетов")
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "account"], name="account_link_once_per_user")]

    def __str__(self):
        return f"{self.user} → {self.account}"


class OneTimeCode(models.Model):
    """A short code sent by e-mail or SMS to prove control of an address.

    Only a keyed hash of the code is stored; a code is spent on first use and
    dies after a few wrong tries (ONE_TIME_CODE_MAX_ATTEMPTS).
    """

    class Purpose(models.TextChoices):
        EMAIL_CONFIRMATION = "email_confirmation", _("Подтверждение e-mail")
        PASSWORD_RESET = "password_reset", _("Восстановление пароля")
        PHONE_CONFIRMATION = "phone_confirmation", _("Подтверждение телефона")
        NEW_DEVICE = "new_device", _("Вход с нового устройства")
        SIGNATURE = "signature", _("Подписание документов")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="one_time_codes",
        verbose_name=_("пользователь"),
    )
    purpose = models.CharField(_("назначение"), max_length=32, choices=Purpose.choices)
    sent_to = models.CharField(_("куда отправлен"), max_length=254)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("создан"), default=timezone.now)
    expires_at = models.DateTimeField(_("действует до"))
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    used_at = models.DateTimeField(_("использован"), null=True, blank=True)

    class Meta:
        verbose_name = _("одноразовый код")
        verbose_name_plural = _("одноразовые коды")
        indexes = [
            models.Index(fields=["user", "purpose", "-created_at"]),
            models.Index(fields=["expires_at"]),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} → {self.sent_to}"

    def is_usable(self, *, now=None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and self.expires_at > now and self.attempts < settings.ONE_TIME_CODE_MAX_ATTEMPTS


class ContractRole(models.Model):
    """A legal-entity user's role on a contract (F-B3): the truth the portal's permissions are derived from.

    One role per user and contract, at most one Администратор per contract (seed 001 §13.2.1); both are
    enforced by the database. Empty `energy_objects` means the whole contract.
    """

    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", _("Администратор")
        HEAD = "head", _("Руководитель")
        ENERGETIC = "energetic", _("Энергетик")
        ACCOUNTANT = "accountant", _("Бухгалтер")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="contract_roles",
        verbose_name=_("пользователь"),
    )
    contract = models.ForeignKey(
        "backoffice.Contract", on_delete=models.CASCADE, related_name="user_roles", verbose_name=_("договор")
    )
    role = models.CharField(_("роль"), max_length=16, choices=Role.choices)
    energy_objects = models.ManyToManyField(
        "backoffice.EnergyObject",
        blank=True,
        related_name="+",
        verbose_name=_("энергообъекты"),
        help_text=_("Если не выбраны, роль действует на все энергообъекты договора."),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("назначил"),
    )
    created_at = models.DateTimeField(_("назначена"), default=timezone.now)

    class Meta:
        verbose_name = _("роль по договору")
        verbose_name_plural = _("роли по договорам")
        ordering = ["contract", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "contract"],
                name="contract_role_once_per_user",
                violation_error_message=_("У пользователя уже есть роль по этому договору."),
            ),
            models.UniqueConstraint(
                fields=["contract"],
                condition=models.Q(role="administrator"),
                name="contract_one_administrator",
                violation_error_message=_("У договора уже есть администратор."),
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.contract} · {self.get_role_display()}"


class ContractBinding(models.Model):
    """«Добавить договор» waiting for the link sent to one of the contract's e-mails (F-B2).

    Only a hash of the link's token is kept. An unconfirmed binding is removed after
    CONTRACT_BINDING_TTL (24 hours) by a beat job.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="contract_bindings",
        verbose_name=_("пользователь"),
    )
    contract = models.ForeignKey(
        "backoffice.Contract", on_delete=models.CASCADE, related_name="+", verbose_name=_("договор")
    )
    email = models.EmailField(_("e-mail договора"))
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("добавлен"), default=timezone.now)
    expires_at = models.DateTimeField(_("действует до"))

    class Meta:
        verbose_name = _("неподтверждённая привязка договора")
        verbose_name_plural = _("неподтверждённые привязки договоров")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "contract"], name="contract_binding_once_per_user")]
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self):
        return f"{self.user} → {self.contract} ({self.email})"


# django-guardian's object permissions with direct foreign keys: a join on an indexed integer instead of the
# generic (content type, text id) pair, which is what keeps the selectors fast with millions of rows.
# Guardian finds each by its reverse relation on the object's model, so the foreign keys keep theirs.
class ContractPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("backoffice.Contract", on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("право по договору")
        verbose_name_plural = _("права по договорам")


class EnergyObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("backoffice.EnergyObject", on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("право по энергообъекту")
        verbose_name_plural = _("права по энергообъектам")


class AccountPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("backoffice.PersonalAccount", on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("право по лицевому счёту")
        verbose_name_plural = _("права по лицевым счетам")
