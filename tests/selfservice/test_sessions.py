"""«Сессии» (F-A6, seed 001 §13.3): every signed-in browser with its system and time; «Завершить» signs it out."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from selfservice.models import UserSession
from selfservice.services.sessions import user_session_touch, user_sessions_purge
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SESSIONS = reverse("selfservice:sessions")
PROFILE = reverse("selfservice:profile")
CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Mobile/15E148 Safari/604.1"
)
START = datetime(2025, 3, 3, 6, 30, tzinfo=UTC)  # 09:30 in Moscow


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anna():
    return UserFactory(email="anna@example.test")


def browser(user_agent: str, ip: str = "127.0.0.1") -> Client:
    return Client(headers={"User-Agent": user_agent}, REMOTE_ADDR=ip)


def sign_in(client: Client, user) -> Client:
    response = client.post(reverse("selfservice:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def signed_in(client: Client) -> bool:
    return client.get(PROFILE).status_code == 200


def test_signing_in_records_the_browser_the_address_and_the_time(anna):
    with time_machine.travel(START, tick=False):
        sign_in(browser(CHROME_ON_WINDOWS, ip="203.0.113.7"), anna)
    session = UserSession.objects.get(user=anna)
    assert session.user_agent == CHROME_ON_WINDOWS and session.ip_address == "203.0.113.7"
    assert session.created_at == START


def test_the_list_shows_browser_system_date_and_the_current_one(anna):
    with time_machine.travel(START, tick=False) as clock:
        sign_in(browser(SAFARI_ON_IPHONE), anna)
        clock.shift(timedelta(days=1))
        laptop = sign_in(browser(CHROME_ON_WINDOWS), anna)
        html = laptop.get(SESSIONS).content.decode()
    for text in ("Браузер", "Операционная система", "Дата и время сессии", "Chrome 120", "Windows 10"):
        assert text in html
    assert "Mobile Safari 17.1" in html and "iOS 17.1" in html and "03.03.2025 09:30" in html
    assert html.count("Текущая") == 1 and html.count(">Завершить<") == 2
    assert html.index("Chrome 120") < html.index("Mobile Safari")  # this session comes first


def test_ending_another_session_signs_that_browser_out(anna):
    phone = sign_in(browser(SAFARI_ON_IPHONE), anna)
    laptop = sign_in(browser(CHROME_ON_WINDOWS), anna)
    other = UserSession.objects.get(user_agent=SAFARI_ON_IPHONE)
    response = laptop.post(reverse("selfservice:session_end", args=[other.pk]), follow=True)
    assert "Сессия завершена" in response.content.decode()
    assert not UserSession.objects.filter(pk=other.pk).exists()
    assert not signed_in(phone) and signed_in(laptop)


def test_ending_the_current_session_signs_out(anna):
    laptop = sign_in(browser(CHROME_ON_WINDOWS), anna)
    current = UserSession.objects.get(user=anna)
    response = laptop.post(reverse("selfservice:session_end", args=[current.pk]))
    assert response.url == reverse("selfservice:login")
    assert not signed_in(laptop) and not UserSession.objects.exists()


def test_end_all_but_the_current_one(anna):
    phone = sign_in(browser(SAFARI_ON_IPHONE), anna)
    tablet = sign_in(browser(SAFARI_ON_IPHONE, ip="198.51.100.2"), anna)
    laptop = sign_in(browser(CHROME_ON_WINDOWS), anna)
    response = laptop.post(reverse("selfservice:sessions_end_others"), follow=True)
    assert "Другие сессии завершены: 2" in response.content.decode()
    assert not signed_in(phone) and not signed_in(tablet) and signed_in(laptop)
    assert list(UserSession.objects.values_list("user_agent", flat=True)) == [CHROME_ON_WINDOWS]


def test_someone_elses_session_is_not_found_and_stays(anna):
    boris = UserFactory(email="boris@example.test")
    boris_browser = sign_in(browser(SAFARI_ON_IPHONE), boris)
    laptop = sign_in(browser(CHROME_ON_WINDOWS), anna)
    his = UserSession.objects.get(user=boris)
    assert laptop.post(reverse("selfservice:session_end", args=[his.pk])).status_code == 404
    assert signed_in(boris_browser)


def test_ending_needs_a_post(anna):
    laptop = sign_in(browser(CHROME_ON_WINDOWS), anna)
    current = UserSession.objects.get(user=anna)
    assert laptop.get(reverse("selfservice:session_end", args=[current.pk])).status_code == 405


def test_signing_out_removes_the_session_from_the_list(anna):
    laptop = sign_in(browser(CHROME_ON_WINDOWS), anna)
    laptop.post(reverse("selfservice:logout"))
    assert not UserSession.objects.exists()


def test_activity_is_written_at_most_every_few_minutes(anna):
    with time_machine.travel(START, tick=False) as clock:
        laptop = sign_in(browser(CHROME_ON_WINDOWS), anna)
        clock.shift(timedelta(minutes=2))
        laptop.get(PROFILE)
        assert UserSession.objects.get().last_seen_at == START
        clock.shift(timedelta(minutes=4))
        laptop.get(PROFILE)
        assert UserSession.objects.get().last_seen_at == START + timedelta(minutes=6)


def test_a_session_that_gets_a_new_key_keeps_its_line(anna):
    request = RequestFactory().get("/", headers={"User-Agent": CHROME_ON_WINDOWS})
    SessionMiddleware(lambda r: None).process_request(request)
    request.user = AnonymousUser()
    login(request, anna, backend="selfservice.backends.EmailOrLoginBackend")
    row = UserSession.objects.get()
    request.session.cycle_key()  # what a password change does
    user_session_touch(request=request)
    row.refresh_from_db()
    assert row.session_key == request.session.session_key and UserSession.objects.count() == 1


def test_sessions_signed_in_before_the_list_existed_appear_on_first_use(anna):
    laptop = sign_in(browser(CHROME_ON_WINDOWS), anna)
    UserSession.objects.all().delete()
    html = laptop.get(SESSIONS).content.decode()
    assert "Текущая" in html and UserSession.objects.count() == 1


def test_sessions_from_before_a_password_change_leave_the_list(anna):
    old_phone = sign_in(browser(SAFARI_ON_IPHONE), anna)
    anna.set_password("Another-pass-43")
    anna.save()  # e.g. a reset: every earlier session stops signing in
    laptop = browser(CHROME_ON_WINDOWS)
    laptop.post(reverse("selfservice:login"), {"username": anna.email, "password": "Another-pass-43"})
    html = laptop.get(SESSIONS).content.decode()
    assert "Mobile Safari" not in html and html.count(">Завершить<") == 1
    assert not signed_in(old_phone)
    assert list(UserSession.objects.values_list("user_agent", flat=True)) == [CHROME_ON_WINDOWS]


def test_stale_sessions_are_purged(anna):
    sign_in(browser(CHROME_ON_WINDOWS), anna)
    later = datetime.now(UTC) + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    assert user_sessions_purge(now=later) == 1 and not UserSession.objects.exists()


def test_the_list_costs_the_same_few_queries_for_many_sessions(anna, django_assert_max_num_queries):
    for number in range(8):
        sign_in(browser(SAFARI_ON_IPHONE, ip=f"198.51.100.{number + 1}"), anna)
    laptop = sign_in(browser(CHROME_ON_WINDOWS), anna)
    laptop.get(SESSIONS)  # warm-up: what a running process holds already (content types, site settings)
    with django_assert_max_num_queries(8):
        response = laptop.get(SESSIONS)
    assert response.content.decode().count(">Завершить<") == 9
