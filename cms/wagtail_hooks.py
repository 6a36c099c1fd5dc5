"""«Контент» in the Wagtail admin: what editors work on besides the pages (FAQ, mailings).

Other apps add their items through CONTENT_MENU_HOOK; the group shows only the items the signed-in person may open,
and disappears for staff who may open none of them. Pages themselves stay in Wagtail's own «Страницы».
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

CONTENT_MENU_HOOK = "register_content_menu_item"


class ContentMenu(ViewSetGroup):
    menu_label = _("Контент")
    menu_name = "content"
    menu_icon = "doc-full-inverse"
    menu_order = 190
    submenu_hook = CONTENT_MENU_HOOK
    items = ()


@hooks.register("register_admin_viewset")
def register_content_menu():
    return ContentMenu()
