"""The submission window (F-C1): when a customer group may send the readings of a period.

A period is a month, named by its first day (services/periods.py). Its window opens on the group's
`window_start_day` of that month and closes on its `window_end_day` of the same month — or of the next one
when `window_ends_next_month` (legal entities: «с 1 октября 2022 года по 21 ноября 2022 года», seed 001
fig. 13). A day the month does not have is its last day: «по 31-е» closes on 28 February, or 29 in a leap year.

Both ends are included. On a day that two windows cover (a legal entity on 10 November: October's window
is still open and November's has opened) the earlier period is the one being sent: the month that has
ended is the one whose readings are due.

«До окончания периода передачи: N дней» counts the days from today to the closing day, which is still open:
on the day before it «1 день», and on the closing day itself «Сегодня последний день передачи показаний». The
reminders of F-C5 count the same way («за 2 дня до окончания» is the day the page says «2 дня»). Outside the
window the page says in how many days the next one opens: on the day before it opens, «1 день».
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..formatting import plural_ru
from ..services.periods import add_months, day_of_month, month_end, month_start

MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
MONTHS_PREPOSITIONAL = (
    "январе", "феврале", "марте", "апреле", "мае", "июне",
    "июле", "августе", "сентябре", "октябре", "ноябре", "декабре",
)  # fmt: skip


def long_date(day: datetime.date) -> str:
    """«1 октября 2022 года»."""
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]} {day.year} года"


def days_text(count: int) -> str:
    return f"{count} {plural_ru(count, 'день', 'дня', 'дней')}"


@dataclass(frozen=True)
class Window:
    period: datetime.date
    opens_on: datetime.date
    closes_on: datetime.date

    def contains(self, day: datetime.date) -> bool:
        return self.opens_on <= day <= self.closes_on

    @property
    def period_end(self) -> datetime.date:
        return month_end(self.period)

    def reading_date(self, today: datetime.date) -> datetime.date:
        """The date a reading sent today is for: today, or the period's last day once the period has ended
        (a legal entity's reading for October sent on 10 November is the reading at the end of October)."""
        return min(today, self.period_end)

    @property
    def title(self) -> str:
        """«Передача показаний за октябрь 2022 года доступна с 1 октября 2022 года по 21 ноября 2022 года»."""
        from ..services.periods import MONTHS_NOMINATIVE

        return _("Передача показаний за %(period)s доступна с %(opens)s по %(closes)s") % {
            "period": f"{MONTHS_NOMINATIVE[self.period.month - 1]} {self.period.year} года",
            "opens": long_date(self.opens_on),
            "closes": long_date(self.closes_on),
        }


def window_of(*, group, period: datetime.date) -> Window:
    """The window in which `group` sends the readings of `period`."""
    period = month_start(period)
    opens_on = day_of_month(period, group.window_start_day)
    end_month = add_months(period, 1) if group.window_ends_next_month else period
    closes_on = day_of_month(end_month, group.window_end_day)
    if closes_on < opens_on:  # «с 20-го по 5-е» written without the next-month switch: it still means the 5th after
        closes_on = day_of_month(add_months(period, 1), group.window_end_day)
    return Window(period=period, opens_on=opens_on, closes_on=closes_on)


@dataclass(frozen=True)
class WindowState:
    """Where `today` stands: the window open today (None outside any) and the next one to open."""

    today: datetime.date
    current: Window | None
    upcoming: Window

    @property
    def is_open(self) -> bool:
        return self.current is not None

    @property
    def days_left(self) -> int | None:
        return (self.current.closes_on - self.today).days if self.current else None

    @property
    def days_until_open(self) -> int:
        return (self.upcoming.opens_on - self.today).days

    @property
    def message(self) -> str:
        """«До окончания периода передачи: 5 дней» or «Передача показаний откроется через 3 дня: с 15.11.2026»."""
        if self.current:
            if self.days_left == 0:
                return _("Сегодня последний день передачи показаний")
            return _("До окончания периода передачи: %(days)s") % {"days": days_text(self.days_left)}
        return _("Сейчас показания передать нельзя. Передача откроется через %(days)s: с %(date)s") % {
            "days": days_text(self.days_until_open),
            "date": self.upcoming.opens_on.strftime("%d.%m.%Y"),
        }


def window_state(*, group, today: datetime.date) -> WindowState:
    """The window `group` is in on `today`, or the one it waits for."""
    this_month = month_start(today)
    windows = [window_of(group=group, period=add_months(this_month, offset)) for offset in (-1, 0, 1)]
    current = next((window for window in windows if window.contains(today)), None)
    upcoming = next(window for window in windows if window.opens_on > today)
    return WindowState(today=today, current=current, upcoming=upcoming)
