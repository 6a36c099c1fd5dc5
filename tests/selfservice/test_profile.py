"""«Профиль» (F-A6, seed 001 §13): the tabs, «Личные данные» edited in place, contacts and security switches."""

import re

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROFILE = reverse("selfservice:profile")


def page(response) -> str:
    return response.content.decode()


def visible_form_sections(html: str) -> list[str]:
    """The sections whose in-place form is shown (not `hidden`) when the page opens."""
    forms = re.findall(r'<form [^>]*data-inline-form[^>]*>.*?name="section" value="(\w+)"', html, flags=re.S)
    hidden = re.findall(r'<form [^>]*data-inline-form hidden>.*?name="section" value="(\w+)"', html, flags=re.S)
    return [section for section in forms if section not in hidden]


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(PROFILE)
    assert response.status_code == 302 and response.url.startswith(reverse("selfservice:login"))


def test_the_profile_shows_the_tabs_and_the_personal_data_with_edit_buttons(client):
    user = UserFactory(last_name="Петрова", first_name="Анна", middle_name="Сергеевна", organisation="ООО «Ромашка»")
    client.force_login(user)
    html = page(client.get(PROFILE))
    for tab in ("Личные данные", "Контакты", "Безопасность", "Сессии"):
        assert tab in html
    assert "Петрова Анна Сергеевна" in html and "ООО «Ромашка»" in html
    assert html.count(">Изменить<") == 4  # ФИО, Организация, Должность, Адрес
    assert "не указано" in html  # Должность and Адрес are empty
    assert visible_form_sections(html) == []  # the forms wait behind «Изменить»


def test_the_header_menu_links_to_the_profile(signed_in_client):
    assert f'href="{PROFILE}"' in page(signed_in_client.get(reverse("selfservice:profile_contacts")))


def test_without_javascript_the_edit_link_opens_that_form_in_place(signed_in_client):
    html = page(signed_in_client.get(PROFILE, {"edit": "address"}))
    assert visible_form_sections(html) == ["address"]
    assert 'name="address-address"' in html


def test_the_name_is_saved_and_the_profile_says_so(signed_in_client, user):
    response = signed_in_client.post(
        PROFILE,
        {"section": "name", "name-last_name": " Смирнова ", "name-first_name": "Ольга", "name-middle_name": ""},
        follow=True,
    )
    user.refresh_from_db()
    assert (user.last_name, user.first_name, user.middle_name) == ("Смирнова", "Ольга", "")
    assert "Профиль пользователя изменён" in page(response)
    assert "Смирнова Ольга" in page(response)


def test_one_section_changes_only_its_own_field(signed_in_client, user):
    signed_in_client.post(PROFILE, {"section": "position", "position-position": "Главный энергетик"})
    user.refresh_from_db()
    assert user.position == "Главный энергетик" and user.last_name == "Иванов" and user.organisation == ""


def test_an_empty_required_name_is_refused_and_what_was_typed_stays(signed_in_client, user):
    response = signed_in_client.post(
        PROFILE, {"section": "name", "name-last_name": "", "name-first_name": "Пётр", "name-middle_name": "Ильич"}
    )
    html = page(response)
    assert "Заполните поле" in html
    assert 'value="Пётр"' in html and 'value="Ильич"' in html
    assert visible_form_sections(html) == ["name"]  # the form stays open where it was
    user.refresh_from_db()
    assert (user.last_name, user.first_name) == ("Иванов", "Иван")  # nothing stored half-way
    assert "Иванов Иван Иванович" in html  # the header and the value still show what is saved


def test_an_address_that_is_too_long_is_refused(signed_in_client, user):
    response = signed_in_client.post(PROFILE, {"section": "address", "address-address": "д" * 501})
    assert "не более 500 символов" in page(response)
    user.refresh_from_db()
    assert user.address == ""


def test_an_unknown_section_changes_nothing(signed_in_client, user):
    response = signed_in_client.post(PROFILE, {"section": "email", "email-email": "x@example.test"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email.startswith("user")


def test_contacts_show_the_e_mail_and_phone_with_their_confirmation(client):
    user = UserFactory(email="anna@example.test", phone="+79001234567", phone_confirmed_at=None)
    client.force_login(user)
    html = page(client.get(reverse("selfservice:profile_contacts")))
    assert "anna@example.test" in html and "+7 900 123-45-67" in html
    assert "Подтверждён" in html and "Не подтверждён" in html  # e-mail yes, phone not yet
    assert reverse("selfservice:profile_email") in html and reverse("selfservice:profile_phone") in html


def test_the_advertising_consent_is_switched_on_and_off(signed_in_client, user):
    url = reverse("selfservice:profile_contacts")
    response = signed_in_client.post(url, {"advertising_consent": "on"}, follow=True)
    user.refresh_from_db()
    assert user.advertising_consent and "Настройки сохранены" in page(response)
    signed_in_client.post(url, {})
    user.refresh_from_db()
    assert not user.advertising_consent


def test_security_switches_the_confirmation_of_new_devices_and_links_the_password_change(signed_in_client, user):
    url = reverse("selfservice:profile_security")
    html = page(signed_in_client.get(url))
    assert "Запрашивать подтверждение при входе с нового устройства/браузера" in html
    assert reverse("selfservice:password_change") in html and reverse("selfservice:account_delete") in html
    signed_in_client.post(url, {"confirm_new_devices": "on"})
    user.refresh_from_db()
    assert user.confirm_new_devices


def test_an_unconfirmed_e_mail_is_pointed_out_on_the_profile(client):
    client.force_login(UserFactory(email_confirmed_at=None))
    html = page(client.get(PROFILE))
    assert "ещё не подтверждён" in html and reverse("selfservice:email_confirm") in html
