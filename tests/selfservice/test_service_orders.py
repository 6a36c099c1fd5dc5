"""«Отправить заявку» (F-F2, seed 001 §6.2) and «История» → «Заказы» (F-F3, seed 001 §7.4)."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from backoffice.models import Notification
from tests.backoffice.factories import ContractFactory, OrganisationFactory, PersonalAccountFactory
from tests.content import service
from tests.factories import UserFactory
from tests.querycount import assert_queries_flat
from tests.selfservice.cabinet import give_role, link_account
from workflows.models import ServiceOrder, TransitionLog

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode().replace("\u00a0", " ")


@pytest.fixture
def contract(user):
    contract = ContractFactory(number="78010000000487", customer=OrganisationFactory(short_name='ООО "Т2 Мобайл"'))
    give_role(user, contract)
    return contract


def order_form(**fields):
    return {
        "contact_name": "Киселёв Виктор Матвеевич",
        "email": "kiselev@example.test",
        "phone": "+7 812 123-12-31",
        "description": "тестовая заявка",
        **fields,
    }


def test_the_form_is_prefilled_from_the_profile(signed_in_client, user, contract):
    card = service("Технологическое присоединение")
    page = text(signed_in_client.get(reverse("selfservice:service", args=[card.slug])))
    assert "Отправить заявку" in page and "Договор/ЛС" in page
    assert 'ООО "Т2 Мобайл" (78010000000487)' in page.replace("&quot;", '"')
    assert f'value="{user.get_full_name()}"' in page and f'value="{user.email}"' in page
    for label in ("ФИО контактного лица", "Имейл", "Контактный номер телефона", "Опишите задачу"):
        assert label in page


def test_sending_the_order_shows_its_number_and_the_way_to_the_history(signed_in_client, user, contract):
    card = service("Технологическое присоединение", price="2150.90")
    response = signed_in_client.post(
        reverse("selfservice:service", args=[card.slug]), order_form(owner=f"contract:{contract.pk}"), follow=True
    )
    order = ServiceOrder.objects.get()
    assert order.state == ServiceOrder.State.NEW and order.contract == contract and order.user == user
    assert order.service_title == "Технологическое присоединение" and order.price_from == card.price_from
    assert order.contact_name == "Киселёв Виктор Матвеевич" and order.phone.as_e164 == "+78121231231"
    assert re.fullmatch(r"\d{6}-\d{2}", order.number)
    page = text(response)
    assert "Заказ услуги успешно осуществлен." in page and f"Номер заказа: <strong>{order.number}</strong>" in page
    assert "Перейти в историю заказов" in page and reverse("selfservice:orders") in page
    assert TransitionLog.objects.filter(object_id=order.pk, transition="submit", by=user).exists()
    assert Notification.objects.get(user=user).title == f"Заказ № {order.number} оформлен"


def test_the_company_is_told_about_a_new_order(signed_in_client, contract, django_capture_on_commit_callbacks):
    card = service("Поверка прибора учёта")
    with django_capture_on_commit_callbacks(execute=True):
        signed_in_client.post(
            reverse("selfservice:service", args=[card.slug]), order_form(owner=f"contract:{contract.pk}")
        )
    order = ServiceOrder.objects.get()
    subjects = [letter.subject for letter in mail.outbox]
    assert f"Новый заказ услуги № {order.number}: Поверка прибора учёта" in subjects


def test_a_missing_required_field_keeps_what_was_typed_and_stores_nothing(signed_in_client, contract):
    card = service()
    response = signed_in_client.post(
        reverse("selfservice:service", args=[card.slug]),
        order_form(owner=f"contract:{contract.pk}", contact_name="", phone="12"),
    )
    page = text(response)
    assert response.status_code == 200 and not ServiceOrder.objects.exists()
    assert "Заполните поле" in page and "Введите номер телефона, например +7 912 345-67-89." in page
    assert "тестовая заявка" in page  # what was typed stays


def test_a_service_that_asks_only_for_the_contract(signed_in_client, contract):
    card = service("Справка о состоянии расчётов", contract_only=True)
    page = text(signed_in_client.get(reverse("selfservice:service", args=[card.slug])))
    assert "Договор/ЛС" in page and "ФИО контактного лица" not in page and "Опишите задачу" not in page
    signed_in_client.post(reverse("selfservice:service", args=[card.slug]), {"owner": f"contract:{contract.pk}"})
    order = ServiceOrder.objects.get()
    assert order.contact_name == "" and order.description == "" and order.contract == contract


def test_a_household_orders_for_its_account(signed_in_client, user):
    account = PersonalAccountFactory(number="100000001")
    link_account(user, account)
    card = service("Замена прибора учёта")
    signed_in_client.post(reverse("selfservice:service", args=[card.slug]), order_form(owner=f"account:{account.pk}"))
    assert ServiceOrder.objects.get().account == account


def test_someone_elses_contract_is_refused(signed_in_client, contract):
    foreign = ContractFactory()
    card = service()
    response = signed_in_client.post(
        reverse("selfservice:service", args=[card.slug]), order_form(owner=f"contract:{foreign.pk}")
    )
    assert "Выберите договор или лицевой счёт из списка." in text(response)
    assert not ServiceOrder.objects.exists()


def test_without_a_contract_or_account_the_card_says_how_to_get_one(signed_in_client):
    card = service()
    page = text(signed_in_client.get(reverse("selfservice:service", args=[card.slug])))
    assert (
        "Добавьте его в личный кабинет, чтобы заказать услугу." in page
        and '<form method="post" novalidate class="order-form">' not in page
    )


def test_someone_elses_order_number_shows_no_confirmation(signed_in_client, contract):
    card = service()
    stranger = UserFactory()
    other_contract = ContractFactory()
    give_role(stranger, other_contract)
    order = ServiceOrder.objects.create(
        user=stranger, service=card, service_title=card.title, contract=other_contract, number="000099-26"
    )
    page = text(signed_in_client.get(reverse("selfservice:service", args=[card.slug]), {"order": order.number}))
    assert "Заказ услуги успешно осуществлен." not in page


def orders_shown(response) -> list[str]:
    return re.findall(r'<h2 class="order-card__title">(.*?)</h2>', response.content.decode())


def test_the_orders_list_shows_name_contract_date_number_price_and_status(signed_in_client, user, contract):
    card = service("Технологическое присоединение", price="2150.90")
    signed_in_client.post(reverse("selfservice:service", args=[card.slug]), order_form(owner=f"contract:{contract.pk}"))
    order = ServiceOrder.objects.get()
    page = text(signed_in_client.get(reverse("selfservice:orders")))
    assert orders_shown(signed_in_client.get(reverse("selfservice:orders"))) == ["Технологическое присоединение"]
    assert "78010000000487" in page and order.number in page and timezone.localdate().strftime("%d.%m.%Y") in page
    assert "от 2 150,90 ₽" in page and "Новый" in page
    assert 'class="tabs__tab is-current"' in page and ">Заказы<" in page


def test_the_orders_list_filters_by_contract_and_period(signed_in_client, user, contract):
    second = ContractFactory(number="78010000000999")
    give_role(user, second)
    card = service("Опломбировка")
    old = ServiceOrder.objects.create(
        user=user, service=card, service_title="Старый заказ", contract=contract, number="000001-25"
    )
    ServiceOrder.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=60))
    ServiceOrder.objects.create(
        user=user, service=card, service_title="Заказ по второму", contract=second, number="000002-26"
    )
    ServiceOrder.objects.create(
        user=user, service=card, service_title="Свежий заказ", contract=contract, number="000003-26"
    )
    url = reverse("selfservice:orders")
    assert orders_shown(signed_in_client.get(url, {"owner": f"contract:{second.pk}"})) == ["Заказ по второму"]
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    assert orders_shown(signed_in_client.get(url, {"owner": f"contract:{contract.pk}", "date_from": since})) == [
        "Свежий заказ"
    ]
    response = signed_in_client.get(url, {"date_from": "2026-12-31", "date_to": "2026-01-01"})
    assert "Дата «по» раньше даты «с»." in text(response)


def test_other_users_orders_are_not_listed(signed_in_client, contract):
    stranger = UserFactory()
    ServiceOrder.objects.create(user=stranger, service_title="Чужой заказ", contract=contract, number="000005-26")
    assert orders_shown(signed_in_client.get(reverse("selfservice:orders"))) == []


def test_the_orders_list_costs_the_same_queries_for_few_and_many(signed_in_client, user, contract):
    card = service()
    counter = iter(range(1000))
    url = reverse("selfservice:orders")
    signed_in_client.get(url)
    assert_queries_flat(
        signed_in_client,
        url,
        add_rows=lambda n: [
            ServiceOrder.objects.create(
                user=user, service=card, service_title=card.title, contract=contract, number=f"{next(counter):06d}-26"
            )
            for _ in range(n)
        ],
        max_queries=14,
    )


def test_the_period_typed_stays_in_the_filter(signed_in_client, contract):
    page = signed_in_client.get(reverse("selfservice:orders"), {"date_from": "2026-11-01"}).content.decode()
    assert 'name="date_from" value="2026-11-01"' in page
