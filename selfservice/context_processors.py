from django.utils.functional import SimpleLazyObject

from .navigation import MAIN_MENU, MORE_MENU, menu_links


def portal(request):
    """The menu every portal page shows, resolved only when a template uses it (with the counters beside items)."""
    more_menu = SimpleLazyObject(lambda: menu_links(request.path, MORE_MENU, getattr(request, "user", None)))
    return {
        "main_menu": SimpleLazyObject(lambda: menu_links(request.path, MAIN_MENU)),
        "more_menu": more_menu,
        "more_menu_count": SimpleLazyObject(lambda: sum(link.count for link in more_menu)),
    }
