"""Invented content at scale for `make bench` (tests/bench/bench_content.py): many published news items.

Pages are added the way Wagtail's treebeard wants (one at a time, under the news index), so this is slow-ish once
(about a minute for 1 000 items) and then only tops up to the size asked.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from .models import HomePage, NewsIndexPage, NewsPage

SCALE_PREFIX = "Новость нагрузочного теста"


@transaction.atomic
def news_scale_create(*, count: int = 1000) -> int:
    """Make sure the news index holds at least `count` published news; return how many were added."""
    index = NewsIndexPage.objects.first()
    if index is None:
        index = NewsIndexPage(title="Новости", slug="news")
        HomePage.objects.get().add_child(instance=index)
        index.save_revision().publish()
    have = NewsPage.objects.live().child_of(index).count()
    today = timezone.localdate()
    added = 0
    for number in range(have, count):
        page = NewsPage(
            title=f"{SCALE_PREFIX} № {number + 1}",
            slug=f"scale-news-{number + 1}",
            date=today - datetime.timedelta(days=number % 400),
            summary="Плановые работы, изменения графика, новые услуги: обычная новость компании.",
            body="<p>Текст новости для проверки производительности списка новостей.</p>",
            live=True,
            first_published_at=timezone.now(),
        )
        index.add_child(instance=page)
        added += 1
    return added
