"""Drafts (F-G3, seed 001 §8.3): from step 2 on; ✕ asks «Сохранить черновик обращения?» — «Вы сможете продолжить
заполнение в течение месяца»; only the steps passed with «Дальше» are kept; «Дата окончания действия черновика»;
the beat job purges what expired; resuming and deleting."""

import datetime
import os

import pytest
import time_machine
from django.urls import reverse

from tests.factories import UserFactory
from tests.selfservice.cabinet import contract_with_sites
from tests.workflows.appeals_kit import pdf, topic, topics
from workflows.models import Appeal, AppealFile
from workflows.services.appeals import appeal_classify, appeal_draft_save, appeal_draft_text_save, appeal_drafts_purge

pytestmark = pytest.mark.django_db

ZONE = datetime.timezone(datetime.timedelta(hours=3))
JANUARY_31 = datetime.datetime(2028, 1, 31, 12, 0, tzinfo=ZONE)


@pytest.fixture(autouse=True)
def classifier(db):
    topics()


def step_url(appeal, number):
    return reverse("selfservice:appeal_step", args=[appeal.pk, number])


def begin(client, code="tech-support-other"):
    node = topic(code)
    path = [node]
    while path[0].parent_id:
        path.insert(0, path[0].parent)
    data = {"owner": "", "theme": path[0].pk}
    for name, part in zip(("section", "subsection"), path[1:], strict=False):
        data[name] = part.pk
    client.post(reverse("selfservice:appeal_new"), data)
    return Appeal.objects.get(user__email=client.user_email)


@pytest.fixture
def author(client):
    user = UserFactory(email="author@example.test", organisation="ООО «Пекарня»")
    client.force_login(user)
    client.user_email = user.email
    return user


def drafts_page(client) -> str:
    return client.get(reverse("selfservice:appeals_drafts")).content.decode()


def test_step_1_keeps_nothing_and_closing_it_asks_nothing(client, author):
    page = client.get(reverse("selfservice:appeal_new")).content.decode()

    assert "Сохранить черновик обращения?" not in page  # ✕ on step 1 simply leaves
    assert not Appeal.objects.exists()


def test_from_step_2_the_cross_asks_to_save_a_draft(client, author):
    appeal = begin(client)

    page = client.get(step_url(appeal, 2)).content.decode()
    question = client.get(reverse("selfservice:appeal_leave", args=[appeal.pk])).content.decode()

    assert "Сохранить черновик обращения?" in page and "Вы сможете продолжить заполнение в течение месяца" in page
    assert "Сохранить черновик обращения?" in question
    assert "Черновиков нет" in drafts_page(client)  # a wizard in progress is nobody's draft yet


def test_saved_it_shows_in_drafts_for_a_month(client, author):
    with time_machine.travel(JANUARY_31, tick=False):
        client.force_login(author)  # a session of that day
        appeal = begin(client)
        response = client.post(reverse("selfservice:appeal_leave", args=[appeal.pk]), {"save": ""}, follow=True)

    appeal.refresh_from_db()
    assert appeal.draft_expires_at == datetime.datetime(2028, 2, 29, 12, 0, tzinfo=ZONE)  # 31 January → 29 February
    assert "Черновик сохранён. Продолжить заполнение можно до 29.02.2028." in response.content.decode()
    page = drafts_page(client)
    assert "Дата окончания действия черновика: 29.02.2028" in page and "ЛКК" in page


def test_closed_without_saving_the_wizard_is_forgotten(client, author):
    appeal = begin(client)

    response = client.post(reverse("selfservice:appeal_leave", args=[appeal.pk]), {"discard": ""})

    assert response.url == reverse("selfservice:appeals")
    assert not Appeal.objects.exists()


def test_closing_a_saved_draft_without_saving_again_keeps_it(client, author):
    appeal = begin(client)
    client.post(reverse("selfservice:appeal_leave", args=[appeal.pk]), {"save": ""})

    client.post(reverse("selfservice:appeal_leave", args=[appeal.pk]), {"discard": ""})

    assert Appeal.objects.filter(pk=appeal.pk, state=Appeal.State.DRAFT).exists()


def test_only_the_steps_passed_with_dalshe_are_kept(client, author):
    appeal = begin(client, "contract-conclusion-new-legal")
    client.post(step_url(appeal, 2), {"f-inn": "7801000001"})  # «Дальше» on step 2
    branch = contract_with_sites(energy_objects=1).branch
    client.get(step_url(appeal, 3))  # step 3 typed but not passed: the browser sends nothing
    client.post(reverse("selfservice:appeal_leave", args=[appeal.pk]), {"save": ""})

    appeal.refresh_from_db()
    assert appeal.answers == {"inn": {"inn": "7801000001"}}
    assert appeal.steps_passed == 2 and appeal.branch_id != branch.pk


def test_resuming_opens_the_draft_with_its_answers(client, author):
    appeal = begin(client, "contract-conclusion-new-legal")
    client.post(step_url(appeal, 2), {"f-inn": "7801000001"})
    client.post(reverse("selfservice:appeal_leave", args=[appeal.pk]), {"save": ""})

    tile_link = step_url(appeal, 1)
    assert tile_link in drafts_page(client)
    first = client.get(tile_link).content.decode()
    second = client.get(step_url(appeal, 2)).content.decode()

    assert "Шаг 1 из 7" in first and "Черновик сохранён до" in first and "Перейти к шагу 3" in first
    assert 'value="7801000001"' in second


def test_changing_the_topic_of_a_draft_starts_its_steps_afresh(client, author):
    appeal = begin(client, "contract-conclusion-new-legal")
    client.post(step_url(appeal, 2), {"f-inn": "7801000001"})

    client.post(
        step_url(appeal, 1), {"owner": "", "theme": topic("tech-support").pk, "section": topic("tech-support-mail").pk}
    )

    appeal.refresh_from_db()
    assert appeal.topic == topic("tech-support-mail") and appeal.answers == {} and appeal.total_steps == 2


def test_a_draft_is_deleted_with_its_files(client, author):
    appeal = begin(client)
    appeal_draft_text_save(appeal=appeal, user=author, text="Черновик", files=[pdf()])
    stored = AppealFile.objects.get()
    path = stored.file.path
    client.post(reverse("selfservice:appeal_leave", args=[appeal.pk]), {"save": ""})

    confirm = client.get(reverse("selfservice:appeal_draft_delete", args=[appeal.pk])).content.decode()
    client.post(reverse("selfservice:appeal_draft_delete", args=[appeal.pk]))

    assert "Удалить черновик?" in confirm
    assert not Appeal.objects.exists() and not AppealFile.objects.exists()
    assert not os.path.exists(path)


def test_a_file_chosen_for_the_draft_goes_to_the_bin_and_the_text_stays(client, author):
    appeal = begin(client)
    appeal_draft_text_save(appeal=appeal, user=author, files=[pdf()], text="")
    stored = AppealFile.objects.get()

    client.post(
        reverse("selfservice:appeal_draft_file_remove", args=[appeal.pk, stored.pk]), {"text": "Набранный текст"}
    )

    appeal.refresh_from_db()
    assert not AppealFile.objects.exists() and appeal.text == "Набранный текст"


def test_a_draft_is_its_authors_only(client, author):
    appeal = begin(client)
    client.post(reverse("selfservice:appeal_leave", args=[appeal.pk]), {"save": ""})
    client.force_login(UserFactory())

    assert client.get(step_url(appeal, 1)).status_code == 404
    assert client.get(reverse("selfservice:appeal", args=[appeal.pk])).status_code == 404


def test_the_purge_deletes_expired_drafts_and_forgotten_wizards(author):
    with time_machine.travel(JANUARY_31, tick=False):
        saved = appeal_draft_save(appeal=appeal_classify(user=author, topic=topic("tech-support-other")), user=author)
        forgotten = appeal_classify(user=author, topic=topic("tech-support-login"))
        appeal_draft_text_save(appeal=forgotten, user=author, text="", files=[pdf()])
    path = AppealFile.objects.get().file.path

    with time_machine.travel(JANUARY_31 + datetime.timedelta(hours=23), tick=False):
        assert appeal_drafts_purge() == 0
    with time_machine.travel(JANUARY_31 + datetime.timedelta(hours=25), tick=False):
        assert appeal_drafts_purge() == 1  # the wizard left unsaved for a day
    assert Appeal.objects.filter(pk=saved.pk).exists() and not Appeal.objects.filter(pk=forgotten.pk).exists()
    assert not os.path.exists(path)

    with time_machine.travel(datetime.datetime(2028, 2, 29, 11, 59, tzinfo=ZONE), tick=False):
        assert appeal_drafts_purge() == 0
    with time_machine.travel(datetime.datetime(2028, 2, 29, 12, 1, tzinfo=ZONE), tick=False):
        assert appeal_drafts_purge() == 1
    assert not Appeal.objects.exists()


def test_an_expired_draft_leaves_the_tab_before_the_purge_runs(client, author):
    with time_machine.travel(JANUARY_31, tick=False):
        client.force_login(author)
        appeal = begin(client)
        client.post(reverse("selfservice:appeal_leave", args=[appeal.pk]), {"save": ""})
    with time_machine.travel(datetime.datetime(2028, 3, 1, tzinfo=ZONE), tick=False):
        client.force_login(author)
        assert "Черновиков нет" in drafts_page(client)


def test_the_purge_is_a_beat_job():
    from django.conf import settings

    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"workflows.tasks.appeal_drafts_purge_task", "workflows.tasks.appeals_close_resolved_task"} <= schedule
