"""Billing periods are months, named by their first day."""

import calendar
import datetime

MONTHS_NOMINATIVE = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(period: datetime.date) -> datetime.date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def add_months(period: datetime.date, months: int) -> datetime.date:
    index = period.year * 12 + period.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def day_of_month(period: datetime.date, day: int) -> datetime.date:
    """The given day of the period's month, clipped to the month's length."""
    return period.replace(day=min(day, calendar.monthrange(period.year, period.month)[1]))


def period_title(period: datetime.date) -> str:
    """«январь 2020», as the manuals write «Квитанция за январь 2020»."""
    return f"{MONTHS_NOMINATIVE[period.month - 1]} {period.year}"
