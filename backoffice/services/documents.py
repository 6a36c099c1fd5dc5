"""Documents written outside the billing run: the invoice for a paid service (F-F2).

The sales workflow (workflows.services.orders) calls `service_invoice_create` when a manager moves an order to
«Выставлен счёт»; the invoice is an ordinary «Счёт на оплату» of the contract or ЛС, with the sales kind «Услуги»,
so it shows in «Документы», counts in the debt and can be paid like any other document. The billing run leaves it
alone: invoices are not among the documents that carry a period's charge (models.choices.CHARGING_DOCUMENT_TYPES).
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Document, DocumentLine, SupplierRequisites
from ..models.choices import DocumentType, SalesKind
from .balances import balances_refresh
from .payments import document_reduce
from .periods import month_start

SERVICE_INVOICE_PREFIX = "СУ"
SERVICE_INVOICE_DUE_DAYS = 10  # banking days are the customer's business; ten calendar days is what the price list says
CENT = Decimal("0.01")


def service_invoice_number(reference: str) -> str:
    """«СУ-000042-26»: the prefix of service invoices and the order's own number."""
    return f"{SERVICE_INVOICE_PREFIX}-{reference}"


@transaction.atomic
def service_invoice_create(
    *,
    reference: str,
    description: str,
    amount: Decimal,
    account=None,
    contract=None,
    issued_on: datetime.date | None = None,
) -> Document:
    """Issue «Счёт на оплату» for a service to one contract or ЛС and update its debt; returns the document.

    `reference` (the order's number) makes the invoice's number, so one order cannot be invoiced twice: a second
    call with the same reference returns the first invoice unchanged.
    """
    if (account is None) == (contract is None):
        raise ValidationError(_("Счёт выставляется либо на лицевой счёт, либо на договор."))
    amount = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    if amount <= 0:
        raise ValidationError({"amount": _("Сумма счёта должна быть больше нуля.")})
    number = service_invoice_number(reference)
    existing = Document.objects.filter(number=number).first()
    if existing is not None:
        return existing
    issued_on = issued_on or timezone.localdate()
    percent = SupplierRequisites.load().vat_percent
    document = Document(
        number=number,
        type=DocumentType.INVOICE,
        account=account,
        contract=contract,
        period=month_start(issued_on),
        sales_kind=SalesKind.SERVICES,
        issued_on=issued_on,
        amount=amount,
        amount_due=amount,
        vat_amount=(amount * percent / (100 + percent)).quantize(CENT, rounding=ROUND_HALF_UP),
        due_date=issued_on + datetime.timedelta(days=SERVICE_INVOICE_DUE_DAYS),
    )
    document.full_clean()
    document.save()
    DocumentLine.objects.create(document=document, description=description[:255], amount=amount)
    owner = {"account_ids": [account.pk]} if account is not None else {"contract_ids": [contract.pk]}
    balances_refresh(**owner)
    return document


@transaction.atomic
def service_invoice_annul(*, document: Document) -> Document:
    """A cancelled order's invoice asks for nothing any more; whatever was paid on it returns as the customer's
    credit (advance or overpayment)."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    document_reduce(document=document, by=document.amount)
    owner = {"account_ids": [document.account_id]} if document.account_id else {"contract_ids": [document.contract_id]}
    balances_refresh(**owner)
    return document
