"""The sandbox bank's side: its orders, the verdict for each test card, its notifications and status answers.

Nothing here is called by the portal directly except through `provider.py`, the way a shop calls a bank's API;
the bank's pages (views.py) call the functions that change an order. Each change runs in a transaction with the
order locked, and the notifications it causes are written in the same transaction and sent after commit, each in
its own Celery task — so with several workers they may arrive in any order, as a real bank's do.
"""

import datetime
import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ...models import SandboxCardBinding, SandboxNotification, SandboxOrder
from .cards import DECLINE_REASON, TEST_CARDS, Outcome, brand_of

log = logging.getLogger(__name__)

SESSION_LIFETIME = datetime.timedelta(minutes=20)
TIMEOUT_DELAY = datetime.timedelta(minutes=2)  # how long the «timeout» card keeps the bank busy
ACS_CODE = "12345"
ACS_ATTEMPTS = 3
SIGNATURE_HEADER = "X-Sandbox-Signature"
CURRENCIES = frozenset({"RUB"})
OPEN = (SandboxOrder.Status.CREATED, SandboxOrder.Status.AWAITING_3DS)

DECLINED_BY_CUSTOMER = "Оплата отменена покупателем"
DECLINED_BY_3DS = "Не пройдена проверка 3-D Secure"
DECLINED_BY_TIME = "Время на оплату истекло"


class BankError(Exception):
    """The bank refuses a request (the API's error answer)."""


def _secret() -> bytes:
    """The key the bank and the shop share: ACQUIRING_SANDBOX_SECRET, or one derived from SECRET_KEY."""
    if settings.ACQUIRING_SANDBOX_SECRET:
        return settings.ACQUIRING_SANDBOX_SECRET.encode()
    return hashlib.sha256(f"acquiring-sandbox:{settings.SECRET_KEY}".encode()).digest()


def sign(body: bytes) -> str:
    """HMAC-SHA256 of the notification's exact bytes with the secret the shop and the bank share, in hex."""
    return hmac.new(_secret(), body, hashlib.sha256).hexdigest()


def signature_valid(body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(body), (signature or "").strip().lower())


def _token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(15)}"


# --- Orders -----------------------------------------------------------------------------------------------------


def order_register(
    *,
    merchant_order: str,
    amount: int,
    currency: str,
    description: str,
    email: str,
    return_url: str,
    callback_url: str,
    bind_card: bool = False,
    verify_only: bool = False,
    binding_token: str = "",
) -> SandboxOrder:
    """The bank's «register order» call; `amount` in kopecks."""
    if amount <= 0:
        raise BankError("amount must be positive")
    if currency not in CURRENCIES:
        raise BankError(f"currency {currency} is not accepted")
    if binding_token and not SandboxCardBinding.objects.filter(token=binding_token, is_active=True).exists():
        raise BankError("unknown card binding")
    return SandboxOrder.objects.create(
        order_id=_token("sbx"),
        merchant_order=merchant_order,
        amount=amount,
        currency=currency,
        description=description[:255],
        email=email,
        return_url=return_url,
        callback_url=callback_url,
        bind_card=bind_card or verify_only,
        verify_only=verify_only,
        binding_token=binding_token,
        expires_at=timezone.now() + SESSION_LIFETIME,
    )


@transaction.atomic
def order_current(*, order_id: str) -> SandboxOrder | None:
    """The order as the bank's clock has it now (an abandoned session expires when anyone looks)."""
    order = SandboxOrder.objects.select_for_update().filter(order_id=order_id).first()
    if order is not None:
        _catch_up(order)
    return order


def binding_of(order: SandboxOrder) -> SandboxCardBinding | None:
    if not order.binding_token:
        return None
    return SandboxCardBinding.objects.filter(token=order.binding_token, is_active=True).first()


def _locked(order: SandboxOrder) -> SandboxOrder:
    order = SandboxOrder.objects.select_for_update().get(pk=order.pk)
    _catch_up(order)
    return order


@transaction.atomic
def card_submit(*, order: SandboxOrder, number="", expiry_month=0, expiry_year=0, holder="") -> SandboxOrder:
    """The card page was filled in (or, for a saved card, confirmed with its CVV2): on to 3-D Secure.

    Returns the order; an order no longer open is returned unchanged (the page then shows its result)."""
    order = _locked(order)
    if order.status != SandboxOrder.Status.CREATED:
        return order
    binding = binding_of(order)
    if binding is not None:
        order.card_brand, order.card_last4 = binding.brand, binding.last4
        order.card_expiry_month, order.card_expiry_year = binding.expiry_month, binding.expiry_year
        order.card_outcome = binding.card_outcome
    else:
        card = TEST_CARDS[number]
        order.card_brand, order.card_last4 = brand_of(number), number[-4:]
        order.card_expiry_month, order.card_expiry_year = expiry_month, expiry_year
        order.card_outcome = card.outcome
        if order.bind_card:
            order.issued_token = _binding_token(number, expiry_month, expiry_year)
            SandboxCardBinding.objects.get_or_create(
                token=order.issued_token,
                defaults={
                    "brand": order.card_brand,
                    "last4": order.card_last4,
                    "expiry_month": expiry_month,
                    "expiry_year": expiry_year,
                    "card_outcome": card.outcome,
                    "holder": holder[:100],
                    "is_active": False,  # usable once the card passes 3-D Secure and the charge goes through
                },
            )
    order.status = SandboxOrder.Status.AWAITING_3DS
    order.save()
    return order


def _binding_token(number: str, month: int, year: int) -> str:
    """The same card gets the same token again: registering it twice does not make two cards."""
    digest = hmac.new(_secret(), f"card:{number}:{month:02d}{year % 100:02d}".encode(), hashlib.sha256).hexdigest()
    return f"card_{digest[:32]}"


@transaction.atomic
def acs_submit(*, order: SandboxOrder, code: str) -> tuple[SandboxOrder, int]:
    """The code from «SMS» on the 3-D Secure page; returns the order and how many tries are left (0 after the last
    wrong one, which declines the payment)."""
    order = _locked(order)
    if order.status != SandboxOrder.Status.AWAITING_3DS:
        return order, 0
    if code.strip() != ACS_CODE:
        order.acs_attempts += 1
        left = ACS_ATTEMPTS - order.acs_attempts
        if left <= 0:
            _decline(order, DECLINED_BY_3DS)
        order.save()
        return order, max(left, 0)
    _settle(order)
    return order, ACS_ATTEMPTS - order.acs_attempts


@transaction.atomic
def order_cancel(*, order: SandboxOrder) -> SandboxOrder:
    """«Отмена» / «Вернуться» on the bank's pages."""
    order = _locked(order)
    if order.status in OPEN:
        _decline(order, DECLINED_BY_CUSTOMER)
        order.save()
    return order


def _settle(order: SandboxOrder) -> None:
    """The issuer's verdict after 3-D Secure, by the test card's scenario."""
    outcome = order.card_outcome
    if outcome == Outcome.DECLINE:
        _decline(order, DECLINE_REASON)
    elif outcome == Outcome.TIMEOUT:
        order.status = SandboxOrder.Status.PROCESSING
        order.settle_at = timezone.now() + TIMEOUT_DELAY
    else:
        _charge(order)
        _notify(order, "authorized")
        _notify(order, "succeeded")
        if order.verify_only:  # the small charge of a card registration is returned at once
            order.status = SandboxOrder.Status.REFUNDED
            _notify(order, "refunded")
    order.save()


def _charge(order: SandboxOrder) -> None:
    order.status = SandboxOrder.Status.SUCCEEDED
    if order.issued_token:
        SandboxCardBinding.objects.filter(token=order.issued_token).update(is_active=True)


def _decline(order: SandboxOrder, reason: str) -> None:
    order.status = SandboxOrder.Status.DECLINED
    order.decline_reason = reason
    _notify(order, "declined")


def _catch_up(order: SandboxOrder) -> None:
    """What the bank's own clock would have done by now: expire an abandoned session, finish a slow charge.

    The slow («timeout») charge finishes without a notification: the shop finds out only by asking.
    """
    now = timezone.now()
    if order.status in OPEN and now >= order.expires_at:
        order.status = SandboxOrder.Status.EXPIRED
        order.decline_reason = DECLINED_BY_TIME
        _notify(order, "expired")
        order.save()
    elif order.status == SandboxOrder.Status.PROCESSING and order.settle_at and now >= order.settle_at:
        _charge(order)
        order.save()


@transaction.atomic
def order_status(*, order_id: str) -> dict:
    """The bank's «order status» call: the same fields as a notification, without an event id."""
    order = SandboxOrder.objects.filter(order_id=order_id).first()
    if order is None:
        raise BankError("unknown order")
    order = _locked(order)
    return payload(order, event=_status_event(order))


STATUS_EVENT = {
    SandboxOrder.Status.CREATED: "created",
    SandboxOrder.Status.AWAITING_3DS: "processing",
    SandboxOrder.Status.PROCESSING: "processing",
    SandboxOrder.Status.SUCCEEDED: "succeeded",
    SandboxOrder.Status.DECLINED: "declined",
    SandboxOrder.Status.EXPIRED: "expired",
}


def _status_event(order: SandboxOrder) -> str:
    if order.status == SandboxOrder.Status.REFUNDED:
        return "succeeded"  # a registered card: charged and returned, the registration itself succeeded
    return STATUS_EVENT[order.status]


def payload(order: SandboxOrder, *, event: str) -> dict:
    card = None
    if order.card_last4:
        card = {
            "last4": order.card_last4,
            "brand": order.card_brand,
            "expiry": f"{order.card_expiry_month:02d}/{order.card_expiry_year % 100:02d}"
            if order.card_expiry_month
            else "",
        }
        if order.issued_token and event == "succeeded":
            card["token"] = order.issued_token
    return {
        "order_id": order.order_id,
        "merchant_order": order.merchant_order,
        "event": event,
        "amount": order.amount,
        "currency": order.currency,
        "card": card,
        "reason": order.decline_reason,
    }


def binding_forget(*, token: str) -> None:
    SandboxCardBinding.objects.filter(token=token).update(is_active=False)


# --- Notifications ----------------------------------------------------------------------------------------------


def _notify(order: SandboxOrder, event: str) -> SandboxNotification:
    body = json.dumps(
        {"event_id": _token("evt"), **payload(order, event=event), "created_at": timezone.now().isoformat()},
        ensure_ascii=False,
        sort_keys=True,
    ).encode()
    notification = SandboxNotification.objects.create(
        order=order, event_id=json.loads(body)["event_id"], event=event, body=body.decode(), signature=sign(body)
    )
    transaction.on_commit(lambda: _queue(notification.pk))
    return notification


def _queue(notification_id: int) -> None:
    from .tasks import sandbox_notification_deliver_task  # the tasks module imports this one

    try:
        sandbox_notification_deliver_task.delay(notification_id)
    except Exception:  # the broker is down: the shop's reconciliation will ask for the status instead
        log.warning("Sandbox notification %s not queued: the broker is not reachable", notification_id, exc_info=True)


def http_transport(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST the notification; the HTTP status, or 0 when the shop could not be reached."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # the shop's own callback address
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        log.warning("Sandbox notification to %s failed", url, exc_info=True)
        return 0


# Tests replace this with the Django test client (there is no server to POST to).
TRANSPORT = http_transport


def notification_deliver(*, notification_id: int) -> bool:
    """Send one notification; True once the shop answered 2xx."""
    notification = SandboxNotification.objects.select_related("order").get(pk=notification_id)
    if notification.delivered_at is not None:
        return True
    status = TRANSPORT(
        notification.order.callback_url,
        notification.body.encode(),
        {"Content-Type": "application/json; charset=utf-8", SIGNATURE_HEADER: notification.signature},
    )
    notification.attempts += 1
    notification.last_status = status or None
    if 200 <= status < 300:
        notification.delivered_at = timezone.now()
    notification.save(update_fields=["attempts", "last_status", "delivered_at"])
    return notification.delivered_at is not None
