"""Confirmation of a sign-in from a new device or browser (seed 001 §13.1.6)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from backoffice.models import OutboxMessage
from selfservice.models import KnownDevice
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("selfservice:login")
DEVICE = reverse("selfservice:login_device")
CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def careful_user(db):
    return UserFactory(email="anna@example.test", first_name="Анна", confirm_new_devices=True)


def sign_in(client, user, remember=True):
    data = {"username": user.email, "password": PASSWORD, **({"remember_me": "on"} if remember else {})}
    return client.post(LOGIN, data, HTTP_USER_AGENT=CHROME_ON_WINDOWS, REMOTE_ADDR="203.0.113.7")


def letters(user):
    return OutboxMessage.objects.filter(template="new_device_code", recipient=user.email).order_by("created_at")


def latest_code(user) -> str:
    return re.search(r"Код подтверждения: (\d{5})", letters(user).last().body).group(1)


def test_without_the_switch_no_code_is_asked(client):
    user = UserFactory(confirm_new_devices=False)
    assert sign_in(client, user).url == reverse("selfservice:home")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert not letters(user).exists()


def test_a_new_browser_is_held_at_the_code_screen_and_the_code_is_mailed(client, careful_user):
    response = sign_in(client, careful_user)
    assert response.url == DEVICE
    assert "_auth_user_id" not in client.session
    letter = letters(careful_user).get()
    assert letter.subject == "Код для входа с нового устройства"
    assert "Chrome 120.0.0, Windows 10" in letter.body
    assert "203.0.113.7" in letter.body
    page = client.get(DEVICE).content.decode()
    for text in ("Вход с нового устройства", "Введите код, отправленный на почту", "anna@example.test", "Войти"):
        assert text in page


def test_the_letter_is_delivered_from_the_outbox(client, careful_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(client, careful_user)
    assert mail.outbox[-1].to == ["anna@example.test"]
    assert latest_code(careful_user) in mail.outbox[-1].body


def test_the_right_code_signs_in_and_remembers_the_browser(client, careful_user):
    sign_in(client, careful_user)
    response = client.post(DEVICE, {"code": latest_code(careful_user)}, HTTP_USER_AGENT=CHROME_ON_WINDOWS)
    assert response.url == reverse("selfservice:home")
    assert client.session["_auth_user_id"] == str(careful_user.pk)
    cookie = response.cookies["known_device"]
    assert cookie["httponly"] and cookie["max-age"] == 365 * 24 * 60 * 60
    device = KnownDevice.objects.get(user=careful_user)
    assert cookie.value not in device.token_hash
    assert device.user_agent == CHROME_ON_WINDOWS

    client.post(reverse("selfservice:logout"))
    assert sign_in(client, careful_user).url == reverse("selfservice:home")  # the browser is known now
    assert letters(careful_user).count() == 1


def test_remember_me_is_kept_through_the_code(client, careful_user):
    sign_in(client, careful_user, remember=False)
    client.post(DEVICE, {"code": latest_code(careful_user)})
    assert client.session.get_expire_at_browser_close()


def test_the_cookie_is_secure_in_production(client, careful_user, settings):
    settings.SESSION_COOKIE_SECURE = True
    sign_in(client, careful_user)
    assert client.post(DEVICE, {"code": latest_code(careful_user)}).cookies["known_device"]["secure"]


def test_one_browser_trusted_by_one_person_is_new_for_another(client, careful_user):
    sign_in(client, careful_user)
    client.post(DEVICE, {"code": latest_code(careful_user)})
    client.post(reverse("selfservice:logout"))
    boris = UserFactory(email="boris@example.test", confirm_new_devices=True)
    assert sign_in(client, boris).url == DEVICE
    client.post(DEVICE, {"code": latest_code(boris)})
    assert KnownDevice.objects.count() == 2
    client.post(reverse("selfservice:logout"))
    assert sign_in(client, careful_user).url == reverse("selfservice:home")  # the shared cookie serves both


def test_a_wrong_code_is_refused_and_keeps_the_user_out(client, careful_user):
    sign_in(client, careful_user)
    wrong = "00000" if latest_code(careful_user) != "00000" else "11111"
    page = client.post(DEVICE, {"code": wrong}).content.decode()
    assert "Неверный код. Проверьте код из письма и введите его ещё раз." in page
    assert f'value="{wrong}"' in page
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("typed", ["", "12a45", "1234"])
def test_a_code_that_is_not_five_digits_is_refused(client, careful_user, typed):
    sign_in(client, careful_user)
    page = client.post(DEVICE, {"code": typed}).content.decode()
    assert ("Заполните поле" if not typed else "Введите пять цифр из письма.") in page


def test_after_five_wrong_codes_even_the_right_one_is_refused(client, careful_user, settings):
    sign_in(client, careful_user)
    code = latest_code(careful_user)
    wrong = "00000" if code != "00000" else "11111"
    for _ in range(settings.ONE_TIME_CODE_MAX_ATTEMPTS):
        client.post(DEVICE, {"code": wrong})
    page = client.post(DEVICE, {"code": code}).content.decode()
    assert "Код введён неверно слишком много раз. Запросите новый код." in page
    assert "_auth_user_id" not in client.session


def test_the_held_sign_in_expires_with_the_code(client, careful_user, settings):
    sign_in(client, careful_user)
    code = latest_code(careful_user)
    later = timezone.now() + timedelta(minutes=settings.ONE_TIME_CODE_TTL_MINUTES, seconds=1)
    with time_machine.travel(later, tick=False):
        response = client.post(DEVICE, {"code": code}, follow=True)
    assert response.redirect_chain[-1][0] == LOGIN
    assert "Время на ввод кода истекло. Войдите ещё раз." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_code_screen_without_a_held_sign_in_sends_to_the_login(client):
    assert client.get(DEVICE).url == LOGIN


def test_resend_waits_a_minute_then_sends_a_new_code(client, careful_user):
    sign_in(client, careful_user)
    first = latest_code(careful_user)
    page = client.get(DEVICE).content.decode()
    assert re.search(r"Отправить ещё раз через [01]:\d\d", page)
    client.post(DEVICE, {"resend": "1"})
    assert letters(careful_user).count() == 1

    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
        response = client.post(DEVICE, {"resend": "1"}, follow=True)
        assert "Мы отправили новый код на anna@example.test." in response.content.decode()
        assert letters(careful_user).count() == 2
        second = latest_code(careful_user)
        if second != first:
            assert "Неверный код" in client.post(DEVICE, {"code": first}).content.decode()
        client.post(DEVICE, {"code": second})
    assert client.session["_auth_user_id"] == str(careful_user.pk)


def test_typing_the_password_again_within_a_minute_sends_no_second_letter(client, careful_user):
    sign_in(client, careful_user)
    sign_in(client, careful_user)
    assert letters(careful_user).count() == 1
