"""The canonical data of each printed document: plain strings, exactly what the page shows.

Every builder returns JSON-ready dicts of already formatted text. Hashing that (cache.py)
gives the PDF's cache key, so whatever changes on paper changes the key and nothing else does.
Labels come from the models' choices, so callers build the data inside translation.override("ru").
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from backoffice.models import Document, DocumentLine, Payment, Reading, SupplierRequisites
from backoffice.models.choices import DocumentType, PaymentStatus, Quantity, ReadingStatus, SalesKind, Zone

from . import qr
from .words import (
    DASH,
    NBSP,
    amount_in_words,
    date_text,
    decimal_text,
    money,
    money_plain,
    month_year,
    quantity_text,
    rate_text,
)

CENT = Decimal("0.01")
ZERO = Decimal("0")
# Penalties are a sanction, not a sale: no VAT is charged on them.
VAT_FREE_SALES = {SalesKind.PENALTY}
# How far back a receipt looks for the previous reading of each zone.
READINGS_LOOKBACK = datetime.timedelta(days=70)
LINE_DESCRIPTION = {
    SalesKind.PENALTY: "Пени за несвоевременную оплату электрической энергии",
    SalesKind.ADVANCE: "Авансовый платёж за электрическую энергию",
    SalesKind.SERVICES: "Услуги",
}


def cents(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def supplier_data(requisites: SupplierRequisites) -> dict:
    """The supplier's requisites as printed in every letterhead and payment block."""
    return {
        "full_name": requisites.full_name,
        "short_name": requisites.short_name,
        "inn": requisites.inn,
        "kpp": requisites.kpp,
        "ogrn": requisites.ogrn,
        "address": requisites.legal_address,
        "bank_name": requisites.bank_name,
        "bik": requisites.bik,
        "bank_account": requisites.bank_account,
        "correspondent_account": requisites.correspondent_account,
        "director": requisites.director,
        "chief_accountant": requisites.chief_accountant,
    }


def party_data(*, account=None, contract=None) -> dict:
    """The customer's side of a document: an organisation under a contract or a household under an account."""
    if contract is not None:
        customer = contract.customer
        signed = f" от {date_text(contract.signed_on)}" if contract.signed_on else ""
        basis = f"Договор энергоснабжения №{NBSP}{contract.number}{signed}"
        basis_phrase = f"энергоснабжения №{NBSP}{contract.number}{signed}"
        owner_label, owner_number, address = "Договор", contract.number, customer.legal_address
    else:
        customer = account.customer
        basis = f"Лицевой счёт №{NBSP}{account.number}"
        basis_phrase = f"энергоснабжения (лицевой счёт №{NBSP}{account.number})"
        owner_label, owner_number, address = "Лицевой счёт", account.number, account.address
    return {
        "name": customer.full_name or customer.display_name,
        "short_name": customer.display_name,
        "inn": customer.inn,
        "kpp": customer.kpp,
        "address": address or customer.postal_address,
        "bank_name": customer.bank_name,
        "bik": customer.bik,
        "bank_account": customer.bank_account,
        "correspondent_account": customer.correspondent_account,
        "basis": basis,
        "basis_phrase": basis_phrase,
        "owner_label": owner_label,
        "owner_number": owner_number,
    }


def vat_percent_of(document: Document, requisites: SupplierRequisites) -> Decimal:
    return ZERO if document.sales_kind in VAT_FREE_SALES else requisites.vat_percent


def document_vat(document: Document, percent: Decimal) -> Decimal:
    """VAT inside the document's amount: as stored by the billing, else computed from the rate."""
    if document.vat_amount:
        return document.vat_amount
    return cents(document.amount * percent / (100 + percent))


def vat_shares(amounts: list[Decimal], vat_total: Decimal) -> list[Decimal]:
    """Split the document's VAT over its lines in proportion; the last line takes the rounding rest."""
    total = sum(amounts, ZERO)
    if not total:
        return [ZERO for _ in amounts]
    shares = [cents(amount * vat_total / total) for amount in amounts]
    shares[-1] += vat_total - sum(shares, ZERO)
    return shares


def document_lines(document: Document) -> list[DocumentLine]:
    """The document's lines; a document billed as a whole prints as one line."""
    lines = list(document.lines.select_related("meter"))
    if lines:
        return lines
    description = LINE_DESCRIPTION.get(document.sales_kind, "Электрическая энергия")
    return [DocumentLine(description=f"{description} за {month_year(document.period)}", amount=document.amount)]


def line_row(number: int, line: DocumentLine, vat: Decimal) -> dict:
    without_vat = line.amount - vat
    has_volume = bool(line.consumption)
    return {
        "number": number,
        "description": line.description,
        "zone": str(Zone(line.zone).label) if line.zone else "",
        "meter": line.meter.serial if line.meter_id else "",
        "dates": f"{date_text(line.date_from)} – {date_text(line.date_to)}" if line.date_from else "",
        "quantity": quantity_text(line.consumption) if has_volume else "",
        "unit": "кВт·ч" if has_volume else "",
        "rate": rate_text(line.rate) if line.rate else "",
        "price_without_vat": rate_text(without_vat / line.consumption) if has_volume else "",
        "amount": money_plain(line.amount),
        "without_vat": money_plain(without_vat),
        "vat": money_plain(vat),
        "is_estimated": line.is_estimated,
    }


def line_rows(lines: list[DocumentLine], vat_total: Decimal) -> list[dict]:
    shares = vat_shares([line.amount for line in lines], vat_total)
    return [line_row(number, line, vat) for number, (line, vat) in enumerate(zip(lines, shares, strict=True), 1)]


def consumption_of(lines) -> Decimal:
    return sum((line.consumption for line in lines), ZERO)


def totals(lines: list[DocumentLine], amount: Decimal, vat: Decimal) -> dict:
    consumption = consumption_of(lines)
    return {
        "quantity": quantity_text(consumption) if consumption else "",
        "amount": money_plain(amount),
        "without_vat": money_plain(amount - vat),
        "vat": money_plain(vat),
    }


# --- Household receipt (F-D3) -------------------------------------------------------------------


def receipt_summary(document: Document) -> tuple[list[dict], dict, Decimal]:
    """«Общая информация» with the manuals' labels, the closing line, and the amount to pay."""
    opening = document.opening_balance or ZERO
    payments = document.payments_counted or ZERO
    closing = document.closing_balance
    if closing is None:
        closing = opening + document.amount - payments
    opening_label = "Сумма переплаты на начало периода" if opening < 0 else "Сумма задолженности на начало периода"
    rows = [
        {"label": opening_label, "value": money(abs(opening))},
        {"label": "Всего начислено за текущий период", "value": money(document.amount)},
        {"label": "Сумма поступивших платежей, учтенных при расчете", "value": money(payments)},
    ]
    total = {"label": "Итого переплата" if closing < 0 else "Итого к оплате", "value": money(abs(closing))}
    return rows, total, max(closing, ZERO)


def reading_text(reading: Reading) -> str:
    places = reading.meter.digits_fraction
    return decimal_text(reading.value, min_places=places, max_places=places)


def meter_readings(*, account, since: datetime.date, until: datetime.date) -> list[dict]:
    """The two latest accepted readings of each zone of the account's meters, the newest first."""
    readings = (
        Reading.objects.filter(
            meter__account=account,
            status=ReadingStatus.ACCEPTED,
            quantity=Quantity.ACTIVE_IN,
            taken_on__range=(since, until),
        )
        .select_related("meter")
        .order_by("meter__serial", "-taken_on")
    )
    latest: dict[tuple[str, str], list[Reading]] = {}
    for reading in readings:
        pair = latest.setdefault((reading.meter.serial, reading.zone), [])
        if len(pair) < 2:
            pair.append(reading)
    zone_order = list(Zone.values)
    rows = []
    for (serial, zone), (current, *previous) in sorted(
        latest.items(), key=lambda i: (i[0][0], zone_order.index(i[0][1]))
    ):
        rows.append(
            {
                "meter": f"{current.meter.model} №{NBSP}{serial}",
                "zone": str(Zone(zone).label),
                "previous": f"{reading_text(previous[0])} ({date_text(previous[0].taken_on)})" if previous else DASH,
                "current": f"{reading_text(current)} ({date_text(current.taken_on)})",
            }
        )
    return rows


def receipt_rows(lines: list[DocumentLine]) -> list[dict]:
    """Zone rows; the dates show only where a tariff change split one zone into several rows."""
    rows = line_rows(lines, ZERO)
    descriptions = [row["description"] for row in rows]
    for row in rows:
        if descriptions.count(row["description"]) == 1:
            row["dates"] = ""
    return rows


def receipt_data(*, document: Document, requisites: SupplierRequisites) -> dict:
    """Everything a household receipt shows, including the ГОСТ payment QR payload."""
    account = document.account
    customer = account.customer
    supplier = supplier_data(requisites)
    period = month_year(document.period)
    summary, total, to_pay = receipt_summary(document)
    lines = document_lines(document)
    payload = qr.payment_payload(
        supplier=supplier,
        amount=to_pay,
        purpose=f"Оплата за электроэнергию за {period}, ЛС {account.number}",
        account_number=account.number,
        payer={"last_name": customer.last_name, "first_name": customer.first_name, "middle_name": customer.middle_name},
        payer_address=account.address,
    )
    branch = account.branch
    return {
        "title": f"Квитанция за {period}",
        "number": document.number,
        "issued_on": date_text(document.issued_on),
        "period": period,
        "supplier": supplier,
        "account_number": account.number,
        "payer": customer.display_name,
        "address": account.address,
        "residents": account.residents,
        "summary": summary,
        "total": total,
        "lines": receipt_rows(lines),
        "lines_total": totals(lines, document.amount, ZERO),
        "has_estimated": any(line.is_estimated for line in lines),
        "readings": meter_readings(
            account=account, since=document.period - READINGS_LOOKBACK, until=document.issued_on
        ),
        "to_pay": money(to_pay),
        "due_date": date_text(document.due_date) if document.due_date else "",
        "qr_payload": payload,
        "branch": {"name": branch.name, "phone": branch.phone, "address": branch.address} if branch else None,
    }


# --- Organisations' documents (F-D2) ------------------------------------------------------------


def money_block(*, amount: Decimal, vat: Decimal) -> dict:
    return {"with_vat": money_plain(amount), "vat": money_plain(vat), "without_vat": money_plain(amount - vat)}


def correction_data(*, document: Document, lines: list[DocumentLine], percent: Decimal, vat: Decimal) -> dict:
    """«До изменения», «после изменения», «увеличение»/«уменьшение» of a corrective tax invoice."""
    original = document.corrects
    change = money_block(amount=abs(document.amount), vat=abs(vat))
    volume_change = consumption_of(lines)
    data = {
        "number": original.number if original else DASH,
        "issued_on": date_text(original.issued_on) if original else DASH,
        "increase": change if document.amount > 0 else None,
        "decrease": change if document.amount < 0 else None,
        "quantity_change": quantity_text(abs(volume_change)) if volume_change else "",
        "before": None,
        "after": None,
        "quantity_before": "",
        "quantity_after": "",
    }
    if original is not None:
        original_vat = document_vat(original, percent)
        volume_before = consumption_of(original.lines.all())
        data["before"] = money_block(amount=original.amount, vat=original_vat)
        data["after"] = money_block(amount=original.amount + document.amount, vat=original_vat + vat)
        if volume_before or volume_change:
            data["quantity_before"] = quantity_text(volume_before)
            data["quantity_after"] = quantity_text(volume_before + volume_change)
    return data


def organisation_document_data(*, document: Document, requisites: SupplierRequisites) -> dict:
    """An invoice, tax invoice, correction, act, claim or any other document with its VAT breakdown."""
    percent = vat_percent_of(document, requisites)
    vat = document_vat(document, percent)
    lines = document_lines(document)
    rows = line_rows(lines, vat)
    data = {
        "type": document.type,
        "title": str(DocumentType(document.type).label),
        "number": document.number,
        "issued_on": date_text(document.issued_on),
        "period": month_year(document.period),
        "sales_kind": str(SalesKind(document.sales_kind).label),
        "supplier": supplier_data(requisites),
        "customer": party_data(account=document.account, contract=document.contract),
        "rows": rows,
        "totals": totals(lines, document.amount, vat),
        "vat_rate": f"{decimal_text(percent, min_places=0, max_places=2)}%" if percent else "без НДС",
        "amount": money(document.amount),
        "vat": money(vat),
        "amount_in_words": amount_in_words(document.amount),
        "vat_in_words": amount_in_words(vat),
        "amount_due": money(document.amount_due),
        "due_date": date_text(document.due_date) if document.due_date else "",
        "correction": None,
    }
    if document.type == DocumentType.CORRECTION_TAX_INVOICE or document.corrects_id:
        data["correction"] = correction_data(document=document, lines=lines, percent=percent, vat=vat)
    return data


# --- «Чек об оплате» (F-E3) ---------------------------------------------------------------------


def payment_receipt_data(*, payment: Payment, requisites: SupplierRequisites) -> dict:
    """What a payer's cheque shows: who was paid, when, how much, for what, and the payment's status."""
    party = party_data(account=payment.account, contract=payment.contract)
    created = timezone.localtime(payment.created_at) if payment.created_at else None
    order = _acquiring_order(payment)
    if order is not None and order.completed_at:  # a card payment: the moment the bank charged it
        created = timezone.localtime(order.completed_at)
    return {
        "title": "Чек об оплате",
        "number": payment.number or str(payment.pk),
        "provider_id": (order.provider_order_id if order is not None else payment.provider_id) or "",
        "card": order.card_mask if order is not None else "",
        "supplier": supplier_data(requisites),
        "paid_on": date_text(payment.paid_on),
        "operation_time": created.strftime("%d.%m.%Y %H:%M:%S") if created else "",
        "amount": money(payment.amount),
        "amount_in_words": amount_in_words(payment.amount),
        "purpose": payment.purpose
        or f"Оплата за электроэнергию, {party['owner_label']} №{NBSP}{party['owner_number']}",
        "owner_label": party["owner_label"],
        "owner_number": party["owner_number"],
        "payer": party["short_name"],
        "channel": payment.get_channel_display(),
        "bank": payment.bank,
        "status": payment.get_status_display(),
        "is_posted": payment.status == PaymentStatus.POSTED,
        "receipt_email": payment.receipt_email,
    }


def _acquiring_order(payment: Payment):
    """The acquirer's order of a portal card payment (F-E2), if the payment has one."""
    try:
        return payment.acquiring_order
    except ObjectDoesNotExist:
        return None
