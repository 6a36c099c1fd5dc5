"""«Профиль» in a browser: «Изменить» turns a value into its form in place, a mistake keeps the text, the sessions
list shows this browser as «Текущая», and a new phone number waits for its SMS code with the countdown.
"""

import re

import pytest
from playwright.sync_api import expect

from backoffice.models import OutboxMessage
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in(page, email: str) -> None:
    page.goto(page.base_url + "/login/")
    page.get_by_label("E-mail или логин").fill(email)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("link", name="Энергокабинет")).to_be_visible()


def test_customer_edits_the_profile_in_place_and_checks_the_sessions(page):
    UserFactory(email="anna@example.test", last_name="Петрова", first_name="Анна", middle_name="")
    sign_in(page, "anna@example.test")

    page.goto(page.base_url + "/profile/")
    expect(page.get_by_role("heading", name="Личные данные")).to_be_visible()
    screenshot(page, "profile-personal")

    name_row = page.locator("#section-name")
    name_row.get_by_role("link", name="Изменить").click()
    expect(page).to_have_url(re.compile(r"/profile/$"))  # opened in place, no page load
    last_name = name_row.get_by_label("Фамилия")
    expect(last_name).to_be_focused()
    last_name.fill("")
    name_row.get_by_label("Отчество").fill("Сергеевна")
    screenshot(page, "profile-inline-edit")
    name_row.get_by_role("button", name="Сохранить").click()
    expect(page.locator("#section-name .field__error").first).to_have_text("Заполните поле")
    expect(page.locator("#section-name").get_by_label("Отчество")).to_have_value("Сергеевна")
    screenshot(page, "profile-inline-error")

    page.locator("#section-name").get_by_label("Фамилия").fill("Смирнова")
    page.locator("#section-name").get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Профиль пользователя изменён")).to_be_visible()
    expect(page.locator("#section-name")).to_contain_text("Смирнова Анна Сергеевна")

    page.get_by_role("link", name="Сессии").click()
    expect(page.get_by_role("heading", name="Сессии")).to_be_visible()
    expect(page.get_by_text("Текущая")).to_be_visible()
    expect(page.locator(".sessions-table")).to_contain_text("Chrom")
    screenshot(page, "profile-sessions")


def test_customer_changes_the_phone_with_the_sms_code(page):
    UserFactory(email="oleg@example.test", phone="+79001234567")
    sign_in(page, "oleg@example.test")

    page.goto(page.base_url + "/profile/contacts/")
    screenshot(page, "profile-contacts")
    page.get_by_role("link", name=re.compile(r"Изменить\s*:\s*Телефон")).click()
    page.get_by_label("Номер телефона").fill("+7 912 345-67-89")
    page.get_by_role("button", name="Выслать код подтверждения").click()
    expect(page.get_by_text("СМС с кодом подтверждения было отправлено на номер: +79123456789!")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"Отправить ещё раз через 0:5\d"))).to_be_disabled()
    screenshot(page, "profile-phone-code")

    sms = OutboxMessage.objects.get(channel="sms")
    page.get_by_label("Код подтверждения").fill(re.search(r"\d{5}", sms.body).group())
    page.get_by_role("button", name="Проверить код").click()
    expect(page.get_by_text("Номер телефона подтверждён и сохранён в профиле.")).to_be_visible()
    expect(page.get_by_text("+7 912 345-67-89")).to_be_visible()
