"""«Расчёты» → «Оплаты картой» and «Уведомления эквайера» in the Wagtail admin: staff find the payments stuck
«В процессе» or declined, and the notifications the portal refused."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.backoffice.acquiring import notification_body, post_notification, start_payment
from tests.backoffice.factories import PersonalAccountFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders():
    payer = UserFactory()
    account = PersonalAccountFactory(number="100000777")
    return {
        "paid": start_payment(user=payer, account=account, amount="100.00"),
        "stuck": start_payment(user=payer, account=account, amount="200.00"),
    }


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_card_payments_are_listed_and_filtered_by_status(client, admin_client, orders):
    post_notification(client, notification_body(orders["paid"], "succeeded"))
    index = reverse("backoffice_acquiring_orders:index")

    everything = admin_client.get(index).content.decode()
    stuck = admin_client.get(index, {"status": "pending"}).content.decode()

    assert "Заказы в эквайринге" in everything
    assert orders["paid"].reference in everything and orders["stuck"].reference in everything
    assert orders["stuck"].reference in stuck and orders["paid"].reference not in stuck
    assert "В процессе" in stuck


def test_refused_notifications_are_there_for_staff_to_read(client, admin_client, orders):
    post_notification(client, notification_body(orders["stuck"], "succeeded", amount=1))
    index = reverse("backoffice_acquirer_callbacks:index")

    content = admin_client.get(index, {"outcome": "amount_mismatch"}).content.decode()

    assert "Сумма не совпадает" in content and "0,01\xa0₽ вместо 200,00\xa0₽" in content


def test_the_menu_shows_them_in_billing_to_those_allowed(client, orders):
    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(clerk)
    index = reverse("backoffice_acquiring_orders:index")

    assert client.get(index).status_code in (302, 403)
    clerk.user_permissions.add(Permission.objects.get(codename="view_acquiringorder"))
    assert client.get(index).status_code == 200
