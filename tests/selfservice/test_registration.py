"""«Регистрация», the e-mail code, the banner, the 60-hour purge and `email_confirmed_required` (F-A1)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path, reverse
from django.utils import timezone

from backoffice.models import OutboxMessage
from selfservice.decorators import email_confirmed_required
from selfservice.demo import demo_agreement_create
from selfservice.models import OneTimeCode
from selfservice.services.registration import unconfirmed_users_purge
from selfservice.tasks import purge_unconfirmed_users
from tests.backoffice.factories import PersonalAccountFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_PASSWORD = "Morning-Tea-42"
FILL_IN = "Заполните поле"
WRONG_CODE = "Неверный код. Проверьте код из письма и введите его ещё раз."
EXPIRED_CODE = "Срок действия кода истёк. Запросите новый код."
TOO_MANY_TRIES = "Код введён неверно слишком много раз. Запросите новый код."
BANNER = "Подтвердите e-mail, чтобы пользоваться всеми возможностями кабинета"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """django-ratelimit counts in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


def register(client, email="new@example.test", **overrides):
    data = {
        "email": email,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "accept_agreement": "on",
        **overrides,
    }
    return client.post(reverse("selfservice:register"), {k: v for k, v in data.items() if v is not None})


def code_sent_to(email) -> str:
    letter = OutboxMessage.objects.filter(recipient=email, template="email_code").latest("pk")
    return re.search(r"адреса электронной почты: (\d{5})", letter.body).group(1)


def enter_code(client, code, follow=True):
    return client.post(reverse("selfservice:email_confirm"), {"code": code}, follow=follow)


def wrong(code: str) -> str:
    return "00000" if code != "00000" else "11111"


def page_text(response) -> str:
    return response.content.decode()


# --- The form -------------------------------------------------------------------------------------------------


def test_the_form_has_the_manuals_labels_and_links(client):
    page = page_text(client.get(reverse("selfservice:register")))
    for text in (
        "Регистрация",
        "E-mail",
        "Пароль",
        "Повторите пароль",
        "Я принимаю пользовательское соглашение",
        "Я согласен получать рекламно-информационную рассылку",
        "Зарегистрироваться",
    ):
        assert text in page
    assert reverse("selfservice:register_household") in page
    assert reverse("selfservice:login") in page


def test_the_agreement_checkbox_links_to_the_cms_page():
    agreement = demo_agreement_create()
    page = page_text(Client().get(reverse("selfservice:register")))
    assert (
        f'Я принимаю <a href="{agreement.url}" target="_blank" rel="noopener">пользовательское соглашение</a>' in page
    )


def test_the_login_page_and_the_welcome_page_lead_to_registration(client):
    for url in (reverse("selfservice:login"), reverse("selfservice:home")):
        assert f'href="{reverse("selfservice:register")}"' in page_text(client.get(url))


def test_an_empty_form_says_fill_in_next_to_each_field_and_stores_nothing(client):
    response = client.post(reverse("selfservice:register"), {})
    page = page_text(response)
    form = response.context["form"]
    for name in ("email", "password1", "password2"):
        assert form.errors[name] == [FILL_IN]
    assert form.errors["accept_agreement"] == ["Примите пользовательское соглашение, чтобы зарегистрироваться."]
    assert FILL_IN in page
    assert not User.objects.exists() and not OutboxMessage.objects.exists()


def test_without_the_agreement_nobody_is_registered_and_the_typed_email_stays(client):
    response = register(client, email="anna@example.test", accept_agreement=None)
    page = page_text(response)
    assert "Примите пользовательское соглашение, чтобы зарегистрироваться." in page
    assert 'value="anna@example.test"' in page
    assert NEW_PASSWORD not in page  # passwords are never sent back
    assert not User.objects.exists()


def test_different_passwords_are_refused(client):
    response = register(client, password2="Morning-Tea-43")
    assert response.context["form"].errors["password2"] == ["Пароли не совпадают."]
    assert not User.objects.exists()


def test_a_weak_password_is_refused_by_the_password_policy(client):
    response = register(client, password1="12345", password2="12345")
    assert response.context["form"].errors["password1"]
    assert not User.objects.exists()


def test_a_malformed_email_is_refused(client):
    response = register(client, email="anna.example.test")
    assert response.context["form"].errors["email"]
    assert 'value="anna.example.test"' in page_text(response)
    assert not User.objects.exists()


# --- Registering ------------------------------------------------------------------------------------------------


def test_registration_creates_an_unconfirmed_user_and_emails_a_code(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = register(client, email="  Anna@Example.TEST ", advertising_consent="on")
    assert response.url == reverse("selfservice:email_confirm")
    user = User.objects.get()
    assert user.email == "anna@example.test"
    assert user.email_confirmed_at is None
    assert user.agreement_accepted_at is not None and user.advertising_consent
    assert user.check_password(NEW_PASSWORD)
    letter = mail.outbox[-1]
    assert letter.to == ["anna@example.test"] and letter.subject == "Код подтверждения"
    assert code_sent_to("anna@example.test") in letter.body
    assert "Код действует 15 минут." in letter.body
    assert "_auth_user_id" not in client.session  # signed in only once the code proves the address


def test_the_code_screen_asks_for_the_code_with_the_resend_timer(client):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        register(client, email="anna@example.test")
        clock.shift(timedelta(seconds=2))
        page = page_text(client.get(reverse("selfservice:email_confirm")))
    assert "Введите код, отправленный на почту" in page
    assert "anna@example.test" in page
    assert "Отправить ещё раз через 0:58" in page
    assert 'data-seconds="58"' in page


def test_the_right_code_confirms_signs_in_and_leads_to_introduce(client):
    register(client, email="anna@example.test")
    response = enter_code(client, code_sent_to("anna@example.test"))
    user = User.objects.get()
    assert user.email_confirmed_at is not None
    assert client.session["_auth_user_id"] == str(user.pk)
    assert response.redirect_chain[-1][0].startswith(reverse("selfservice:introduce"))
    assert "Адрес электронной почты подтвержден успешно" in page_text(response)


def test_a_wrong_code_is_refused_and_the_typed_code_stays(client):
    register(client, email="anna@example.test")
    typed = wrong(code_sent_to("anna@example.test"))
    page = page_text(enter_code(client, typed))
    assert WRONG_CODE in page
    assert f'value="{typed}"' in page
    assert User.objects.get().email_confirmed_at is None


def test_a_code_that_is_not_five_digits_is_refused(client):
    register(client, email="anna@example.test")
    assert "Код состоит из 5 цифр." in page_text(enter_code(client, "12a"))
    assert FILL_IN in page_text(enter_code(client, ""))


def test_an_expired_code_is_refused(client):
    register(client, email="anna@example.test")
    code = code_sent_to("anna@example.test")
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        page = page_text(enter_code(client, code))
    assert EXPIRED_CODE in page
    assert User.objects.get().email_confirmed_at is None


def test_after_too_many_wrong_tries_even_the_right_code_is_refused(client, settings):
    register(client, email="anna@example.test")
    code = code_sent_to("anna@example.test")
    pages = [page_text(enter_code(client, wrong(code))) for _ in range(settings.ONE_TIME_CODE_MAX_ATTEMPTS)]
    assert WRONG_CODE in pages[0] and TOO_MANY_TRIES in pages[-1]
    assert TOO_MANY_TRIES in page_text(enter_code(client, code))
    assert User.objects.get().email_confirmed_at is None


def test_a_new_code_is_sent_at_most_once_a_minute(client):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        register(client, email="anna@example.test")
        first = code_sent_to("anna@example.test")
        clock.shift(timedelta(seconds=30))
        page = page_text(client.post(reverse("selfservice:email_confirm_resend"), follow=True))
        assert "Отправить код ещё раз можно через 30 с." in page
        assert OutboxMessage.objects.filter(template="email_code").count() == 1
        clock.shift(timedelta(seconds=31))
        page = page_text(client.post(reverse("selfservice:email_confirm_resend"), follow=True))
        assert "Мы отправили новый код на anna@example.test." in page
        second = code_sent_to("anna@example.test")
        assert OutboxMessage.objects.filter(template="email_code").count() == 2
        if first != second:
            assert WRONG_CODE in page_text(enter_code(client, first))  # the earlier code is retired
        enter_code(client, second)
    assert User.objects.get().email_confirmed_at is not None


def test_the_code_screen_without_a_registration_leads_to_the_form(client):
    assert client.get(reverse("selfservice:email_confirm")).url == reverse("selfservice:register")


def test_a_signed_in_user_cannot_register_again(signed_in_client):
    assert signed_in_client.get(reverse("selfservice:register")).url == reverse("selfservice:home")


# --- A taken address reveals nothing ------------------------------------------------------------------------


def _neutral(page: str, email: str) -> str:
    page = page.replace(email, "EMAIL")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_a_taken_email_gets_the_same_answer_and_its_owner_a_warning(client, django_capture_on_commit_callbacks):
    owner = UserFactory(email="anna@example.test")
    stranger = Client()
    with django_capture_on_commit_callbacks(execute=True):
        taken = register(client, email="ANNA@example.test")
        fresh = register(stranger, email="boris@example.test")
    assert taken.status_code == fresh.status_code == 302 and taken.url == fresh.url
    taken_page = page_text(client.get(taken.url))
    fresh_page = page_text(stranger.get(fresh.url))
    assert _neutral(taken_page, "anna@example.test") == _neutral(fresh_page, "boris@example.test")
    assert User.objects.filter(email="anna@example.test").get() == owner
    assert not owner.one_time_codes.exists()
    warning = next(letter for letter in mail.outbox if letter.to == ["anna@example.test"])
    assert "Кто-то пытается зарегистрироваться" in warning.body
    assert reverse("selfservice:password_reset") in warning.body
    assert not OutboxMessage.objects.filter(recipient="anna@example.test", template="email_code").exists()


def test_the_decoy_code_screen_refuses_like_a_real_one(client, settings):
    UserFactory(email="anna@example.test")
    register(client, email="anna@example.test")
    pages = [page_text(enter_code(client, "12345")) for _ in range(settings.ONE_TIME_CODE_MAX_ATTEMPTS)]
    assert WRONG_CODE in pages[0] and TOO_MANY_TRIES in pages[-1]
    assert "_auth_user_id" not in client.session
    assert "Отправить код ещё раз можно через" in page_text(
        client.post(reverse("selfservice:email_confirm_resend"), follow=True)
    )


def test_a_migrated_cabinet_sharing_the_email_makes_it_taken_too(client):
    UserFactory(email="shared@example.test", login="old-login")
    register(client, email="shared@example.test")
    assert User.objects.filter(email="shared@example.test").count() == 1
    assert OutboxMessage.objects.filter(template="registration_exists", recipient="shared@example.test").exists()


# --- Abuse ------------------------------------------------------------------------------------------------------


def test_registration_is_rate_limited_per_address(client):
    for _ in range(5):
        register(client, email="anna@example.test")
    response = register(client, email="anna@example.test")
    assert response.status_code == 429
    assert "Слишком много попыток" in page_text(response)


def test_registration_is_rate_limited_per_ip(client):
    for number in range(10):
        register(client, email=f"user{number}@example.test")
    assert register(client, email="one-more@example.test").status_code == 429
    assert User.objects.count() == 10


def test_code_requests_are_rate_limited_per_address(client):
    register(client, email="anna@example.test")
    # All at one instant: django-ratelimit's hour ends at an offset of its own per address, and requests spread
    # over minutes (as before) straddled that end in about one run of six, which reset the count.
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        answers = [client.post(reverse("selfservice:email_confirm_resend")).status_code for _ in range(11)]
    assert answers == [302] * 10 + [429]


# --- The banner -------------------------------------------------------------------------------------------------


def test_an_unconfirmed_user_sees_the_banner_on_every_page_until_confirmed(client):
    user = UserFactory(email_confirmed_at=None)
    client.force_login(user)
    agreement = demo_agreement_create()
    for url in (reverse("selfservice:home"), agreement.url):
        page = page_text(client.get(url))
        assert BANNER in page and "Перейти в профиль" in page
    page = page_text(client.get(reverse("selfservice:email_confirm")))
    assert BANNER not in page  # the code screen is where the banner leads
    assert "Выслать код подтверждения" in page
    client.post(reverse("selfservice:email_confirm_resend"))
    enter_code(client, code_sent_to(user.email))
    assert BANNER not in page_text(client.get(reverse("selfservice:home")))


def test_a_confirmed_user_sees_no_banner(signed_in_client):
    assert BANNER not in page_text(signed_in_client.get(reverse("selfservice:home")))


def test_a_confirmed_user_is_told_so_on_the_code_screen(signed_in_client):
    response = signed_in_client.get(reverse("selfservice:email_confirm"), follow=True)
    assert "Адрес электронной почты уже подтверждён." in page_text(response)


def test_a_signed_in_user_confirms_with_a_code_sent_on_request(client):
    user = UserFactory(email_confirmed_at=None)
    client.force_login(user)
    client.post(reverse("selfservice:email_confirm_resend"))
    assert "Введите код, отправленный на почту" in page_text(client.get(reverse("selfservice:email_confirm")))
    response = enter_code(client, code_sent_to(user.email))
    assert response.redirect_chain[-1][0] == reverse("selfservice:home")
    user.refresh_from_db()
    assert user.email_confirmed


# --- The 60-hour purge ------------------------------------------------------------------------------------------


def test_an_unconfirmed_registration_is_removed_after_60_hours(client):
    register(client, email="anna@example.test")
    registered_at = timezone.now()
    with time_machine.travel(registered_at + timedelta(hours=59), tick=False):
        assert purge_unconfirmed_users.delay().get() == 0
    assert User.objects.filter(email="anna@example.test").exists()
    with time_machine.travel(registered_at + timedelta(hours=60, minutes=1), tick=False):
        assert purge_unconfirmed_users.delay().get() == 1
    assert not User.objects.filter(email="anna@example.test").exists()
    assert not OneTimeCode.objects.exists()


def test_the_purged_address_can_register_again(client):
    register(client, email="anna@example.test")
    unconfirmed_users_purge(now=timezone.now() + timedelta(hours=61))
    cache.clear()
    register(client, email="anna@example.test")
    assert User.objects.get().email == "anna@example.test"


def test_the_purge_keeps_confirmed_staff_migrated_assisted_and_linked_users():
    long_ago = timezone.now() - timedelta(days=10)
    kept = [
        UserFactory(date_joined=long_ago),
        UserFactory(date_joined=long_ago, email_confirmed_at=None, is_staff=True),
        UserFactory(date_joined=long_ago, email_confirmed_at=None, login="old-cabinet"),
        UserFactory(date_joined=long_ago, email_confirmed_at=None, registered_by=UserFactory(is_staff=True)),
    ]
    linked = UserFactory(date_joined=long_ago, email_confirmed_at=None)
    linked.account_links.create(account=PersonalAccountFactory())
    stale = UserFactory(date_joined=long_ago, email_confirmed_at=None)
    assert unconfirmed_users_purge() == 1
    assert not User.objects.filter(pk=stale.pk).exists()
    assert User.objects.filter(pk__in=[user.pk for user in [*kept, linked]]).count() == len(kept) + 1


def test_the_purge_runs_hourly_from_beat(settings):
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("purge_unconfirmed_users"))
    assert entry["schedule"].minute == {23}


# --- email_confirmed_required -----------------------------------------------------------------------------------


@email_confirmed_required
def pay(request):
    return HttpResponse("Оплата открыта")


urlpatterns = [path("pay-now/", pay), path("", include("cms.urls"))]


@pytest.mark.urls(__name__)
def test_an_unconfirmed_user_is_sent_to_confirm_before_paying(client):
    client.force_login(UserFactory(email_confirmed_at=None))
    response = client.get("/pay-now/", follow=True)
    assert response.redirect_chain[0][0] == reverse("selfservice:email_confirm") + "?next=/pay-now/"
    assert "Для этого действия необходимо подтвердить адрес электронной почты." in page_text(response)


@pytest.mark.urls(__name__)
def test_a_confirmed_user_pays(signed_in_client):
    assert page_text(signed_in_client.get("/pay-now/")) == "Оплата открыта"


@pytest.mark.urls(__name__)
def test_an_anonymous_visitor_is_asked_to_sign_in_first(client):
    assert client.get("/pay-now/").url == reverse("selfservice:login") + "?next=/pay-now/"


@pytest.mark.urls(__name__)
def test_after_confirming_the_user_is_back_where_they_were_going(client):
    user = UserFactory(email_confirmed_at=None, email="anna@example.test")
    client.force_login(user)
    client.post(reverse("selfservice:email_confirm_resend"))
    response = client.post(
        reverse("selfservice:email_confirm"), {"code": code_sent_to(user.email), "next": "/pay-now/"}, follow=True
    )
    assert page_text(response) == "Оплата открыта"
