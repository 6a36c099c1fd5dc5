"""Invented questions at scale for `make bench` (tests/bench/bench_content.py): 2 000 published questions in 20 groups,
with their search index entries, written in bulk. Tops up to the size asked."""

import random

from django.db import transaction
from wagtail.search.backends import get_search_backend

from .models import FaqGroup, FaqQuestion

WORDS = [
    "показания",
    "счётчика",
    "передать",
    "период",
    "оплата",
    "счёт",
    "квитанция",
    "задолженность",
    "пени",
    "договор",
    "лицевой",
    "тариф",
    "ночной",
    "дневной",
    "зона",
    "поверка",
    "замена",
    "прибор",
    "учёт",
    "личный",
    "кабинет",
    "пароль",
    "e-mail",
    "уведомления",
    "заявка",
    "услуга",
    "присоединение",
    "отделение",
    "контакты",
    "документ",
    "акт",
    "сверки",
    "аванс",
    "переплата",
    "карта",
    "банк",
    "чек",
]


@transaction.atomic
def faq_scale_create(*, questions: int = 2000, groups: int = 20) -> int:
    """Make sure at least `questions` published questions exist; return how many were added."""
    rows = [
        FaqGroup.objects.get_or_create(name=f"Раздел {number + 1:02d}", defaults={"sort_order": number})[0]
        for number in range(groups)
    ]
    have = FaqQuestion.objects.filter(live=True).count()
    chance = random.Random(2026)
    batch = []
    for number in range(have, questions):
        words = chance.sample(WORDS, 6)
        batch.append(
            FaqQuestion(
                group=rows[number % groups],
                question=f"Как {' '.join(words[:3])}? ({number + 1})",
                answer=f"<p>{' '.join(words).capitalize()}: ответ на вопрос номер {number + 1}.</p>",
                sort_order=number,
                live=True,
            )
        )
    created = FaqQuestion.objects.bulk_create(batch, batch_size=1000)
    if created:
        get_search_backend().add_bulk(FaqQuestion, created)
    return len(created)
