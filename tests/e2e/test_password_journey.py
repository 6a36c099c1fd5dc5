"""A customer forgets the password, takes the code from the letter, watches the checklist tick and signs in anew."""

import re

import pytest
from captcha.models import CaptchaStore
from playwright.sync_api import expect

from backoffice.models import OutboxMessage
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NEW_PASSWORD = "Novyi-parol-2024"


def test_recovery_by_code_with_the_live_checklist(page):
    UserFactory(email="anna@example.test", first_name="Анна")

    page.goto(page.base_url + "/login/")
    page.get_by_role("link", name="Вспомнить пароль").click()
    page.get_by_label("Логин или e-mail").fill("anna@example.test")
    screenshot(page, "recovery-request")
    page.get_by_role("button", name="Восстановить").click()
    expect(page.get_by_role("heading", name="Восстановление пароля")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"Отправить ещё раз через 0:5\d"))).to_be_disabled()
    screenshot(page, "recovery-code")

    letter = OutboxMessage.objects.get(template="password_reset")
    code = re.search(r"Код: (\d{5})", letter.body).group(1)
    page.get_by_label("Введите код, отправленный на почту").fill(code)
    page.get_by_role("button", name="Подтвердить").click()

    checklist = page.locator("[data-password-checklist]")
    expect(checklist).to_contain_text("Требования к паролю")
    password = page.get_by_label(re.compile(r"^Пароль"))
    password.fill("abc")
    expect(checklist.locator("[data-rule=lower]")).to_have_class(re.compile("is-met"))
    expect(checklist.locator("[data-rule=upper]")).not_to_have_class(re.compile("is-met"))
    expect(checklist.locator("[data-rule=lower]")).to_contain_text("выполнено")
    password.fill("abc дом")
    expect(checklist.locator("[data-rule=latin]")).not_to_have_class(re.compile("is-met"))
    expect(checklist.locator("[data-rule=nospace]")).not_to_have_class(re.compile("is-met"))
    screenshot(page, "password-set-checklist")
    password.fill(NEW_PASSWORD)
    expect(checklist.locator("li.is-met")).to_have_count(6)
    page.get_by_label("Повторите пароль").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Изменить").click()
    expect(page.get_by_role("heading", name="Здравствуйте, Анна!")).to_be_visible()
    expect(page.get_by_text("Пароль успешно изменён.")).to_be_visible()


def test_the_captcha_appears_after_the_fourth_failure_and_its_picture_can_be_changed(page):
    UserFactory(email="anna@example.test")
    page.goto(page.base_url + "/login/")
    for _ in range(4):
        page.get_by_label("E-mail или логин").fill("anna@example.test")
        page.get_by_label(re.compile(r"^Пароль")).fill("wrong-Pass-1")
        page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("alert")).to_contain_text("Введите код с картинки")
    picture = page.get_by_role("img", name="Код с картинки")
    expect(picture).to_be_visible()
    first = picture.get_attribute("src")
    page.get_by_role("button", name="изменить картинку").click()
    expect(picture).not_to_have_attribute("src", first)
    screenshot(page, "login-captcha")

    key = page.locator("input[name=captcha_0]").input_value()
    page.get_by_label(re.compile(r"^Пароль")).fill(PASSWORD)
    page.get_by_label("Введите код с картинки").fill(CaptchaStore.objects.get(hashkey=key).response)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("heading", name=re.compile("Здравствуйте"))).to_be_visible()
