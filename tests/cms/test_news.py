"""«Новости» (F-H1, seed 000 §2.4): unread news bold with «Новое!», read state per user, the landing after sign-in."""

import re

import pytest
from django.urls import reverse

from cms.models import HomePage, NewsIndexPage, NewsPage, NewsRead
from cms.models.news import NEWS_NEW_FOR_DAYS
from tests.content import news, news_index
from tests.factories import PASSWORD, UserFactory
from tests.querycount import assert_queries_flat

pytestmark = pytest.mark.django_db


def items(response) -> list[tuple[str, bool]]:
    """(title, is new) of each news item in the list, in order."""
    page = response.content.decode()
    found = re.findall(r'<li class="news-item( is-new)?">.*?<span class="news-item__title">(.*?)</span>', page, re.S)
    return [(title, bool(new)) for new, title in found]


def test_news_live_under_the_one_news_index():
    index = news_index()
    assert index.get_parent().specific_class is HomePage
    assert NewsPage.can_create_at(index)
    assert not NewsPage.can_create_at(HomePage.objects.get())
    assert not NewsIndexPage.can_create_at(HomePage.objects.get())  # max_count = 1


def test_unread_news_is_bold_with_new_until_the_user_opens_it(signed_in_client, user):
    first = news("График работы в праздники", days_ago=1)
    news("Новая услуга", days_ago=3)
    response = signed_in_client.get(reverse("selfservice:news"))
    assert items(response) == [("График работы в праздники", True), ("Новая услуга", True)]
    assert "Новое!" in response.content.decode()

    page = signed_in_client.get(first.url)
    assert page.status_code == 200 and "График работы в праздники" in page.content.decode()
    assert NewsRead.objects.filter(user=user, page=first).exists()
    assert items(signed_in_client.get(reverse("selfservice:news"))) == [
        ("График работы в праздники", False),
        ("Новая услуга", True),
    ]


def test_read_state_is_per_user(client, user):
    item = news("Изменение тарифов", days_ago=2)
    NewsRead.objects.create(user=user, page=item)
    other = UserFactory()
    client.force_login(other)
    assert items(client.get(reverse("selfservice:news"))) == [("Изменение тарифов", True)]


def test_old_news_is_not_new_for_anyone(signed_in_client):
    news("Архивная новость", days_ago=NEWS_NEW_FOR_DAYS + 1)
    news("Свежая новость", days_ago=0)
    assert items(signed_in_client.get(reverse("selfservice:news"))) == [
        ("Свежая новость", True),
        ("Архивная новость", False),
    ]


def test_a_draft_is_not_shown_to_customers(signed_in_client):
    news("Опубликованная", days_ago=1)
    draft = NewsPage(title="Черновик новости", date=news_index().news().first().date)
    news_index().add_child(instance=draft)
    draft.unpublish()
    assert [title for title, _new in items(signed_in_client.get(reverse("selfservice:news")))] == ["Опубликованная"]


def test_mark_all_read(signed_in_client, user):
    news("Первая", days_ago=1)
    news("Вторая", days_ago=2)
    response = signed_in_client.post(reverse("news_read_all"), follow=True)
    assert "Все новости отмечены как прочитанные." in response.content.decode()
    assert items(response) == [("Первая", False), ("Вторая", False)]
    assert NewsRead.objects.filter(user=user).count() == 2


def sign_in(client, user, **extra):
    return client.post(
        reverse("selfservice:login"), {"username": user.email, "password": PASSWORD, **extra}, follow=True
    )


def test_after_sign_in_a_user_with_unread_news_lands_on_the_news(client):
    news("Плановые работы", days_ago=1)
    user = UserFactory()
    response = sign_in(client, user)
    assert response.redirect_chain[-1][0] == reverse("selfservice:news")
    assert "Плановые работы" in response.content.decode()
    # the landing happens once per sign-in: the home page opens afterwards
    assert client.get(reverse("selfservice:home")).status_code == 200


def test_without_unread_news_the_user_lands_on_the_home_page(client):
    item = news("Уже прочитана", days_ago=1)
    user = UserFactory()
    NewsRead.objects.create(user=user, page=item)
    assert sign_in(client, user).redirect_chain[-1][0] == reverse("selfservice:home")


def test_a_sign_in_with_a_next_address_goes_there(client):
    news("Новость", days_ago=1)
    user = UserFactory()
    response = client.post(
        reverse("selfservice:login") + "?next=/help/", {"username": user.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/help/"


def test_the_news_list_costs_the_same_queries_for_few_and_many_items(signed_in_client):
    counter = iter(range(1000))
    url = reverse("selfservice:news")

    def add_news(count):
        for _ in range(count):
            news(f"Новость {next(counter)}", days_ago=1)
        signed_in_client.get(url)  # publishing resets Wagtail's cached site paths; the next page fills it again

    assert_queries_flat(signed_in_client, url, add_rows=add_news, max_queries=12)


def test_a_news_page_is_served_with_a_small_fixed_number_of_queries(signed_in_client, django_assert_max_num_queries):
    item = news("Новость дня", days_ago=1)
    signed_in_client.get(item.url)
    with django_assert_max_num_queries(15):
        assert signed_in_client.get(item.url).status_code == 200
