"""What is the same for everyone comes from the cache, and an editor's change shows on the next request
(cms/cache.py; issue 11)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cms.models import CompanySettings
from faq.selectors import faq_for_topic, faq_search
from tests.content import news_index, question

pytestmark = pytest.mark.django_db


def tables_read(client, url: str) -> str:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return " ".join(query["sql"] for query in captured.captured_queries)


@pytest.fixture(autouse=True)
def company():
    return CompanySettings.load()  # the row a running site has had since its first request


def test_the_company_contacts_are_read_once_and_show_the_editors_change_at_once(signed_in_client):
    url = reverse("selfservice:help_contacts")
    for _request in range(2):  # the fixture read it once; no page reads it again
        assert "cms_companysettings" not in tables_read(signed_in_client, url)

    settings = CompanySettings.load()
    settings.phone = "8 800 555-35-35"
    settings.save()

    assert "8 800 555-35-35" in signed_in_client.get(url).content.decode()


def test_the_faq_is_cached_until_an_editor_publishes_a_question(signed_in_client):
    question("Как передать показания?", group="Показания")
    url = reverse("selfservice:help")
    assert "Как передать показания?" in signed_in_client.get(url).content.decode()
    assert "faq_faqquestion" not in tables_read(signed_in_client, url)

    question("Как оплатить картой?", group="Оплата")

    page = signed_in_client.get(url).content.decode()
    assert "Как передать показания?" in page and "Как оплатить картой?" in page


def test_an_unpublished_or_deleted_question_leaves_the_cached_faq():
    kept = question("Как передать показания?")
    gone = question("Как сменить пароль?", topics=["tech-support-login"])
    assert [item.question for item in faq_for_topic(topic="tech-support-login")] == ["Как сменить пароль?"]

    gone.delete()

    assert faq_for_topic(topic="tech-support-login") == []
    assert [item.question for group in faq_search() for item in group.questions] == [kept.question]


def test_a_search_phrase_is_never_cached(signed_in_client):
    question("Как передать показания?")
    assert faq_search(query="показания")

    question("Показания не принимаются")

    assert len([item for group in faq_search(query="показания") for item in group.questions]) == 2


def test_publishing_a_page_forgets_the_cached_content():
    from cms.cache import content_generation

    before = content_generation()
    news_index()  # publishes «Новости»

    assert content_generation() > before
