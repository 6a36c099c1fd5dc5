"""Russian presentation of money and counts, used by templates, e-mails and PDFs alike."""

from decimal import ROUND_HALF_UP, Decimal

NBSP = "\xa0"


def format_money(amount, *, currency: str = "₽") -> str:
    """1234.5 → «1 234,50 ₽», with non-breaking spaces; negative amounts keep a real minus sign."""
    if amount is None or amount == "":
        return ""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "−" if value < 0 else ""
    whole, fraction = f"{abs(value):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = f"{sign}{NBSP.join(groups)},{fraction}"
    return f"{text}{NBSP}{currency}" if currency else text


def plural_ru(count: int, one: str, few: str, many: str) -> str:
    """Pick the Russian plural form: 1 запись, 2 записи, 5 записей, 21 запись, 11 записей."""
    count = abs(int(count))
    if count % 10 == 1 and count % 100 != 11:
        return one
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return few
    return many
