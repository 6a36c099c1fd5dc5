"""The billing run (F-D4) over all the data present, for the latest month of the seed_scale readings.

The run writes documents, lines, estimates and balances, so it is measured inside a
transaction that is rolled back: every `make bench` starts from the same data. The
second run of the same period (idempotent: it writes nothing but its BillingRun row)
is measured inside the same transaction. Target: ≤ 60 s for 100 000 accounts.
"""

import time

from django.db import transaction

from backoffice.models import Contract, Document, PersonalAccount
from backoffice.scale import scale_latest_period
from backoffice.services.billing import billing_run


class _RollBack(Exception):
    pass


def run() -> dict:
    period = scale_latest_period()
    if period is None:
        raise RuntimeError("No seed_scale readings: run `manage.py seed_scale` first (make bench does).")
    owners = PersonalAccount.objects.filter(closed_on__isnull=True).count()
    owners += Contract.objects.filter(is_active=True).count()
    figures = {}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            first = billing_run(period=period)
            figures["run_s"] = time.perf_counter() - started
            figures["documents"] = Document.objects.filter(billing_run=first).count()
            started = time.perf_counter()
            second = billing_run(period=period)
            figures["rerun_s"] = time.perf_counter() - started
            figures["rerun_documents"] = Document.objects.filter(billing_run=second).count()
            raise _RollBack
    except _RollBack:
        pass
    return {
        "billing.period": {"value": period.year * 100 + period.month, "unit": "YYYYMM"},
        "billing.accounts": {"value": owners, "unit": "accounts and contracts"},
        "billing.run_s": {"value": round(figures["run_s"], 2), "unit": "s"},
        "billing.accounts_per_s": {"value": round(owners / figures["run_s"]), "unit": "accounts/s"},
        "billing.documents": {"value": figures["documents"], "unit": "documents"},
        "billing.rerun_s": {"value": round(figures["rerun_s"], 2), "unit": "s"},
        "billing.rerun_documents": {"value": figures["rerun_documents"], "unit": "documents"},
    }
