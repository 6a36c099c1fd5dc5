"""The appeal's workflow (F-G4): every transition with its guard and its permission, the log, the notifications,
the protected state and two clerks at once."""

import datetime
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from django_fsm import has_transition_perm

from backoffice.models import Notification, OutboxMessage
from tests.factories import UserFactory
from tests.selfservice.cabinet import Role, contract_with_sites, give_role
from tests.workflows.appeals_kit import clerk, file_appeal, topic
from workflows.models import Appeal, AppealMessage, TransitionLog
from workflows.services.appeals import (
    AppealRefused,
    appeal_classify,
    appeal_close,
    appeal_register,
    appeal_reject,
    appeal_reopen,
    appeal_resolve,
    appeal_start,
    appeal_submit,
    appeals_close_resolved,
)

pytestmark = pytest.mark.django_db

State = Appeal.State


def steps(appeal) -> list[tuple]:
    return list(
        TransitionLog.objects.filter(content_type__model="appeal", object_id=appeal.pk)
        .order_by("at", "pk")
        .values_list("transition", "source", "target", "by__email", "comment")
    )


def fresh(appeal) -> Appeal:
    return Appeal.objects.get(pk=appeal.pk)


@pytest.fixture
def customer():
    return UserFactory(email="anna@example.test")


@pytest.fixture
def desk():
    return clerk()


def test_submit_files_a_new_appeal_with_its_number_and_deadline(customer):
    appeal = file_appeal(customer)

    assert appeal.state == State.NEW and appeal.number
    assert appeal.due_at == appeal.submitted_at + datetime.timedelta(days=3)  # «Техническая поддержка»: 3 days
    assert appeal.messages.get().text == "Не открывается раздел «Документы»"
    assert steps(appeal) == [("submit", "draft", "new", "anna@example.test", "")]
    assert Notification.objects.filter(user=customer, kind=Notification.Kind.APPEAL).exists()


def test_submit_is_refused_until_the_text_is_written(customer):
    draft = appeal_classify(user=customer, topic=topic("tech-support-other"))

    with pytest.raises(ValidationError):
        appeal_submit(appeal=draft, user=customer, text="   ")

    assert fresh(draft).state == State.DRAFT and not fresh(draft).number


def test_submit_is_refused_until_every_step_is_passed(customer):
    draft = appeal_classify(user=customer, topic=topic("contract-conclusion-new-legal"))

    assert not has_transition_perm(draft.submit, customer)  # the guard: 7 steps, only the first passed
    with pytest.raises(AppealRefused):  # and this topic is signed, never sent with a plain «Отправить»
        appeal_submit(appeal=draft, user=customer, text="Прошу заключить договор")
    assert fresh(draft).state == State.DRAFT


def test_only_the_author_submits_a_draft(customer):
    draft = appeal_classify(user=customer, topic=topic("tech-support-other"))

    with pytest.raises(PermissionDenied):
        appeal_submit(appeal=draft, user=UserFactory(), text="Чужой черновик")


def test_register_start_resolve_each_logged_with_who_and_comment(customer, desk):
    appeal = file_appeal(customer)

    appeal_register(appeal=appeal, by=desk, comment="Приняли, разбираемся")
    appeal_start(appeal=fresh(appeal), by=desk)
    appeal_resolve(appeal=fresh(appeal), by=desk, comment="Исправили отображение документов")

    appeal = fresh(appeal)
    assert appeal.state == State.RESOLVED and appeal.assignee == desk and appeal.resolved_in_time is True
    assert [(step[0], step[1], step[2], step[3]) for step in steps(appeal)] == [
        ("submit", "draft", "new", "anna@example.test"),
        ("register", "new", "registered", "clerk@energosbyt.example"),
        ("start", "registered", "in_progress", "clerk@energosbyt.example"),
        ("resolve", "in_progress", "resolved", "clerk@energosbyt.example"),
    ]
    assert steps(appeal)[-1][4] == "Исправили отображение документов"
    assert list(appeal.messages.filter(from_staff=True).values_list("text", flat=True)) == [
        "Приняли, разбираемся",
        "Исправили отображение документов",
    ]
    titles = list(Notification.objects.filter(user=customer).order_by("pk").values_list("title", flat=True))
    assert titles[1:] == [
        f"Обращение № {appeal.number} принято",
        f"По обращению № {appeal.number} начата работа",
        f"Обращение № {appeal.number} выполнено",
    ]
    assert OutboxMessage.objects.filter(recipient=customer.email, subject__contains="выполнено").exists()


def test_the_customer_reads_prinyato_for_zaregistrirovana(customer, desk):
    appeal = appeal_register(appeal=file_appeal(customer), by=desk)

    assert appeal.get_state_display() == "Зарегистрирована"
    assert appeal.customer_state_label == "Принято"
    assert appeal.header == "[Принято] ЛКК"


@pytest.mark.parametrize("step", [appeal_register, appeal_start, appeal_resolve, appeal_reject])
def test_staff_steps_need_the_right_to_work_appeals(customer, step):
    appeal = file_appeal(customer)
    plain_staff = UserFactory(is_staff=True)

    with pytest.raises(PermissionDenied):
        step(appeal=appeal, by=plain_staff, comment="Ответ")

    assert fresh(appeal).state == State.NEW


def test_the_customer_cannot_take_a_staff_step(customer):
    with pytest.raises(PermissionDenied):
        appeal_register(appeal=file_appeal(customer), by=customer)


def test_a_step_the_state_does_not_allow_is_refused(customer, desk):
    appeal = file_appeal(customer)

    with pytest.raises(AppealRefused):
        appeal_start(appeal=appeal, by=desk)  # Новая → Решается skips «Зарегистрирована»
    with pytest.raises(AppealRefused):
        appeal_resolve(appeal=appeal, by=desk, comment="Готово")

    assert steps(appeal)[-1][0] == "submit"


def test_resolve_and_reject_need_a_comment_for_the_customer(customer, desk):
    appeal = appeal_start(appeal=appeal_register(appeal=file_appeal(customer), by=desk), by=desk)

    with pytest.raises(ValidationError):
        appeal_resolve(appeal=appeal, by=desk, comment="")
    with pytest.raises(ValidationError):
        appeal_reject(appeal=appeal, by=desk, comment=" ")

    assert fresh(appeal).state == State.IN_PROGRESS


@pytest.mark.parametrize("before", ["new", "registered", "in_progress"])
def test_reject_from_each_open_state(customer, desk, before):
    appeal = file_appeal(customer)
    if before != "new":
        appeal = appeal_register(appeal=appeal, by=desk)
    if before == "in_progress":
        appeal = appeal_start(appeal=appeal, by=desk)

    appeal = appeal_reject(appeal=appeal, by=desk, comment="Вопрос не относится к компании")

    assert appeal.state == State.REJECTED and appeal.closed_at is not None
    assert steps(appeal)[-1][:3] == ("reject", before, "rejected")
    assert Notification.objects.filter(user=customer, body="Вопрос не относится к компании").exists()


def test_a_resolved_appeal_cannot_be_rejected(customer, desk):
    appeal = _resolved(customer, desk)

    with pytest.raises(AppealRefused):
        appeal_reject(appeal=appeal, by=desk, comment="Поздно")


def _resolved(customer, desk, **kwargs):
    appeal = appeal_start(appeal=appeal_register(appeal=file_appeal(customer, **kwargs), by=desk), by=desk)
    return appeal_resolve(appeal=appeal, by=desk, comment="Сделано")


def test_the_customer_closes_a_resolved_appeal(customer, desk):
    appeal = appeal_close(appeal=_resolved(customer, desk), by=customer)

    assert appeal.state == State.CLOSED
    assert steps(appeal)[-1][:4] == ("close", "resolved", "closed", "anna@example.test")


def test_someone_else_cannot_close_it(customer, desk):
    appeal = _resolved(customer, desk)

    with pytest.raises(Exception) as refusal:
        appeal_close(appeal=appeal, by=UserFactory())

    assert refusal.type.__name__ in ("Http404", "PermissionDenied")
    assert fresh(appeal).state == State.RESOLVED


def test_a_colleague_whose_role_reaches_the_contract_closes_it(desk):
    contract = contract_with_sites(energy_objects=1)
    author, colleague, energetic = UserFactory(), UserFactory(), UserFactory()
    give_role(author, contract, Role.HEAD)
    give_role(colleague, contract, Role.ACCOUNTANT)
    give_role(energetic, contract, Role.ENERGETIC)
    appeal = _resolved(author, desk, code="billing-invoice", contract=contract)  # a billing topic

    assert not has_transition_perm(fresh(appeal).close, energetic)  # Энергетик does not see billing appeals
    appeal = appeal_close(appeal=appeal, by=colleague)
    assert appeal.state == State.CLOSED


def test_staff_close_a_resolved_appeal_and_the_customer_is_told(customer, desk):
    appeal = _resolved(customer, desk)

    appeal_close(appeal=appeal, by=desk, seen_state=State.RESOLVED)

    assert Notification.objects.filter(user=customer, title=f"Обращение № {appeal.number} закрыто").exists()


def test_reopening_within_the_window_puts_it_back_in_work(customer, desk):
    appeal = _resolved(customer, desk)

    with time_machine.travel(timezone.now() + datetime.timedelta(days=13), tick=False):
        appeal = appeal_reopen(appeal=appeal, user=customer, comment="Документы снова не видны")

    assert appeal.state == State.IN_PROGRESS and appeal.reopen_until is None and appeal.paused_at is None
    assert steps(appeal)[-1][:4] == ("reopen", "resolved", "in_progress", "anna@example.test")
    assert appeal.messages.last().text == "Документы снова не видны"


def test_reopening_a_closed_appeal_within_the_window(customer, desk):
    appeal = appeal_close(appeal=_resolved(customer, desk), by=customer)

    appeal = appeal_reopen(appeal=appeal, user=customer, comment="Поторопился закрыть")

    assert appeal.state == State.IN_PROGRESS and appeal.closed_at is None


def test_reopening_after_the_window_is_refused(customer, desk):
    appeal = _resolved(customer, desk)

    with (
        time_machine.travel(timezone.now() + datetime.timedelta(days=15), tick=False),
        pytest.raises(AppealRefused, match="Срок, в который обращение можно возобновить, прошёл"),
    ):
        appeal_reopen(appeal=appeal, user=customer, comment="Не решено")

    assert fresh(appeal).state == State.RESOLVED


def test_reopening_needs_a_comment_and_is_for_the_customer(customer, desk):
    appeal = _resolved(customer, desk)

    with pytest.raises(ValidationError):
        appeal_reopen(appeal=appeal, user=customer, comment="")
    assert not has_transition_perm(fresh(appeal).reopen, desk)  # staff do not reopen for the customer


def test_resolved_appeals_close_themselves_when_the_window_passes(customer, desk):
    appeal = _resolved(customer, desk)

    with time_machine.travel(timezone.now() + datetime.timedelta(days=13), tick=False):
        assert appeals_close_resolved() == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=15), tick=False):
        assert appeals_close_resolved() == 1

    appeal = fresh(appeal)
    assert appeal.state == State.CLOSED
    assert steps(appeal)[-1][:4] == ("close", "resolved", "closed", None)
    assert Notification.objects.filter(user=customer, title=f"Обращение № {appeal.number} закрыто").exists()


def test_the_state_is_protected(customer):
    appeal = file_appeal(customer)

    with pytest.raises(AttributeError):
        appeal.state = State.CLOSED


def test_two_clerks_at_once_one_wins_and_the_log_has_one_entry(customer, desk):
    appeal = file_appeal(customer)
    other = clerk("second@energosbyt.example")
    seen_by_both = appeal.state

    appeal_register(appeal=appeal, by=desk, seen_state=seen_by_both)
    with pytest.raises(AppealRefused, match="Обращение уже обработал другой сотрудник"):
        appeal_reject(appeal=appeal, by=other, seen_state=seen_by_both, comment="Дубликат")

    assert [step[0] for step in steps(appeal)] == ["submit", "register"]
    assert fresh(appeal).state == State.REGISTERED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_clerks_in_parallel_only_one_step_is_taken(customer):
    appeal = file_appeal(customer)
    clerks = [clerk(f"parallel{n}@energosbyt.example") for n in range(2)]
    barrier, outcomes = threading.Barrier(2), []

    def work(person):
        try:
            barrier.wait()
            appeal_register(appeal=appeal, by=person, seen_state=State.NEW)
            outcomes.append("done")
        except AppealRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(person,)) for person in clerks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["done", "refused"]
    assert [step[0] for step in steps(appeal)] == ["submit", "register"]


def test_a_message_from_the_company_is_refused_on_a_closed_appeal(customer, desk):
    from workflows.services.appeals import appeal_answer

    appeal = appeal_reject(appeal=file_appeal(customer), by=desk, comment="Не наш вопрос")

    with pytest.raises(AppealRefused):
        appeal_answer(appeal=appeal, by=desk, text="Ещё одно")

    assert AppealMessage.objects.filter(appeal=appeal).count() == 2
