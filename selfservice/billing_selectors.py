"""The reads of the billing screens (F-D1…F-D3, F-D5…F-D7, F-E1): «Оплата», «История», the receipt, the charts,
«Реквизиты ЛС», «Статистика».

Everything starts from the access selectors (selectors.py), so a contract the role does not show money for, or
someone else's ЛС, never appears. Each function reads a fixed number of queries however many months of documents
and payments an owner has: the lists are cut by period and page, the charts are aggregates.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from backoffice.models import (
    Balance,
    BillingSettings,
    Contract,
    Document,
    DocumentLine,
    Payment,
    PersonalAccount,
    Reading,
    SavedCard,
    Tariff,
)
from backoffice.models.choices import (
    CHARGING_DOCUMENT_TYPES,
    DocumentType,
    PaymentStatus,
    ReadingStatus,
    SalesKind,
)
from backoffice.services.periods import add_months, month_start

from .access import CONTRACT_PERMISSION, Capability
from .models import ContractPermission
from .selectors import account_links_for, accounts_for

ZERO = Decimal(0)
CONTRACT, ACCOUNT = "contract", "account"
# What a month «charged»: the household receipt, the organisation's tax invoice and its corrections, penalty claims
# and the invoices for services. Payment invoices and acts repeat a tax invoice's amount and are not counted again.
CHARGED = Q(type__in=CHARGING_DOCUMENT_TYPES) | Q(type=DocumentType.INVOICE, sales_kind=SalesKind.SERVICES)
CONSUMPTION_TYPES = (DocumentType.RECEIPT, DocumentType.TAX_INVOICE, DocumentType.CORRECTION_TAX_INVOICE)


@dataclass
class ContractAccess:
    """The contracts in a user's cabinet with the rights their roles give (Table 3)."""

    contracts: dict[int, Contract]
    capabilities: dict[int, frozenset]

    def having(self, capability) -> list[Contract]:
        return [c for pk, c in self.contracts.items() if Capability(capability) in self.capabilities[pk]]

    def ids_having(self, capability) -> set[int]:
        return {contract.pk for contract in self.having(capability)}


def contract_access_for(*, user) -> ContractAccess:
    """Every contract of the user's cabinet and what the role allows on it, in two queries.

    The same rows `contracts_for` reads (the user's object permissions on the contract, written by access_sync),
    read once for all capabilities instead of once per capability: the billing pages need several at a time
    (the debt, paying, the history, plain view).
    """
    if not user.is_authenticated:
        return ContractAccess({}, {})
    capability_of = {codename: capability for capability, codename in CONTRACT_PERMISSION.items()}
    rows = ContractPermission.objects.filter(
        user_id=user.pk,
        permission__content_type=ContentType.objects.get_for_model(Contract),
        permission__codename__in=list(capability_of),
    ).values_list("content_object_id", "permission__codename")
    granted: dict[int, set] = {}
    for contract_id, codename in rows:
        granted.setdefault(contract_id, set()).add(capability_of[codename])
    if not granted:
        return ContractAccess({}, {})
    contracts = Contract.objects.filter(pk__in=list(granted)).select_related("customer", "branch", "curator")
    ordered = {contract.pk: contract for contract in contracts.order_by("number")}
    return ContractAccess(ordered, {pk: frozenset(granted[pk]) for pk in ordered})


def owner_key(owner) -> str:
    """«contract:78010000002778» / «account:100000001»: how forms and addresses name a contract or a ЛС."""
    return f"{CONTRACT if isinstance(owner, Contract) else ACCOUNT}:{owner.number}"


def owner_label(owner) -> str:
    if isinstance(owner, Contract):
        return f"{owner.customer.display_name} ({owner.number})"
    return f"ЛС {owner.number}, {owner.address}"


def _owner_filter(owner, prefix: str = "") -> dict:
    return {f"{prefix}{CONTRACT if isinstance(owner, Contract) else ACCOUNT}": owner}


# --- «Оплата» ---------------------------------------------------------------------------------------------------


@dataclass
class OwnerPanel:
    """One card of «Оплата»: a contract or a ЛС with what it owes, its advances and what can be paid."""

    owner: object
    kind: str
    documents: list[Document] = field(default_factory=list)
    credits: list[tuple[str, Decimal]] = field(default_factory=list)
    debts: list[tuple[str, Decimal]] = field(default_factory=list)  # (label, amount) per sales kind of the saldo
    debt_by_kind: dict[str, Decimal] = field(default_factory=dict)
    can_pay: bool = False
    link: object = None  # the AccountLink of a ЛС (group, note)

    @property
    def number(self) -> str:
        return self.owner.number

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.owner.number}"

    @property
    def total_due(self) -> Decimal:
        """«К оплате»: what the open documents still ask for."""
        return sum((document.amount_due for document in self.documents), ZERO)

    @property
    def penalty_due(self) -> Decimal:
        """The penalties of the saldo (F-D1): «…, не включая пени …»."""
        return self.debt_by_kind.get(SalesKind.PENALTY, ZERO)

    @property
    def main_due(self) -> Decimal:
        """«Текущая задолженность …» (seed 000 §3.11): the saldo's debt of every sales kind but penalties."""
        return sum((amount for kind, amount in self.debt_by_kind.items() if kind != SalesKind.PENALTY), ZERO)

    @property
    def has_debt(self) -> bool:
        return bool(self.debt_by_kind)

    def overdue(self, today: datetime.date) -> Decimal:
        """Debt past its «Оплатить до», penalties aside: what the debt banner is about."""
        return sum(
            (
                d.amount_due
                for d in self.documents
                if d.sales_kind != SalesKind.PENALTY and d.due_date is not None and d.due_date < today
            ),
            ZERO,
        )

    @property
    def credit_total(self) -> Decimal:
        return sum((amount for _label, amount in self.credits), ZERO)


def open_documents(*, owner) -> QuerySet[Document]:
    """What a contract or a ЛС still has to pay, oldest «Оплатить до» first (the order a payment pays them off)."""
    return Document.objects.filter(amount_due__gt=0, **_owner_filter(owner)).order_by("due_date", "period", "pk")


def payment_panels_for(*, user, access: "ContractAccess | None" = None, links=None) -> list[OwnerPanel]:
    """«Оплата»: the user's ЛС (their cabinet's order) then the contracts whose role shows the debt.

    Five queries whatever the number of owners and documents: the ЛС links, the contracts and their rights (two),
    every owner's open documents, every owner's advances.
    """
    links = list(account_links_for(user=user)) if links is None else links
    access = access or contract_access_for(user=user)
    contracts = access.having(Capability.BILLING)
    payable = access.ids_having(Capability.PAY)
    panels = [OwnerPanel(owner=link.account, kind=ACCOUNT, link=link, can_pay=True) for link in links]
    panels += [OwnerPanel(owner=c, kind=CONTRACT, can_pay=c.pk in payable) for c in contracts]
    if not panels:
        return []
    by_owner = {(panel.kind, panel.owner.pk): panel for panel in panels}
    owners = Q(account__in=[link.account for link in links]) | Q(contract__in=contracts)
    for document in Document.objects.filter(owners, amount_due__gt=0).order_by("due_date", "period", "pk"):
        key = (ACCOUNT, document.account_id) if document.account_id else (CONTRACT, document.contract_id)
        by_owner[key].documents.append(document)
    kinds = list(SalesKind.values)
    balances = sorted(Balance.objects.filter(owners).exclude(amount=0), key=lambda b: kinds.index(b.sales_kind))
    for balance in balances:  # zero rows are never shown (F-D1)
        key = (ACCOUNT, balance.account_id) if balance.account_id else (CONTRACT, balance.contract_id)
        if balance.amount < 0:
            by_owner[key].credits.append((balance.get_sales_kind_display(), -balance.amount))
        else:
            by_owner[key].debts.append((balance.get_sales_kind_display(), balance.amount))
            by_owner[key].debt_by_kind[balance.sales_kind] = balance.amount
    return panels


def debt_banners(*, panels: list[OwnerPanel], request=None, today: datetime.date) -> list[OwnerPanel]:
    """The owners whose overdue debt reaches the threshold staff set in «Настройки расчётов» (F-D1, seed 000
    §3.11.2): «Ваша задолженность составляет …, не включая пени … Перейти к оплате.»"""
    if not panels:
        return []  # an empty cabinet: not even the settings are read
    # Read whether or not anything is overdue, so the page costs the same queries for any history.
    threshold = BillingSettings.load(request_or_site=request).debt_banner_threshold
    return [panel for panel in panels if panel.can_pay and panel.overdue(today) > 0 and panel.main_due >= threshold]


def payments_in_process(*, owner, within: datetime.timedelta = datetime.timedelta(hours=1)) -> list[Payment]:
    """Portal payments of a contract or ЛС still «В процессе» (started within `within`): «Реквизиты оплаты» warns
    before the customer pays the same debt twice."""
    since = timezone.now() - within
    return list(
        Payment.objects.filter(status=PaymentStatus.PENDING, created_at__gte=since, **_owner_filter(owner))
        .select_related("acquiring_order")
        .order_by("-created_at")[:3]
    )


def saved_cards_for(*, user) -> list[SavedCard]:
    return list(SavedCard.objects.filter(user=user).order_by("-created_at", "-pk"))


# --- «График счетов и оплат», «Статистика» ------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthTotal:
    month: datetime.date
    charged: Decimal = ZERO
    paid: Decimal = ZERO


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def invoices_and_payments(*, owner, first: datetime.date, last: datetime.date) -> list[MonthTotal]:
    """«График счетов и оплат» (seed 001 §4.6): what each month charged and what was paid in it. Two queries."""
    charged = dict(
        Document.objects.filter(CHARGED, period__gte=first, period__lte=last, **_owner_filter(owner))
        .values_list("period")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    paid = dict(
        Payment.objects.filter(
            status=PaymentStatus.POSTED, paid_on__gte=first, paid_on__lt=add_months(last, 1), **_owner_filter(owner)
        )
        .annotate(month=TruncMonth("paid_on"))
        .values_list("month")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return [
        MonthTotal(month=month, charged=charged.get(month, ZERO), paid=paid.get(month, ZERO))
        for month in months_between(first, last)
    ]


def consumption_by_month(*, owner, year: int) -> dict[datetime.date, Decimal]:
    """«Статистика» (seed 004 §4.4.4.4): kWh billed for each month of `year`, corrections included. One query."""
    rows = (
        DocumentLine.objects.filter(
            document__type__in=CONSUMPTION_TYPES,
            document__period__year=year,
            **_owner_filter(owner, prefix="document__"),
        )
        .values_list("document__period")
        .annotate(total=Sum("consumption"))
        .order_by()
    )
    totals = dict(rows)
    months = months_between(datetime.date(year, 1, 1), datetime.date(year, 12, 1))
    return {month: totals.get(month, ZERO) for month in months}


def consumption_years(*, owner) -> list[int]:
    """The years with billed consumption, newest first, for the year selector of «Статистика»."""
    years = Document.objects.filter(type__in=CONSUMPTION_TYPES, **_owner_filter(owner)).dates(
        "period", "year", order="DESC"
    )
    return [day.year for day in years]


# --- «История» ------------------------------------------------------------------------------------------------


@dataclass
class HistoryScope:
    """What «История» may show a user: the contracts whose role shows the history, and the user's ЛС."""

    contracts: list[Contract]
    accounts: list[PersonalAccount]
    payable: set[int]  # the contracts among them the role may pay

    @property
    def owners(self) -> list:
        return [*self.contracts, *self.accounts]

    def rows(self, model):
        """`model`'s rows (documents, payments) of these owners: what documents_for / payments_for give."""
        return model.objects.filter(Q(contract__in=self.contracts) | Q(account__in=self.accounts))


def history_scope_for(*, user) -> HistoryScope:
    """Three queries: the contracts and their rights, the ЛС."""
    access = contract_access_for(user=user)
    return HistoryScope(
        contracts=access.having(Capability.BILLING_HISTORY),
        accounts=list(accounts_for(user=user).order_by("number")),
        payable=access.ids_having(Capability.PAY),
    )


def document_history(
    *, scope: HistoryScope, owner=None, first: datetime.date | None = None, last: datetime.date | None = None, types=()
) -> QuerySet[Document]:
    """«Документы» (seed 001 §7.1): newest period first, filtered by «Договор», «Период» and «Тип документа»."""
    documents = scope.rows(Document).select_related("account", "contract")
    if owner is not None:
        documents = documents.filter(**_owner_filter(owner))
    if first:
        documents = documents.filter(period__gte=month_start(first))
    if last:
        documents = documents.filter(period__lte=month_start(last))
    if types:
        documents = documents.filter(type__in=types)
    return documents.order_by("-period", "-issued_on", "-pk")


def payment_history(
    *, scope: HistoryScope, owner=None, first: datetime.date | None = None, last: datetime.date | None = None
) -> QuerySet[Payment]:
    """«Платежи» (seed 001 §7.2): bank, number, date, amount, status, purpose; the portal's with their order."""
    payments = scope.rows(Payment).select_related("account", "contract", "acquiring_order")
    if owner is not None:
        payments = payments.filter(**_owner_filter(owner))
    if first:
        payments = payments.filter(paid_on__gte=first)
    if last:
        payments = payments.filter(paid_on__lte=last)
    return payments.order_by("-paid_on", "-pk")


# --- The household's «История» (seed 000 §3.4, §3.9, §3.10; seed 004 §4.4.4.2) --------------------------------


def account_receipts(*, account: PersonalAccount, first, last) -> QuerySet[Document]:
    """«Счета абонента»: the ЛС's documents of the period, newest first, with their zone lines for «Детализация»."""
    return (
        Document.objects.filter(account=account, period__gte=month_start(first), period__lte=month_start(last))
        .exclude(type=DocumentType.ACCEPTANCE_ACT)
        .prefetch_related("lines")
        .order_by("-period", "-issued_on", "-pk")
    )


def account_payments(*, account: PersonalAccount, first, last) -> QuerySet[Payment]:
    """«Платежи»: the ЛС's payments of the period, the portal's «В процессе» and «Отклонён» included."""
    return (
        Payment.objects.filter(account=account, paid_on__gte=first, paid_on__lte=last)
        .select_related("acquiring_order")
        .order_by("-paid_on", "-pk")
    )


@dataclass
class ReadingRow:
    """One submission: every zone of a meter on one date (seed 000 «д.: 4077/ н.: 1873»)."""

    meter: object
    taken_on: datetime.date
    kind_label: str
    source_label: str
    registered_on: datetime.date
    billed_period: datetime.date | None
    values: list[tuple[str, Decimal]] = field(default_factory=list)


def account_readings(*, user, account: PersonalAccount, first, last) -> list[ReadingRow]:
    """«Показания абонента»: accepted readings of the ЛС's meters taken in the period, grouped per date."""
    readings = (
        Reading.objects.filter(
            meter__account=account,
            meter__account__in=accounts_for(user=user).values("pk"),
            status=ReadingStatus.ACCEPTED,
            taken_on__gte=first,
            taken_on__lte=last,
        )
        .select_related("meter")
        .order_by("-taken_on", "meter__serial", "kind", "zone")
    )
    rows: dict[tuple, ReadingRow] = {}
    for reading in readings:
        key = (reading.meter_id, reading.taken_on, reading.kind)
        row = rows.get(key)
        if row is None:
            row = rows[key] = ReadingRow(
                meter=reading.meter,
                taken_on=reading.taken_on,
                kind_label=reading.get_kind_display(),
                source_label=reading.get_source_display(),
                registered_on=reading.created_at.date(),
                billed_period=reading.billed_period,
            )
        row.values.append((reading.get_zone_display(), reading.value))
    return list(rows.values())


@dataclass
class MonthEvents:
    """A month of «Все события» (seed 004 §4.4.4.2.1): readings, the receipt, the payments."""

    month: datetime.date
    readings: list[ReadingRow] = field(default_factory=list)
    receipts: list[Document] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)

    @property
    def paid(self) -> Decimal:
        return sum((p.amount for p in self.payments if p.status == PaymentStatus.POSTED), ZERO)

    @property
    def is_empty(self) -> bool:
        return not (self.readings or self.receipts or self.payments)


def account_events(*, user, account: PersonalAccount, first, last) -> list[MonthEvents]:
    """«Все события» by month, newest first; three queries for any length of period."""
    months = {month: MonthEvents(month=month) for month in reversed(months_between(first, last))}
    for row in account_readings(user=user, account=account, first=month_start(first), last=last):
        month = months.get(month_start(row.taken_on))
        if month is not None:
            month.readings.append(row)
    receipts = account_receipts(account=account, first=first, last=last).filter(type=DocumentType.RECEIPT)
    for receipt in receipts:
        if receipt.period in months:
            months[receipt.period].receipts.append(receipt)
    for payment in account_payments(account=account, first=month_start(first), last=last):
        month = months.get(month_start(payment.paid_on))
        if month is not None:
            month.payments.append(payment)
    return list(months.values())


# --- «Реквизиты ЛС» (seed 004 §4.4.4.3, seed 000 §3.7–3.8) --------------------------------------------------------


def account_meters(*, account: PersonalAccount):
    return list(account.meters.order_by("status", "serial"))


def tariffs_in_force(*, account: PersonalAccount, on: datetime.date):
    """«Величина тарифа» per zone on a date."""
    return list(
        Tariff.objects.filter(group_id=account.customer.group_id, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("zone")
    )
