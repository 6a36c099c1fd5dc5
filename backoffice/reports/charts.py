"""The reports' bar charts, drawn on the server as SVG like the portal's (selfservice/charts.py; what both need
is in backoffice/charts.py): no chart library, no JavaScript, every bar with a <title> tooltip, and the same figures
in the table under the chart. templates/backoffice/admin/reports/chart.html draws the geometry computed here.

`column_chart` stands bars side by side (days, periods, age buckets), `bar_chart` lays them along (topics, whose
names are long). Both stack the series of one label (payment channels, portal and other sources).
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from ..charts import bar_length, bar_scale

WIDTH = 900
TOP = 22
HEIGHT = 160
LABELS = 24
LEFT = 24  # room for the first label, centred under its bar
ROW = 26
NAME_WIDTH = 260
BAR_AREA = 520


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str
    series: int


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


def column_chart(*, labels: list[str], titles: list[str], series: list[str], values: list[list], text, scale_text):
    """Vertical bars: `values[i][s]` is series s at label i; `text(value)` prints a figure for the tooltip."""
    count = len(labels)
    slot = min(80, max(6, WIDTH // max(count, 1)))  # the chart keeps its width: few wide bars or many thin ones
    bar = min(max(round(slot * 0.65, 1), 3), 48)
    every = max(1, math.ceil(count / 24))  # no more than 24 labels under the axis
    totals = [sum((Decimal(v or 0) for v in stack), Decimal(0)) for stack in values]
    scale = bar_scale(totals)
    axis = TOP + HEIGHT
    bars, texts = [], []
    for index, stack in enumerate(values):
        x = LEFT + index * slot + (slot - bar) / 2
        y = axis
        for number, value in enumerate(stack):
            length = bar_length(value, scale, HEIGHT)
            if length:
                y -= length
                title = f"{titles[index]}: {series[number]} — {text(value)}" if len(series) > 1 else None
                bars.append(Bar(x, y, bar, length, title or f"{titles[index]}: {text(value)}", number))
        if index % every == 0:
            texts.append(Label(LEFT + index * slot + slot / 2, axis + 16, labels[index]))
    return {
        "kind": "column",
        "width": LEFT * 2 + slot * count,
        "height": axis + LABELS,
        "axis": axis,
        "bars": bars,
        "labels": texts,
        "series": list(enumerate(series)),
        "scale_label": scale_text(scale),
        "has_data": any(totals),
    }


def bar_chart(*, labels: list[str], series: list[str], values: list[list], text, scale_text):
    """Horizontal bars, one row per label (its name at the left)."""
    totals = [sum((Decimal(v or 0) for v in stack), Decimal(0)) for stack in values]
    scale = bar_scale(totals)
    bars, texts = [], []
    for index, stack in enumerate(values):
        y = TOP + index * ROW
        x = NAME_WIDTH
        for number, value in enumerate(stack):
            length = bar_length(value, scale, BAR_AREA)
            if length:
                bars.append(
                    Bar(x, y + 4, length, ROW - 8, f"{labels[index]}: {series[number]} — {text(value)}", number)
                )
                x += length
        name = labels[index] if len(labels[index]) <= 40 else labels[index][:39] + "…"
        texts.append(Label(NAME_WIDTH - 8, y + ROW / 2 + 4, name))
    return {
        "kind": "bar",
        "width": NAME_WIDTH + BAR_AREA + 60,
        "height": TOP + ROW * len(labels) + 8,
        "axis": NAME_WIDTH,
        "bars": bars,
        "labels": texts,
        "series": list(enumerate(series)),
        "scale_label": scale_text(scale),
        "has_data": any(totals),
    }
