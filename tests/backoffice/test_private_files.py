"""Private files leave through `private_file_response`: streamed by Django, or by nginx behind the proxy."""

from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile

from backoffice.models import ContractAttachment
from backoffice.storage import private_file_response
from tests.backoffice.factories import ContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scan():
    attachment = ContractAttachment(contract=ContractFactory(), title="Скан")
    attachment.file.save("скан.pdf", ContentFile(b"%PDF-1.4 scan"), save=True)
    return attachment.file


def test_without_the_proxy_django_streams_the_file(settings, scan):
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = ""

    response = private_file_response(scan, filename="Договор (скан).pdf")

    assert b"".join(response.streaming_content) == b"%PDF-1.4 scan"
    assert "attachment" in response["Content-Disposition"]


def test_behind_the_proxy_nginx_sends_it_from_the_internal_location(settings, scan):
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = "/internal/private/"

    response = private_file_response(scan, filename="Договор (скан).pdf")

    assert response["X-Accel-Redirect"] == quote(f"/internal/private/{scan.name}")
    assert scan.name.startswith("contracts/") and response.content == b""
    assert "filename*=utf-8''" in response["Content-Disposition"].lower()
