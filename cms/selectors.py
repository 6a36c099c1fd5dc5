"""Reads of the CMS that the portal needs: the live pages it shows inside the cabinet, and the news read state."""

from django.db.models import Exists, OuterRef, QuerySet

from .models import (
    AGREEMENT_SLUG,
    CONTACTS_SLUG,
    PAYMENT_TERMS_SLUG,
    ManualPage,
    NewsIndexPage,
    NewsPage,
    NewsRead,
    ServiceCatalogPage,
    ServicePage,
    StandardPage,
)
from .models.news import fresh_since


def news_index() -> NewsIndexPage | None:
    return NewsIndexPage.objects.live().first()


def news_unread_for(*, user) -> QuerySet[NewsPage]:
    """Fresh live news the user has not opened: what makes «Новое!» and the landing on «Новости» after sign-in."""
    return (
        NewsPage.objects.live()
        .filter(date__gte=fresh_since())
        .exclude(Exists(NewsRead.objects.filter(user=user, page=OuterRef("pk"))))
    )


def news_has_unread(*, user) -> bool:
    return user.is_authenticated and news_unread_for(user=user).exists()


def service_catalog() -> ServiceCatalogPage | None:
    return ServiceCatalogPage.objects.live().first()


def service_live_get(*, slug: str) -> ServicePage | None:
    """A published service of the catalog by its slug (the portal's address of the card)."""
    catalog = service_catalog()
    if catalog is None:
        return None
    return ServicePage.objects.live().child_of(catalog).select_related("image", "price_list").filter(slug=slug).first()


def manual_page() -> ManualPage | None:
    return ManualPage.objects.live().order_by("path").first()


def standard_page(*, slug: str) -> StandardPage | None:
    return StandardPage.objects.live().filter(slug=slug).first()


def help_pages() -> dict[str, object]:
    """The pages «Помощь» links to, whichever of them editors have published (two queries)."""
    slugs = {AGREEMENT_SLUG: "agreement", PAYMENT_TERMS_SLUG: "payment_terms", CONTACTS_SLUG: "contacts"}
    found = {}
    for page in StandardPage.objects.live().filter(slug__in=slugs).order_by("path"):
        found.setdefault(slugs[page.slug], page)
    return {"manual": manual_page(), **{name: found.get(name) for name in slugs.values()}}
