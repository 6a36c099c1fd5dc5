import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template

from backoffice.formatting import format_money, plural_ru

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("1234.56"), f"1{NBSP}234,56{NBSP}₽"),
        (Decimal("2150.9"), f"2{NBSP}150,90{NBSP}₽"),
        (0, f"0,00{NBSP}₽"),
        (Decimal("-1234567.005"), f"−1{NBSP}234{NBSP}567,01{NBSP}₽"),
        ("999.995", f"1{NBSP}000,00{NBSP}₽"),
    ],
)
def test_money_is_shown_the_russian_way(amount, shown):
    assert format_money(amount) == shown


@pytest.mark.parametrize(
    ("count", "word"),
    [
        (1, "запись"),
        (2, "записи"),
        (4, "записи"),
        (5, "записей"),
        (11, "записей"),
        (14, "записей"),
        (21, "запись"),
        (22, "записи"),
        (111, "записей"),
    ],
)
def test_plural_forms(count, word):
    assert plural_ru(count, "запись", "записи", "записей") == word


def test_templates_show_money_dates_and_counts():
    html = Template('{% load formatting %}{{ a|money }}|{{ d }}|{{ n }} {{ n|plural:"запись,записи,записей" }}').render(
        Context({"a": Decimal("1234.56"), "d": datetime.date(2020, 1, 5), "n": 14})
    )
    assert html == f"1{NBSP}234,56{NBSP}₽|05.01.2020|14 записей"
