"""«Каталог услуг» (F-F1, seed 001 §6): cards with image, name, «от 2 150,90 ₽», description, price list, disclaimer."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail.documents.models import Document

from cms.models import DISCLAIMER, HomePage, ServiceCatalogPage, ServicePage
from tests.content import catalog, service
from tests.querycount import assert_queries_flat

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode().replace("\u00a0", " ")


def test_services_live_in_the_one_catalog():
    assert ServicePage.can_create_at(catalog())
    assert not ServicePage.can_create_at(HomePage.objects.get())
    assert not ServiceCatalogPage.can_create_at(HomePage.objects.get())  # one catalog per site


def test_the_catalog_shows_each_service_with_its_price_from(signed_in_client):
    service("Технологическое присоединение", price="2150.90")
    service("Справка о состоянии расчётов", price=None)
    page = text(signed_in_client.get(reverse("selfservice:services")))
    assert "Технологическое присоединение" in page and "от 2 150,90 ₽" in page
    assert "Справка о состоянии расчётов" in page and "Стоимость по запросу" in page
    assert DISCLAIMER in page


def test_a_service_card_has_the_description_price_list_and_disclaimer(signed_in_client):
    price_list = Document(title="Прейскурант 2026")
    price_list.file.save("price.pdf", ContentFile(b"%PDF-1.4 price list"), save=True)
    card = service("Поверка прибора учёта", price="1200", price_list=price_list)
    page = text(signed_in_client.get(reverse("selfservice:service", args=[card.slug])))
    assert "<h1" in page and "Поверка прибора учёта" in page and "от 1 200,00 ₽" in page
    assert "Совокупность мероприятий по присоединению." in page
    assert "Прейскурант 2026" in page and price_list.url in page
    assert "Информация об услуге носит справочный характер и не является публичной офертой" in page


def test_an_unpublished_service_is_not_in_the_catalog(signed_in_client):
    hidden = service("Снятая с продажи услуга")
    hidden.unpublish()
    assert "Снятая с продажи услуга" not in text(signed_in_client.get(reverse("selfservice:services")))
    assert signed_in_client.get(reverse("selfservice:service", args=[hidden.slug])).status_code == 404


def test_a_visitor_is_asked_to_sign_in_and_comes_back_to_the_card(client):
    card = service("Замена прибора учёта")
    response = client.get(card.url)  # the page's address in the CMS is the portal's address of the card
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('selfservice:login')}?next={card.url}"


def test_the_catalog_costs_the_same_queries_for_few_and_many_services(signed_in_client):
    catalog()
    url = reverse("selfservice:services")

    def add_services(count):
        for _ in range(count):
            service("Услуга")
        signed_in_client.get(url)

    assert_queries_flat(signed_in_client, url, add_rows=add_services, max_queries=12)
