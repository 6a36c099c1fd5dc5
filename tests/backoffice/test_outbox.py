"""The outbox: a message is a row written with the change that causes it and delivered after commit."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction

from backoffice.models import OutboxMessage
from backoffice.services.outbox import MAX_ATTEMPTS, message_send, outbox_deliver, outbox_flush
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def template_dir(settings, tmp_path):
    """A letter and an SMS of our own, so the test does not depend on any feature's wording."""
    (tmp_path / "emails" / "greeting").mkdir(parents=True)
    (tmp_path / "emails" / "greeting" / "subject.txt").write_text("Здравствуйте, {{ name }}")
    (tmp_path / "emails" / "greeting" / "body.txt").write_text("Ваш код: {{ code }}\n{% include 'emails/footer.txt' %}")
    (tmp_path / "emails" / "greeting" / "body.html").write_text(
        "{% extends 'emails/base.html' %}{% block content %}<p>Ваш код: <b>{{ code }}</b></p>{% endblock %}"
    )
    (tmp_path / "sms").mkdir()
    (tmp_path / "sms" / "greeting.txt").write_text("Код {{ code }}")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]  # assigned, so Django rebuilds engines
    return tmp_path


def test_a_letter_is_rendered_in_text_and_html_and_sent_after_commit(template_dir):
    with transaction.atomic():
        message_send(to="anna@example.com", template="greeting", context={"name": "Анна", "code": "12345"})
        assert mail.outbox == []  # nothing leaves before the change is committed

    [letter] = mail.outbox
    assert letter.to == ["anna@example.com"] and letter.subject == "Здравствуйте, Анна"
    assert "Ваш код: 12345" in letter.body and "отвечать на него не нужно" in letter.body
    assert "<b>12345</b>" in letter.alternatives[0][0]
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT


def test_a_change_that_rolls_back_sends_nothing(template_dir):
    with pytest.raises(RuntimeError), transaction.atomic():
        message_send(to="anna@example.com", template="greeting", context={"name": "Анна", "code": "1"})
        raise RuntimeError

    assert mail.outbox == [] and not OutboxMessage.objects.exists()


def test_a_failed_delivery_is_kept_with_its_reason_and_sent_by_the_next_flush(template_dir, settings, monkeypatch):
    def broken(self, *args, **kwargs):
        raise ConnectionRefusedError("SMTP недоступен")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    message = message_send(to="anna@example.com", template="greeting", context={"name": "Анна", "code": "1"})
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.PENDING, 1)
    assert "SMTP недоступен" in message.last_error

    monkeypatch.undo()
    OutboxMessage.objects.update(created_at=message.created_at.replace(year=2020))
    assert outbox_flush() == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT and len(mail.outbox) == 1


def test_after_the_last_attempt_the_message_is_marked_failed(template_dir, monkeypatch):
    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", lambda *a, **k: 1 / 0)
    message = message_send(to="anna@example.com", template="greeting", context={"name": "Анна", "code": "1"})
    for _attempt in range(MAX_ATTEMPTS):
        outbox_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED and message.attempts == MAX_ATTEMPTS


def test_an_sms_goes_through_the_file_backend(template_dir, settings, tmp_path):
    settings.SMS_URL = f"file://{tmp_path}/sms-out"
    user = UserFactory()
    message_send(to="+79001234567", template="greeting", context={"code": "54321"}, channel="sms", user=user)

    [line] = (tmp_path / "sms-out" / "sms.log").read_text().splitlines()
    assert json.loads(line)["phone"] == "+79001234567" and json.loads(line)["text"] == "Код 54321"
    assert OutboxMessage.objects.get().user == user


def test_a_letter_carries_its_outbox_id_so_a_second_delivery_can_be_told_apart(template_dir):
    message = message_send(to="anna@example.com", template="greeting", context={"name": "Анна", "code": "1"})

    [letter] = mail.outbox
    assert letter.extra_headers["X-Outbox-Id"] == str(message.pk)
    assert f"X-Outbox-Id: {message.pk}" in letter.message().as_string()


def test_with_the_broker_down_the_letter_waits_for_the_flush_and_the_change_stands(template_dir, settings):
    """The web process does not wait for Redis: publishing gives up and the beat job's flush sends the letter."""
    from cms.celery import app

    closed_port = "redis://127.0.0.1:1/0"  # nothing listens there: the connection is refused at once
    app.conf.update(task_always_eager=False, broker_url=closed_port)
    try:
        with transaction.atomic():
            message_send(to="anna@example.com", template="greeting", context={"name": "Анна", "code": "7"})
    finally:
        app.conf.update(task_always_eager=settings.CELERY_TASK_ALWAYS_EAGER, broker_url=settings.CELERY_BROKER_URL)
        app._pool = None  # the next producer takes the pool of the settings' broker again

    assert OutboxMessage.objects.get().status == OutboxMessage.Status.PENDING and mail.outbox == []
    assert outbox_flush(older_than=timedelta(0)) == 1
    assert [letter.to for letter in mail.outbox] == [["anna@example.com"]]
