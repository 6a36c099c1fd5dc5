"""What the contract's page shows, in one place: its sections of facts and its meters, for the page and for
«Скачать» (.xlsx, seed 001 §4.4), so the file always says what the screen says."""

import io
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from backoffice.models import Contract


@dataclass(frozen=True)
class Section:
    title: str
    facts: list[tuple[str, str]]


def _day(value) -> str:
    return date_format(value, "d.m.Y") if value else ""


def contract_sections(contract: Contract) -> list[Section]:
    """«Информация о договоре», «Реквизиты», «Контактные данные», «Банковские реквизиты»."""
    customer, branch, curator = contract.customer, contract.branch, contract.curator
    return [
        Section(
            _("Информация о договоре"),
            [
                (_("Номер договора"), contract.number),
                (_("Дата заключения"), _day(contract.signed_on)),
                (_("Ценовая категория"), contract.get_price_category_display()),
                (_("Статус"), _("Действует") if contract.is_active else _("Расторгнут")),
                (_("Отделение"), branch.name),
                (_("Куратор"), curator.full_name if curator else ""),
            ],
        ),
        Section(
            _("Реквизиты"),
            [
                (_("Полное наименование"), customer.full_name),
                (_("Краткое наименование"), customer.short_name),
                (_("ИНН"), customer.inn),
                (_("КПП"), customer.kpp),
                (_("ОГРН/ОГРНИП"), customer.ogrn),
                (_("ОКПО"), customer.okpo),
                (_("Юридический адрес"), customer.legal_address),
                (_("Почтовый адрес"), customer.postal_address),
            ],
        ),
        Section(
            _("Контактные данные"),
            [
                (_("Телефон"), str(customer.phone or "")),
                (_("E-mail договора"), ", ".join(email.email for email in contract.email_list)),
                (_("Телефон отделения"), branch.phone),
                (_("Телефон куратора"), curator.phone if curator else ""),
            ],
        ),
        Section(
            _("Банковские реквизиты"),
            [
                (_("Банк"), customer.bank_name),
                (_("БИК"), customer.bik),
                (_("Расчётный счёт"), customer.bank_account),
                (_("Корреспондентский счёт"), customer.correspondent_account),
            ],
        ),
    ]


METER_HEADERS = (
    "Код ЭО",
    "Наименование ЭО",
    "Адрес ЭО",
    "Статус ЭО",
    "Наименование ИК",
    "Расчётный коэф.",
    "Потери, %",
    "Номер ПУ",
    "Модель ПУ",
    "Значность",
    "Дата установки",
    "Дата поверки",
    "Окончание МПИ",
    "Статус ПУ",
)


def meter_rows(contract: Contract) -> list[list]:
    """One row per meter of the energy objects the viewer's role reaches (`contract_detail_for` loads them)."""
    rows = []
    for energy_object in contract.visible_energy_objects:
        for point in energy_object.metering_points.all():
            for meter in point.meters.all():
                rows.append(
                    [
                        energy_object.code,
                        energy_object.name,
                        energy_object.address,
                        energy_object.get_status_display(),
                        point.name,
                        point.transformation_ratio,
                        point.losses_percent,
                        meter.serial,
                        meter.model,
                        meter.capacity_text,
                        _day(meter.installed_on),
                        _day(meter.verified_on),
                        _day(meter.verification_due_on),
                        meter.get_status_display(),
                    ]
                )
    return rows


def contract_workbook(*, contract: Contract) -> bytes:
    """The .xlsx of «Скачать»: a sheet of the contract's facts and a sheet of its meters."""
    workbook = Workbook()
    bold = Font(bold=True)
    facts = workbook.active
    facts.title = "Договор"
    facts.append([f"Договор № {contract.number}", contract.customer.display_name])
    facts["A1"].font = bold
    for section in contract_sections(contract):
        facts.append([])
        facts.append([section.title])
        facts.cell(row=facts.max_row, column=1).font = bold
        for label, value in section.facts:
            facts.append([label, value])
    facts.column_dimensions["A"].width, facts.column_dimensions["B"].width = 28, 70
    meters = workbook.create_sheet("Приборы учёта")
    meters.append(list(METER_HEADERS))
    for cell in meters[1]:
        cell.font = bold
    for row in meter_rows(contract):
        meters.append(row)
    for index, header in enumerate(METER_HEADERS, start=1):
        meters.column_dimensions[get_column_letter(index)].width = max(14, len(header) + 2)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
