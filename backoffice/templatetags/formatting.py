from django import template

from backoffice.formatting import format_money, plural_ru

register = template.Library()


@register.filter
def money(amount):
    """{{ amount|money }} → «1 234,56 ₽»."""
    return format_money(amount)


@register.filter
def plural(count, forms: str):
    """{{ n }} {{ n|plural:"запись,записи,записей" }} → «14 записей»."""
    one, few, many = forms.split(",")
    return plural_ru(count, one, few, many)
