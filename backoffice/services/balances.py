"""Saldo per account/contract and sales kind, derived from documents and payments."""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum

from ..models import Balance, Document, Payment
from ..models.choices import PaymentStatus, SalesKind


def _owner_filter(account_ids, contract_ids) -> Q | None:
    if account_ids is None and contract_ids is None:
        return None
    return Q(account_id__in=list(account_ids or ())) | Q(contract_id__in=list(contract_ids or ()))


@transaction.atomic
def balances_refresh(*, account_ids=None, contract_ids=None) -> int:
    """Recompute the saldo of the given owners (all owners when both are None); return rows written.

    Debt per sales kind is what documents still ask for; unallocated payments are the customer's
    credit: «Переплата» on a household account, «Аванс» on a contract.
    """
    owners = _owner_filter(account_ids, contract_ids)
    documents = Document.objects.filter(amount_due__gt=0)
    payments = Payment.objects.filter(status=PaymentStatus.POSTED, unallocated__gt=0)
    stale = Balance.objects.all()
    if owners is not None:
        documents, payments, stale = documents.filter(owners), payments.filter(owners), stale.filter(owners)

    totals: dict[tuple, Decimal] = defaultdict(Decimal)
    debts = documents.values_list("account_id", "contract_id", "sales_kind").annotate(total=Sum("amount_due"))
    for account_id, contract_id, sales_kind, total in debts.order_by():
        totals[(account_id, contract_id, sales_kind)] += total
    credits = payments.values_list("account_id", "contract_id").annotate(total=Sum("unallocated"))
    for account_id, contract_id, total in credits.order_by():
        kind = SalesKind.OVERPAYMENT if account_id else SalesKind.ADVANCE
        totals[(account_id, contract_id, kind)] -= total

    stale.delete()
    rows = [
        Balance(account_id=account_id, contract_id=contract_id, sales_kind=kind, amount=amount)
        for (account_id, contract_id, kind), amount in totals.items()
        if amount
    ]
    Balance.objects.bulk_create(rows, batch_size=5000)
    return len(rows)
