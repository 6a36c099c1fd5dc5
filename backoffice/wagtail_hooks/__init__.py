"""The back office in the Wagtail admin: Wagtail imports `backoffice.wagtail_hooks` and finds the hooks here.

`catalog` declares a viewset for every entity and the menu groups (Клиенты, Учёт, Расчёты);
`billing_runs` adds the «Запустить расчёт» screen and `exchange` the «Загрузка и выгрузка» screens under «Расчёты»,
`acquiring` adds «Оплаты картой» and «Уведомления эквайера» there; `reports` is the «Отчёты» menu (F-I4);
`audit` is «Журнал аудита».
"""

from . import acquiring, audit, billing_runs, catalog, exchange, reports  # noqa: F401
