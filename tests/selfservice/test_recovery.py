"""«Восстановление пароля» (F-A5): the letter with a code and a link, the shared e-mail, the new password."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backoffice.models import OutboxMessage
from selfservice.models import UserSession
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

RESET = reverse("selfservice:password_reset")
CODE = reverse("selfservice:password_reset_code")
SENT = (
    "Если такой пользователь есть, мы отправили письмо с кодом и ссылкой для смены пароля "
    "на e-mail, указанный при регистрации."
)
WRONG_CODE = "Неверный код. Проверьте код из письма и введите его ещё раз."
NEW_PASSWORD = "Novyi-parol-2024"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def ask(client, identifier, **extra):
    return client.post(RESET, {"identifier": identifier}, follow=True, **extra)


def letters(to=None):
    rows = OutboxMessage.objects.filter(template="password_reset").order_by("created_at")
    return rows.filter(recipient=to) if to else rows


def codes_in(letter) -> list[str]:
    return re.findall(r"Код: (\d{5})", letter.body)


def links_in(letter) -> list[str]:
    return [
        link.removeprefix("http://127.0.0.1:8000") for link in re.findall(r"(http\S+/password/set/\S+/)", letter.body)
    ]


def wrong(code: str) -> str:
    return "00000" if code != "00000" else "11111"


def set_password(client, response_or_url, password=NEW_PASSWORD):
    """Follow a code's or a link's way to the form and submit the new password twice."""
    url = response_or_url if isinstance(response_or_url, str) else response_or_url.url
    form_url = client.get(url).url  # Django moves the token into the session first
    return client.post(form_url, {"new_password1": password, "new_password2": password}, follow=True)


def test_the_login_page_leads_to_recovery_and_the_page_speaks_russian(client):
    assert f'href="{RESET}"' in client.get(reverse("selfservice:login")).content.decode()
    page = client.get(RESET).content.decode()
    for text in ("Восстановление пароля", "Логин или e-mail", "Восстановить"):
        assert text in page


@pytest.mark.parametrize("data", [{}, {"identifier": "  "}])
def test_an_empty_request_is_refused_with_the_manuals_words(client, data):
    page = client.post(RESET, data).content.decode()
    assert "Заполните поле" in page
    assert not letters().exists()


def test_a_known_e_mail_gets_a_letter_with_a_code_and_a_link(client):
    user = UserFactory(email="anna@example.test")
    response = ask(client, "ANNA@example.test ")
    assert response.redirect_chain[-1][0] == CODE
    assert SENT in response.content.decode()
    letter = letters("anna@example.test").get()
    assert letter.subject == "Восстановление пароля"
    assert letter.user == user
    assert len(codes_in(letter)) == 1
    assert len(links_in(letter)) == 1
    assert "Логин: anna@example.test" in letter.body


def test_the_letter_leaves_through_the_outbox(client, django_capture_on_commit_callbacks):
    UserFactory(email="anna@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "anna@example.test")
    assert mail.outbox[-1].to == ["anna@example.test"]
    assert mail.outbox[-1].alternatives  # HTML and text


def test_an_old_login_gets_the_letter_at_its_e_mail(client):
    UserFactory(email="office@example.test", login="Hlebozavod")
    ask(client, "hlebozavod")
    assert "Логин: Hlebozavod" in letters("office@example.test").get().body


def test_an_unknown_address_gets_the_same_answer_and_no_letter(client):
    UserFactory(email="anna@example.test")
    known = ask(client, "anna@example.test")
    unknown = ask(Client(), "nobody@example.test")
    assert unknown.redirect_chain == known.redirect_chain
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|anna@example\.test|nobody@example\.test')
    assert strip.sub("", unknown.content.decode()) == strip.sub("", known.content.decode())
    assert not letters("nobody@example.test").exists()


def test_a_wrong_code_is_refused_alike_for_known_and_unknown_addresses(client):
    UserFactory(email="anna@example.test")
    ask(client, "anna@example.test")
    code = codes_in(letters().get())[0]
    known = client.post(CODE, {"code": wrong(code)}).content.decode()
    stranger = Client()
    ask(stranger, "nobody@example.test")
    unknown = stranger.post(CODE, {"code": wrong(code)}).content.decode()
    assert WRONG_CODE in known and WRONG_CODE in unknown
    assert f'value="{wrong(code)}"' in known


def test_several_old_cabinets_on_one_e_mail_get_one_letter_listing_every_login(client):
    first = UserFactory(email="office@example.test", login="Hlebozavod")
    second = UserFactory(email="office@example.test", login="Bulochnaya")
    ask(client, "office@example.test")
    letter = letters().get()
    assert letter.recipient == "office@example.test"
    assert "На этот адрес зарегистрировано несколько учётных записей" in letter.body
    assert "Логин: Bulochnaya" in letter.body and "Логин: Hlebozavod" in letter.body
    assert len(codes_in(letter)) == 2
    assert "Bulochnaya" in letter.html and "Hlebozavod" in letter.html
    bulochnaya_link, hlebozavod_link = links_in(letter)  # in the order of the logins

    set_password(client, hlebozavod_link)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.check_password(NEW_PASSWORD)
    assert second.check_password(PASSWORD)  # the other cabinet keeps its password
    assert bulochnaya_link != hlebozavod_link


def test_the_code_of_one_of_the_shared_cabinets_opens_that_cabinet(client):
    UserFactory(email="office@example.test", login="Hlebozavod")
    bulochnaya = UserFactory(email="office@example.test", login="Bulochnaya")
    ask(client, "office@example.test")
    bulochnaya_code = codes_in(letters().get())[0]
    response = client.post(CODE, {"code": bulochnaya_code})
    set_password(client, response)
    bulochnaya.refresh_from_db()
    assert bulochnaya.check_password(NEW_PASSWORD)


def test_the_code_leads_to_the_new_password_the_user_is_signed_in_and_told(client):
    user = UserFactory(email="anna@example.test", first_name="Анна")
    ask(client, "anna@example.test")
    response = client.post(CODE, {"code": codes_in(letters().get())[0]})
    form_page = client.get(client.get(response.url).url).content.decode()
    for text in ("Восстановление пароля", "Пароль", "Повторите пароль", "Изменить", "Требования к паролю"):
        assert text in form_page
    done = set_password(client, response)
    assert done.redirect_chain[-1][0] == reverse("selfservice:home")
    assert "Пароль успешно изменён." in done.content.decode()
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    changed = OutboxMessage.objects.get(template="password_changed")
    assert changed.recipient == "anna@example.test" and changed.subject == "Пароль изменён"
    assert reverse("selfservice:password_reset") in changed.body


def test_the_link_works_without_the_code(client):
    user = UserFactory(email="anna@example.test")
    ask(client, "anna@example.test")
    set_password(Client(), links_in(letters().get())[0])
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_used_link_and_a_spent_code_are_refused(client):
    UserFactory(email="anna@example.test")
    ask(client, "anna@example.test")
    letter = letters().get()
    set_password(Client(), links_in(letter)[0])
    page = Client().get(links_in(letter)[0]).content.decode()
    assert "Ссылка для смены пароля устарела или уже использована. Запросите новую." in page
    assert WRONG_CODE in client.post(CODE, {"code": codes_in(letter)[0]}).content.decode()


def test_an_expired_link_is_refused(client, settings):
    UserFactory(email="anna@example.test")
    ask(client, "anna@example.test")
    link = links_in(letters().get())[0]
    # A day to spare: Django's token clock is naive local time, which time_machine moves in UTC.
    later = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT) + timedelta(days=1)
    with time_machine.travel(later, tick=False):
        page = Client().get(link).content.decode()
    assert "Ссылка для смены пароля устарела или уже использована. Запросите новую." in page
    assert "Ссылка недействительна" in page


def test_an_expired_code_is_refused_even_if_right(client, settings):
    user = UserFactory(email="anna@example.test")
    ask(client, "anna@example.test")
    code = codes_in(letters().get())[0]
    later = timezone.now() + timedelta(minutes=settings.ONE_TIME_CODE_TTL_MINUTES, seconds=1)
    with time_machine.travel(later, tick=False):
        page = client.post(CODE, {"code": code}).content.decode()
    assert "Срок действия кода истёк. Запросите новый код." in page
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_after_five_wrong_codes_even_the_right_one_is_refused(client, settings):
    UserFactory(email="anna@example.test")
    ask(client, "anna@example.test")
    code = codes_in(letters().get())[0]
    for _ in range(settings.ONE_TIME_CODE_MAX_ATTEMPTS):
        client.post(CODE, {"code": wrong(code)})
    page = client.post(CODE, {"code": code}).content.decode()
    assert "Код введён неверно слишком много раз. Запросите новый код." in page


def test_the_code_screen_without_a_request_sends_back_to_the_request(client):
    assert client.get(CODE).url == RESET


def test_resend_waits_a_minute_then_sends_a_new_letter(client):
    UserFactory(email="anna@example.test")
    ask(client, "anna@example.test")
    assert re.search(r"Отправить ещё раз через [01]:\d\d", client.get(CODE).content.decode())
    client.post(CODE, {"resend": "1"})
    assert letters().count() == 1
    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
        response = client.post(CODE, {"resend": "1"}, follow=True)
        assert SENT in response.content.decode()
        assert letters().count() == 2
        fresh = codes_in(letters().last())[0]
        assert client.post(CODE, {"code": fresh}).status_code == 302


def test_setting_the_password_ends_every_other_session(client):
    user = UserFactory(email="anna@example.test")
    laptop, phone = Client(), Client()
    for browser in (laptop, phone):
        browser.post(reverse("selfservice:login"), {"username": user.email, "password": PASSWORD})
    assert UserSession.objects.filter(user=user).count() == 2
    assert laptop.get(reverse("selfservice:home")).status_code == 200

    ask(client, "anna@example.test")
    set_password(client, client.post(CODE, {"code": codes_in(letters().get())[0]}))
    assert laptop.get(reverse("selfservice:password_change")).url.startswith(reverse("selfservice:login"))
    assert "_auth_user_id" not in phone.session
    assert list(UserSession.objects.filter(user=user).values_list("session_key", flat=True)) == [
        client.session.session_key
    ]


def test_the_link_confirms_an_unconfirmed_e_mail(client):
    user = UserFactory(email="anna@example.test", email_confirmed_at=None)
    ask(client, "anna@example.test")
    set_password(client, links_in(letters().get())[0])
    user.refresh_from_db()
    assert user.email_confirmed


def test_an_account_created_by_staff_sets_its_first_password_on_the_same_screen(client):
    user = get_user_model().objects.create_user(email="new@example.test", first_name="Вера")
    ask(client, "new@example.test")
    form_url = client.get(links_in(letters().get())[0]).url
    assert "Создание пароля" in client.get(form_url).content.decode()
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and user.email_confirmed


def test_the_new_password_must_meet_the_policy_and_match(client):
    user = UserFactory(email="anna@example.test")
    ask(client, "anna@example.test")
    form_url = client.get(links_in(letters().get())[0]).url
    weak = client.post(form_url, {"new_password1": "пароль 1", "new_password2": "пароль 1"}).content.decode()
    for message in (
        "Пароль может содержать буквы только латинского алфавита.",
        "Добавьте в пароль заглавную латинскую букву.",
        "Пароль не может содержать пробелы.",
    ):
        assert message in weak
    mismatch = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})
    assert "Пароли не совпадают." in mismatch.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_disabled_and_deleted_accounts_get_no_letter(client):
    UserFactory(email="gone@example.test", is_active=False)
    UserFactory(email="erased@example.test", anonymised_at=timezone.now())
    for address in ("gone@example.test", "erased@example.test"):
        assert SENT in ask(client, address).content.decode()
    assert not letters().exists()


def test_letters_to_one_address_are_limited_per_hour(client):
    UserFactory(email="anna@example.test")
    for number in range(5):
        assert ask(client, "anna@example.test", REMOTE_ADDR=f"10.0.1.{number}").status_code == 200
    refused = client.post(RESET, {"identifier": "Anna@example.test"}, REMOTE_ADDR="10.0.1.99")
    assert refused.status_code == 429
    assert letters().count() == 5


def test_requests_from_one_address_are_limited_per_hour(client):
    for number in range(20):
        assert client.post(RESET, {"identifier": f"guess{number}@example.test"}).status_code == 302
    assert client.post(RESET, {"identifier": "one-more@example.test"}).status_code == 429
