"""The staff groups (F-I1, issue 10): the migration made them, each sees only its menus and is refused the rest."""

import importlib
import json
import re
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from backoffice.models import BillingSettings
from tests.backoffice import factories as f
from tests.factories import UserFactory
from workflows.staff_groups import (
    ADMINISTRATOR,
    BILLING_OPERATOR,
    CONTENT_EDITOR,
    SALES_MANAGER,
    STAFF_GROUPS,
    SUPPORT,
)

pytestmark = pytest.mark.django_db

REFUSAL = "Извините, но у вас нет доступа в эту область."
MIGRATION = ("workflows", "0013_staff_groups")


def rights_of(group: Group) -> dict[str, list[str]]:
    """The group as the database holds it, in the shape of STAFF_GROUPS."""
    return {
        "permissions": sorted(
            f"{app_label}.{codename}"
            for app_label, codename in group.permissions.values_list("content_type__app_label", "codename")
        ),
        "pages": sorted(
            GroupPagePermission.objects.filter(group=group, page__depth=1).values_list(
                "permission__codename", flat=True
            )
        ),
        "collections": sorted(
            f"{app_label}.{codename}"
            for app_label, codename in GroupCollectionPermission.objects.filter(
                group=group, collection__depth=1
            ).values_list("permission__content_type__app_label", "permission__codename")
        ),
    }


def member_of(name: str):
    user = UserFactory(is_staff=True, email=f"{len(name)}-{Group.objects.get(name=name).pk}@company.test")
    user.groups.add(Group.objects.get(name=name))
    return user


# --- The migration ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(STAFF_GROUPS))
def test_the_migration_made_each_group_with_exactly_its_rights(name):
    group = Group.objects.get(name=name)
    assert rights_of(group) == STAFF_GROUPS[name]
    # Page and collection rights only on the roots, so they hold for the whole site.
    assert not GroupPagePermission.objects.filter(group=group).exclude(page__depth=1).exists()
    assert not GroupCollectionPermission.objects.filter(group=group).exclude(collection__depth=1).exists()


def test_every_permission_of_the_mapping_exists():
    """A typo in the mapping would stop the migration; here it is named."""
    for rights in STAFF_GROUPS.values():
        for label in [*rights["permissions"], *rights["collections"]]:
            app_label, codename = label.split(".")
            assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists(), label


def test_the_migration_runs_again_to_the_same_groups_and_backwards_removes_them():
    module = importlib.import_module("workflows.migrations.0013_staff_groups")
    state_apps = MigrationExecutor(connection).loader.project_state(MIGRATION).apps
    schema_editor = SimpleNamespace(connection=connection)
    support = Group.objects.get(name=SUPPORT)
    support.permissions.add(Permission.objects.get(codename="add_billingrun"))  # a right added by hand

    module.create_groups(state_apps, schema_editor)
    module.create_groups(state_apps, schema_editor)

    assert Group.objects.filter(name__in=STAFF_GROUPS).count() == len(STAFF_GROUPS)
    for name, rights in STAFF_GROUPS.items():
        assert rights_of(Group.objects.get(name=name)) == rights
    assert Group.objects.get(name=SUPPORT).pk == support.pk

    module.delete_groups(state_apps, schema_editor)

    assert not Group.objects.filter(name__in=STAFF_GROUPS).exists()
    assert Group.objects.filter(name="Editors").exists()  # Wagtail's own groups stay


def test_the_content_editor_holds_no_right_on_customer_data():
    editor = member_of(CONTENT_EDITOR)
    customer_data = {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.filter(
            content_type__app_label__in=["backoffice", "selfservice", "workflows"]
        )
        .exclude(content_type__app_label="workflows", content_type__model="mailing")
        .values_list("content_type__app_label", "codename")
    }
    assert customer_data
    assert not editor.get_all_permissions() & customer_data
    assert "cms.view_newsread" not in editor.get_all_permissions()  # who read which news


# --- Menus --------------------------------------------------------------------------------------------------------


def rendered_menu(client) -> dict[str, list[str]]:
    """The main menu of the admin page as drawn: top-level label → the labels of its submenu."""
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    props = re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S)
    modules = json.loads(props.group(1))["modules"]
    items = next(module for module in modules if module["_type"].endswith("MainMenuModule"))["_args"][0]
    menu = {}
    for item in items:
        children = item["_args"][1] if item["_type"].endswith("SubMenuItem") else []
        menu[item["_args"][0]["label"]] = [child["_args"][0]["label"] for child in children]
    return menu


MENUS = {
    SUPPORT: {
        "shown": {
            "Клиенты": ["Клиенты", "Лицевые счета", "Договоры", "Пользователи портала", "Заявки на активацию"],
            "Обращения": ["Сводка", "Очередь", "Классификатор"],
            "Учёт": ["Приборы учёта", "Показания"],
            "Расчёты": ["Тарифы", "Документы", "Платежи", "Сальдо"],
        },
        "hidden": {
            "Клиенты": ["Запросы роли Администратор", "Заказы услуг"],
            "Учёт": ["Первичные акты"],
            "Расчёты": ["Расчёты периодов", "Запустить расчёт", "Загрузка и выгрузка", "Загрузки данных"],
        },
        "absent": ["Страницы", "Контент", "Изображения", "Документы", "Настройки"],
    },
    BILLING_OPERATOR: {
        "shown": {
            "Клиенты": ["Клиенты", "Лицевые счета", "Договоры"],
            "Учёт": ["Приборы учёта", "Показания", "Первичные акты", "Показания на проверку"],
            "Расчёты": [
                "Тарифы",
                "Расчёты периодов",
                "Запустить расчёт",
                "Документы",
                "Платежи",
                "Сальдо",
                "Загрузка и выгрузка",
                "Загрузки данных",
            ],
            "Настройки": ["Настройки расчётов", "Реквизиты поставщика"],
        },
        "hidden": {
            "Клиенты": [
                "Пользователи портала",
                "Заявки на активацию",
                "Запросы роли Администратор",
                "Заказы услуг",
                "Роли по договорам",
            ],
            "Настройки": ["Пользователи", "Группы"],
        },
        "absent": ["Обращения", "Страницы", "Контент", "Изображения", "Документы"],
    },
    SALES_MANAGER: {
        "shown": {
            "Клиенты": ["Клиенты", "Договоры", "Запросы роли Администратор", "Заказы услуг", "Роли по договорам"],
            "Учёт": ["Энергообъекты"],
        },
        "hidden": {
            "Клиенты": ["Пользователи портала", "Заявки на активацию"],
            "Учёт": ["Показания", "Первичные акты"],
            "Расчёты": ["Тарифы", "Расчёты периодов", "Запустить расчёт", "Платежи", "Загрузка и выгрузка"],
        },
        "absent": ["Обращения", "Страницы", "Контент", "Изображения", "Документы", "Настройки"],
    },
    CONTENT_EDITOR: {
        "shown": {
            "Страницы": [],
            "Контент": ["Вопрос - Ответ", "Группы вопросов", "Рассылки"],
            "Изображения": [],
            "Документы": [],
        },
        "hidden": {},
        "absent": ["Клиенты", "Обращения", "Учёт", "Расчёты", "Отчёты", "Настройки"],
    },
    ADMINISTRATOR: {
        "shown": {
            "Страницы": [],
            "Контент": ["Вопрос - Ответ", "Группы вопросов", "Рассылки"],
            "Клиенты": ["Клиенты", "Пользователи портала", "Заявки на активацию", "Запросы роли Администратор"],
            "Обращения": ["Сводка", "Очередь", "Классификатор"],
            "Учёт": ["Показания", "Первичные акты"],
            "Расчёты": ["Тарифы", "Запустить расчёт", "Загрузка и выгрузка", "Загрузки данных"],
            "Изображения": [],
            "Документы": [],
            "Настройки": ["Пользователи", "Группы", "Настройки расчётов", "Настройки обращений", "Контакты компании"],
        },
        "hidden": {},
        "absent": [],
    },
}


@pytest.mark.parametrize("name", list(MENUS))
def test_each_group_sees_only_the_menus_of_its_job(client, name):
    client.force_login(member_of(name))

    menu = rendered_menu(client)

    expected = MENUS[name]
    for label, children in expected["shown"].items():
        assert label in menu, label
        assert set(children) <= set(menu[label]), (label, menu[label])
    for label, children in expected["hidden"].items():
        assert not set(children) & set(menu.get(label, [])), (label, menu.get(label))
    assert not set(expected["absent"]) & set(menu), menu


# --- Screens ------------------------------------------------------------------------------------------------------


@pytest.fixture
def objects(db):
    return {
        "tariff": f.TariffFactory(),
        "customer": f.PersonFactory(),
        "home": Page.objects.get(depth=2),
        "root_collection": Collection.get_first_root_node(),
    }


SCREENS = {
    # «Клиенты»
    "customers": lambda o: reverse("backoffice_customers:index"),
    "customer_add": lambda o: reverse("backoffice_customers:add"),
    "customer_chooser": lambda o: reverse("backoffice_customer_chooser:choose"),
    "accounts": lambda o: reverse("backoffice_accounts:index"),
    "contracts": lambda o: reverse("backoffice_contracts:index"),
    "contract_add": lambda o: reverse("backoffice_contracts:add"),
    "portal_users": lambda o: reverse("selfservice_portal_users:index"),
    "customer_register": lambda o: reverse("selfservice_portal_users:register"),
    "activation_requests": lambda o: reverse("workflows_activation_requests:index"),
    "role_grants": lambda o: reverse("workflows_administrator_requests:index"),
    "contract_roles": lambda o: reverse("selfservice_contract_roles:index"),
    "service_orders": lambda o: reverse("workflows_service_orders:index"),
    # «Обращения»
    "appeal_desk": lambda o: reverse("workflows_appeals_desk"),
    "appeals": lambda o: reverse("workflows_appeals:index"),
    "appeal_topic_add": lambda o: reverse("workflows_appeal_topics:add"),
    # «Учёт»
    "readings": lambda o: reverse("backoffice_readings:index"),
    "reading_add": lambda o: reverse("backoffice_readings:add"),
    "interval_acts": lambda o: reverse("workflows_interval_acts:index"),
    # «Расчёты»
    "tariffs": lambda o: reverse("backoffice_tariffs:index"),
    "tariff_edit": lambda o: reverse("backoffice_tariffs:edit", args=[o["tariff"].pk]),
    "billing_runs": lambda o: reverse("backoffice_billing_runs:index"),
    "billing_run_start": lambda o: reverse("backoffice_billing_run_start"),
    "documents": lambda o: reverse("backoffice_documents:index"),
    "payments": lambda o: reverse("backoffice_payments:index"),
    "imports": lambda o: reverse("exchange:index"),
    "import_jobs": lambda o: reverse("backoffice_import_jobs:index"),
    "billing_settings": lambda o: reverse(
        "wagtailsettings:edit", args=["backoffice", "billingsettings", BillingSettings.load().pk]
    ),
    # Content
    "page_edit": lambda o: reverse("wagtailadmin_pages:edit", args=[o["home"].pk]),
    "page_add": lambda o: reverse("wagtailadmin_pages:add_subpage", args=[o["home"].pk]),
    "faq_questions": lambda o: reverse("wagtailsnippets_faq_faqquestion:list"),
    "faq_question_add": lambda o: reverse("wagtailsnippets_faq_faqquestion:add"),
    "mailings": lambda o: reverse("workflows_mailings:index"),
    "mailing_add": lambda o: reverse("workflows_mailings:add"),
    "images": lambda o: reverse("wagtailimages:index"),
    # The customer 360 view, the audit trail, the reports
    "customer_search": lambda o: reverse("workflows_customer_search"),
    "customer_card": lambda o: reverse("workflows_customer_card", args=[o["customer"].pk]),
    "audit": lambda o: reverse("backoffice_audit:index"),
    "report_readings": lambda o: reverse("backoffice_report_readings"),
    "report_debts": lambda o: reverse("backoffice_report_debts"),
    "report_payments": lambda o: reverse("backoffice_report_payments"),
    "report_appeals": lambda o: reverse("backoffice_report_appeals"),
    # The system
    "groups": lambda o: reverse("wagtailusers_groups:index"),
    "users": lambda o: reverse("wagtailusers_users:index"),
}

REACHES = {
    SUPPORT: [
        "customers",
        "customer_chooser",
        "accounts",
        "contracts",
        "portal_users",
        "customer_register",
        "activation_requests",
        "contract_roles",
        "appeal_desk",
        "appeals",
        "readings",
        "tariffs",
        "documents",
        "payments",
        "customer_search",
        "customer_card",
        "report_readings",
        "report_debts",
        "report_payments",
        "report_appeals",
    ],
    BILLING_OPERATOR: [
        "customers",
        "accounts",
        "readings",
        "reading_add",
        "interval_acts",
        "tariffs",
        "tariff_edit",
        "billing_runs",
        "billing_run_start",
        "documents",
        "payments",
        "imports",
        "import_jobs",
        "billing_settings",
        "customer_search",
        "customer_card",
        "report_readings",
        "report_debts",
        "report_payments",
    ],
    SALES_MANAGER: [
        "customers",
        "customer_add",
        "customer_chooser",
        "contracts",
        "contract_add",
        "role_grants",
        "contract_roles",
        "service_orders",
        "documents",
        "customer_search",
        "customer_card",
        "audit",
        "report_debts",
    ],
    CONTENT_EDITOR: ["page_edit", "page_add", "faq_questions", "faq_question_add", "mailings", "mailing_add", "images"],
    ADMINISTRATOR: list(SCREENS),
}

REFUSED = {
    SUPPORT: [
        "customer_add",
        "contract_add",
        "role_grants",
        "service_orders",
        "appeal_topic_add",
        "reading_add",
        "interval_acts",
        "tariff_edit",
        "billing_runs",
        "billing_run_start",
        "imports",
        "import_jobs",
        "billing_settings",
        "page_edit",
        "faq_questions",
        "mailings",
        "groups",
        "audit",
    ],
    BILLING_OPERATOR: [
        "customer_add",
        "contract_add",
        "portal_users",
        "activation_requests",
        "role_grants",
        "contract_roles",
        "service_orders",
        "appeal_desk",
        "appeals",
        "page_edit",
        "faq_questions",
        "mailings",
        "groups",
        "audit",
        "report_appeals",
    ],
    SALES_MANAGER: [
        "portal_users",
        "activation_requests",
        "appeal_desk",
        "appeals",
        "readings",
        "tariffs",
        "billing_runs",
        "billing_run_start",
        "payments",
        "imports",
        "import_jobs",
        "page_edit",
        "mailings",
        "groups",
        "report_readings",
        "report_payments",
        "report_appeals",
    ],
    CONTENT_EDITOR: [
        "customers",
        "customer_chooser",
        "accounts",
        "contracts",
        "portal_users",
        "activation_requests",
        "role_grants",
        "contract_roles",
        "service_orders",
        "appeal_desk",
        "appeals",
        "readings",
        "interval_acts",
        "tariffs",
        "documents",
        "payments",
        "imports",
        "import_jobs",
        "billing_settings",
        "groups",
        "users",
        "customer_search",
        "customer_card",
        "audit",
        "report_readings",
        "report_debts",
        "report_payments",
        "report_appeals",
    ],
    ADMINISTRATOR: [],
}

CASES = [(name, screen, True) for name, screens in REACHES.items() for screen in screens] + [
    (name, screen, False) for name, screens in REFUSED.items() for screen in screens
]


def test_the_cases_name_real_screens_and_do_not_contradict_each_other():
    for name in STAFF_GROUPS:
        assert set(REACHES[name]) <= set(SCREENS) and set(REFUSED[name]) <= set(SCREENS)
        assert not set(REACHES[name]) & set(REFUSED[name]), name


@pytest.mark.parametrize(
    ("name", "screen", "reaches"), CASES, ids=[f"{n}-{s}-{'ok' if r else 'no'}" for n, s, r in CASES]
)
def test_each_group_reaches_its_screens_and_is_refused_the_others(client, objects, name, screen, reaches):
    client.force_login(member_of(name))

    response = client.get(SCREENS[screen](objects))

    if reaches:
        assert response.status_code == 200
    else:
        # Wagtail's refusal: back to the dashboard with its message; nothing of the screen is sent.
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")
        assert REFUSAL in [str(message).strip() for message in get_messages(response.wsgi_request)]


def test_a_refused_import_cannot_be_posted_either(client):
    client.force_login(member_of(SUPPORT))

    response = client.post(reverse("exchange:index"), {"resource": "readings"})

    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


# --- The rights the customer 360 view, the reports, the audit trail and the dashboard's cards check ------------

EVERYONE = set(STAFF_GROUPS)
AREA_RIGHTS = {
    # The customer 360 view and its search.
    "backoffice.view_customer": {SUPPORT, BILLING_OPERATOR, SALES_MANAGER, ADMINISTRATOR},
    # The audit report (support sees a customer's trail inside the 360 view only).
    "backoffice.view_auditentry": {SALES_MANAGER, ADMINISTRATOR},
    # Reports: readings submission rate, debts by age, appeals by topic and SLA, payments by day.
    "backoffice.view_reading": {SUPPORT, BILLING_OPERATOR, ADMINISTRATOR},
    "backoffice.view_balance": {SUPPORT, BILLING_OPERATOR, SALES_MANAGER, ADMINISTRATOR},
    "workflows.view_appeal": {SUPPORT, ADMINISTRATOR},
    "backoffice.view_payment": {SUPPORT, BILLING_OPERATOR, ADMINISTRATOR},
    # The dashboard's queues.
    "workflows.view_activationrequest": {SUPPORT, ADMINISTRATOR},
    "workflows.view_administratorrequest": {SALES_MANAGER, ADMINISTRATOR},
    "workflows.view_serviceorder": {SALES_MANAGER, ADMINISTRATOR},
    "workflows.view_intervalact": {BILLING_OPERATOR, ADMINISTRATOR},
    "backoffice.view_acquiringorder": {SUPPORT, BILLING_OPERATOR, ADMINISTRATOR},
    "backoffice.view_importjob": {BILLING_OPERATOR, ADMINISTRATOR},
    # Acting from the 360 view: helping a portal user, working an appeal.
    "selfservice.assist_customer": {SUPPORT, ADMINISTRATOR},
    "workflows.work_appeal": {SUPPORT, ADMINISTRATOR},
}


@pytest.mark.parametrize("permission", list(AREA_RIGHTS))
def test_the_rights_of_the_back_office_areas(permission):
    for name in EVERYONE:
        assert member_of(name).has_perm(permission) is (name in AREA_RIGHTS[permission]), (name, permission)


# --- The demo logins ------------------------------------------------------------------------------------------------


def test_the_demo_has_a_support_and_a_billing_login_in_their_groups(client):
    from selfservice.demo import DEMO_PASSWORD, demo_users_create

    demo_users_create()
    demo_users_create()  # every `make run` does it again

    for email, name, own, other in (
        ("support@demo.energokabinet.example", SUPPORT, "appeal_desk", "billing_run_start"),
        ("billing@demo.energokabinet.example", BILLING_OPERATOR, "billing_run_start", "appeal_desk"),
    ):
        user = get_user_model().objects.get(email=email)
        assert user.check_password(DEMO_PASSWORD) and user.is_staff and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [name]
        client.force_login(user)
        assert client.get(SCREENS[own]({})).status_code == 200
        assert client.get(SCREENS[other]({})).status_code == 302
