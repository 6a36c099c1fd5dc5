"""«Запустить расчёт» in the admin (F-D4): a month typed as ММ.ГГГГ, checked, handed to the billing service."""

import datetime
from unittest.mock import patch

import pytest
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.menu import admin_menu

from backoffice.models import BillingRun
from backoffice.services.billing import BillingRunRefused
from backoffice.services.periods import add_months, month_start
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FORM_URL_NAME = "backoffice_billing_run_start"
SERVICE = "backoffice.wagtail_hooks.billing_runs.billing_run_enqueue"


def form_url() -> str:
    return reverse(FORM_URL_NAME)


def grant(user, *perms):
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


@pytest.fixture
def operator():
    return UserFactory(is_staff=True, is_superuser=True, email="operator@example.test")


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


def this_month() -> datetime.date:
    return month_start(timezone.localdate())


def test_form_asks_for_the_period_and_suggests_the_month_just_ended(operator_client):
    response = operator_client.get(form_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "Период" in html
    assert "ММ.ГГГГ" in html
    assert "Запустить расчёт" in html
    assert f'value="{add_months(this_month(), -1):%m.%Y}"' in html


def test_a_future_month_is_refused_in_russian_and_the_typed_value_stays(operator_client):
    future = f"{add_months(this_month(), 1):%m.%Y}"

    with patch(SERVICE) as enqueue:
        response = operator_client.post(form_url(), {"period": future})

    html = response.content.decode()
    assert response.status_code == 200
    assert "ещё не наступил" in html
    assert f'value="{future}"' in html
    enqueue.assert_not_called()


def test_garbage_is_refused_with_the_expected_format_and_the_typed_value_stays(operator_client):
    with patch(SERVICE) as enqueue:
        response = operator_client.post(form_url(), {"period": "янв 2020"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Введите период в формате ММ.ГГГГ, например 01.2020." in html
    assert 'value="янв 2020"' in html
    enqueue.assert_not_called()


def test_a_thirteenth_month_is_refused(operator_client):
    with patch(SERVICE) as enqueue:
        response = operator_client.post(form_url(), {"period": "13.2020"})

    assert "Месяц — число от 01 до 12." in response.content.decode()
    enqueue.assert_not_called()


def test_an_empty_period_is_refused(operator_client):
    with patch(SERVICE) as enqueue:
        response = operator_client.post(form_url(), {"period": ""})

    assert "Укажите период" in response.content.decode()
    enqueue.assert_not_called()


def test_a_valid_month_starts_the_run_once_and_shows_it(operator_client, operator):
    run = BillingRun.objects.create(period=datetime.date(2020, 1, 1), started_by=operator)

    with patch(SERVICE, return_value=run) as enqueue:
        response = operator_client.post(form_url(), {"period": "01.2020"}, follow=True)

    enqueue.assert_called_once_with(period=datetime.date(2020, 1, 1), user=operator)
    inspect_url = reverse("backoffice_billing_runs:inspect", args=[run.pk])
    assert response.redirect_chain == [(inspect_url, 302)]
    assert "Расчёт за январь 2020 запущен" in response.content.decode()


def test_the_current_month_may_be_run(operator_client, operator):
    run = BillingRun.objects.create(period=this_month(), started_by=operator)

    with patch(SERVICE, return_value=run) as enqueue:
        response = operator_client.post(form_url(), {"period": f"{this_month():%m.%Y}"})

    assert response.status_code == 302
    enqueue.assert_called_once_with(period=this_month(), user=operator)


def test_a_refusal_of_the_service_is_shown_on_the_form(operator_client):
    with patch(SERVICE, side_effect=BillingRunRefused("Расчёт за январь 2020 уже выполняется.")):
        response = operator_client.post(form_url(), {"period": "01.2020"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Расчёт за январь 2020 уже выполняется." in html
    assert 'value="01.2020"' in html


def test_the_real_service_records_and_carries_out_the_run(
    operator_client, operator, django_capture_on_commit_callbacks
):
    # No broker in tests: Celery runs the task inline once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(form_url(), {"period": "01.2020"}, follow=True)

    run = BillingRun.objects.get()
    assert (run.period, run.started_by, run.status) == (datetime.date(2020, 1, 1), operator, BillingRun.Status.DONE)
    assert response.redirect_chain[-1][0] == reverse("backoffice_billing_runs:inspect", args=[run.pk])
    assert "январь 2020" in response.content.decode()


def test_staff_without_the_permission_is_refused(client):
    clerk = UserFactory(is_staff=True)
    grant(clerk, "wagtailadmin.access_admin", "backoffice.view_billingrun")
    client.force_login(clerk)

    with patch(SERVICE) as enqueue:
        opened = client.get(form_url())
        posted = client.post(form_url(), {"period": "01.2020"})

    assert opened.status_code == 302
    assert opened["Location"] == reverse("wagtailadmin_home")
    assert posted.status_code == 302
    enqueue.assert_not_called()


def test_not_staff_at_all_is_sent_to_the_login(client):
    client.force_login(UserFactory())

    response = client.get(form_url())

    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response["Location"]


def test_a_billing_operator_with_the_permission_may_run(client):
    billing_operator = UserFactory(is_staff=True)
    grant(billing_operator, "wagtailadmin.access_admin", "backoffice.add_billingrun")
    client.force_login(billing_operator)

    assert client.get(form_url()).status_code == 200


def billing_menu_labels(user) -> list[str]:
    request = RequestFactory().get("/admin/")
    request.user = user
    groups = {item.name: item for item in admin_menu.menu_items_for_request(request)}
    if "backoffice-billing" not in groups:
        return []
    return [str(item.label) for item in groups["backoffice-billing"].menu.menu_items_for_request(request)]


def test_menu_item_is_under_billing_for_those_who_may_run():
    viewer = UserFactory(is_staff=True)
    grant(viewer, "wagtailadmin.access_admin", "backoffice.view_billingrun")

    assert "Запустить расчёт" in billing_menu_labels(UserFactory(is_staff=True, is_superuser=True))
    assert billing_menu_labels(viewer) == ["Расчёты периодов"]


def test_billing_run_list_links_to_the_form(operator_client):
    html = operator_client.get(reverse("backoffice_billing_runs:index")).content.decode()

    assert f'href="{form_url()}"' in html
    assert "Запустить расчёт" in html


def test_billing_run_list_hides_the_link_from_viewers(client):
    viewer = UserFactory(is_staff=True)
    grant(viewer, "wagtailadmin.access_admin", "backoffice.view_billingrun")
    client.force_login(viewer)

    html = client.get(reverse("backoffice_billing_runs:index")).content.decode()

    assert form_url() not in html


def test_the_right_to_run_is_offered_in_the_group_editor():
    from wagtail import hooks

    form_url()  # loading the admin URLs registers the viewsets and their permissions
    codenames = {permission.codename for hook in hooks.get_hooks("register_permissions") for permission in hook()}

    assert {"add_billingrun", "view_billingrun"} <= codenames
    assert "change_billingrun" not in codenames
    assert "change_document" not in codenames
    assert {"view_document", "change_customer", "delete_customer"} <= codenames
