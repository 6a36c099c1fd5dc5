"""Paying online through an acquirer (F-E1…F-E4): start a payment or a card registration, apply the acquirer's
verdict, reconcile what got stuck, forget a card.

Rules that hold however the verdict arrives (a signed notification, the customer's return, the reconciliation job),
however often, in whatever order:

- the order row is locked while a verdict is applied, and the payment row while it is posted, so two notifications
  of one order are applied one after the other;
- a notification is applied once: its id is kept, a repeat is logged as «Повтор»;
- amount and currency must be the order's, or the verdict is refused and logged;
- only «succeeded» moves money, and only from «В процессе» or «Отклонён» (a bank that charged after a decline is
  believed); once «Проведён», nothing changes the order;
- posting pays off the documents the customer chose, in the order chosen; what is left is the customer's advance
  («Аванс» of a contract, «Переплата» of a ЛС) until the billing run sets it against the next documents.

The portal checks who may pay what (selfservice/services/payments.py) and calls `acquiring_payment_start`.
"""

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..acquiring import AcquiringProvider, AcquiringUnavailable, InvalidCallback, InvalidSignature, provider_get
from ..acquiring.base import EventKind, ProviderEvent
from ..formatting import format_money
from ..models import (
    AcquirerCallback,
    AcquiringOrder,
    Document,
    Notification,
    Payment,
    PaymentAllocation,
    PaymentTarget,
    SavedCard,
)
from ..models.choices import PaymentChannel, PaymentStatus
from .balances import balances_refresh
from .notifications import notification_send
from .outbox import message_send
from .payments import payment_audit

log = logging.getLogger("backoffice.acquiring")

CURRENCY = "RUB"
CARD_CHECK_AMOUNT = Decimal("1.00")  # «операция оплаты на небольшую сумму с последующим возвратом» (seed 001 §9.1)
MAX_AMOUNT = Decimal("99999999.99")
STUCK_AFTER = timedelta(minutes=5)  # a payment «В процессе» this long is asked about by the reconciliation job
Outcome = AcquirerCallback.Outcome
Status = AcquiringOrder.Status


@dataclass(frozen=True)
class Target:
    """A document to pay off and how much of the payment goes to it."""

    document: Document
    amount: Decimal


def reference_new() -> str:
    """Twelve digits, like a bank's payment number: the «№» of the payment in «Платежи» and on the cheque."""
    while True:
        reference = str(secrets.randbelow(9 * 10**11) + 10**11)
        if not AcquiringOrder.objects.filter(reference=reference).exists():
            return reference


def _owner(*, account, contract) -> dict:
    if (account is None) == (contract is None):
        raise ValidationError(_("Платёж принимается либо по лицевому счёту, либо по договору."))
    return {"account_ids": [account.pk]} if account is not None else {"contract_ids": [contract.pk]}


def _check_targets(*, account, contract, amount: Decimal, targets: list[Target]) -> None:
    if amount <= 0 or amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": _("Сумма должна быть больше нуля, в рублях и копейках.")})
    if sum((target.amount for target in targets), Decimal(0)) > amount:
        raise ValidationError({"amount": _("Сумма меньше, чем выбрано документов к оплате.")})
    for target in targets:
        document = target.document
        if document.account_id != (account.pk if account else None) or document.contract_id != (
            contract.pk if contract else None
        ):
            raise ValidationError(_("Документ %(number)s не относится к этому платежу.") % {"number": document.number})
        if target.amount <= 0 or target.amount > document.amount_due:
            raise ValidationError(
                _("По документу %(number)s к оплате %(due)s.")
                % {"number": document.number, "due": format_money(document.amount_due)}
            )


def _return_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def acquiring_payment_start(
    *,
    user,
    mode: str,
    amount: Decimal,
    purpose: str,
    receipt_email: str,
    return_url_for: Callable[[str], str],
    callback_url: str,
    account=None,
    contract=None,
    targets: list[Target] = (),
    card: SavedCard | None = None,
    save_card: bool = False,
    provider: AcquiringProvider | None = None,
) -> AcquiringOrder:
    """Register a payment at the acquirer and store it «В процессе»; the customer goes to `order.payment_url`.

    `return_url_for(reference)` is the absolute address the bank sends the customer back to. Nothing is stored
    when the acquirer refuses or does not answer (AcquiringUnavailable is raised).
    """
    _owner(account=account, contract=contract)
    targets = list(targets)
    _check_targets(account=account, contract=contract, amount=amount, targets=targets)
    if card is not None and card.user_id != user.pk:
        raise ValidationError(_("Выберите свою карту."))
    provider = provider or provider_get()
    reference = reference_new()
    return_url = return_url_for(reference)
    registered = provider.register(
        reference=reference,
        amount=amount,
        currency=CURRENCY,
        description=purpose,
        email=receipt_email,
        return_url=return_url,
        callback_url=callback_url,
        bind_card=save_card and card is None,
        card_token=card.token if card is not None else "",
    )
    with transaction.atomic():
        payment = Payment(
            account=account,
            contract=contract,
            channel=PaymentChannel.PORTAL,
            bank=provider.bank_name,
            number=reference,
            paid_on=timezone.localdate(),
            purpose=purpose[:500],
            amount=amount,
            unallocated=Decimal(0),
            status=PaymentStatus.PENDING,
            provider_id=f"{provider.code}:{registered.order_id}",
            receipt_email=receipt_email,
        )
        payment.full_clean()
        payment.save()
        order = AcquiringOrder.objects.create(
            reference=reference,
            purpose=AcquiringOrder.Purpose.PAYMENT,
            mode=mode,
            provider=provider.code,
            provider_order_id=registered.order_id,
            payment_url=registered.payment_url,
            return_path=_return_path(return_url),
            payment=payment,
            user=user,
            amount=amount,
            currency=CURRENCY,
            card=card,
            save_card=save_card and card is None,
            card_mask=card.masked if card is not None else "",
        )
        PaymentTarget.objects.bulk_create(
            PaymentTarget(order=order, document=target.document, amount=target.amount, position=position)
            for position, target in enumerate(targets)
        )
    log.info("Payment %s of %s registered at %s as %s", reference, amount, provider.code, registered.order_id)
    return order


def acquiring_card_binding_start(
    *, user, return_url_for: Callable[[str], str], callback_url: str, provider: AcquiringProvider | None = None
) -> AcquiringOrder:
    """«Добавить карту»: a small charge the bank returns at once; the card's token comes with the verdict."""
    provider = provider or provider_get()
    reference = reference_new()
    return_url = return_url_for(reference)
    registered = provider.register(
        reference=reference,
        amount=CARD_CHECK_AMOUNT,
        currency=CURRENCY,
        description=_("Регистрация карты"),
        email=user.email,
        return_url=return_url,
        callback_url=callback_url,
        bind_card=True,
        verify_only=True,
    )
    return AcquiringOrder.objects.create(
        reference=reference,
        purpose=AcquiringOrder.Purpose.CARD_BINDING,
        provider=provider.code,
        provider_order_id=registered.order_id,
        payment_url=registered.payment_url,
        return_path=_return_path(return_url),
        user=user,
        amount=CARD_CHECK_AMOUNT,
        currency=CURRENCY,
    )


# --- The verdict ------------------------------------------------------------------------------------------------


def _apply(order: AcquiringOrder, event: ProviderEvent) -> tuple[str, str]:
    """Apply what the acquirer says to a locked order; returns (outcome, detail) for the log."""
    if event.currency.upper() != order.currency:
        return Outcome.CURRENCY_MISMATCH, f"{event.currency} вместо {order.currency}"
    if event.amount != order.amount:
        return Outcome.AMOUNT_MISMATCH, f"{format_money(event.amount)} вместо {format_money(order.amount)}"
    if event.kind == EventKind.SUCCEEDED:
        if order.status == Status.SUCCEEDED:
            return Outcome.IGNORED, "заказ уже проведён"
        if order.status == Status.DECLINED:
            log.warning("Order %s was declined but the acquirer charged it: posting", order.reference)
        _succeed(order, event)
        return Outcome.APPLIED, ""
    if event.kind in (EventKind.DECLINED, EventKind.EXPIRED):
        if order.status != Status.PENDING:
            return Outcome.IGNORED, f"заказ уже в статусе «{order.get_status_display()}»"
        _decline(order, event)
        return Outcome.APPLIED, ""
    return Outcome.IGNORED, f"промежуточное событие «{event.kind}»"


def _succeed(order: AcquiringOrder, event: ProviderEvent) -> None:
    order.status = Status.SUCCEEDED
    order.completed_at = timezone.now()
    order.decline_reason = ""
    card = event.card
    if card is not None:
        order.card_mask = card.masked
    keeps_card = order.purpose == order.Purpose.CARD_BINDING or order.save_card
    if card is not None and card.token and order.user_id and keeps_card:
        SavedCard.objects.update_or_create(
            user_id=order.user_id,
            provider=order.provider,
            token=card.token,
            defaults={
                "last4": card.last4,
                "brand": card.brand,
                "expiry_month": card.expiry_month,
                "expiry_year": card.expiry_year,
            },
        )
    order.save(update_fields=["status", "completed_at", "decline_reason", "card_mask", "checked_at"])
    if order.purpose == AcquiringOrder.Purpose.PAYMENT and payment_post(order=order):
        _tell_payer(order)


def _decline(order: AcquiringOrder, event: ProviderEvent) -> None:
    order.status = Status.DECLINED
    order.completed_at = timezone.now()
    order.decline_reason = (event.reason or _("Оплата не прошла"))[:255]
    if event.card is not None:
        order.card_mask = event.card.masked
    order.save(update_fields=["status", "completed_at", "decline_reason", "card_mask", "checked_at"])
    if order.payment_id:
        Payment.objects.filter(pk=order.payment_id, status=PaymentStatus.PENDING).update(status=PaymentStatus.DECLINED)
        if order.user is not None:
            payment = Payment.objects.select_related("account", "contract").get(pk=order.payment_id)
            notification_send(
                user=order.user,
                kind=Notification.Kind.PAYMENT,
                title=_("Платёж № %(number)s не прошёл") % {"number": payment.number},
                body=_("Платёж на сумму %(amount)s отклонён: %(reason)s. Деньги с карты не списаны.")
                % {"amount": format_money(payment.amount), "reason": order.decline_reason},
                url=order.return_path,
                account=payment.account,
                contract=payment.contract,
            )


def payment_post(*, order: AcquiringOrder) -> bool:
    """Post the order's payment once: pay off the chosen documents, keep the rest as the customer's advance.

    False when it was already posted (the balance must not move twice). Runs inside the caller's transaction.
    """
    payment = (
        Payment.objects.select_for_update(of=("self",)).select_related("account", "contract").get(pk=order.payment_id)
    )
    if payment.status == PaymentStatus.POSTED:
        return False
    today = timezone.localdate()
    payment.status = PaymentStatus.POSTED
    payment.paid_on = today
    payment.unallocated = payment.amount
    targets = list(PaymentTarget.objects.filter(order=order).order_by("position", "pk"))
    documents = Document.objects.select_for_update().filter(
        pk__in=[target.document_id for target in targets],
        account_id=payment.account_id,
        contract_id=payment.contract_id,
        amount_due__gt=0,
    )
    by_pk = {document.pk: document for document in documents}
    allocations, touched = [], []
    for target in targets:
        document = by_pk.get(target.document_id)
        share = min(target.amount, document.amount_due, payment.unallocated) if document else Decimal(0)
        if share <= 0:
            continue
        document.amount_due -= share
        payment.unallocated -= share
        allocations.append(PaymentAllocation(payment=payment, document=document, amount=share, allocated_on=today))
        touched.append(document)
    payment.save(update_fields=["status", "paid_on", "unallocated"])
    PaymentAllocation.objects.bulk_create(allocations)
    Document.objects.bulk_update(touched, ["amount_due"])
    if payment.account_id:
        balances_refresh(account_ids=[payment.account_id])
    else:
        balances_refresh(contract_ids=[payment.contract_id])
    order.payment = payment
    paid_off = sum((allocation.amount for allocation in allocations), Decimal(0))
    payment_audit(payment=payment, paid_off=paid_off, payer=order.user, documents=[a.document for a in allocations])
    log.info("Payment %s posted: %s, of it %s to documents", payment.number, payment.amount, paid_off)
    return True


def _tell_payer(order: AcquiringOrder) -> None:
    """«Оплата проведена» in the cabinet (and by e-mail, as the user's settings say), and «Чек об оплате» to the
    address the customer gave in «Отправить чек на» (F-E3)."""
    payment = order.payment
    if payment.contract_id:
        whose = _("по договору № %(number)s") % {"number": payment.contract.number}
    else:
        whose = _("по лицевому счёту № %(number)s") % {"number": payment.account.number}
    if order.user is not None:
        notification_send(
            user=order.user,
            kind=Notification.Kind.PAYMENT,
            title=_("Оплата проведена"),
            body=_("Платёж № %(number)s на сумму %(amount)s %(whose)s проведён.")
            % {"number": payment.number, "amount": format_money(payment.amount), "whose": whose},
            url=order.return_path,
            account=payment.account,
            contract=payment.contract,
        )
    if payment.receipt_email:
        message_send(
            to=payment.receipt_email,
            template="payment_receipt",
            context={"payment": payment, "amount": format_money(payment.amount), "whose": whose},
            user=order.user,
            attachments=[{"kind": "payment_receipt", "id": payment.pk}],
        )


# --- Notifications, returns, reconciliation ----------------------------------------------------------------------


def _log(*, provider: str, outcome: str, body: str, event=None, order=None, detail="", remote_addr=None):
    row = AcquirerCallback.objects.create(
        provider=provider,
        order=order,
        event_id=getattr(event, "event_id", "") or "",
        event=str(getattr(event, "kind", "") or ""),
        outcome=outcome,
        detail=detail[:500],
        body=body,
        remote_addr=remote_addr,
    )
    if row.refused:
        log.warning("Acquirer %s notification refused (%s): %s", provider, outcome, detail)
    return row


def acquiring_callback_receive(
    *, provider_code: str, body: bytes, headers, remote_addr: str | None = None
) -> AcquirerCallback:
    """A server-to-server notification: verify, apply once, log. Returns the log row; `row.refused` says whether
    the acquirer should be told no (it will send again)."""
    provider = provider_get(provider_code)
    text = body.decode("utf-8", errors="replace")[:20000]
    common = {"provider": provider.code, "body": text, "remote_addr": remote_addr}
    try:
        event = provider.parse_callback(body=body, headers=headers)
    except InvalidSignature as error:
        return _log(outcome=Outcome.BAD_SIGNATURE, detail=str(error), **common)
    except InvalidCallback as error:
        return _log(outcome=Outcome.MALFORMED, detail=str(error), **common)
    with transaction.atomic():
        order = (
            AcquiringOrder.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(provider=provider.code, provider_order_id=event.order_id)
            .first()
        )
        if order is None:
            return _log(outcome=Outcome.UNKNOWN_ORDER, event=event, detail=event.order_id, **common)
        seen = AcquirerCallback.objects.filter(
            provider=provider.code, event_id=event.event_id, outcome__in=[Outcome.APPLIED, Outcome.IGNORED]
        ).exists()
        if seen:
            return _log(outcome=Outcome.DUPLICATE, event=event, order=order, **common)
        outcome, detail = _apply(order, event)
        return _log(outcome=outcome, event=event, order=order, detail=detail, **common)


def acquiring_order_refresh(*, order: AcquiringOrder) -> AcquiringOrder:
    """Ask the acquirer about an order still «В процессе» and apply the answer (the customer's return, the
    reconciliation job). An acquirer that does not answer leaves the order as it was."""
    if order.is_final:
        return order
    try:
        event = provider_get(order.provider).status(order_id=order.provider_order_id)
    except AcquiringUnavailable:
        log.warning("Acquirer %s did not answer about order %s", order.provider, order.reference, exc_info=True)
        return order
    with transaction.atomic():
        # Read on the primary, with the payment, so the page shows the verdict just applied (cms/db_router.py).
        locked = (
            AcquiringOrder.objects.select_for_update(of=("self",))
            .select_related("user", "payment__account", "payment__contract")
            .get(pk=order.pk)
        )
        locked.checked_at = timezone.now()
        locked.save(update_fields=["checked_at"])
        outcome, detail = _apply(locked, event)
        if outcome in AcquirerCallback.REFUSED:
            log.error("Acquirer %s status of %s refused (%s): %s", order.provider, order.reference, outcome, detail)
    return locked


def acquiring_reconcile(*, stuck_after: timedelta = STUCK_AFTER, limit: int = 500) -> dict:
    """The beat job: ask the acquirer about every order «В процессе» for longer than `stuck_after` (each at most
    once per `stuck_after`) and apply the answers. Returns counts for the log."""
    cutoff = timezone.now() - stuck_after
    stuck = (
        AcquiringOrder.objects.filter(status=Status.PENDING, created_at__lt=cutoff)
        .filter(Q(checked_at__isnull=True) | Q(checked_at__lt=cutoff))
        .order_by("created_at")[:limit]
    )
    counts = {"checked": 0, Status.SUCCEEDED: 0, Status.DECLINED: 0, Status.PENDING: 0}
    for order in stuck:
        counts["checked"] += 1
        counts[acquiring_order_refresh(order=order).status] += 1
    if counts["checked"]:
        log.info("Reconciled stuck payments: %s", counts)
    return {str(key): value for key, value in counts.items()}


# --- Cards ------------------------------------------------------------------------------------------------------


@transaction.atomic
def saved_card_delete(*, user, card: SavedCard) -> None:
    """«Удалить» in «Карты»: the acquirer forgets the token, and so do we (even if the acquirer is down: a token
    nobody holds pays for nothing)."""
    if card.user_id != user.pk:
        raise ValidationError(_("Это не ваша карта."))
    try:
        provider_get(card.provider).forget_card(token=card.token)
    except AcquiringUnavailable:
        log.warning("Acquirer %s did not forget card %s", card.provider, card.pk, exc_info=True)
    card.delete()
