"""The interval file (F-C3): the matrix of seed 001 §5.3.1, the «Первичный акт» and its staff steps, the command."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from backoffice.models import Notification, Reading
from backoffice.readings.files import FileInvalid
from backoffice.readings.integral import COLUMNS
from tests.backoffice.factories import MeterFactory, ReadingFactory
from tests.factories import UserFactory
from tests.readings import interval_rows, organisation_meter, upload, xls, xlsx
from workflows.models import IntervalAct, IntervalValue, TransitionLog
from workflows.services.interval_acts import (
    ActRefused,
    interval_act_accept,
    interval_act_reject,
    interval_act_submit,
    interval_act_workbook,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 10)
OCTOBER = datetime.date(2026, 10, 1)
State = IntervalAct.State


@pytest.fixture
def meter():
    return organisation_meter(category=3, serial="01284918", ratio="40", losses="1.5")


def submit(meter, rows=None, *, data=None, name="interval.xlsx", today=TODAY, **kwargs):
    data = data if data is not None else xlsx(rows if rows is not None else interval_rows(OCTOBER))
    return interval_act_submit(meter=meter, file=upload(name, data), name=name, today=today, **kwargs)


def refusal(meter, rows=None, **kwargs) -> list[str]:
    with pytest.raises(FileInvalid) as refused:
        submit(meter, rows, **kwargs)
    assert not IntervalAct.objects.exists() and not IntervalValue.objects.exists()
    return [str(issue) for issue in refused.value.issues]


def test_a_month_of_hours_becomes_a_waiting_act(meter):
    act = submit(meter, interval_rows(OCTOBER, value=Decimal("1.5")))

    assert (act.state, act.period, act.get_state_display()) == (State.WAITING, OCTOBER, "В ожидании")
    assert act.values.count() == 31 * 24
    assert act.total == Decimal("1116")  # 744 × 1,5
    assert act.consumption == Decimal("45309.600")  # × 40 × 1,015: «без КТ и без потерь»
    assert TransitionLog.objects.filter(object_id=act.pk, transition="submit").exists()


def test_values_already_with_the_ratio_and_losses_count_once(meter):
    act = submit(meter, interval_rows(OCTOBER, value=2), kind="ratio_losses")

    assert act.consumption == Decimal("1488.000")


def test_an_old_xls_with_text_dates(meter):
    rows = interval_rows(OCTOBER)
    rows[0] = ["Время", *(day.strftime("%d.%m.%Y") for day in rows[0][1:])]

    act = submit(meter, data=xls(rows), name="interval.xls")

    assert act.values.count() == 744


def test_the_act_downloads_with_its_status_and_matrix(meter):
    act = submit(meter, interval_rows(OCTOBER, value=2))

    sheet = load_workbook(io.BytesIO(interval_act_workbook(act=act))).active
    cells = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert cells["Статус"][0] == "В ожидании"
    assert cells["Вид показаний"][0] == "без КТ и без потерь"
    assert cells["00-01"][0] == 2
    assert cells["Итого"][:2] == (48, 48)


def test_a_new_file_replaces_the_waiting_act(meter):
    first = submit(meter)
    second = submit(meter, interval_rows(OCTOBER, value=3))

    first.refresh_from_db()
    assert (first.state, second.state) == (State.REPLACED, State.WAITING)
    assert IntervalValue.objects.filter(act=first).count() == 744  # what was sent stays


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda rows: rows[0].__setitem__(0, "Часы"), ["A1: В ячейке A1 должно быть «Время», а в ней «Часы»."]),
        (
            lambda rows: rows[0].__setitem__(31, "31.02.2026"),
            [
                "AF1: Такой даты нет: 31.02.2026 — в феврале 2026 года 28 дней.",
                "строка 1: Нет столбца с датой 31.10.2026.",
            ],
        ),
        (lambda rows: rows.pop(6), ["столбец A: Нет строки «05-06»."]),
        (
            lambda rows: rows[7].__setitem__(3, "много"),
            ["D8: «много» — не число. Введите число: цифры и разделитель «,» или «.»."],
        ),
        (lambda rows: rows[7].__setitem__(3, -2), ["D8: Показание не может быть отрицательным."]),
        (
            lambda rows: rows[2].__setitem__(5, 10_000_000),
            ["F3: Не больше 6 цифр до запятой и 2 после: значность прибора учёта 6,2."],
        ),
        (lambda rows: rows[2].__setitem__(5, None), ["F3: Нет значения за 01-02 05.10.2026."]),
        (
            lambda rows: rows[0].__setitem__(6, datetime.date(2026, 10, 2)),
            ["G1: Дата 02.10.2026 повторяется: она уже в ячейке C1.", "строка 1: Нет столбца с датой 06.10.2026."],
        ),
        (
            lambda rows: rows[0].__setitem__(2, datetime.date(2026, 9, 2)),
            ["C1: Дата 02.09.2026 не из месяца файла (октябрь 2026).", "строка 1: Нет столбца с датой 02.10.2026."],
        ),
        (
            lambda rows: rows[3].__setitem__(0, "двадцать"),
            ["A4: Ожидается час суток, например «05-06», а в ячейке «двадцать».", "столбец A: Нет строки «02-03»."],
        ),
    ],
    ids=[
        "wrong-header",
        "impossible-day",
        "missing-hour",
        "text-cell",
        "negative-cell",
        "beyond-capacity",
        "empty-cell",
        "duplicate-date",
        "other-month",
        "bad-hour",
    ],
)
def test_every_bad_cell_with_its_address_and_nothing_stored(meter, edit, expected):
    rows = interval_rows(OCTOBER)
    edit(rows)

    assert refusal(meter, rows) == expected


def test_a_file_for_another_month_than_the_open_one(meter):
    assert refusal(meter, interval_rows(datetime.date(2026, 9, 1))) == [
        "строка 1: Файл за сентябрь 2026, а передаются показания за октябрь 2026."
    ]


def test_hours_that_have_not_come_yet(meter):
    november = datetime.date(2026, 11, 1)
    issues = refusal(meter, interval_rows(november), today=datetime.date(2026, 11, 25))

    assert issues[0] == "AA1: Дата 26.11.2026 ещё не наступила: почасовой расход за неё передать нельзя."
    assert len(issues) == 5


def test_only_for_price_categories_three_to_six(db):
    meter = organisation_meter(category=1)

    assert refusal(meter) == [
        f"Интервальные показания передают потребители III–VI ценовых категорий, а у договора № "
        f"{meter.metering_point.energy_object.contract.number} I ценовая категория."
    ]


def test_only_for_a_plus(db):
    meter = organisation_meter(category=4, quantities=["A-"])

    assert refusal(meter) == ["Интервальный расход заполняется только для А+, а этот прибор учёта А+ не измеряет."]


def test_not_for_a_household_meter(db):
    assert refusal(MeterFactory()) == [
        "Интервальные показания передают только юридические лица III–VI ценовых категорий."
    ]


def test_not_a_workbook_at_all(meter):
    assert refusal(meter, data=b"<html><table></table></html>") == [
        "Это веб-страница (HTML), а не книга Excel. Откройте файл в Excel и сохраните его как «Книга Excel (.xlsx)»."
    ]


def test_an_integral_file_sent_as_interval(meter):
    issues = refusal(meter, [list(COLUMNS), ["", "", "", meter.serial]])

    assert issues[0] == "A1: В ячейке A1 должно быть «Время», а в ней «Код ЭО»."


# --- Staff steps ---------------------------------------------------------------------------------------------


@pytest.fixture
def clerk(db):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="decide_intervalact"))
    return user


def test_staff_accept_the_act_and_the_sender_is_told(meter, clerk):
    sender = UserFactory()
    act = submit(meter, user=sender)

    interval_act_accept(act=act, by=clerk, seen_state=State.WAITING, comment="Сверено с АСКУЭ")

    act.refresh_from_db()
    assert (act.state, act.decided_by) == (State.ACCEPTED, clerk)
    step = TransitionLog.objects.get(object_id=act.pk, transition="accept")
    assert (step.by, step.comment, step.source, step.target) == (clerk, "Сверено с АСКУЭ", "waiting", "accepted")
    notice = Notification.objects.get(user=sender)
    assert notice.title == "Первичный акт по ПУ 01284918 за октябрь 2026 принят"


def test_staff_reject_with_a_reason(meter, clerk):
    sender = UserFactory()
    act = submit(meter, user=sender)

    interval_act_reject(act=act, by=clerk, seen_state=State.WAITING, comment="Нет данных за 3 октября")

    act.refresh_from_db()
    assert (act.state, act.reason) == (State.REJECTED, "Нет данных за 3 октября")
    assert "Причина: Нет данных за 3 октября" in Notification.objects.get(user=sender).body


def test_an_accepted_act_is_final(meter, clerk):
    act = submit(meter)
    interval_act_accept(act=act, by=clerk, seen_state=State.WAITING)

    assert refusal_after(meter) == [
        "Первичный акт за октябрь 2026 уже принят: изменить почасовой расход можно через куратора договора."
    ]


def refusal_after(meter):
    with pytest.raises(FileInvalid) as refused:
        submit(meter)
    return [str(issue) for issue in refused.value.issues]


def test_two_clerks_at_once_the_second_loses(meter, clerk):
    act = submit(meter)
    interval_act_accept(act=act, by=clerk, seen_state=State.WAITING)

    with pytest.raises(ActRefused, match="Акт уже рассмотрел другой сотрудник"):
        interval_act_reject(act=act, by=clerk, seen_state=State.WAITING, comment="Поздно")


def test_a_clerk_without_the_right_cannot_decide(meter):
    act = submit(meter)

    with pytest.raises(PermissionDenied):
        interval_act_accept(act=act, by=UserFactory(is_staff=True), seen_state=State.WAITING)


# --- manage.py import_readings -------------------------------------------------------------------------------


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 10, 12, 0), tick=False)


def test_the_command_loads_an_interval_file(meter, frozen, tmp_path, capsys):
    path = tmp_path / "interval.xlsx"
    path.write_bytes(xlsx(interval_rows(OCTOBER)))

    call_command("import_readings", "--kind", "interval", "--meter", meter.serial, str(path))

    act = IntervalAct.objects.get()
    assert (act.state, act.source) == (State.WAITING, "import")
    assert "Первичный акт" in capsys.readouterr().out


def test_the_command_fails_with_the_report_and_stores_nothing(meter, frozen, tmp_path, capsys):
    rows = interval_rows(OCTOBER)
    rows[5][4] = "x"
    path = tmp_path / "interval.xlsx"
    path.write_bytes(xlsx(rows))

    with pytest.raises(CommandError, match="Ошибок: 1. Ничего не сохранено."):
        call_command("import_readings", "--kind", "interval", "--meter", meter.serial, str(path))

    assert "E6: «x» — не число." in capsys.readouterr().err
    assert not IntervalAct.objects.exists()


def test_the_command_loads_an_integral_file(meter, frozen, tmp_path):
    ReadingFactory(meter=meter, value=Decimal(100), taken_on=datetime.date(2026, 9, 30))
    path = tmp_path / "integral.xlsx"
    path.write_bytes(xlsx([list(COLUMNS), ["", "", "", meter.serial, "", "А+", "Круглосуточная", 100, "101,5"]]))

    call_command("import_readings", "--kind", "integral", str(path))

    assert Reading.objects.get(meter=meter, taken_on=datetime.date(2026, 10, 31)).source == "import"


def test_the_command_integral_with_an_unknown_meter(meter, frozen, tmp_path, capsys):
    path = tmp_path / "integral.xlsx"
    path.write_bytes(xlsx([list(COLUMNS), ["", "", "", "404404", "", "А+", "Круглосуточная", 100, 101]]))

    with pytest.raises(CommandError):
        call_command("import_readings", "--kind", "integral", str(path))

    assert "строка 2: Прибор учёта № 404404 не найден." in capsys.readouterr().err


def test_the_command_needs_the_meter_for_an_interval_file(frozen, tmp_path):
    path = tmp_path / "interval.xlsx"
    path.write_bytes(b"x")

    with pytest.raises(CommandError, match="укажите прибор учёта"):
        call_command("import_readings", "--kind", "interval", str(path))


# --- The staff queue in the admin ----------------------------------------------------------------------------


@pytest.fixture
def admin_clerk(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_the_clerk_accepts_the_act_in_the_admin(client, meter, admin_clerk):
    ReadingFactory(meter=meter, value=Decimal(100), taken_on=datetime.date(2026, 9, 30))
    ReadingFactory(meter=meter, value=Decimal(120), taken_on=datetime.date(2026, 10, 31))
    act = submit(meter, interval_rows(OCTOBER, value=1))
    client.force_login(admin_clerk)

    queue = client.get(reverse("workflows_interval_acts:index")).content.decode()
    page = client.get(reverse("workflows_interval_acts:inspect", args=[act.pk])).content.decode()
    download = client.get(reverse("workflows_interval_act_download", args=[act.pk]))
    accepted = client.post(
        reverse("workflows_interval_acts:inspect", args=[act.pk]),
        {"accept-seen_state": "waiting", "accept-comment": "", "accept": ""},
    )

    assert meter.serial in queue and "В ожидании" in queue
    assert "Принять" in page and "Отклонить" in page
    # «Дельта»: the integral 20 × 40 × 1,015 = 812 kWh less the interval 744 × 40 × 1,015 = 30 206,4 kWh
    assert "Дельта" in page and "−29\xa0394,4" in page
    assert download["Content-Disposition"].startswith("attachment")
    assert accepted.status_code == 302
    act.refresh_from_db()
    assert act.state == State.ACCEPTED


def test_a_reject_without_a_reason_stays_on_the_page(client, meter, admin_clerk):
    act = submit(meter)
    client.force_login(admin_clerk)

    response = client.post(
        reverse("workflows_interval_acts:inspect", args=[act.pk]),
        {"reject-seen_state": "waiting", "reject-comment": "", "reject": ""},
    )

    assert response.status_code == 200
    act.refresh_from_db()
    assert act.state == State.WAITING


def test_staff_see_the_readings_with_a_reason(client, admin_clerk):
    reading = ReadingFactory(meter=MeterFactory(), reason="Ремонт, работали обогреватели")
    ReadingFactory(meter=MeterFactory(), reason="")
    client.force_login(admin_clerk)

    page = client.get(reverse("workflows_flagged_readings:index")).content.decode()

    assert "Ремонт, работали обогреватели" in page and reading.meter.serial in page
