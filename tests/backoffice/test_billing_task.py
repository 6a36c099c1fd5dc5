import datetime
from decimal import Decimal

import pytest

from backoffice.models import BillingRun, Document
from backoffice.services.billing import billing_run_enqueue
from tests.backoffice import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_enqueued_run_is_carried_out_after_commit():
    meter = f.MeterFactory()
    f.TariffFactory(group=meter.account.customer.group, rate=Decimal("3.20"))
    f.ReadingFactory(meter=meter, taken_on=datetime.date(2019, 12, 25), value=Decimal("1000"))
    f.ReadingFactory(meter=meter, taken_on=datetime.date(2020, 1, 25), value=Decimal("1201"))

    run = billing_run_enqueue(period=datetime.date(2020, 1, 17))

    run.refresh_from_db()
    assert run.period == datetime.date(2020, 1, 1)
    assert run.status == BillingRun.Status.DONE
    assert Document.objects.get().amount == Decimal("643.20")


def test_a_run_that_cannot_apply_its_rules_is_kept_as_failed_with_the_reason():
    meter = f.MeterFactory()  # no tariff at all
    f.ReadingFactory(meter=meter, taken_on=datetime.date(2019, 12, 25), value=Decimal("1000"))
    f.ReadingFactory(meter=meter, taken_on=datetime.date(2020, 1, 25), value=Decimal("1201"))

    run = billing_run_enqueue(period=datetime.date(2020, 1, 1))

    run.refresh_from_db()
    assert run.status == BillingRun.Status.FAILED
    assert run.error.startswith("Нет тарифа на 26.12.2019")
    assert not Document.objects.exists()
