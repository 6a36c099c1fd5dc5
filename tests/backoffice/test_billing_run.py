"""The billing run as a clerk sees its result: documents, lines, corrections, penalties, balances."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from backoffice.models import Balance, BillingRun, Document, Reading
from backoffice.models.choices import DocumentType, ReadingKind, SalesKind, Zone, ZoneSet
from backoffice.services.billing import BillingRunRefused, billing_run
from backoffice.services.consumption import BillingError
from backoffice.services.payments import payment_register
from tests.backoffice import factories as f

pytestmark = pytest.mark.django_db
D = Decimal
JAN, FEB, MAR, APR = (datetime.date(2020, m, 1) for m in (1, 2, 3, 4))


def read(meter, taken_on, value, zone=Zone.ROUND_THE_CLOCK):
    return f.ReadingFactory(meter=meter, taken_on=taken_on, value=D(value), zone=zone)


@pytest.fixture
def household():
    """ЛС with a single-zone meter, 3,20 ₽/кВт·ч, readings 1000 (25.12.2019) → 1201 (25.01.2020)."""
    meter = f.MeterFactory(account__number="100000001")
    f.TariffFactory(group=meter.account.customer.group, rate=D("3.20"))
    read(meter, datetime.date(2019, 12, 25), "1000")
    read(meter, datetime.date(2020, 1, 25), "1201")
    return meter


def receipt(account, period=JAN):
    return Document.objects.get(account=account, period=period, type=DocumentType.RECEIPT, corrects=None)


def test_household_receipt_charges_consumption_times_tariff(household):
    billing_run(period=JAN)

    document = receipt(household.account)
    assert document.number == "КВ-2001-100000001"
    assert document.amount == D("643.20") and document.amount_due == D("643.20")
    assert document.due_date == datetime.date(2020, 2, 10)
    assert (document.opening_balance, document.payments_counted, document.closing_balance) == (0, 0, D("643.20"))
    [line] = document.lines.all()
    assert (line.description, line.consumption, line.rate, line.amount) == (
        "Круглосуточная",
        201,
        D("3.20"),
        D("643.20"),
    )
    assert Balance.objects.get(account=household.account, sales_kind=SalesKind.MAIN).amount == D("643.20")
    assert Reading.objects.get(meter=household, taken_on=datetime.date(2020, 1, 25)).billed_period == JAN


def test_two_zone_meter_is_billed_per_zone_at_its_own_tariff():
    meter = f.MeterFactory(zone_set=ZoneSet.TWO)
    group = meter.account.customer.group
    f.TariffFactory(group=group, zone=Zone.DAY, rate=D("3.76"))
    f.TariffFactory(group=group, zone=Zone.NIGHT, rate=D("2.10"))
    for zone, before, after in ((Zone.DAY, "500", "713"), (Zone.NIGHT, "300", "400")):
        read(meter, datetime.date(2019, 12, 20), before, zone)
        read(meter, datetime.date(2020, 1, 20), after, zone)

    billing_run(period=JAN)

    lines = {line.description: (line.consumption, line.amount) for line in receipt(meter.account).lines.all()}
    assert lines == {"День": (213, D("800.88")), "Ночь": (100, D("210.00"))}
    assert receipt(meter.account).amount == D("1010.88")


def test_a_tariff_change_inside_the_interval_splits_the_consumption_by_days():
    meter = f.MeterFactory()
    group = meter.account.customer.group
    f.TariffFactory(
        group=group, rate=D("2.44"), valid_from=datetime.date(2019, 1, 1), valid_to=datetime.date(2019, 6, 30)
    )
    f.TariffFactory(group=group, rate=D("2.48"), valid_from=datetime.date(2019, 7, 1))
    read(meter, datetime.date(2019, 6, 15), "1000")
    read(meter, datetime.date(2019, 7, 15), "1300")

    billing_run(period=datetime.date(2019, 7, 1))

    document = receipt(meter.account, datetime.date(2019, 7, 1))
    assert [(line.rate, line.consumption) for line in document.lines.order_by("date_from")] == [
        (D("2.44"), 150),
        (D("2.48"), 150),
    ]
    assert document.amount == D("738.00")


def test_a_register_that_passed_its_capacity_is_billed_for_the_real_advance():
    meter = f.MeterFactory(digits_integer=6)
    f.TariffFactory(group=meter.account.customer.group, rate=D("5"))
    read(meter, datetime.date(2019, 12, 25), "999990")
    read(meter, datetime.date(2020, 1, 25), "10")

    billing_run(period=JAN)

    assert receipt(meter.account).lines.get().consumption == 20


def test_organisation_is_billed_with_ratio_and_losses_on_a_tax_invoice_and_an_act():
    point = f.MeteringPointFactory(transformation_ratio=D(40), losses_percent=D("2.5"))
    contract = point.energy_object.contract
    meter = f.MeterFactory(account=None, metering_point=point, serial="0112345")
    f.TariffFactory(group=contract.customer.group, rate=D("6.00"))
    read(meter, datetime.date(2019, 12, 31), "1000")
    read(meter, datetime.date(2020, 1, 31), "1100")

    billing_run(period=JAN)

    invoice = Document.objects.get(contract=contract, type=DocumentType.TAX_INVOICE)
    act = Document.objects.get(contract=contract, type=DocumentType.ACCEPTANCE_ACT)
    line = invoice.lines.get()
    assert (line.consumption, line.description) == (D("4100.000"), "Круглосуточная, ПУ №0112345")
    assert invoice.amount == D("24600.00") and invoice.vat_amount == D("4100.00")
    assert invoice.due_date == datetime.date(2020, 2, 18)
    assert act.amount == invoice.amount and act.amount_due == 0


def test_running_a_period_again_over_the_same_data_changes_nothing(household):
    billing_run(period=JAN)
    documents = list(Document.objects.values_list("number", "amount", "amount_due"))
    balances = list(Balance.objects.values_list("sales_kind", "amount"))

    second = billing_run(period=JAN)

    assert list(Document.objects.values_list("number", "amount", "amount_due")) == documents
    assert list(Balance.objects.values_list("sales_kind", "amount")) == balances
    assert second.status == BillingRun.Status.DONE and second.stats.get("documents", 0) == 0


def test_a_missing_reading_is_estimated_from_the_last_three_periods():
    meter = f.MeterFactory()
    f.TariffFactory(group=meter.account.customer.group, rate=D("4"))
    for taken_on, value in (("2019-12-25", "0"), ("2020-01-25", "100"), ("2020-02-25", "300"), ("2020-03-25", "600")):
        read(meter, datetime.date.fromisoformat(taken_on), value)
    for period in (JAN, FEB, MAR):
        billing_run(period=period)

    billing_run(period=APR)

    line = receipt(meter.account, APR).lines.get()
    assert line.is_estimated and line.consumption == 200  # (100 + 200 + 300) / 3
    estimate = Reading.objects.get(meter=meter, kind=ReadingKind.ESTIMATED)
    assert (estimate.value, estimate.taken_on) == (800, datetime.date(2020, 4, 30))


def test_without_history_the_estimate_is_the_norm_per_resident():
    meter = f.MeterFactory(account__residents=3)
    group = meter.account.customer.group
    group.norm_kwh_per_month = D("90")
    group.save()
    f.TariffFactory(group=group, rate=D("4"))
    read(meter, datetime.date(2019, 12, 25), "500")

    billing_run(period=JAN)

    line = receipt(meter.account).lines.get()
    assert line.is_estimated and line.consumption == 270 and line.amount == D("1080.00")


def test_a_late_reading_replaces_the_estimate_with_a_correction():
    meter = f.MeterFactory(account__residents=1)
    group = meter.account.customer.group
    f.TariffFactory(group=group, rate=D("4"))
    read(meter, datetime.date(2019, 12, 25), "500")
    billing_run(period=JAN)  # estimated: 90 kWh, 360 ₽
    read(meter, datetime.date(2020, 1, 26), "550")

    billing_run(period=JAN)

    correction = Document.objects.get(account=meter.account, corrects__isnull=False)
    assert correction.number == "КВ-2001-" + meter.account.number + "-К1"
    assert correction.amount == D("-160.00")  # 50 kWh actual instead of 90 estimated
    lines = {(line.is_estimated, line.consumption) for line in correction.lines.all()}
    assert lines == {(True, -90), (False, 50)}
    assert not Reading.objects.filter(meter=meter, kind=ReadingKind.ESTIMATED).exists()
    assert Balance.objects.get(account=meter.account, sales_kind=SalesKind.MAIN).amount == D("200.00")


def test_a_corrected_tariff_after_payment_leaves_an_overpayment(household):
    billing_run(period=JAN)
    payment_register(account=household.account, amount=D("643.20"), paid_on=datetime.date(2020, 2, 5))
    tariff = household.account.customer.group.tariffs.get()
    tariff.rate = D("3.00")
    tariff.save()

    billing_run(period=JAN)

    correction = Document.objects.get(account=household.account, corrects__isnull=False)
    assert correction.amount == D("-40.20")  # 201 × (3,00 − 3,20)
    assert Balance.objects.get(account=household.account).sales_kind == SalesKind.OVERPAYMENT
    assert Balance.objects.get(account=household.account).amount == D("-40.20")


def test_overdue_debt_accrues_penalties_after_the_grace_period(household):
    billing_run(period=JAN)  # 643,20 ₽ due 10.02.2020
    billing_run(period=FEB)  # no readings in February: estimated, and still inside the grace period

    billing_run(period=MAR)

    claim = Document.objects.get(account=household.account, type=DocumentType.PENALTY_CLAIM)
    assert claim.sales_kind == SalesKind.PENALTY
    # 643,20 × 16 % / 300 × 20 days (12.03–31.03)
    assert claim.amount == D("6.86")
    assert claim.lines.get().description == "Пени по документу № КВ-2001-100000001 за 20 дн. (1/300 ставки 16.00 %)"
    assert Balance.objects.get(account=household.account, sales_kind=SalesKind.PENALTY).amount == D("6.86")


def test_organisations_pay_penalties_from_the_first_overdue_day():
    meter = f.MeterFactory(account=None, metering_point=f.MeteringPointFactory())
    contract = meter.metering_point.energy_object.contract
    f.TariffFactory(group=contract.customer.group, rate=D("10"))
    read(meter, datetime.date(2019, 12, 31), "0")
    read(meter, datetime.date(2020, 1, 31), "1300")
    billing_run(period=JAN)  # 13 000 ₽ due 18.02.2020

    billing_run(period=FEB)

    claim = Document.objects.get(contract=contract, type=DocumentType.PENALTY_CLAIM)
    assert claim.amount == D("176.00")  # 13 000 × 16 % / 130 × 11 days (19.02–29.02)


def test_a_payment_pays_the_oldest_document_first_and_penalties_last(household):
    old = f.DocumentFactory(account=household.account, amount=D("100"), due_date=datetime.date(2019, 12, 10))
    newer = f.DocumentFactory(account=household.account, amount=D("100"), due_date=datetime.date(2020, 1, 10))
    fine = f.DocumentFactory(
        account=household.account, amount=D("5"), due_date=datetime.date(2019, 11, 1), sales_kind=SalesKind.PENALTY
    )

    payment_register(account=household.account, amount=D("150"), paid_on=datetime.date(2020, 1, 5))

    for document in (old, newer, fine):
        document.refresh_from_db()
    assert (old.amount_due, newer.amount_due, fine.amount_due) == (0, 50, 5)


def test_an_acquirer_reporting_a_payment_twice_moves_the_balance_once(household):
    first = payment_register(account=household.account, amount=D("500"), paid_on=JAN, provider_id="sandbox-42")
    again = payment_register(account=household.account, amount=D("500"), paid_on=JAN, provider_id="sandbox-42")
    assert first.pk == again.pk
    assert Balance.objects.get(account=household.account).amount == D("-500.00")


def test_receipt_counts_the_payments_of_the_period(household):
    f.DocumentFactory(account=household.account, period=datetime.date(2019, 12, 1), amount=D("19.85"))
    payment_register(account=household.account, amount=D("665.60"), paid_on=datetime.date(2020, 1, 13))

    billing_run(period=JAN)

    document = receipt(household.account)
    assert (document.opening_balance, document.payments_counted) == (D("19.85"), D("665.60"))
    assert document.closing_balance == D("-2.55")  # «Итого переплата 2,55 руб.» as in seed 004


def test_a_missing_tariff_fails_the_run_and_stores_nothing(household):
    household.account.customer.group.tariffs.all().delete()

    with pytest.raises(BillingError, match="Нет тарифа на 26.12.2019"):
        billing_run(period=JAN)

    assert not Document.objects.exists()
    run = BillingRun.objects.get()
    assert run.status == BillingRun.Status.FAILED and "Нет тарифа" in run.error


def test_a_future_period_is_refused():
    with pytest.raises(BillingRunRefused, match="ещё не наступил"):
        billing_run(period=datetime.date(2999, 1, 1))


def test_the_command_bills_a_period_and_refuses_a_bad_one(household, capsys):
    call_command("billing_run", "--period", "2020-01")
    assert "Расчёт за январь 2020: документов 1" in capsys.readouterr().out
    with pytest.raises(CommandError, match="ГГГГ-ММ"):
        call_command("billing_run", "--period", "01.2020")
