"""The shop's side of the sandbox bank: `AcquiringProvider` over the bank's calls (bank.py).

A real bank is reached over HTTPS; the sandbox lives in this process, so its «API» is a function call, while its
notifications still come over HTTP, signed, like any bank's. The card page is on this same site, under the host
the customer came from.
"""

import json
from collections.abc import Mapping
from decimal import Decimal
from urllib.parse import urljoin

from django.urls import reverse

from ..base import (
    AcquiringProvider,
    AcquiringUnavailable,
    CardInfo,
    EventKind,
    InvalidCallback,
    InvalidSignature,
    ProviderEvent,
    RegisteredOrder,
)
from . import bank

KOPECKS = Decimal(100)
CENT = Decimal("0.01")


def to_kopecks(amount: Decimal) -> int:
    return int((Decimal(amount) * KOPECKS).to_integral_value())


def _card(data) -> CardInfo | None:
    if not data:
        return None
    month = year = None
    if data.get("expiry"):
        month_text, _sep, year_text = data["expiry"].partition("/")
        month, year = int(month_text), 2000 + int(year_text)
    return CardInfo(
        last4=str(data["last4"]),
        brand=data.get("brand", ""),
        expiry_month=month,
        expiry_year=year,
        token=data.get("token", ""),
    )


def event_from(data: dict, *, event_id: str = "") -> ProviderEvent:
    try:
        return ProviderEvent(
            order_id=str(data["order_id"]),
            kind=EventKind(data["event"]),
            amount=(Decimal(int(data["amount"])) / KOPECKS).quantize(CENT),
            currency=str(data["currency"]),
            event_id=event_id,
            card=_card(data.get("card")),
            reason=str(data.get("reason") or ""),
        )
    except (KeyError, ValueError, TypeError, ArithmeticError) as error:
        raise InvalidCallback(f"unreadable sandbox message: {error!r}") from error


class SandboxProvider(AcquiringProvider):
    code = "sandbox"
    bank_name = "АО «Тестовый банк»"

    def register(
        self,
        *,
        reference,
        amount,
        currency,
        description,
        email,
        return_url,
        callback_url,
        bind_card=False,
        verify_only=False,
        card_token="",
    ) -> RegisteredOrder:
        try:
            order = bank.order_register(
                merchant_order=reference,
                amount=to_kopecks(amount),
                currency=currency,
                description=description,
                email=email,
                return_url=return_url,
                callback_url=callback_url,
                bind_card=bind_card,
                verify_only=verify_only,
                binding_token=card_token,
            )
        except bank.BankError as error:
            raise AcquiringUnavailable(str(error)) from error
        page = urljoin(return_url, reverse("sandbox_acquirer:pay", args=[order.order_id]))
        return RegisteredOrder(order_id=order.order_id, payment_url=page)

    def status(self, *, order_id) -> ProviderEvent:
        try:
            return event_from(bank.order_status(order_id=order_id))
        except bank.BankError as error:
            raise AcquiringUnavailable(str(error)) from error

    def parse_callback(self, *, body: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        signature = headers.get(bank.SIGNATURE_HEADER, "")
        if not signature or not bank.signature_valid(body, signature):
            raise InvalidSignature("the sandbox signature does not match the body")
        try:
            data = json.loads(body)
        except ValueError as error:
            raise InvalidCallback("the body is not JSON") from error
        if not isinstance(data, dict) or not data.get("event_id"):
            raise InvalidCallback("no event id")
        return event_from(data, event_id=str(data["event_id"]))

    def forget_card(self, *, token) -> None:
        bank.binding_forget(token=token)
