"""The arithmetic of F-D4 on plain values: rollovers, ratio and losses, estimates, tariff splits, penalties."""

import datetime
from decimal import Decimal

import pytest

from backoffice.services import consumption as calc

D = Decimal
day = datetime.date


def value(taken_on, amount, estimated=False):
    return calc.RegisterValue(taken_on, D(amount), estimated)


def test_advance_is_the_difference_of_readings():
    assert calc.register_advance(value(day(2020, 1, 1), "1000"), value(day(2020, 2, 1), "1201"), D(10**6)) == 201


def test_a_lower_actual_reading_is_a_rollover_past_the_capacity():
    advance = calc.register_advance(value(day(2020, 1, 1), "999990.5"), value(day(2020, 2, 1), "10.5"), D(10**6))
    assert advance == 20


def test_a_reading_below_our_estimate_is_a_recalculation_not_a_rollover():
    advance = calc.register_advance(value(day(2020, 1, 31), "1300", True), value(day(2020, 2, 25), "1250"), D(10**6))
    assert advance == -50


def test_energy_applies_the_transformation_ratio_and_the_losses():
    assert calc.energy(D(100), ratio=D(40), losses_percent=D("2.5")) == D("4100.000")


def test_period_ends_on_the_customers_reading_rather_than_our_estimate():
    values = [value(day(2020, 1, 31), "1300", True), value(day(2020, 1, 20), "1250")]
    assert calc.period_end_value(values, day(2020, 1, 1), day(2020, 1, 31)).value == 1250


def test_previous_value_is_the_latest_before_the_period():
    values = [value(day(2019, 11, 25), "900"), value(day(2019, 12, 25), "1000"), value(day(2020, 1, 25), "1200")]
    assert calc.latest_before(values, day(2020, 1, 1)).value == 1000


def test_estimate_is_the_average_of_the_last_three_periods():
    assert (
        calc.estimate([D(100), D(200), D(300), D(1000)], norm=D(90), zone_set="single", zone="round_the_clock") == 200
    )


def test_estimate_falls_back_to_the_norm_shared_between_zones():
    assert calc.estimate([], norm=D(200), zone_set="two", zone="day") == D("140.000")
    assert calc.estimate([], norm=D(200), zone_set="two", zone="night") == D("60.000")


def test_consumption_is_split_by_days_between_two_tariffs():
    tariffs = [
        calc.TariffRate(D("2.44"), day(2019, 1, 1), day(2019, 6, 30)),
        calc.TariffRate(D("2.48"), day(2019, 7, 1), None),
    ]
    portions = calc.split_by_tariff(
        D(300), date_from=day(2019, 6, 15), date_to=day(2019, 7, 15), tariffs=tariffs, describe="тест"
    )
    assert [(p.date_from, p.date_to, p.consumption, p.rate) for p in portions] == [
        (day(2019, 6, 16), day(2019, 6, 30), D("150.000"), D("2.44")),
        (day(2019, 7, 1), day(2019, 7, 15), D("150.000"), D("2.48")),
    ]
    assert sum(p.amount for p in portions) == D("738.00")


def test_split_parts_always_add_up_to_the_consumption():
    tariffs = [calc.TariffRate(D(1), day(2019, 1, 1), day(2019, 1, 10)), calc.TariffRate(D(2), day(2019, 1, 11), None)]
    portions = calc.split_by_tariff(
        D("100.001"), date_from=day(2019, 1, 1), date_to=day(2019, 1, 31), tariffs=tariffs, describe="тест"
    )
    assert sum(p.consumption for p in portions) == D("100.001")


def test_a_day_without_a_tariff_stops_the_run_with_a_clear_message():
    with pytest.raises(calc.BillingError, match="Нет тарифа на 01.01.2020: группа «Население»"):
        calc.split_by_tariff(
            D(10),
            date_from=day(2019, 12, 31),
            date_to=day(2020, 1, 1),
            tariffs=[calc.TariffRate(D(1), day(2019, 1, 1), day(2019, 12, 31))],
            describe="группа «Население»",
        )


def test_penalty_counts_the_days_after_the_grace_period():
    amount, days = calc.penalty(
        D(1000),
        due_date=day(2020, 2, 10),
        period_start=day(2020, 3, 1),
        period_end=day(2020, 3, 31),
        grace_days=30,
        key_rate_percent=D(16),
        denominator=300,
    )
    # 10.02 + 30 days of grace = 11.03; penalties run from 12.03 to 31.03: 20 days
    assert (amount, days) == (D("10.67"), 20)


def test_no_penalty_inside_the_grace_period():
    amount, days = calc.penalty(
        D(1000),
        due_date=day(2020, 2, 10),
        period_start=day(2020, 2, 1),
        period_end=day(2020, 2, 29),
        grace_days=30,
        key_rate_percent=D(16),
        denominator=300,
    )
    assert (amount, days) == (D(0), 0)
