"""The sandbox acquirer behaves like a bank (F-E2): its own card page with Luhn and expiry checks, a 3-D Secure step,
test cards that succeed, decline or time out, signed notifications, and status answers for reconciliation."""

import datetime
import json
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from backoffice.acquiring.sandbox import bank
from backoffice.models import AcquiringOrder, Payment, SandboxCardBinding, SandboxNotification, SandboxOrder, SavedCard
from backoffice.models.choices import PaymentStatus
from backoffice.services.acquiring import acquiring_card_binding_start, acquiring_order_refresh, acquiring_reconcile
from tests.backoffice.acquiring import (
    CALLBACK,
    DECLINE_CARD,
    SUCCESS_CARD,
    TIMEOUT_CARD,
    bank_delivers_to_test_client,
    pay_at_bank,
    return_url,
    start_payment,
)
from tests.backoffice.factories import PersonalAccountFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
CALLBACK_URL = "http://testserver" + CALLBACK


@pytest.fixture
def bank_notifies(monkeypatch, django_capture_on_commit_callbacks):
    bank_delivers_to_test_client(monkeypatch)
    return django_capture_on_commit_callbacks


@pytest.fixture
def payer():
    return UserFactory(email="anna@example.test")


@pytest.fixture
def order(payer):
    return start_payment(user=payer, account=PersonalAccountFactory(number="100000001"), amount="954.60")


def page(order) -> str:
    return f"/sandbox-acquirer/pay/{order.provider_order_id}/"


def card(number=SUCCESS_CARD, **fields) -> dict:
    return {"number": number, "month": "12", "year": "2030", "holder": "", "cvv": "123", **fields}


def test_the_card_page_shows_the_amount_the_order_and_the_test_cards(client, order):
    response = client.get(page(order))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Оплата картой" in content and "954,60\xa0₽" in content
    assert f"Заказ {order.reference}" in content
    assert "4111 1111 1111 1111" in content and "отказ: недостаточно средств" in content
    assert "Деньги с карт не списываются" in content.replace("деньги", "Деньги")


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("4111 1111 1111 1112", "Неверный номер карты. Проверьте цифры."),
        ("1234", "Неверный номер карты. Проверьте цифры."),
        ("4242 4242 4242 4242", "Тестовый банк принимает только тестовые карты: они перечислены ниже."),
    ],
)
def test_a_wrong_card_number_is_refused_on_the_page(client, order, number, message):
    response = client.post(page(order), card(number))

    assert message in response.content.decode()
    assert SandboxOrder.objects.get(order_id=order.provider_order_id).status == "created"


def test_an_expired_card_is_refused(client, payer):
    with time_machine.travel(datetime.datetime(2027, 3, 15, 12, 0, tzinfo=datetime.UTC)):
        order = start_payment(user=payer, account=PersonalAccountFactory(), amount="10.00")
        response = client.post(page(order), card(month="02", year="2027"))

    assert "Срок действия карты истёк." in response.content.decode()


def test_the_cvv_must_be_three_digits(client, order):
    response = client.post(page(order), card(cvv="12"))

    assert "CVV2 — три цифры с оборотной стороны карты." in response.content.decode()


def test_a_good_card_goes_on_to_3d_secure(client, order):
    response = client.post(page(order), card())

    assert response.status_code == 302
    assert response["Location"] == f"/sandbox-acquirer/acs/{order.provider_order_id}/"
    page_3ds = client.get(response["Location"]).content.decode()
    assert "Подтверждение покупки" in page_3ds and "VISA ****1111" in page_3ds
    assert SandboxOrder.objects.get(order_id=order.provider_order_id).status == "awaiting_3ds"


def test_a_wrong_code_says_how_many_tries_are_left_and_the_third_declines(client, order, bank_notifies):
    client.post(page(order), card())
    acs = f"/sandbox-acquirer/acs/{order.provider_order_id}/"

    first = client.post(acs, {"code": "00000"})
    second = client.post(acs, {"code": "11111"})
    with bank_notifies(execute=True):
        third = client.post(acs, {"code": "22222"})

    assert "Неверный код. Осталось попыток: 2." in first.content.decode()
    assert "Осталось попыток: 1." in second.content.decode()
    assert third.status_code == 302 and third["Location"] == return_url(order.reference)
    order.refresh_from_db()
    assert order.status == "declined" and order.decline_reason == "Не пройдена проверка 3-D Secure"


def test_the_success_card_charges_and_the_shop_is_notified(client, order, bank_notifies):
    with bank_notifies(execute=True):
        response = pay_at_bank(client, order)

    assert response.status_code == 302 and response["Location"] == return_url(order.reference)
    notifications = list(SandboxNotification.objects.order_by("pk"))
    assert [n.event for n in notifications] == ["authorized", "succeeded"]
    assert all(n.delivered_at and n.last_status == 200 for n in notifications)
    assert Payment.objects.get(pk=order.payment_id).status == PaymentStatus.POSTED


def test_every_notification_is_signed_with_the_shared_secret(client, order, bank_notifies):
    with bank_notifies(execute=True):
        pay_at_bank(client, order)

    for notification in SandboxNotification.objects.all():
        assert bank.signature_valid(notification.body.encode(), notification.signature)
        body = json.loads(notification.body)
        assert body["amount"] == 95460 and body["currency"] == "RUB"
        assert body["merchant_order"] == order.reference


def test_the_decline_card_is_declined_with_the_banks_reason(client, order, bank_notifies):
    with bank_notifies(execute=True):
        pay_at_bank(client, order, card=DECLINE_CARD)

    order.refresh_from_db()
    assert order.get_status_display() == "Отклонён"
    assert order.decline_reason == "Недостаточно средств на карте"
    assert Payment.objects.get(pk=order.payment_id).status == PaymentStatus.DECLINED


def test_cancel_on_the_bank_page_declines_and_returns_the_customer(client, order, bank_notifies):
    with bank_notifies(execute=True):
        response = client.post(page(order), {"cancel": "1"})

    assert response["Location"] == return_url(order.reference)
    order.refresh_from_db()
    assert order.status == "declined" and order.decline_reason == "Оплата отменена покупателем"


def test_the_timeout_card_sends_no_notification_and_the_reconciliation_finds_the_charge(client, order, bank_notifies):
    with bank_notifies(execute=True):
        response = pay_at_bank(client, order, card=TIMEOUT_CARD)

    assert response["Location"] == return_url(order.reference)
    assert not SandboxNotification.objects.exists()
    assert acquiring_order_refresh(order=order).status == "pending"  # the bank is still busy
    assert acquiring_reconcile()["checked"] == 0  # not stuck for long enough yet

    later = timezone.now() + datetime.timedelta(minutes=6)
    with time_machine.travel(later), bank_notifies(execute=True):
        counts = acquiring_reconcile()

    assert counts == {"checked": 1, "succeeded": 1, "declined": 0, "pending": 0}
    payment = Payment.objects.get(pk=order.payment_id)
    assert payment.status == PaymentStatus.POSTED
    assert payment.unallocated == Decimal("954.60")  # any amount: kept as the household's overpayment
    assert not SandboxNotification.objects.exists()


def test_an_abandoned_payment_expires_and_the_reconciliation_declines_it(client, order, bank_notifies):
    client.get(page(order))  # the customer looked at the card page and left

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=25)), bank_notifies(execute=True):
        counts = acquiring_reconcile()

    assert counts["declined"] == 1
    order.refresh_from_db()
    assert order.decline_reason == "Время на оплату истекло"
    assert client.get(page(order)).content.decode().count("Время оплаты истекло") == 1


def test_the_reconciliation_asks_about_each_stuck_order_at_most_every_five_minutes(client, order):
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=6)):
        assert acquiring_reconcile()["checked"] == 1
        assert acquiring_reconcile()["checked"] == 0


def test_a_shop_that_answers_with_an_error_is_retried_later(
    client, order, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(bank, "TRANSPORT", lambda url, body, headers: 503)

    with django_capture_on_commit_callbacks(execute=True):
        pay_at_bank(client, order)

    notification = SandboxNotification.objects.filter(event="succeeded").get()
    assert notification.delivered_at is None and notification.attempts == 1 and notification.last_status == 503
    assert Payment.objects.get(pk=order.payment_id).status == PaymentStatus.PENDING


def test_a_finished_order_shows_its_result_on_the_bank_page(client, order, bank_notifies):
    with bank_notifies(execute=True):
        pay_at_bank(client, order)

    content = client.get(page(order)).content.decode()

    assert "Оплачен" in content and "Вернуться в магазин" in content


def test_registering_a_card_charges_a_little_returns_it_and_keeps_only_a_token(client, bank_notifies):
    user = UserFactory()
    order = acquiring_card_binding_start(
        user=user, return_url_for=lambda ref: f"http://testserver/cards/result/{ref}/", callback_url=CALLBACK_URL
    )
    sandbox = SandboxOrder.objects.get(order_id=order.provider_order_id)
    assert sandbox.amount == 100 and sandbox.verify_only
    content = client.get(page(order)).content.decode()
    assert "Регистрация карты" in content and "Зарегистрировать" in content and "Вернуться" in content
    refused = client.post(page(order), card(holder=""))
    assert "Введите имя латиницей, как на карте." in refused.content.decode()
    assert "Примите условия Публичной оферты Банка." in refused.content.decode()

    with bank_notifies(execute=True):
        pay_at_bank(client, order, card="5555555555554444")

    saved = SavedCard.objects.get(user=user)
    assert saved.masked == "****4444" and saved.brand == "Mastercard" and saved.expiry_text == "12/30"
    assert saved.token.startswith("card_") and "5555" not in saved.token
    assert SandboxCardBinding.objects.get(token=saved.token).is_active
    assert [n.event for n in SandboxNotification.objects.order_by("pk")] == ["authorized", "succeeded", "refunded"]
    assert AcquiringOrder.objects.get(pk=order.pk).status == "succeeded"


def test_paying_with_a_saved_card_asks_only_for_the_cvv(client, bank_notifies, payer):
    binding_order = acquiring_card_binding_start(user=payer, return_url_for=return_url, callback_url=CALLBACK_URL)
    with bank_notifies(execute=True):
        pay_at_bank(client, binding_order)
    saved = SavedCard.objects.get(user=payer)
    order = start_payment(user=payer, account=PersonalAccountFactory(), amount="100.00", card=saved)

    content = client.get(page(order)).content.decode()
    assert "VISA ****1111" in content and "Номер карты" not in content
    with bank_notifies(execute=True):
        pay_at_bank(client, order)

    order.refresh_from_db()
    assert order.status == "succeeded" and order.card_mask == "****1111"
