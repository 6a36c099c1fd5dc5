import pytest
from django.urls import reverse
from wagtail.models import Site

from cms.models import CompanySettings, HomePage
from tests.querycount import count_queries

pytestmark = pytest.mark.django_db

MENU = ("Оплата", "Показания", "Услуги", "История", "Ещё", "Обращения", "Карты", "Помощь")


def test_visitor_sees_the_welcome_with_sign_in_in_russian(client):
    page = client.get("/").content.decode()
    assert '<html lang="ru">' in page
    assert "Личный кабинет клиента" in page
    assert 'action="/login/"' in page
    assert "Оплачивайте счета, передавайте показания" in page  # the editable lead of the home page


def test_editors_text_on_the_home_page_is_shown_to_visitors(client):
    home = HomePage.objects.get()
    home.lead = "Добро пожаловать в новый личный кабинет"
    home.save_revision().publish()
    assert "Добро пожаловать в новый личный кабинет" in client.get("/").content.decode()


def test_the_site_root_is_our_home_page():
    assert isinstance(Site.objects.get(is_default_site=True).root_page.specific, HomePage)


def test_signed_in_customer_has_the_menu_of_the_cabinet(signed_in_client):
    page = signed_in_client.get("/").content.decode()
    for label in MENU:
        assert f">{label}" in page
    assert "Выйти" in page


def test_footer_shows_the_company_contacts_editors_set(client):
    company = CompanySettings.load()
    company.phone = "8 800 555-35-35"
    company.name = "ПАО «Энергосбыт Приволжья»"
    company.save()
    page = client.get(reverse("selfservice:login")).content.decode()
    assert "8 800 555-35-35" in page
    assert "ПАО «Энергосбыт Приволжья»" in page


def test_an_english_browser_still_gets_russian(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="ru">' in page
    assert "Личный кабинет клиента" in page


def test_english_is_available_from_the_language_switch(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    assert "Customer account" in page
    assert "Remember me" in page


def test_home_page_query_count_is_small(signed_in_client):
    assert count_queries(signed_in_client, "/") <= 8
