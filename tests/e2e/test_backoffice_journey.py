"""The back office in a browser (F-I1…F-I3): a clerk of the «Поддержка» group finds an organisation by its ИНН with
the one search box of the admin home, sees its overdue appeal on the customer's card, opens the overdue appeals from
the dashboard's queue card and answers the customer; the customer reads the answer in the portal."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from tests.backoffice import factories as f
from tests.e2e.conftest import screenshot
from tests.e2e.test_appeal_journey import admin_page, open_appeals, sign_in
from tests.factories import UserFactory
from tests.selfservice.cabinet import give_role
from tests.workflows.appeals_kit import file_appeal, topics
from workflows.models import Appeal
from workflows.staff_groups import SUPPORT

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

INN = "7812345678"


def overdue_appeal_of_an_organisation() -> Appeal:
    topics()
    organisation = f.OrganisationFactory(
        full_name="Общество с ограниченной ответственностью «Ромашка»", short_name="ООО «Ромашка»", inn=INN
    )
    f.OrganisationFactory(short_name="АО «Василёк»", inn="7899999999")  # someone the search must not bring up
    contract = f.ContractFactory(number="78010000000487", customer=organisation)
    accountant = UserFactory(email="buh@romashka.example", first_name="Ирина", last_name="Белова")
    give_role(accountant, contract)
    appeal = file_appeal(accountant, contract=contract, text="Не вижу акт сверки за октябрь в разделе «Документы».")
    overdue = timezone.now() - datetime.timedelta(days=2)
    Appeal.objects.filter(pk=appeal.pk).update(state=Appeal.State.REGISTERED, due_at=overdue, paused_at=None)
    return appeal


def support_clerk(email: str):
    clerk = UserFactory(email=email, is_staff=True, first_name="Мария", last_name="Кузнецова")
    clerk.groups.add(Group.objects.get(name=SUPPORT))  # the group of the data migration, with its rights only
    return clerk


def test_a_support_clerk_finds_the_customer_by_inn_and_answers_the_overdue_appeal(page, browser, live_server):
    appeal = overdue_appeal_of_an_organisation()
    support_clerk("support@energosbyt.example")
    context, staff = admin_page(browser, live_server, "support@energosbyt.example", like=page)

    # The admin home: the search box and the queues; the clerk's group sees no billing menu.
    expect(staff.get_by_role("heading", name="Поиск клиента")).to_be_visible()
    expect(staff.locator("#queue-appeals")).to_be_visible()
    screenshot(staff, "backoffice-dashboard")
    staff.get_by_label("ЛС, номер договора, ИНН, e-mail, телефон или имя").fill(INN)
    staff.get_by_role("button", name="Найти").click()

    # The only hit opens the customer's card, with the appeal among the customer's appeals.
    expect(staff.get_by_role("heading", name=re.compile("Ромашка"))).to_be_visible()
    expect(staff.get_by_text("Василёк")).to_have_count(0)
    expect(staff.get_by_role("link", name=appeal.number).first).to_be_visible()
    screenshot(staff, "backoffice-customer-card")

    # Back on the dashboard: the overdue appeals, one click away.
    staff.goto(live_server.url + "/admin/")
    overdue = staff.locator("#queue-appeals").get_by_role("link", name=re.compile(r"^Просрочено"))
    expect(overdue).to_contain_text("1")
    overdue.click()
    staff.get_by_role("link", name=appeal.number).click()
    expect(staff.get_by_role("heading", name=re.compile(r"^\[Зарегистрирована\]"))).to_be_visible()
    staff.get_by_label("Сообщение клиенту").first.fill("Акт сверки за октябрь выложен в раздел «Документы».")
    staff.get_by_role("button", name="Отправить", exact=True).click()
    expect(staff.get_by_text("Сообщение отправлено клиенту.")).to_be_visible()
    screenshot(staff, "backoffice-appeal-answered")
    context.close()

    # The customer reads the answer in the portal.
    sign_in(page, "buh@romashka.example")
    open_appeals(page)
    page.get_by_role("link", name=re.compile("ЛКК")).click()
    expect(page.get_by_text("Акт сверки за октябрь выложен в раздел «Документы».")).to_be_visible()
