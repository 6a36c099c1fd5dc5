"""The rules of a reading (F-C1): the window, the value, every zone, once per date, rollover, plausibility."""

import datetime
from decimal import Decimal

import pytest

from backoffice.models import Reading
from backoffice.models.choices import MeterStatus, ReadingKind, ReadingSource, Zone, ZoneSet
from backoffice.readings.plausibility import Point, plausibility_check
from backoffice.readings.values import ReadingValueError, parse_value, quantity_text, register_text, to_decimal
from backoffice.readings.window import window_of, window_state
from backoffice.services.readings import Entry, ReadingsInvalid, readings_check, readings_store
from tests.backoffice.factories import (
    HouseholdGroupFactory,
    MeterFactory,
    OrganisationGroupFactory,
    ReadingFactory,
)
from tests.readings import ROUND, monthly_history, organisation_meter

D = datetime.date


def messages(invalid: ReadingsInvalid) -> list[str]:
    return [problem.message for problem in invalid.problems]


# --- The window --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestWindow:
    def test_a_household_window_is_the_15th_to_the_26th_of_the_month(self):
        group = HouseholdGroupFactory()
        assert window_of(group=group, period=D(2026, 11, 1)).opens_on == D(2026, 11, 15)
        assert window_of(group=group, period=D(2026, 11, 1)).closes_on == D(2026, 11, 26)

    @pytest.mark.parametrize(
        ("today", "message"),
        [
            (D(2026, 11, 14), "Сейчас показания передать нельзя. Передача откроется через 1 день: с 15.11.2026"),
            (D(2026, 11, 15), "До окончания периода передачи: 11 дней"),
            (D(2026, 11, 24), "До окончания периода передачи: 2 дня"),
            (D(2026, 11, 25), "До окончания периода передачи: 1 день"),
            (D(2026, 11, 26), "Сегодня последний день передачи показаний"),
            (D(2026, 11, 27), "Сейчас показания передать нельзя. Передача откроется через 18 дней: с 15.12.2026"),
            (D(2026, 12, 31), "Сейчас показания передать нельзя. Передача откроется через 15 дней: с 15.01.2027"),
        ],
    )
    def test_the_days_left_and_the_days_until_it_opens(self, today, message):
        assert window_state(group=HouseholdGroupFactory(), today=today).message == message

    def test_a_legal_entity_sends_the_month_until_the_21st_of_the_next(self):
        window = window_of(group=OrganisationGroupFactory(), period=D(2022, 10, 1))

        assert (window.opens_on, window.closes_on) == (D(2022, 10, 1), D(2022, 11, 21))
        assert window.title == (
            "Передача показаний за октябрь 2022 года доступна с 1 октября 2022 года по 21 ноября 2022 года"
        )

    def test_when_two_windows_overlap_the_month_that_ended_is_due(self):
        group = OrganisationGroupFactory()

        assert window_state(group=group, today=D(2026, 11, 10)).current.period == D(2026, 10, 1)
        assert window_state(group=group, today=D(2026, 11, 21)).current.period == D(2026, 10, 1)
        assert window_state(group=group, today=D(2026, 11, 22)).current.period == D(2026, 11, 1)

    def test_december_closes_in_january_of_the_next_year(self):
        state = window_state(group=OrganisationGroupFactory(), today=D(2027, 1, 20))

        assert state.current.period == D(2026, 12, 1)
        assert state.current.closes_on == D(2027, 1, 21)
        assert state.days_left == 1

    @pytest.mark.parametrize(("year", "last"), [(2027, 28), (2028, 29), (2100, 28), (2000, 29)])
    def test_a_window_to_the_31st_closes_on_the_last_day_of_february(self, year, last):
        group = HouseholdGroupFactory(code=f"feb-{year}", window_start_day=20, window_end_day=31)

        window = window_of(group=group, period=D(year, 2, 1))

        assert window.closes_on == D(year, 2, last)
        assert window_state(group=group, today=D(year, 2, last)).message == "Сегодня последний день передачи показаний"
        assert not window_state(group=group, today=D(year, 3, 1)).is_open

    def test_a_reading_sent_after_the_month_is_for_its_last_day(self):
        window = window_state(group=OrganisationGroupFactory(), today=D(2028, 3, 5)).current

        assert window.period == D(2028, 2, 1)
        assert window.reading_date(D(2028, 3, 5)) == D(2028, 2, 29)


# --- One value -------------------------------------------------------------------------------------------------


class TestValue:
    meter = MeterFactory.build(digits_integer=6, digits_fraction=2)

    @pytest.mark.parametrize(
        ("typed", "value"),
        [("12441,5", "12441.5"), ("12441.50", "12441.5"), ("012 441,00", "12441"), ("0", "0"), (" 7 ", "7")],
    )
    def test_a_comma_or_a_point_and_spaces_between_thousands(self, typed, value):
        assert parse_value(typed, self.meter) == Decimal(value)

    @pytest.mark.parametrize(
        ("typed", "message"),
        [
            ("", "Заполните поле"),
            ("двенадцать", "Введите число: цифры и разделитель «,» или «.»."),
            ("1,2,3", "Введите число: цифры и разделитель «,» или «.»."),
            ("-5", "Показание не может быть отрицательным."),
            ("1234567", "Не больше 6 цифр до запятой и 2 после: значность прибора учёта 6,2."),
            ("12,345", "Не больше 6 цифр до запятой и 2 после: значность прибора учёта 6,2."),
        ],
    )
    def test_refused_with_the_manuals_message(self, typed, message):
        with pytest.raises(ReadingValueError, match=message.replace(".", r"\.").replace("(", r"\(")):
            parse_value(typed, self.meter)

    def test_a_number_cell_of_a_workbook_never_becomes_a_float(self):
        assert to_decimal(0.1) == Decimal("0.1")
        assert to_decimal(12441.35) == Decimal("12441.35")

    def test_shown_as_the_dial_shows_it(self):
        assert register_text(Decimal("12441"), self.meter) == "012\xa0441,00"
        assert quantity_text(Decimal("-124530.480")) == "−124\xa0530,48"
        assert quantity_text(Decimal("12600.000")) == "12\xa0600"


# --- Plausibility ----------------------------------------------------------------------------------------------


class TestPlausibility:
    def history(self, *values_by_month):
        return [Point(D(2025, month, 25), Decimal(value)) for month, value in values_by_month]

    def test_without_history_nothing_is_implausible(self):
        verdict = plausibility_check(
            history=[Point(D(2026, 10, 25), Decimal(100))],
            previous=Point(D(2026, 10, 25), Decimal(100)),
            value=Decimal(90100),
            taken_on=D(2026, 11, 25),
            rollover=Decimal(10**6),
        )
        assert verdict.expected is None and not verdict.implausible

    def test_far_above_the_recent_average_is_implausible(self):
        history = self.history((8, 1000), (9, 1100), (10, 1200))  # 100 kWh a month
        verdict = plausibility_check(
            history=history,
            previous=history[-1],
            value=Decimal(1700),
            taken_on=D(2025, 11, 25),
            rollover=Decimal(10**6),
        )
        assert verdict.implausible
        assert verdict.consumption == Decimal(500)

    def test_twice_the_usual_within_the_slack_is_believable(self):
        history = self.history((8, 1000), (9, 1010), (10, 1020))  # 10 kWh a month
        verdict = plausibility_check(
            history=history,
            previous=history[-1],
            value=Decimal(1080),
            taken_on=D(2025, 11, 25),
            rollover=Decimal(10**6),
        )
        assert not verdict.implausible

    def test_the_same_month_of_past_years_explains_a_winter_peak(self):
        history = [
            Point(D(2024, 12, 25), Decimal(0)),
            Point(D(2025, 1, 25), Decimal(900)),  # January: 900 kWh
            Point(D(2025, 10, 25), Decimal(1800)),
            Point(D(2025, 11, 25), Decimal(1900)),
            Point(D(2025, 12, 25), Decimal(2000)),  # autumn: 100 kWh a month
        ]
        winter = plausibility_check(
            history=history, previous=history[-1], value=Decimal(2850), taken_on=D(2026, 1, 25), rollover=Decimal(10**6)
        )
        assert not winter.implausible

    def test_ratio_and_losses_count_in_kwh(self):
        history = [Point(D(2025, 9, 1), Decimal(10)), Point(D(2025, 10, 1), Decimal(11))]
        verdict = plausibility_check(
            history=history,
            previous=history[-1],
            value=Decimal(12),
            taken_on=D(2025, 11, 1),
            rollover=Decimal(10**6),
            ratio=Decimal(12000),
            losses_percent=Decimal(5),
        )
        assert verdict.consumption == Decimal("12600.000")
        assert not verdict.implausible


# --- The rules of the batch ------------------------------------------------------------------------------------

NOVEMBER = D(2026, 11, 20)


@pytest.fixture
def household_meter(db):
    meter = MeterFactory(serial="874100", digits_integer=5, digits_fraction=1)
    ReadingFactory(meter=meter, value=Decimal("29816"), taken_on=D(2026, 10, 20))
    return meter


def send(meter, values, **entry):
    return readings_store(entries=[Entry(meter=meter, values=values, **entry)], today=NOVEMBER)


@pytest.mark.django_db
class TestRules:
    def test_a_reading_is_stored_with_its_consumption(self, household_meter):
        (checked,) = send(household_meter, {("A+", ROUND): "29 925,5"})

        reading = Reading.objects.get(meter=household_meter, taken_on=NOVEMBER)
        assert reading.value == Decimal("29925.5")
        assert (reading.kind, reading.source, reading.reason) == (ReadingKind.DECLARED, ReadingSource.PORTAL, "")
        assert checked.consumption == Decimal("109.500")

    def test_every_zone_is_required(self, db):
        meter = MeterFactory(zone_set=ZoneSet.TWO)

        with pytest.raises(ReadingsInvalid) as refused:
            send(meter, {("A+", Zone.DAY): "100"})

        (problem,) = refused.value.problems
        assert (problem.zone, problem.message) == (Zone.NIGHT, "Заполните поле")
        assert not Reading.objects.filter(meter=meter).exists()

    def test_every_measured_quantity_is_required(self, db):
        meter = organisation_meter(quantities=["A+", "A-"])

        with pytest.raises(ReadingsInvalid) as refused:
            readings_store(entries=[Entry(meter=meter, values={("A+", ROUND): "10"})], today=NOVEMBER)

        assert [(p.quantity, p.message) for p in refused.value.problems] == [("A-", "Заполните поле")]

    def test_a_value_beyond_the_capacity(self, household_meter):
        with pytest.raises(ReadingsInvalid) as refused:
            send(household_meter, {("A+", ROUND): "100000"})

        assert messages(refused.value) == ["Не больше 5 цифр до запятой и 1 после: значность прибора учёта 5,1."]

    def test_one_reading_per_meter_and_date(self, household_meter):
        send(household_meter, {("A+", ROUND): "29900"})

        with pytest.raises(ReadingsInvalid) as refused:
            send(household_meter, {("A+", ROUND): "29901"})

        assert messages(refused.value) == ["Вы можете заносить показания счётчика только один раз в указанную дату!"]
        assert Reading.objects.get(meter=household_meter, taken_on=NOVEMBER).value == Decimal("29900")

    def test_the_same_values_again_store_nothing(self, household_meter):
        send(household_meter, {("A+", ROUND): "29900"})

        with pytest.raises(ReadingsInvalid) as refused:
            readings_store(
                entries=[Entry(meter=household_meter, values={("A+", ROUND): "29900,0"})], today=D(2026, 11, 22)
            )

        assert messages(refused.value) == ["Новых показаний нет: введите текущие показания прибора учёта."]
        assert Reading.objects.filter(meter=household_meter).count() == 2

    def test_our_estimate_of_the_same_date_gives_way(self, household_meter):
        ReadingFactory(meter=household_meter, value=Decimal("29950"), taken_on=NOVEMBER, kind=ReadingKind.ESTIMATED)

        send(household_meter, {("A+", ROUND): "29900"})

        assert list(Reading.objects.filter(meter=household_meter, taken_on=NOVEMBER).values_list("kind", "value")) == [
            (ReadingKind.DECLARED, Decimal("29900"))
        ]

    def test_lower_than_the_previous_only_as_a_confirmed_rollover(self, household_meter):
        with pytest.raises(ReadingsInvalid) as refused:
            send(household_meter, {("A+", ROUND): "15"})

        (problem,) = refused.value.problems
        assert problem.code == "rollover"
        assert problem.message == (
            "Показание меньше предыдущего (29\xa0816,0 от 20.10.2026). Если счётчик дошёл до 99\xa0999,9 и начал "
            "считать с нуля, отметьте «Счётчик перешёл через ноль»."
        )
        assert not Reading.objects.filter(meter=household_meter, taken_on=NOVEMBER).exists()

    def test_a_confirmed_rollover_counts_past_the_capacity(self, household_meter):
        household_meter.readings.update(value=Decimal("99950"))

        (checked,) = send(household_meter, {("A+", ROUND): "15"}, rollover=True)

        assert checked.consumption == Decimal("65.000")  # 99 950 → 100 000 → 15
        reading = Reading.objects.get(meter=household_meter, taken_on=NOVEMBER)
        assert reading.reason == "Счётчик перешёл через ноль: подтверждено при передаче показаний."

    def test_a_rollover_tick_with_a_higher_value_notes_nothing(self, household_meter):
        send(household_meter, {("A+", ROUND): "29900"}, rollover=True)

        assert Reading.objects.get(meter=household_meter, taken_on=NOVEMBER).reason == ""

    def test_a_consumption_far_above_the_history_asks_for_a_reason(self, db):
        meter = MeterFactory()
        last = monthly_history(meter, start=D(2026, 5, 1), months=6, step=Decimal(100))

        with pytest.raises(ReadingsInvalid) as refused:
            send(meter, {("A+", ROUND): str(last + 2000)})
        (problem,) = refused.value.problems
        assert problem.field == problem.code == "reason"
        assert "Расход 2\xa0000 кВт·ч намного больше обычного для этого прибора учёта" in problem.message

        send(meter, {("A+", ROUND): str(last + 2000)}, reason="Ремонт, работали обогреватели")
        assert Reading.objects.get(meter=meter, taken_on=NOVEMBER).reason == "Ремонт, работали обогреватели"

    def test_calculate_shows_an_implausible_consumption_without_refusing(self, db):
        meter = MeterFactory()
        last = monthly_history(meter, start=D(2026, 5, 1), months=6, step=Decimal(100))

        (checked,) = readings_check(
            entries=[Entry(meter=meter, values={("A+", ROUND): str(last + 2000)})], today=NOVEMBER, require_reason=False
        )

        assert [register.implausible for register in checked.registers] == [True]
        # 300 kWh over the 92 days of August–October, for the 26 days since 25 October
        assert checked.registers[0].expected == (Decimal(300) / 92 * 26).quantize(Decimal("0.001"))
        assert not Reading.objects.filter(meter=meter, taken_on=NOVEMBER).exists()

    def test_a_reason_nobody_asked_for_is_not_kept(self, household_meter):
        send(household_meter, {("A+", ROUND): "29900"}, reason="просто так")

        assert Reading.objects.get(meter=household_meter, taken_on=NOVEMBER).reason == ""

    @pytest.mark.parametrize(
        ("status", "message"),
        [
            (MeterStatus.BLOCKED, "Прибор учёта в статусе «Передача недоступна»: передать показания нельзя."),
            (MeterStatus.ACCEPTED, "Прибор учёта в статусе «Показания приняты»: передать показания нельзя."),
        ],
    )
    def test_only_while_the_meter_is_waiting(self, household_meter, status, message):
        household_meter.status = status
        household_meter.save()

        with pytest.raises(ReadingsInvalid) as refused:
            send(household_meter, {("A+", ROUND): "29900"})

        assert messages(refused.value) == [message]

    def test_only_while_the_energy_object_is_in_operation(self, db):
        meter = organisation_meter()
        meter.metering_point.energy_object.status = "disconnected"
        meter.metering_point.energy_object.save()

        with pytest.raises(ReadingsInvalid) as refused:
            readings_store(entries=[Entry(meter=meter, values={("A+", ROUND): "10"})], today=NOVEMBER)

        assert messages(refused.value) == ["Энергообъект в статусе «Отключён»: передать показания нельзя."]

    def test_only_inside_the_window(self, household_meter):
        with pytest.raises(ReadingsInvalid) as refused:
            readings_store(
                entries=[Entry(meter=household_meter, values={("A+", ROUND): "29900"})], today=D(2026, 11, 27)
            )

        assert messages(refused.value) == [
            "Сейчас показания передать нельзя. Передача откроется через 18 дней: с 15.12.2026"
        ]

    def test_a_legal_entity_after_the_month_sends_the_reading_of_its_last_day(self, db):
        meter = organisation_meter()

        readings_store(entries=[Entry(meter=meter, values={("A+", ROUND): "10"})], today=D(2026, 12, 3))

        assert Reading.objects.get(meter=meter).taken_on == D(2026, 11, 30)

    def test_a_household_may_say_when_it_read_the_meter(self, household_meter):
        send(household_meter, {("A+", ROUND): "29900"}, taken_on=D(2026, 11, 16))

        assert Reading.objects.get(meter=household_meter, value=Decimal("29900")).taken_on == D(2026, 11, 16)

    @pytest.mark.parametrize(
        ("taken_on", "message"),
        [
            (D(2026, 11, 21), "Дата снятия показаний не может быть позже сегодняшней."),
            (D(2026, 10, 31), "Дата снятия показаний — в пределах периода: с 01.11.2026 по 30.11.2026."),
        ],
    )
    def test_the_reading_date_stays_within_the_period_and_today(self, household_meter, taken_on, message):
        with pytest.raises(ReadingsInvalid) as refused:
            send(household_meter, {("A+", ROUND): "29900"}, taken_on=taken_on)

        assert messages(refused.value) == [message]

    def test_a_later_reading_already_there(self, household_meter):
        send(household_meter, {("A+", ROUND): "29900"})

        with pytest.raises(ReadingsInvalid) as refused:
            send(household_meter, {("A+", ROUND): "29950"}, taken_on=D(2026, 11, 16))

        assert messages(refused.value) == ["Уже есть показания на более позднюю дату: 20.11.2026."]

    def test_one_bad_meter_stores_nothing_of_the_batch(self, household_meter):
        other = MeterFactory()

        with pytest.raises(ReadingsInvalid):
            readings_store(
                entries=[
                    Entry(meter=other, values={("A+", ROUND): "500"}),
                    Entry(meter=household_meter, values={("A+", ROUND): "abc"}),
                ],
                today=NOVEMBER,
            )

        assert not Reading.objects.filter(meter=other).exists()
