"""The appeals `seed_demo` and `seed_scale` make: believable, idempotent, and numbered like real ones."""

import pytest

from selfservice.management.commands.seed_scale import BENCH_EMAIL
from tests.backoffice.factories import ContractFactory, PersonalAccountFactory
from tests.factories import UserFactory
from tests.selfservice.cabinet import Role, give_role, link_account
from tests.workflows.appeals_kit import topics
from workflows.models import Appeal, AppealCounter, SignatureRequest
from workflows.services.appeals_demo import COMPANY, HOUSEHOLD, STAFF, demo_appeals_create
from workflows.services.appeals_scale import BENCH_APPEALS, scale_appeals_create

pytestmark = pytest.mark.django_db


def test_the_demo_logins_get_their_appeals_once():
    topics()
    household, company = UserFactory(email=HOUSEHOLD), UserFactory(email=COMPANY)
    UserFactory(email=STAFF, is_staff=True, is_superuser=True)
    link_account(household, PersonalAccountFactory(number="100000001"))
    give_role(company, ContractFactory(number="78010000002778"), Role.ADMINISTRATOR)

    assert demo_appeals_create() == 6
    assert demo_appeals_create() == 0

    states = dict(Appeal.objects.filter(user=household).values_list("topic__code", "state"))
    assert states == {"meter-check": "resolved", "tech-support-mail": "in_progress", "meter-fault": "draft"}
    assert Appeal.objects.get(topic__code="meter-check").rating == 5
    signed = Appeal.objects.get(user=company, topic__code="contract-conclusion-object-legal")
    assert signed.signatures.filter(request=None).exists()  # the application, signed by its code
    assert SignatureRequest.objects.get(appeal=signed).state == SignatureRequest.State.PENDING


def test_scale_appeals_top_up_and_keep_the_sequence():
    topics()
    UserFactory(email=BENCH_EMAIL)
    for number in range(5):
        UserFactory(email=f"customer{number:07d}@scale.energokabinet.example")

    first = scale_appeals_create(appeals=BENCH_APPEALS + 40, bench_email=BENCH_EMAIL)
    again = scale_appeals_create(appeals=BENCH_APPEALS + 40, bench_email=BENCH_EMAIL)
    more = scale_appeals_create(appeals=BENCH_APPEALS + 60, bench_email=BENCH_EMAIL)

    assert (first["added"], again["added"], more["added"]) == (BENCH_APPEALS + 40, 0, 20)
    assert Appeal.objects.filter(user__email=BENCH_EMAIL).count() == BENCH_APPEALS
    numbers = list(Appeal.objects.values_list("year", "sequence"))
    assert len(numbers) == len(set(numbers)) == BENCH_APPEALS + 60
    for year, last in AppealCounter.objects.values_list("year", "last"):
        assert last == Appeal.objects.filter(year=year).count()
    assert Appeal.objects.filter(state__in=Appeal.STAFF_OPEN).exists()
    assert Appeal.objects.filter(state=Appeal.State.CLOSED, rating__isnull=False).exists()
