"""Printed documents: household receipts with payment QR codes, organisations' billing documents,
reconciliation acts and payment cheques, rendered by WeasyPrint and cached by content hash."""

from .render import (
    document_pdf_filename,
    document_render_pdf,
    payment_receipt_render_pdf,
    pdf_warm_up,
    reconciliation_act_is_big,
    reconciliation_act_render_pdf,
)

__all__ = [
    "document_pdf_filename",
    "document_render_pdf",
    "payment_receipt_render_pdf",
    "pdf_warm_up",
    "reconciliation_act_is_big",
    "reconciliation_act_render_pdf",
]
