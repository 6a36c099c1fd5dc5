"""Payments received and how they pay off documents (oldest first, penalties last)."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext as _

from ..formatting import format_money
from ..models import Document, Payment, PaymentAllocation
from ..models.audit import AuditAction
from ..models.choices import PaymentChannel, PaymentStatus, SalesKind
from .audit import audit_customer_of, audit_record
from .balances import balances_refresh


@transaction.atomic
def payment_register(
    *,
    amount: Decimal,
    paid_on: datetime.date,
    account=None,
    contract=None,
    channel: str = PaymentChannel.BANK,
    bank: str = "",
    number: str = "",
    purpose: str = "",
    provider_id: str | None = None,
    receipt_email: str = "",
) -> Payment:
    """Store a posted payment and let it pay off open documents; the rest stays as credit.

    Idempotent by `provider_id`: a payment the acquirer reports twice is stored once.
    """
    if provider_id:
        existing = Payment.objects.filter(provider_id=provider_id).first()
        if existing:
            return existing
    payment = Payment(
        account=account,
        contract=contract,
        amount=amount,
        unallocated=amount,
        paid_on=paid_on,
        channel=channel,
        bank=bank,
        number=number,
        purpose=purpose,
        provider_id=provider_id,
        receipt_email=receipt_email,
        status=PaymentStatus.POSTED,
    )
    payment.full_clean()
    payment.save()
    owner = {"account_ids": [account.pk]} if account else {"contract_ids": [contract.pk]}
    credits_apply(**owner, on=paid_on)
    balances_refresh(**owner)
    payment.refresh_from_db(fields=["unallocated"])
    payment_audit(payment=payment, paid_off=payment.amount - payment.unallocated)
    return payment


def payment_audit(*, payment: Payment, paid_off: Decimal, payer=None, documents=()) -> None:
    """«Платёж»: money reached an account or a contract. The bank posts it, so the entry has no actor (the payer,
    when known, is named in the details)."""
    owner = payment.account or payment.contract
    changes = {
        _("Сумма"): format_money(payment.amount),
        _("Зачтено в документы"): format_money(paid_off),
        _("Аванс / переплата"): format_money(payment.unallocated),
        _("Способ"): str(payment.get_channel_display()),
    }
    if documents:
        changes[_("Документы")] = ", ".join(document.number for document in documents)
    if payer is not None:
        changes[_("Плательщик")] = payer.email
    audit_record(
        actor=None,
        action=AuditAction.PAYMENT,
        summary=_("Проведён платёж № %(number)s на %(amount)s: %(owner)s")
        % {"number": payment.number or payment.pk, "amount": format_money(payment.amount), "owner": owner},
        subject=payment,
        customer=audit_customer_of(payment),
        changes=changes,
    )


def _owner_key(row) -> tuple:
    return (row.account_id, row.contract_id)


def credits_apply(*, account_ids=None, contract_ids=None, on: datetime.date) -> int:
    """Pay open documents from unallocated payments of the same owner; return allocations made.

    Works on many owners at once (the billing run calls it for everyone with credit): two reads,
    then bulk writes. Main sales first by due date, penalties last.
    """
    owners = Q(account_id__in=list(account_ids or ())) | Q(contract_id__in=list(contract_ids or ()))
    credits = list(
        Payment.objects.select_for_update()
        .filter(owners, status=PaymentStatus.POSTED, unallocated__gt=0)
        .order_by("paid_on", "id")
    )
    if not credits:
        return 0
    penalties_last = Case(
        When(sales_kind=SalesKind.PENALTY, then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    open_documents = (
        Document.objects.select_for_update()
        .filter(owners, amount_due__gt=0)
        .order_by(penalties_last, "due_date", "period", "id")
    )
    documents_by_owner = defaultdict(list)
    for document in open_documents:
        documents_by_owner[_owner_key(document)].append(document)

    allocations, touched_documents, touched_payments = [], {}, {}
    for payment in credits:
        for document in documents_by_owner.get(_owner_key(payment), ()):
            if payment.unallocated == 0:
                break
            share = min(payment.unallocated, document.amount_due)
            if share <= 0:
                continue
            payment.unallocated -= share
            document.amount_due -= share
            allocations.append(PaymentAllocation(payment=payment, document=document, amount=share, allocated_on=on))
            touched_documents[document.pk], touched_payments[payment.pk] = document, payment
    PaymentAllocation.objects.bulk_create(allocations, batch_size=5000)
    Document.objects.bulk_update(touched_documents.values(), ["amount_due"], batch_size=5000)
    Payment.objects.bulk_update(touched_payments.values(), ["unallocated"], batch_size=5000)
    return len(allocations)


def document_reduce(*, document: Document, by: Decimal) -> None:
    """A negative correction lowers what `document` asks for; what was already paid returns as credit."""
    left = by
    take = min(left, document.amount_due)
    document.amount_due -= take
    left -= take
    document.save(update_fields=["amount_due"])
    for allocation in document.allocations.select_related("payment").order_by("-allocated_on", "-id"):
        if left <= 0:
            break
        take = min(left, allocation.amount)
        allocation.amount -= take
        allocation.payment.unallocated += take
        allocation.payment.save(update_fields=["unallocated"])
        if allocation.amount == 0:
            allocation.delete()
        else:
            allocation.save(update_fields=["amount"])
        left -= take
