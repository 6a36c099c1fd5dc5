"""What the server-drawn SVG bar charts of the portal (selfservice/charts.py) and of the reports
(backoffice/reports/charts.py) share: the scale and the length of a bar, the months' short names."""

from decimal import Decimal

MONTHS_SHORT = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")


def bar_scale(values) -> Decimal:
    """The largest positive figure (1 when there is none): a bar of that figure is full length."""
    top = max((Decimal(value) for value in values if value and value > 0), default=Decimal(0))
    return top or Decimal(1)


def bar_length(value, scale: Decimal, full: float) -> float:
    if not value or value <= 0:
        return 0.0
    return max(round(float(Decimal(value) / scale) * full, 1), 1.5)  # a tiny figure still shows as a sliver
