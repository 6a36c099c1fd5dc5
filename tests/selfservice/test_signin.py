"""«Вход» (F-A4): e-mail or old login, «Запомнить меня», the captcha after failures, the lockout, the rate limit."""

import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from captcha.models import CaptchaStore
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("selfservice:login")
WRONG_LOGIN = "Неверный e-mail, логин или пароль. Проверьте раскладку и регистр букв."
CAPTCHA_LABEL = "Введите код с картинки"
CAPTCHA_NOW = "Слишком много неудачных попыток входа. Введите код с картинки."
LOCKED = "Слишком много неудачных попыток входа. Попробуйте снова через 15 минут или восстановите пароль."


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """django-ratelimit counts in the cache, which outlives a test's database."""
    cache.clear()
    yield
    cache.clear()


def captcha_answer(response) -> dict:
    """The picture's answer, read where the server keeps it; {} when the page shows no captcha."""
    match = re.search(r'name="captcha_0" value="([^"]+)"', response.content.decode())
    if not match:
        return {}
    return {"captcha_0": match.group(1), "captcha_1": CaptchaStore.objects.get(hashkey=match.group(1)).response}


def sign_in(client, username, password=PASSWORD, remember=True, previous=None, **extra):
    """Post «Вход», answering the captcha when the previous page showed one."""
    data = {"username": username, "password": password, **(captcha_answer(previous) if previous else {})}
    if remember:
        data["remember_me"] = "on"
    return client.post(LOGIN, data, follow=True, **extra)


def fail(client, username, times, **extra):
    """`times` wrong passwords in a row, solving each captcha as a person would; the last page."""
    response = client.get(LOGIN, **extra)
    for _ in range(times):
        response = sign_in(client, username, password="wrong-Pass-1", previous=response, **extra)
    return response


def page_text(response, *typed) -> str:
    """The page without what differs by nature: the CSRF token, captcha keys and what the visitor typed."""
    html = response.content.decode()
    html = re.sub(r'name="(csrfmiddlewaretoken|captcha_0)" value="[^"]*"', "", html)
    html = re.sub(r"/captcha/image/[0-9a-f]+/", "", html)
    for value in typed:
        html = html.replace(value, "")
    return html


def test_login_page_speaks_russian(client):
    page = client.get(LOGIN).content.decode()
    for text in ("Вход в личный кабинет", "E-mail или логин", "Пароль", "Запомнить меня", "Войти", "Вспомнить пароль"):
        assert text in page
    assert '<html lang="ru">' in page
    assert CAPTCHA_LABEL not in page


def test_customer_signs_in_with_email_in_any_case_and_sees_the_cabinet(client):
    UserFactory(email="anna@example.test", first_name="Анна")
    response = sign_in(client, "  ANNA@Example.test ")
    assert response.redirect_chain[-1][0] == reverse("selfservice:home")
    assert "Здравствуйте, Анна!" in response.content.decode()


def test_customer_of_the_old_cabinet_signs_in_with_the_login(client):
    UserFactory(login="Hlebozavod", first_name="Олег")
    response = sign_in(client, "hlebozavod")
    assert "Здравствуйте, Олег!" in response.content.decode()


def test_sign_in_follows_next_to_the_page_asked_for(client):
    user = UserFactory()
    response = client.post(
        LOGIN, {"username": user.email, "password": PASSWORD, "next": reverse("selfservice:password_change")}
    )
    assert response.url == reverse("selfservice:password_change")


@pytest.mark.parametrize("username", ["nobody@example.test", "anna@example.test"])
def test_a_wrong_password_and_an_unknown_login_get_the_same_answer(client, username):
    UserFactory(email="anna@example.test")
    response = sign_in(client, username, password="wrong-password")
    page = response.content.decode()
    assert WRONG_LOGIN in page
    assert f'value="{username}"' in page  # what the customer typed stays in the field
    assert "_auth_user_id" not in client.session


def test_known_and_unknown_logins_see_identical_pages_all_the_way_to_the_captcha(client):
    UserFactory(email="anna@example.test")
    for failures in (1, 4):
        known = fail(client, "anna@example.test", failures, REMOTE_ADDR="10.0.0.1")
        unknown = fail(client, "nobody@example.test", failures, REMOTE_ADDR="10.0.0.2")
        assert page_text(known, "anna@example.test") == page_text(unknown, "nobody@example.test")
        cache.clear()


def test_an_empty_form_names_each_missing_field(client):
    page = client.post(LOGIN, {}).content.decode()
    assert page.count("Заполните поле") == 4  # next to each field and in the summary on top


def test_a_disabled_account_gets_the_wrong_password_answer(client):
    UserFactory(email="gone@example.test", is_active=False)
    response = sign_in(client, "gone@example.test")
    assert WRONG_LOGIN in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_without_remember_me_the_session_ends_with_the_browser(client):
    user = UserFactory()
    sign_in(client, user.email, remember=False)
    assert client.session.get_expire_at_browser_close()


def test_with_remember_me_the_session_outlives_the_browser(client, settings):
    user = UserFactory()
    sign_in(client, user.email, remember=True)
    assert not client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_sign_out_returns_to_the_login_page(signed_in_client):
    response = signed_in_client.post(reverse("selfservice:logout"), follow=True)
    assert response.redirect_chain[-1][0] == LOGIN
    assert "_auth_user_id" not in signed_in_client.session


# --- the captcha after more than three failures (seed 000 §2.4) ---------------------------------------------


def test_three_failures_ask_for_no_captcha(client):
    UserFactory(email="anna@example.test")
    assert CAPTCHA_LABEL not in fail(client, "anna@example.test", 3).content.decode()


def test_the_fourth_failure_for_a_login_brings_the_captcha_whatever_the_letter_case(client):
    UserFactory(email="anna@example.test")
    response = client.get(LOGIN)
    for typed in ("anna@example.test", "ANNA@example.test", " Anna@Example.Test", "anna@example.test"):
        response = sign_in(client, typed, password="wrong-Pass-1", previous=response)
    page = response.content.decode()
    assert CAPTCHA_LABEL in page and CAPTCHA_NOW in page and "изменить картинку" in page
    assert '<img class="captcha__image" src="/captcha/image/' in page


def test_the_captcha_follows_the_login_to_another_address(client):
    UserFactory(email="anna@example.test")
    fail(client, "anna@example.test", 4, REMOTE_ADDR="10.0.0.1")
    elsewhere = sign_in(client, "anna@example.test", password="wrong-Pass-1", REMOTE_ADDR="10.0.0.9")
    assert CAPTCHA_LABEL in elsewhere.content.decode()


def test_the_fourth_failure_from_an_address_brings_the_captcha_for_any_login(client):
    for number in range(4):
        response = sign_in(client, f"guess{number}@example.test", password="x", REMOTE_ADDR="10.0.0.7")
    assert CAPTCHA_LABEL in response.content.decode()
    assert CAPTCHA_LABEL in client.get(LOGIN, REMOTE_ADDR="10.0.0.7").content.decode()
    assert CAPTCHA_LABEL not in client.get(LOGIN, REMOTE_ADDR="10.0.0.8").content.decode()


def test_a_wrong_captcha_answer_refuses_even_the_right_password(client):
    UserFactory(email="anna@example.test")
    previous = fail(client, "anna@example.test", 4)
    data = {"username": "anna@example.test", "password": PASSWORD, **captcha_answer(previous)}
    data["captcha_1"] = "wrong"
    page = client.post(LOGIN, data).content.decode()
    assert "Код с картинки введён неверно. Введите код с новой картинки." in page
    assert 'value="anna@example.test"' in page
    assert "_auth_user_id" not in client.session


def test_a_missing_captcha_answer_is_asked_for(client):
    UserFactory(email="anna@example.test")
    fail(client, "anna@example.test", 4)
    page = client.post(LOGIN, {"username": "anna@example.test", "password": PASSWORD}).content.decode()
    assert "Заполните поле" in page
    assert "_auth_user_id" not in client.session


def test_a_picture_answers_only_once(client):
    UserFactory(email="anna@example.test")
    answer = captcha_answer(fail(client, "anna@example.test", 4))
    client.post(LOGIN, {"username": "anna@example.test", "password": "wrong-Pass-1", **answer})
    page = client.post(LOGIN, {"username": "anna@example.test", "password": PASSWORD, **answer}).content.decode()
    assert "Код с картинки введён неверно" in page
    assert "_auth_user_id" not in client.session


def test_the_right_captcha_and_password_sign_in(client):
    UserFactory(email="anna@example.test", first_name="Анна")
    previous = fail(client, "anna@example.test", 5)
    response = sign_in(client, "anna@example.test", previous=previous)
    assert "Здравствуйте, Анна!" in response.content.decode()


def test_signing_in_clears_the_failures_of_that_login(client):
    UserFactory(email="anna@example.test")
    previous = fail(client, "anna@example.test", 3)
    sign_in(client, "anna@example.test", previous=previous)
    client.post(reverse("selfservice:logout"))
    assert CAPTCHA_LABEL not in fail(client, "anna@example.test", 3).content.decode()


def test_an_attacker_signing_in_to_their_own_account_keeps_the_victims_failures(client):
    UserFactory(email="anna@example.test")
    UserFactory(email="eve@example.test")
    previous = fail(client, "anna@example.test", 4, REMOTE_ADDR="10.0.0.66")
    sign_in(client, "eve@example.test", previous=previous, REMOTE_ADDR="10.0.0.66")
    client.post(reverse("selfservice:logout"))
    victim = sign_in(client, "anna@example.test", password="wrong-Pass-1", REMOTE_ADDR="10.0.0.1")
    assert CAPTCHA_LABEL in victim.content.decode()


# --- the lockout (django-axes) ------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["anna@example.test", "nobody@example.test"])
def test_after_ten_failures_the_login_is_locked_with_the_same_words_for_everyone(client, username, settings):
    UserFactory(email="anna@example.test")
    before = fail(client, username, settings.AXES_FAILURE_LIMIT - 1)
    assert WRONG_LOGIN in before.content.decode()
    locked = sign_in(client, username, password="wrong-Pass-1", previous=before)
    assert locked.redirect_chain[-1][0] == reverse("selfservice:login_locked")
    page = locked.content.decode()
    assert LOCKED in page
    assert username not in page and username not in locked.redirect_chain[-1][0]
    assert f'href="{reverse("selfservice:password_reset")}"' in page


def test_a_locked_login_refuses_the_right_password_until_the_cool_off_passes(client, settings):
    UserFactory(email="anna@example.test", first_name="Анна")
    fail(client, "anna@example.test", settings.AXES_FAILURE_LIMIT)
    refused = sign_in(client, "anna@example.test")
    assert refused.redirect_chain[-1][0] == reverse("selfservice:login_locked")
    assert "_auth_user_id" not in client.session
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1), tick=False):
        cache.clear()
        page = client.get(LOGIN).content.decode()
        assert CAPTCHA_LABEL not in page
        assert "Здравствуйте, Анна!" in sign_in(client, "anna@example.test").content.decode()


def test_the_lock_is_per_login_and_per_address(client, settings):
    UserFactory(email="anna@example.test", first_name="Анна")
    UserFactory(email="boris@example.test", first_name="Борис")
    fail(client, "anna@example.test", settings.AXES_FAILURE_LIMIT, REMOTE_ADDR="10.0.0.1")
    from_elsewhere = sign_in(client, "anna@example.test", REMOTE_ADDR="10.0.0.2")
    assert from_elsewhere.redirect_chain[-1][0] == reverse("selfservice:login_locked")
    same_address = sign_in(client, "boris@example.test", REMOTE_ADDR="10.0.0.1")
    assert same_address.redirect_chain[-1][0] == reverse("selfservice:login_locked")
    other = sign_in(client, "boris@example.test", REMOTE_ADDR="10.0.0.3", previous=client.get(LOGIN))
    assert "Здравствуйте, Борис!" in other.content.decode()


# --- the coarse rate limit per IP (django-ratelimit) -----------------------------------------------------------


def test_more_than_thirty_sign_in_posts_a_minute_from_one_address_are_refused(client):
    for _ in range(30):
        assert client.post(LOGIN, {}, REMOTE_ADDR="10.0.0.5").status_code == 200
    refused = client.post(LOGIN, {}, REMOTE_ADDR="10.0.0.5")
    assert refused.status_code == 429
    assert "Слишком много попыток. Подождите несколько минут и повторите." in refused.content.decode()
    assert client.post(LOGIN, {}, REMOTE_ADDR="10.0.0.6").status_code == 200


def behind_nginx(settings):
    """The settings production computes for PROXY_COUNT=1 (cms/settings/base.py), checked below."""
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")


def test_proxy_count_one_reads_the_address_nginx_appended():
    script = "import cms.settings.base as s; print(s.AXES_IPWARE_PROXY_COUNT, s.AXES_IPWARE_META_PRECEDENCE_ORDER)"
    for proxies, expected in (("1", "0 ('HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR')"), ("0", "0 ('REMOTE_ADDR',)")):
        environment = {**os.environ, "PROXY_COUNT": proxies, "DJANGO_SETTINGS_MODULE": "cms.settings.base"}
        run = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True)
        assert run.stdout.strip() == expected, run.stderr


def test_behind_the_proxy_each_customer_has_a_limit_of_their_own(client, settings):
    behind_nginx(settings)
    for _ in range(30):
        assert client.post(LOGIN, {}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 200
    assert client.post(LOGIN, {}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    # Another customer behind the same nginx is not refused: the limit is theirs, not the proxy's.
    assert client.post(LOGIN, {}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 200


def test_an_address_a_browser_puts_in_front_does_not_buy_a_fresh_limit(client, settings):
    behind_nginx(settings)
    for number in range(30):
        forged = f"203.0.113.{number}, 198.51.100.7"  # what nginx forwards when the browser sent its own header
        assert client.post(LOGIN, {}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forged).status_code == 200
    assert (
        client.post(LOGIN, {}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.99, 198.51.100.7").status_code
        == 429
    )
