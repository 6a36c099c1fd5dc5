"""Paying from the portal (F-E1…F-E3): the three ways to pay, «Реквизиты оплаты», who may pay, the return from the
bank, «Чек об оплате», and what the balance is afterwards."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from backoffice.acquiring import AcquiringUnavailable
from backoffice.acquiring.sandbox.provider import SandboxProvider
from backoffice.models import AcquiringOrder, Balance, Document, Payment
from backoffice.models.choices import DocumentType, PaymentStatus, SalesKind
from backoffice.services.balances import balances_refresh
from tests.backoffice.acquiring import DECLINE_CARD, bank_delivers_to_test_client, pay_at_bank
from tests.backoffice.factories import ContractFactory, DocumentFactory, PersonalAccountFactory
from tests.factories import UserFactory
from tests.selfservice.cabinet import Role, give_role, link_account

pytestmark = pytest.mark.django_db
FORM = {"receipt_email": "buh@company.example", "method": "new", "agree": "on"}


@pytest.fixture
def bank_notifies(monkeypatch, django_capture_on_commit_callbacks):
    bank_delivers_to_test_client(monkeypatch)
    return django_capture_on_commit_callbacks


@pytest.fixture
def contract():
    contract = ContractFactory(number="78010000002778")
    for index, (amount, due) in enumerate(
        [("1000.00", datetime.date(2026, 9, 18)), ("2000.00", datetime.date(2026, 10, 18)), ("3000.00", None)], 1
    ):
        DocumentFactory(
            account=None,
            contract=contract,
            type=DocumentType.TAX_INVOICE,
            number=f"СФ-{index}",
            period=datetime.date(2026, 7 + index, 1),
            amount=Decimal(amount),
            due_date=due or datetime.date(2026, 11, 18),
        )
    balances_refresh(contract_ids=[contract.pk])
    return contract


@pytest.fixture
def accountant(contract):
    user = UserFactory(email="buh@company.example")
    give_role(user, contract, Role.ACCOUNTANT)
    return user


@pytest.fixture
def account():
    account = PersonalAccountFactory(number="100000001")
    DocumentFactory(account=account, number="КВ-1", period=datetime.date(2026, 9, 1), amount=Decimal("500.00"))
    DocumentFactory(account=account, number="КВ-2", period=datetime.date(2026, 10, 1), amount=Decimal("454.60"))
    DocumentFactory(
        account=account,
        number="ПН-1",
        type=DocumentType.PENALTY_CLAIM,
        sales_kind=SalesKind.PENALTY,
        period=datetime.date(2026, 10, 1),
        amount=Decimal("51.74"),
    )
    balances_refresh(account_ids=[account.pk])
    return account


@pytest.fixture
def household(account):
    user = UserFactory(email="anna@example.test")
    link_account(user, account)
    return user


def due(number) -> Decimal:
    return Document.objects.get(number=number).amount_due


def pay_through_the_bank(client, response, bank_notifies, **bank):
    """Follow «Перейти к оплате» to the sandbox bank, pay there, come back; returns the result page."""
    assert response.status_code == 302, response.content.decode()[:2000]
    order = AcquiringOrder.objects.latest("pk")
    assert response["Location"] == order.payment_url
    with bank_notifies(execute=True):
        back = pay_at_bank(client, order, **bank)
    return client.get(back["Location"])


def test_paying_the_debt_preselects_every_document_and_lets_the_amount_change(client, accountant, bank_notifies):
    client.force_login(accountant)
    url = reverse("selfservice:payment_contract", args=["78010000002778"])

    form = client.get(url).content.decode()
    assert "Реквизиты оплаты" in form
    assert "Оплата задолженности по договору № 78010000002778" in form
    assert 'value="6000,00"' in form and "СФ-1" in form and "СФ-3" in form
    assert 'value="buh@company.example"' in form

    result = pay_through_the_bank(client, client.post(url, {**FORM, "amount": "2 500,00"}), bank_notifies)

    assert "Оплата проведена" in result.content.decode()
    assert [due("СФ-1"), due("СФ-2"), due("СФ-3")] == [0, Decimal("500.00"), Decimal("3000.00")]
    payment = Payment.objects.get(contract__number="78010000002778")
    assert payment.amount == Decimal("2500.00") and payment.purpose.startswith("Оплата задолженности")


def test_ticked_documents_are_the_ones_paid(client, accountant, bank_notifies):
    client.force_login(accountant)
    third = Document.objects.get(number="СФ-3")
    url = reverse("selfservice:payment_contract", args=["78010000002778"]) + f"?documents={third.pk}"

    assert 'value="3000,00"' in client.get(url).content.decode()
    pay_through_the_bank(client, client.post(url, {**FORM, "amount": "3000"}), bank_notifies)

    assert [due("СФ-1"), due("СФ-2"), due("СФ-3")] == [Decimal("1000.00"), Decimal("2000.00"), 0]


def test_paying_more_than_the_ticked_documents_leaves_an_advance(client, accountant, contract, bank_notifies):
    client.force_login(accountant)
    first = Document.objects.get(number="СФ-1")
    url = reverse("selfservice:payment_contract", args=[contract.number]) + f"?documents={first.pk}"

    pay_through_the_bank(client, client.post(url, {**FORM, "amount": "1200"}), bank_notifies)

    balances = dict(Balance.objects.filter(contract=contract).values_list("sales_kind", "amount"))
    assert balances == {SalesKind.MAIN: Decimal("5000.00"), SalesKind.ADVANCE: Decimal("-200.00")}


def test_one_document_is_paid_at_its_own_amount_whatever_is_typed(client, accountant, bank_notifies):
    client.force_login(accountant)
    second = Document.objects.get(number="СФ-2")
    url = reverse("selfservice:payment_document", args=[second.pk])

    form = client.get(url).content.decode()
    assert "Оплата по документу «Счёт-фактура № СФ-2», договор № 78010000002778" in form
    assert "Сумма документа не меняется" in form and "disabled" in form
    pay_through_the_bank(client, client.post(url, {**FORM, "amount": "1,00"}), bank_notifies)

    assert Payment.objects.get().amount == Decimal("2000.00")
    assert [due("СФ-1"), due("СФ-2"), due("СФ-3")] == [Decimal("1000.00"), 0, Decimal("3000.00")]


def test_any_amount_is_a_prepayment_kept_as_the_contracts_advance(client, accountant, contract, bank_notifies):
    client.force_login(accountant)
    url = reverse("selfservice:payment_contract", args=[contract.number]) + "?mode=prepayment"

    form = client.get(url).content.decode()
    assert "Оплата по договору № 78010000002778" in form
    assert "будет учтена при расчёте задолженности в следующем месяце" in form
    pay_through_the_bank(client, client.post(url, {**FORM, "amount": "10000.5"}), bank_notifies)

    assert [due("СФ-1"), due("СФ-2"), due("СФ-3")] == [Decimal("1000.00"), Decimal("2000.00"), Decimal("3000.00")]
    balances = dict(Balance.objects.filter(contract=contract).values_list("sales_kind", "amount"))
    assert balances == {SalesKind.MAIN: Decimal("6000.00"), SalesKind.ADVANCE: Decimal("-10000.50")}


def test_a_household_pays_electricity_and_penalties_apart(client, household, account, bank_notifies):
    client.force_login(household)
    url = reverse("selfservice:payment_account", args=["100000001"])

    form = client.get(url + "?amount=954,60&penalty=0").content.decode()
    assert "Оплата за электроэнергию, ЛС № 100000001" in form
    assert 'value="954,60"' in form and "Пени" in form
    pay_through_the_bank(client, client.post(url, {**FORM, "amount": "700", "penalty": "51,74"}), bank_notifies)

    assert [due("КВ-1"), due("КВ-2"), due("ПН-1")] == [0, Decimal("254.60"), 0]
    assert Payment.objects.get().amount == Decimal("751.74")
    assert dict(Balance.objects.filter(account=account).values_list("sales_kind", "amount")) == {
        SalesKind.MAIN: Decimal("254.60")
    }


def test_the_form_keeps_what_was_typed_and_stores_nothing_on_bad_input(client, accountant):
    client.force_login(accountant)
    url = reverse("selfservice:payment_contract", args=["78010000002778"]) + "?mode=prepayment"

    response = client.post(url, {"receipt_email": "not-an-email", "amount": "сто рублей", "method": "new"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "Введите e-mail, например ivanov@example.ru." in content
    assert "Введите сумму цифрами, например 1 234,56." in content
    assert "Чтобы перейти к оплате, согласитесь с условиями оплаты." in content
    assert 'value="сто рублей"' in content and 'value="not-an-email"' in content
    assert "Проверьте поля, отмеченные ниже." in content
    assert not AcquiringOrder.objects.exists() and not Payment.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"), [("0", "Сумма должна быть больше нуля."), ("1,234", "Не больше двух знаков после запятой.")]
)
def test_an_amount_must_be_roubles_and_kopecks(client, accountant, amount, message):
    client.force_login(accountant)
    url = reverse("selfservice:payment_contract", args=["78010000002778"]) + "?mode=prepayment"

    response = client.post(url, {**FORM, "amount": amount})

    assert message in response.content.decode()
    assert not Payment.objects.exists()


def test_when_the_bank_is_down_the_customer_is_told_and_nothing_is_stored(client, accountant, monkeypatch):
    client.force_login(accountant)

    def down(self, **kwargs):
        raise AcquiringUnavailable("timeout")

    monkeypatch.setattr(SandboxProvider, "register", down)
    url = reverse("selfservice:payment_contract", args=["78010000002778"])

    response = client.post(url, {**FORM, "amount": "100"})

    assert "Платёжный сервис сейчас недоступен." in response.content.decode()
    assert not Payment.objects.exists()


def test_paying_needs_a_confirmed_email(client, contract):
    user = UserFactory(email_confirmed_at=None)
    give_role(user, contract, Role.HEAD)
    client.force_login(user)

    response = client.get(reverse("selfservice:payment_contract", args=[contract.number]))
    listing = client.get(reverse("selfservice:payments")).content.decode()

    assert response.status_code == 302 and response["Location"].startswith(reverse("selfservice:email_confirm"))
    assert "Для совершения платежей в личном кабинете необходимо подтвердить адрес электронной почты." in listing


@pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.HEAD, Role.ADMINISTRATOR])
def test_roles_with_the_right_to_pay_see_the_debt_and_can_pay(client, contract, role):
    user = UserFactory()
    give_role(user, contract, role)
    client.force_login(user)

    listing = client.get(reverse("selfservice:payments")).content.decode()
    form = client.get(reverse("selfservice:payment_contract", args=[contract.number]))

    assert "6\xa0000,00\xa0₽" in listing and "СФ-2" in listing
    assert form.status_code == 200


def test_the_energetic_sees_no_debt_and_cannot_pay(client, contract):
    """Table 3: «Энергетик» — no unpaid documents, debt, chart, payment history or paying."""
    user = UserFactory()
    give_role(user, contract, Role.ENERGETIC)
    client.force_login(user)
    document = Document.objects.get(number="СФ-1")

    listing = client.get(reverse("selfservice:payments")).content.decode()

    assert "СФ-1" not in listing and "6\xa0000,00" not in listing and "График счетов и оплат" not in listing
    assert "По договору № 78010000002778 ваша роль не даёт доступа к задолженности и оплате." in listing
    assert client.get(reverse("selfservice:payment_contract", args=[contract.number])).status_code == 404
    assert client.get(reverse("selfservice:payment_document", args=[document.pk])).status_code == 404
    assert client.post(reverse("selfservice:payment_contract", args=[contract.number]), FORM).status_code == 404
    assert "СФ-1" not in client.get(reverse("selfservice:history")).content.decode()
    assert not Payment.objects.exists()


def test_a_declined_payment_says_why_and_offers_to_pay_again(client, accountant, bank_notifies):
    client.force_login(accountant)
    url = reverse("selfservice:payment_contract", args=["78010000002778"])

    result = pay_through_the_bank(client, client.post(url, {**FORM, "amount": "100"}), bank_notifies, card=DECLINE_CARD)

    content = result.content.decode()
    assert "Оплата не прошла" in content and "Недостаточно средств на карте" in content
    assert "Оплатить ещё раз" in content and "Чек об оплате" not in content
    assert due("СФ-1") == Decimal("1000.00")


def test_the_return_page_asks_the_bank_when_no_notification_came(
    client, accountant, monkeypatch, django_capture_on_commit_callbacks
):
    """The notification is lost (the shop was down); the customer's return asks the bank and gets the charge."""
    client.force_login(accountant)
    monkeypatch.setattr("backoffice.acquiring.sandbox.bank.TRANSPORT", lambda url, body, headers: 0)
    url = reverse("selfservice:payment_contract", args=["78010000002778"])
    client.post(url, {**FORM, "amount": "1000"})
    order = AcquiringOrder.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        back = pay_at_bank(client, order)
        result = client.get(back["Location"])

    assert "Оплата проведена" in result.content.decode()
    assert due("СФ-1") == 0


def test_the_return_page_is_only_the_payers(client, accountant, bank_notifies):
    client.force_login(accountant)
    client.post(reverse("selfservice:payment_contract", args=["78010000002778"]), {**FORM, "amount": "100"})
    order = AcquiringOrder.objects.get()
    client.force_login(UserFactory())

    assert client.get(reverse("selfservice:payment_return", args=[order.reference])).status_code == 404


def test_the_cheque_is_emailed_with_the_pdf_and_can_be_opened(client, accountant, bank_notifies):
    client.force_login(accountant)
    url = reverse("selfservice:payment_contract", args=["78010000002778"])

    result = pay_through_the_bank(
        client, client.post(url, {**FORM, "amount": "1000", "receipt_email": "cfo@company.example"}), bank_notifies
    )

    payment = Payment.objects.get()
    letter = next(message for message in mail.outbox if message.to == ["cfo@company.example"])
    assert letter.subject == f"Чек об оплате № {payment.number}"
    ((filename, content, mimetype),) = letter.attachments
    assert filename == f"Чек об оплате № {payment.number}.pdf" and mimetype == "application/pdf"
    text = PdfReader(__import__("io").BytesIO(content)).pages[0].extract_text()
    assert "Чек об оплате" in text and "1 000,00" in text.replace("\xa0", " ") and "Проведён" in text
    assert "cfo@company.example" in result.content.decode()
    cheque = client.get(reverse("selfservice:payment_receipt_pdf", args=[payment.pk]))
    assert cheque.status_code == 200 and cheque["Content-Type"] == "application/pdf"
    assert cheque.content.startswith(b"%PDF")


def test_a_payment_in_process_has_no_cheque_yet(client, accountant):
    client.force_login(accountant)
    client.post(reverse("selfservice:payment_contract", args=["78010000002778"]), {**FORM, "amount": "100"})
    payment = Payment.objects.get()

    assert payment.status == PaymentStatus.PENDING
    assert client.get(reverse("selfservice:payment_receipt_pdf", args=[payment.pk])).status_code == 404


def test_a_paid_document_cannot_be_paid_again(client, accountant):
    client.force_login(accountant)
    document = Document.objects.get(number="СФ-1")
    Document.objects.filter(pk=document.pk).update(amount_due=0)

    response = client.get(reverse("selfservice:payment_document", args=[document.pk]), follow=True)

    assert "уже оплачен" in response.content.decode()


def test_a_second_payment_warns_about_the_one_still_in_process(client, accountant):
    client.force_login(accountant)
    url = reverse("selfservice:payment_contract", args=["78010000002778"])
    client.post(url, {**FORM, "amount": "100"})
    order = AcquiringOrder.objects.get()

    content = client.get(url).content.decode()

    assert "Банк ещё обрабатывает платежи по этому счёту" in content
    assert f"№ {order.reference}" in content
    assert reverse("selfservice:payment_return", args=[order.reference]) in content


def test_without_an_acquirer_configured_paying_is_unavailable_and_nothing_is_stored(client, accountant, settings):
    settings.ACQUIRING_PROVIDER = ""  # production until a bank is configured
    client.force_login(accountant)

    response = client.post(reverse("selfservice:payment_contract", args=["78010000002778"]), {**FORM, "amount": "100"})

    assert "Платёжный сервис сейчас недоступен." in response.content.decode()
    assert not Payment.objects.exists() and not AcquiringOrder.objects.exists()
