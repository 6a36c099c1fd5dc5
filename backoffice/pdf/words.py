"""Russian wording for printed documents: months, dates, quantities, tariffs and amounts in words."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from num2words import num2words

from backoffice.formatting import NBSP, format_money, plural_ru

MONTHS = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)
DASH = "—"


def month_year(period: datetime.date) -> str:
    """The 1st of January 2020 → «январь 2020», as the manuals name a billing period."""
    return f"{MONTHS[period.month - 1]} {period.year}"


def date_text(value: datetime.date | None) -> str:
    """DD.MM.YYYY, or a dash where a form has an empty field."""
    return value.strftime("%d.%m.%Y") if value else DASH


def money(amount) -> str:
    """«1 234,56 ₽» with non-breaking spaces (the shared portal format)."""
    return format_money(amount)


def money_plain(amount) -> str:
    """«1 234,56» for table cells whose header already says «руб.»."""
    return format_money(amount, currency="")


def decimal_text(value: Decimal, *, min_places: int, max_places: int) -> str:
    """A number with grouped thousands and a decimal comma, trailing zeros cut down to `min_places`."""
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-max_places), rounding=ROUND_HALF_UP)
    sign = "−" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    fraction = fraction.rstrip("0").ljust(min_places, "0")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = sign + NBSP.join(groups)
    return f"{text},{fraction}" if fraction else text


def quantity_text(value: Decimal) -> str:
    """kWh as billed: «201», «1 234,5», at most three decimals."""
    return decimal_text(value, min_places=0, max_places=3)


def rate_text(value: Decimal) -> str:
    """A tariff: at least kopecks, at most five decimals («3,20», «4,76123»)."""
    return decimal_text(value, min_places=2, max_places=5)


def amount_in_words(amount) -> str:
    """147137.89 → «Сто сорок семь тысяч сто тридцать семь рублей 89 копеек» (kopecks stay in digits)."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    rubles, kopecks = divmod(int(abs(value) * 100), 100)
    text = (
        f"{num2words(rubles, lang='ru')} {plural_ru(rubles, 'рубль', 'рубля', 'рублей')} "
        f"{kopecks:02d} {plural_ru(kopecks, 'копейка', 'копейки', 'копеек')}"
    )
    if value < 0:
        text = f"минус {text}"
    return text[0].upper() + text[1:]
