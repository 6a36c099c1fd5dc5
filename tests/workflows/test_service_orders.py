"""The sales staff's order workflow (F-F2): Новый → Принят → Выставлен счёт → Выполнен / Отменён, the invoice in the
system of record, the log, the customer told, and two clerks on one order."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from backoffice.models import Balance, Document, Notification
from backoffice.models.choices import DocumentType, SalesKind
from tests.backoffice.factories import ContractFactory, PersonalAccountFactory
from tests.content import service
from tests.factories import UserFactory
from tests.selfservice.cabinet import give_role, link_account
from workflows.models import ServiceOrder, TransitionLog
from workflows.services.orders import (
    ServiceOrderRefused,
    service_order_accept,
    service_order_cancel,
    service_order_complete,
    service_order_invoice,
    service_order_submit,
)

pytestmark = pytest.mark.django_db
State = ServiceOrder.State


@pytest.fixture
def manager():
    user = UserFactory(is_staff=True, email="sales@company.test")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="workflows", codename__in=["view_serviceorder", "change_serviceorder"]
        ),
        Permission.objects.get(codename="access_admin"),
    )
    return user


@pytest.fixture
def order():
    customer = UserFactory(email="customer@example.test")
    contract = ContractFactory(number="78010000000487")
    give_role(customer, contract)
    return service_order_submit(
        user=customer,
        service=service("Технологическое присоединение", price="2150.90"),
        contract=contract,
        contact_name="Киселёв Виктор Матвеевич",
        phone="+78121231231",
        description="Подключить цех",
    )


def fresh(order) -> ServiceOrder:
    return ServiceOrder.objects.get(pk=order.pk)  # refresh_from_db() may not write django-fsm's protected state


def steps(order):
    return list(
        TransitionLog.objects.filter(object_id=order.pk, content_type__model="serviceorder").values_list(
            "transition", "source", "target", "by__email"
        )
    )


def told(order) -> list[str]:
    return list(
        Notification.objects.filter(user=order.user).order_by("created_at", "pk").values_list("title", flat=True)
    )


def test_the_whole_way_creates_the_invoice_in_the_documents(order, manager):
    accepted = service_order_accept(order=order, by=manager, comment="Позвонил клиенту")
    invoiced = service_order_invoice(order=accepted, by=manager, amount=Decimal("2150.90"))
    invoice = invoiced.invoice
    assert invoiced.state == State.INVOICED and invoiced.amount == Decimal("2150.90")
    assert invoice.type == DocumentType.INVOICE and invoice.sales_kind == SalesKind.SERVICES
    assert invoice.contract == order.contract and invoice.amount == invoice.amount_due == Decimal("2150.90")
    assert invoice.number == f"СУ-{order.number}" and invoice.vat_amount == Decimal("358.48")
    assert invoice.lines.get().description == f"Технологическое присоединение (заказ № {order.number})"
    assert Balance.objects.get(contract=order.contract, sales_kind=SalesKind.SERVICES).amount == Decimal("2150.90")

    done = service_order_complete(order=invoiced, by=manager)
    assert done.state == State.DONE
    assert steps(order) == [
        ("submit", "", State.NEW, "customer@example.test"),
        ("accept", State.NEW, State.ACCEPTED, "sales@company.test"),
        ("invoice", State.ACCEPTED, State.INVOICED, "sales@company.test"),
        ("complete", State.INVOICED, State.DONE, "sales@company.test"),
    ]
    assert told(order) == [
        f"Заказ № {order.number} оформлен",
        f"Заказ № {order.number} принят",
        f"Выставлен счёт № {invoice.number} по заказу № {order.number}",
        f"Заказ № {order.number} выполнен",
    ]


def test_the_invoice_of_a_household_goes_to_its_account(manager):
    customer = UserFactory()
    account = PersonalAccountFactory(number="100000001")
    link_account(customer, account)
    order = service_order_submit(
        user=customer, service=service("Поверка"), account=account, contact_name="Петрова Анна", phone="+79110000001"
    )
    order = service_order_accept(order=order, by=manager)
    invoice = service_order_invoice(order=order, by=manager, amount=Decimal("1200")).invoice
    assert invoice.account == account and invoice.contract is None


def test_cancelling_an_invoiced_order_annuls_the_invoice(order, manager):
    order = service_order_invoice(
        order=service_order_accept(order=order, by=manager), by=manager, amount=Decimal("3000")
    )
    cancelled = service_order_cancel(order=order, by=manager, reason="Клиент передумал")
    invoice = Document.objects.get(pk=cancelled.invoice_id)
    assert cancelled.state == State.CANCELLED and cancelled.cancel_reason == "Клиент передумал"
    assert invoice.amount_due == 0
    assert not Balance.objects.filter(contract=order.contract, sales_kind=SalesKind.SERVICES).exists()
    assert told(order)[-1] == f"Заказ № {order.number} отменён"


def test_cancel_needs_a_reason(order, manager):
    with pytest.raises(ValidationError):
        service_order_cancel(order=order, by=manager, reason="  ")
    assert fresh(order).state == State.NEW


def test_steps_out_of_order_are_refused(order, manager):
    with pytest.raises(ServiceOrderRefused):
        service_order_invoice(order=order, by=manager, amount=Decimal("100"))
    with pytest.raises(ServiceOrderRefused):
        service_order_complete(order=order, by=manager)
    done = service_order_complete(
        order=service_order_invoice(
            order=service_order_accept(order=order, by=manager), by=manager, amount=Decimal("1")
        ),
        by=manager,
    )
    with pytest.raises(ServiceOrderRefused):
        service_order_cancel(order=done, by=manager, reason="поздно")


def test_two_clerks_on_one_order_cannot_both_win(order, manager):
    second_clerk = UserFactory(is_staff=True, is_superuser=True)
    seen_by_both = order.state
    service_order_accept(order=order, by=manager, seen_state=seen_by_both)
    with pytest.raises(ServiceOrderRefused, match="Заказ уже изменил другой сотрудник: теперь он «Принят»"):
        service_order_cancel(order=order, by=second_clerk, reason="Дубль", seen_state=seen_by_both)
    assert fresh(order).state == State.ACCEPTED


def test_an_invoice_is_issued_once_per_order(order, manager):
    order = service_order_invoice(order=service_order_accept(order=order, by=manager), by=manager, amount=Decimal("10"))
    assert Document.objects.filter(number=f"СУ-{order.number}").count() == 1


def test_someone_without_the_right_cannot_move_an_order(order):
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    with pytest.raises(PermissionDenied):
        service_order_accept(order=order, by=editor)


# --- The queue in the Wagtail admin --------------------------------------------------------------------------------


def test_the_queue_lists_open_orders_and_the_page_makes_the_steps(client, order, manager):
    client.force_login(manager)
    queue = client.get(reverse("workflows_service_orders:index")).content.decode()
    assert order.number in queue and "Технологическое присоединение" in queue and "Новый" in queue
    url = reverse("workflows_service_orders:inspect", args=[order.pk])
    page = client.get(url).content.decode()
    assert "Принять" in page and "Отменить" in page and "Подключить цех" in page
    client.post(url, {"step": "accept", "accept-seen_state": State.NEW, "accept-comment": ""})
    page = client.get(url).content.decode()
    assert "Выставить счёт" in page and 'value="2150,90"' in page  # the price from, as the amount to start with
    response = client.post(
        url, {"step": "invoice", "invoice-seen_state": State.ACCEPTED, "invoice-amount": "2 500,50"}, follow=True
    )
    order = fresh(order)
    assert order.state == State.INVOICED and order.amount == Decimal("2500.50")
    assert f"Выставлен счёт № СУ-{order.number}" in response.content.decode()


def test_a_stale_page_gets_a_clear_message(client, order, manager):
    client.force_login(manager)
    service_order_accept(order=order, by=manager)
    url = reverse("workflows_service_orders:inspect", args=[order.pk])
    response = client.post(
        url, {"step": "invoice", "invoice-seen_state": State.NEW, "invoice-amount": "100"}, follow=True
    )
    assert "Заказ уже изменил другой сотрудник" in response.content.decode()
    assert fresh(order).state == State.ACCEPTED


def test_a_bad_amount_is_shown_next_to_the_field(client, order, manager):
    client.force_login(manager)
    service_order_accept(order=order, by=manager)
    url = reverse("workflows_service_orders:inspect", args=[order.pk])
    response = client.post(url, {"step": "invoice", "invoice-seen_state": State.ACCEPTED, "invoice-amount": "-5"})
    assert response.status_code == 200 and "Сумма счёта должна быть больше нуля." in response.content.decode()
    assert fresh(order).state == State.ACCEPTED and not Document.objects.filter(number__startswith="СУ-").exists()


def test_editors_cannot_see_orders(client, order):
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    assert client.get(reverse("workflows_service_orders:index")).status_code in (302, 403)
    assert client.get(reverse("workflows_service_orders:inspect", args=[order.pk])).status_code in (302, 403)
