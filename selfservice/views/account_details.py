"""«Реквизиты ЛС» and «Статистика» of one ЛС (F-D5, F-D7; seed 004 §4.4.4.3–4.4.4.4, seed 000 §3.7–3.8).

«Реквизиты ЛС»: «Общая информация» (ФИО, адрес, площадь, проживающие), «Информация о жилом помещении», each
meter («Счетчик»: номер, дата установки, значность, КТ, МПИ, место, ответственный), «Тариф» (тип учета, тип
плиты, величина тарифа) and «История Тарифов». «Статистика»: kWh by month of a chosen year with the highest, the
lowest and the total.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache

from backoffice.selectors import tariff_history_for

from ..billing_selectors import account_meters, consumption_by_month, consumption_years, tariffs_in_force
from ..charts import consumption_chart
from ..selectors import account_get_for
from .account_history import account_sections


@login_required
@never_cache
def account_requisites(request, number: str):
    account = account_get_for(user=request.user, number=number)
    today = timezone.localdate()
    meters = account_meters(account=account)
    return render(
        request,
        "selfservice/account_details/requisites.html",
        {
            "account": account,
            "sections": account_sections(number, "requisites"),
            "meters": meters,
            "zone_set": meters[0].get_zone_set_display() if meters else "",
            "tariffs": tariffs_in_force(account=account, on=today),
            "tariff_history": list(tariff_history_for(account=account)),
        },
    )


@login_required
@never_cache
def account_statistics(request, number: str):
    account = account_get_for(user=request.user, number=number)
    this_year = timezone.localdate().year
    years = consumption_years(owner=account)
    if this_year not in years:
        years = [this_year, *years]
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    if year not in years:
        year = this_year
    return render(
        request,
        "selfservice/account_details/statistics.html",
        {
            "account": account,
            "sections": account_sections(number, "statistics"),
            "years": years,
            "year": year,
            "chart": consumption_chart(consumption_by_month(owner=account, year=year)),
        },
    )


urls = [
    path("accounts/<str:number>/requisites/", account_requisites, name="account_requisites"),
    path("accounts/<str:number>/statistics/", account_statistics, name="account_statistics"),
]
