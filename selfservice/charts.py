"""Bar charts by month, drawn on the server as SVG (UI.md: «chart (bars by month) with a table fallback»).

No chart library and no JavaScript: the geometry is computed here and templates/selfservice/includes/chart_*.html
draw it; every bar carries a <title> (the tooltip on hover, seed 001 §4.6 «наведите курсор мыши»), and the same
figures are printed as a table under the chart for screen readers and for anyone who prefers numbers.
"""

from dataclasses import dataclass
from decimal import Decimal

from backoffice.charts import MONTHS_SHORT, bar_length, bar_scale
from backoffice.formatting import NBSP, format_money

MONTHS = (
    "Январь", "Февраль", "Март", "Апрель", "Май", "Июнь",
    "Июль", "Август", "Сентябрь", "Октябрь", "Ноябрь", "Декабрь",
)  # fmt: skip
SLOT = 32  # px per month in the viewBox: twelve months fit a 390 px phone without scrolling
BAR = 20
LEFT = 4
TOP = 22
HALF = 96  # the height of each half of the invoices/payments chart
HEIGHT = 150  # the height of the consumption chart's bars
LABELS = 24


def month_title(month) -> str:
    return f"{MONTHS[month.month - 1]} {month.year}"


def kwh(value) -> str:
    """«1 234 кВт·ч», «201,5 кВт·ч»."""
    value = Decimal(value)
    places = 0 if value == value.to_integral_value() else 1
    text = f"{value:,.{places}f}".replace(",", NBSP).replace(".", ",")
    return f"{text}{NBSP}кВт·ч"


def compact_money(value: Decimal) -> str:
    """The scale's label: «1,2 млн ₽», «85 тыс. ₽», «640 ₽»."""
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}".replace(".", ",") + f"{NBSP}млн{NBSP}₽"
    if value >= 1_000:
        return f"{value / 1_000:.0f}{NBSP}тыс.{NBSP}₽"
    return f"{value:.0f}{NBSP}₽"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    height: float
    title: str
    css: str


@dataclass(frozen=True)
class Label:
    x: float
    text: str


def invoices_payments_chart(months) -> dict:
    """«График счетов и оплат»: invoiced above the axis, paid below it, one pair per month."""
    scale = bar_scale([m.charged for m in months] + [m.paid for m in months])
    axis = TOP + HALF
    bars, labels = [], []
    for index, month in enumerate(months):
        x = LEFT + index * SLOT + (SLOT - BAR) / 2
        up = bar_length(month.charged, scale, HALF)
        down = bar_length(month.paid, scale, HALF)
        name = month_title(month.month)
        bars.append(Bar(x, axis - up, up, f"{name}: выставлено {format_money(month.charged)}", "chart__bar--charged"))
        bars.append(Bar(x, axis, down, f"{name}: оплачено {format_money(month.paid)}", "chart__bar--paid"))
        labels.append(Label(LEFT + index * SLOT + SLOT / 2, MONTHS_SHORT[month.month.month - 1]))
    return {
        "width": LEFT * 2 + SLOT * len(months),
        "height": TOP + HALF * 2 + LABELS,
        "axis": axis,
        "bar_width": BAR,
        "bars": bars,
        "labels": labels,
        "labels_y": TOP + HALF * 2 + 16,
        "scale_label": compact_money(scale),
        "bottom_y": TOP + HALF * 2,
        "months": months,
        "has_data": any(m.charged or m.paid for m in months),
    }


def consumption_chart(totals: dict) -> dict:
    """«Статистика»: kWh per month, with the highest and the lowest month and the year's total."""
    months = list(totals)
    values = list(totals.values())
    billed = [value for value in values if value > 0]
    highest = max(billed, default=None)
    lowest = min(billed, default=None)
    scale = bar_scale(values)
    bars, labels = [], []
    for index, (month, value) in enumerate(totals.items()):
        height = bar_length(value, scale, HEIGHT)
        css = "chart__bar--consumption"
        if value and value == highest:
            css += " chart__bar--highest"
        elif value and value == lowest:
            css += " chart__bar--lowest"
        x = LEFT + index * SLOT + (SLOT - BAR) / 2
        bars.append(Bar(x, TOP + HEIGHT - height, height, f"{month_title(month)}: {kwh(value)}", css))
        labels.append(Label(LEFT + index * SLOT + SLOT / 2, MONTHS_SHORT[month.month - 1]))
    return {
        "width": LEFT * 2 + SLOT * len(months),
        "height": TOP + HEIGHT + LABELS,
        "axis": TOP + HEIGHT,
        "bar_width": BAR,
        "bars": bars,
        "labels": labels,
        "labels_y": TOP + HEIGHT + 16,
        "scale_label": kwh(scale) if billed else "",
        "rows": [(month_title(month), value) for month, value in totals.items()],
        "highest": _pick(totals, highest),
        "lowest": _pick(totals, lowest),
        "total": sum(values, Decimal(0)),
        "has_data": bool(billed),
    }


def _pick(totals: dict, value):
    if value is None:
        return None
    month = next(month for month, amount in totals.items() if amount == value)
    return {"month": month_title(month), "value": value}
