"""«Новости» in the menu (F-H1): the CMS's news list, with «Новое!» on what the user has not read.

The list and the news pages are Wagtail pages (cms/models/news.py); this address only gives the list a place in
the portal's menu and is where a user with unread news lands after signing in (selfservice/signin_landing.py).
"""

from django.http import Http404
from django.urls import path
from django.views.decorators.cache import never_cache

from cms.selectors import news_index


@never_cache
def news(request):
    page = news_index()
    if page is None:
        raise Http404("Раздел новостей не опубликован")
    return page.serve(request)


urls = [path("news/", news, name="news")]
