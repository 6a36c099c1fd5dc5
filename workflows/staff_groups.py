"""The staff groups of the back office (F-I1, issue 10): which job gets which rights, in this one place.

Each group is a Django group whose members see in the Wagtail admin only the menus of their job; every screen
checks the model permission of what it shows (see docs/staff-groups.md for the table of menus and refusals).
Data migration `workflows/0013_staff_groups` creates the groups from a frozen copy of this mapping, and
tests/workflows/test_staff_groups.py compares the database with it: change a group here, then add a migration
that applies the change, or the test fails.

Permissions are "app_label.codename". Page and collection permissions are Wagtail's and are given on the root
page and the root collection, so they hold for the whole site, as for Wagtail's own «Editors» group.
What is deliberately absent:

- the contract permissions of `backoffice.Contract` (`send_readings`, `view_debt` …) and the guardian rows of
  `selfservice`: they are a portal user's rights on one contract, never a staff member's;
- the notification outbox, one-time codes, sessions and other rows that only the services write.
"""

ACCESS_ADMIN = "wagtailadmin.access_admin"

SUPPORT = "Поддержка"
BILLING_OPERATOR = "Оператор расчётов"
SALES_MANAGER = "Менеджер по продажам"
CONTENT_EDITOR = "Редактор контента"
ADMINISTRATOR = "Администратор системы"


def model_permissions(app_label: str, model: str, *actions: str) -> list[str]:
    """`model_permissions("backoffice", "tariff", "add")` → ["backoffice.add_tariff"]."""
    return [f"{app_label}.{action}_{model}" for action in actions]


def viewing(app_label: str, *models: str) -> list[str]:
    return [f"{app_label}.view_{model}" for model in models]


# Looking a customer up: the customer, what they hold and what they were billed and paid (the 360 view needs
# `backoffice.view_customer`; its sections follow the view permission of each model).
CUSTOMER_LOOKUP = [
    *viewing("backoffice", "customer", "personalaccount", "contract", "customergroup", "branch", "curator"),
    *viewing("backoffice", "energyobject", "meteringpoint", "meter", "reading"),
    *viewing("backoffice", "tariff", "document", "payment", "balance", "acquiringorder"),
    *viewing("selfservice", "contractrole"),
]

SUPPORT_PERMISSIONS = [
    ACCESS_ADMIN,
    *CUSTOMER_LOOKUP,
    *viewing("backoffice", "contractemail", "contractattachment"),
    # «Пользователи портала»: register a customer, link a ЛС, send a password link.
    "selfservice.assist_customer",
    # «Заявки на активацию»: the queue and the decision (the viewset checks «change»).
    *model_permissions("workflows", "activationrequest", "view", "change"),
    # «Обращения»: the queue, «Сводка», answering and distributing appeals; the classifier read-only.
    "workflows.view_appeal",
    "workflows.work_appeal",
    "workflows.assign_appeal",
    "workflows.view_appealtopic",
]

BILLING_OPERATOR_PERMISSIONS = [
    ACCESS_ADMIN,
    *viewing("backoffice", "customer", "personalaccount", "contract", "customergroup", "branch", "curator"),
    *viewing("backoffice", "energyobject", "meteringpoint", "meter"),
    # «Показания» by hand and by import; «Первичные акты» of organisations accepted or rejected.
    *model_permissions("backoffice", "reading", "add", "change", "delete", "view"),
    *model_permissions("workflows", "intervalact", "view", "decide"),
    # «Тарифы», «Расчёты периодов» and «Запустить расчёт».
    *model_permissions("backoffice", "tariff", "add", "change", "view"),
    *model_permissions("backoffice", "billingrun", "add", "view"),
    # Documents and payments are read-only screens; add and change are what their imports need (resource_check).
    *model_permissions("backoffice", "document", "add", "change", "view"),
    *model_permissions("backoffice", "payment", "add", "change", "view"),
    *viewing("backoffice", "balance", "acquiringorder", "acquirercallback"),
    # «Загрузка и выгрузка» and «Загрузки данных».
    *model_permissions("backoffice", "importjob", "add", "view"),
    # Settings «Параметры расчётов» (key rate, debt banner) and the supplier's requisites printed on documents.
    "backoffice.change_billingsettings",
    "backoffice.change_supplierrequisites",
]

SALES_MANAGER_PERMISSIONS = [
    ACCESS_ADMIN,
    # Organisations and their contracts, e-mails for documents, scans and energy objects.
    *model_permissions("backoffice", "customer", "add", "change", "view"),
    *model_permissions("backoffice", "contract", "add", "change", "view"),
    *model_permissions("backoffice", "contractemail", "add", "change", "delete", "view"),
    *model_permissions("backoffice", "contractattachment", "add", "change", "delete", "view"),
    *model_permissions("backoffice", "energyobject", "add", "change", "view"),
    *viewing("backoffice", "personalaccount", "customergroup", "branch", "curator", "meteringpoint", "meter"),
    *viewing("backoffice", "document", "balance"),
    # Who holds a contract in the portal, and the role «Администратор» granted on request.
    "selfservice.view_contractrole",
    *model_permissions("workflows", "administratorrequest", "view", "decide"),
    # «Заказы услуг»: the queue and its steps (the viewset checks «change»).
    *model_permissions("workflows", "serviceorder", "view", "change"),
    # The audit report: who changed what on a contract.
    "backoffice.view_auditentry",
]

CONTENT_EDITOR_PERMISSIONS = [
    ACCESS_ADMIN,
    # «Вопрос - Ответ» and «Группы вопросов»; a question is published by moderation, as a page is.
    *model_permissions("faq", "faqgroup", "add", "change", "view"),
    *model_permissions("faq", "faqquestion", "add", "change", "view", "lock", "unlock"),
    # «Рассылки»: writes and sends; the page shows counts, never the recipients.
    *model_permissions("workflows", "mailing", "add", "change", "view"),
]
CONTENT_EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "lock_page", "unlock_page"]
CONTENT_EDITOR_COLLECTION_PERMISSIONS = [
    *model_permissions("wagtailimages", "image", "add", "change", "choose"),
    *model_permissions("wagtaildocs", "document", "add", "change", "choose"),
]

ADMINISTRATOR_ONLY = [
    # Deleting master data and the rest of «Клиенты» and «Учёт».
    *model_permissions("backoffice", "customer", "delete"),
    *model_permissions("backoffice", "personalaccount", "add", "change", "delete"),
    *model_permissions("backoffice", "contract", "delete"),
    *model_permissions("backoffice", "customergroup", "add", "change", "delete"),
    *model_permissions("backoffice", "branch", "add", "change", "delete"),
    *model_permissions("backoffice", "curator", "add", "change", "delete"),
    *model_permissions("backoffice", "energyobject", "delete"),
    *model_permissions("backoffice", "meteringpoint", "add", "change"),
    *model_permissions("backoffice", "meter", "add", "change", "delete"),
    *model_permissions("backoffice", "tariff", "delete"),
    # The appeal classifier and the settings.
    *model_permissions("workflows", "appealtopic", "add", "change", "delete"),
    "workflows.change_appealsettings",
    "cms.change_companysettings",
    # FAQ moderation.
    "faq.delete_faqgroup",
    *model_permissions("faq", "faqquestion", "delete", "publish"),
    # Staff accounts and these groups (Wagtail's «Пользователи» and «Группы»).
    *model_permissions("selfservice", "user", "add", "change", "delete", "view"),
    *model_permissions("auth", "group", "add", "change", "delete", "view"),
    # Wagtail's «Настройки»: sites, moderation workflows and their tasks, redirects.
    *model_permissions("wagtailcore", "site", "add", "change", "delete", "view"),
    *model_permissions("wagtailcore", "workflow", "add", "change", "delete", "view"),
    *model_permissions("wagtailcore", "task", "add", "change", "delete", "view"),
    *model_permissions("wagtailredirects", "redirect", "add", "change", "delete", "view"),
]


def union(*lists: list[str]) -> list[str]:
    return sorted(set().union(*lists))


STAFF_GROUPS: dict[str, dict[str, list[str]]] = {
    SUPPORT: {"permissions": union(SUPPORT_PERMISSIONS), "pages": [], "collections": []},
    BILLING_OPERATOR: {"permissions": union(BILLING_OPERATOR_PERMISSIONS), "pages": [], "collections": []},
    SALES_MANAGER: {"permissions": union(SALES_MANAGER_PERMISSIONS), "pages": [], "collections": []},
    CONTENT_EDITOR: {
        "permissions": union(CONTENT_EDITOR_PERMISSIONS),
        "pages": sorted(CONTENT_EDITOR_PAGE_PERMISSIONS),
        "collections": sorted(CONTENT_EDITOR_COLLECTION_PERMISSIONS),
    },
    # Every right of the four jobs and the administration of the system itself.
    ADMINISTRATOR: {
        "permissions": union(
            SUPPORT_PERMISSIONS,
            BILLING_OPERATOR_PERMISSIONS,
            SALES_MANAGER_PERMISSIONS,
            CONTENT_EDITOR_PERMISSIONS,
            ADMINISTRATOR_ONLY,
        ),
        "pages": sorted(["add_page", "change_page", "publish_page", "bulk_delete_page", "lock_page", "unlock_page"]),
        "collections": sorted(
            [
                *model_permissions("wagtailimages", "image", "add", "change", "delete", "choose"),
                *model_permissions("wagtaildocs", "document", "add", "change", "delete", "choose"),
                *model_permissions("wagtailcore", "collection", "add", "change", "delete"),
            ]
        ),
    },
}
"""Group name → "permissions" (model permissions), "pages" (on the root page: Permission codenames of
wagtailcore.Page) and "collections" (on the root collection, "app_label.codename")."""
