"""The portal menu of seed 001 §3, declared once.

Each item names a URL; an item whose screen has not been built yet is shown
without a link, so a new screen appears in the menu as soon as its URL exists.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    counter: str = ""  # a function (*, user) -> int by dotted path: the number beside the item


@dataclass(frozen=True)
class MenuLink:
    label: str
    url: str | None
    is_current: bool
    count: int = 0


MAIN_MENU = (
    MenuItem(_("Оплата"), "selfservice:payments"),
    MenuItem(_("Показания"), "selfservice:readings"),
    MenuItem(_("Услуги"), "selfservice:services"),
    MenuItem(_("История"), "selfservice:history"),
)

MORE_MENU = (
    # «Обращения» counts the appeals with a message the user has not read (seed 001 §8.1).
    MenuItem(_("Обращения"), "selfservice:appeals", "workflows.services.appeals_selectors.appeals_unread_count"),
    MenuItem(_("Карты"), "selfservice:cards"),
    MenuItem(_("Помощь"), "selfservice:help"),
    MenuItem(_("Новости"), "selfservice:news"),
    MenuItem(_("Инструкция пользователя"), "selfservice:manual"),
    MenuItem(_("Пользовательское соглашение"), "selfservice:agreement"),
)

# «История» (seed 001 §7): the tabs of its pages.
HISTORY_MENU = (
    MenuItem(_("Документы"), "selfservice:history"),
    MenuItem(_("Платежи"), "selfservice:history_payments"),
    MenuItem(_("Показания"), "selfservice:history_readings"),
    MenuItem(_("Заказы"), "selfservice:orders"),
)


def _resolve(item: MenuItem, path: str, user=None) -> MenuLink:
    try:
        url = reverse(item.url_name)
    except NoReverseMatch:
        return MenuLink(item.label, None, False)
    counted = item.counter and user is not None and user.is_authenticated
    return MenuLink(item.label, url, path.startswith(url), import_string(item.counter)(user=user) if counted else 0)


def menu_links(path: str, items=MAIN_MENU, user=None) -> list[MenuLink]:
    return [_resolve(item, path, user) for item in items]
