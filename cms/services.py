"""Writes of the CMS outside the editors' admin: the readers' news read state (F-H1)."""

from django.db import transaction

from .models import NewsRead
from .selectors import news_unread_for


def news_mark_read(*, user, page) -> None:
    """The user has read `page` (one INSERT that a second reading leaves as it is)."""
    NewsRead.objects.bulk_create([NewsRead(user=user, page=page)], ignore_conflicts=True)


@transaction.atomic
def news_mark_all_read(*, user) -> int:
    """«Отметить все как прочитанные»: every fresh news item the user has not opened; returns how many."""
    pages = list(news_unread_for(user=user).values_list("pk", flat=True))
    NewsRead.objects.bulk_create([NewsRead(user=user, page_id=pk) for pk in pages], ignore_conflicts=True)
    return len(pages)
