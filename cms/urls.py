from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from . import views

SANDBOX_ACQUIRER = settings.ACQUIRING_PROVIDER == "sandbox"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("news/read-all/", views.news_read_all, name="news_read_all"),
    path("favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "img/logo.svg", permanent=True)),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("captcha/", include("captcha.urls")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # Acquiring (F-E2): the banks' notifications, and the built-in test bank when it is the acquirer. Included by
    # name: the CMS knows nothing of billing.
    path("acquiring/", include("backoffice.acquiring.urls")),
    *([path("sandbox-acquirer/", include("backoffice.acquiring.sandbox.urls"))] if SANDBOX_ACQUIRER else []),
    path("", include("selfservice.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail serves the CMS pages (news, services, manuals) for every other path; keep it last.
urlpatterns.append(path("", include(wagtail_urls)))
