"""The read replica (cms/db_router.py), tested against a second database on the same server.

The second database is not replicated, so what a read returns tells which database answered: rows written
to the primary only are missing from the replica's answers.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

from backoffice.models import Branch
from cms.db_router import PIN_COOKIE, replica_reads
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
    pytest.mark.urls("tests.cms.test_replica"),
]


def branches(request):
    if request.method == "POST":
        Branch.objects.create(name=request.POST["name"])
    return HttpResponse(",".join(Branch.objects.order_by("name").values_list("name", flat=True)))


urlpatterns = [path("branches/", branches)]


@pytest.fixture(autouse=True)
def reads_on(settings):
    settings.REPLICA_READS = True
    Branch.objects.create(name="Только на основной")
    Branch.objects.using("replica").create(name="Реплика")


def test_the_system_of_record_is_read_from_the_replica():
    with replica_reads():
        assert list(Branch.objects.values_list("name", flat=True)) == ["Реплика"]
    assert list(Branch.objects.values_list("name", flat=True)) == ["Только на основной"]


def test_users_stay_on_the_primary():
    UserFactory()

    with replica_reads():
        assert get_user_model().objects.count() == 1


def test_a_transaction_reads_what_it_wrote():
    with replica_reads(), transaction.atomic():
        Branch.objects.create(name="Новое")
        assert "Новое" in Branch.objects.values_list("name", flat=True)


def test_a_page_reads_the_replica_until_the_browser_writes(client):
    assert client.get("/branches/").content.decode() == "Реплика"

    written = client.post("/branches/", {"name": "Западное"})

    assert written.content.decode() == "Западное,Только на основной"  # the write and its reads: the primary
    assert PIN_COOKIE in written.cookies
    assert client.get("/branches/").content.decode() == "Западное,Только на основной"  # pinned a while
    client.cookies.pop(PIN_COOKIE)
    assert client.get("/branches/").content.decode() == "Реплика"


@override_settings(REPLICA_READS=False)
def test_without_a_replica_everything_is_the_primary(client):
    assert client.get("/branches/").content.decode() == "Только на основной"
