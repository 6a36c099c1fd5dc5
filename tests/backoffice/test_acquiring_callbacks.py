"""The acquirer's server-to-server notifications (F-E2): every path a bank's message can take.

A payment «В процессе» is posted once — documents paid off and the balance moved exactly once — whatever arrives:
duplicates, messages out of order, a decline after a charge, a charge after a decline. A wrong signature, amount or
currency is refused (an error status, so a real bank retries) and logged; so is a message about an unknown order.
"""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from backoffice.acquiring.sandbox import bank
from backoffice.models import AcquirerCallback, Balance, Document, OutboxMessage, Payment, PaymentAllocation
from backoffice.models.choices import DocumentType, PaymentStatus, SalesKind
from tests.backoffice.acquiring import notification_body, post_notification, start_payment
from tests.backoffice.factories import ContractFactory, DocumentFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
Outcome = AcquirerCallback.Outcome


@pytest.fixture
def contract():
    return ContractFactory(number="78010000002778")


@pytest.fixture
def invoice(contract):
    return DocumentFactory(
        account=None,
        contract=contract,
        type=DocumentType.TAX_INVOICE,
        number="СФ-2610-1",
        amount=Decimal("1500.00"),
        due_date=datetime.date(2026, 11, 18),
    )


@pytest.fixture
def payer():
    return UserFactory(email="buh@company.example")


@pytest.fixture
def order(payer, contract, invoice):
    """1 500 ₽ for the invoice «В процессе»."""
    return start_payment(
        user=payer, contract=contract, amount="1500.00", mode="document", targets=[(invoice, "1500.00")]
    )


def contract_balance(contract) -> dict:
    return {row.sales_kind: row.amount for row in Balance.objects.filter(contract=contract)}


def test_a_payment_starts_in_process_and_changes_nothing(order, invoice, contract):
    payment = order.payment

    assert payment.get_status_display() == "В процессе"
    assert payment.channel == "portal"
    assert payment.number == order.reference and len(order.reference) == 12
    assert order.payment_url.startswith("http://testserver/sandbox-acquirer/pay/")
    invoice.refresh_from_db()
    assert invoice.amount_due == Decimal("1500.00")
    assert not PaymentAllocation.objects.exists()


def test_the_charge_posts_the_payment_and_pays_off_the_document(client, order, invoice, contract, payer):
    response = post_notification(client, notification_body(order, "succeeded"))

    assert response.status_code == 200
    payment = Payment.objects.get(pk=order.payment_id)
    assert payment.get_status_display() == "Проведён"
    invoice.refresh_from_db()
    assert invoice.amount_due == 0
    assert PaymentAllocation.objects.get(payment=payment).amount == Decimal("1500.00")
    assert contract_balance(contract) == {}
    order.refresh_from_db()
    assert order.card_mask == "****1111"
    assert AcquirerCallback.objects.get().outcome == Outcome.APPLIED


def test_the_payer_is_told_and_the_cheque_goes_to_the_address_they_gave(client, order, payer):
    post_notification(client, notification_body(order, "succeeded"))

    notification = payer.notifications.get()
    assert notification.title == "Оплата проведена"
    assert "1\xa0500,00\xa0₽ по договору № 78010000002778 проведён" in notification.body
    letter = OutboxMessage.objects.get(template="payment_receipt")
    assert letter.recipient == "buh@company.example"
    assert letter.subject == f"Чек об оплате № {order.reference}"
    assert letter.attachments == [{"kind": "payment_receipt", "id": order.payment_id}]


def test_a_repeated_notification_changes_nothing_the_second_time(client, order, invoice, contract):
    body = notification_body(order, "succeeded", event_id="evt_same")

    first = post_notification(client, body)
    second = post_notification(client, body)
    third = post_notification(client, body)

    assert [first.status_code, second.status_code, third.status_code] == [200, 200, 200]
    assert PaymentAllocation.objects.count() == 1
    assert list(AcquirerCallback.objects.order_by("pk").values_list("outcome", flat=True)) == [
        Outcome.APPLIED,
        Outcome.DUPLICATE,
        Outcome.DUPLICATE,
    ]
    assert OutboxMessage.objects.filter(template="payment_receipt").count() == 1


def test_a_second_charge_message_with_another_id_does_not_post_again(client, order, contract):
    post_notification(client, notification_body(order, "succeeded"))
    post_notification(client, notification_body(order, "succeeded"))

    assert PaymentAllocation.objects.count() == 1
    assert list(AcquirerCallback.objects.order_by("pk").values_list("outcome", flat=True)) == [
        Outcome.APPLIED,
        Outcome.IGNORED,
    ]


def test_the_hold_arriving_after_the_charge_is_ignored(client, order, invoice):
    post_notification(client, notification_body(order, "succeeded"))
    response = post_notification(client, notification_body(order, "authorized"))

    assert response.status_code == 200
    assert Payment.objects.get(pk=order.payment_id).status == PaymentStatus.POSTED
    assert PaymentAllocation.objects.count() == 1


def test_the_hold_first_and_the_charge_next_post_once(client, order, invoice):
    post_notification(client, notification_body(order, "authorized"))
    assert Payment.objects.get(pk=order.payment_id).status == PaymentStatus.PENDING

    post_notification(client, notification_body(order, "succeeded"))

    assert Payment.objects.get(pk=order.payment_id).status == PaymentStatus.POSTED
    assert PaymentAllocation.objects.count() == 1


def test_a_stale_decline_after_the_charge_does_not_undo_it(client, order, invoice):
    post_notification(client, notification_body(order, "succeeded"))
    response = post_notification(client, notification_body(order, "declined", reason="Недостаточно средств на карте"))

    assert response.status_code == 200
    assert Payment.objects.get(pk=order.payment_id).status == PaymentStatus.POSTED
    invoice.refresh_from_db()
    assert invoice.amount_due == 0
    assert AcquirerCallback.objects.order_by("-pk").first().outcome == Outcome.IGNORED


def test_a_charge_after_a_decline_is_believed_and_posted_once(client, order, invoice):
    post_notification(client, notification_body(order, "declined", reason="Недостаточно средств на карте"))
    assert Payment.objects.get(pk=order.payment_id).status == PaymentStatus.DECLINED

    post_notification(client, notification_body(order, "succeeded"))
    post_notification(client, notification_body(order, "declined"))

    assert Payment.objects.get(pk=order.payment_id).status == PaymentStatus.POSTED
    invoice.refresh_from_db()
    assert invoice.amount_due == 0
    assert PaymentAllocation.objects.count() == 1


def test_two_payments_notified_in_the_opposite_order_each_get_their_own(client, payer, contract, invoice):
    first = start_payment(user=payer, contract=contract, amount="1000.00", mode="debt", targets=[(invoice, "1000")])
    second = start_payment(user=payer, contract=contract, amount="700.00", mode="debt", targets=[(invoice, "500")])

    post_notification(client, notification_body(second, "succeeded"))
    post_notification(client, notification_body(first, "succeeded"))

    invoice.refresh_from_db()
    assert invoice.amount_due == 0
    shares = dict(PaymentAllocation.objects.values_list("payment__number", "amount"))
    # The second came first and took its 500 ₽; the first found 1 000 ₽ left, exactly what it was for.
    assert shares == {second.reference: Decimal("500.00"), first.reference: Decimal("1000.00")}
    assert contract_balance(contract) == {SalesKind.ADVANCE: Decimal("-200.00")}


def test_a_decline_marks_the_payment_declined_and_moves_no_money(client, order, invoice, payer):
    response = post_notification(client, notification_body(order, "declined", reason="Недостаточно средств на карте"))

    assert response.status_code == 200
    payment = Payment.objects.get(pk=order.payment_id)
    assert payment.get_status_display() == "Отклонён"
    order.refresh_from_db()
    assert order.decline_reason == "Недостаточно средств на карте"
    invoice.refresh_from_db()
    assert invoice.amount_due == Decimal("1500.00")
    assert not PaymentAllocation.objects.exists()
    assert payer.notifications.get().title == f"Платёж № {order.reference} не прошёл"
    assert not OutboxMessage.objects.filter(template="payment_receipt").exists()


def test_an_expired_session_declines_the_payment(client, order):
    post_notification(client, notification_body(order, "expired", reason="Время на оплату истекло", card=None))

    order.refresh_from_db()
    assert order.status == "declined"
    assert order.decline_reason == "Время на оплату истекло"


def test_a_wrong_signature_is_refused_and_logged(client, order, invoice):
    body = notification_body(order, "succeeded")

    response = post_notification(client, body, signature="0" * 64)

    assert response.status_code == 403
    assert Payment.objects.get(pk=order.payment_id).status == PaymentStatus.PENDING
    row = AcquirerCallback.objects.get()
    assert row.outcome == Outcome.BAD_SIGNATURE and row.refused
    assert row.body == body.decode()


def test_a_body_changed_after_signing_is_refused(client, order):
    body = notification_body(order, "succeeded")
    tampered = body.replace(b'"amount": 150000', b'"amount": 1')

    response = post_notification(client, tampered, signature=bank.sign(body))

    assert tampered != body
    assert response.status_code == 403
    assert Payment.objects.get(pk=order.payment_id).status == PaymentStatus.PENDING


def test_a_missing_signature_is_refused(client, order):
    body = notification_body(order, "succeeded")

    response = client.post("/acquiring/callback/sandbox/", data=body, content_type="application/json")

    assert response.status_code == 403
    assert AcquirerCallback.objects.get().outcome == Outcome.BAD_SIGNATURE


def test_a_wrong_amount_is_refused_and_logged(client, order, invoice):
    response = post_notification(client, notification_body(order, "succeeded", amount=100))

    assert response.status_code == 400
    assert Payment.objects.get(pk=order.payment_id).status == PaymentStatus.PENDING
    invoice.refresh_from_db()
    assert invoice.amount_due == Decimal("1500.00")
    row = AcquirerCallback.objects.get()
    assert row.outcome == Outcome.AMOUNT_MISMATCH
    assert row.detail == "1,00\xa0₽ вместо 1\xa0500,00\xa0₽"
    assert row.order_id == order.pk


def test_a_wrong_currency_is_refused_and_logged(client, order):
    response = post_notification(client, notification_body(order, "succeeded", currency="USD"))

    assert response.status_code == 400
    assert Payment.objects.get(pk=order.payment_id).status == PaymentStatus.PENDING
    assert AcquirerCallback.objects.get().outcome == Outcome.CURRENCY_MISMATCH


def test_a_message_about_an_unknown_order_is_refused(client, order):
    response = post_notification(client, notification_body(order, "succeeded", order_id="sbx_nobody"))

    assert response.status_code == 404
    assert AcquirerCallback.objects.get().outcome == Outcome.UNKNOWN_ORDER


def test_a_signed_message_that_is_not_the_banks_format_is_refused(client):
    response = post_notification(client, b'{"hello": "world"}')

    assert response.status_code == 400
    assert AcquirerCallback.objects.get().outcome == Outcome.MALFORMED


def test_the_notification_address_takes_only_posts_and_known_acquirers(client):
    assert client.get("/acquiring/callback/sandbox/").status_code == 405
    assert client.post("/acquiring/callback/otherbank/", data=b"{}", content_type="application/json").status_code == 404


def test_a_prepayment_stays_as_an_advance(client, payer, contract, invoice):
    order = start_payment(user=payer, contract=contract, amount="2500.00", mode="prepayment")

    post_notification(client, notification_body(order, "succeeded"))

    invoice.refresh_from_db()
    assert invoice.amount_due == Decimal("1500.00")  # «будут учтены при расчете … в следующем месяце»
    assert contract_balance(contract) == {SalesKind.MAIN: Decimal("1500.00"), SalesKind.ADVANCE: Decimal("-2500.00")}


def test_a_part_payment_leaves_the_rest_of_the_document_to_pay(client, payer, contract, invoice):
    order = start_payment(user=payer, contract=contract, amount="600.00", mode="debt", targets=[(invoice, "600")])

    post_notification(client, notification_body(order, "succeeded"))

    invoice.refresh_from_db()
    assert invoice.amount_due == Decimal("900.00")
    assert contract_balance(contract) == {SalesKind.MAIN: Decimal("900.00")}


def test_a_document_paid_by_the_bank_meanwhile_leaves_the_portal_payment_as_an_advance(
    client, order, invoice, contract
):
    Document.objects.filter(pk=invoice.pk).update(amount_due=0)

    post_notification(client, notification_body(order, "succeeded"))

    assert Payment.objects.get(pk=order.payment_id).unallocated == Decimal("1500.00")
    assert contract_balance(contract) == {SalesKind.ADVANCE: Decimal("-1500.00")}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks under concurrency need PostgreSQL")
def test_the_same_notification_arriving_twice_at_once_posts_once():
    contract = ContractFactory()
    invoice = DocumentFactory(account=None, contract=contract, type=DocumentType.TAX_INVOICE, amount=Decimal("900"))
    order = start_payment(
        user=UserFactory(), contract=contract, amount="900.00", mode="document", targets=[(invoice, "900")]
    )
    bodies = [notification_body(order, "succeeded", event_id="evt_a"), notification_body(order, "succeeded")]
    statuses = []

    def deliver(body):
        barrier.wait()
        statuses.append(post_notification(Client(), body).status_code)
        connection.close()

    threads = [threading.Thread(target=deliver, args=(body,)) for body in bodies * 2]
    barrier = threading.Barrier(len(threads))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * 4
    assert PaymentAllocation.objects.filter(payment_id=order.payment_id).count() == 1
    invoice.refresh_from_db()
    assert invoice.amount_due == 0
    assert AcquirerCallback.objects.filter(outcome=Outcome.APPLIED).count() == 1
