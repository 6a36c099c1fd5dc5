"""«Карты» (F-E4, seed 001 §9.1): add a card through the bank, see it as «****4444», delete it; a failed or
abandoned registration comes back with «Не удалось добавить карту» and «Ок»; only a token is kept."""

import pytest
from django.urls import reverse

from backoffice.acquiring import AcquiringUnavailable
from backoffice.acquiring.sandbox.provider import SandboxProvider
from backoffice.models import AcquiringOrder, SandboxCardBinding, SavedCard
from tests.backoffice.acquiring import DECLINE_CARD, bank_delivers_to_test_client, pay_at_bank
from tests.backoffice.factories import PersonalAccountFactory
from tests.factories import UserFactory
from tests.selfservice.cabinet import link_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank_notifies(monkeypatch, django_capture_on_commit_callbacks):
    bank_delivers_to_test_client(monkeypatch)
    return django_capture_on_commit_callbacks


def add_card(client, bank_notifies, **bank):
    response = client.post(reverse("selfservice:card_add"))
    order = AcquiringOrder.objects.latest("pk")
    assert response["Location"] == order.payment_url
    with bank_notifies(execute=True):
        back = pay_at_bank(client, order, **bank)
    return client.get(back["Location"], follow=True)


def test_an_empty_list_says_how_cards_are_added(signed_in_client):
    content = signed_in_client.get(reverse("selfservice:cards")).content.decode()

    assert "Привязанных карт нет" in content and "Добавить карту" in content
    assert "операция оплаты на небольшую сумму с последующим возвратом" in content


def test_a_card_is_added_through_the_bank_and_listed_masked(signed_in_client, user, bank_notifies):
    page = add_card(signed_in_client, bank_notifies, card="5555555555554444")

    content = page.content.decode()
    assert "Карта ****4444 добавлена." in content
    assert "****4444" in content and "Mastercard" in content and "до 12/30" in content
    assert "5555555555554444" not in content and "5555 5555" not in content
    card = SavedCard.objects.get(user=user)
    assert card.last4 == "4444" and card.token.startswith("card_")


def test_the_same_card_added_twice_is_one_card(signed_in_client, user, bank_notifies):
    add_card(signed_in_client, bank_notifies)
    add_card(signed_in_client, bank_notifies)

    assert SavedCard.objects.filter(user=user).count() == 1


def test_a_declined_registration_says_it_failed_with_ok(signed_in_client, user, bank_notifies):
    page = add_card(signed_in_client, bank_notifies, card=DECLINE_CARD)

    content = page.content.decode()
    assert "Не удалось добавить карту" in content and ">Ок</a>" in content
    assert not SavedCard.objects.exists()
    assert "Не удалось добавить карту" not in signed_in_client.get(reverse("selfservice:cards")).content.decode()


def test_going_back_from_the_bank_page_says_it_failed(signed_in_client, bank_notifies):
    signed_in_client.post(reverse("selfservice:card_add"))
    order = AcquiringOrder.objects.get()

    with bank_notifies(execute=True):
        back = signed_in_client.post(f"/sandbox-acquirer/pay/{order.provider_order_id}/", {"cancel": "1"})
    page = signed_in_client.get(back["Location"], follow=True)

    assert "Не удалось добавить карту" in page.content.decode()


def test_a_bank_that_does_not_answer_is_a_failure_too(signed_in_client, monkeypatch):
    def down(self, **kwargs):
        raise AcquiringUnavailable("down")

    monkeypatch.setattr(SandboxProvider, "register", down)

    page = signed_in_client.post(reverse("selfservice:card_add"), follow=True)

    assert "Не удалось добавить карту" in page.content.decode()
    assert not AcquiringOrder.objects.exists()


def test_adding_a_card_needs_a_confirmed_email(client):
    client.force_login(UserFactory(email_confirmed_at=None))

    response = client.post(reverse("selfservice:card_add"))

    assert response["Location"].startswith(reverse("selfservice:email_confirm"))


def test_a_card_is_deleted_after_a_confirmation_and_the_bank_forgets_it(signed_in_client, user, bank_notifies):
    add_card(signed_in_client, bank_notifies)
    card = SavedCard.objects.get()
    url = reverse("selfservice:card_delete", args=[card.pk])

    assert "Удалить карту ****1111?" in signed_in_client.get(url).content.decode()
    page = signed_in_client.post(url, follow=True)

    assert "Карта ****1111 удалена." in page.content.decode()
    assert not SavedCard.objects.exists()
    assert not SandboxCardBinding.objects.get(token=card.token).is_active


def test_a_saved_card_is_offered_on_the_payment_form(signed_in_client, user, bank_notifies):
    account = PersonalAccountFactory(number="100000001")
    link_account(user, account)
    add_card(signed_in_client, bank_notifies)

    form = signed_in_client.get(reverse("selfservice:payment_account", args=["100000001"])).content.decode()

    assert "VISA ****1111" in form and "Новая карта" in form and "Способ оплаты" in form
