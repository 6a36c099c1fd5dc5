"""The support desk in the Wagtail admin (F-G7, F-I2): the queue with its filters, the card with its steps, the
answer and the internal notes, assignment, bulk steps, «Сводка», the classifier, and the rights of each."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from tests.backoffice.factories import BranchFactory
from tests.factories import UserFactory
from tests.querycount import assert_queries_flat
from tests.selfservice.cabinet import Role, contract_with_sites, give_role
from tests.workflows.appeals_kit import clerk, file_appeal, pdf, topic, topics
from workflows.models import Appeal, AppealNote, AppealTopic, TransitionLog
from workflows.services.appeals import appeal_answer, appeal_classify, appeal_register, appeal_reply, appeal_start

pytestmark = pytest.mark.django_db

State = Appeal.State
QUEUE = "workflows_appeals:index"


@pytest.fixture(autouse=True)
def classifier(db):
    topics()


@pytest.fixture
def desk(client):
    user = clerk(last_name="Кузнецова", first_name="Мария")
    client.force_login(user)
    return user


@pytest.fixture
def customer():
    return UserFactory(email="anna@example.test")


def queue(client, **params) -> str:
    content = client.get(reverse(QUEUE), params).content.decode()
    return content[content.index('id="listing-results"') :]


def card_url(appeal):
    return reverse("workflows_appeals:inspect", args=[appeal.pk])


def fresh(appeal):
    return Appeal.objects.get(pk=appeal.pk)


def test_the_queue_shows_what_waits_for_the_company_most_urgent_first(client, desk, customer):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=5), tick=False):
        late = file_appeal(customer, text="Давнишнее")
    recent = file_appeal(customer, text="Свежее")
    waiting = appeal_start(appeal=appeal_register(appeal=file_appeal(customer), by=desk), by=desk)
    appeal_answer(appeal=waiting, by=desk, text="Пришлите номер договора", ask_customer=True)
    draft = appeal_classify(user=customer, topic=topic("tech-support-login"))

    listing = queue(client)

    assert listing.index(late.number) < listing.index(recent.number) < listing.index(waiting.number)
    assert "просрочено" in listing and "на паузе — ждём клиента" in listing
    assert card_url(draft) not in listing  # drafts never reach the desk
    assert client.get(card_url(draft)).status_code == 404


def test_filters_state_topic_branch_assignee_overdue_and_waiting(client, desk, customer):
    other_clerk = clerk("second@energosbyt.example")
    branch = BranchFactory(name="Северное отделение")
    contract = contract_with_sites(energy_objects=1, branch=branch)
    give_role(customer, contract, Role.HEAD)
    billing = file_appeal(customer, "billing-invoice", contract=contract, text="Счёт")
    with time_machine.travel(timezone.now() - datetime.timedelta(days=5), tick=False):
        late = file_appeal(customer, text="Просроченное")
    mine = appeal_register(appeal=file_appeal(customer, text="Моё"), by=desk)
    theirs = appeal_register(appeal=file_appeal(customer, text="Чужое"), by=other_clerk)
    waiting = appeal_start(appeal=theirs, by=other_clerk)
    appeal_answer(appeal=waiting, by=other_clerk, text="Уточните", ask_customer=True)

    def numbers(**params):
        listing = queue(client, **params)
        return {appeal.number for appeal in (billing, late, mine, theirs) if appeal.number in listing}

    assert numbers(topic=topic("billing").pk) == {billing.number}
    assert numbers(topic=topic("billing-invoice").pk) == {billing.number}
    assert numbers(branch=branch.pk) == {billing.number}
    assert numbers(assignee="me") == {mine.number}
    assert numbers(assignee=str(other_clerk.pk)) == {theirs.number}
    assert numbers(assignee="none") == {billing.number, late.number}
    assert numbers(overdue="on") == {late.number}
    assert numbers(waiting="on") == {theirs.number}
    assert numbers(state="registered") == {mine.number}


def test_new_customer_messages_are_marked_and_filtered(client, desk, customer):
    appeal = appeal_register(appeal=file_appeal(customer), by=desk)
    client.get(card_url(appeal))  # the desk has read it
    quiet = file_appeal(customer, text="Без ответа клиента")
    client.get(card_url(quiet))

    appeal_reply(appeal=appeal, user=customer, text="Есть новости?")

    listing = queue(client, replied="on")
    assert appeal.number in listing and quiet.number not in listing and "ответ клиента" in listing


def test_search_finds_by_number_and_email(client, desk, customer):
    appeal = file_appeal(customer)
    other = file_appeal(UserFactory(email="boris@example.test"))

    by_number = queue(client, q=appeal.number)
    by_email = queue(client, q="boris@")

    assert appeal.number in by_number and other.number not in by_number
    assert other.number in by_email and appeal.number not in by_email


def test_the_queue_costs_the_same_queries_for_few_and_many(client, desk):
    people = [UserFactory() for _ in range(3)]

    def add(count):
        for index in range(count):
            appeal = file_appeal(people[index % 3], text=f"Вопрос {index}")
            if index % 2:
                appeal_register(appeal=appeal, by=desk)

    client.get(reverse(QUEUE))
    assert_queries_flat(client, reverse(QUEUE), add_rows=add, max_queries=15)


def test_the_card_registers_answers_and_notes(client, desk, customer):
    appeal = file_appeal(customer, files=[pdf("снимок.pdf")])

    page = client.get(card_url(appeal)).content.decode()
    assert "Зарегистрировать" in page and "снимок.pdf" in page and appeal.header in page

    client.post(card_url(appeal), {"action": "register", "register-seen_state": "new", "register-comment": ""})
    client.post(card_url(appeal), {"action": "start", "start-seen_state": "registered", "start-comment": ""})
    client.post(
        card_url(appeal),
        {
            "action": "answer",
            "answer-text": "Пришлите снимок экрана",
            "answer-ask_customer": "on",
            "answer-files": [pdf()],
        },
    )
    client.post(card_url(appeal), {"action": "note", "note-text": "Клиент звонил, ждёт ответа до пятницы"})

    appeal = fresh(appeal)
    assert appeal.state == State.IN_PROGRESS and appeal.assignee == desk and appeal.paused_at is not None
    assert appeal.messages.filter(from_staff=True).get().files.count() == 1
    assert AppealNote.objects.get().author == desk
    client.force_login(customer)
    customer_card = client.get(reverse("selfservice:appeal", args=[appeal.pk])).content.decode()
    assert "Пришлите снимок экрана" in customer_card
    assert "Клиент звонил" not in customer_card  # internal notes never reach the customer


def test_a_stale_card_gets_a_clear_message_and_changes_nothing(client, desk, customer):
    appeal = file_appeal(customer)
    appeal_register(appeal=appeal, by=clerk("other@energosbyt.example"))

    response = client.post(
        card_url(appeal),
        {"action": "reject", "reject-seen_state": "new", "reject-comment": "Не наш вопрос"},
        follow=True,
    )

    assert "Обращение уже обработал другой сотрудник. Обновите страницу." in response.content.decode()
    assert fresh(appeal).state == State.REGISTERED
    assert not TransitionLog.objects.filter(object_id=appeal.pk, transition="reject").exists()


def test_resolving_needs_the_answer(client, desk, customer):
    appeal = appeal_start(appeal=appeal_register(appeal=file_appeal(customer), by=desk), by=desk)

    response = client.post(
        card_url(appeal), {"action": "resolve", "resolve-seen_state": "in_progress", "resolve-comment": ""}
    )

    assert (
        response.status_code == 200
        and "Напишите ответ клиенту: он увидит его в обращении." in response.content.decode()
    )
    assert fresh(appeal).state == State.IN_PROGRESS


def test_assignment_and_taking_it(client, desk, customer):
    colleague = clerk("colleague@energosbyt.example", last_name="Орлова", first_name="Ирина")
    appeal = file_appeal(customer)

    client.post(card_url(appeal), {"action": "assign", "assign-assignee": colleague.pk, "assign-seen_assignee": ""})
    assert fresh(appeal).assignee == colleague
    stale = client.post(
        card_url(appeal), {"action": "take", "assign-seen_assignee": "", "assign-assignee": ""}, follow=True
    )
    assert "Исполнителя уже сменил другой сотрудник" in stale.content.decode()
    client.post(card_url(appeal), {"action": "take", "assign-seen_assignee": colleague.pk, "assign-assignee": ""})

    assert fresh(appeal).assignee == desk
    assert TransitionLog.objects.filter(object_id=appeal.pk, transition="assign").count() == 2


def test_a_clerk_without_the_right_to_assign_only_takes_for_themselves(client, customer):
    worker = clerk("worker@energosbyt.example", assign=False)
    colleague = clerk("colleague@energosbyt.example")
    client.force_login(worker)
    appeal = file_appeal(customer)

    client.post(card_url(appeal), {"action": "assign", "assign-assignee": colleague.pk, "assign-seen_assignee": ""})
    assert fresh(appeal).assignee is None
    client.post(card_url(appeal), {"action": "take", "assign-seen_assignee": "", "assign-assignee": ""})
    assert fresh(appeal).assignee == worker


def test_bulk_steps_take_each_appeal_through_its_service(client, desk, customer):
    first, second = file_appeal(customer), file_appeal(customer)
    already = appeal_register(appeal=file_appeal(customer), by=desk)

    response = client.post(
        reverse("workflows_appeals:bulk"),
        {"action": "register", "appeal": [first.pk, second.pk, already.pk], "next": reverse(QUEUE)},
        follow=True,
    )

    content = response.content.decode()
    assert "Готово: 2 обращения" in content or "Готово: 2 обращений" in content
    assert f"№ {already.number}: Обращение уже обработал другой сотрудник" in content
    assert {fresh(first).state, fresh(second).state} == {State.REGISTERED}
    assert TransitionLog.objects.filter(transition="register").count() == 3


def test_bulk_rejection_needs_the_reason(client, desk, customer):
    appeal = file_appeal(customer)

    response = client.post(
        reverse("workflows_appeals:bulk"), {"action": "reject", "appeal": [appeal.pk], "comment": ""}, follow=True
    )

    assert "Укажите причину отказа" in response.content.decode() and fresh(appeal).state == State.NEW


def test_bulk_assignment(client, desk, customer):
    colleague = clerk("colleague@energosbyt.example")
    appeals = [file_appeal(customer) for _ in range(3)]

    client.post(
        reverse("workflows_appeals:bulk"),
        {"action": "assign", "assignee": colleague.pk, "appeal": [appeal.pk for appeal in appeals]},
    )

    assert {fresh(appeal).assignee for appeal in appeals} == {colleague}


def test_the_summary_and_the_dashboard_panel_count_the_queue(client, desk, customer):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=5), tick=False):
        file_appeal(customer)
    appeal_register(appeal=file_appeal(customer), by=desk)

    summary = client.get(reverse("workflows_appeals_desk")).content.decode()
    home = client.get(reverse("wagtailadmin_home")).content.decode()

    assert "Просрочены" in summary and "По темам" in summary and "Техническая поддержка" in summary
    assert "?overdue=on" in summary and "Мои" in home and "Обращения" in home


def test_who_may_see_and_act(client, customer):
    appeal = file_appeal(customer)
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "view_appeal"]))
    stranger = UserFactory(is_staff=True)
    stranger.user_permissions.add(Permission.objects.get(codename="access_admin"))

    client.force_login(stranger)
    assert client.get(reverse(QUEUE)).status_code in (302, 403)
    assert client.get(reverse("workflows_appeals_desk")).status_code in (302, 403)
    client.force_login(viewer)
    assert client.get(card_url(appeal)).status_code == 200
    assert "Зарегистрировать" not in client.get(card_url(appeal)).content.decode()
    assert client.post(card_url(appeal), {"action": "register", "register-seen_state": "new"}).status_code in (302, 403)
    assert client.post(
        reverse("workflows_appeals:bulk"), {"action": "register", "appeal": [appeal.pk]}
    ).status_code in (302, 403)
    assert fresh(appeal).state == State.NEW


def test_staff_download_the_files_of_an_appeal(client, desk, customer):
    appeal = file_appeal(customer, files=[pdf("снимок.pdf")])

    response = client.get(reverse("workflows_appeals:file", args=[appeal.files.get().pk]))

    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")


def test_the_classifier_is_edited_in_the_admin(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    parent = topic("tech-support")

    listing = client.get(reverse("workflows_appeal_topics:index")).content.decode()
    form = client.get(reverse("workflows_appeal_topics:add") + f"?parent={parent.pk}").content.decode()
    response = client.post(
        reverse("workflows_appeal_topics:add"),
        {
            "parent": parent.pk,
            "name": "Не работает мобильная версия",
            "code": "tech-support-mobile",
            "sort_order": 60,
            "list_title": "",
            "is_active": "on",
            "intro": "",
            "audience": "",
            "owner_rule": "",
            "capability": "",
            "correspondence_allowed": "unknown",
            "response_days": "",
            "text_max_length": "",
            "attachments_allowed": "unknown",
            "signature_required": "unknown",
            "handover": "",
            "steps-count": "0",
        },
    )

    assert "— Не получается войти в личный кабинет" in listing and "Заключение договора энергоснабжения" in listing
    assert "Как у родительской темы" in form
    assert response.status_code == 302, response.content.decode()[:2000]
    created = AppealTopic.objects.get(code="tech-support-mobile")
    assert created.parent == parent and created.correspondence_allowed is None
    client.force_login(UserFactory())
    wizard = client.get(reverse("selfservice:appeal_new")).content.decode()
    assert "Не работает мобильная версия" in wizard


def test_a_topic_with_appeals_cannot_be_deleted(client, customer):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    appeal = file_appeal(customer)

    response = client.post(reverse("workflows_appeal_topics:delete", args=[appeal.topic_id]), follow=True)

    assert AppealTopic.objects.filter(pk=appeal.topic_id).exists()
    assert "Нельзя удалить" in response.content.decode()
