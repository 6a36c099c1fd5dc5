"""Cabinets (F-B1…F-B4) in a browser: a household links its ЛС by the control question; an organisation binds its
contract by the link sent to the contract's e-mail, makes a colleague Бухгалтер, and the colleague sees the
documents but not the readings."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from backoffice.models import OutboxMessage
from backoffice.models.choices import PaymentStatus
from tests.backoffice.factories import MeterFactory, PaymentFactory, PersonalAccountFactory
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, UserFactory
from tests.selfservice.cabinet import contract_with_sites
from workflows.models import AdministratorRequest
from workflows.services.grants import administrator_request_grant

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in(page, email: str) -> None:
    page.goto(page.base_url + "/login/")
    page.get_by_label("E-mail или логин").fill(email)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("link", name="Энергокабинет")).to_be_visible()


def sign_out(page) -> None:
    page.locator('summary[aria-label="Профиль"]').click()
    page.get_by_role("button", name="Выйти").click()


def test_a_household_links_its_account_by_the_last_payment(page):
    account = PersonalAccountFactory(number="100000555", address="г. Энергоград, Степная ул., д. 9, кв. 4")
    MeterFactory(account=account, serial="874100")
    PaymentFactory(account=account, amount=Decimal("1016.28"), status=PaymentStatus.POSTED)
    UserFactory(email="anna@example.test", first_name="Анна")
    sign_in(page, "anna@example.test")

    page.get_by_role("link", name="Добавить лицевой счет").first.click()
    expect(page.get_by_role("heading", name="Подключить лицевой счет")).to_be_visible()
    page.get_by_label("Номер лицевого счета").fill("100000555")
    page.get_by_label("Статус отношения к ЛС").select_option(label="Наниматель")
    page.get_by_label("Сумма последнего платежа").check()
    page.get_by_label("Ответ на контрольный вопрос").fill("1016,2")
    screenshot(page, "account-add")
    page.get_by_role("button", name="Подключить").click()

    expect(page.get_by_role("heading", name="Заявка на подключение отправлена")).to_be_visible()
    page.get_by_role("link", name="Попробовать ещё раз").click()
    page.get_by_label("Номер лицевого счета").fill("100000555")
    page.get_by_label("Ответ на контрольный вопрос").fill("1 016,28")
    page.get_by_label("Я согласен получать счета по e-mail").check()
    page.get_by_role("button", name="Подключить").click()

    expect(page.get_by_text("Лицевой счет № 100000555 успешно подключен.")).to_be_visible()
    page.get_by_label("Группа").fill("Квартира")
    page.get_by_label("Заметка").fill("Мамина квартира")
    screenshot(page, "account-added")
    page.get_by_role("button", name="Продолжить").click()

    expect(page.get_by_text("Лицевой счёт сохранён.")).to_be_visible()
    expect(page.get_by_text("Мамина квартира")).to_be_visible()
    page.get_by_role("link", name="Энергокабинет").click()
    expect(page.get_by_text("Степная ул., д. 9, кв. 4, Электроэнергия")).to_be_visible()
    screenshot(page, "account-home")


def confirmation_path(address: str) -> str:
    letter = OutboxMessage.objects.filter(recipient=address, template="contract_binding").latest("pk")
    return re.search(r"https?://[^/\s]+(/contracts/confirm/\S+/)", letter.body).group(1)


def test_an_organisation_binds_its_contract_and_makes_a_colleague_accountant(page):
    contract = contract_with_sites(energy_objects=2)
    contract_address = contract.emails.get().email
    UserFactory(email="director@company.example", first_name="Олег")
    UserFactory(email="buh@company.example", first_name="Ольга")
    sign_in(page, "director@company.example")

    page.goto(page.base_url + "/profile/contracts/")
    page.get_by_role("link", name="Добавить договор").first.click()
    expect(page.get_by_role("heading", name="Новый договор")).to_be_visible()
    page.get_by_label("Номер договора").fill(contract.number)
    page.get_by_label("Электронная почта").fill("wrong@company.example")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("alert")).to_contain_text("Договор с таким номером и e-mail не найден.")
    page.get_by_label("Электронная почта").fill(contract_address)
    screenshot(page, "contract-add")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Ожидает подтверждения")).to_be_visible()
    screenshot(page, "contract-waiting")

    page.goto(page.base_url + confirmation_path(contract_address))
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.get_by_role("heading", name=f"Договор № {contract.number}")).to_be_visible()
    expect(page.get_by_text("Руководитель").first).to_be_visible()
    screenshot(page, "contract-detail")

    # Only an Администратор gives roles: the director asks for the role, and the company's clerk grants it.
    page.get_by_role("link", name="Запросить доступ").click()
    page.get_by_label("Текст обращения").fill("Я директор организации, прошу роль администратора.")
    page.get_by_role("button", name="Отправить").click()
    expect(page.get_by_text("Обращение успешно отправлено.")).to_be_visible()
    expect(page.get_by_role("heading", name="[Новая] Права доступа")).to_be_visible()
    clerk = UserFactory(email="clerk@energosbyt.example", is_staff=True, is_superuser=True)
    administrator_request_grant(request=AdministratorRequest.objects.get(), by=clerk)
    page.goto(page.base_url + f"/contracts/{contract.number}/")

    page.get_by_role("link", name="Добавить роль").click()
    page.get_by_label("Роль").select_option(label="Бухгалтер")
    page.get_by_label("E-mail").fill("buh@company.example")
    first_site = page.get_by_label(re.compile(r"Цех № 2"))
    first_site.uncheck()
    expect(page.get_by_text("1 энергообъект", exact=True)).to_be_visible()
    first_site.check()
    expect(page.get_by_text("2 энергообъекта", exact=True)).to_be_visible()
    screenshot(page, "role-add")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Роль «Бухгалтер» назначена пользователю buh@company.example.")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("buh@company.example"))).to_be_visible()
    sign_out(page)

    sign_in(page, "buh@company.example")
    page.goto(page.base_url + "/profile/contracts/")
    page.get_by_role("link", name=contract.number).click()
    expect(page.get_by_role("heading", name="Документы")).to_be_visible()
    expect(page.get_by_text(f"СЧ-{contract.number}")).to_be_visible()
    expect(page.get_by_text("Последние показания")).to_have_count(0)
    expect(page.get_by_role("link", name="Добавить роль")).to_have_count(0)
    screenshot(page, "contract-accountant")
    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать PDF").first.click()
    assert download.value.suggested_filename.endswith(".pdf")
