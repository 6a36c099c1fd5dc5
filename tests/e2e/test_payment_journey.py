"""Paying in a browser (F-E1…F-E4, F-D1…F-D7): an accountant pays one invoice through the sandbox bank with its
3-D Secure step and sees the payment and its cheque; a household looks through its balance, history, receipt,
«Реквизиты ЛС» and «Статистика»; a card is registered and a failed registration says so."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from backoffice.acquiring.sandbox.bank import ACS_CODE
from backoffice.models import DocumentLine, Payment
from backoffice.models.choices import DocumentType, PaymentStatus, SalesKind, Zone
from backoffice.services.balances import balances_refresh
from backoffice.services.periods import add_months, month_start
from tests.backoffice.factories import (
    ContractFactory,
    DocumentFactory,
    MeterFactory,
    PaymentFactory,
    PersonalAccountFactory,
    ReadingFactory,
    TariffFactory,
)
from tests.e2e.conftest import screenshot
from tests.e2e.test_cabinet_journey import sign_in
from tests.factories import UserFactory
from tests.selfservice.cabinet import Role, give_role, link_account

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def this_month() -> datetime.date:
    return month_start(datetime.date.today())


def test_an_accountant_pays_an_invoice_through_the_bank_with_3d_secure(page):
    contract = ContractFactory(number="78010000002778")
    last = add_months(this_month(), -1)
    for months_ago, amount in ((2, "478379.00"), (1, "637839.00")):
        period = add_months(this_month(), -months_ago)
        DocumentFactory(
            account=None,
            contract=contract,
            type=DocumentType.INVOICE,
            number=f"1270070214{months_ago}2",
            period=period,
            issued_on=period,
            amount=Decimal(amount),
            due_date=add_months(period, 1).replace(day=18),
        )
    for months_ago in range(8, 2, -1):  # half a year of tax invoices, paid: the bars of «График счетов и оплат»
        period = add_months(this_month(), -months_ago)
        amount = Decimal(400000 + months_ago * 23517)
        DocumentFactory(
            account=None, contract=contract, type=DocumentType.TAX_INVOICE, number=f"СФ-{period:%y%m}", period=period,
            issued_on=period, amount=amount, amount_due=0, due_date=add_months(period, 1).replace(day=18),
        )  # fmt: skip
        PaymentFactory(
            account=None, contract=contract, paid_on=add_months(period, 1).replace(day=15), amount=amount, unallocated=0
        )
    PaymentFactory(account=None, contract=contract, paid_on=last, amount=Decimal("200000"), status=PaymentStatus.POSTED)
    balances_refresh(contract_ids=[contract.pk])
    user = UserFactory(email="buh@company.example", first_name="Ольга")
    give_role(user, contract, Role.ACCOUNTANT)
    sign_in(page, "buh@company.example")

    page.get_by_role("link", name="Оплата", exact=True).first.click()
    expect(page.get_by_role("heading", name="Оплата", exact=True)).to_be_visible()
    expect(page.get_by_text("Счёт на оплату № 127007021412")).to_be_visible()
    expect(page.get_by_text("1 116 218,00 ₽").first).to_be_visible()
    expect(page.get_by_text("График счетов и оплат")).to_be_visible()
    screenshot(page, "payments")

    # «Все документы» and the ticks change «К оплате».
    page.get_by_label(re.compile("Счёт на оплату № 127007021422")).uncheck()
    expect(page.get_by_text("637 839,00 ₽").last).to_be_visible()
    page.get_by_label(re.compile("Все документы")).check()
    expect(page.locator("[data-pay-total]")).to_have_text("1 116 218,00 ₽")

    page.locator("tr", has_text="127007021412").get_by_role("link", name="Оплатить").click()
    expect(page.get_by_role("heading", name="Реквизиты оплаты")).to_be_visible()
    expect(
        page.get_by_text("Оплата по документу «Счёт на оплату № 127007021412», договор № 78010000002778")
    ).to_be_visible()
    expect(page.get_by_label("К оплате")).to_be_disabled()
    expect(page.get_by_label("Отправить чек на")).to_have_value("buh@company.example")
    page.get_by_role("button", name="Перейти к оплате").click()
    expect(page.get_by_role("alert")).to_contain_text("согласитесь с условиями оплаты")
    page.get_by_label(re.compile("Я согласен с")).check()
    screenshot(page, "payment-requisites")
    page.get_by_role("button", name="Перейти к оплате").click()

    expect(page.get_by_role("heading", name="Оплата картой")).to_be_visible()
    expect(page.get_by_text("637 839,00 ₽")).to_be_visible()
    page.get_by_label("Номер карты").fill("4111 1111 1111 1112")
    page.get_by_label("CVV2").fill("123")
    page.get_by_role("button", name="Оплатить").click()
    expect(page.get_by_text("Неверный номер карты. Проверьте цифры.")).to_be_visible()
    page.get_by_label("Номер карты").fill("4111 1111 1111 1111")
    page.get_by_label("Месяц").select_option("12")
    page.get_by_label("Год").select_option(str(datetime.date.today().year + 2))
    page.get_by_label("CVV2").fill("123")
    screenshot(page, "sandbox-card")
    page.get_by_role("button", name="Оплатить").click()

    expect(page.get_by_role("heading", name="Подтверждение покупки")).to_be_visible()
    page.get_by_label("Код из SMS").fill("00000")
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.get_by_text("Неверный код. Осталось попыток: 2.")).to_be_visible()
    page.get_by_label("Код из SMS").fill(ACS_CODE)
    screenshot(page, "sandbox-3ds")
    page.get_by_role("button", name="Подтвердить").click()

    expect(page.get_by_role("heading", name="Оплата проведена")).to_be_visible()
    expect(page.get_by_text("Проведён").first).to_be_visible()
    expect(page.get_by_text("****1111")).to_be_visible()
    screenshot(page, "payment-result")
    payment = Payment.objects.get(channel="portal")
    assert payment.status == PaymentStatus.POSTED and payment.amount == Decimal("637839.00")
    assert contract.documents.get(number="127007021412").amount_due == 0

    cheque = page.request.get(page.base_url + f"/history/payments/{payment.pk}/receipt/")
    assert cheque.ok and cheque.headers["content-type"] == "application/pdf"
    page.get_by_role("link", name="История платежей").click()
    expect(page.get_by_role("heading", name=re.compile(rf"№ {payment.number}"))).to_be_visible()
    expect(page.locator(f"#payment-{payment.pk}").get_by_text("Проведён")).to_be_visible()
    expect(page.locator(f"#payment-{payment.pk}").get_by_role("link", name="Чек об оплате")).to_be_visible()
    screenshot(page, "history-payments")

    page.get_by_role("link", name="Документы").click()
    expect(page.get_by_text("Счёт на оплату № 127007021422")).to_be_visible()
    screenshot(page, "history-documents")


def test_a_household_sees_its_debt_history_receipt_requisites_and_statistics(page):
    account = PersonalAccountFactory(number="100000001", address="г. Энергоград, Степная ул., д. 9, кв. 4")
    meter = MeterFactory(account=account, serial="874100", place="Лестничная площадка")
    group = account.customer.group
    TariffFactory(
        group=group, rate=Decimal("5.12"), valid_from=datetime.date(2024, 1, 1), valid_to=datetime.date(2025, 6, 30)
    )
    TariffFactory(group=group, rate=Decimal("5.48"), valid_from=datetime.date(2025, 7, 1))
    value = Decimal("8000")
    for months_ago in range(12, 0, -1):
        period = add_months(this_month(), -months_ago)
        kwh = Decimal(150 + (months_ago * 37) % 120)
        value += kwh
        ReadingFactory(
            meter=meter, zone=Zone.ROUND_THE_CLOCK, value=value, taken_on=period.replace(day=24), billed_period=period
        )
        receipt = DocumentFactory(
            account=account,
            number=f"КВ-{period:%y%m}",
            period=period,
            issued_on=add_months(period, 1),
            amount=kwh * Decimal("5.48"),
            amount_due=kwh * Decimal("5.48") if months_ago <= 2 else 0,
            due_date=add_months(period, 1).replace(day=10),
            opening_balance=Decimal("0"),
            payments_counted=Decimal("0"),
        )
        DocumentLine.objects.create(
            document=receipt, description="Круглосуточная", zone=Zone.ROUND_THE_CLOCK, consumption=kwh,
            rate=Decimal("5.48"), amount=receipt.amount,
        )  # fmt: skip
        if months_ago > 2:
            PaymentFactory(
                account=account, paid_on=add_months(period, 1).replace(day=5), amount=receipt.amount, unallocated=0
            )
    DocumentFactory(
        account=account, number="ПН-1", type=DocumentType.PENALTY_CLAIM, sales_kind=SalesKind.PENALTY,
        period=add_months(this_month(), -1), amount=Decimal("51.74"),
    )  # fmt: skip
    balances_refresh(account_ids=[account.pk])
    user = UserFactory(email="anna@example.test", first_name="Анна")
    link_account(user, account)
    sign_in(page, "anna@example.test")

    expect(page.get_by_text("Электроэнергия - Оплата")).to_be_visible()
    expect(page.get_by_text("Ваша задолженность составляет")).to_be_visible()
    screenshot(page, "household-home")
    page.get_by_role("link", name="Оплата", exact=True).first.click()
    expect(page.get_by_text("не включая пени").last).to_be_visible()
    screenshot(page, "household-payments")

    page.get_by_role("link", name="История", exact=True).first.click()
    expect(page.get_by_text("Информация о действиях абонента")).to_be_visible()
    expect(page.get_by_text("ПЕЧАТЬ КВИТАНЦИИ").first).to_be_visible()
    screenshot(page, "household-events")
    page.get_by_text("Детализация").first.click()
    expect(page.get_by_text("Расход").first).to_be_visible()
    page.get_by_role("link", name="Счета", exact=True).click()
    expect(page.get_by_text("Счета абонента")).to_be_visible()
    screenshot(page, "household-bills")
    page.get_by_role("link", name=re.compile(r"^КВ-")).first.click()
    expect(page.get_by_text("Всего начислено за текущий период")).to_be_visible()
    screenshot(page, "household-receipt")

    page.get_by_role("link", name="Реквизиты ЛС").click()
    expect(page.get_by_text("Значность счетчика")).to_be_visible()
    page.get_by_text("История Тарифов").click()
    expect(page.get_by_text("01.07.2025")).to_be_visible()
    screenshot(page, "household-requisites")
    page.get_by_role("link", name="Статистика").click()
    expect(page.get_by_text("Наибольшее потребление")).to_be_visible()
    screenshot(page, "household-statistics")


def test_a_card_is_added_and_a_failed_attempt_says_so(page):
    UserFactory(email="anna@example.test", first_name="Анна")
    sign_in(page, "anna@example.test")

    page.goto(page.base_url + "/cards/")
    page.get_by_role("button", name="Добавить карту").click()
    expect(page.get_by_role("heading", name="Регистрация карты")).to_be_visible()
    page.get_by_role("button", name="Вернуться").click()
    expect(page.get_by_text("Не удалось добавить карту")).to_be_visible()
    screenshot(page, "cards-failed")
    page.get_by_role("link", name="Ок", exact=True).click()
    expect(page.get_by_text("Не удалось добавить карту")).to_have_count(0)

    page.get_by_role("button", name="Добавить карту").click()
    page.get_by_label("Номер карты").fill("2200 0000 0000 0004")
    page.get_by_label("Год").select_option(str(datetime.date.today().year + 3))
    page.get_by_label("Имя на карте").fill("anna petrova")
    page.get_by_label("CVV2").fill("321")
    page.get_by_label(re.compile("Публичной оферты")).check()
    screenshot(page, "sandbox-card-registration")
    page.get_by_role("button", name="Зарегистрировать").click()
    page.get_by_label("Код из SMS").fill(ACS_CODE)
    page.get_by_role("button", name="Подтвердить").click()

    expect(page.get_by_text("Карта ****0004 добавлена.")).to_be_visible()
    expect(page.get_by_text("МИР")).to_be_visible()
    screenshot(page, "cards")
