"""«Профиль» → «Уведомления» (F-H3, seed 001 §13.1.5): the choices are saved and every delivery obeys them."""

import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice.models import Notification, NotificationSettings, OutboxMessage, OwnerNotificationSetting
from backoffice.services.notifications import notification_send, reading_reminder_days
from tests.backoffice.factories import ContractFactory, PersonalAccountFactory
from tests.factories import UserFactory
from tests.selfservice.cabinet import give_role, link_account

pytestmark = pytest.mark.django_db
Kind = Notification.Kind
URL = "selfservice:notification_settings"


def letters(user, channel="email"):
    return OutboxMessage.objects.filter(user=user, channel=channel)


def settings_form(**changes) -> dict:
    """The «Уведомления» block as the page posts it with the defaults, then `changes` (False drops a checkbox)."""
    data = {
        "block": "settings",
        "email_enabled": "on",
        "reading_start_reminder": "on",
        "reading_start_days": "4",
        "reading_end_reminder": "on",
        "reading_end_days": "2",
    }
    for kind in Kind.values:
        data[f"{kind}__in_app"] = "on"
        if kind != Kind.PROFILE_CHANGED:
            data[f"{kind}__email"] = "on"
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def test_by_default_a_notification_goes_to_the_cabinet_and_the_confirmed_email(user):
    notification = notification_send(user=user, kind=Kind.CONTRACT_ADDED, title="Вам добавлен договор № 78010000000487")
    assert notification.title == "Вам добавлен договор № 78010000000487"
    [letter] = letters(user)
    assert letter.subject == "Вам добавлен договор № 78010000000487" and letter.recipient == user.email
    assert notification.email_message == letter
    assert not letters(user, "sms").exists()  # SMS only when chosen


def test_an_unconfirmed_email_gets_no_letter():
    user = UserFactory(email_confirmed_at=None)
    notification_send(user=user, kind=Kind.PAYMENT, title="Оплата проведена")
    assert Notification.objects.filter(user=user).count() == 1 and not letters(user).exists()


def test_a_deleted_cabinet_is_told_nothing():
    user = UserFactory(anonymised_at=timezone.now())
    assert notification_send(user=user, kind=Kind.MESSAGE, title="Сообщение") is None
    assert not Notification.objects.filter(user=user).exists() and not letters(user).exists()


def test_the_page_saves_the_choices_per_kind_and_channel(signed_in_client, user):
    response = signed_in_client.post(
        reverse(URL), settings_form(**{"invoice__email": False, "payment__in_app": False}), follow=True
    )
    assert "Настройки уведомлений сохранены" in response.content.decode()
    stored = NotificationSettings.objects.get(user=user).channels
    assert stored == {"invoice": {"email": False}, "payment": {"in_app": False}}

    notification_send(user=user, kind=Kind.INVOICE, title="Выставлен счёт № СУ-000001-26")
    notification_send(user=user, kind=Kind.PAYMENT, title="Оплата 1 500,00 ₽ проведена")
    assert list(Notification.objects.filter(user=user).values_list("title", flat=True)) == [
        "Выставлен счёт № СУ-000001-26"
    ]
    assert list(letters(user).values_list("subject", flat=True)) == ["Оплата 1 500,00 ₽ проведена"]


def test_the_master_email_switch_stops_every_letter(signed_in_client, user):
    signed_in_client.post(reverse(URL), settings_form(email_enabled=False))
    notification_send(user=user, kind=Kind.CONTRACT_ADDED, title="Вам добавлен договор")
    notification_send(user=user, kind=Kind.MESSAGE, title="Сообщение от компании")
    assert Notification.objects.filter(user=user).count() == 2
    assert not letters(user).exists()


def test_sms_only_to_a_confirmed_phone(signed_in_client):
    confirmed = UserFactory(phone="+79001112233", phone_confirmed_at=timezone.now())
    signed_in_client.force_login(confirmed)
    page = signed_in_client.get(reverse(URL)).content.decode()
    assert "debt__sms" in page
    signed_in_client.post(reverse(URL), settings_form(debt__sms="on"))
    notification_send(user=confirmed, kind=Kind.DEBT, title="Задолженность 2 300,00 ₽")
    [sms] = letters(confirmed, "sms")
    assert sms.recipient == "+79001112233" and "Задолженность 2 300,00 ₽" in sms.body

    unconfirmed = UserFactory(phone="+79004445566", phone_confirmed_at=None)
    NotificationSettings.objects.create(user=unconfirmed, channels={"debt": {"sms": True}})
    notification_send(user=unconfirmed, kind=Kind.DEBT, title="Задолженность")
    assert not letters(unconfirmed, "sms").exists()
    signed_in_client.force_login(unconfirmed)
    page = signed_in_client.get(reverse(URL)).content.decode()
    assert "debt__sms" not in page and "SMS доступны после подтверждения номера телефона" in page


def test_company_messages_always_reach_the_cabinet(signed_in_client, user):
    signed_in_client.post(reverse(URL), settings_form(message__in_app=False))
    assert notification_send(user=user, kind=Kind.MESSAGE, title="Сообщение") is not None


def test_about_invoices_and_payments_per_contract_and_account(signed_in_client, user):
    contract = ContractFactory(number="78010000000487")
    account = PersonalAccountFactory(number="100000555")
    give_role(user, contract)
    link_account(user, account)
    page = signed_in_client.get(reverse(URL)).content.decode()
    assert "Уведомления о выставленных счетах и оплате" in page and "О счетах" in page and "Об оплате" in page
    response = signed_in_client.post(
        reverse(URL),
        {"block": "owners", f"contract-{contract.pk}__payments": "on", f"account-{account.pk}__invoices": "on"},
        follow=True,
    )
    assert "Настройки уведомлений сохранены" in response.content.decode()
    assert OwnerNotificationSetting.objects.get(user=user, contract=contract).invoices is False

    notification_send(user=user, kind=Kind.INVOICE, title="Счёт по договору", contract=contract)
    notification_send(user=user, kind=Kind.PAYMENT, title="Оплата по договору", contract=contract)
    notification_send(user=user, kind=Kind.INVOICE, title="Счёт по ЛС", account=account)
    notification_send(user=user, kind=Kind.PAYMENT, title="Оплата по ЛС", account=account)
    titles = set(Notification.objects.filter(user=user).values_list("title", flat=True))
    assert titles == {"Оплата по договору", "Счёт по ЛС"}
    assert set(letters(user).values_list("subject", flat=True)) == {"Оплата по договору", "Счёт по ЛС"}


def test_someone_elses_contract_cannot_be_switched(signed_in_client, user):
    foreign = ContractFactory()
    signed_in_client.post(reverse(URL), {"block": "owners", f"contract-{foreign.pk}__invoices": "on"})
    assert not OwnerNotificationSetting.objects.filter(contract=foreign).exists()


def test_advertising_consent_and_reminder_days(signed_in_client, user):
    signed_in_client.post(
        reverse(URL),
        settings_form(
            advertising_consent="on", reading_start_days="15", reading_end_reminder=False, reading_end_days="1"
        ),
    )
    user.refresh_from_db()
    assert user.advertising_consent is True
    assert reading_reminder_days(user=user) == {"start": 15, "end": None}


def test_a_reminder_day_outside_1_to_15_is_refused_and_the_form_keeps_the_rest(signed_in_client, user):
    response = signed_in_client.post(reverse(URL), settings_form(reading_start_days="16", email_enabled=False))
    page = response.content.decode()
    assert response.status_code == 200 and "Выберите корректный вариант" in page
    assert 'name="email_enabled"' in page and 'id="id_email_enabled" checked' not in page  # kept as typed: off
    assert not NotificationSettings.objects.filter(user=user).exists()
