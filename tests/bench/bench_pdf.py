"""PDF documents: a household receipt's first render and its cached re-download, organisations' forms,
a long reconciliation act. The data is made here, inside a transaction that is rolled back at the end,
and the PDF cache goes to a temporary folder, so the run leaves nothing behind.
"""

import datetime
import importlib
import sys
import tempfile
import time
from decimal import Decimal

from django.db import transaction
from django.test import override_settings

from backoffice.models import DocumentLine, Payment
from backoffice.models.choices import DocumentType, Zone, ZoneSet
from tests.backoffice.factories import (
    ContractFactory,
    DocumentFactory,
    MeterFactory,
    PaymentFactory,
    PersonalAccountFactory,
    ReadingFactory,
)
from tests.bench.harness import ROUNDS, timed

RENDER_ROUNDS = min(ROUNDS, 20)
CACHED_ROUNDS = min(ROUNDS, 200)
RECONCILIATION_ROWS = 300


class Rollback(Exception):
    """Raised to undo the benchmark's data."""


def ms(seconds: float) -> dict:
    return {"value": round(seconds * 1000, 2), "unit": "ms"}


def household_receipt():
    account = PersonalAccountFactory()
    document = DocumentFactory(account=account, opening_balance=Decimal("19.85"), payments_counted=Decimal("0"))
    for zone, amount in ((Zone.DAY, Decimal("480.00")), (Zone.NIGHT, Decimal("163.20"))):
        DocumentLine.objects.create(
            document=document, description=zone.label, zone=zone, consumption=100, rate=Decimal("3.20"), amount=amount
        )
    meter = MeterFactory(account=account, zone_set=ZoneSet.TWO)
    for zone in (Zone.DAY, Zone.NIGHT):
        ReadingFactory(meter=meter, zone=zone, value=1000, taken_on=datetime.date(2019, 12, 25))
        ReadingFactory(meter=meter, zone=zone, value=1100, taken_on=datetime.date(2020, 1, 25))
    return document


def contract_with_history(rows: int):
    contract = ContractFactory()
    start = datetime.date(2021, 1, 1)
    DocumentFactory(account=None, contract=contract, type=DocumentType.TAX_INVOICE, issued_on=start, amount=10**6)
    Payment.objects.bulk_create(
        PaymentFactory.build(
            account=None, contract=contract, paid_on=start + datetime.timedelta(days=i % 365), amount=100 + i
        )
        for i in range(rows - 1)
    )
    return contract


def first_renders(render, document) -> float:
    """Median of renders that miss the cache: each round prints a different amount (kept in memory only)."""
    base = Decimal(document.amount)
    counter = iter(range(1, 10**6))

    def render_new():
        document.amount = base + Decimal(next(counter)) / 100
        return render(document=document)

    return timed(render_new, repeat=RENDER_ROUNDS)[0]


def measure() -> dict:
    started = time.perf_counter()
    already_loaded = "weasyprint" in sys.modules
    pdf = importlib.import_module("backoffice.pdf")
    results = {"pdf.import_ms": ms(time.perf_counter() - started)}
    receipt = household_receipt()
    cold, _ = timed(lambda: pdf.document_render_pdf(document=receipt))
    if not already_loaded:  # only meaningful when this is the process's first WeasyPrint call
        results["pdf.receipt_cold_process_first_render_ms"] = ms(cold)
    results["pdf.receipt_first_render_ms"] = ms(first_renders(pdf.document_render_pdf, receipt))
    results["pdf.receipt_cached_ms"] = ms(timed(lambda: pdf.document_render_pdf(document=receipt), CACHED_ROUNDS)[0])

    contract = contract_with_history(RECONCILIATION_ROWS)
    tax_invoice = contract.documents.get()
    results["pdf.tax_invoice_first_render_ms"] = ms(first_renders(pdf.document_render_pdf, tax_invoice))
    act = {"contract": contract, "date_from": datetime.date(2021, 1, 1), "date_to": datetime.date(2021, 12, 31)}
    results[f"pdf.reconciliation_{RECONCILIATION_ROWS}_rows_render_ms"] = ms(
        timed(lambda: pdf.reconciliation_act_render_pdf(**act))[0]
    )
    results[f"pdf.reconciliation_{RECONCILIATION_ROWS}_rows_cached_ms"] = ms(
        timed(lambda: pdf.reconciliation_act_render_pdf(**act), RENDER_ROUNDS)[0]
    )
    payment = PaymentFactory(account=receipt.account)
    results["pdf.payment_receipt_first_render_ms"] = ms(
        timed(lambda: pdf.payment_receipt_render_pdf(payment=payment))[0]
    )
    return results


def run() -> dict:
    results: dict = {}
    with tempfile.TemporaryDirectory() as cache_root, override_settings(PRIVATE_MEDIA_ROOT=cache_root):
        try:
            with transaction.atomic():
                results = measure()
                raise Rollback
        except Rollback:
            pass
    return results
