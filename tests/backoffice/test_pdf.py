"""Printed documents: what a customer reads in the PDF, the payment QR code a bank app scans, the cache."""

import datetime
import io
import os
import subprocess
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from backoffice.models import DocumentLine, SupplierRequisites
from backoffice.models.choices import DocumentType, PaymentChannel, PaymentStatus, SalesKind, Zone, ZoneSet
from backoffice.pdf import (
    document_pdf_filename,
    document_render_pdf,
    payment_receipt_render_pdf,
    pdf_warm_up,
    reconciliation_act_is_big,
    reconciliation_act_render_pdf,
)
from backoffice.pdf import render as pdf_render
from backoffice.pdf.cache import CACHE_DIR_NAME, pdf_cache_purge
from backoffice.pdf.data import receipt_data
from backoffice.pdf.qr import payment_payload
from backoffice.pdf.tasks import document_render_pdf_task, reconciliation_act_render_pdf_task
from backoffice.pdf.words import amount_in_words
from tests.backoffice.factories import (
    ContractFactory,
    DocumentFactory,
    MeterFactory,
    PaymentFactory,
    PersonalAccountFactory,
    ReadingFactory,
)

NBSP = "\xa0"
SUPPLIER = {
    "full_name": "Акционерное общество «Энергосбыт»",
    "bank_account": "40702810000000000001",
    "bank_name": "ПАО «Демо-Банк»",
    "bik": "044000000",
    "correspondent_account": "30101810000000000000",
    "inn": "7800000000",
    "kpp": "780001001",
}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pdf_cache_in_tmp(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    return tmp_path / CACHE_DIR_NAME


def pdf_text(pdf: bytes) -> str:
    """The text a reader copies out of the PDF, all pages."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def flat(text: str) -> str:
    """Text with non-breaking spaces and line breaks as plain spaces, for phrases that may wrap."""
    return " ".join(text.replace(NBSP, " ").split())


def qr_codes(pdf: bytes) -> list[str]:
    """Render the first page as a bank app's camera would see it and decode every QR code on it."""
    with tempfile.TemporaryDirectory() as folder:
        source, page = Path(folder) / "document.pdf", Path(folder) / "page"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", source, page], check=True)
        barcodes = zxingcpp.read_barcodes(Image.open(page.with_suffix(".png")))
    # The bytes, not the text: the ST00012 header promises UTF-8 and the bank app decodes it so.
    return [barcode.bytes.decode("utf-8") for barcode in barcodes]


def add_line(document, **fields):
    return DocumentLine.objects.create(document=document, **fields)


@pytest.fixture
def account():
    return PersonalAccountFactory(number="100000001", address="г. Энергоград, ул. Садовая, д. 5, кв. 12")


@pytest.fixture
def receipt(account):
    """January 2020 as in seed 004, but with the debt left unpaid: 19,85 + 643,20 − 0 = 663,05 ₽."""
    document = DocumentFactory(
        account=account,
        number="КВ-2001-100000001",
        amount=Decimal("643.20"),
        opening_balance=Decimal("19.85"),
        payments_counted=Decimal("0"),
        closing_balance=Decimal("663.05"),
    )
    add_line(document, description="День", zone=Zone.DAY, consumption=150, rate=Decimal("3.20"), amount=480)
    add_line(
        document,
        description="Ночь",
        zone=Zone.NIGHT,
        consumption=102,
        rate=Decimal("1.60"),
        amount=Decimal("163.20"),
        is_estimated=True,
    )
    meter = MeterFactory(account=account, serial="874100", zone_set=ZoneSet.TWO)
    for zone, december, january in ((Zone.DAY, 1000, 1150), (Zone.NIGHT, 500, 602)):
        ReadingFactory(meter=meter, zone=zone, value=december, taken_on=datetime.date(2019, 12, 25))
        ReadingFactory(meter=meter, zone=zone, value=january, taken_on=datetime.date(2020, 1, 25))
    return document


@pytest.fixture
def contract():
    return ContractFactory(
        number="78010000000042",
        signed_on=datetime.date(2019, 1, 1),
        customer__inn="7801234567",
        customer__kpp="780101001",
    )


def organisation_document(contract, **fields):
    defaults = {"account": None, "contract": contract, "period": datetime.date(2021, 1, 1)}
    return DocumentFactory(**(defaults | fields))


# --- The household receipt (F-D3) ---------------------------------------------------------------


def test_receipt_shows_account_period_payer_and_supplier(receipt):
    text = pdf_text(document_render_pdf(document=receipt))

    assert "Квитанция за январь 2020" in text
    assert "100000001" in text
    assert "Петрова Анна Сергеевна" in text
    assert "г. Энергоград, ул. Садовая, д. 5, кв. 12" in flat(text)
    assert "ИНН 7800000000" in text
    assert "Оплатить до 10.02.2020" in flat(text)


def test_receipt_general_information_has_the_manual_lines(receipt):
    text = flat(pdf_text(document_render_pdf(document=receipt)))

    assert "Общая информация" in text
    assert "Сумма задолженности на начало периода 19,85 ₽" in text
    assert "Всего начислено за текущий период 643,20 ₽" in text
    assert "Сумма поступивших платежей, учтенных при расчете 0,00 ₽" in text
    assert "Итого к оплате 663,05 ₽" in text


def test_money_on_paper_never_breaks_between_digits_and_the_ruble_sign(receipt):
    """A PDF's text layer loses the no-break space, so check what goes into the template."""
    data = receipt_data(document=receipt, requisites=SupplierRequisites.load())

    assert data["total"]["value"] == f"663,05{NBSP}₽"
    assert data["lines"][0]["amount"] == "480,00"
    assert amount_row_of(data, "Ночь")["quantity"] == "102"


def amount_row_of(data, description):
    return next(row for row in data["lines"] if row["description"] == description)


def test_receipt_detail_lists_each_zone_and_marks_estimated_volume(receipt):
    text = flat(pdf_text(document_render_pdf(document=receipt)))

    assert "Детализация" in text
    assert "День 150 3,20 480,00 ₽" in text
    assert "Ночь расчётный объём 102 1,60 163,20 ₽" in text
    assert "Всего начислено за январь 2020 252 643,20 ₽" in text


def test_receipt_shows_the_meter_and_its_last_readings(receipt):
    text = flat(pdf_text(document_render_pdf(document=receipt)))

    assert "СОЭЭ 6706 № 874100 День 1 000,00 (25.12.2019) 1 150,00 (25.01.2020)" in text
    assert "Ночь 500,00 (25.12.2019) 602,00 (25.01.2020)" in text


def test_receipt_with_overpayment_says_so(account):
    """Seed 004: 19,85 + 643,20 − 665,60 = −2,55 → «Итого переплата 2,55 руб.»."""
    document = DocumentFactory(
        account=account,
        amount=Decimal("643.20"),
        opening_balance=Decimal("-19.85"),
        payments_counted=Decimal("625.90"),
        closing_balance=Decimal("-2.55"),
    )
    text = flat(pdf_text(document_render_pdf(document=document)))

    assert "Сумма переплаты на начало периода 19,85 ₽" in text
    assert "Итого переплата 2,55 ₽" in text
    assert "Итого к оплате" not in text


def test_receipt_qr_code_is_the_gost_payment_with_the_sum_in_kopecks(receipt):
    assert qr_codes(document_render_pdf(document=receipt)) == [
        "ST00012|Name=Акционерное общество «Энергосбыт»|PersonalAcc=40702810000000000001"
        "|BankName=ПАО «Демо-Банк»|BIC=044000000|CorrespAcc=30101810000000000000|PayeeINN=7800000000"
        "|KPP=780001001|Sum=66305|Purpose=Оплата за электроэнергию за январь 2020, ЛС 100000001"
        "|PersAcc=100000001|LastName=Петрова|FirstName=Анна|MiddleName=Сергеевна"
        "|PayerAddress=г. Энергоград, ул. Садовая, д. 5, кв. 12"
    ]


def test_receipt_without_closing_balance_computes_it(account):
    document = DocumentFactory(account=account, amount=Decimal("100.00"), opening_balance=Decimal("10.50"))
    text = flat(pdf_text(document_render_pdf(document=document)))

    assert "Итого к оплате 110,50 ₽" in text


def test_payload_fields_never_carry_the_separator():
    payload = payment_payload(
        supplier=SUPPLIER,
        amount=Decimal("1.5"),
        purpose="Оплата | электроэнергия",
        account_number="100000001",
        payer={"last_name": "Петрова"},
        payer_address="ул. Садовая|5\nкв. 1",
    )

    assert payload.split("|")[0] == "ST00012"
    assert all(part.count("=") >= 1 for part in payload.split("|")[1:])
    assert "|Sum=150|" in payload
    assert payload.endswith("|PayerAddress=ул. Садовая 5 кв. 1")


def test_payload_without_debt_leaves_the_sum_to_the_payer():
    payload = payment_payload(
        supplier=SUPPLIER, amount=0, purpose="Оплата", account_number="1", payer={}, payer_address=""
    )

    assert "Sum=" not in payload
    assert "FirstName" not in payload


# --- The cache ----------------------------------------------------------------------------------


@pytest.fixture
def render_calls(monkeypatch):
    calls = []
    real = pdf_render.html_to_pdf

    def counting(html, *, key):
        calls.append(key)
        return real(html, key=key)

    monkeypatch.setattr(pdf_render, "html_to_pdf", counting)
    return calls


def test_repeated_download_is_served_from_the_cache(receipt, render_calls, pdf_cache_in_tmp):
    first = document_render_pdf(document=receipt)
    second = document_render_pdf(document=receipt)

    assert second == first
    assert len(render_calls) == 1
    assert len(list(pdf_cache_in_tmp.glob("*/*.pdf"))) == 1


def test_changed_amount_gives_a_new_pdf(receipt, render_calls, pdf_cache_in_tmp):
    before = document_render_pdf(document=receipt)
    receipt.amount = Decimal("700.00")
    receipt.closing_balance = Decimal("719.85")
    receipt.save()
    after = document_render_pdf(document=receipt)

    assert after != before
    assert len(render_calls) == 2
    assert "Итого к оплате 719,85 ₽" in flat(pdf_text(after))
    assert len(list(pdf_cache_in_tmp.glob("*/*.pdf"))) == 2


def test_changed_line_gives_a_new_pdf(receipt, render_calls):
    document_render_pdf(document=receipt)
    receipt.lines.filter(zone=Zone.NIGHT).update(is_estimated=False)

    assert "расчётный объём" not in pdf_text(document_render_pdf(document=receipt))
    assert len(render_calls) == 2


def test_old_cache_files_are_purged(receipt, pdf_cache_in_tmp):
    document_render_pdf(document=receipt)
    [cached] = pdf_cache_in_tmp.glob("*/*.pdf")

    assert pdf_cache_purge(older_than_days=30) == 0
    month_ago = time.time() - 31 * 86400
    os.utime(cached, (month_ago, month_ago))
    assert pdf_cache_purge(older_than_days=30) == 1
    assert not cached.exists()


def test_warm_up_renders_without_touching_the_cache(pdf_cache_in_tmp):
    pdf_warm_up()

    assert not pdf_cache_in_tmp.exists()


def test_task_warms_the_cache(receipt, render_calls):
    document_render_pdf_task.delay(receipt.pk)
    document_render_pdf(document=receipt)

    assert len(render_calls) == 1


# --- Organisations' documents (F-D2) ------------------------------------------------------------


def test_invoice_has_both_parties_and_the_amount_in_words(contract):
    document = organisation_document(contract, type=DocumentType.INVOICE, number="СЧ-42", amount=Decimal("147137.89"))
    text = flat(pdf_text(document_render_pdf(document=document)))

    assert "Счёт на оплату № СЧ-42 от 01.02.2020" in text
    assert "ИНН 7800000000" in text
    assert "ИНН 7801234567, КПП 780101001" in text
    assert "Договор энергоснабжения № 78010000000042 от 01.01.2019" in text
    assert "Всего к оплате: Сто сорок семь тысяч сто тридцать семь рублей 89 копеек" in text
    assert "В том числе НДС (20%): 24 522,98" in text


def test_tax_invoice_computes_vat_when_none_is_stored(contract):
    document = organisation_document(contract, type=DocumentType.TAX_INVOICE, number="СФ-1", amount=Decimal("1200.00"))
    add_line(document, description="День, ПУ №1", zone=Zone.DAY, consumption=300, rate=4, amount=1200)
    text = flat(pdf_text(document_render_pdf(document=document)))

    assert "Счёт-фактура № СФ-1 от 01.02.2020" in text
    assert "245 кВт·ч 300 3,33333 1 000,00 без акциза 20% 200,00 1 200,00" in text
    assert "Всего к оплате (9) 1 000,00 Х 200,00 1 200,00" in text


def test_tax_invoice_prints_the_stored_vat(contract):
    document = organisation_document(
        contract, type=DocumentType.TAX_INVOICE, amount=Decimal("1200.00"), vat_amount=Decimal("199.99")
    )
    text = flat(pdf_text(document_render_pdf(document=document)))

    assert "1 000,01 Х 199,99 1 200,00" in text


def test_negative_correction_renders_against_the_corrected_invoice(contract):
    original = organisation_document(contract, type=DocumentType.TAX_INVOICE, number="СФ-2101-7", amount=6000)
    add_line(original, description="День", zone=Zone.DAY, consumption=1500, rate=4, amount=6000)
    correction = organisation_document(
        contract,
        type=DocumentType.CORRECTION_TAX_INVOICE,
        number="КСФ-2101-7-К1",
        amount=Decimal("-1200.00"),
        amount_due=0,
        corrects=original,
    )
    add_line(correction, description="День", zone=Zone.DAY, consumption=-300, rate=4, amount=-1200)
    text = flat(pdf_text(document_render_pdf(document=correction)))

    assert "Корректировочный счёт-фактура № КСФ-2101-7-К1" in text
    assert "к счёт-фактуре № СФ-2101-7 от 01.02.2020" in text
    assert "А (до изменения) 1 500 — 5 000,00 без акциза 20% 1 000,00 6 000,00" in text
    assert "Б (после изменения) 1 200 — 4 000,00 без акциза 20% 800,00 4 800,00" in text
    assert "Г (уменьшение) 300 Х 1 000,00 Х Х 200,00 1 200,00" in text
    assert "Минус одна тысяча двести рублей 00 копеек" in text


def test_acceptance_act_names_both_sides(contract):
    document = organisation_document(contract, type=DocumentType.ACCEPTANCE_ACT, amount=Decimal("147137.89"))
    text = flat(pdf_text(document_render_pdf(document=document)))

    assert "Акт приёма-передачи электрической энергии (мощности)" in text
    assert contract.customer.full_name in text
    assert "Сто сорок семь тысяч сто тридцать семь рублей 89 копеек" in text
    assert "Гарантирующий поставщик" in text and "Потребитель" in text


def test_penalty_claim_charges_no_vat(contract):
    document = organisation_document(
        contract, type=DocumentType.PENALTY_CLAIM, sales_kind=SalesKind.PENALTY, amount=Decimal("321.05")
    )
    add_line(
        document,
        description="Пени по документу № СФ-1 за 31 дн.",
        amount=Decimal("321.05"),
        date_from=datetime.date(2021, 2, 19),
        date_to=datetime.date(2021, 3, 21),
    )
    text = flat(pdf_text(document_render_pdf(document=document)))

    assert "Претензия на уплату пени" in text
    assert "Пени по документу № СФ-1 за 31 дн. 19.02.2021 – 21.03.2021 321,05" in text
    assert "Триста двадцать один рубль 05 копеек" in text
    assert "НДС не облагается" in text


def test_other_types_use_the_generic_layout(contract):
    document = organisation_document(contract, type=DocumentType.ACCEPTANCE_STATEMENT, number="ВП-1", amount=10)
    text = flat(pdf_text(document_render_pdf(document=document)))

    assert "Ведомость приёма-передачи № ВП-1 от 01.02.2020" in text
    assert "Десять рублей 00 копеек" in text


def test_download_name_is_readable(receipt, contract):
    invoice = organisation_document(contract, type=DocumentType.INVOICE, number="23651011378/23")

    assert document_pdf_filename(document=receipt) == "Квитанция за январь 2020, ЛС 100000001.pdf"
    assert document_pdf_filename(document=invoice) == "Счёт на оплату № 23651011378_23.pdf"


# --- Акт сверки ---------------------------------------------------------------------------------


@pytest.fixture
def contract_history(contract):
    def tax_invoice(number, issued_on, amount):
        return organisation_document(
            contract, type=DocumentType.TAX_INVOICE, number=number, issued_on=issued_on, amount=Decimal(amount)
        )

    tax_invoice("СФ-1", datetime.date(2020, 12, 31), "1000.00")  # before the range: the opening balance
    PaymentFactory(account=None, contract=contract, paid_on=datetime.date(2020, 12, 31), amount=Decimal("400.00"))
    tax_invoice("СФ-2", datetime.date(2021, 1, 31), "2500.50")
    # The act repeats the tax invoice: it must not count twice.
    organisation_document(contract, type=DocumentType.ACCEPTANCE_ACT, issued_on=datetime.date(2021, 1, 31), amount=9)
    PaymentFactory(
        account=None, contract=contract, number="77", paid_on=datetime.date(2021, 1, 15), amount=Decimal("600.00")
    )
    PaymentFactory(
        account=None,
        contract=contract,
        paid_on=datetime.date(2021, 1, 20),
        amount=Decimal("5000.00"),
        status=PaymentStatus.DECLINED,
    )
    return contract


def test_reconciliation_act_lists_the_range_in_date_order_between_balances(contract_history):
    pdf = reconciliation_act_render_pdf(
        contract=contract_history, date_from=datetime.date(2021, 1, 1), date_to=datetime.date(2021, 1, 31)
    )
    text = flat(pdf_text(pdf))

    assert "Акт сверки взаимных расчётов" in text
    assert "за период с 01.01.2021 по 31.01.2021" in text
    assert "Сальдо начальное на 01.01.2021 600,00" in text
    assert text.index("15.01.2021 Оплата № 77 от 15.01.2021 600,00") < text.index(
        "31.01.2021 Счёт-фактура № СФ-2 от 31.01.2021 2 500,50"
    )
    assert "Обороты за период 2 500,50 600,00" in text
    assert "Сальдо конечное на 31.01.2021 2 500,50" in text
    assert "5 000,00" not in text
    assert "задолженность в пользу АО «Энергосбыт» составляет 2 500,50 ₽ (Две тысячи пятьсот рублей 50 копеек)" in text


def test_reconciliation_act_for_a_household_account(receipt, account):
    PaymentFactory(account=account, number="5", paid_on=datetime.date(2020, 2, 5), amount=Decimal("700.00"))
    text = flat(
        pdf_text(
            reconciliation_act_render_pdf(
                account=account, date_from=datetime.date(2020, 1, 1), date_to=datetime.date(2020, 3, 31)
            )
        )
    )

    assert "Квитанция за январь 2020 № КВ-2001-100000001 643,20" in text
    assert "Лицевой счёт № 100000001" in text
    assert "задолженность в пользу Петрова Анна Сергеевна составляет 56,80 ₽" in text


def test_reconciliation_act_needs_one_owner(contract, account):
    with pytest.raises(ValueError, match="либо по лицевому счёту, либо по договору"):
        reconciliation_act_render_pdf(
            account=account, contract=contract, date_from=datetime.date(2021, 1, 1), date_to=datetime.date(2021, 1, 31)
        )


def test_long_reconciliation_acts_go_to_the_background(contract_history, monkeypatch):
    dates = {"date_from": datetime.date(2021, 1, 1), "date_to": datetime.date(2021, 1, 31)}
    monkeypatch.setattr(pdf_render, "RECONCILIATION_INLINE_ROWS", 1)

    assert reconciliation_act_is_big(contract=contract_history, **dates)
    monkeypatch.setattr(pdf_render, "RECONCILIATION_INLINE_ROWS", 2)
    assert not reconciliation_act_is_big(contract=contract_history, **dates)


def test_reconciliation_task_renders_into_the_cache(contract_history, render_calls):
    reconciliation_act_render_pdf_task.delay(
        contract_id=contract_history.pk, date_from="2021-01-01", date_to="2021-01-31"
    )
    reconciliation_act_render_pdf(
        contract=contract_history, date_from=datetime.date(2021, 1, 1), date_to=datetime.date(2021, 1, 31)
    )

    assert len(render_calls) == 1


# --- «Чек об оплате» (F-E3) ---------------------------------------------------------------------


def test_payment_receipt_shows_supplier_amount_purpose_and_status(account):
    payment = PaymentFactory(
        account=account,
        channel=PaymentChannel.PORTAL,
        number="000123",
        provider_id="acq-7f3a",
        amount=Decimal("665.60"),
        purpose="Оплата за электроэнергию за январь 2020, ЛС 100000001",
        receipt_email="anna@example.test",
    )
    text = flat(pdf_text(payment_receipt_render_pdf(payment=payment)))

    assert "Чек об оплате" in text
    assert "Акционерное общество «Энергосбыт»" in text
    assert "665,60 ₽" in text
    assert "Назначение платежа Оплата за электроэнергию за январь 2020, ЛС 100000001" in text
    assert "Номер платежа 000123" in text
    assert "Идентификатор платежа acq-7f3a" in text
    assert "Статус Проведён" in text
    assert "Дата платежа 05.02.2020" in text


# --- Words --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1.01", "Один рубль 01 копейка"),
        ("2.02", "Два рубля 02 копейки"),
        ("5", "Пять рублей 00 копеек"),
        ("21.11", "Двадцать один рубль 11 копеек"),
        ("0.50", "Ноль рублей 50 копеек"),
        ("-1200", "Минус одна тысяча двести рублей 00 копеек"),
    ],
)
def test_amount_in_words(amount, words):
    assert amount_in_words(Decimal(amount)) == words
