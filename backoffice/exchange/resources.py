"""What each exchange file holds: one django-import-export `ModelResource` per kind of data.

A resource is the only declaration of its columns (Russian headers, widgets, natural key), so the
export writes exactly what the import reads. It also carries the rules the engine checks before
anything is stored: `model_clean` runs the model's own `clean()` on every row (the reading's
capacity and zones, the ЭО code prefix) with prefetched related objects, so no query per row;
`check_instance` repeats the database constraints that would otherwise fail the whole transaction
without saying which row; `check_entries` sees all rows at once (tariff periods).
"""

from collections import defaultdict
from collections.abc import Iterable
from functools import cache

from django.db.models import signals
from django.db.models.base import ModelState
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _lazy
from import_export import resources
from import_export.fields import Field

from ..models import (
    Branch,
    Contract,
    ContractEmail,
    Curator,
    Customer,
    CustomerGroup,
    Document,
    EnergyObject,
    Meter,
    MeteringPoint,
    Payment,
    PersonalAccount,
    Reading,
    Tariff,
)
from ..models.choices import (
    CookerType,
    CustomerKind,
    DocumentType,
    MeterStatus,
    PaymentChannel,
    PaymentStatus,
    PriceCategory,
    Quantity,
    ReadingKind,
    ReadingSource,
    ReadingStatus,
    SalesKind,
    Zone,
    ZoneSet,
)
from ..selectors import tariffs_cache_forget
from .widgets import (
    BooleanWidget,
    ChoiceListWidget,
    ChoiceWidget,
    DateWidget,
    DecimalWidget,
    EmailWidget,
    IntegerWidget,
    PhoneWidget,
    ReferenceWidget,
    TextWidget,
)


class Column(Field):
    """A column of an exchange file.

    `required`: the cell may not be blank (None: the model decides — a field without `blank` or a
    default). `optional`: the header may be missing; new rows then get the model default and existing
    rows keep their value. `readonly` columns are exported and read by a companion reference only.
    """

    def __init__(self, attribute, column_name, widget, *, required=None, optional=False, readonly=False):
        super().__init__(attribute=attribute, column_name=column_name, widget=widget, readonly=readonly)
        self.required = required
        self.optional = optional


# --- References by natural key ------------------------------------------------------------------


def group_ref():
    not_found = _lazy("Группа потребителей с кодом «%(key)s» не найдена.")
    return ReferenceWidget(CustomerGroup, ("code",), not_found=not_found)


def branch_ref():
    return ReferenceWidget(Branch, ("name",), not_found=_lazy("Отделение «%(key)s» не найдено."))


def contract_ref():
    return ReferenceWidget(Contract, ("number",), not_found=_lazy("Договор № %(key)s не найден."))


def account_ref():
    return ReferenceWidget(PersonalAccount, ("number",), not_found=_lazy("Лицевой счёт %(key)s не найден."))


def energy_object_ref():
    return ReferenceWidget(
        EnergyObject, ("code",), not_found=_lazy("Энергообъект %(key)s не найден."), select_related=("contract",)
    )


def meter_ref():
    return ReferenceWidget(Meter, ("serial",), not_found=_lazy("Прибор учёта № %(key)s не найден."))


def organisation_ref(kpp_column: str):
    return ReferenceWidget(
        Customer,
        ("inn", "kpp"),
        companions=(kpp_column,),
        not_found=_lazy("Организация с ИНН/КПП %(key)s не найдена."),
    )


def listened(model) -> bool:
    return signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)


@cache
def instance_template(model) -> tuple[dict, list]:
    """The defaults `Model.__init__` would set: constant ones once, callable ones (list, now) per instance."""
    constant, callables = {}, []
    for field in model._meta.concrete_fields:
        if field.has_default() and callable(field.default):
            callables.append(field)
        else:
            constant[field.attname] = field.get_default()
    return constant, callables


def blank_instance(model, **values):
    """A new, unsaved instance with the model's defaults, built without `Model.__init__`.

    An import builds one per row; `__init__` spends most of its time sending the init signals. When
    nobody listens to them for this model the result is the same object, several times faster.
    """
    if listened(model):
        return model(**values)
    constant, callables = instance_template(model)
    instance = model.__new__(model)
    instance._state = ModelState()
    instance.__dict__.update(constant)
    for field in callables:
        instance.__dict__[field.attname] = field.get_default()
    for name, value in values.items():
        setattr(instance, name, value)
    return instance


ACCOUNT_OR_CONTRACT = gettext_lazy("Укажите либо лицевой счёт, либо договор.")


class ExchangeResource(resources.ModelResource):
    """Shared behaviour; a subclass declares columns, `Meta.import_id_fields` (the natural key) and rules."""

    name = ""  # the slug in URLs, commands and ImportJob.resource
    title = ""  # the Russian name in the form
    model_clean = True  # run Model.clean() per row (it must not query: related objects are prefetched)
    related = ()  # select_related for export and for existing rows

    class Meta:
        skip_unchanged = True
        clean_model_instances = True
        use_bulk = False

    def init_instance(self, row=None):
        return blank_instance(self._meta.model)

    def export_queryset(self):
        return self._meta.model._default_manager.select_related(*self.related).order_by("pk")

    def existing_queryset(self):
        return self._meta.model._default_manager.select_related(*self.related)

    def columns(self) -> list[Column]:
        return self.get_export_fields()

    def key_fields(self) -> list[Column]:
        return [self.fields[name] for name in self._meta.import_id_fields]

    def check_instance(self, instance) -> Iterable[tuple[str, str]]:
        """(model field, message) for what `clean()` cannot say: database constraints, cheap extra rules."""
        return ()

    def check_entries(self, entries) -> Iterable[tuple[object, str, str]]:
        """(entry, model field, message) for rules over all rows together."""
        return ()

    def before_write(self, plan) -> None:
        """Store what the rows point at and does not exist yet (a household's customer)."""

    def after_write(self, plan) -> None:
        """Bring derived data up to date in the same transaction."""


def owner_columns():
    return (
        Column("account", "Номер ЛС", account_ref(), required=False),
        Column("contract", "Номер договора", contract_ref(), required=False),
    )


def check_one_owner(instance):
    if (instance.account_id is None) == (instance.contract_id is None):
        yield "account", str(ACCOUNT_OR_CONTRACT)


def refresh_balances(plan) -> None:
    """Debts and credits changed: recompute the saldo of the owners touched (F-D1)."""
    from ..services.balances import balances_refresh

    objects = [*plan.new, *plan.changed]
    account_ids = {obj.account_id for obj in objects if obj.account_id}
    contract_ids = {obj.contract_id for obj in objects if obj.contract_id}
    if account_ids or contract_ids:
        balances_refresh(account_ids=account_ids, contract_ids=contract_ids)


# --- Parties and accounts -----------------------------------------------------------------------


class CustomerResource(ExchangeResource):
    """Organisations, found by ИНН and КПП; households come with their accounts."""

    name = "customers"
    title = gettext_lazy("Клиенты (организации)")
    related = ("group",)

    inn = Column("inn", "ИНН", TextWidget(), required=True)
    kpp = Column("kpp", "КПП", TextWidget())
    full_name = Column("full_name", "Полное наименование", TextWidget(), required=True)
    short_name = Column("short_name", "Краткое наименование", TextWidget())
    group = Column("group", "Код группы потребителей", group_ref())
    ogrn = Column("ogrn", "ОГРН", TextWidget())
    okpo = Column("okpo", "ОКПО", TextWidget(), optional=True)
    legal_address = Column("legal_address", "Юридический адрес", TextWidget())
    postal_address = Column("postal_address", "Почтовый адрес", TextWidget(), optional=True)
    bank_name = Column("bank_name", "Банк", TextWidget(), optional=True)
    bik = Column("bik", "БИК", TextWidget(), optional=True)
    bank_account = Column("bank_account", "Расчётный счёт", TextWidget(), optional=True)
    correspondent_account = Column("correspondent_account", "Корреспондентский счёт", TextWidget(), optional=True)
    phone = Column("phone", "Телефон", PhoneWidget(), optional=True)
    email = Column("email", "E-mail", EmailWidget(), optional=True)

    class Meta:
        model = Customer
        fields = (
            "inn",
            "kpp",
            "full_name",
            "short_name",
            "group",
            "ogrn",
            "okpo",
            "legal_address",
            "postal_address",
            "bank_name",
            "bik",
            "bank_account",
            "correspondent_account",
            "phone",
            "email",
        )
        import_id_fields = ("inn", "kpp")

    def init_instance(self, row=None):
        return blank_instance(Customer, kind=CustomerKind.ORGANISATION)

    def export_queryset(self):
        return super().export_queryset().filter(kind=CustomerKind.ORGANISATION)

    def check_instance(self, instance):
        if instance.kind != CustomerKind.ORGANISATION:
            yield "inn", _("С этим ИНН в базе записано физическое лицо.")
        if instance.group.customer_kind != CustomerKind.ORGANISATION:
            yield "group", _("Эта группа потребителей — для физических лиц.")


class PersonalAccountResource(ExchangeResource):
    """Household accounts with their owner: a new number creates the account and its customer."""

    name = "accounts"
    title = gettext_lazy("Лицевые счета")
    related = ("customer", "customer__group", "branch")

    number = Column("number", "Номер ЛС", TextWidget())
    last_name = Column("customer__last_name", "Фамилия", TextWidget(), required=True)
    first_name = Column("customer__first_name", "Имя", TextWidget())
    middle_name = Column("customer__middle_name", "Отчество", TextWidget())
    group = Column("customer__group", "Код группы потребителей", group_ref(), required=True)
    address = Column("address", "Адрес", TextWidget())
    branch = Column("branch", "Отделение", branch_ref())
    supplier = Column("supplier", "Поставщик", TextWidget(), optional=True)
    total_area = Column("total_area", "Общая площадь, м²", DecimalWidget())
    living_area = Column("living_area", "Жилая площадь, м²", DecimalWidget())
    rooms = Column("rooms", "Комнат", IntegerWidget())
    residents = Column("residents", "Проживающих", IntegerWidget())
    registered = Column("registered", "Прописанных", IntegerWidget(), optional=True)
    cooker = Column("cooker", "Тип плиты", ChoiceWidget(CookerType))
    has_written_contract = Column("has_written_contract", "Письменный договор", BooleanWidget(), optional=True)
    opened_on = Column("opened_on", "Открыт", DateWidget(), optional=True)
    closed_on = Column("closed_on", "Закрыт", DateWidget(), optional=True)

    class Meta:
        model = PersonalAccount
        fields = (
            "number",
            "last_name",
            "first_name",
            "middle_name",
            "group",
            "address",
            "branch",
            "supplier",
            "total_area",
            "living_area",
            "rooms",
            "residents",
            "registered",
            "cooker",
            "has_written_contract",
            "opened_on",
            "closed_on",
        )
        import_id_fields = ("number",)

    def init_instance(self, row=None):
        account = blank_instance(PersonalAccount)
        account.customer = blank_instance(Customer, kind=CustomerKind.PERSON)  # stored first, by before_write
        return account

    def check_instance(self, instance):
        if instance.customer.kind != CustomerKind.PERSON:
            yield "customer__last_name", _("Владелец этого лицевого счёта — организация.")
        if instance.customer.group.customer_kind != CustomerKind.PERSON:
            yield "customer__group", _("Эта группа потребителей — для организаций.")

    def before_write(self, plan):
        customers = [account.customer for account in plan.new]
        Customer.objects.bulk_create(customers, batch_size=2000)
        for account in plan.new:
            account.customer = account.customer  # the customer has an id now: copy it to customer_id
        changed = [account.customer for account in plan.changed]
        fields = ["last_name", "first_name", "middle_name", "group"]
        Customer.objects.bulk_update(changed, fields, batch_size=2000)


class ContractResource(ExchangeResource):
    name = "contracts"
    title = gettext_lazy("Договоры")
    related = ("customer", "branch", "curator", "curator__branch")

    number = Column("number", "Номер договора", TextWidget())
    customer = Column("customer", "ИНН организации", organisation_ref("КПП организации"))
    customer_kpp = Column("customer__kpp", "КПП организации", TextWidget(), readonly=True, optional=True)
    signed_on = Column("signed_on", "Дата заключения", DateWidget())
    branch = Column("branch", "Отделение", branch_ref())
    curator = Column(
        "curator",
        "Куратор",
        ReferenceWidget(
            Curator,
            ("full_name", "branch__name"),
            companions=("Отделение",),
            not_found=_lazy("Куратор %(key)s не найден."),
            select_related=("branch",),
        ),
    )
    price_category = Column("price_category", "Ценовая категория", ChoiceWidget(PriceCategory))
    is_active = Column("is_active", "Действует", BooleanWidget())

    class Meta:
        model = Contract
        fields = (
            "number",
            "customer",
            "customer_kpp",
            "signed_on",
            "branch",
            "curator",
            "price_category",
            "is_active",
        )
        import_id_fields = ("number",)


class ContractEmailResource(ExchangeResource):
    """E-mails written in contracts (F-B2): binding a contract in the portal must name one of them."""

    name = "contract_emails"
    title = gettext_lazy("E-mail договоров")
    related = ("contract",)

    contract = Column("contract", "Номер договора", contract_ref())
    email = Column("email", "E-mail", EmailWidget())
    source = Column("source", "Где указан", ChoiceWidget(ContractEmail.Source))
    agreement = Column("agreement", "Соглашение", TextWidget())

    class Meta:
        model = ContractEmail
        fields = ("contract", "email", "source", "agreement")
        import_id_fields = ("contract", "email")


# --- Metering -----------------------------------------------------------------------------------


class EnergyObjectResource(ExchangeResource):
    name = "energy_objects"
    title = gettext_lazy("Энергообъекты")
    related = ("contract",)

    code = Column("code", "Код ЭО", TextWidget())
    contract = Column("contract", "Номер договора", contract_ref())
    object_name = Column("name", "Наименование ЭО", TextWidget())
    address = Column("address", "Адрес", TextWidget())
    status = Column("status", "Статус ЭО", ChoiceWidget(EnergyObject.Status))

    class Meta:
        model = EnergyObject
        fields = ("code", "contract", "object_name", "address", "status")
        import_id_fields = ("code",)


class MeteringPointResource(ExchangeResource):
    """ИК have no number: one is found by its ЭО and its name, which must not repeat within the ЭО."""

    name = "metering_points"
    title = gettext_lazy("Измерительные комплексы")
    related = ("energy_object",)

    energy_object = Column("energy_object", "Код ЭО", energy_object_ref())
    point_name = Column("name", "Наименование ИК", TextWidget())
    transformation_ratio = Column("transformation_ratio", "Коэффициент трансформации", DecimalWidget())
    losses_percent = Column("losses_percent", "Потери, %", DecimalWidget())

    class Meta:
        model = MeteringPoint
        fields = ("energy_object", "point_name", "transformation_ratio", "losses_percent")
        import_id_fields = ("energy_object", "point_name")

    def check_instance(self, instance):
        if instance.transformation_ratio is not None and instance.transformation_ratio <= 0:
            yield "transformation_ratio", _("Коэффициент трансформации больше нуля.")


class MeterResource(ExchangeResource):
    name = "meters"
    title = gettext_lazy("Приборы учёта")
    related = ("account", "metering_point", "metering_point__energy_object")

    serial = Column("serial", "Номер ПУ", TextWidget())
    model_name = Column("model", "Модель ПУ", TextWidget())
    account = Column("account", "Номер ЛС", account_ref())
    point_code = Column("metering_point__energy_object__code", "Код ЭО", TextWidget(), readonly=True)
    metering_point = Column(
        "metering_point",
        "Наименование ИК",
        ReferenceWidget(
            MeteringPoint,
            ("name", "energy_object__code"),
            companions=("Код ЭО",),
            not_found=_lazy("Измерительный комплекс %(key)s не найден."),
            select_related=("energy_object",),
        ),
    )
    zone_set = Column("zone_set", "Тарифность", ChoiceWidget(ZoneSet))
    quantities = Column("quantities", "Измеряемые величины", ChoiceListWidget(Quantity))
    digits_integer = Column("digits_integer", "Разрядов до запятой", IntegerWidget())
    digits_fraction = Column("digits_fraction", "Разрядов после запятой", IntegerWidget())
    installed_on = Column("installed_on", "Дата установки", DateWidget())
    verified_on = Column("verified_on", "Дата поверки", DateWidget(), optional=True)
    verification_interval_years = Column(
        "verification_interval_years", "Межповерочный интервал, лет", IntegerWidget(), optional=True
    )
    verification_due_on = Column("verification_due_on", "Дата окончания МПИ", DateWidget(), optional=True)
    place = Column("place", "Место установки", TextWidget(), optional=True)
    owner = Column("owner", "Владелец", TextWidget(), optional=True)
    responsible_person = Column("responsible_person", "Ответственный за эксплуатацию", TextWidget(), optional=True)
    accuracy_class = Column("accuracy_class", "Класс точности", TextWidget(), optional=True)
    rated_current = Column("rated_current", "Ток", TextWidget(), optional=True)
    voltage = Column("voltage", "Напряжение", TextWidget(), optional=True)
    status = Column("status", "Статус", ChoiceWidget(MeterStatus), optional=True)

    class Meta:
        model = Meter
        fields = (
            "serial",
            "model_name",
            "account",
            "point_code",
            "metering_point",
            "zone_set",
            "quantities",
            "digits_integer",
            "digits_fraction",
            "installed_on",
            "verified_on",
            "verification_interval_years",
            "verification_due_on",
            "place",
            "owner",
            "responsible_person",
            "accuracy_class",
            "rated_current",
            "voltage",
            "status",
        )
        import_id_fields = ("serial",)

    def check_instance(self, instance):
        if (instance.account_id is None) == (instance.metering_point_id is None):
            yield "account", _("Прибор учёта стоит либо на лицевом счёте, либо на измерительном комплексе.")


class ReadingResource(ExchangeResource):
    """Readings, found by meter number, zone, quantity and date; `Reading.clean` checks every value."""

    name = "readings"
    title = gettext_lazy("Показания")
    related = ("meter",)

    meter = Column("meter", "Номер ПУ", meter_ref())
    zone = Column("zone", "Зона", ChoiceWidget(Zone), required=True)
    quantity = Column("quantity", "Величина", ChoiceWidget(Quantity), optional=True)
    taken_on = Column("taken_on", "Дата", DateWidget())
    value = Column("value", "Показание", DecimalWidget())
    kind = Column("kind", "Тип", ChoiceWidget(ReadingKind), optional=True)
    source = Column("source", "Источник", ChoiceWidget(ReadingSource), optional=True)
    status = Column("status", "Статус", ChoiceWidget(ReadingStatus), optional=True)

    class Meta:
        model = Reading
        fields = ("meter", "zone", "quantity", "taken_on", "value", "kind", "source", "status")
        import_id_fields = ("meter", "zone", "quantity", "taken_on")

    def init_instance(self, row=None):
        return blank_instance(Reading, source=ReadingSource.IMPORT)  # unless the file says otherwise

    def export_queryset(self):
        return super().export_queryset().order_by("meter__serial", "taken_on", "zone", "quantity")

    def check_instance(self, instance):
        if instance.quantity not in instance.meter.measured:
            label = Quantity(instance.quantity).label
            yield "quantity", _("Этот прибор учёта не измеряет величину %(quantity)s.") % {"quantity": label}


class TariffResource(ExchangeResource):
    """Tariffs by group, zone and start date; periods of one group and zone may not overlap."""

    name = "tariffs"
    title = gettext_lazy("Тарифы")
    related = ("group",)
    model_clean = False  # Tariff.clean asks the database per row; check_entries does it for the whole file

    group = Column("group", "Код группы потребителей", group_ref())
    zone = Column("zone", "Зона", ChoiceWidget(Zone))
    rate = Column("rate", "Величина тарифа, ₽/кВт·ч", DecimalWidget())
    valid_from = Column("valid_from", "Дата начала действия", DateWidget())
    valid_to = Column("valid_to", "Дата окончания действия", DateWidget())

    class Meta:
        model = Tariff
        fields = ("group", "zone", "rate", "valid_from", "valid_to")
        import_id_fields = ("group", "zone", "valid_from")

    def check_instance(self, instance):
        if instance.valid_to and instance.valid_to < instance.valid_from:
            yield "valid_to", _("Дата окончания раньше даты начала.")

    def after_write(self, plan):
        """Bulk writes send no signals: the cached tariff histories of the groups in the file are forgotten here."""
        tariffs_cache_forget(group_ids=[tariff.group_id for tariff in (*plan.new, *plan.changed)])

    def check_entries(self, entries):
        """The rule of `Tariff.clean` for all rows at once: one query for the stored periods of the groups."""
        from_file = {entry.instance.pk for entry in entries if entry.instance.pk}
        periods = defaultdict(list)  # (group, zone) → [(from, to, entry or None)]
        for entry in entries:
            tariff = entry.instance
            periods[(tariff.group_id, tariff.zone)].append((tariff.valid_from, tariff.valid_to, entry))
        stored = Tariff.objects.filter(group_id__in={group for group, _zone in periods}).exclude(pk__in=from_file)
        for group_id, zone, valid_from, valid_to in stored.values_list("group_id", "zone", "valid_from", "valid_to"):
            if (group_id, zone) in periods:
                periods[(group_id, zone)].append((valid_from, valid_to, None))
        for spans in periods.values():
            yield from overlaps(spans)


def overlaps(spans):
    """Sweep the periods by start date; each one that starts before the latest end so far overlaps it."""
    spans = sorted(spans, key=lambda span: span[0])
    latest = None  # (end or None for open, entry)
    for start, end, entry in spans:
        if latest is not None and (latest[0] is None or start <= latest[0]):
            for culprit, other in ((entry, latest[1]), (latest[1], entry)):
                if culprit is not None:
                    yield culprit, "valid_from", overlap_message(other)
        if latest is None or latest[0] is not None and (end is None or end > latest[0]):
            latest = (end, entry)


def overlap_message(other) -> str:
    if other is None:
        return _("На эти даты у группы уже есть тариф по этой зоне.")
    return _("Период пересекается с тарифом в строке %(row)s.") % {"row": other.row}


# --- Money --------------------------------------------------------------------------------------


class DocumentResource(ExchangeResource):
    name = "documents"
    title = gettext_lazy("Документы")
    related = ("account", "contract")

    number = Column("number", "Номер", TextWidget())
    type = Column("type", "Тип документа", ChoiceWidget(DocumentType))
    account, contract = owner_columns()
    period = Column("period", "Период", DateWidget())
    sales_kind = Column("sales_kind", "Вид реализации", ChoiceWidget(SalesKind))
    issued_on = Column("issued_on", "Дата документа", DateWidget())
    amount = Column("amount", "Сумма документа", DecimalWidget(places=2))
    amount_due = Column("amount_due", "К оплате", DecimalWidget(places=2), required=True)
    vat_amount = Column("vat_amount", "В т. ч. НДС", DecimalWidget(places=2), optional=True)
    due_date = Column("due_date", "Дата задолженности", DateWidget())
    opening_balance = Column("opening_balance", "Сальдо на начало", DecimalWidget(places=2), optional=True)
    payments_counted = Column("payments_counted", "Учтённые платежи", DecimalWidget(places=2), optional=True)
    closing_balance = Column("closing_balance", "Итого задолженность", DecimalWidget(places=2), optional=True)

    class Meta:
        model = Document
        fields = (
            "number",
            "type",
            "account",
            "contract",
            "period",
            "sales_kind",
            "issued_on",
            "amount",
            "amount_due",
            "vat_amount",
            "due_date",
            "opening_balance",
            "payments_counted",
            "closing_balance",
        )
        import_id_fields = ("number",)

    def check_instance(self, instance):
        yield from check_one_owner(instance)
        if instance.period.day != 1:
            yield "period", _("Период — первое число месяца.")
        if instance.amount_due < 0:
            yield "amount_due", _("Сумма к оплате не может быть отрицательной.")
        elif instance.amount >= 0 and instance.amount_due > instance.amount:
            yield "amount_due", _("К оплате больше суммы документа.")

    def after_write(self, plan):
        refresh_balances(plan)


class PaymentResource(ExchangeResource):
    """Payments from banks and the post, found by number, date and payer."""

    name = "payments"
    title = gettext_lazy("Платежи")
    related = ("account", "contract")

    number = Column("number", "Номер платежа", TextWidget(), required=True)
    paid_on = Column("paid_on", "Дата платежа", DateWidget())
    account, contract = owner_columns()
    amount = Column("amount", "Сумма", DecimalWidget(places=2))
    unallocated = Column("unallocated", "Не распределено", DecimalWidget(places=2), required=True)
    channel = Column("channel", "Способ", ChoiceWidget(PaymentChannel))
    bank = Column("bank", "Банк", TextWidget())
    purpose = Column("purpose", "Назначение", TextWidget())
    status = Column("status", "Статус", ChoiceWidget(PaymentStatus), optional=True)

    class Meta:
        model = Payment
        fields = (
            "number",
            "paid_on",
            "account",
            "contract",
            "amount",
            "unallocated",
            "channel",
            "bank",
            "purpose",
            "status",
        )
        import_id_fields = ("number", "paid_on", "account", "contract")

    def check_instance(self, instance):
        yield from check_one_owner(instance)
        if instance.amount <= 0:
            yield "amount", _("Сумма платежа больше нуля.")
        elif not 0 <= instance.unallocated <= instance.amount:
            yield "unallocated", _("Нераспределённый остаток — от нуля до суммы платежа.")

    def after_write(self, plan):
        refresh_balances(plan)


RESOURCES: dict[str, type[ExchangeResource]] = {
    resource.name: resource
    for resource in (
        CustomerResource,
        PersonalAccountResource,
        ContractResource,
        ContractEmailResource,
        EnergyObjectResource,
        MeteringPointResource,
        MeterResource,
        TariffResource,
        ReadingResource,
        DocumentResource,
        PaymentResource,
    )
}


def resource_for(name: str) -> ExchangeResource:
    """A fresh resource by its slug; KeyError for an unknown one."""
    return RESOURCES[name]()


def resource_choices() -> list[tuple[str, str]]:
    return [(name, str(resource.title)) for name, resource in RESOURCES.items()]
