"""The site's URLs plus the trivial view every benchmark is compared with."""

from django.http import HttpResponse
from django.urls import path

from cms.urls import urlpatterns as site_urlpatterns


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("__bench__/trivial", trivial), *site_urlpatterns]
