"""Editorial workflow (F-H7): editors write news, FAQ and the catalog; moderators approve and publish; editors see no
customer data, while staff with the rights do."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, Revision, Workflow
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from cms.models import NewsPage
from cms.tasks import publish_scheduled_task
from faq.models import FaqGroup, FaqQuestion
from tests.content import news_index
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def member(group_name: str, **fields):
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def editor():
    return member("Editors", email="editor@company.test")


@pytest.fixture
def moderator():
    return member("Moderators", email="moderator@company.test")


def news_form(title: str, action: str) -> dict:
    return nested_form_data(
        {
            "title": title,
            "slug": "rabota-v-prazdniki",
            "date": "2026-12-01",
            "summary": "Часы работы отделений меняются.",
            "body": rich_text("<p>С 30 декабря по 8 января отделения работают с 9:00 до 15:00.</p>"),
            "comments": inline_formset([]),
            action: "1",
        }
    )


def signed_in(user) -> Client:
    browser = Client()  # a browser of their own: the admin's messages stay in the editor's cookies
    browser.force_login(user)
    return browser


def test_an_editor_submits_news_and_only_a_moderators_approval_publishes_it(editor, moderator):
    index = news_index()
    response = signed_in(editor).post(
        reverse("wagtailadmin_pages:add", args=["cms", "newspage", index.pk]),
        news_form("Работа в праздники", "action-submit"),
    )
    assert response.status_code == 302
    page = NewsPage.objects.get(title="Работа в праздники")
    assert not page.live and page.current_workflow_state.status == "in_progress"

    customer = signed_in(UserFactory())
    assert "Работа в праздники" not in customer.get(reverse("selfservice:news")).content.decode()

    task_state = page.current_workflow_task_state
    response = signed_in(moderator).post(
        reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk]),
        {"comment": "Проверено"},
    )
    assert response.status_code in (200, 302)
    page.refresh_from_db()
    assert page.live

    assert "Работа в праздники" in customer.get(reverse("selfservice:news")).content.decode()


def test_an_editor_cannot_publish_a_page_directly(client, editor):
    client.force_login(editor)
    client.post(
        reverse("wagtailadmin_pages:add", args=["cms", "newspage", news_index().pk]),
        news_form("Без модерации", "action-publish"),
    )
    page = NewsPage.objects.get(title="Без модерации")
    assert not page.live


def test_faq_questions_go_through_the_same_moderation(editor, moderator, signed_in_client):
    assert Workflow.objects.filter(workflow_content_types__content_type__model="faqquestion").exists()
    group = FaqGroup.objects.create(name="Показания")
    assert editor.has_perm("faq.change_faqquestion") and not editor.has_perm("faq.publish_faqquestion")
    response = signed_in(editor).post(
        reverse("wagtailsnippets_faq_faqquestion:add"),
        nested_form_data(
            {
                "group": group.pk,
                "question": "Когда передавать показания?",
                "answer": rich_text("<p>С 15-го по 26-е число месяца.</p>"),
                "sort_order": 10,
                "topics": "",
                "action-submit": "1",
            }
        ),
    )
    assert response.status_code == 302
    item = FaqQuestion.objects.get(question="Когда передавать показания?")
    assert not item.live and item.current_workflow_state.status == "in_progress"
    assert "Когда передавать показания?" not in signed_in_client.get(reverse("selfservice:help")).content.decode()

    task_state = item.current_workflow_task_state
    signed_in(moderator).post(
        reverse("wagtailsnippets_faq_faqquestion:workflow_action", args=[item.pk, "approve", task_state.pk]),
        {"comment": ""},
    )
    assert FaqQuestion.objects.get(pk=item.pk).live
    assert "Когда передавать показания?" in signed_in_client.get(reverse("selfservice:help")).content.decode()


def test_every_content_page_type_is_editable_under_home(editor):
    home = Page.objects.get(depth=2)
    permissions = home.permissions_for_user(editor)
    assert permissions.can_add_subpage() and not permissions.can_publish()


@pytest.mark.parametrize(
    "url_name",
    [
        "backoffice_customers:index",
        "backoffice_accounts:index",
        "backoffice_contracts:index",
        "selfservice_portal_users:index",
        "workflows_activation_requests:index",
        "workflows_service_orders:index",
    ],
)
def test_editors_cannot_see_customer_data(client, editor, url_name):
    client.force_login(editor)
    response = client.get(reverse(url_name))
    assert response.status_code in (302, 403)


def test_editors_reach_the_content_they_manage(client, editor):
    client.force_login(editor)
    for url in (
        reverse("wagtailadmin_explore_root"),
        reverse("wagtailsnippets_faq_faqquestion:list"),
        reverse("workflows_mailings:index"),
    ):
        assert client.get(url).status_code == 200, url


def test_staff_with_every_right_see_the_customers(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("backoffice_customers:index")).status_code == 200
    assert client.get(reverse("workflows_service_orders:index")).status_code == 200


def test_a_scheduled_news_item_goes_live_at_its_time(signed_in_client):
    later = timezone.now() + datetime.timedelta(hours=1)
    item = NewsPage(title="Новость по расписанию", date=timezone.localdate(), live=False, go_live_at=later)
    news_index().add_child(instance=item)
    item.save_revision().publish()  # with «Опубликовать в» ahead, Wagtail keeps it offline and schedules the revision
    publish_scheduled_task()
    assert not NewsPage.objects.get(pk=item.pk).live

    assert Revision.objects.filter(object_id=str(item.pk), approved_go_live_at=later).exists()
    with time_machine.travel(later + datetime.timedelta(minutes=1)):
        publish_scheduled_task()  # the beat job, a minute after the time
    assert NewsPage.objects.get(pk=item.pk).live
    assert "Новость по расписанию" in signed_in_client.get(reverse("selfservice:news")).content.decode()
