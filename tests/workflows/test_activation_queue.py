"""«Клиенты» → «Заявки на активацию» in the admin (F-A7): the queue, the request's page and the decision."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from selfservice.models import AccountLink
from tests.backoffice import factories as f
from tests.factories import UserFactory
from tests.querycount import assert_queries_flat
from workflows.models import ActivationRequest
from workflows.services.activation import activation_request_reject, activation_request_submit

pytestmark = pytest.mark.django_db

INDEX = "workflows_activation_requests:index"
INSPECT = "workflows_activation_requests:inspect"


def grant(user, *codenames):
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(codename=codename))


@pytest.fixture
def account():
    account = f.PersonalAccountFactory(number="100200300")
    f.PaymentFactory(account=account, amount=Decimal("1234.56"), paid_on=datetime.date(2020, 2, 5))
    f.MeterFactory(account=account, serial="874199")
    return account


@pytest.fixture
def request_new(account):
    customer = UserFactory(email="anna@example.test", last_name="Петрова", first_name="Анна")
    return activation_request_submit(
        user=customer,
        full_name="Петрова Анна Сергеевна",
        account_number="100200300",
        control=ActivationRequest.Control.LAST_PAYMENT,
        control_answer="1200,00",
    )


@pytest.fixture
def request_rejected(db):
    customer = UserFactory(email="boris@example.test")
    request = activation_request_submit(
        user=customer,
        full_name="Борисов Борис Борисович",
        account_number="777000111",
        control=ActivationRequest.Control.METER_NUMBER,
        control_answer="000111",
    )
    return activation_request_reject(request=request, by=UserFactory(is_staff=True), reason="Нет такого счёта")


@pytest.fixture
def clerk(client):
    clerk = UserFactory(is_staff=True, email="clerk@example.test", last_name="Смирнова", first_name="Ольга")
    grant(clerk, "access_admin", "view_activationrequest", "change_activationrequest", "assist_customer")
    client.force_login(clerk)
    return clerk


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_queue_opens_on_new_requests_with_what_the_account_really_holds(
    client, clerk, request_new, request_rejected
):
    html = page(client, reverse(INDEX))

    assert "Петрова Анна Сергеевна" in html
    assert "Борисов" not in html  # decided: shown under «Все» only
    today = timezone.localtime(request_new.created_at).strftime("%d.%m.%Y")
    for text in ["anna@example.test", "100200300", "Сумма последнего платежа", "1200,00", today, "Новая"]:
        assert text in html
    assert "Платёж 1\xa0234,56\xa0₽ от 05.02.2020" in html
    assert "ПУ 874199" in html


def test_an_empty_queue_says_so(client, clerk, request_rejected):
    assert "Новых заявок нет." in page(client, reverse(INDEX))
    assert "Заявок с такими условиями нет." in page(client, reverse(INDEX), q="nobody", state="")


def test_all_states_and_a_number_nobody_has(client, clerk, request_new, request_rejected):
    html = page(client, reverse(INDEX), state="")

    assert "Петрова Анна Сергеевна" in html
    assert "Борисов Борис Борисович" in html
    assert "Отклонена" in html
    assert "Счёт с таким номером не найден" in html


def test_clearing_the_new_chip_shows_every_request(client, clerk, request_new, request_rejected):
    html = page(client, reverse(INDEX))
    remove_url = html.split('class="w-pill__remove"')[0].rsplit('data-w-swap-src-value="', 1)[1].split('"')[0]

    everything = page(client, remove_url.replace("&amp;", "&"))

    assert remove_url.endswith("state=")
    assert "Петрова Анна Сергеевна" in everything
    assert "Борисов Борис Борисович" in everything


@pytest.mark.parametrize("query", ["100200300", "петрова анна", "anna@example"])
def test_search_by_account_name_or_email(client, clerk, request_new, request_rejected, query):
    html = page(client, reverse(INDEX), q=query, state="")

    assert "Петрова Анна Сергеевна" in html
    assert "Борисов" not in html


def test_the_request_page_shows_facts_history_and_the_decision(client, clerk, request_new):
    html = page(client, reverse(INSPECT, args=[request_new.pk]))

    for text in ["По данным лицевого счёта", "874199", "История", "Заявка подана", "Решение", "Одобрить", "Отклонить"]:
        assert text in html
    assert reverse("selfservice_portal_users:inspect", args=[request_new.user_id]) in html


def test_approve_from_the_page(client, clerk, request_new, django_capture_on_commit_callbacks):
    url = reverse(INSPECT, args=[request_new.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"approve": "", "approve-account": ""}, follow=True)

    assert (
        "Заявка одобрена: лицевой счёт № 100200300 подключён, клиенту отправлено письмо." in response.content.decode()
    )
    assert AccountLink.objects.get(user=request_new.user).linked_by == clerk
    assert mail.outbox[0].to == ["anna@example.test"]
    decided = page(client, url)
    assert "Одобрена" in decided
    assert 'name="approve"' not in decided


def test_approve_with_a_wrong_other_number_keeps_the_input_and_says_why(client, clerk, request_new):
    response = client.post(reverse(INSPECT, args=[request_new.pk]), {"approve": "", "approve-account": "999999999"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Лицевой счёт № 999999999 не найден." in html
    assert 'value="999999999"' in html
    assert ActivationRequest.objects.get(pk=request_new.pk).state == ActivationRequest.State.NEW


def test_reject_without_a_reason_is_refused_with_the_manuals_message(client, clerk, request_new):
    response = client.post(reverse(INSPECT, args=[request_new.pk]), {"reject": "", "reject-reason": " "})

    assert response.status_code == 200
    assert "Заполните поле" in response.content.decode()
    assert ActivationRequest.objects.get(pk=request_new.pk).state == ActivationRequest.State.NEW


def test_reject_from_the_page(client, clerk, request_new, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(INSPECT, args=[request_new.pk]), {"reject": "", "reject-reason": "Сумма не совпадает"}, follow=True
        )

    assert "Заявка отклонена, клиенту отправлено письмо с причиной." in response.content.decode()
    assert "Причина: Сумма не совпадает" in mail.outbox[0].body


def test_the_second_clerk_is_told_the_request_is_decided(client, clerk, request_new):
    activation_request_reject(request=request_new, by=UserFactory(is_staff=True), reason="Нет документов")

    response = client.post(reverse(INSPECT, args=[request_new.pk]), {"approve": "", "approve-account": ""}, follow=True)

    assert "Заявку уже рассмотрел другой сотрудник" in response.content.decode()
    assert not AccountLink.objects.exists()


def test_a_clerk_who_may_only_view_sees_no_decision_and_cannot_post_one(client, request_new):
    viewer = UserFactory(is_staff=True)
    grant(viewer, "access_admin", "view_activationrequest")
    client.force_login(viewer)
    url = reverse(INSPECT, args=[request_new.pk])

    html = page(client, url)
    assert 'name="approve"' not in html
    assert "anna@example.test" in html
    assert reverse("selfservice_portal_users:inspect", args=[request_new.user_id]) not in html  # may not open it
    assert client.post(url, {"approve": ""}).status_code in (302, 403)
    assert ActivationRequest.objects.get(pk=request_new.pk).state == ActivationRequest.State.NEW


def test_staff_without_the_permission_are_refused(client, request_new):
    editor = UserFactory(is_staff=True)
    grant(editor, "access_admin")
    client.force_login(editor)

    assert client.get(reverse(INDEX)).status_code == 302
    assert client.get(reverse(INSPECT, args=[request_new.pk])).status_code == 302


def test_the_queue_costs_the_same_queries_for_few_and_many_requests(client, clerk):
    def add_requests(n):
        for _index in range(n):
            account = f.PersonalAccountFactory()
            f.PaymentFactory(account=account)
            f.MeterFactory(account=account)
            activation_request_submit(
                user=UserFactory(),
                full_name="Иванов Иван Иванович",
                account_number=account.number,
                control=ActivationRequest.Control.METER_NUMBER,
                control_answer="1",
            )

    assert_queries_flat(client, reverse(INDEX), add_rows=add_requests, max_queries=14)
