"""The SLA clock (F-G7): the deadline from the topic, paused while the appeal waits for the customer and while it
sits in «Выполнена», «просрочено» in the queue, and «в срок» at the end."""

import datetime

import pytest
import time_machine

from tests.backoffice.factories import PersonalAccountFactory
from tests.factories import UserFactory
from tests.selfservice.cabinet import link_account
from tests.workflows.appeals_kit import clerk, file_appeal, pdf
from workflows.models import Appeal
from workflows.services.appeals import (
    appeal_answer,
    appeal_register,
    appeal_reopen,
    appeal_reply,
    appeal_resolve,
    appeal_start,
)
from workflows.services.appeals_selectors import desk_counts, overdue_condition
from workflows.services.appeals_signing import appeal_signature_decline, appeal_signature_request

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
START = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=3)))


def fresh(appeal) -> Appeal:
    return Appeal.objects.get(pk=appeal.pk)


def overdue(now) -> list[int]:
    return list(Appeal.objects.filter(overdue_condition(now)).values_list("pk", flat=True))


@pytest.fixture
def desk():
    return clerk()


@pytest.fixture
def customer():
    return UserFactory()


def in_work(customer, desk, **kwargs):
    appeal = file_appeal(customer, **kwargs)
    return appeal_start(appeal=appeal_register(appeal=appeal, by=desk), by=desk)


def test_the_deadline_comes_from_the_topic(customer):
    account = PersonalAccountFactory()
    link_account(customer, account)
    with time_machine.travel(START, tick=False):
        support = file_appeal(customer)  # «Техническая поддержка»: 3 days
        billing = file_appeal(customer, "billing-invoice", text="Вопрос по счёту", account=account)  # 10 days

    assert support.due_at == START + 3 * DAY
    assert billing.due_at == START + 10 * DAY


def test_an_appeal_past_its_deadline_is_overdue(customer, desk):
    with time_machine.travel(START, tick=False):
        appeal = in_work(customer, desk)

    assert overdue(START + 3 * DAY - datetime.timedelta(minutes=1)) == []
    assert overdue(START + 3 * DAY + datetime.timedelta(minutes=1)) == [appeal.pk]
    assert fresh(appeal).is_overdue(START + 4 * DAY)


def test_waiting_for_the_customer_stops_the_clock_and_the_reply_starts_it(customer, desk):
    with time_machine.travel(START, tick=False):
        appeal = in_work(customer, desk)
    with time_machine.travel(START + DAY, tick=False):
        appeal_answer(appeal=appeal, by=desk, text="Пришлите снимок экрана", ask_customer=True)
    paused = fresh(appeal)
    assert paused.paused_at == START + DAY
    assert paused.sla_remaining(START + 10 * DAY) == 2 * DAY  # frozen while paused
    assert overdue(START + 10 * DAY) == []  # a paused appeal is never overdue

    with time_machine.travel(START + 6 * DAY, tick=False):
        appeal_reply(appeal=appeal, user=customer, text="Прикладываю", files=[pdf("screen.pdf")])

    resumed = fresh(appeal)
    assert resumed.paused_at is None
    assert resumed.paused_seconds == int((5 * DAY).total_seconds())
    assert resumed.due_at == START + 8 * DAY  # three days plus the five the customer took
    assert overdue(START + 8 * DAY - datetime.timedelta(minutes=1)) == []
    assert overdue(START + 8 * DAY + datetime.timedelta(minutes=1)) == [appeal.pk]


def test_a_message_without_waiting_does_not_stop_the_clock(customer, desk):
    with time_machine.travel(START, tick=False):
        appeal = in_work(customer, desk)
        appeal_answer(appeal=appeal, by=desk, text="Смотрим")

    assert fresh(appeal).paused_at is None


def test_documents_to_sign_stop_the_clock_until_the_customer_decides(customer, desk):
    with time_machine.travel(START, tick=False):
        appeal = in_work(customer, desk)
        request = appeal_signature_request(appeal=appeal, by=desk, files=[pdf("соглашение.pdf")])
    assert fresh(appeal).paused_at == START

    with time_machine.travel(START + 2 * DAY, tick=False):
        appeal_signature_decline(request=request, user=customer, reason="Не согласны с пунктом 3")

    assert fresh(appeal).paused_at is None and fresh(appeal).due_at == START + 5 * DAY


def test_resolved_in_time_or_late(customer, desk):
    with time_machine.travel(START, tick=False):
        quick, slow = in_work(customer, desk), in_work(customer, desk)
    with time_machine.travel(START + 2 * DAY, tick=False):
        appeal_resolve(appeal=quick, by=desk, comment="Готово")
    with time_machine.travel(START + 4 * DAY, tick=False):
        appeal_resolve(appeal=slow, by=desk, comment="Готово, с опозданием")

    assert fresh(quick).resolved_in_time is True
    assert fresh(slow).resolved_in_time is False


def test_the_time_in_resolved_does_not_count_after_reopening(customer, desk):
    with time_machine.travel(START, tick=False):
        appeal = in_work(customer, desk)
    with time_machine.travel(START + DAY, tick=False):
        appeal_resolve(appeal=appeal, by=desk, comment="Готово")
    with time_machine.travel(START + 8 * DAY, tick=False):
        appeal_reopen(appeal=appeal, user=customer, comment="Не помогло")

    reopened = fresh(appeal)
    assert reopened.due_at == START + 10 * DAY  # 3 days, 7 of them spent in «Выполнена» given back
    assert reopened.resolved_in_time is None


def test_the_desk_counts_overdue_and_waiting(customer, desk):
    with time_machine.travel(START, tick=False):
        late = in_work(customer, desk)
        waiting = in_work(customer, desk)
        appeal_answer(appeal=waiting, by=desk, text="Уточните номер договора", ask_customer=True)
        file_appeal(customer)  # new, nobody assigned

    counts = desk_counts(user=desk, now=START + 5 * DAY)

    assert counts["overdue"] == 2  # the new one is late too; the waiting one is not
    assert counts["waiting"] == 1
    assert counts["new"] == 1 and counts["in_progress"] == 2
    assert counts["unassigned"] == 1 and counts["mine"] == 2
    assert late.pk in overdue(START + 5 * DAY) and waiting.pk not in overdue(START + 5 * DAY)
