"""«Обращения» and «Карточка обращения» (F-G4, F-G5; seed 001 §8.1, §8.4): the tabs, the order by the last message
grouped by date with «Сегодня», unread marks and the counter beside «Обращения», who sees which appeal, the card
with its accordions, files and dialog, and a closed appeal read-only."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tests.backoffice.factories import EnergyObjectFactory, PersonalAccountFactory
from tests.factories import UserFactory
from tests.querycount import assert_queries_flat, count_queries
from tests.selfservice.cabinet import Role, contract_with_sites, give_role, link_account
from tests.workflows.appeals_kit import clerk, file_appeal, pdf, png, topics
from workflows.models import Appeal, AppealMessage
from workflows.services.appeals import (
    AppealRefused,
    appeal_answer,
    appeal_classify,
    appeal_draft_save,
    appeal_register,
    appeal_reject,
    appeal_reply,
    appeal_resolve,
    appeal_start,
    appeal_step_save,
)
from workflows.services.appeals_selectors import appeals_unread_count
from workflows.services.grants import administrator_request_refuse, administrator_request_submit

pytestmark = pytest.mark.django_db

State = Appeal.State


@pytest.fixture(autouse=True)
def classifier(db):
    topics()


@pytest.fixture
def desk():
    return clerk()


def page(client, name="selfservice:appeals", *args) -> str:
    """The page's <main>: the header's notifications mention numbers too."""
    content = client.get(reverse(name, args=args)).content.decode()
    return content[content.index("<main") : content.index("</main>")]


def whole(client, name="selfservice:appeals", *args) -> str:
    return client.get(reverse(name, args=args)).content.decode()


def test_the_tabs_split_open_drafts_and_closed(signed_in_client, user, desk):
    open_one = file_appeal(user, text="Открытое")
    closed = appeal_reject(appeal=file_appeal(user, text="Закрытое"), by=desk, comment="Не наш вопрос")
    appeal_draft_save(appeal=appeal_classify(user=user, topic=open_one.topic), user=user)

    opened, drafts, finished = (
        page(signed_in_client),
        page(signed_in_client, "selfservice:appeals_drafts"),
        page(signed_in_client, "selfservice:appeals_closed"),
    )

    assert open_one.number in opened and closed.number not in opened
    assert closed.number in finished and "Отклонена" in finished and open_one.number not in finished
    assert "Дата окончания действия черновика" in drafts and open_one.number not in drafts
    assert "Создать обращение" in opened


def test_newest_last_message_first_grouped_by_date_with_today(signed_in_client, user, desk):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=3), tick=False):
        older = file_appeal(user, text="Старое")
        quiet = file_appeal(user, text="Тихое")
    appeal_answer(appeal=older, by=desk, text="Ответили сегодня")

    content = page(signed_in_client)

    assert content.index("Сегодня") < content.index(older.number) < content.index(quiet.number)
    assert timezone.localtime(quiet.last_message_at).strftime("%d.%m.%Y") in content


def test_unread_marks_and_the_counter_beside_obrashcheniya(signed_in_client, user, desk):
    first, second = file_appeal(user), file_appeal(user)
    appeal_answer(appeal=first, by=desk, text="Первый ответ")
    appeal_answer(appeal=first, by=desk, text="Второй ответ")
    appeal_answer(appeal=second, by=desk, text="Ответ")

    assert appeals_unread_count(user=user) == 2  # appeals with unread messages, not messages
    listing = page(signed_in_client)
    assert listing.count("Есть непрочитанное сообщение.") == 2
    assert "непрочитанных: 2" in whole(signed_in_client)

    page(signed_in_client, "selfservice:appeal", first.pk)

    assert appeals_unread_count(user=user) == 1
    assert "непрочитанных: 1" in whole(signed_in_client)
    appeal_answer(appeal=first, by=desk, text="Ещё новость")
    assert appeals_unread_count(user=user) == 2


def test_the_customers_own_messages_are_never_unread(user):
    appeal = file_appeal(user)
    appeal_reply(appeal=appeal, user=user, text="Дополняю")

    assert appeals_unread_count(user=user) == 0


def test_access_requests_show_beside_the_appeals(signed_in_client, user, desk):
    contract = contract_with_sites(energy_objects=1)
    give_role(user, contract, Role.HEAD)
    request = administrator_request_submit(user=user, contract=contract, text="Прошу роль")

    opened = page(signed_in_client)
    assert "ЛКК ЮЛ" in opened and "Права доступа" in opened
    assert reverse("selfservice:access_request", args=[request.pk]) in opened

    administrator_request_refuse(request=request, by=UserFactory(is_superuser=True, is_staff=True), comment="Нет")
    assert reverse("selfservice:access_request", args=[request.pk]) in page(
        signed_in_client, "selfservice:appeals_closed"
    )


def test_a_contract_appeal_is_seen_by_colleagues_whose_role_reaches_it(client):
    contract = contract_with_sites(energy_objects=1)
    author, accountant, energetic, stranger = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    give_role(author, contract, Role.HEAD)
    give_role(accountant, contract, Role.ACCOUNTANT)
    give_role(energetic, contract, Role.ENERGETIC)
    billing = file_appeal(author, "billing-invoice", contract=contract, text="Счёт за октябрь")
    support = file_appeal(author, "tech-support-other", contract=contract, text="Общий вопрос")

    def seen_by(person):
        client.force_login(person)
        return page(client)

    assert billing.number in seen_by(accountant) and support.number in seen_by(accountant)
    assert billing.number not in seen_by(energetic) and support.number in seen_by(energetic)
    assert support.number not in seen_by(stranger)
    client.force_login(energetic)
    assert client.get(reverse("selfservice:appeal", args=[billing.pk])).status_code == 404


def test_an_appeal_about_one_energy_object_is_hidden_from_a_role_limited_to_another(client):
    contract = contract_with_sites(energy_objects=2)
    first, second = contract.energy_objects.order_by("code")
    author, limited = UserFactory(), UserFactory()
    give_role(author, contract, Role.HEAD)
    give_role(limited, contract, Role.ENERGETIC, energy_objects=[second])
    appeal = file_appeal(author, "tech-support-readings", contract=contract, text="Про цех № 1")
    Appeal.objects.filter(pk=appeal.pk).update(energy_object=first)
    other = file_appeal(author, "tech-support-readings", contract=contract, text="Про цех № 2")
    Appeal.objects.filter(pk=other.pk).update(energy_object=second)

    client.force_login(limited)
    listing = page(client)

    assert other.number in listing and appeal.number not in listing


def test_an_account_appeal_stays_with_its_author(client):
    account = PersonalAccountFactory()
    author, relative = UserFactory(), UserFactory()
    link_account(author, account)
    link_account(relative, account)
    appeal = file_appeal(author, "meter-fault", account=account, text="Счётчик не крутится")

    client.force_login(relative)

    assert appeal.number not in page(client)


def test_the_card_shows_header_facts_text_files_and_dialog(signed_in_client, user, desk):
    appeal = file_appeal(user, files=[pdf("снимок.pdf")])
    appeal_register(appeal=appeal, by=desk)
    appeal_answer(
        appeal=Appeal.objects.get(pk=appeal.pk), by=desk, text="Посмотрите инструкцию", files=[png("шаг.png")]
    )

    card = page(signed_in_client, "selfservice:appeal", appeal.pk)

    assert "[Принято] ЛКК" in card and appeal.number in card and "Личный кабинет" in card
    assert "Техническая поддержка" in card and "Другой вопрос по работе личного кабинета" in card
    assert "Информация по обращению" in card and "Приложенные файлы (2)" in card
    assert card.index("Вы ·") < card.index("Администратор ·") and "Посмотрите инструкцию" in card
    assert "Введите текст" in card


def test_the_card_shows_the_topic_answers_as_accordions(client, desk):
    contract = contract_with_sites(energy_objects=1)
    author = UserFactory()
    give_role(author, contract, Role.HEAD)
    from tests.workflows.appeals_kit import topic

    draft = appeal_classify(user=author, topic=topic("contract-conclusion-object-legal"), contract=contract)
    answers = {
        "energy_objects": [
            {
                "name": "Цех № 3",
                "address": "ул. Заводская, 9",
                "points": [
                    {
                        "name": "тсп-01",
                        "max_power": "150",
                        "conditions": {"voltage": "НН", "price_category": "I"},
                        "metering": [{"name": "ИК-001", "meter": {"serial": "432453234", "verified_on": "2023-12-01"}}],
                    }
                ],
            }
        ]
    }
    appeal_step_save(appeal=draft, user=author, step_number=2, answers=answers)
    client.force_login(author)
    Appeal.objects.filter(pk=draft.pk).update(text="Прошу включить цех")
    from workflows.services.appeals import _submit

    _submit(Appeal.objects.get(pk=draft.pk), author, timezone.now())

    card = page(client, "selfservice:appeal", draft.pk)

    for label in ("Энергообъект", "Точка присоединения", "Условия обслуживания", "Точка учёта", "Прибор учёта"):
        assert f'<summary class="accordion__summary">{label}</summary>' in card, label
    assert "432453234" in card and "01.12.2023" in card and "Подраздел" in card


def test_a_reply_with_files_is_appended_to_the_dialog(signed_in_client, user):
    appeal = file_appeal(user)

    signed_in_client.post(
        reverse("selfservice:appeal", args=[appeal.pk]),
        {"action": "reply", "text": "Прикладываю снимок", "files": [png()]},
    )

    message = AppealMessage.objects.filter(appeal=appeal).last()
    assert message.text == "Прикладываю снимок" and message.files.get().name == "screen.png"


def test_a_closed_appeal_is_read_only(signed_in_client, user, desk):
    appeal = appeal_reject(appeal=file_appeal(user), by=desk, comment="Вопрос не к нам")

    card = page(signed_in_client, "selfservice:appeal", appeal.pk)
    response = signed_in_client.post(
        reverse("selfservice:appeal", args=[appeal.pk]), {"action": "reply", "text": "Почему?"}
    )

    assert "Введите текст" not in card and "По данному обращению переписка недоступна" in card
    assert "Обращение закрыто: отвечать на него нельзя." in signed_in_client.get(response.url).content.decode()
    with pytest.raises(AppealRefused):
        appeal_reply(appeal=appeal, user=user, text="Всё равно пишу")
    assert appeal.messages.count() == 2


def test_files_download_and_images_preview(signed_in_client, user):
    appeal = file_appeal(user, files=[png("снимок.png")])
    stored = appeal.files.get()
    url = reverse("selfservice:appeal_file", args=[appeal.pk, stored.pk])

    download = signed_in_client.get(url)
    preview = signed_in_client.get(url + "?preview=1")

    assert download["Content-Disposition"].startswith("attachment")
    assert preview["Content-Disposition"].startswith("inline") and preview["Content-Type"] == "image/png"
    assert preview["X-Content-Type-Options"] == "nosniff"


def test_the_customer_closes_rates_and_may_reopen_after_vypolnena(signed_in_client, user, desk):
    appeal = appeal_start(appeal=appeal_register(appeal=file_appeal(user), by=desk), by=desk)
    appeal_resolve(appeal=appeal, by=desk, comment="Исправили")
    url = reverse("selfservice:appeal", args=[appeal.pk])

    card = page(signed_in_client, "selfservice:appeal", appeal.pk)
    assert "Оцените решение" in card and "Закрыть обращение" in card and "Возобновить обращение" in card

    signed_in_client.post(url, {"action": "rate", "rate-rating": "5", "rate-comment": "Спасибо"})
    signed_in_client.post(url, {"action": "close", "seen_state": "resolved"})

    appeal = Appeal.objects.get(pk=appeal.pk)
    assert appeal.state == State.CLOSED and appeal.rating == 5 and appeal.rating_comment == "Спасибо"
    assert appeal.number in page(signed_in_client, "selfservice:appeals_closed")


def test_the_list_costs_the_same_queries_for_few_and_many(signed_in_client, user, desk):
    contract = contract_with_sites(energy_objects=1)
    give_role(user, contract, Role.HEAD)

    def add(count):
        for index in range(count):
            appeal = file_appeal(user, contract=contract if index % 2 else None, text=f"Вопрос {index}")
            if index % 3 == 0:
                appeal_answer(appeal=appeal, by=desk, text="Ответ")

    signed_in_client.get(reverse("selfservice:appeals"))  # caches of the first request (settings, content types)
    assert_queries_flat(signed_in_client, reverse("selfservice:appeals"), add_rows=add, max_queries=20)


def test_the_card_costs_the_same_queries_for_a_short_and_a_long_dialog(signed_in_client, user, desk):
    appeal = file_appeal(user, files=[pdf()])
    appeal_answer(appeal=appeal, by=desk, text="Первый ответ")  # the bell in the header has its unread list too
    url = reverse("selfservice:appeal", args=[appeal.pk])
    signed_in_client.get(url)  # caches of the first request (settings, content types)

    cache.clear()  # the header's bell caches its summary until a notification comes: start both counts alike
    few = count_queries(signed_in_client, url)
    for index in range(10):
        appeal_answer(appeal=appeal, by=desk, text=f"Ответ {index}", files=[pdf(f"{index}.pdf")])
        appeal_reply(appeal=appeal, user=user, text=f"Вопрос {index}")
    cache.clear()
    many = count_queries(signed_in_client, url)

    assert many == few <= 30


def test_an_energy_object_question_offers_only_the_users_objects_and_routes_the_appeal(client):
    from workflows.models import AppealTopic
    from workflows.services.appeals_classifier import field, step

    contract = contract_with_sites(energy_objects=2)
    mine = contract.energy_objects.order_by("code").first()
    elsewhere = EnergyObjectFactory(contract=contract_with_sites(energy_objects=1), name="Чужой склад")
    author = UserFactory()
    give_role(author, contract, Role.HEAD)
    node = AppealTopic.objects.create(
        code="power-quality",
        name="Качество электроэнергии",
        owner_rule="required",
        audience="organisation",
        steps=[step("object", "Объект", [field("site", "Энергообъект", "energy_object", required=True)])],
    )
    client.force_login(author)
    client.post(reverse("selfservice:appeal_new"), {"owner": f"contract:{contract.pk}", "theme": node.pk})
    appeal = Appeal.objects.get()
    url = reverse("selfservice:appeal_step", args=[appeal.pk, 2])

    form = client.get(url).content.decode()
    refused = client.post(url, {"f-site": str(elsewhere.pk)}).content.decode()
    client.post(url, {"f-site": str(mine.pk)})

    assert mine.name in form and "Чужой склад" not in form
    assert "Выберите энергообъект из списка." in refused
    assert Appeal.objects.get().energy_object == mine


def test_closed_appeals_show_the_last_three_months_unless_asked(signed_in_client, user, desk):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=120), tick=False):
        old = appeal_reject(appeal=file_appeal(user, text="Давнее"), by=desk, comment="Нет")
    recent = appeal_reject(appeal=file_appeal(user, text="Недавнее"), by=desk, comment="Нет")

    default = page(signed_in_client, "selfservice:appeals_closed")
    content = signed_in_client.get(reverse("selfservice:appeals_closed"), {"date_from": ""}).content.decode()
    everything = content[content.index("<main") :]

    assert recent.number in default and old.number not in default and "за последние три месяца" in default
    assert old.number in everything and recent.number in everything
