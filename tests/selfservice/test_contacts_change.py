"""Changing the e-mail and the phone (F-A6; seed 000 §3.1.2, seed 001 §13.1.2): nothing changes until the code.

The e-mail: a code to the new address, the old one stays the login and hears about the change afterwards.
The phone: an SMS code, one resend a minute, the picture after more than three changes a day.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from captcha.models import CaptchaStore
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from backoffice.models import OutboxMessage
from selfservice.models import OneTimeCode
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

EMAIL = reverse("selfservice:profile_email")
EMAIL_CONFIRM = reverse("selfservice:profile_email_confirm")
PHONE = reverse("selfservice:profile_phone")
PHONE_CONFIRM = reverse("selfservice:profile_phone_confirm")
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """django-ratelimit counts in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def page(response) -> str:
    return response.content.decode()


def last_code(*, template: str, to: str) -> str:
    message = OutboxMessage.objects.filter(template=template, recipient=to).latest("created_at", "pk")
    return re.search(r"\b(\d{5})\b", message.body).group(1)


def can_sign_in(email: str) -> bool:
    return authenticate(RequestFactory().post("/login/"), username=email, password=PASSWORD) is not None


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 100000:05d}"


# --- E-mail ----------------------------------------------------------------------------------------------------


@pytest.fixture
def anna(client):
    user = UserFactory(email="anna@example.test")
    client.force_login(user)
    return user


def ask_email_change(client, email="anna.new@example.test", password=PASSWORD):
    return client.post(EMAIL, {"email": email, "password": password})


def test_the_new_address_gets_a_code_and_the_old_one_stays_the_login(client, anna):
    response = ask_email_change(client, email=" Anna.New@Example.test ")
    assert response.status_code == 302 and response.url == EMAIL_CONFIRM
    anna.refresh_from_db()
    assert anna.email == "anna@example.test" and anna.pending_email == "anna.new@example.test"
    letter = OutboxMessage.objects.get(template="email_change_code")
    assert letter.recipient == "anna.new@example.test" and letter.subject == "Код подтверждения нового e-mail"
    assert can_sign_in("anna@example.test") and not can_sign_in("anna.new@example.test")
    html = page(client.get(EMAIL_CONFIRM))
    assert "Введите код, отправленный на почту" in html and "anna.new@example.test" in html
    assert "Отправить ещё раз через" in html and "0:60" not in html


def test_the_right_code_switches_the_login_and_tells_the_old_address(client, anna, django_capture_on_commit_callbacks):
    ask_email_change(client)
    code = last_code(template="email_change_code", to="anna.new@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(EMAIL_CONFIRM, {"code": code}, follow=True)
    assert "E-mail изменён" in page(response)
    anna.refresh_from_db()
    assert (anna.email, anna.pending_email) == ("anna.new@example.test", "")
    notice = OutboxMessage.objects.get(template="email_changed_notice")
    assert notice.recipient == "anna@example.test" and "anna.new@example.test" in notice.body
    assert can_sign_in("anna.new@example.test") and not can_sign_in("anna@example.test")


def test_a_wrong_password_is_refused_and_the_typed_address_stays(client, anna):
    html = page(ask_email_change(client, password="not-my-password"))
    assert "Неверный пароль" in html and 'value="anna.new@example.test"' in html
    anna.refresh_from_db()
    assert anna.pending_email == "" and not OutboxMessage.objects.exists()


def test_empty_fields_say_fill_in(client, anna):
    html = page(client.post(EMAIL, {}))
    assert html.count("Заполните поле") >= 2


def test_an_address_in_use_is_refused(client, anna):
    UserFactory(email="taken@example.test")
    html = page(ask_email_change(client, email="TAKEN@example.test"))
    assert "Этот e-mail уже используется" in html
    assert not OutboxMessage.objects.exists()


def test_the_current_address_is_not_a_change(client, anna):
    assert "Это ваш текущий e-mail" in page(ask_email_change(client, email="anna@example.test"))


def test_an_address_taken_while_the_code_travelled_is_refused_at_confirmation(client, anna):
    ask_email_change(client)
    code = last_code(template="email_change_code", to="anna.new@example.test")
    UserFactory(email="anna.new@example.test")
    response = client.post(EMAIL_CONFIRM, {"code": code}, follow=True)
    assert "Этот e-mail уже используется" in page(response)
    anna.refresh_from_db()
    assert (anna.email, anna.pending_email) == ("anna@example.test", "")


def test_a_wrong_code_is_refused_and_five_wrong_tries_kill_it(client, anna):
    ask_email_change(client)
    code = last_code(template="email_change_code", to="anna.new@example.test")
    html = page(client.post(EMAIL_CONFIRM, {"code": wrong(code)}))
    assert "Неверный код. Проверьте код из письма и введите его ещё раз." in html
    for _attempt in range(4):
        client.post(EMAIL_CONFIRM, {"code": wrong(code)})
    html = page(client.post(EMAIL_CONFIRM, {"code": code}))
    assert "Код введён неверно слишком много раз. Запросите новый код." in html
    anna.refresh_from_db()
    assert anna.email == "anna@example.test"


def test_a_code_that_is_not_five_digits_is_refused_before_it_counts(client, anna):
    ask_email_change(client)
    html = page(client.post(EMAIL_CONFIRM, {"code": "12a"}))
    assert "Введите пять цифр из письма." in html
    assert OneTimeCode.objects.get().attempts == 0


def test_an_expired_code_is_refused(client, anna, clock):
    ask_email_change(client)
    code = last_code(template="email_change_code", to="anna.new@example.test")
    clock.shift(timedelta(minutes=16))
    assert "Срок действия кода истёк. Запросите новый код." in page(client.post(EMAIL_CONFIRM, {"code": code}))


def test_the_code_is_sent_again_only_once_a_minute(client, anna, clock):
    ask_email_change(client)
    clock.shift(timedelta(seconds=20))
    response = client.post(EMAIL_CONFIRM, {"resend": "1"}, follow=True)
    assert "Отправить код ещё раз можно через 40 сек." in page(response)
    assert "0:40" in page(response)
    assert OutboxMessage.objects.filter(template="email_change_code").count() == 1
    clock.shift(timedelta(seconds=41))
    response = client.post(EMAIL_CONFIRM, {"resend": "1"}, follow=True)
    assert "Код отправлен ещё раз." in page(response)
    assert OutboxMessage.objects.filter(template="email_change_code").count() == 2


def test_a_new_code_replaces_the_old_one(client, anna, clock):
    ask_email_change(client)
    first = last_code(template="email_change_code", to="anna.new@example.test")
    clock.shift(timedelta(minutes=2))
    client.post(EMAIL_CONFIRM, {"resend": "1"})
    second = last_code(template="email_change_code", to="anna.new@example.test")
    if first != second:  # one chance in 100 000 that both are the same five digits
        assert "Неверный код" in page(client.post(EMAIL_CONFIRM, {"code": first}))
    client.post(EMAIL_CONFIRM, {"code": second})
    anna.refresh_from_db()
    assert anna.email == "anna.new@example.test"


def test_cancel_forgets_the_new_address(client, anna):
    ask_email_change(client)
    response = client.post(EMAIL_CONFIRM, {"cancel": "1"}, follow=True)
    assert "Изменение e-mail отменено" in page(response)
    anna.refresh_from_db()
    assert anna.pending_email == ""
    assert client.get(EMAIL_CONFIRM).url == reverse("selfservice:profile_contacts")  # no code screen any more
    assert not OneTimeCode.objects.get().is_usable()


def test_an_unconfirmed_address_is_corrected_and_confirmed_by_the_registration_screen(client):
    user = UserFactory(email="typo@example.tset", email_confirmed_at=None)
    client.force_login(user)
    response = ask_email_change(client, email="right@example.test")
    assert response.url == reverse("selfservice:email_confirm")
    user.refresh_from_db()
    assert (user.email, user.pending_email, user.email_confirmed) == ("right@example.test", "", False)
    assert OutboxMessage.objects.filter(recipient="right@example.test", template="email_code").exists()


def test_asking_for_codes_is_rate_limited(client, anna, clock):
    for minute in range(5):
        clock.shift(timedelta(minutes=1))
        ask_email_change(client, email=f"anna{minute}@example.test")
    response = ask_email_change(client, email="one-more@example.test")
    assert response.status_code == 429
    assert "Слишком много попыток" in page(response)


# --- Phone -----------------------------------------------------------------------------------------------------


@pytest.fixture
def oleg(client):
    user = UserFactory(phone="+79001234567", phone_confirmed_at=START)
    client.force_login(user)
    return user


def ask_phone_change(client, phone="+7 912 345-67-89", **extra):
    return client.post(PHONE, {"phone": phone, **extra})


def captcha_answer(html: str) -> dict:
    hashkey = re.search(r'name="captcha_0" value="(\w+)"', html).group(1)
    return {"captcha_0": hashkey, "captcha_1": CaptchaStore.objects.get(hashkey=hashkey).response}


def test_the_new_number_gets_an_sms_code_and_the_profile_keeps_the_old_one(client, oleg, clock):
    response = ask_phone_change(client, phone="8 (912) 345-67-89")
    assert response.url == PHONE_CONFIRM
    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.recipient == "+79123456789" and sms.template == "phone_code" and "Код подтверждения" in sms.body
    oleg.refresh_from_db()
    assert oleg.phone.as_e164 == "+79001234567"
    html = page(client.get(PHONE_CONFIRM))
    assert "СМС с кодом подтверждения было отправлено на номер: +79123456789!" in html
    assert "Отправить ещё раз через" in html and "1:00" in html


def test_the_right_code_saves_the_number_as_confirmed(client, oleg, clock):
    ask_phone_change(client)
    code = last_code(template="phone_code", to="+79123456789")
    clock.shift(timedelta(minutes=1))
    response = client.post(PHONE_CONFIRM, {"code": code}, follow=True)
    assert "Номер телефона подтверждён" in page(response)
    oleg.refresh_from_db()
    assert oleg.phone.as_e164 == "+79123456789" and oleg.phone_confirmed_at == START + timedelta(minutes=1)
    assert "+7 912 345-67-89" in page(response) and "Подтверждён" in page(response)


def test_a_wrong_sms_code_is_refused_and_the_number_stays(client, oleg):
    ask_phone_change(client)
    code = last_code(template="phone_code", to="+79123456789")
    html = page(client.post(PHONE_CONFIRM, {"code": wrong(code)}))
    assert "Неверный код. Проверьте код из СМС и введите его ещё раз." in html
    oleg.refresh_from_db()
    assert oleg.phone.as_e164 == "+79001234567"


def test_an_expired_sms_code_is_refused(client, oleg, clock):
    ask_phone_change(client)
    code = last_code(template="phone_code", to="+79123456789")
    clock.shift(timedelta(minutes=16))
    assert "Срок действия кода истёк" in page(client.post(PHONE_CONFIRM, {"code": code}))


def test_a_bad_number_is_refused_and_kept_in_the_field(client, oleg):
    html = page(ask_phone_change(client, phone="12345"))
    assert "Введите номер телефона полностью" in html and 'value="12345"' in html
    assert not OutboxMessage.objects.exists()
    assert "Заполните поле" in page(ask_phone_change(client, phone=""))


def test_the_confirmed_number_itself_is_not_a_change(client, oleg):
    assert "Этот номер уже указан в профиле и подтверждён" in page(ask_phone_change(client, phone="+79001234567"))


def test_the_unconfirmed_number_from_the_introduction_can_be_confirmed(client):
    user = UserFactory(phone="+79001234567", phone_confirmed_at=None)
    client.force_login(user)
    assert 'value="+7 900 123-45-67"' in page(client.get(PHONE))  # prefilled
    ask_phone_change(client, phone="+79001234567")
    client.post(PHONE_CONFIRM, {"code": last_code(template="phone_code", to="+79001234567")})
    user.refresh_from_db()
    assert user.phone_confirmed


def test_the_sms_is_sent_again_only_after_the_timer(client, oleg, clock):
    ask_phone_change(client)
    clock.shift(timedelta(seconds=30))
    response = client.post(PHONE_CONFIRM, {"resend": "1"}, follow=True)
    assert "Отправить код ещё раз можно через 30 сек." in page(response)
    response = ask_phone_change(client, phone="+79998887766")  # another number does not jump the timer either
    assert response.url == PHONE_CONFIRM
    assert OutboxMessage.objects.filter(channel="sms").count() == 1
    clock.shift(timedelta(seconds=31))
    client.post(PHONE_CONFIRM, {"resend": "1"})
    assert OutboxMessage.objects.filter(channel="sms", recipient="+79123456789").count() == 2


def test_after_three_changes_a_day_the_picture_is_required(client, oleg, clock):
    for number in ("+79120000001", "+79120000002", "+79120000003"):
        clock.shift(timedelta(minutes=2))
        assert 'name="captcha_1"' not in page(client.get(PHONE))
        ask_phone_change(client, phone=number)
    clock.shift(timedelta(minutes=2))
    html = page(client.get(PHONE))
    assert "Введите код с картинки" in html
    html = page(ask_phone_change(client, phone="+79120000004", captcha_0="x", captcha_1="wrong"))
    assert "Код с картинки введён неверно" in html
    assert OutboxMessage.objects.filter(channel="sms").count() == 3
    ask_phone_change(client, phone="+79120000004", **captcha_answer(html))
    assert OutboxMessage.objects.filter(channel="sms", recipient="+79120000004").exists()
    clock.shift(timedelta(hours=24, minutes=1))
    assert 'name="captcha_1"' not in page(client.get(PHONE))  # a day later the counter is clear


def test_the_resend_asks_for_the_picture_too_after_repeated_changes(client, oleg, clock):
    for _attempt in range(3):
        clock.shift(timedelta(minutes=2))
        ask_phone_change(client)
    clock.shift(timedelta(minutes=2))
    html = page(client.get(PHONE_CONFIRM))
    assert 'name="captcha_1"' in html
    page(client.post(PHONE_CONFIRM, {"resend": "1"}))
    assert OutboxMessage.objects.filter(channel="sms").count() == 3
    client.post(PHONE_CONFIRM, {"resend": "1", **captcha_answer(html)})
    assert OutboxMessage.objects.filter(channel="sms").count() == 4


def test_cancel_drops_the_waiting_number(client, oleg):
    ask_phone_change(client)
    response = client.post(PHONE_CONFIRM, {"cancel": "1"}, follow=True)
    assert "Изменение номера телефона отменено" in page(response)
    assert client.get(PHONE_CONFIRM).url == PHONE
