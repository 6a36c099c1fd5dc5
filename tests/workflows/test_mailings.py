"""Mailings (F-H6): the audience, the consent filter, delivery in batches through the notification settings, counts,
scheduling, and the editors' screens that never show who the recipients are."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from backoffice.models import Notification, NotificationSettings, OutboxMessage
from tests.backoffice.factories import BranchFactory, ContractFactory, OrganisationGroupFactory, PersonalAccountFactory
from tests.factories import UserFactory
from tests.selfservice.cabinet import give_role, link_account
from workflows.models import Mailing, MailingRecipient
from workflows.services import mailings as service
from workflows.services.mailings import (
    MailingRefused,
    mailing_audience,
    mailing_counts,
    mailing_dispatch,
    mailing_schedule,
    mailings_dispatch_due,
)

pytestmark = pytest.mark.django_db
Audience, State = Mailing.Audience, Mailing.State


def fresh(mailing) -> Mailing:
    return Mailing.objects.get(pk=mailing.pk)


@pytest.fixture
def editor():
    user = UserFactory(is_staff=True, email="editor@company.test")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def people():
    """A household of branch «Северное», an organisation of branch «Южное» in a customer group, a user with nothing."""
    north, south = BranchFactory(name="Северное отделение"), BranchFactory(name="Южное отделение")
    household = UserFactory(email="household@example.test", advertising_consent=True)
    link_account(household, PersonalAccountFactory(branch=north))
    company = UserFactory(email="company@example.test", advertising_consent=False)
    group = OrganisationGroupFactory()
    give_role(company, ContractFactory(branch=south, customer__group=group))
    nobody = UserFactory(email="nobody@example.test", advertising_consent=True)
    UserFactory(email="clerk@company.test", is_staff=True)  # staff are not an audience
    return {
        "household": household,
        "company": company,
        "nobody": nobody,
        "north": north,
        "south": south,
        "group": group,
    }


def audience_of(**fields) -> set[str]:
    return set(mailing_audience(mailing=Mailing(title="Т", body="Т", **fields)).values_list("email", flat=True))


def test_the_audiences(people):
    assert audience_of(audience=Audience.ALL) == {
        "household@example.test",
        "company@example.test",
        "nobody@example.test",
    }
    assert audience_of(audience=Audience.HOUSEHOLDS) == {"household@example.test"}
    assert audience_of(audience=Audience.ORGANISATIONS) == {"company@example.test"}
    assert audience_of(audience=Audience.BRANCH, branch=people["north"]) == {"household@example.test"}
    assert audience_of(audience=Audience.BRANCH, branch=people["south"]) == {"company@example.test"}
    assert audience_of(audience=Audience.GROUP, customer_group=people["group"]) == {"company@example.test"}


def send_now(mailing, by, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mailing_schedule(mailing=mailing, by=by)
    return fresh(mailing)


def test_a_newsletter_goes_only_to_those_who_agreed(people, editor, django_capture_on_commit_callbacks):
    off = UserFactory(email="off@example.test", advertising_consent=True)
    NotificationSettings.objects.create(user=off, email_enabled=False)  # «E-mail уведомления» switched off
    UserFactory(email="unconfirmed@example.test", advertising_consent=True, email_confirmed_at=None)
    mailing = Mailing.objects.create(
        kind=Mailing.Kind.NEWSLETTER, title="Скидка на поверку", body="До конца месяца −20 %."
    )
    mailing = send_now(mailing, editor, django_capture_on_commit_callbacks)
    recipients = set(OutboxMessage.objects.filter(template="newsletter").values_list("recipient", flat=True))
    assert recipients == {"household@example.test", "nobody@example.test"}
    assert not Notification.objects.exists()  # a newsletter is e-mail only
    assert mailing.state == State.SENT and mailing.recipients_total == 2 and mailing.skipped == 3
    letter = OutboxMessage.objects.get(recipient="household@example.test")
    assert letter.subject == "Скидка на поверку" and "согласились получать рекламную рассылку" in letter.body


def test_a_message_reaches_every_cabinet_and_the_emails_the_settings_allow(
    people, editor, django_capture_on_commit_callbacks
):
    NotificationSettings.objects.create(user=people["company"], email_enabled=False)
    mailing = Mailing.objects.create(
        title="Новые реквизиты для оплаты",
        body="С 1 января платежи принимаются на новый расчётный счёт.",
        display=Mailing.Display.MODAL,
        confirm_label="Понятно",
        audience=Audience.ALL,
    )
    mailing = send_now(mailing, editor, django_capture_on_commit_callbacks)
    shown = Notification.objects.filter(title="Новые реквизиты для оплаты")
    assert set(shown.values_list("user__email", flat=True)) == {
        "household@example.test",
        "company@example.test",
        "nobody@example.test",
    }
    assert set(shown.values_list("display", "confirm_label").distinct()) == {("modal", "Понятно")}
    mailed = set(OutboxMessage.objects.filter(template="notification").values_list("recipient", flat=True))
    assert mailed == {"household@example.test", "nobody@example.test"}
    counts = mailing_counts(mailing=mailing)
    assert counts["total"] == 3 and counts["in_app"] == 3 and counts["processed"] == 3
    assert counts["sent"] == 2 and counts["failed"] == 0


def test_sending_goes_in_batches_and_a_batch_run_twice_sends_nothing_twice(
    people, editor, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(service, "BATCH_SIZE", 1)
    batches = []
    monkeypatch.setattr(service, "_enqueue_batch", lambda mailing_id, ids: batches.append(ids))
    mailing = Mailing.objects.create(title="Плановые работы", body="Ночью кабинет недоступен.")
    with django_capture_on_commit_callbacks(execute=True):
        mailing_schedule(mailing=mailing, by=editor)
    assert fresh(mailing).state == State.SENDING and len(batches) == 3 and all(len(batch) == 1 for batch in batches)
    assert not Notification.objects.exists()  # the admin only queued the work

    for batch in batches:
        with django_capture_on_commit_callbacks(execute=True):
            service.mailing_send_batch(mailing_id=mailing.pk, user_ids=batch)
    with django_capture_on_commit_callbacks(execute=True):
        service.mailing_send_batch(mailing_id=mailing.pk, user_ids=batches[0])  # a retried batch
    assert Notification.objects.filter(title="Плановые работы").count() == 3
    assert MailingRecipient.objects.filter(mailing=mailing).count() == 3
    assert fresh(mailing).state == State.SENT


def test_a_mailing_for_later_waits_for_its_time(people, editor, django_capture_on_commit_callbacks):
    later = timezone.now() + datetime.timedelta(hours=2)
    mailing = Mailing.objects.create(title="Поздравление", body="С праздником!", scheduled_at=later)
    with django_capture_on_commit_callbacks(execute=True):
        mailing_schedule(mailing=mailing, by=editor)
    assert fresh(mailing).state == State.SCHEDULED and mailings_dispatch_due() == 0
    Mailing.objects.filter(pk=mailing.pk).update(scheduled_at=timezone.now() - datetime.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert mailings_dispatch_due() == 1
    assert fresh(mailing).state == State.SENT
    assert mailing_dispatch(mailing_id=mailing.pk) == 0  # a second start does nothing


def test_a_branch_mailing_needs_the_branch(editor):
    mailing = Mailing.objects.create(title="Т", body="Т", audience=Audience.BRANCH)
    with pytest.raises(MailingRefused, match="Выберите отделение."):
        mailing_schedule(mailing=mailing, by=editor)
    assert fresh(mailing).state == State.DRAFT


def test_an_editor_writes_previews_and_sends_a_mailing(client, editor, people, django_capture_on_commit_callbacks):
    client.force_login(editor)
    response = client.post(
        reverse("workflows_mailings:add"),
        {
            "kind": Mailing.Kind.MESSAGE,
            "title": "Опрос о качестве обслуживания",
            "body": "Ответьте на три вопроса — это займёт минуту.",
            "display": Mailing.Display.TOP,
            "action_label": "Пройти опрос",
            "action_url": "/help/",
            "confirm_label": "Подтвердить",
            "audience": Audience.HOUSEHOLDS,
        },
    )
    mailing = Mailing.objects.get()
    assert response.status_code == 302 and mailing.created_by == editor and mailing.state == State.DRAFT
    page = client.get(reverse("workflows_mailings:inspect", args=[mailing.pk])).content.decode()
    assert "Предпросмотр письма" in page and "Опрос о качестве обслуживания" in page
    assert "В аудитории" in page and "household@example.test" not in page  # counts, never who
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("workflows_mailings:inspect", args=[mailing.pk]), {"action": "schedule"})
    assert fresh(mailing).state == State.SENT
    bar = Notification.objects.get(user=people["household"])
    assert bar.display == Notification.Display.TOP and bar.action_label == "Пройти опрос" and bar.url == "/help/"
    page = client.get(reverse("workflows_mailings:inspect", args=[mailing.pk])).content.decode()
    assert "В личном кабинете" in page and "household@example.test" not in page


def test_a_sent_mailing_is_not_edited(client, editor, people, django_capture_on_commit_callbacks):
    client.force_login(editor)
    mailing = send_now(Mailing.objects.create(title="Т", body="Т"), editor, django_capture_on_commit_callbacks)
    response = client.get(reverse("workflows_mailings:edit", args=[mailing.pk]), follow=True)
    assert "Изменить можно только черновик." in response.content.decode()


def test_a_bad_mailing_form_keeps_the_text_and_stores_nothing(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("workflows_mailings:add"),
        {
            "kind": Mailing.Kind.MESSAGE,
            "title": "Т",
            "body": "Текст",
            "display": "list",
            "confirm_label": "Подтвердить",
            "audience": Audience.BRANCH,
            "action_label": "Перейти",
        },
    )
    page = response.content.decode()
    assert (
        response.status_code == 200
        and "Выберите отделение." in page
        and "Укажите, куда ведёт кнопка «Перейти»." in page
    )
    assert not Mailing.objects.exists()
