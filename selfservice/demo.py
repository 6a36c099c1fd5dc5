"""Invented demo data for `make run`: the people who can sign in and the user agreement they accept.

Every later area (accounts, contracts, news, appeals) adds its own part to
`seed_demo`; each part is idempotent so the command can run on every start.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from backoffice.demo import DEMO_ACCOUNT, DEMO_CONTRACT
from backoffice.models import Contract, PersonalAccount
from cms.models import AGREEMENT_SLUG, HomePage, StandardPage
from workflows.staff_groups import BILLING_OPERATOR, SUPPORT

from .access import access_sync
from .models import ContractRole
from .services.accounts import account_link_create, account_link_update

DEMO_PASSWORD = "Demo-2026!"  # invented, printed by `make run`; never use outside a demo


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    fields: dict
    group: str = ""  # a staff group the login is put in (workflows/staff_groups.py, Wagtail's «Editors»)


DEMO_LOGINS = (
    DemoLogin(
        "Бытовой абонент",
        "household@demo.energokabinet.example",
        {"last_name": "Петрова", "first_name": "Анна", "middle_name": "Сергеевна", "phone": "+79110000001"},
    ),
    DemoLogin(
        "Юридическое лицо",
        "company@demo.energokabinet.example",
        {
            "last_name": "Смирнов",
            "first_name": "Олег",
            "middle_name": "Викторович",
            "organisation": "ООО «Северный хлебозавод»",
            "position": "Главный энергетик",
            "phone": "+79110000002",
            "login": "hlebozavod",
        },
    ),
    DemoLogin(
        "Сотрудник (администратор)",
        "staff@demo.energokabinet.example",
        {"last_name": "Кузнецова", "first_name": "Мария", "is_staff": True, "is_superuser": True},
    ),
    DemoLogin(
        "Редактор сайта",
        "editor@demo.energokabinet.example",
        {"last_name": "Орлов", "first_name": "Илья", "is_staff": True},
        group="Editors",  # created by Wagtail's own migrations
    ),
    DemoLogin(
        "Поддержка",
        "support@demo.energokabinet.example",
        {"last_name": "Соколова", "first_name": "Елена", "is_staff": True},
        group=SUPPORT,
    ),
    DemoLogin(
        "Оператор расчётов",
        "billing@demo.energokabinet.example",
        {"last_name": "Волков", "first_name": "Дмитрий", "is_staff": True},
        group=BILLING_OPERATOR,
    ),
)


@transaction.atomic
def demo_users_create() -> list[DemoLogin]:
    """Create (or refresh) the demo logins with confirmed contacts."""
    user_model = get_user_model()
    now = timezone.now()
    for demo in DEMO_LOGINS:
        user, created = user_model.objects.get_or_create(
            email=demo.email,
            defaults={**demo.fields, "email_confirmed_at": now, "phone_confirmed_at": now},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        group = Group.objects.filter(name=demo.group).first() if demo.group else None
        if group:
            group.user_set.add(user)
    return list(DEMO_LOGINS)


AGREEMENT_INTRO = (
    "Настоящее соглашение определяет условия использования личного кабинета клиента. "
    "Регистрируясь, вы подтверждаете, что прочитали и принимаете его."
)
AGREEMENT_BODY = "".join(
    f"<h2>{heading}</h2><p>{text}</p>"
    for heading, text in (
        (
            "1. Общие положения",
            "Личный кабинет — сервис сбытовой компании для клиентов: физических лиц по лицевым счетам и "
            "организаций по договорам энергоснабжения. В кабинете можно смотреть начисления и платежи, "
            "оплачивать счета, передавать показания приборов учёта и направлять обращения.",
        ),
        (
            "2. Учётная запись",
            "Для работы в кабинете нужна учётная запись с подтверждённым адресом электронной почты. "
            "Пользователь отвечает за сохранность пароля и не передаёт его третьим лицам. Если адрес не "
            "подтверждён в течение 60 часов после регистрации, учётная запись удаляется.",
        ),
        (
            "3. Персональные данные",
            "Компания обрабатывает указанные пользователем фамилию, имя, отчество, телефон, адрес электронной "
            "почты и адрес в целях исполнения договора энергоснабжения в соответствии с Федеральным законом "
            "от 27.07.2006 №\u00a0152-ФЗ «О персональных данных». Удалить учётную запись можно в профиле; "
            "документы по договору при этом сохраняются в сроки, установленные законом.",
        ),
        (
            "4. Рассылки",
            "Сервисные сообщения (коды подтверждения, уведомления о счетах и обращениях) отправляются всем "
            "пользователям. Рекламно-информационная рассылка — только с согласия пользователя, отказаться от неё "
            "можно в профиле в любой момент.",
        ),
        (
            "5. Ответственность",
            "Сведения в кабинете носят информационный характер; при расхождении с первичными документами "
            "действуют документы. Компания вправе изменять соглашение, публикуя новую редакцию на этой странице.",
        ),
    )
)


@transaction.atomic
def demo_agreement_create() -> StandardPage:
    """Publish «Пользовательское соглашение» under the home page, once; editors may change it afterwards."""
    existing = StandardPage.objects.filter(slug=AGREEMENT_SLUG).first()
    if existing:
        return existing
    page = StandardPage(
        title="Пользовательское соглашение", slug=AGREEMENT_SLUG, intro=AGREEMENT_INTRO, body=AGREEMENT_BODY
    )
    HomePage.objects.get().add_child(instance=page)
    page.save_revision().publish()
    return page


# The demo logins' cabinets: the household has two ЛС (the switcher and groups show), the company login is the
# Администратор of seed 001's contract and Руководитель of a second one, where «Запросить доступ» shows.
HOUSEHOLD_ACCOUNTS = ((DEMO_ACCOUNT, "Квартира", ""), ("100000002", "Дача", "Счётчик на столбе"))
COMPANY_CONTRACTS = ((DEMO_CONTRACT, ContractRole.Role.ADMINISTRATOR), ("78010000003105", ContractRole.Role.HEAD))


@transaction.atomic
def demo_cabinets_create() -> int:
    """Link the demo logins to their demo accounts and contracts (idempotent); return the links added."""
    user_model = get_user_model()
    household = user_model.objects.get(email=DEMO_LOGINS[0].email)
    company = user_model.objects.get(email=DEMO_LOGINS[1].email)
    added = 0
    for number, group, note in HOUSEHOLD_ACCOUNTS:
        account = PersonalAccount.objects.filter(number=number).first()
        if account is None:
            continue
        link, created = account_link_create(user=household, account=account)
        if created:
            account_link_update(link=link, group=group, note=note)
            added += 1
    for number, role in COMPANY_CONTRACTS:
        contract = Contract.objects.filter(number=number).first()
        if contract is None or ContractRole.objects.filter(contract=contract).exists():
            continue
        ContractRole.objects.create(user=company, contract=contract, role=role)
        access_sync(user=company, contract=contract)
        added += 1
    return added
