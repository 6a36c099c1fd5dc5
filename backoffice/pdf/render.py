"""Services that turn documents, payments and reconciliations into PDF bytes (WeasyPrint, cached)."""

import datetime
import re
from functools import cache

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML

from backoffice.models import Document, Payment, SupplierRequisites
from backoffice.models.choices import DocumentType

from . import cache as pdf_cache
from . import qr
from .data import organisation_document_data, payment_receipt_data, receipt_data
from .reconciliation import reconciliation_data, reconciliation_row_count
from .words import month_year

TEMPLATE_OF_TYPE = {
    DocumentType.RECEIPT: "documents/receipt.html",
    DocumentType.INVOICE: "documents/invoice.html",
    DocumentType.TAX_INVOICE: "documents/tax_invoice.html",
    DocumentType.CORRECTION_TAX_INVOICE: "documents/correction_tax_invoice.html",
    DocumentType.ACCEPTANCE_ACT: "documents/acceptance_act.html",
    DocumentType.PENALTY_CLAIM: "documents/penalty_claim.html",
}
GENERIC_TEMPLATE = "documents/generic.html"
# An act longer than this renders in Celery (tasks.reconciliation_act_render_pdf_task): ~1 s of layout per 100 rows.
RECONCILIATION_INLINE_ROWS = 100


@cache
def documents_stylesheet() -> CSS:
    """documents.css, parsed once per process instead of once per render (a tenth of a receipt's time).

    Applied with the «user» origin, so a template's own <style> (a landscape @page) overrides it.
    """
    return CSS(filename=pdf_cache.DOCUMENTS_DIR / "documents.css")


def html_to_pdf(html: str, *, key: str) -> bytes:
    """WeasyPrint with everything in hand (CSS parsed, QR as a data URI): no file or network access."""
    document = HTML(string=html, base_url=None)
    return document.write_pdf(stylesheets=[documents_stylesheet()], pdf_identifier=key[:32].encode())


def render_cached(*, template_name: str, data: dict) -> bytes:
    """Return the cached PDF for exactly this data and layout, rendering and storing it on a miss."""
    key = pdf_cache.pdf_cache_key(template_name=template_name, data=data)
    pdf = pdf_cache.pdf_cache_read(key)
    if pdf is None:
        context = {"doc": data}
        if data.get("qr_payload"):
            context["qr_image"] = qr.qr_data_uri(data["qr_payload"])
        with translation.override("ru"):
            pdf = html_to_pdf(render_to_string(template_name, context), key=key)
        pdf_cache.pdf_cache_write(key, pdf)
    return pdf


def pdf_warm_up() -> None:
    """Pay WeasyPrint's one-time costs (fontconfig, Pango, the stylesheet's fonts) before the first customer does.

    The first render in a process is ~0.1–0.4 s slower than the next ones; a worker or web process
    may call this once when it starts. Renders a tiny page with the documents' CSS; stores nothing.
    """
    with translation.override("ru"):
        html = render_to_string("documents/warm_up.html")
    HTML(string=html, base_url=None).write_pdf(stylesheets=[documents_stylesheet()])


def template_for(document: Document) -> str:
    if document.type == DocumentType.RECEIPT and document.account_id is None:
        return GENERIC_TEMPLATE  # a contract has no household receipt layout
    return TEMPLATE_OF_TYPE.get(document.type, GENERIC_TEMPLATE)


def document_render_pdf(*, document: Document) -> bytes:
    """The PDF of a billing document (F-D2, F-D3): the household receipt with its payment QR code,
    or the organisation's invoice, tax invoice, correction, act or claim. Cached by content hash.

    Printed documents are legal Russian forms, so they are always rendered in Russian.
    """
    template_name, data = document_template_and_data(document)
    return render_cached(template_name=template_name, data=data)


def document_template_and_data(document: Document) -> tuple[str, dict]:
    """The template a document prints with and the data it fills in: what the PDF cache key is made of."""
    template_name = template_for(document)
    requisites = SupplierRequisites.load()
    with translation.override("ru"):
        if template_name == "documents/receipt.html":
            data = receipt_data(document=document, requisites=requisites)
        else:
            data = organisation_document_data(document=document, requisites=requisites)
    return template_name, data


def payment_receipt_render_pdf(*, payment: Payment) -> bytes:
    """«Чек об оплате» (F-E3) for a payment, e-mailed to «Отправить чек на». Cached by content hash."""
    with translation.override("ru"):
        data = payment_receipt_data(payment=payment, requisites=SupplierRequisites.load())
    return render_cached(template_name="documents/payment_receipt.html", data=data)


def reconciliation_act_render_pdf(
    *, account=None, contract=None, date_from: datetime.date, date_to: datetime.date
) -> bytes:
    """«Акт сверки» of an account or a contract for a date range, with both sides' signature blocks.

    Synchronous; acts longer than RECONCILIATION_INLINE_ROWS belong in the Celery task
    (see reconciliation_act_is_big). Cached by content hash, so a new payment yields a new act.
    """
    with translation.override("ru"):
        data = reconciliation_data(account=account, contract=contract, date_from=date_from, date_to=date_to)
    return render_cached(template_name="documents/reconciliation_act.html", data=data)


def reconciliation_act_is_big(*, account=None, contract=None, date_from: datetime.date, date_to: datetime.date) -> bool:
    """True when the act has so many rows that a view should render it in the background."""
    rows = reconciliation_row_count(account=account, contract=contract, date_from=date_from, date_to=date_to)
    return rows > RECONCILIATION_INLINE_ROWS


def document_pdf_filename(*, document: Document) -> str:
    """A download name a customer recognises: «Квитанция за январь 2020, ЛС 100000001.pdf»."""
    with translation.override("ru"):
        if document.type == DocumentType.RECEIPT and document.account_id:
            name = f"Квитанция за {month_year(document.period)}, ЛС {document.account.number}"
        else:
            name = f"{document.get_type_display()} № {document.number}"
    return re.sub(r'[\\/:*?"<>|]+', "_", name) + ".pdf"
