"""«Оплата», «Документы» and the acquirer's notification (issue 7) for a contract with ten years of monthly
documents and payments, against the same pages of a contract with one month.

The two contracts are built here once (idempotent, tagged by their numbers): every month a tax invoice and its
acceptance act, paid the next month by a bank payment allocated to it; the last two months still unpaid. Measured:

- the query count of «Оплата» and of «Документы» (the default last year, and all ten years page by page) for
  1 and 120 months — they must be equal;
- the median server time of those pages, against the trivial view (target ≤ 30 ms);
- a signed «succeeded» notification posting a payment «В процессе» of the ten-year contract through the whole
  Django stack (target ≤ 20 ms), and a repeated one. The payments the notifications create are deleted afterwards,
  so every `make bench` starts from the same data. Celery tasks are only queued (in memory), as a web process
  queues them for the workers.
"""

import datetime
import json
import statistics
import time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backoffice.acquiring.sandbox import bank
from backoffice.models import (
    AcquirerCallback,
    AcquiringOrder,
    Branch,
    Contract,
    Customer,
    CustomerGroup,
    Document,
    Notification,
    OutboxMessage,
    Payment,
    PaymentAllocation,
    PaymentTarget,
    SandboxNotification,
    SandboxOrder,
)
from backoffice.models.choices import CustomerKind, DocumentType, PaymentStatus
from backoffice.services.acquiring import Target, acquiring_payment_start
from backoffice.services.balances import balances_refresh
from backoffice.services.periods import add_months, month_start
from cms.celery import app as celery_app
from selfservice.access import access_sync
from selfservice.models import ContractRole
from tests.bench.harness import ROUNDS, TRIVIAL_URL, query_count, server_times

CALLBACKS = 200
CONTRACTS = {1: "78099990000001", 120: "78099990000120"}  # months of history → the contract's number
CALLBACK_PATH = "/acquiring/callback/sandbox/"


def _group() -> CustomerGroup:
    group, _created = CustomerGroup.objects.get_or_create(
        code="bench-payments",
        defaults={"name": "Прочие потребители (нагрузка)", "customer_kind": CustomerKind.ORGANISATION},
    )
    return group


@transaction.atomic
def _contract_with_history(months: int) -> tuple[Contract, object]:
    """A contract with `months` of documents and payments and its Бухгалтер; created on the first run only."""
    number = CONTRACTS[months]
    user_model = get_user_model()
    email = f"bench-payments-{months}@scale.energokabinet.example"
    contract = Contract.objects.filter(number=number).first()
    if contract is not None:
        return contract, user_model.objects.get(email=email)
    branch, _created = Branch.objects.get_or_create(name="Отделение нагрузки")
    customer = Customer.objects.create(
        kind=CustomerKind.ORGANISATION,
        group=_group(),
        full_name=f"Общество с ограниченной ответственностью «Нагрузка {months}»",
        short_name=f"ООО «Нагрузка {months}»",
        inn=f"7899{months:06d}",
        kpp="789901001",
    )
    contract = Contract.objects.create(number=number, customer=customer, branch=branch)
    last = add_months(month_start(timezone.localdate()), -1)
    documents, payments = [], []
    for index in range(months):
        period = add_months(last, index - months + 1)
        amount = Decimal(150_000 + (index * 7919) % 50_000) + Decimal("0.37")
        unpaid = index >= months - 2
        due = add_months(period, 1).replace(day=18)
        for type_, prefix, amount_due in (
            (DocumentType.TAX_INVOICE, "СФ", amount if unpaid else 0),
            (DocumentType.ACCEPTANCE_ACT, "АП", 0),
        ):
            documents.append(
                Document(
                    contract=contract,
                    number=f"{prefix}-{period:%y%m}-{number}",
                    type=type_,
                    period=period,
                    issued_on=add_months(period, 1),
                    amount=amount,
                    amount_due=amount_due,
                    due_date=due,
                )
            )
        if not unpaid:
            payments.append(
                Payment(
                    contract=contract,
                    bank="ПАО «Демо-Банк»",
                    number=f"{number[-6:]}{index:04d}",
                    paid_on=due - datetime.timedelta(days=3),
                    amount=amount,
                    unallocated=0,
                    purpose=f"Оплата по договору № {number}",
                )
            )
    Document.objects.bulk_create(documents)
    Payment.objects.bulk_create(payments)
    invoices = [d for d in documents if d.type == DocumentType.TAX_INVOICE and d.amount_due == 0]
    PaymentAllocation.objects.bulk_create(
        PaymentAllocation(payment=p, document=d, amount=p.amount, allocated_on=p.paid_on)
        for p, d in zip(payments, invoices, strict=True)
    )
    balances_refresh(contract_ids=[contract.pk])
    user = user_model.objects.create_user(
        email, "Bench-2026!", last_name="Бухгалтер", first_name="Нагрузка", phone="+79110000098"
    )
    user_model.objects.filter(pk=user.pk).update(email_confirmed_at=timezone.now())
    ContractRole.objects.create(user=user, contract=contract, role=ContractRole.Role.ACCOUNTANT)
    access_sync(user=user, contract=contract)
    return contract, user_model.objects.get(pk=user.pk)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pages(contract) -> dict[str, str]:
    first = add_months(month_start(timezone.localdate()), -130)
    return {
        "payments_page": reverse("selfservice:payments"),
        "documents_page": reverse("selfservice:history"),
        "documents_all_years": reverse("selfservice:history") + f"?first={first:%Y-%m}&page=5",
    }


def _median(values) -> float:
    return round(statistics.median(values), 3)


def _callbacks(contract, user) -> dict:
    """Post CALLBACKS signed notifications through the whole stack; every payment they post is removed after."""
    invoice = Document.objects.filter(contract=contract, amount_due__gt=0).order_by("due_date").first()
    orders = [
        acquiring_payment_start(
            user=user,
            contract=contract,
            mode=AcquiringOrder.Mode.DEBT,
            amount=Decimal("1000.00"),
            purpose=f"Оплата задолженности по договору № {contract.number}",
            receipt_email=user.email,
            return_url_for=lambda reference: f"http://testserver/payments/result/{reference}/",
            callback_url="http://testserver" + CALLBACK_PATH,
            targets=[Target(document=invoice, amount=Decimal("1000.00"))],
        )
        for _ in range(CALLBACKS)
    ]
    due_before = invoice.amount_due
    client = Client()
    first, repeated = [], []
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False  # queue the letters and tasks, as the web process does
    try:
        for order in orders:
            body = bank.payload(SandboxOrder.objects.get(order_id=order.provider_order_id), event="succeeded")
            body = {"event_id": f"evt_bench_{order.reference}", **body}
            raw = json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
            headers = {"X-Sandbox-Signature": bank.sign(raw)}
            for sink in (first, repeated):
                started = time.perf_counter()
                response = client.post(CALLBACK_PATH, data=raw, content_type="application/json", headers=headers)
                sink.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.content
        posted = Payment.objects.filter(pk__in=[o.payment_id for o in orders], status=PaymentStatus.POSTED).count()
        allocations = PaymentAllocation.objects.filter(payment__in=[o.payment_id for o in orders]).count()
    finally:
        celery_app.conf.task_always_eager = eager
        _remove(orders, invoice, due_before)
    assert posted == CALLBACKS, f"{posted} of {CALLBACKS} payments posted"
    return {"first": first, "repeated": repeated, "allocations": allocations}


@transaction.atomic
def _remove(orders, invoice, due_before) -> None:
    payments = [order.payment_id for order in orders]
    users = {order.user_id for order in orders}
    AcquirerCallback.objects.filter(order__in=orders).delete()
    PaymentTarget.objects.filter(order__in=orders).delete()
    sandbox = [order.provider_order_id for order in orders]
    SandboxNotification.objects.filter(order__order_id__in=sandbox).delete()
    SandboxOrder.objects.filter(order_id__in=sandbox).delete()
    AcquiringOrder.objects.filter(pk__in=[order.pk for order in orders]).delete()
    PaymentAllocation.objects.filter(payment__in=payments).delete()
    Payment.objects.filter(pk__in=payments).delete()
    Notification.objects.filter(user__in=users, kind=Notification.Kind.PAYMENT).delete()
    OutboxMessage.objects.filter(user__in=users, template__in=["payment_receipt", "notification"]).delete()
    Document.objects.filter(pk=invoice.pk).update(amount_due=due_before)
    balances_refresh(contract_ids=[invoice.contract_id])


def run() -> dict:
    short, short_user = _contract_with_history(1)
    long, long_user = _contract_with_history(120)
    results = {
        "payments.history_documents": {"value": Document.objects.filter(contract=long).count(), "unit": "documents"},
        "payments.history_payments": {"value": Payment.objects.filter(contract=long).count(), "unit": "payments"},
    }
    long_client, short_client = _client(long_user), _client(short_user)
    pages = _pages(long)
    for client in (long_client, short_client):
        for url in pages.values():
            client.get(url)  # warm the per-process caches
    times = server_times(long_client, [TRIVIAL_URL, *pages.values()], rounds=ROUNDS)
    trivial = statistics.median(times[TRIVIAL_URL])
    for name, url in pages.items():
        median = statistics.median(times[url])
        results[f"payments.{name}.median_ms"] = {"value": round(median, 3), "unit": "ms"}
        results[f"payments.{name}.ratio_to_trivial"] = {"value": round(median / trivial, 2), "unit": "x"}
        results[f"payments.{name}.queries_120_months"] = {"value": query_count(long_client, url), "unit": "queries"}
        results[f"payments.{name}.queries_1_month"] = {"value": query_count(short_client, url), "unit": "queries"}
    callbacks = _callbacks(long, long_user)
    results["payments.callback.median_ms"] = {"value": _median(callbacks["first"]), "unit": "ms"}
    results["payments.callback.ratio_to_trivial"] = {
        "value": round(statistics.median(callbacks["first"]) / trivial, 2),
        "unit": "x",
    }
    results["payments.callback.p90_ms"] = {
        "value": round(statistics.quantiles(callbacks["first"], n=10)[-1], 3),
        "unit": "ms",
    }
    results["payments.callback_repeated.median_ms"] = {"value": _median(callbacks["repeated"]), "unit": "ms"}
    results["payments.callback.count"] = {"value": CALLBACKS, "unit": "notifications"}
    return results
