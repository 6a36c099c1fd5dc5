"""Акт сверки взаимных расчётов: opening balance, documents and payments in date order, closing balance.

Only documents that move the debt are rows of the act. An organisation's sale is printed three times
(счёт-фактура, акт приёма-передачи, often a счёт на оплату beforehand); the tax invoice and its
corrections are the accounting documents, so the sale counts once. A household's debt moves by its
monthly receipts; a penalty by its claim. Payments count once they are posted.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from backoffice.models import Document, Payment, SupplierRequisites
from backoffice.models.choices import CHARGING_DOCUMENT_TYPES, DocumentType, PaymentStatus

from .data import party_data, supplier_data
from .words import NBSP, amount_in_words, date_text, money, money_plain, month_year

ZERO = Decimal("0")


@dataclass(frozen=True)
class Entry:
    """One row of the act: a debit (the customer owes more) or a credit (a payment, a decrease)."""

    on: datetime.date
    title: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO


def owner_filter(*, account, contract) -> Q:
    if (account is None) == (contract is None):
        raise ValueError("Акт сверки составляется либо по лицевому счёту, либо по договору.")
    return Q(account=account) if account is not None else Q(contract=contract)


def charges(owner: Q):
    return Document.objects.filter(owner, type__in=CHARGING_DOCUMENT_TYPES)


def posted_payments(owner: Q):
    return Payment.objects.filter(owner, status=PaymentStatus.POSTED)


def balance_before(*, owner: Q, day: datetime.date) -> Decimal:
    """Debt (+) or advance (−) at the start of `day`."""
    charged = charges(owner).filter(issued_on__lt=day).aggregate(total=Sum("amount"))["total"] or ZERO
    paid = posted_payments(owner).filter(paid_on__lt=day).aggregate(total=Sum("amount"))["total"] or ZERO
    return charged - paid


def document_title(row: dict) -> str:
    if row["type"] == DocumentType.RECEIPT:
        return f"Квитанция за {month_year(row['period'])} №{NBSP}{row['number']}"
    return f"{DocumentType(row['type']).label} №{NBSP}{row['number']} от {date_text(row['issued_on'])}"


def payment_title(row: dict) -> str:
    number = f" №{NBSP}{row['number']}" if row["number"] else ""
    return f"Оплата{number} от {date_text(row['paid_on'])}"


def entries(*, owner: Q, date_from: datetime.date, date_to: datetime.date) -> list[Entry]:
    """Documents and payments of the range in date order; on one day documents come before payments."""
    documents = charges(owner).filter(issued_on__range=(date_from, date_to)).order_by("issued_on", "number")
    payments = posted_payments(owner).filter(paid_on__range=(date_from, date_to)).order_by("paid_on", "id")
    rows = [
        Entry(row["issued_on"], document_title(row), debit=max(row["amount"], ZERO), credit=max(-row["amount"], ZERO))
        for row in documents.values("type", "number", "period", "issued_on", "amount")
    ]
    rows += [
        Entry(row["paid_on"], payment_title(row), credit=row["amount"])
        for row in payments.values("number", "paid_on", "amount")
    ]
    return sorted(rows, key=lambda entry: entry.on)  # stable: keeps documents before payments


def side(amount: Decimal) -> dict:
    """A balance printed in the debit column when the customer owes, in the credit column otherwise."""
    return {"debit": money_plain(amount) if amount > 0 else "", "credit": money_plain(-amount) if amount < 0 else ""}


def conclusion(*, supplier: dict, customer: dict, closing: Decimal, date_to: datetime.date) -> str:
    on = f"на {date_text(date_to)}"
    if not closing:
        return f"По данным {supplier['short_name']} {on} задолженность отсутствует."
    creditor = supplier["short_name"] if closing > 0 else customer["short_name"]
    return (
        f"По данным {supplier['short_name']} {on} задолженность в пользу {creditor} составляет "
        f"{money(abs(closing))} ({amount_in_words(abs(closing))})."
    )


def reconciliation_data(*, account=None, contract=None, date_from: datetime.date, date_to: datetime.date) -> dict:
    """Everything the act shows; the rows are plain text, ready to hash and print."""
    owner = owner_filter(account=account, contract=contract)
    supplier = supplier_data(SupplierRequisites.load())
    customer = party_data(account=account, contract=contract)
    opening = balance_before(owner=owner, day=date_from)
    rows = entries(owner=owner, date_from=date_from, date_to=date_to)
    debit, credit = sum((e.debit for e in rows), ZERO), sum((e.credit for e in rows), ZERO)
    closing = opening + debit - credit
    return {
        "title": "Акт сверки взаимных расчётов",
        "date_from": date_text(date_from),
        "date_to": date_text(date_to),
        "supplier": supplier,
        "customer": customer,
        "opening": side(opening),
        "rows": [
            {
                "on": date_text(e.on),
                "title": e.title,
                "debit": money_plain(e.debit) if e.debit else "",
                "credit": money_plain(e.credit) if e.credit else "",
            }
            for e in rows
        ],
        "turnover": {"debit": money_plain(debit), "credit": money_plain(credit)},
        "closing": side(closing),
        "conclusion": conclusion(supplier=supplier, customer=customer, closing=closing, date_to=date_to),
    }


def reconciliation_row_count(*, account=None, contract=None, date_from: datetime.date, date_to: datetime.date) -> int:
    """How many rows the act will have: views use it to decide between rendering now and in Celery."""
    owner = owner_filter(account=account, contract=contract)
    documents = charges(owner).filter(issued_on__range=(date_from, date_to)).count()
    return documents + posted_payments(owner).filter(paid_on__range=(date_from, date_to)).count()
