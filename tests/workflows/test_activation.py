"""Activation requests (F-A2, F-A7; seed 003 §1.1): filed by registration, decided by a clerk, logged, e-mailed."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from backoffice.models import OutboxMessage
from selfservice.models import AccountLink
from tests.backoffice import factories as f
from tests.factories import UserFactory
from workflows.models import ActivationRequest, TransitionLog
from workflows.services.activation import (
    ActivationRequestRefused,
    activation_request_approve,
    activation_request_reject,
    activation_request_submit,
)
from workflows.services.history import transition_log_for

pytestmark = pytest.mark.django_db

LAST_PAYMENT = ActivationRequest.Control.LAST_PAYMENT


@pytest.fixture
def account():
    account = f.PersonalAccountFactory(number="100200300", address="г. Энергоград, ул. Садовая, д. 5, кв. 12")
    f.PaymentFactory(account=account, amount=Decimal("1000.00"), paid_on=datetime.date(2020, 2, 5))
    f.MeterFactory(account=account, serial="874199")
    return account


@pytest.fixture
def customer():
    return UserFactory(email="anna@example.test", last_name="Петрова", first_name="Анна")


@pytest.fixture
def clerk():
    return UserFactory(is_staff=True, email="clerk@example.test", last_name="Смирнова", first_name="Ольга")


def submit(user, number="100200300", answer="999,00"):
    return activation_request_submit(
        user=user,
        full_name="Петрова  Анна Сергеевна ",
        account_number=f" {number} ",
        control=LAST_PAYMENT,
        control_answer=answer,
    )


def fresh(request):
    return ActivationRequest.objects.get(pk=request.pk)


# --- Submit ---------------------------------------------------------------------------


def test_submit_files_a_new_request_with_the_account_found_by_its_number(customer, account):
    request = submit(customer)

    assert request.state == ActivationRequest.State.NEW
    assert request.get_state_display() == "Новая"
    assert (request.account, request.account_number, request.full_name) == (
        account,
        "100200300",
        "Петрова Анна Сергеевна",
    )
    assert request.control_answer == "999,00"


def test_submit_with_an_unknown_number_still_reaches_staff_without_an_account(customer):
    request = submit(customer, number="555555555")

    assert request.account is None
    assert request.state == ActivationRequest.State.NEW


def test_submit_does_not_offer_a_closed_account(customer, account):
    account.closed_on = datetime.date(2020, 1, 31)
    account.save()

    assert submit(customer).account is None


def test_submitting_again_returns_the_open_request_instead_of_a_second_one(customer, account):
    first = submit(customer)
    again = submit(customer, answer="1000")

    assert again.pk == first.pk
    assert ActivationRequest.objects.count() == 1


def test_submit_is_logged_as_the_first_step_by_the_customer(customer, account):
    request = submit(customer)

    (step,) = transition_log_for(subject=request)
    assert (step.transition, step.source, step.target, step.by) == ("submit", "", "new", customer)


def test_a_rejected_number_may_be_filed_again(customer, clerk, account):
    rejected = activation_request_reject(request=submit(customer), by=clerk, reason="Нет документов")

    again = submit(customer)

    assert again.pk != rejected.pk
    assert again.state == ActivationRequest.State.NEW


# --- Approve ---------------------------------------------------------------------------


def test_approve_links_the_account_logs_and_emails_the_customer(
    customer, clerk, account, django_capture_on_commit_callbacks
):
    request = submit(customer)

    with django_capture_on_commit_callbacks(execute=True):
        decided = activation_request_approve(request=request, by=clerk)

    link = AccountLink.objects.get(user=customer)
    assert (link.account, link.linked_by, link.get_relation_display()) == (account, clerk, "Собственник")
    stored = fresh(request)
    assert stored.state == decided.state == ActivationRequest.State.APPROVED
    assert (stored.decided_by, stored.decided_at is not None) == (clerk, True)
    step = transition_log_for(subject=request).last()
    assert (step.transition, step.source, step.target, step.by, step.comment) == (
        "approve",
        "new",
        "approved",
        clerk,
        "",
    )
    (letter,) = mail.outbox
    assert letter.to == ["anna@example.test"]
    assert letter.subject == "Лицевой счёт № 100200300 подключён к личному кабинету"
    assert "Ваша учётная запись активирована" in letter.body
    assert "/login/" in letter.body
    assert "100200300" in letter.alternatives[0][0]


def test_approve_may_link_another_account_named_by_the_clerk(customer, clerk, account):
    other = f.PersonalAccountFactory(number="100200301")
    request = submit(customer)

    activation_request_approve(request=request, by=clerk, account=other)

    assert list(AccountLink.objects.filter(user=customer).values_list("account__number", flat=True)) == ["100200301"]
    assert fresh(request).account == other
    assert transition_log_for(subject=request).last().comment == "Подключён ЛС № 100200301"
    assert OutboxMessage.objects.get(template="activation_approved").subject.endswith(
        "№ 100200301 подключён к личному кабинету"
    )


def test_approve_without_an_account_asks_the_clerk_for_one(customer, clerk):
    request = submit(customer, number="555555555")

    with pytest.raises(ActivationRequestRefused, match="Лицевой счёт № 555555555 не найден"):
        activation_request_approve(request=request, by=clerk)

    assert fresh(request).state == ActivationRequest.State.NEW
    assert not AccountLink.objects.exists()


def test_approve_refuses_a_closed_account(customer, clerk, account):
    closed = f.PersonalAccountFactory(number="100200302", closed_on=datetime.date(2020, 1, 31))
    request = submit(customer)

    with pytest.raises(ActivationRequestRefused, match="Лицевой счёт № 100200302 закрыт"):
        activation_request_approve(request=request, by=clerk, account=closed)

    assert not AccountLink.objects.exists()


# --- Reject -------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_needs_a_reason(customer, clerk, account, reason):
    request = submit(customer)

    with pytest.raises(ValidationError) as refusal:
        activation_request_reject(request=request, by=clerk, reason=reason)

    assert refusal.value.message_dict == {"reason": ["Укажите причину отказа: её получит клиент."]}
    assert fresh(request).state == ActivationRequest.State.NEW
    assert not OutboxMessage.objects.exists()


def test_reject_emails_the_reason_and_logs_it(customer, clerk, account, django_capture_on_commit_callbacks):
    request = submit(customer)

    with django_capture_on_commit_callbacks(execute=True):
        activation_request_reject(request=request, by=clerk, reason="  Сумма платежа не совпадает с данными ЛС. ")

    stored = fresh(request)
    assert (stored.state, stored.reason, stored.decided_by) == (
        ActivationRequest.State.REJECTED,
        "Сумма платежа не совпадает с данными ЛС.",
        clerk,
    )
    assert stored.get_state_display() == "Отклонена"
    step = transition_log_for(subject=request).last()
    assert (step.transition, step.target, step.comment) == (
        "reject",
        "rejected",
        "Сумма платежа не совпадает с данными ЛС.",
    )
    (letter,) = mail.outbox
    assert letter.subject == "Заявка на подключение лицевого счёта № 100200300 отклонена"
    assert "Причина: Сумма платежа не совпадает с данными ЛС." in letter.body
    assert not AccountLink.objects.exists()


# --- Decided once -------------------------------------------------------------------------------


@pytest.mark.parametrize("first", ["approve", "reject"])
@pytest.mark.parametrize("second", ["approve", "reject"])
def test_a_decided_request_cannot_be_decided_again(customer, clerk, account, first, second):
    """Two clerks opened the same request; the second decision, made on the stale page, is refused."""
    seen_by_both = submit(customer)
    other_clerk = UserFactory(is_staff=True)
    decide = {
        "approve": lambda by: activation_request_approve(request=seen_by_both, by=by),
        "reject": lambda by: activation_request_reject(request=seen_by_both, by=by, reason="Нет документов"),
    }
    decide[first](clerk)

    with pytest.raises(ActivationRequestRefused, match="^Заявку уже рассмотрел другой сотрудник$"):
        decide[second](other_clerk)

    assert fresh(seen_by_both).decided_by == clerk
    assert OutboxMessage.objects.count() == 1
    assert list(TransitionLog.objects.values_list("transition", flat=True)) == ["submit", first]
    assert AccountLink.objects.count() == (1 if first == "approve" else 0)
