"""«Скачать» of «Документы» and «Платежи» (seed 001 §7.1, §7.2): the list on the screen, with its filters, as .xlsx."""

import io

from django.utils.formats import date_format
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from backoffice.services.periods import period_title

EXPORT_LIMIT = 10_000  # a file of the whole history of a large contract; beyond that narrow the period

DOCUMENT_HEADERS = (
    "Договор / ЛС",
    "Документ",
    "Номер",
    "Дата документа",
    "Период",
    "Вид реализации",
    "Сумма документа, ₽",
    "Дата задолженности",
    "К оплате, ₽",
)
PAYMENT_HEADERS = ("Договор / ЛС", "Банк", "Номер", "Дата", "Сумма оплаты, ₽", "Статус", "Назначение платежа")


def _day(value) -> str:
    return date_format(value, "d.m.Y") if value else ""


def _owner(row) -> str:
    return f"Договор {row.contract.number}" if row.contract_id else f"ЛС {row.account.number}"


def _workbook(title: str, headers, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(header) + 2)
    sheet.freeze_panes = "A2"
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def documents_workbook(documents) -> bytes:
    rows = (
        [
            _owner(document),
            document.get_type_display(),
            document.number,
            _day(document.issued_on),
            period_title(document.period).capitalize(),
            document.get_sales_kind_display(),
            document.amount,
            _day(document.due_date),
            document.amount_due,
        ]
        for document in documents[:EXPORT_LIMIT]
    )
    return _workbook("Документы", DOCUMENT_HEADERS, rows)


def payments_workbook(payments) -> bytes:
    rows = (
        [
            _owner(payment),
            payment.bank,
            payment.number,
            _day(payment.paid_on),
            payment.amount,
            payment.get_status_display(),
            payment.purpose,
        ]
        for payment in payments[:EXPORT_LIMIT]
    )
    return _workbook("Платежи", PAYMENT_HEADERS, rows)
