"""«Инструкция пользователя» (F-H5, seed 001 §11.1): a page and a PDF of it, cached until it is published again."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cms.pdf import manuals_dir
from tests.content import manual

pytestmark = pytest.mark.django_db


def pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_manual_page_has_numbered_sections_and_a_contents(client):
    page = manual()
    html = client.get(page.url).content.decode()
    assert '<a href="#section-1">Вход в личный кабинет</a>' in html
    assert 'id="section-2"' in html and "2 Раздел «Услуги»" in html
    assert "1.1 Восстановление пароля" in html and "ПРИМЕЧАНИЕ." in html
    assert "Скачать руководство пользователя" in html and page.pdf_url() in html


def test_the_pdf_has_the_same_text(client, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    page = manual()
    response = client.get(page.pdf_url())
    assert response["Content-Type"] == "application/pdf"
    assert (
        "Инструкция пользователя.pdf" in response["Content-Disposition"]
        or "filename*=utf-8" in response["Content-Disposition"]
    )
    text = pdf_text(response)
    assert "Инструкция пользователя" in text and "Содержание" in text
    assert "Вход в личный кабинет" in text and "Откройте карточку услуги" in text


def test_the_pdf_is_kept_until_the_page_is_published_again(client, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    page = manual()
    client.get(page.pdf_url())
    [first] = list(manuals_dir().glob("*.pdf"))
    first_written = first.stat().st_mtime_ns
    client.get(page.pdf_url())
    assert first.stat().st_mtime_ns == first_written  # served from the cache, not rendered again

    page.intro = "Новая редакция инструкции."
    page.save_revision().publish()
    page.refresh_from_db()
    response = client.get(page.pdf_url())
    assert "Новая редакция инструкции." in pdf_text(response)
    files = list(manuals_dir().glob("*.pdf"))
    assert len(files) == 1 and files[0] != first  # the old edition's file is gone


def test_the_menu_item_leads_to_the_manual(signed_in_client):
    page = manual()
    response = signed_in_client.get(reverse("selfservice:manual"))
    assert response.status_code == 302 and response["Location"] == page.url


def test_the_manual_page_is_served_with_a_small_fixed_number_of_queries(
    signed_in_client, django_assert_max_num_queries
):
    page = manual()
    signed_in_client.get(page.url)
    with django_assert_max_num_queries(12):
        assert signed_in_client.get(page.url).status_code == 200
