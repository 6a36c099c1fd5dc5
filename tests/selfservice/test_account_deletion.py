"""«Удалить аккаунт» (F-A6, seed 001 §13.1.4): the person is forgotten, the company's records stay.

The e-mail becomes free for a new registration; documents, payments, the outbox and workflow history remain.
"""

from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from backoffice.models import Document, OutboxMessage, Payment
from selfservice.models import AccountLink, KnownDevice, OneTimeCode, UserSession
from selfservice.services.accounts import account_link_create
from selfservice.services.codes import one_time_code_issue
from selfservice.services.profile import user_anonymise
from tests.backoffice.factories import DocumentFactory, PaymentFactory, PersonalAccountFactory
from tests.factories import PASSWORD, UserFactory
from workflows.models import ActivationRequest, TransitionLog

pytestmark = pytest.mark.django_db

DELETE = reverse("selfservice:account_delete")
NOW = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anna():
    """A household customer with everything a deletion has to deal with."""
    user = UserFactory(
        email="anna@example.test",
        login="Anna1978",
        last_name="Петрова",
        first_name="Анна",
        middle_name="Сергеевна",
        organisation="ТСЖ «Берёзка»",
        position="Председатель",
        address="г. Энергоград, ул. Садовая, д. 1",
        phone="+79001234567",
        phone_confirmed_at=NOW,
        pending_email="anna.new@example.test",
        advertising_consent=True,
        confirm_new_devices=True,
    )
    account = PersonalAccountFactory()
    account_link_create(user=user, account=account)
    DocumentFactory(account=account)
    PaymentFactory(account=account)
    KnownDevice.objects.create(user=user, token_hash="a" * 64)
    one_time_code_issue(user=user, purpose=OneTimeCode.Purpose.PHONE_CONFIRMATION, sent_to="+79001112233")
    return user


def signed_in_browser(user) -> Client:
    client = Client()
    client.force_login(user)  # anna asks for a code on new devices: the sign-in itself is not under test here
    return client


def page(response) -> str:
    return response.content.decode()


def test_the_page_explains_what_happens_and_asks_for_the_password(client, anna):
    client.force_login(anna)
    html = page(client.get(DELETE))
    assert "Удаление личного кабинета" in html and "счета, документы и платежи останутся" in html
    assert "Пароль" in html and "Я понимаю, что личный кабинет будет удалён" in html


def test_a_wrong_password_or_no_agreement_deletes_nothing(client, anna):
    client.force_login(anna)
    html = page(client.post(DELETE, {"password": "wrong", "understood": "on"}))
    assert "Неверный пароль" in html
    html = page(client.post(DELETE, {"password": PASSWORD}))
    assert "Подтвердите, что понимаете последствия удаления." in html
    assert "Заполните поле" in page(client.post(DELETE, {}))
    anna.refresh_from_db()
    assert anna.is_active and anna.anonymised_at is None and anna.last_name == "Петрова"


def test_deleting_forgets_the_person_and_signs_out_everywhere(anna, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        other_browser = signed_in_browser(anna)
        client = signed_in_browser(anna)
        assert UserSession.objects.filter(user=anna).count() == 2
        response = client.post(DELETE, {"password": PASSWORD, "understood": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("selfservice:account_deleted")
    assert "Аккаунт удалён" in page(response) and "Зарегистрироваться снова" in page(response)

    anna.refresh_from_db()
    for field in ("last_name", "first_name", "middle_name", "organisation", "position", "address", "login"):
        assert getattr(anna, field) == "", field
    assert str(anna.phone) == "" and anna.phone_confirmed_at is None and anna.pending_email == ""
    assert anna.email == f"deleted-{anna.pk}@anonymised.invalid"
    assert not anna.has_usable_password() and not anna.is_active and anna.anonymised_at == NOW
    assert not anna.advertising_consent and not anna.confirm_new_devices
    assert not UserSession.objects.filter(user=anna).exists()
    assert not KnownDevice.objects.exists() and not OneTimeCode.objects.exists()
    assert not AccountLink.objects.exists()

    assert client.get(reverse("selfservice:profile")).status_code == 302  # this browser is signed out
    assert other_browser.get(reverse("selfservice:profile")).status_code == 302  # and every other one


def test_the_letter_goes_to_the_old_address_before_it_is_forgotten(anna, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user_anonymise(user=anna)
    letter = OutboxMessage.objects.get(template="account_deleted")
    assert letter.recipient == "anna@example.test" and letter.subject == "Аккаунт удалён"
    assert "Петрова Анна Сергеевна" in letter.body and "/register/" in letter.body


def test_documents_payments_and_history_stay(anna):
    request = ActivationRequest.objects.create(
        user=anna, full_name="Петрова Анна", account_number="123456789", control="meter_number", control_answer="1"
    )
    user_anonymise(user=anna)
    assert Document.objects.count() == 1 and Payment.objects.count() == 1
    assert OutboxMessage.objects.filter(user=anna).exists()
    request = ActivationRequest.objects.get(pk=request.pk)  # the state is protected: no refresh_from_db
    assert request.state == ActivationRequest.State.REJECTED and request.reason == "Пользователь удалил аккаунт"
    assert TransitionLog.objects.filter(object_id=request.pk, target="rejected").exists()


def test_the_old_address_and_login_no_longer_sign_in(anna, client):
    user_anonymise(user=anna)
    for username in ("anna@example.test", "Anna1978", f"deleted-{anna.pk}@anonymised.invalid"):
        client.post(reverse("selfservice:login"), {"username": username, "password": PASSWORD})
        assert "_auth_user_id" not in client.session


def test_the_e_mail_can_register_again(anna, client):
    user_anonymise(user=anna)
    client.post(
        reverse("selfservice:register"),
        {
            "email": "anna@example.test",
            "password1": "Brand-new-42",
            "password2": "Brand-new-42",
            "accept_agreement": "on",
        },
    )
    newcomer = get_user_model().objects.get(email="anna@example.test")
    assert newcomer.pk != anna.pk and newcomer.anonymised_at is None
    assert OutboxMessage.objects.filter(recipient="anna@example.test", template="email_code").exists()


def test_a_staff_member_cannot_delete_themselves_here(client):
    clerk = UserFactory(is_staff=True)
    client.force_login(clerk)
    html = page(client.post(DELETE, {"password": PASSWORD, "understood": "on"}))
    assert "Учётную запись сотрудника удаляет администратор." in html
    clerk.refresh_from_db()
    assert clerk.is_active and clerk.anonymised_at is None
