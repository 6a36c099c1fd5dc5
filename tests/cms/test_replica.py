"""The read replica (cms/db_router.py), tested with a second connection to the same database.

The test database's `replica` connection mirrors the primary, as a streaming replica holds the same rows; what the
router decides shows in which connection ran the query.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.http import HttpResponse
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path

from backoffice.models import Branch
from cms.db_router import PIN_COOKIE, replica_reads
from tests.factories import UserFactory

pytestmark = [
    # Transactional: inside a test's transaction every read stays on the primary, as the router wants.
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
    Branch.objects.create(name="Центральное")


class Answered:
    """Which connection ran the queries of the block, as the names of the tables they read."""

    def __enter__(self):
        self.contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in ("default", "replica")}
        for context in self.contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self.contexts.values():
            context.__exit__(*exc)

    def by(self, alias: str) -> str:
        return " ".join(query["sql"] for query in self.contexts[alias].captured_queries)


def test_the_system_of_record_is_read_from_the_replica():
    with Answered() as answered, replica_reads():
        assert list(Branch.objects.values_list("name", flat=True)) == ["Центральное"]
    assert "backoffice_branch" in answered.by("replica") and "backoffice_branch" not in answered.by("default")

    with Answered() as answered:
        list(Branch.objects.all())
    assert "backoffice_branch" in answered.by("default") and not answered.by("replica")


def test_users_stay_on_the_primary():
    UserFactory()

    with Answered() as answered, replica_reads():
        assert get_user_model().objects.count() == 1
    assert not answered.by("replica")


def test_a_transaction_reads_what_it_wrote():
    with Answered() as answered, replica_reads(), transaction.atomic():
        Branch.objects.create(name="Новое")
        assert "Новое" in Branch.objects.values_list("name", flat=True)
    assert not answered.by("replica")


def test_writes_go_to_the_primary_even_when_reads_may_use_the_replica():
    with Answered() as answered, replica_reads():
        Branch.objects.create(name="Западное")
    assert "INSERT" in answered.by("default") and not answered.by("replica")


def test_a_page_reads_the_replica_until_the_browser_writes(client):
    with Answered() as answered:
        assert client.get("/branches/").content.decode() == "Центральное"
    assert "backoffice_branch" in answered.by("replica")

    with Answered() as answered:
        written = client.post("/branches/", {"name": "Западное"})
    assert written.content.decode() == "Западное,Центральное"
    assert PIN_COOKIE in written.cookies and not answered.by("replica")  # the write and its reads: the primary

    with Answered() as answered:
        client.get("/branches/")
    assert not answered.by("replica")  # pinned to the primary for a while: the browser sees its own change

    client.cookies.pop(PIN_COOKIE)
    with Answered() as answered:
        client.get("/branches/")
    assert "backoffice_branch" in answered.by("replica")


@override_settings(REPLICA_READS=False)
def test_without_a_replica_everything_is_the_primary(client):
    with Answered() as answered:
        assert client.get("/branches/").content.decode() == "Центральное"
    assert not answered.by("replica")
