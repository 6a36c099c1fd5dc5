"""Wagtail pages and site-wide settings edited by the company's editors (one module per content area)."""

from .catalog import DISCLAIMER, ServiceCatalogPage, ServicePage
from .manual import ManualPage
from .news import NEWS_NEW_FOR_DAYS, NewsIndexPage, NewsPage, NewsRead
from .pages import AGREEMENT_SLUG, CONTACTS_SLUG, PAYMENT_TERMS_SLUG, CompanySettings, HomePage, StandardPage

__all__ = [
    "AGREEMENT_SLUG",
    "CONTACTS_SLUG",
    "DISCLAIMER",
    "NEWS_NEW_FOR_DAYS",
    "PAYMENT_TERMS_SLUG",
    "CompanySettings",
    "HomePage",
    "ManualPage",
    "NewsIndexPage",
    "NewsPage",
    "NewsRead",
    "ServiceCatalogPage",
    "ServicePage",
    "StandardPage",
]
