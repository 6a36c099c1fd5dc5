"""«Загрузка и выгрузка» (F-D8): the screens of `backoffice.exchange`, in the Wagtail admin under «Расчёты».

Every screen checks the model permissions of the resource it loads or exports; the menu item is shown to staff
who may add or see import jobs.
"""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .catalog import BILLING_MENU_HOOK


class ExchangeMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("backoffice.add_importjob") or request.user.has_perm("backoffice.view_importjob")


@hooks.register("register_admin_urls")
def register_exchange_urls():
    return [path("exchange/", include("backoffice.exchange.urls"))]


@hooks.register(BILLING_MENU_HOOK)
def register_exchange_menu_item():
    return ExchangeMenuItem(
        _("Загрузка и выгрузка"),
        reverse("exchange:index"),
        name="backoffice-exchange",
        icon_name="upload",
        order=55,  # just before «Загрузки данных» (60), the journal of what was loaded
    )
