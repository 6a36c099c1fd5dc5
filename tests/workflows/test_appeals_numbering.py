"""Appeal numbers (F-G4, seed 001 рис. 30): «0000061-23-57-Ю-Л» — sequence, year, region, person type — from a
gap-free sequence per year."""

import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from tests.backoffice.factories import PersonalAccountFactory
from tests.factories import UserFactory
from tests.selfservice.cabinet import Role, contract_with_sites, give_role, link_account
from tests.workflows.appeals_kit import file_appeal, topic
from workflows.models import AppealCounter, AppealSettings
from workflows.services.appeals import appeal_classify, appeal_submit

pytestmark = pytest.mark.django_db

ZONE = datetime.timezone(datetime.timedelta(hours=3))


def test_the_number_reads_sequence_year_region_and_person_type():
    settings = AppealSettings.load()
    settings.region_code = "57"
    settings.save()
    contract = contract_with_sites(energy_objects=1)
    organisation = UserFactory()
    give_role(organisation, contract, Role.HEAD)
    household = UserFactory()
    account = PersonalAccountFactory()
    link_account(household, account)

    with time_machine.travel(datetime.datetime(2023, 11, 30, 20, 10, tzinfo=ZONE), tick=False):
        first = file_appeal(organisation, "billing-invoice", contract=contract)
        second = file_appeal(household, "meter-fault", account=account, text="Счётчик не работает")

    assert first.number == "0000001-23-57-Ю-Л"
    assert second.number == "0000002-23-57-Ф-Л"


def test_a_failed_submission_leaves_no_gap():
    user = UserFactory()
    file_appeal(user)
    broken = appeal_classify(user=user, topic=topic("tech-support-other"))

    with pytest.raises(ValidationError):
        appeal_submit(appeal=broken, user=user, text="")
    after = file_appeal(user)

    assert after.sequence == 2


def test_drafts_take_no_number():
    user = UserFactory()
    appeal_classify(user=user, topic=topic("tech-support-other"))
    appeal_classify(user=user, topic=topic("tech-support-login"))

    assert file_appeal(user).sequence == 1


def test_the_sequence_starts_again_each_year():
    user = UserFactory()
    with time_machine.travel(datetime.datetime(2025, 12, 31, 23, 50, tzinfo=ZONE), tick=False):
        last_of_year = [file_appeal(user).number for _ in range(3)][-1]
    with time_machine.travel(datetime.datetime(2026, 1, 1, 0, 5, tzinfo=ZONE), tick=False):
        first_of_year = file_appeal(user).number

    assert last_of_year.startswith("0000003-25-")
    assert first_of_year.startswith("0000001-26-")
    assert dict(AppealCounter.objects.values_list("year", "last")) == {2025: 3, 2026: 1}


def test_the_year_is_the_local_one():
    user = UserFactory()
    # 31.12.2025 22:30 UTC is already 01.01.2026 in Moscow time, where the company works.
    with time_machine.travel(datetime.datetime(2025, 12, 31, 22, 30, tzinfo=datetime.UTC), tick=False):
        appeal = file_appeal(user)

    assert timezone.localtime(appeal.submitted_at).year == 2026 and appeal.year == 2026


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_customers_submitting_at_once_get_consecutive_numbers():
    people = [UserFactory() for _ in range(6)]
    drafts = [appeal_classify(user=person, topic=topic("tech-support-other")) for person in people]
    barrier, numbers, errors = threading.Barrier(len(drafts)), [], []

    def submit(draft):
        try:
            barrier.wait()
            numbers.append(appeal_submit(appeal=draft, user=draft.user, text="Одновременно").sequence)
        except Exception as error:  # pragma: no cover - any error fails the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(numbers) == [1, 2, 3, 4, 5, 6]
