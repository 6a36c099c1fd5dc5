import datetime
from decimal import Decimal

import pytest

from backoffice.selectors import tariff_history_for
from tests.backoffice import factories as f

pytestmark = pytest.mark.django_db


def test_tariff_history_lists_the_accounts_group_tariffs_newest_first():
    account = f.PersonalAccountFactory()
    group = account.customer.group
    f.TariffFactory(
        group=group, rate=Decimal("2.44"), valid_from=datetime.date(2019, 1, 1), valid_to=datetime.date(2019, 6, 30)
    )
    f.TariffFactory(group=group, rate=Decimal("2.48"), valid_from=datetime.date(2019, 7, 1))
    f.TariffFactory(group=f.OrganisationGroupFactory(), rate=Decimal("9.99"))

    assert [t.rate for t in tariff_history_for(account=account)] == [Decimal("2.48"), Decimal("2.44")]
