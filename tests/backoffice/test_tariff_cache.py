"""«История Тарифов» is the same for every account of a group: cached, and forgotten when a tariff changes."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice.selectors import tariff_history_for
from tests.backoffice import factories as f
from tests.backoffice.test_import import TARIFF_HEADERS, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    tariff = f.TariffFactory(rate=Decimal("5.00"))
    return f.PersonalAccountFactory(customer=f.PersonFactory(group=tariff.group))


def rates(account) -> list[Decimal]:
    return [tariff.rate for tariff in tariff_history_for(account=account)]


def test_the_second_account_of_the_group_costs_no_query(account):
    neighbour = f.PersonalAccountFactory(customer=f.PersonFactory(group=account.customer.group))
    rates(account)

    with CaptureQueriesContext(connection) as queries:
        assert rates(neighbour) == [Decimal("5.00")]

    assert len(queries) == 0


def test_a_tariff_saved_in_the_admin_is_seen_at_once(account):
    rates(account)
    current = account.customer.group.tariffs.get()
    current.valid_to = datetime.date(2026, 12, 31)
    current.save()
    f.TariffFactory(group=account.customer.group, rate=Decimal("6.20"), valid_from=datetime.date(2027, 1, 1))

    assert rates(account) == [Decimal("6.20"), Decimal("5.00")]


def test_a_tariff_import_is_seen_at_once(account):
    rates(account)
    code = account.customer.group.code

    rows = [
        [code, "Круглосуточная", "5,00", "01.01.2019", "31.12.2029"],  # the stored tariff now ends
        [code, "Круглосуточная", "7,00", "01.01.2030", ""],
    ]
    job = run("tariffs", TARIFF_HEADERS, rows)

    assert job.status == job.Status.DONE, job.errors
    assert rates(account)[0] == Decimal("7.00")
