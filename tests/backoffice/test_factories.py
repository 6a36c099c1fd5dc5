"""The shared factories build valid rows (full_clean), so tests start from believable data."""

import pytest

from tests.backoffice import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "factory",
    [
        f.PersonalAccountFactory,
        f.ContractFactory,
        f.EnergyObjectFactory,
        f.MeteringPointFactory,
        f.MeterFactory,
        f.ReadingFactory,
        f.TariffFactory,
        f.DocumentFactory,
        f.PaymentFactory,
        f.ContractEmailFactory,
    ],
)
def test_factory_builds_a_valid_row(factory):
    factory().full_clean()


def test_organisation_meter_sits_on_a_metering_point():
    meter = f.MeterFactory(account=None, metering_point=f.MeteringPointFactory())
    meter.full_clean()
    assert meter.metering_point.energy_object.code.startswith(meter.metering_point.energy_object.contract.number)
