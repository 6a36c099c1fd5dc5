"""Content (issue 9): the news list with 1 000 items and the FAQ search with 2 000 questions, against the trivial view;
and a mailing to every portal user: the editor's click, the dispatch and one batch, without a broker.

Targets: «Новости» and «Вопрос - Ответ» search at most 50 ms median server time with a fixed number of queries; the
mailing's «Отправить» answers at once whatever the audience, the work goes in batches of BATCH_SIZE.
"""

import statistics
import time

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client

from cms.scale import news_scale_create
from faq.scale import faq_scale_create
from selfservice.management.commands.seed_scale import BENCH_EMAIL
from tests.bench.harness import TRIVIAL_URL, query_count, server_times
from workflows.models import Mailing
from workflows.services import mailings

NEWS_URL = "/news/"
NEWS_DEEP_URL = "/news/?page=50"
FAQ_URL = "/help/"
FAQ_SEARCH_URLS = ["/help/?q=передать+показания", "/help/?q=оплата+счёт", "/help/?q=поверка+прибора+учёта"]


def _median(values) -> float:
    return round(statistics.median(values), 3)


def _mailing_figures() -> dict:
    """Inside a transaction rolled back at the end: nothing stays in the bench database."""
    editor = get_user_model().objects.get(email=BENCH_EMAIL)
    with transaction.atomic():
        mailing = Mailing.objects.create(title="Плановые работы", body="Ночью кабинет недоступен.", created_by=editor)
        started = time.perf_counter()
        mailings.mailing_schedule(mailing=mailing, by=editor)  # the editor's «Отправить»: the broker gets the rest
        schedule_ms = (time.perf_counter() - started) * 1000
        batches = []
        original, mailings._enqueue_batch = mailings._enqueue_batch, lambda mailing_id, ids: batches.append(ids)
        try:
            started = time.perf_counter()
            mailings.mailing_dispatch(mailing_id=mailing.pk)
            dispatch_ms = (time.perf_counter() - started) * 1000
        finally:
            mailings._enqueue_batch = original
        total = Mailing.objects.get(pk=mailing.pk).recipients_total
        ids = list(
            mailings.mailing_recipients(mailing=mailing)
            .order_by("pk")
            .values_list("pk", flat=True)[: mailings.BATCH_SIZE]
        )
        started = time.perf_counter()
        mailings.mailing_send_batch(mailing_id=mailing.pk, user_ids=ids)
        batch_ms = (time.perf_counter() - started) * 1000
        transaction.set_rollback(True)
    per_user_ms = batch_ms / max(len(ids), 1)
    return {
        "mailing.recipients": {"value": total, "unit": "users"},
        "mailing.schedule_ms": {"value": round(schedule_ms, 2), "unit": "ms"},
        "mailing.dispatch_ms": {"value": round(dispatch_ms, 1), "unit": "ms"},
        "mailing.batch_size": {"value": mailings.BATCH_SIZE, "unit": "users"},
        "mailing.batch_ms": {"value": round(batch_ms, 1), "unit": "ms"},
        "mailing.worker_seconds_per_100k": {"value": round(per_user_ms * 100_000 / 1000, 1), "unit": "s"},
    }


def run() -> dict:
    added_news = news_scale_create(count=1000)
    added_questions = faq_scale_create(questions=2000)
    client = Client()
    client.force_login(get_user_model().objects.get(email=BENCH_EMAIL))
    client.get("/")  # the landing after sign-in happens once
    urls = [TRIVIAL_URL, NEWS_URL, NEWS_DEEP_URL, FAQ_URL, *FAQ_SEARCH_URLS]
    times = server_times(client, urls)
    trivial = statistics.median(times[TRIVIAL_URL])
    search = [value for url in FAQ_SEARCH_URLS for value in times[url]]
    figures = {
        "content.news_added": {"value": added_news, "unit": "pages"},
        "content.questions_added": {"value": added_questions, "unit": "questions"},
        "news_index.median_ms": {"value": _median(times[NEWS_URL]), "unit": "ms"},
        "news_index.page_50.median_ms": {"value": _median(times[NEWS_DEEP_URL]), "unit": "ms"},
        "news_index.ratio_to_trivial": {"value": round(statistics.median(times[NEWS_URL]) / trivial, 2), "unit": "x"},
        "news_index.queries": {"value": query_count(client, NEWS_URL), "unit": "queries"},
        "faq.median_ms": {"value": _median(times[FAQ_URL]), "unit": "ms"},
        "faq_search.median_ms": {"value": _median(search), "unit": "ms"},
        "faq_search.p90_ms": {"value": round(statistics.quantiles(search, n=10)[-1], 3), "unit": "ms"},
        "faq_search.queries": {"value": query_count(client, FAQ_SEARCH_URLS[0]), "unit": "queries"},
    }
    figures.update(_own_cost(client))
    figures.update(_mailing_figures())
    return figures


def _own_cost(client: Client) -> dict:
    """The same pages with the menu's counters switched off: what these pages cost themselves, as the menu's
    «Обращения» counter (every portal page pays it) grows with the appeals table, not with news or questions."""
    from selfservice import context_processors, navigation

    plain = tuple(navigation.MenuItem(item.label, item.url_name) for item in navigation.MORE_MENU)
    original = context_processors.MORE_MENU
    context_processors.MORE_MENU = plain
    try:
        times = server_times(client, [TRIVIAL_URL, NEWS_URL, FAQ_SEARCH_URLS[0]], rounds=100)
    finally:
        context_processors.MORE_MENU = original
    return {
        "news_index.without_menu_counters.median_ms": {"value": _median(times[NEWS_URL]), "unit": "ms"},
        "faq_search.without_menu_counters.median_ms": {"value": _median(times[FAQ_SEARCH_URLS[0]]), "unit": "ms"},
        "without_menu_counters.trivial_median_ms": {"value": _median(times[TRIVIAL_URL]), "unit": "ms"},
    }
