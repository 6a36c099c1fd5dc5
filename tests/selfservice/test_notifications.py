"""«Уведомления» (F-H2, seed 001 §12, seed 000 §3.5): the bell and its popup, the list unread first with «еще»,
opening and marking read, the company's bars at the top until closed or expired, the modal «1 из N» after sign-in,
and the per-account badges."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice.models import Notification
from backoffice.services.notifications import notification_send
from tests.backoffice.factories import ContractFactory, PersonalAccountFactory
from tests.factories import PASSWORD, UserFactory
from tests.querycount import assert_queries_flat
from tests.selfservice.cabinet import give_role, link_account

pytestmark = pytest.mark.django_db
Kind, Display = Notification.Kind, Notification.Display


def tell(user, title, *, minutes_ago=0, read=False, **fields):
    fields.setdefault("kind", Kind.MESSAGE)
    notification = notification_send(user=user, title=title, **fields)
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago), read_at=timezone.now() if read else None
    )
    return notification


def listed(response) -> list[tuple[str, bool]]:
    found = re.findall(
        r'<li class="notice( is-unread)?" id="notification-\d+">.*?<h2 class="notice__title">(?:<a[^>]*>)?(.*?)<',
        response.content.decode(),
        re.S,
    )
    return [(title, bool(unread)) for unread, title in found]


def test_the_list_shows_unread_first_then_read_each_newest_first(signed_in_client, user):
    tell(user, "Старое прочитанное", minutes_ago=50, read=True)
    tell(user, "Старое непрочитанное", minutes_ago=40)
    tell(user, "Новое прочитанное", minutes_ago=5, read=True)
    tell(user, "Новое непрочитанное", minutes_ago=1)
    assert listed(signed_in_client.get(reverse("selfservice:notifications"))) == [
        ("Новое непрочитанное", True),
        ("Старое непрочитанное", True),
        ("Новое прочитанное", False),
        ("Старое прочитанное", False),
    ]


def test_a_long_text_folds_with_more_and_less(signed_in_client, user):
    tell(user, "Длинное", body="Очень длинный текст уведомления. " * 20)
    tell(user, "Короткое", body="Коротко.")
    page = signed_in_client.get(reverse("selfservice:notifications")).content.decode()
    assert page.count('class="notice__more"') == 1
    assert ">еще</span>" in page and ">скрыть</span>" in page


def test_the_bell_counts_unread_and_pops_up_the_last_five(signed_in_client, user):
    for number in range(7):
        tell(user, f"Уведомление {number}", minutes_ago=10 - number, read=number < 2)
    page = signed_in_client.get(reverse("selfservice:help")).content.decode()
    assert re.search(r'<span class="bell__count" aria-hidden="true">5</span>', page)
    popup = re.findall(r'<span class="bell__title">(.*?)</span>', page)
    assert popup == [f"Уведомление {number}" for number in (6, 5, 4, 3, 2)]
    assert "Просмотреть все записи" in page


def test_opening_a_notification_marks_it_read_and_goes_where_it_points(signed_in_client, user):
    notification = tell(user, "Вам добавлен договор № 78010000000487", url="/help/contacts/")
    response = signed_in_client.get(reverse("selfservice:notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == "/help/contacts/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_someone_elses_notification_is_a_404(signed_in_client):
    other = tell(UserFactory(), "Чужое")
    assert signed_in_client.get(reverse("selfservice:notification_open", args=[other.pk])).status_code == 404
    assert signed_in_client.post(reverse("selfservice:notification_dismiss", args=[other.pk])).status_code == 404
    signed_in_client.post(reverse("selfservice:notifications_read"), {"id": other.pk})
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_all_read(signed_in_client, user):
    tell(user, "Первое")
    tell(user, "Второе")
    response = signed_in_client.post(reverse("selfservice:notifications_read"), follow=True)
    assert "Все уведомления отмечены как прочитанные." in response.content.decode()
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()


def test_a_bar_at_the_top_stays_until_closed(signed_in_client, user):
    bar = tell(user, "Плановые работы 12.12.2026", display=Display.TOP, body="Кабинет недоступен с 02:00 до 04:00.")
    assert bars(signed_in_client.get(reverse("selfservice:help"))) == ["Плановые работы 12.12.2026"]
    assert bars(signed_in_client.get(reverse("selfservice:notifications"))) == [
        "Плановые работы 12.12.2026"
    ]  # every page
    signed_in_client.post(reverse("selfservice:notification_dismiss", args=[bar.pk]), {"next": "/help/"})
    assert bars(signed_in_client.get(reverse("selfservice:help"))) == []
    listed_titles = [title for title, _unread in listed(signed_in_client.get(reverse("selfservice:notifications")))]
    assert listed_titles == ["Плановые работы 12.12.2026"]  # closed, it is still in «Уведомления»


def bars(response) -> list[str]:
    return re.findall(r'<div class="top-bar top-bar--info".*?<strong>(.*?)</strong>', response.content.decode(), re.S)


def test_a_bar_at_the_top_goes_when_it_expires(signed_in_client, user):
    tell(user, "Акция до вчера", display=Display.TOP, shown_until=timezone.now() - datetime.timedelta(minutes=1))
    tell(user, "Акция до завтра", display=Display.TOP, shown_until=timezone.now() + datetime.timedelta(days=1))
    assert bars(signed_in_client.get(reverse("selfservice:help"))) == ["Акция до завтра"]


def sign_in(client, user):
    client.post(reverse("selfservice:login"), {"username": user.email, "password": PASSWORD})


def slides(response) -> list[str]:
    return re.findall(r'<h2 class="modal__title" id="announcement-title-\d+">(.*?)</h2>', response.content.decode())


def test_the_modal_shows_after_sign_in_one_of_n_until_each_is_confirmed(client):
    user = UserFactory()
    first = tell(user, "Новые реквизиты для оплаты", display=Display.MODAL, confirm_label="Подтвердить", minutes_ago=3)
    tell(
        user,
        "Опрос о качестве обслуживания",
        display=Display.MODAL,
        action_label="Перейти",
        url="/help/",
        minutes_ago=2,
    )
    tell(user, "Обычное уведомление")
    sign_in(client, user)
    page = client.get(reverse("selfservice:help"))
    assert slides(page) == ["Новые реквизиты для оплаты", "Опрос о качестве обслуживания"]
    html = page.content.decode()
    assert "1 из 2" in html and 'aria-label="Вперед"' in html and 'aria-label="Назад"' in html
    assert ">Перейти</a>" in html and ">Подтвердить</button>" in html

    client.post(reverse("selfservice:notification_dismiss", args=[first.pk]), {"next": "/help/"})
    page = client.get(reverse("selfservice:help"))
    assert slides(page) == ["Опрос о качестве обслуживания"] and "1 из" not in page.content.decode()
    second = Notification.objects.get(user=user, title="Опрос о качестве обслуживания")
    client.post(reverse("selfservice:notification_dismiss", args=[second.pk]))
    assert slides(client.get(reverse("selfservice:help"))) == []
    assert Notification.objects.filter(user=user, display=Display.MODAL, read_at__isnull=False).count() == 2


def test_an_expired_modal_is_not_shown(client):
    user = UserFactory()
    tell(user, "Устаревшее", display=Display.MODAL, shown_until=timezone.now() - datetime.timedelta(hours=1))
    sign_in(client, user)
    assert slides(client.get(reverse("selfservice:help"))) == []


def test_the_list_filters_by_account_or_contract_with_unread_badges(signed_in_client, user):
    account = PersonalAccountFactory(number="100000777")
    contract = ContractFactory(number="78010000000487")
    link_account(user, account)
    give_role(user, contract)
    tell(user, "По ЛС", account=account)
    tell(user, "Ещё по ЛС", account=account)
    tell(user, "По договору", contract=contract)
    page = signed_in_client.get(reverse("selfservice:notifications")).content.decode()
    assert re.search(r'ЛС 100000777 <span class="count-badge">2</span>', page)
    assert re.search(r'Договор № 78010000000487 <span class="count-badge">1</span>', page)
    response = signed_in_client.get(reverse("selfservice:notifications"), {"owner": f"account:{account.pk}"})
    assert [title for title, _unread in listed(response)] == ["Ещё по ЛС", "По ЛС"]


def test_filtering_by_someone_elses_account_is_a_404(signed_in_client):
    foreign = PersonalAccountFactory()
    response = signed_in_client.get(reverse("selfservice:notifications"), {"owner": f"account:{foreign.pk}"})
    assert response.status_code == 404


def test_the_list_costs_the_same_queries_for_few_and_many(signed_in_client, user):
    url = reverse("selfservice:notifications")
    signed_in_client.get(url)
    assert_queries_flat(
        signed_in_client, url, add_rows=lambda n: [tell(user, f"Уведомление {i}") for i in range(n)], max_queries=14
    )


def test_an_account_card_can_show_its_unread_badge(rf, user):
    from django.template import Context, Template

    account = PersonalAccountFactory(number="100000888")
    link_account(user, account)
    tell(user, "По ЛС", account=account)
    tell(user, "Ещё по ЛС", account=account)
    tell(user, "Уже прочитано", account=account, read=True)
    request = rf.get("/")
    request.user = user
    html = Template("{% load notifications %}{% unread_badge account %}").render(
        Context({"request": request, "account": account})
    )
    assert html == '<span class="count-badge" title="Непрочитанных уведомлений: 2">2</span>'
