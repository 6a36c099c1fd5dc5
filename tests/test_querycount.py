"""The list-page helper catches a page whose query count grows with its rows."""

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

from tests.factories import UserFactory
from tests.querycount import assert_queries_flat


def users_with_codes_n_plus_one(request):
    users = get_user_model().objects.all()
    return HttpResponse(", ".join(f"{u.email}:{u.one_time_codes.count()}" for u in users))


def users_with_codes_prefetched(request):
    users = get_user_model().objects.prefetch_related("one_time_codes")
    return HttpResponse(", ".join(f"{u.email}:{len(u.one_time_codes.all())}" for u in users))


urlpatterns = [
    path("n-plus-one/", users_with_codes_n_plus_one),
    path("prefetched/", users_with_codes_prefetched),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@override_settings(MIDDLEWARE=[])
def test_a_prefetched_list_passes(client):
    assert assert_queries_flat(client, "/prefetched/", add_rows=UserFactory.create_batch, max_queries=2) == 2


@override_settings(MIDDLEWARE=[])
def test_an_n_plus_one_list_is_caught(client):
    with pytest.raises(AssertionError, match="N\\+1"):
        assert_queries_flat(client, "/n-plus-one/", add_rows=UserFactory.create_batch, max_queries=50)
