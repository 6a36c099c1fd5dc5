"""A customer opens the portal, mistypes the password, signs in and finds the menu."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, UserFactory

# serialized_rollback keeps the rows of data migrations (the home page) between journeys.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_customer_signs_in_and_sees_the_cabinet(page):
    UserFactory(email="anna@example.test", first_name="Анна", last_name="Петрова")

    page.goto(page.base_url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", name="Личный кабинет клиента")).to_be_visible()
    assert screenshot(page, "welcome").stat().st_size > 0

    page.goto(page.base_url + "/login/")
    expect(page.get_by_role("heading", name="Вход в личный кабинет")).to_be_visible()
    page.get_by_label("E-mail или логин").fill("anna@example.test")
    page.get_by_label("Пароль").fill("не тот пароль")
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("alert")).to_contain_text("Неверный e-mail, логин или пароль.")
    expect(page.get_by_label("E-mail или логин")).to_have_value("anna@example.test")
    screenshot(page, "login-error")

    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("heading", name="Здравствуйте, Анна!")).to_be_visible()

    if page.viewport_name == "phone":  # the menu hides behind the button on a phone
        page.get_by_role("button", name="Меню").click()
    nav = page.get_by_role("navigation", name="Разделы личного кабинета")
    for label in ("Оплата", "Показания", "Услуги", "История"):
        expect(nav.get_by_text(label, exact=True)).to_be_visible()
    nav.get_by_text("Ещё").click()
    for label in ("Обращения", "Карты", "Помощь"):
        expect(nav.get_by_text(label, exact=True)).to_be_visible()
    screenshot(page, "cabinet-menu")
