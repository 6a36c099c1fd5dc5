"""Reading reminders (F-C5): N days before the window opens and closes, the last day, the МПИ; each once."""

import datetime
from decimal import Decimal

import pytest

from backoffice.models import Notification, NotificationSettings, OutboxMessage
from backoffice.models.choices import MeterStatus
from tests.backoffice.factories import MeterFactory, PersonalAccountFactory, ReadingFactory
from tests.factories import UserFactory
from tests.readings import organisation_meter
from tests.selfservice.cabinet import Role, give_role, link_account
from workflows.services.reading_reminders import reading_reminders_send
from workflows.tasks import reading_reminders_task

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def household():
    user = UserFactory(email="anna@example.test")
    account = PersonalAccountFactory(number="100000777")
    meter = MeterFactory(account=account, verification_due_on=D(2040, 1, 1))
    link_account(user, account)
    return user, account, meter


def titles(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("title", flat=True))


def test_n_days_before_the_window_opens_as_the_user_chose(household):
    user, _account, _meter = household  # default: 4 days before; the window opens on the 15th

    assert reading_reminders_send(today=D(2026, 11, 10))["start"] == 0
    assert reading_reminders_send(today=D(2026, 11, 11))["start"] == 1

    notice = Notification.objects.get(user=user)
    assert notice.title == "Скоро начнётся период передачи показаний"
    assert notice.body == (
        "Передача показаний за ноябрь 2026 года (ЛС 100000777) будет доступна с 15 ноября 2026 года по 26 ноября "
        "2026 года: через 4 дня."
    )
    assert OutboxMessage.objects.filter(recipient="anna@example.test").count() == 1


def test_the_chosen_number_of_days_and_a_switched_off_reminder(household):
    user, _account, _meter = household
    NotificationSettings.objects.create(user=user, reading_start_days=12, reading_end_reminder=False)

    reading_reminders_send(today=D(2026, 11, 3))
    reading_reminders_send(today=D(2026, 11, 24))

    assert titles(user) == ["Скоро начнётся период передачи показаний"]


def test_before_the_window_closes_only_while_readings_are_missing(household):
    user, account, meter = household

    assert reading_reminders_send(today=D(2026, 11, 24))["end"] == 1
    assert titles(user) == ["Необходимо заявить показания"]
    assert "До окончания периода передачи: 2 дня, по 26 ноября 2026 года включительно." in (
        Notification.objects.get(user=user).body
    )

    other = UserFactory()
    link_account(other, PersonalAccountFactory())
    sent = PersonalAccountFactory()
    ReadingFactory(meter=MeterFactory(account=sent), value=Decimal(5), taken_on=D(2026, 12, 16))
    done = UserFactory()
    link_account(done, sent)
    reading_reminders_send(today=D(2026, 12, 24))
    assert titles(done) == []


def test_the_last_day_if_still_nothing_was_sent(household):
    user, _account, meter = household

    assert reading_reminders_send(today=D(2026, 11, 26))["last_day"] == 1
    assert titles(user) == ["Сегодня последний день передачи показаний"]


def test_a_meter_that_takes_no_readings_is_not_missing(household):
    user, _account, meter = household
    meter.status = MeterStatus.REMOVED
    meter.save()

    reading_reminders_send(today=D(2026, 11, 26))

    assert titles(user) == []


def test_a_job_run_twice_tells_nobody_twice(household):
    user, _account, _meter = household

    reading_reminders_send(today=D(2026, 11, 11))
    second = reading_reminders_send(today=D(2026, 11, 11))

    assert second["start"] == 0
    assert len(titles(user)) == 1


def test_organisations_users_whose_role_sends_readings(db):
    meter = organisation_meter()
    contract = meter.metering_point.energy_object.contract
    energetic, accountant = UserFactory(), UserFactory()
    give_role(energetic, contract, Role.ENERGETIC)
    give_role(accountant, contract, Role.ACCOUNTANT)

    reading_reminders_send(today=D(2026, 11, 19))  # October closes on 21 November: 2 days

    notice = Notification.objects.get(user=energetic)
    assert notice.contract == contract
    assert f"Показания за октябрь 2026 года по договору № {contract.number} ещё не переданы." in notice.body
    assert titles(accountant) == []


def test_the_verification_interval_ends_within_sixty_days(household):
    user, _account, meter = household
    meter.verification_due_on = D(2026, 12, 30)
    meter.save()

    assert reading_reminders_send(today=D(2026, 10, 30))["verification"] == 0  # 61 days
    assert reading_reminders_send(today=D(2026, 10, 31))["verification"] == 1
    assert reading_reminders_send(today=D(2026, 11, 1))["verification"] == 0

    notice = Notification.objects.get(user=user, kind=Notification.Kind.METER_VERIFICATION)
    assert notice.title == "Заканчивается межповерочный интервал прибора учёта"
    assert "заканчивается 30.12.2026 (через 60 дней)" in notice.body


def test_the_beat_job_runs_the_service(household, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 11, 9, 5), tick=False)

    assert reading_reminders_task.delay().get()["start"] == 1
