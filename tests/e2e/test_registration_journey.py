"""A newcomer registers, confirms the e-mail with the code from the letter, introduces herself, signs out and in."""

import re

import pytest
from playwright.sync_api import expect

from backoffice.models import OutboxMessage
from tests.e2e.conftest import screenshot

# serialized_rollback keeps the rows of data migrations (the home page) between journeys.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EMAIL = "anna.petrova@example.test"
PASSWORD = "Morning-Tea-42"


def code_from_the_letter() -> str:
    letter = OutboxMessage.objects.filter(recipient=EMAIL, template="email_code").latest("pk")
    return re.search(r"адреса электронной почты: (\d{5})", letter.body).group(1)


def test_newcomer_registers_confirms_introduces_and_signs_in_again(page):
    page.goto(page.base_url + "/")
    page.get_by_role("link", name="Регистрация").click()
    expect(page.get_by_role("heading", name="Регистрация")).to_be_visible()

    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page.get_by_role("alert")).to_contain_text("Проверьте поля, отмеченные ниже.")
    expect(page.get_by_text("Заполните поле").first).to_be_visible()
    screenshot(page, "register-errors")

    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label(re.compile(r"^Пароль")).fill(PASSWORD)
    page.get_by_label("Повторите пароль").fill(PASSWORD)
    page.get_by_label("Я принимаю").check()
    screenshot(page, "register-filled")
    page.get_by_role("button", name="Зарегистрироваться").click()

    expect(page.get_by_text("Введите код, отправленный на почту")).to_be_visible()
    expect(page.get_by_text(EMAIL)).to_be_visible()
    resend = page.get_by_role("button", name=re.compile("Отправить ещё раз через 0:5"))
    expect(resend).to_be_disabled()
    screenshot(page, "register-code")

    page.get_by_label("Введите код, отправленный на почту").fill(code_from_the_letter())
    page.get_by_role("button", name="Подтвердить").click()

    expect(page.get_by_role("heading", name="Давайте познакомимся")).to_be_visible()
    expect(page.get_by_text("Адрес электронной почты подтвержден успешно")).to_be_visible()
    page.get_by_label("Фамилия").fill("Петрова")
    page.get_by_label(re.compile(r"^Имя")).fill("Анна")
    page.get_by_label("Телефон").fill("+7 912 345-67-89")
    screenshot(page, "introduce")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("heading", name="Здравствуйте, Анна!")).to_be_visible()
    expect(page.get_by_text("Подтвердите e-mail, чтобы пользоваться всеми возможностями кабинета")).to_have_count(0)

    page.locator('summary[aria-label="Профиль"]').click()
    page.get_by_role("button", name="Выйти").click()
    expect(page.get_by_role("heading", name="Вход в личный кабинет")).to_be_visible()

    page.get_by_label("E-mail или логин").fill(EMAIL)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("heading", name="Здравствуйте, Анна!")).to_be_visible()
    screenshot(page, "registered-cabinet")
