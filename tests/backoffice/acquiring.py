"""Builders for acquiring tests: a payment «В процессе» at the sandbox bank, signed notifications as the bank
writes them, and the bank's notifications delivered through the test client (there is no server to POST to)."""

import json
import secrets
from decimal import Decimal
from urllib.parse import urlsplit

from django.test import Client

from backoffice.acquiring.sandbox import bank
from backoffice.models import AcquiringOrder, SandboxOrder
from backoffice.services.acquiring import Target, acquiring_payment_start

CALLBACK = "/acquiring/callback/sandbox/"
SUCCESS_CARD = "4111111111111111"
DECLINE_CARD = "4000000000000002"
TIMEOUT_CARD = "4000000000000119"


def return_url(reference: str) -> str:
    return f"http://testserver/payments/result/{reference}/"


def start_payment(
    *, user, amount, account=None, contract=None, mode=AcquiringOrder.Mode.PREPAYMENT, targets=(), **extra
) -> AcquiringOrder:
    return acquiring_payment_start(
        user=user,
        account=account,
        contract=contract,
        mode=mode,
        amount=Decimal(amount),
        purpose="Оплата по договору",
        receipt_email=user.email,
        return_url_for=return_url,
        callback_url="http://testserver" + CALLBACK,
        targets=[Target(document=document, amount=Decimal(share)) for document, share in targets],
        **extra,
    )


def notification_body(order: AcquiringOrder, event: str, **overrides) -> bytes:
    """A notification exactly as the sandbox bank writes one, with any field replaced."""
    data = {
        "event_id": overrides.pop("event_id", f"evt_{secrets.token_hex(6)}"),
        "order_id": order.provider_order_id,
        "merchant_order": order.reference,
        "event": event,
        "amount": int(order.amount * 100),
        "currency": "RUB",
        "card": {"last4": "1111", "brand": "VISA", "expiry": "12/30"},
        "reason": "",
        "created_at": "2026-12-01T10:00:00+03:00",
    }
    data.update(overrides)
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode()


def post_notification(client: Client, body: bytes, *, signature: str | None = None):
    signature = bank.sign(body) if signature is None else signature
    return client.post(CALLBACK, data=body, content_type="application/json", headers={"X-Sandbox-Signature": signature})


def deliver_through(client: Client):
    """A bank.TRANSPORT that posts to this site's test client."""

    def transport(url, body, headers):
        extra = {key: value for key, value in headers.items() if key.lower() != "content-type"}
        return client.post(urlsplit(url).path, data=body, content_type="application/json", headers=extra).status_code

    return transport


def bank_delivers_to_test_client(monkeypatch) -> None:
    """The sandbox bank's notifications reach the shop through a test client of their own. A module's fixture:

    @pytest.fixture
    def bank_notifies(monkeypatch, django_capture_on_commit_callbacks):
        bank_delivers_to_test_client(monkeypatch)
        return django_capture_on_commit_callbacks  # `with bank_notifies(execute=True): …`
    """
    monkeypatch.setattr(bank, "TRANSPORT", deliver_through(Client()))


def pay_at_bank(client: Client, order: AcquiringOrder, *, card=SUCCESS_CARD, code=bank.ACS_CODE, cvv="123"):
    """The customer fills in the bank's card page and the 3-D Secure code; returns the last response."""
    sandbox_id = order.provider_order_id
    if SandboxOrder.objects.get(order_id=sandbox_id).binding_token:
        client.post(f"/sandbox-acquirer/pay/{sandbox_id}/", {"cvv": cvv})
    else:
        client.post(
            f"/sandbox-acquirer/pay/{sandbox_id}/",
            {"number": card, "month": "12", "year": "2030", "holder": "IVAN IVANOV", "cvv": cvv, "offer": "on"},
        )
    return client.post(f"/sandbox-acquirer/acs/{sandbox_id}/", {"code": code})
