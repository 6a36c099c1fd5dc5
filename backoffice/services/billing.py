"""The billing run (F-D4): close a month into documents, penalties and balances.

The run computes what every account and contract *should* have been charged for
the period and compares it with what earlier runs already charged. The first run
creates the documents; a later run creates a correction only where the target
changed (a late reading, a corrected tariff); a run over unchanged data writes
nothing but a new BillingRun row. Everything is read and written in bulk so a
run over 100 000 accounts stays well under a minute.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ..formatting import format_money
from ..models import (
    BillingRun,
    BillingSettings,
    Contract,
    CustomerGroup,
    Document,
    DocumentLine,
    Meter,
    Payment,
    PersonalAccount,
    Reading,
    SupplierRequisites,
    Tariff,
)
from ..models.audit import AuditAction
from ..models.choices import (
    CHARGING_DOCUMENT_TYPES,
    ZONES_OF,
    DocumentType,
    MeterStatus,
    PaymentStatus,
    Quantity,
    ReadingKind,
    ReadingSource,
    ReadingStatus,
    SalesKind,
    Zone,
    ZoneSet,
)
from . import consumption as calc
from .audit import audit_record
from .balances import balances_refresh
from .payments import credits_apply, document_reduce
from .periods import add_months, day_of_month, month_end, month_start, period_title

logger = logging.getLogger(__name__)

# Readings further back than this cannot start a period: estimates fill every missing month.
LOOKBACK_MONTHS = 13
ONE, ZERO = Decimal(1), Decimal(0)
# A run still «Выполняется» after this long has died with its worker and no longer blocks a new one.
STUCK_AFTER = datetime.timedelta(hours=2)
ZONE_LABELS = dict(Zone.choices)
NUMBER_PREFIX = {
    DocumentType.RECEIPT: "КВ",
    DocumentType.TAX_INVOICE: "СФ",
    DocumentType.CORRECTION_TAX_INVOICE: "КСФ",
    DocumentType.ACCEPTANCE_ACT: "АП",
    DocumentType.PENALTY_CLAIM: "ПН",
}


class BillingRunRefused(Exception):
    """The run cannot start; the message says why, in Russian."""


@dataclass(frozen=True)
class Line:
    """One line a document should carry."""

    description: str
    amount: Decimal
    zone: str = ""
    meter_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    consumption: Decimal = Decimal(0)
    rate: Decimal = Decimal(0)
    is_estimated: bool = False

    @property
    def key(self) -> tuple:
        return (self.meter_id, self.zone, self.rate, self.is_estimated, self.description)


@dataclass
class Owner:
    """An account or a contract with what the run computes for it."""

    account_id: int | None
    contract_id: int | None
    number: str
    group: CustomerGroup
    residents: int = 1
    lines: dict[str, list[Line]] = field(default_factory=lambda: defaultdict(list))  # by sales kind

    @property
    def key(self) -> tuple:
        return (self.account_id, self.contract_id)


@dataclass
class Context:
    period: datetime.date
    run: BillingRun
    settings: BillingSettings
    vat_percent: Decimal
    stats: dict = field(default_factory=lambda: defaultdict(int))

    @property
    def start(self) -> datetime.date:
        return self.period

    @property
    def end(self) -> datetime.date:
        return month_end(self.period)


# --- Entry points -----------------------------------------------------------


def billing_run_enqueue(*, period: datetime.date, user=None) -> BillingRun:
    """Record a run for `period` and hand it to a worker (inline when no broker is configured)."""
    from ..tasks import billing_run_task

    period = _checked_period(period)
    run = BillingRun.objects.create(period=period, started_by=user)
    transaction.on_commit(lambda: billing_run_task.delay(run.pk))
    return run


def billing_run(*, period: datetime.date, user=None, run: BillingRun | None = None) -> BillingRun:
    """Bill every account and contract for the month `period`; see the module docstring."""
    period = _checked_period(period, this_run=run)
    run = run or BillingRun.objects.create(period=period, started_by=user)
    try:
        with transaction.atomic():
            context = Context(
                period=period,
                run=run,
                settings=BillingSettings.load(),
                vat_percent=SupplierRequisites.load().vat_percent,
            )
            _bill(context)
            _audit(context, user=user or run.started_by)
    except Exception as error:
        run.status, run.error, run.finished_at = BillingRun.Status.FAILED, str(error), timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        raise
    run.status, run.stats, run.finished_at = BillingRun.Status.DONE, dict(context.stats), timezone.now()
    run.save(update_fields=["status", "stats", "finished_at"])
    logger.info("billing run %s for %s: %s", run.pk, period, run.stats)
    return run


def _audit(context: Context, *, user) -> None:
    """One entry per run, in its transaction: the period, what it created and how much it charged."""
    stats = context.stats
    documents, charged = stats.get("documents", 0), Decimal(stats.get("charged", "0"))
    audit_record(
        actor=user,
        action=AuditAction.BILLING_RUN,
        summary=_("Расчёт за %(period)s: документов %(documents)s, начислено %(charged)s")
        % {"period": period_title(context.period), "documents": documents, "charged": format_money(charged)},
        subject=context.run,
        changes={
            _("Период"): period_title(context.period),
            _("Документов"): documents,
            _("Из них корректировок"): stats.get("corrections", 0),
            _("Начислено"): format_money(charged),
            _("Показаний учтено"): stats.get("readings_billed", 0),
            _("Расчётных показаний"): stats.get("estimated_registers", 0),
            _("Зачтено платежей"): stats.get("allocations", 0),
        },
    )


def _checked_period(period: datetime.date, *, this_run: BillingRun | None = None) -> datetime.date:
    period = month_start(period)
    if period > month_start(timezone.localdate()):
        raise BillingRunRefused(f"Период {period_title(period)} ещё не наступил.")
    recently = timezone.now() - STUCK_AFTER
    running = BillingRun.objects.filter(period=period, status=BillingRun.Status.RUNNING, started_at__gte=recently)
    if running.exclude(pk=getattr(this_run, "pk", None)).exists():
        raise BillingRunRefused(f"Расчёт за {period_title(period)} уже выполняется.")
    return period


def _bill(context: Context) -> None:
    owners = _load_owners()
    _charge_energy(context, owners)
    _charge_penalties(context, owners)
    _settle(context, owners)
    _mark_readings_billed(context)
    _apply_credits(context)
    context.stats["balances"] = balances_refresh()


# --- Energy -----------------------------------------------------------------


def _load_owners() -> dict[tuple, Owner]:
    groups = CustomerGroup.objects.in_bulk()
    owners = {}
    accounts = PersonalAccount.objects.filter(closed_on__isnull=True).values_list(
        "id", "number", "customer__group_id", "residents"
    )
    for account_id, number, group_id, residents in accounts.iterator(chunk_size=10000):
        owners[(account_id, None)] = Owner(account_id, None, number, groups[group_id], residents or 1)
    contracts = Contract.objects.filter(is_active=True).values_list("id", "number", "customer__group_id")
    for contract_id, number, group_id in contracts.iterator(chunk_size=10000):
        owners[(None, contract_id)] = Owner(None, contract_id, number, groups[group_id])
    return owners


@dataclass(frozen=True)
class MeterRow:
    id: int
    serial: str
    owner_key: tuple
    zone_set: str
    rollover: Decimal
    fraction: int
    ratio: Decimal
    losses: Decimal


def _load_meters(owners: dict[tuple, Owner]) -> list[MeterRow]:
    rows = (
        Meter.objects.exclude(status=MeterStatus.REMOVED)
        .values_list(
            "id",
            "serial",
            "account_id",
            "metering_point__energy_object__contract_id",
            "zone_set",
            "digits_integer",
            "digits_fraction",
            "metering_point__transformation_ratio",
            "metering_point__losses_percent",
        )
        .order_by("id")
    )
    meters = []
    for meter_id, serial, account_id, contract_id, zone_set, digits, fraction, ratio, losses in rows.iterator(
        chunk_size=10000
    ):
        key = (account_id, None) if account_id else (None, contract_id)
        if key in owners:
            meters.append(
                MeterRow(meter_id, serial, key, zone_set, Decimal(10) ** digits, fraction, ratio or ONE, losses or ZERO)
            )
    return meters


def _load_register_values(context: Context) -> dict[tuple, list[calc.RegisterValue]]:
    since = add_months(context.start, -LOOKBACK_MONTHS)
    rows = Reading.objects.filter(
        quantity=Quantity.ACTIVE_IN, status=ReadingStatus.ACCEPTED, taken_on__gte=since, taken_on__lte=context.end
    ).values_list("meter_id", "zone", "taken_on", "value", "kind")
    values = defaultdict(list)
    for meter_id, zone, taken_on, value, kind in rows.order_by().iterator(chunk_size=20000):
        values[(meter_id, zone)].append(calc.RegisterValue(taken_on, value, kind == ReadingKind.ESTIMATED))
    return values


def _load_history(context: Context, meter_ids: set[int]) -> dict[tuple, list[Decimal]]:
    """Actual consumption of the last three periods per meter and zone, newest first."""
    if not meter_ids:
        return {}
    rows = (
        DocumentLine.objects.filter(
            meter_id__in=meter_ids,
            is_estimated=False,
            document__sales_kind=SalesKind.MAIN,
            document__period__gte=add_months(context.period, -3),
            document__period__lt=context.period,
        )
        .values_list("meter_id", "zone", "document__period")
        .annotate(total=Sum("consumption"))
        .order_by("meter_id", "zone", "-document__period")
    )
    history = defaultdict(list)
    for meter_id, zone, _period, total in rows:
        history[(meter_id, zone)].append(total)
    return history


def _tariff_index() -> dict[tuple, list[calc.TariffRate]]:
    index = defaultdict(list)
    for group_id, zone, rate, valid_from, valid_to in Tariff.objects.values_list(
        "group_id", "zone", "rate", "valid_from", "valid_to"
    ):
        index[(group_id, zone)].append(calc.TariffRate(rate, valid_from, valid_to))
    return index


def _charge_energy(context: Context, owners: dict[tuple, Owner]) -> None:
    meters = _load_meters(owners)
    values = _load_register_values(context)
    tariffs = _tariff_index()
    missing = []  # (meter, zone, previous value) without a reading this period
    superseded_estimates = []
    for meter in meters:
        for zone in ZONES_OF[ZoneSet(meter.zone_set)]:
            register = values.get((meter.id, zone), ())
            previous = calc.latest_before(register, context.start)
            if previous is None:
                continue  # a new meter: its first reading is the baseline, nothing to bill yet
            current = calc.period_end_value(register, context.start, context.end)
            if current is None:
                missing.append((meter, zone, previous))
                continue
            if not current.estimated and any(v.estimated and v.taken_on >= context.start for v in register):
                superseded_estimates.append((meter.id, zone))
            advance = calc.register_advance(previous, current, meter.rollover)
            kwh = calc.energy(advance, ratio=meter.ratio, losses_percent=meter.losses)
            owner = owners[meter.owner_key]
            span = (previous.taken_on, current.taken_on)
            _add_energy_lines(context, owner, meter, zone, kwh, span, tariffs, estimated=False)
    _estimate_missing(context, owners, missing, tariffs)
    _drop_superseded_estimates(context, superseded_estimates)


def _add_energy_lines(context, owner, meter, zone, kwh, span, tariffs, *, estimated):
    date_from, date_to = span
    label = ZONE_LABELS[zone]
    description = label if owner.account_id else f"{label}, ПУ №{meter.serial}"
    portions = calc.split_by_tariff(
        kwh,
        date_from=date_from,
        date_to=date_to,
        tariffs=tariffs.get((owner.group.pk, zone), ()),
        describe=f"группа «{owner.group}», зона «{label}», {'ЛС' if owner.account_id else 'договор'} {owner.number}",
    )
    for portion in portions:
        owner.lines[SalesKind.MAIN].append(
            Line(
                description=description,
                amount=portion.amount,
                zone=zone,
                meter_id=meter.id,
                date_from=portion.date_from,
                date_to=portion.date_to,
                consumption=portion.consumption,
                rate=portion.rate,
                is_estimated=estimated,
            )
        )


def _estimate_missing(context, owners, missing, tariffs) -> None:
    """No reading this period: bill the recent average (or the norm) and record it as a «Расчетные» reading."""
    history = _load_history(context, {meter.id for meter, _zone, _previous in missing})
    estimated_readings = []
    for meter, zone, previous in missing:
        owner = owners[meter.owner_key]
        norm = owner.group.norm_kwh_per_month * (owner.residents if owner.group.norm_per_resident else 1)
        kwh = calc.estimate(history.get((meter.id, zone), ()), norm=norm, zone_set=meter.zone_set, zone=zone)
        per_unit = meter.ratio * (1 + meter.losses / 100)
        advance = (kwh / per_unit).quantize(Decimal(1).scaleb(-meter.fraction), rounding=ROUND_HALF_UP)
        estimated_readings.append(
            Reading(
                meter_id=meter.id,
                zone=zone,
                quantity=Quantity.ACTIVE_IN,
                value=(previous.value + advance) % meter.rollover,
                taken_on=context.end,
                kind=ReadingKind.ESTIMATED,
                source=ReadingSource.ESTIMATE,
                billed_period=context.period,
            )
        )
        _add_energy_lines(context, owner, meter, zone, kwh, (previous.taken_on, context.end), tariffs, estimated=True)
    Reading.objects.bulk_create(estimated_readings, batch_size=5000, ignore_conflicts=True)
    context.stats["estimated_registers"] += len(estimated_readings)


def _drop_superseded_estimates(context, superseded: list[tuple[int, str]]) -> None:
    """A customer's late reading replaces our estimate for the same period."""
    if not superseded:
        return
    condition = Q()
    for meter_id, zone in superseded:
        condition |= Q(meter_id=meter_id, zone=zone)
    deleted, _ = Reading.objects.filter(
        condition, kind=ReadingKind.ESTIMATED, taken_on__gte=context.start, taken_on__lte=context.end
    ).delete()
    context.stats["estimates_replaced"] += deleted


# --- Penalties --------------------------------------------------------------


def _charge_penalties(context: Context, owners: dict[tuple, Owner]) -> None:
    overdue = Document.objects.filter(
        sales_kind=SalesKind.MAIN, amount_due__gt=0, due_date__lt=context.end, period__lt=context.period
    ).values_list("account_id", "contract_id", "number", "amount_due", "due_date")
    key_rate = context.settings.key_rate_percent
    for account_id, contract_id, number, debt, due_date in overdue.order_by("due_date", "id"):
        owner = owners.get((account_id, contract_id))
        if owner is None:
            continue
        amount, days = calc.penalty(
            debt,
            due_date=due_date,
            period_start=context.start,
            period_end=context.end,
            grace_days=owner.group.penalty_grace_days,
            key_rate_percent=key_rate,
            denominator=owner.group.penalty_rate_denominator,
        )
        if amount > 0:
            rule = f"1/{owner.group.penalty_rate_denominator} ставки {key_rate} %"
            description = f"Пени по документу № {number} за {days} дн. ({rule})"
            owner.lines[SalesKind.PENALTY].append(Line(description=description, amount=amount))


# --- Documents --------------------------------------------------------------


def _billed_so_far(context: Context) -> tuple[dict, dict]:
    """Lines already charged for the period per (owner, sales kind), and the documents that carry them."""
    documents = Document.objects.filter(
        period=context.period,
        sales_kind__in=[SalesKind.MAIN, SalesKind.PENALTY],
        type__in=CHARGING_DOCUMENT_TYPES,
    ).values_list("id", "account_id", "contract_id", "sales_kind", "corrects_id", "number")
    documents_by_slot = defaultdict(list)
    slot_of = {}
    for document_id, account_id, contract_id, sales_kind, corrects_id, number in documents:
        slot = ((account_id, contract_id), sales_kind)
        documents_by_slot[slot].append((document_id, corrects_id, number))
        slot_of[document_id] = slot
    billed = defaultdict(lambda: defaultdict(lambda: [Decimal(0), Decimal(0)]))
    lines = DocumentLine.objects.filter(document_id__in=list(slot_of)).values_list(
        "document_id", "meter_id", "zone", "rate", "is_estimated", "description", "consumption", "amount"
    )
    for document_id, meter_id, zone, rate, estimated, description, kwh, amount in lines.iterator(chunk_size=20000):
        totals = billed[slot_of[document_id]][(meter_id, zone, rate, estimated, description)]
        totals[0] += kwh
        totals[1] += amount
    return billed, documents_by_slot


def _settle(context: Context, owners: dict[tuple, Owner]) -> None:
    billed, documents_by_slot = _billed_so_far(context) if _period_billed_before(context) else ({}, {})
    new_documents: list[tuple[Document, list[Line]]] = []
    for owner in owners.values():
        for sales_kind in (SalesKind.MAIN, SalesKind.PENALTY):
            slot = (owner.key, sales_kind)
            target = owner.lines.get(sales_kind, [])
            existing = documents_by_slot.get(slot)
            if not existing:
                if target:
                    new_documents.extend(_originals(context, owner, sales_kind, target))
                continue
            difference = _difference(target, billed.get(slot, {}))
            if difference:
                original_id = next(doc_id for doc_id, corrects_id, _n in existing if corrects_id is None)
                new_documents.append(_correction(context, owner, sales_kind, difference, original_id, len(existing)))
    _fill_receipt_totals(context, [document for document, _lines in new_documents])
    _store(new_documents)
    _reduce_for_negative_corrections(new_documents)
    for document, _lines in new_documents:
        context.stats["documents"] += 1
        context.stats["corrections"] += document.corrects_id is not None
        context.stats["charged"] = str(Decimal(context.stats.get("charged", "0")) + document.amount)


def _period_billed_before(context: Context) -> bool:
    return Document.objects.filter(period=context.period, billing_run__isnull=False).exists()


def _difference(target: list[Line], billed: dict[tuple, list[Decimal]]) -> list[Line]:
    """Target lines minus what was already charged, key by key; zero differences dropped."""
    wanted = defaultdict(lambda: [Decimal(0), Decimal(0)])
    samples = {}
    for line in target:
        wanted[line.key][0] += line.consumption
        wanted[line.key][1] += line.amount
        samples.setdefault(line.key, line)
    difference = []
    for key in {*wanted, *billed}:
        kwh = wanted[key][0] - billed.get(key, [Decimal(0), Decimal(0)])[0]
        amount = wanted[key][1] - billed.get(key, [Decimal(0), Decimal(0)])[1]
        if amount or kwh:
            meter_id, zone, rate, estimated, description = key
            sample = samples.get(key)
            difference.append(
                Line(
                    description=description,
                    amount=amount,
                    zone=zone,
                    meter_id=meter_id,
                    date_from=sample.date_from if sample else None,
                    date_to=sample.date_to if sample else None,
                    consumption=kwh,
                    rate=rate,
                    is_estimated=estimated,
                )
            )
    return sorted(difference, key=lambda line: (line.meter_id or 0, line.zone, line.description))


def _document(context, owner, *, type, sales_kind, number, amount, amount_due, corrects_id=None) -> Document:
    group = owner.group
    vat = Decimal(0)
    if owner.contract_id:
        vat = calc.money(amount * context.vat_percent / (100 + context.vat_percent))
    return Document(
        number=number,
        type=type,
        account_id=owner.account_id,
        contract_id=owner.contract_id,
        period=context.period,
        sales_kind=sales_kind,
        issued_on=context.end,
        amount=amount,
        amount_due=amount_due,
        vat_amount=vat,
        due_date=day_of_month(add_months(context.period, 1), group.payment_due_day),
        corrects_id=corrects_id,
        billing_run=context.run,
    )


def _number(type_: str, context: Context, owner: Owner, suffix: str = "") -> str:
    return f"{NUMBER_PREFIX[type_]}-{context.period:%y%m}-{owner.number}{suffix}"


def _originals(context, owner, sales_kind, lines) -> list[tuple[Document, list[Line]]]:
    amount = sum((line.amount for line in lines), Decimal(0))
    if sales_kind == SalesKind.PENALTY:
        type_ = DocumentType.PENALTY_CLAIM
    else:
        type_ = DocumentType.RECEIPT if owner.account_id else DocumentType.TAX_INVOICE
    types = [(type_, max(amount, Decimal(0)))]
    if type_ == DocumentType.TAX_INVOICE:
        types.append((DocumentType.ACCEPTANCE_ACT, Decimal(0)))  # the act carries the same lines, nothing to pay
    return [
        (
            _document(
                context,
                owner,
                type=document_type,
                sales_kind=sales_kind,
                number=_number(document_type, context, owner),
                amount=amount,
                amount_due=due,
            ),
            lines,
        )
        for document_type, due in types
    ]


def _correction(context, owner, sales_kind, lines, original_id, existing_count) -> tuple[Document, list[Line]]:
    amount = sum((line.amount for line in lines), Decimal(0))
    if sales_kind == SalesKind.PENALTY:
        type_ = DocumentType.PENALTY_CLAIM
    else:
        type_ = DocumentType.RECEIPT if owner.account_id else DocumentType.CORRECTION_TAX_INVOICE
    number = _number(type_, context, owner, f"-К{existing_count}")
    document = _document(
        context,
        owner,
        type=type_,
        sales_kind=sales_kind,
        number=number,
        amount=amount,
        amount_due=max(amount, Decimal(0)),
        corrects_id=original_id,
    )
    return document, lines


def _fill_receipt_totals(context: Context, documents: list[Document]) -> None:
    """«Общая информация» of household receipts: opening saldo, charged, payments counted, closing."""
    receipts = [d for d in documents if d.type == DocumentType.RECEIPT and d.corrects_id is None]
    if not receipts:
        return
    charged_before = dict(
        Document.objects.filter(account__isnull=False, sales_kind=SalesKind.MAIN, period__lt=context.period)
        .values_list("account_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    posted = Payment.objects.filter(account__isnull=False, status=PaymentStatus.POSTED)
    paid_before = dict(
        posted.filter(paid_on__lt=context.start).values_list("account_id").annotate(total=Sum("amount")).order_by()
    )
    paid_now = dict(
        posted.filter(paid_on__gte=context.start, paid_on__lte=context.end)
        .values_list("account_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for receipt in receipts:
        opening = charged_before.get(receipt.account_id, Decimal(0)) - paid_before.get(receipt.account_id, Decimal(0))
        counted = paid_now.get(receipt.account_id, Decimal(0))
        receipt.opening_balance, receipt.payments_counted = opening, counted
        receipt.closing_balance = opening + receipt.amount - counted


def _store(new_documents: list[tuple[Document, list[Line]]]) -> None:
    Document.objects.bulk_create([document for document, _lines in new_documents], batch_size=5000)
    DocumentLine.objects.bulk_create(
        [
            DocumentLine(
                document_id=document.pk,
                description=line.description,
                zone=line.zone,
                meter_id=line.meter_id,
                date_from=line.date_from,
                date_to=line.date_to,
                consumption=line.consumption,
                rate=line.rate,
                amount=line.amount,
                is_estimated=line.is_estimated,
            )
            for document, lines in new_documents
            for line in lines
        ],
        batch_size=10000,
    )


def _reduce_for_negative_corrections(new_documents) -> None:
    for document, _lines in new_documents:
        if document.corrects_id and document.amount < 0:
            document_reduce(document=Document.objects.get(pk=document.corrects_id), by=-document.amount)


# --- After the documents ----------------------------------------------------


def _mark_readings_billed(context: Context) -> None:
    context.stats["readings_billed"] = Reading.objects.filter(
        taken_on__gte=context.start, taken_on__lte=context.end, billed_period__isnull=True
    ).update(billed_period=context.period)


def _apply_credits(context: Context) -> None:
    with_credit = Payment.objects.filter(status=PaymentStatus.POSTED, unallocated__gt=0).values_list(
        "account_id", "contract_id"
    )
    account_ids, contract_ids = set(), set()
    for account_id, contract_id in with_credit.distinct().order_by():
        (account_ids if account_id else contract_ids).add(account_id or contract_id)
    context.stats["allocations"] = credits_apply(account_ids=account_ids, contract_ids=contract_ids, on=context.end)
