"""«Ваши счета» (F-B1; seed 004 §4.1–4.2, seed 000 §3.1.3): add a ЛС by the control question, group and note,
the switcher, removal; a mismatch goes to the staff queue; the others who have the ЛС are told."""

from decimal import Decimal

import pytest
from django.urls import reverse

from backoffice.models import Notification
from backoffice.models.choices import PaymentStatus
from selfservice.models import AccountLink
from selfservice.selectors import accounts_for
from tests.backoffice.factories import MeterFactory, PaymentFactory, PersonalAccountFactory
from tests.factories import UserFactory
from tests.selfservice.cabinet import link_account
from workflows.models import ActivationRequest

pytestmark = pytest.mark.django_db

ADD = reverse("selfservice:account_add")


@pytest.fixture
def account():
    account = PersonalAccountFactory(number="100000777", address="г. Энергоград, Степная ул., д. 9")
    MeterFactory(account=account, serial="874100")
    PaymentFactory(account=account, amount=Decimal("665.60"), status=PaymentStatus.POSTED)
    return account


def form(**fields):
    return {
        "supplier": "АО «Энергосбыт»",
        "number": "100000777",
        "relation": AccountLink.Relation.TENANT,
        "control": "last_payment",
        "control_answer": "665,60",
        "paperless": "on",
        **fields,
    }


def test_the_right_last_payment_links_the_account_at_once(signed_in_client, user, account):
    response = signed_in_client.post(ADD, form())

    assert response.status_code == 302
    assert response.url == reverse("selfservice:account_settings", args=[account.number])
    link = AccountLink.objects.get(user=user)
    assert (link.account, link.relation, link.paperless) == (account, AccountLink.Relation.TENANT, True)
    assert list(accounts_for(user=user)) == [account]
    page = signed_in_client.get(response.url).content.decode()
    assert "Лицевой счет № 100000777 успешно подключен." in page


def test_the_meter_number_works_as_well(signed_in_client, user, account):
    signed_in_client.post(ADD, form(control="meter_number", control_answer="874 100"))

    assert AccountLink.objects.filter(user=user, account=account).exists()


@pytest.mark.parametrize(
    "fields",
    [{"control_answer": "665,61"}, {"number": "100000999"}, {"control": "meter_number", "control_answer": "1"}],
    ids=["wrong amount", "unknown number", "wrong meter"],
)
def test_anything_else_goes_to_staff_and_says_the_same(signed_in_client, user, account, fields):
    response = signed_in_client.post(ADD, form(**fields))

    assert response.status_code == 200
    assert "Заявка на подключение отправлена" in response.content.decode()
    request = ActivationRequest.objects.get(user=user)
    assert request.state == ActivationRequest.State.NEW
    assert (request.relation, request.paperless) == (AccountLink.Relation.TENANT, True)
    assert not AccountLink.objects.filter(user=user).exists()


def test_staff_approval_keeps_what_the_customer_chose(signed_in_client, user, account):
    from workflows.services.activation import activation_request_approve

    signed_in_client.post(ADD, form(control_answer="1"))
    activation_request_approve(request=ActivationRequest.objects.get(user=user), by=UserFactory(is_staff=True))

    link = AccountLink.objects.get(user=user)
    assert (link.relation, link.paperless) == (AccountLink.Relation.TENANT, True)
    assert list(accounts_for(user=user)) == [account]


def test_bad_input_keeps_what_was_typed(signed_in_client, account):
    response = signed_in_client.post(ADD, form(number="12ab", control_answer=""))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Номер лицевого счёта — от 6 до 12 цифр." in page and "Заполните поле" in page
    assert 'value="12ab"' in page
    assert not ActivationRequest.objects.exists() and not AccountLink.objects.exists()


def test_an_account_already_in_the_cabinet_is_not_added_twice(signed_in_client, user, account):
    link_account(user, account)

    response = signed_in_client.post(ADD, form())

    assert "Лицевой счёт № 100000777 уже подключён к вашему профилю." in response.content.decode()
    assert AccountLink.objects.filter(user=user).count() == 1


def test_the_others_who_have_the_account_are_told(signed_in_client, account):
    neighbour = UserFactory(email="sosed@example.test")
    link_account(neighbour, account)

    signed_in_client.post(ADD, form())

    [told] = Notification.objects.filter(user=neighbour)
    assert told.title == "Абонент был добавлен в профиль другого пользователя"
    assert "100000777" in told.body and "u***@example.test" in told.body


def test_an_unconfirmed_email_cannot_add_accounts(client, account):
    user = UserFactory(email_confirmed_at=None)
    client.force_login(user)

    response = client.post(ADD, form())

    assert response.status_code == 302 and reverse("selfservice:email_confirm") in response.url
    assert not AccountLink.objects.exists()


def test_adding_is_rate_limited(signed_in_client, account):
    for _attempt in range(10):
        signed_in_client.post(ADD, form(control_answer="1"))

    assert signed_in_client.post(ADD, form()).status_code == 429
    assert not AccountLink.objects.exists()


def test_group_and_note_are_the_users_own(signed_in_client, user, account):
    link_account(user, account)

    signed_in_client.post(
        reverse("selfservice:account_settings", args=[account.number]), {"group": "  Дача ", "note": "мамина"}
    )

    link = AccountLink.objects.get(user=user)
    assert (link.group, link.note) == ("Дача", "мамина")
    page = signed_in_client.get(reverse("selfservice:accounts")).content.decode()
    assert "Дача" in page and "мамина" in page


def test_the_switcher_makes_an_account_current(signed_in_client, user):
    first, second = PersonalAccountFactory(), PersonalAccountFactory(address="г. Энергоград, ул. Летняя, д. 3")
    link_account(user, first)
    link_account(user, second)

    response = signed_in_client.post(reverse("selfservice:account_switch"), {"number": second.number, "next": "/"})

    assert response.status_code == 302 and response.url == "/"
    home = signed_in_client.get("/").content.decode()
    assert "ул. Летняя, д. 3, Электроэнергия" in home


def test_the_switcher_will_not_leave_the_site(signed_in_client, user, account):
    link_account(user, account)

    response = signed_in_client.post(
        reverse("selfservice:account_switch"), {"number": account.number, "next": "https://evil.example/"}
    )

    assert response.url == reverse("selfservice:home")


def test_removal_takes_the_account_out_of_this_cabinet_only(signed_in_client, user, account):
    neighbour = UserFactory()
    link_account(neighbour, account)
    link_account(user, account)

    response = signed_in_client.post(reverse("selfservice:account_remove", args=[account.number]))

    assert response.status_code == 302
    assert not accounts_for(user=user).exists()
    assert list(accounts_for(user=neighbour)) == [account]
    assert signed_in_client.get(reverse("selfservice:account_settings", args=[account.number])).status_code == 404


def test_home_shows_the_current_account_and_its_debt(signed_in_client, user, account):
    from backoffice.models import Balance
    from backoffice.models.choices import SalesKind

    link_account(user, account)
    Balance.objects.create(account=account, sales_kind=SalesKind.MAIN, amount=Decimal("1234.56"))

    page = signed_in_client.get("/").content.decode()

    assert "Степная ул., д. 9, Электроэнергия" in page
    assert "1\xa0234,56\xa0₽" in page
