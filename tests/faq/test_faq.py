"""«Помощь» → «Вопрос - Ответ» (F-H4, seed 001 §10.1): the accordion, «Поисковая фраза» with Russian word forms,
«Все вопросы», only published answers, and the answers for an appeal topic."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from faq.models import FaqGroup
from faq.selectors import faq_for_topic, faq_search
from tests.content import question
from tests.querycount import assert_queries_flat

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="word forms need PostgreSQL's Russian search"
)


def shown(response) -> list[str]:
    return re.findall(r'<summary class="accordion__summary">(.*?)</summary>', response.content.decode())


def groups(response) -> list[str]:
    return re.findall(r'<h2 class="accordion__group-title"[^>]*>(.*?)</h2>', response.content.decode())


@pytest.fixture
def questions():
    FaqGroup.objects.create(name="Показания", sort_order=20)
    FaqGroup.objects.create(name="Оплата и счета", sort_order=10)
    return [
        question("Когда передавать показания?", "<p>С 15-го по 26-е число.</p>", group="Показания"),
        question("Как оплатить счёт без комиссии?", "<p>Картой в личном кабинете.</p>", group="Оплата и счета"),
        question("Где найти квитанцию?", "<p>В разделе «История» → «Документы».</p>", group="Оплата и счета"),
    ]


def test_the_accordion_lists_groups_in_their_order_with_the_answers(signed_in_client, questions):
    response = signed_in_client.get(reverse("selfservice:help"))
    page = response.content.decode()
    assert groups(response) == ["Оплата и счета", "Показания"]
    assert shown(response) == ["Как оплатить счёт без комиссии?", "Где найти квитанцию?", "Когда передавать показания?"]
    assert "Картой в личном кабинете." in page and "Поисковая фраза" in page and "Все вопросы" in page


def test_the_group_selector_shows_one_group(signed_in_client, questions):
    group = FaqGroup.objects.get(name="Показания")
    response = signed_in_client.get(reverse("selfservice:help"), {"group": group.pk})
    assert shown(response) == ["Когда передавать показания?"]


def test_a_draft_or_unpublished_question_is_not_shown(signed_in_client, questions):
    question("Черновой вопрос", live=False)
    unpublished = question("Снятый вопрос")
    unpublished.unpublish()
    page = signed_in_client.get(reverse("selfservice:help")).content.decode()
    assert "Черновой вопрос" not in page and "Снятый вопрос" not in page


def test_search_finds_the_question_by_its_words(signed_in_client, questions):
    response = signed_in_client.get(reverse("selfservice:help"), {"q": "квитанцию"})
    assert shown(response) == ["Где найти квитанцию?"]


@on_postgresql
def test_search_understands_russian_word_forms(questions):
    found = [item.question for group in faq_search(query="оплата счета") for item in group.questions]
    assert found == ["Как оплатить счёт без комиссии?"]
    found = [item.question for group in faq_search(query="передача показаний") for item in group.questions]
    assert found == ["Когда передавать показания?"]


def test_nothing_found_says_what_to_do(signed_in_client, questions):
    page = signed_in_client.get(reverse("selfservice:help"), {"q": "кошка"}).content.decode()
    assert "Ничего не найдено" in page and "Попробуйте другие слова" in page


def test_the_appeal_wizard_gets_the_answers_of_its_topic(questions):
    question("Как добавить договор?", group="Личный кабинет", topics=["Техническая поддержка"])
    question("Не приходит код", group="Личный кабинет", topics=["Техническая поддержка"], live=False)
    assert [item.question for item in faq_for_topic(topic="техническая поддержка")] == ["Как добавить договор?"]
    assert faq_for_topic(topic="Права доступа") == []


def test_the_help_page_costs_the_same_queries_for_few_and_many_questions(signed_in_client):
    counter = iter(range(1000))
    url = reverse("selfservice:help")
    signed_in_client.get(url)  # the first page after sign-in also settles the session
    assert_queries_flat(
        signed_in_client,
        url,
        add_rows=lambda n: [question(f"Вопрос {next(counter)}", group=f"Группа {n}") for _ in range(n)],
        max_queries=14,
    )


def test_a_big_group_shows_its_first_questions_and_a_link_to_all(signed_in_client, monkeypatch):
    monkeypatch.setattr("faq.selectors.GROUP_PREVIEW", 3)
    for number in range(5):
        question(f"Вопрос о показаниях {number}", group="Показания")
    response = signed_in_client.get(reverse("selfservice:help"))
    assert shown(response) == [f"Вопрос о показаниях {number}" for number in range(3)]
    group = FaqGroup.objects.get(name="Показания")
    assert f'?group={group.pk}">Все вопросы группы (5)</a>' in response.content.decode()
    assert len(shown(signed_in_client.get(reverse("selfservice:help"), {"group": group.pk}))) == 5
