"""The household variant of registration (F-A2, seed 003): a control answer that matches activates at once."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from backoffice.models import OutboxMessage
from selfservice.models import AccountLink
from tests.backoffice.factories import MeterFactory, PaymentFactory, PersonalAccountFactory
from tests.factories import UserFactory
from workflows.models import ActivationRequest, TransitionLog

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "Morning-Tea-42"
LINKED = "Лицевой счёт № {number} привязан к вашему кабинету и уже активен."
REQUESTED = "заявка на активацию отправлена в сбытовую компанию. О решении мы сообщим письмом на {email}."


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def account():
    account = PersonalAccountFactory(number="780012345")
    PaymentFactory(account=account, amount=Decimal("1100.00"), paid_on=datetime.date(2020, 1, 5))
    PaymentFactory(account=account, amount=Decimal("1234.56"), paid_on=datetime.date(2020, 2, 5))
    MeterFactory(account=account, serial="060452905")
    return account


def register(client, email="anna@example.test", **overrides):
    data = {
        "full_name": "Петрова Анна Сергеевна",
        "account_number": "780012345",
        "control": "last_payment",
        "control_answer": "1 234,56",
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "accept_agreement": "on",
        **overrides,
    }
    return client.post(reverse("selfservice:register_household"), data, follow=True)


def text(response) -> str:
    return response.content.decode()


def test_the_form_asks_for_the_account_and_the_control_question(client):
    page = text(client.get(reverse("selfservice:register_household")))
    for label in (
        "Регистрация бытового абонента",
        "ФИО",
        "Номер лицевого счёта",
        "Контрольный вопрос",
        "Сумма последнего платежа",
        "Номер счётчика",
        "E-mail",
        "Я принимаю пользовательское соглашение",
        "Зарегистрироваться",
    ):
        assert label in page


def test_the_right_last_payment_links_the_account_at_once(client, account):
    response = text(register(client))
    user = User.objects.get()
    assert LINKED.format(number="780012345") in response
    assert "Введите код, отправленный на почту" in response
    link = AccountLink.objects.get(user=user)
    assert link.account == account and link.relation == AccountLink.Relation.OWNER
    assert not ActivationRequest.objects.exists()
    assert (user.last_name, user.first_name, user.middle_name) == ("Петрова", "Анна", "Сергеевна")
    assert user.email_confirmed_at is None
    assert OutboxMessage.objects.filter(recipient="anna@example.test", template="email_code").exists()


def test_the_right_meter_number_links_the_account_at_once(client, account):
    response = text(register(client, control="meter_number", control_answer=" 060452905 "))
    assert LINKED.format(number="780012345") in response
    assert AccountLink.objects.get().account == account


def test_an_older_payment_is_not_the_last_one(client, account):
    response = text(register(client, control_answer="1100"))
    assert REQUESTED.format(email="anna@example.test") in response
    assert not AccountLink.objects.exists()


def test_a_mismatch_sends_an_activation_request_to_staff(client, account):
    response = text(register(client, control="meter_number", control_answer="999999"))
    user = User.objects.get()
    assert REQUESTED.format(email="anna@example.test") in response
    assert not AccountLink.objects.exists()
    request = ActivationRequest.objects.get()
    assert request.user == user and request.account == account
    assert request.get_state_display() == "Новая"
    assert (request.full_name, request.account_number) == ("Петрова Анна Сергеевна", "780012345")
    assert (request.control, request.control_answer) == ("meter_number", "999999")
    log = TransitionLog.objects.get(object_id=request.pk)
    assert (log.source, log.target, log.by) == ("", "new", user)
    letter = OutboxMessage.objects.get(template="registration_household_request")
    assert letter.recipient == "anna@example.test"
    assert letter.subject == "Заявка на активацию лицевого счёта № 780012345 принята"
    assert OutboxMessage.objects.filter(template="email_code", recipient="anna@example.test").exists()


def test_an_unknown_account_number_also_goes_to_staff(client):
    text(register(client, account_number="123456789"))
    request = ActivationRequest.objects.get()
    assert request.account is None and request.account_number == "123456789"


def test_a_closed_account_does_not_match(client, account):
    account.closed_on = datetime.date(2021, 1, 1)
    account.save()
    assert REQUESTED.format(email="anna@example.test") in text(register(client))
    assert not AccountLink.objects.exists()


@pytest.mark.parametrize("answer", ["1 234,56", "999"])
def test_a_taken_email_is_answered_like_a_new_one_and_nothing_is_stored(client, account, answer):
    owner = UserFactory(email="anna@example.test")
    taken = text(register(client, control_answer=answer))
    fresh = text(register(Client(), email="boris@example.test", control_answer=answer))
    if answer == "999":
        assert REQUESTED.format(email="anna@example.test") in taken
        assert REQUESTED.format(email="boris@example.test") in fresh
    else:
        assert LINKED.format(number="780012345") in taken and LINKED.format(number="780012345") in fresh
    assert "Введите код, отправленный на почту" in taken
    assert not AccountLink.objects.filter(user=owner).exists()
    assert not ActivationRequest.objects.filter(user=owner).exists()
    assert User.objects.filter(email="anna@example.test").count() == 1
    assert OutboxMessage.objects.filter(recipient="anna@example.test", template="registration_exists").exists()


def test_an_empty_form_says_fill_in_and_stores_nothing(client):
    response = client.post(reverse("selfservice:register_household"), {})
    errors = response.context["form"].errors
    for name in ("full_name", "account_number", "control_answer", "email", "password1", "password2"):
        assert errors[name] == ["Заполните поле"]
    assert not User.objects.exists() and not ActivationRequest.objects.exists()


def test_bad_input_is_refused_with_clear_messages_and_the_typed_values_stay(client, account):
    response = client.post(
        reverse("selfservice:register_household"),
        {
            "full_name": "Анна",
            "account_number": "78-00",
            "control": "last_payment",
            "control_answer": "много",
            "email": "anna@example.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "accept_agreement": "on",
        },
    )
    errors = response.context["form"].errors
    assert errors["full_name"] == ["Укажите фамилию и имя полностью, например: Петрова Анна Сергеевна."]
    assert errors["account_number"] == ["Номер лицевого счёта — от 6 до 12 цифр."]
    assert errors["control_answer"] == ["Введите сумму последнего платежа числом, например 1 234,56."]
    page = text(response)
    for typed in ('value="Анна"', 'value="78-00"', 'value="много"', 'value="anna@example.test"'):
        assert typed in page
    assert not User.objects.exists()


def test_household_registration_is_rate_limited_per_address(client, account):
    for _ in range(5):
        register(Client(), control_answer="1")
    assert Client().post(reverse("selfservice:register_household"), {"email": "anna@example.test"}).status_code == 429


def test_the_plain_form_leads_to_the_household_one_and_back(client):
    assert reverse("selfservice:register_household") in text(client.get(reverse("selfservice:register")))
    assert reverse("selfservice:register") in text(client.get(reverse("selfservice:register_household")))
