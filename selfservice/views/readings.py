"""«Показания» (F-C1…F-C4; seed 001 §5 and §7.3, seed 000 §3.4, seed 003 §2.4, seed 004 §4.4.3.2).

- «Показания»: the household's block of its current ЛС and, for organisations, the contract's energy objects with
  their metering points and meters; filters «Договор», «Передаваемые», «Энергообъект»; «Рассчитать» shows the
  consumption, «Передать показания» stores it («Показания сохранены»).
- «Загрузить показания файлом»: «Интегральные по договору» (template and upload) and «Интервальные по прибору
  учета» (template, upload, the «Первичный акт» list with its download).
- «История» → «Показания»: the readings with their consumption and the bill that counted them; export to Excel.

Every meter, contract and act comes through the selectors, so someone else's is a 404 (or «не найден» in a file).
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _

from backoffice.exchange.formats import CONTENT_TYPES, write_xlsx
from backoffice.models.choices import Quantity
from backoffice.readings.files import FileInvalid
from backoffice.readings.integral import integral_template_write
from backoffice.readings.interval import interval_template_write, month_title
from backoffice.readings.values import ReadingValueError, parse_value
from backoffice.readings.window import window_state
from backoffice.services.periods import month_start, period_title
from backoffice.services.readings import ReadingsInvalid, integral_template_rows, period_consumption
from workflows.services.interval_acts import interval_act_filename, interval_act_workbook, interval_period

from ..access import Capability
from ..forms.readings import HistoryFilterForm, MeterInputs, UploadForm, input_name
from ..navigation import HISTORY_MENU, menu_links
from ..selectors import account_links_for, accounts_for, contracts_for, energy_objects_for
from ..selectors_readings import (
    TRANSFER_SENT,
    TRANSFER_WAITING,
    account_readings_for,
    contract_readings_for,
    history_period_default,
    interval_acts_for,
    reachable_meters,
    reading_consumption,
    reading_events,
    reading_history_for,
    readings_contracts_for,
)
from ..services.readings import integral_file_send, interval_file_send, readings_calculate, readings_send
from .accounts import current_account_number

XLSX = CONTENT_TYPES["xlsx"]
HISTORY_PAGE_SIZE = 200
STATE_FAMILY = {"waiting": "warning", "accepted": "success", "rejected": "danger", "replaced": "neutral"}


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


# --- «Показания» ---------------------------------------------------------------------------------------------


def _current_link(request):
    links = list(account_links_for(user=request.user))
    number = current_account_number(request)
    current = next((link for link in links if link.account.number == number), None)
    return links, current or (links[0] if links else None)


def _typed_decimals(inputs: MeterInputs, row) -> dict:
    """What the customer typed for a meter, as values where they are numbers (for «Расход» while typing)."""
    values = {}
    if inputs.data is None:
        return values
    for register in row.registers:
        try:
            values[(register.quantity, register.zone)] = parse_value(inputs.value(row, register), row.meter)
        except ReadingValueError:
            continue
    return values


def _decorate(rows, inputs: MeterInputs, preview: dict) -> None:
    """Give every meter row what its block shows: the inputs with their values and errors, the consumption."""
    for row in rows:
        meter = row.meter
        checked = preview.get(meter.pk)
        row.inputs = []
        for register in row.registers:
            name = input_name(meter.pk, register.quantity, register.zone)
            computed = None
            if checked:
                computed = next(
                    (r for r in checked.registers if (r.quantity, r.zone) == (register.quantity, register.zone)), None
                )
            row.inputs.append(
                {
                    "name": name,
                    "register": register,
                    "value": inputs.value(row, register),
                    "errors": inputs.errors.get(name, []),
                    "consumption": computed.consumption if computed else None,
                }
            )
        typed = _typed_decimals(inputs, row)
        for item in row.inputs:
            if item["consumption"] is None:
                register = item["register"]
                value = typed.get((register.quantity, register.zone))
                if value is None and register.current is not None:
                    value = register.current.value
                item["consumption"] = period_consumption(meter, register.previous, value) if value is not None else None
        row.shown_consumption = checked.consumption if checked else row.consumption(typed)
        row.shown_delta = (
            row.shown_consumption - row.act.consumption
            if row.act is not None and row.shown_consumption is not None
            else None
        )
        row.errors = inputs.meter_errors.get(meter.pk, [])
        row.reason_errors = inputs.errors.get(f"m{meter.pk}-reason", [])
        row.date_errors = inputs.errors.get(f"m{meter.pk}-taken_on", [])
        row.implausible = checked.implausible if checked else []
        row.ask_reason = bool(row.implausible or row.reason_errors or meter.pk in inputs.reason_asked)
        row.rollover_checked = inputs.data is not None and inputs.data.get(f"m{meter.pk}-rollover") == "on"
        row.ask_rollover = meter.pk in inputs.rollover_asked or row.rollover_checked
        row.reason_value = inputs.data.get(f"m{meter.pk}-reason", "") if inputs.data is not None else ""
        typed_date = inputs.data.get(f"m{meter.pk}-taken_on", "") if inputs.data is not None else ""
        row.date_value = typed_date or row.window.today.isoformat()
        row.previewed = checked is not None
        row.has_errors = bool(
            row.errors or row.reason_errors or row.date_errors or any(item["errors"] for item in row.inputs)
        )


@login_required
def readings(request):
    """«Показания»: the household's block and the contract's energy objects; «Рассчитать» and «Передать показания»."""
    today = timezone.localdate()
    links, current_link = _current_link(request)
    contracts = list(readings_contracts_for(user=request.user))
    household = (
        account_readings_for(user=request.user, number=current_link.account.number, today=today)
        if current_link
        else None
    )
    chosen = request.GET.get("contract") or (contracts[0].number if contracts else "")
    transfer = request.GET.get("transfer", "")
    transfer = transfer if transfer in (TRANSFER_WAITING, TRANSFER_SENT) else ""
    site_code = request.GET.get("object", "")
    contract_page = (
        contract_readings_for(user=request.user, number=chosen, energy_object=site_code, transfer=transfer, today=today)
        if chosen
        else None
    )
    rows = (household.meters if household else []) + (contract_page.meters if contract_page else [])
    inputs, preview = MeterInputs(rows), {}
    if request.method == "POST":
        if not request.user.email_confirmed:
            messages.warning(request, _("Для этого действия необходимо подтвердить адрес электронной почты."))
            return redirect(reverse("selfservice:email_confirm"))
        inputs = MeterInputs(rows, request.POST)
        typed = inputs.typed()
        action = request.POST.get("action", "submit")
        if not typed and not inputs.has_errors:
            inputs.general.append(_("Введите показания хотя бы одного прибора учёта."))
        elif typed and not inputs.has_errors:
            try:
                if action == "calculate":
                    preview = {
                        item.meter.pk: item for item in readings_calculate(user=request.user, typed=typed, today=today)
                    }
                else:
                    readings_send(user=request.user, typed=typed, today=today)
                    messages.success(request, _("Показания сохранены"))
                    return redirect(request.get_full_path())
            except ReadingsInvalid as invalid:
                inputs.add_problems(invalid.problems)
    _decorate(rows, inputs, preview)
    context = {
        "household": household,
        "links": links,
        "current_link": current_link,
        "contracts": contracts,
        "contract_page": contract_page,
        "chosen": chosen,
        "transfer": transfer,
        "site_code": site_code,
        "inputs": inputs,
        "previewed": bool(preview),
        "form_action": request.get_full_path(),
        "today": today,
    }
    return render(request, "selfservice/readings/page.html", context)


# --- «Загрузить показания файлом» ----------------------------------------------------------------------------


@login_required
def readings_upload(request):
    """«Загрузить показания файлом»: the choice of contract, type, energy object and meter is a GET (it can be
    bookmarked and works without JavaScript); the file goes with a POST."""
    today = timezone.localdate()
    source = request.POST if request.method == "POST" else request.GET
    contracts = list(readings_contracts_for(user=request.user))
    if not contracts:
        return render(request, "selfservice/readings/upload.html", {"contracts": []})
    number = source.get("contract") or contracts[0].number
    contract = get_object_or_404(readings_contracts_for(user=request.user), number=number)
    sites = list(
        energy_objects_for(user=request.user, capability=Capability.READINGS, contract=contract).order_by("code")
    )
    site_code = source.get("energy_object", "")
    meters = list(
        reachable_meters(user=request.user)
        .filter(metering_point__energy_object__contract=contract)
        .order_by("metering_point__energy_object__code", "serial")
    )
    shown_meters = [m for m in meters if not site_code or m.metering_point.energy_object.code == site_code]
    upload_type = source.get("type") or UploadForm.INTEGRAL
    if contract.price_category < 3:
        upload_type = UploadForm.INTEGRAL
    meter_id = source.get("meter")
    meter = next((m for m in meters if str(m.pk) == str(meter_id)), None)
    initial = {
        "contract": contract.number,
        "type": upload_type,
        "energy_object": site_code,
        "meter": meter.pk if meter else None,
    }
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        contracts=contracts,
        energy_objects=sites,
        meters=shown_meters,
    )
    if upload_type == UploadForm.INTERVAL:
        form.fields["kind"].required = True
    report, state = [], window_state(group=contract.customer.group, today=today)
    if request.method == "POST":
        if not request.user.email_confirmed:
            messages.warning(request, _("Для этого действия необходимо подтвердить адрес электронной почты."))
            return redirect(reverse("selfservice:email_confirm"))
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if form.cleaned_data["type"] == UploadForm.INTEGRAL:
                outcome = integral_file_send(
                    user=request.user, contract=contract, file=upload, name=upload.name, today=today
                )
                if outcome.ok:
                    messages.success(request, _("Показания сохранены"))
                    return redirect(reverse("selfservice:readings") + "?" + urlencode({"contract": contract.number}))
                report = outcome.issues
            else:
                try:
                    act = interval_file_send(
                        user=request.user,
                        meter_id=form.cleaned_data["meter"],
                        file=upload,
                        name=upload.name,
                        kind=form.cleaned_data["kind"],
                        today=today,
                    )
                except FileInvalid as invalid:
                    report = invalid.issues
                else:
                    messages.success(
                        request,
                        _("Файл загружен: создан «Первичный акт» в статусе «%(state)s».")
                        % {"state": act.get_state_display()},
                    )
                    query = {"contract": contract.number, "type": UploadForm.INTERVAL, "meter": act.meter_id}
                    return redirect(reverse("selfservice:readings_upload") + "?" + urlencode(query))
    acts = []
    if upload_type == UploadForm.INTERVAL and meter is not None:
        acts = list(interval_acts_for(user=request.user, meter_id=meter.pk)[:12])
        for act in acts:
            act.family = STATE_FAMILY.get(act.state, "neutral")
    context = {
        "contracts": contracts,
        "contract": contract,
        "sites": sites,
        "site_code": site_code,
        "meters": shown_meters,
        "meter": meter,
        "upload_type": upload_type,
        "interval_allowed": contract.price_category >= 3,
        "form": form,
        "report": report,
        "state": state,
        "acts": acts,
        "interval_period": month_title(interval_period(meter, today=today)) if meter else "",
    }
    return render(request, "selfservice/readings/upload.html", context, status=400 if report else 200)


@login_required
def readings_integral_template(request, number: str):
    """«Шаблон интегральных показаний»: the contract's meters the role reaches, in the nine columns."""
    contract = get_object_or_404(readings_contracts_for(user=request.user), number=number)
    meters = reachable_meters(user=request.user).filter(metering_point__energy_object__contract=contract)
    stream = io.BytesIO()
    integral_template_write(stream, rows=integral_template_rows(meters=meters), title=contract.number)
    return _xlsx(stream.getvalue(), f"integralnye-pokazaniya-{contract.number}.xlsx")


@login_required
def readings_interval_template(request, meter_id: int):
    """«Шаблон интервальных показаний»: the month the file is for now, hours by dates."""
    meter = get_object_or_404(reachable_meters(user=request.user).filter(metering_point__isnull=False), pk=meter_id)
    period = interval_period(meter, today=timezone.localdate())
    stream = io.BytesIO()
    interval_template_write(stream, period=period, title=f"ПУ {meter.serial}")
    return _xlsx(stream.getvalue(), f"intervalnye-pokazaniya-{meter.serial}-{period:%Y-%m}.xlsx")


@login_required
def interval_act_download(request, pk: int):
    """The «Первичный акт» download (↓)."""
    act = get_object_or_404(
        interval_acts_for(user=request.user).select_related("meter__metering_point__energy_object__contract__customer"),
        pk=pk,
    )
    return _xlsx(interval_act_workbook(act=act), interval_act_filename(act))


# --- «История» → «Показания» ---------------------------------------------------------------------------------


def _history_owners(request):
    contracts = list(contracts_for(user=request.user, capability=Capability.READINGS_HISTORY).order_by("number"))
    accounts = list(accounts_for(user=request.user).order_by("number"))
    choices = [(f"a:{account.number}", f"ЛС {account.number} · {account.address}") for account in accounts]
    choices += [
        (f"c:{contract.number}", f"{contract.customer.display_name} ({contract.number})") for contract in contracts
    ]
    return choices, {f"a:{a.number}": a for a in accounts}, {f"c:{c.number}": c for c in contracts}


@login_required
def history_readings(request):
    """«История» → «Показания»: the period filter, type, source, zone; per energy object and meter; to Excel."""
    today = timezone.localdate()
    owners, accounts, contracts = _history_owners(request)
    data = request.GET.copy()
    default_owner = f"a:{current_account_number(request)}" if f"a:{current_account_number(request)}" in accounts else ""
    if not data.get("owner") and owners:
        data["owner"] = default_owner or owners[0][0]
    start, end = history_period_default(today=today)
    data.setdefault("date_from", start.isoformat())
    data.setdefault("date_to", end.isoformat())
    owner_key = data.get("owner", "")
    if owner_key and owner_key not in accounts and owner_key not in contracts:
        raise Http404  # someone else's contract or ЛС: as if it did not exist
    contract = contracts.get(owner_key)
    account = accounts.get(owner_key)
    sites = (
        list(
            energy_objects_for(user=request.user, capability=Capability.READINGS_HISTORY, contract=contract).order_by(
                "code"
            )
        )
        if contract
        else []
    )
    form = HistoryFilterForm(data, owners=owners, energy_objects=sites)
    rows, page = [], None
    if owners and form.is_valid():
        cleaned = form.cleaned_data
        site = next((s for s in sites if s.code == cleaned["energy_object"]), None)
        readings = reading_history_for(
            user=request.user,
            account=account,
            contract=contract,
            energy_object=site,
            date_from=cleaned["date_from"],
            date_to=cleaned["date_to"],
            kind=cleaned["kind"],
            source=cleaned["source"],
            zone=cleaned["zone"],
        )
        if request.GET.get("export") == "xlsx":
            return _history_workbook(readings, owner=account or contract)
        page = Paginator(readings, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = reading_events(page.object_list)
    export_query = data.copy()
    export_query["export"] = "xlsx"
    export_query.pop("page", None)
    context = {
        "form": form,
        "events": rows,
        "page_obj": page,
        "owners": owners,
        "tabs": [
            {"label": link.label, "url": link.url, "is_current": link.url == request.path}
            for link in menu_links(request.path, HISTORY_MENU)
        ],
        "export_url": request.path + "?" + export_query.urlencode(),
        "is_contract": contract is not None,
    }
    return render(request, "selfservice/readings/history.html", context)


HISTORY_COLUMNS = [
    "Договор / ЛС", "Код ЭО", "Адрес", "Номер ПУ", "Период", "Дата показаний", "Измеряемая величина",
    "Тарифная зона", "Значение", "Расход, кВт·ч", "Тип показаний", "Источник показаний", "Учтены в счете",
    "Дата регистрации",
]  # fmt: skip


def _history_workbook(readings, *, owner) -> HttpResponse:
    def rows():
        for reading in readings.iterator(chunk_size=2000):
            meter = reading.meter
            site = meter.metering_point.energy_object if meter.metering_point_id else None
            consumption = reading_consumption(reading)
            yield [
                owner.number,
                site.code if site else "",
                (site.address or site.name) if site else meter.account.address,
                meter.serial,
                period_title(month_start(reading.taken_on)),
                reading.taken_on,
                Quantity(reading.quantity).label,
                reading.get_zone_display(),
                reading.value,
                consumption if consumption is not None else "",
                reading.get_kind_display(),
                reading.get_source_display(),
                period_title(reading.billed_period) if reading.billed_period else "",
                timezone.localtime(reading.created_at).date(),
            ]

    stream = io.BytesIO()
    write_xlsx(stream, HISTORY_COLUMNS, rows(), title="Показания")
    return _xlsx(stream.getvalue(), f"istoriya-pokazaniy-{owner.number}.xlsx")


urls = [
    path("readings/", readings, name="readings"),
    path("readings/upload/", readings_upload, name="readings_upload"),
    path("readings/template/<str:number>/", readings_integral_template, name="readings_integral_template"),
    path("readings/interval-template/<int:meter_id>/", readings_interval_template, name="readings_interval_template"),
    path("readings/acts/<int:pk>/", interval_act_download, name="interval_act_download"),
    path("history/readings/", history_readings, name="history_readings"),
]
