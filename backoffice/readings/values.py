"""One register value as a customer types it or a file holds it, and as the portal shows it.

Typed text may use «,» or «.» for the fraction and spaces between thousands («012 441,00»). A value must fit
the meter's capacity («значность» 6,2: six digits before the separator, two after). A number cell of a
workbook arrives as a float: it is turned into a Decimal by its shortest repr, so 0.1 stays 0.1 and never
becomes 0.1000000000000000055511.
"""

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from ..formatting import NBSP

SPACES = re.compile(r"[\s\u00a0\u202f']+")
NUMBER = re.compile(r"^[+-]?\d*([.,]\d*)?$")


class ReadingValueError(ValueError):
    """A value that cannot be a reading; the message is shown next to the field or the cell."""


def required_message() -> str:
    return _("Заполните поле")


def capacity_message(meter) -> str:
    return _("Не больше %(integer)s цифр до запятой и %(fraction)s после: значность прибора учёта %(capacity)s.") % {
        "integer": meter.digits_integer,
        "fraction": meter.digits_fraction,
        "capacity": meter.capacity_text,
    }


def to_decimal(raw) -> Decimal | None:
    """A cell or a typed text as a Decimal; None when blank. Raises ReadingValueError for anything not a number."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ReadingValueError(_("Введите число: цифры и разделитель «,» или «.»."))
    if isinstance(raw, Decimal):
        return raw
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise ReadingValueError(_("Введите число: цифры и разделитель «,» или «.»."))
        return Decimal(repr(raw))
    text = SPACES.sub("", str(raw)).replace("−", "-")
    if not text:
        return None
    if not NUMBER.match(text) or not any(character.isdigit() for character in text):
        raise ReadingValueError(_("Введите число: цифры и разделитель «,» или «.»."))
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ReadingValueError(_("Введите число: цифры и разделитель «,» или «.».")) from None


def parse_value(raw, meter) -> Decimal:
    """A register value within `meter`'s capacity; ReadingValueError with the manuals' message otherwise."""
    value = to_decimal(raw)
    if value is None:
        raise ReadingValueError(required_message())
    check_capacity(value, meter)
    return value


def check_capacity(value: Decimal, meter) -> Decimal:
    if value < 0:
        raise ReadingValueError(_("Показание не может быть отрицательным."))
    exponent = value.normalize().as_tuple().exponent if value else 0
    fraction_digits = max(-exponent, 0)
    if fraction_digits > meter.digits_fraction or value > meter.max_value:
        raise ReadingValueError(capacity_message(meter))
    return value


def group_thousands(whole: str) -> str:
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return NBSP.join(groups) or "0"


def register_text(value: Decimal | None, meter) -> str:
    """The value as the meter's dial shows it: every digit of its capacity, «012 441,00» for 6,2."""
    if value is None:
        return ""
    text = f"{abs(value):.{meter.digits_fraction}f}"
    whole, _dot, fraction = text.partition(".")
    whole = whole.zfill(meter.digits_integer)
    return group_thousands(whole) + (f",{fraction}" if fraction else "")


def quantity_text(value: Decimal | None) -> str:
    """A consumption in kWh: «12 600», «137 130,48», «−124 530,48»; no trailing zeros."""
    if value is None:
        return ""
    sign = "−" if value < 0 else ""
    text = f"{abs(value):f}"
    whole, _dot, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    return sign + group_thousands(whole.lstrip("0") or "0") + (f",{fraction}" if fraction else "")


def input_text(value: Decimal | None, meter) -> str:
    """The value as the input shows it back: «12442,00»."""
    if value is None:
        return ""
    return f"{value:.{meter.digits_fraction}f}".replace(".", ",")
