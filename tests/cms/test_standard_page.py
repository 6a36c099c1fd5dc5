"""Text pages in the CMS, and the user agreement the registration form links to."""

import pytest

from cms.models import HomePage, StandardPage
from selfservice.demo import demo_agreement_create

pytestmark = pytest.mark.django_db


def test_the_agreement_page_is_published_under_home_once():
    first = demo_agreement_create()
    second = demo_agreement_create()
    assert first.pk == second.pk and StandardPage.objects.count() == 1
    assert first.live and first.get_parent().specific_class is HomePage
    assert first.url == "/agreement/"


def test_a_visitor_reads_the_agreement(client):
    page = client.get(demo_agreement_create().url).content.decode()
    assert "<h1" in page and "Пользовательское соглашение" in page
    assert "Персональные данные" in page and "Редакция от" in page


def test_a_text_page_lives_under_home_or_another_text_page():
    assert StandardPage.can_create_at(HomePage.objects.get())
    assert StandardPage.can_create_at(demo_agreement_create())
    assert not HomePage.can_create_at(demo_agreement_create())
