"""Staff help customers in the admin (F-A7; seed 000 §2): «Пользователи портала» and its three tasks."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from backoffice.models import OutboxMessage
from selfservice.models import AccountLink
from tests.backoffice import factories as f
from tests.factories import UserFactory
from tests.querycount import assert_queries_flat

pytestmark = pytest.mark.django_db

INDEX = reverse("selfservice_portal_users:index")
REGISTER = reverse("selfservice_portal_users:register")
NEW_PASSWORD = "Novyi-Pass-42"
WRONG_LOGIN = "Неверный e-mail, логин или пароль."
SET_LINK = re.compile(r"http://testserver/password/set/[\w-]+/[\w-]+/")


def inspect(user):
    return reverse("selfservice_portal_users:inspect", args=[user.pk])


def link_account(user):
    return reverse("selfservice_portal_users:link_account", args=[user.pk])


def password_link(user):
    return reverse("selfservice_portal_users:password_link", args=[user.pk])


def grant(user, *codenames):
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(codename=codename))


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def assistant(client):
    clerk = UserFactory(is_staff=True, email="clerk@example.test", last_name="Смирнова", first_name="Ольга")
    grant(clerk, "access_admin", "assist_customer")
    client.force_login(clerk)
    return clerk


@pytest.fixture
def customer():
    return UserFactory(
        email="anna@example.test", last_name="Петрова", first_name="Анна", middle_name="Сергеевна", phone="+79119998877"
    )


@pytest.fixture
def account():
    return f.PersonalAccountFactory(number="100200300")


REGISTRATION = {
    "email": " Maria@Example.TEST ",
    "last_name": "Кузнецова",
    "first_name": "Мария",
    "middle_name": "Петровна",
    "phone": "+7 912 345-67-89",
    "account": "100200300",
    "relation": "tenant",
}


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response
    return response.content.decode()


# --- The list ------------------------------------------------------------------------------


def test_the_list_shows_customers_with_their_accounts_and_no_staff(client, assistant, customer, account):
    AccountLink.objects.create(user=customer, account=account)
    UserFactory(is_staff=True, email="editor@example.test")

    html = page(client, INDEX)

    for text in [
        "anna@example.test",
        "Петрова Анна Сергеевна",
        "+7 911 999-88-77",
        "Подтверждён",
        "Зарегистрировать клиента",
        "Пользователи портала",
    ]:
        assert text in html
    assert re.search(r">\s*1\s*</td>", html)  # linked accounts
    assert "editor@example.test" not in html
    assert "clerk@example.test" not in html.split("<tbody>", 1)[1]


@pytest.mark.parametrize("query", ["anna@example", "петрова анна", "9119998877", "anna_old"])
def test_search_by_email_name_phone_or_old_login(client, assistant, customer, query):
    customer.login = "anna_old"
    customer.save()
    UserFactory(email="boris@example.test", last_name="Борисов", phone="+79001112233")

    html = page(client, INDEX, q=query)

    assert "anna@example.test" in html
    assert "boris@example.test" not in html


def test_the_list_costs_the_same_queries_for_few_and_many_customers(client, assistant):
    def add_customers(n):
        for user in UserFactory.create_batch(n):
            AccountLink.objects.create(user=user, account=f.PersonalAccountFactory())

    assert_queries_flat(client, INDEX, add_rows=add_customers, max_queries=12)


def test_the_customer_page_lists_linked_accounts_and_the_actions(client, assistant, customer, account):
    AccountLink.objects.create(user=customer, account=account, linked_by=assistant)

    html = page(client, inspect(customer))

    for text in ["Лицевые счета", "100200300", "Собственник", "Смирнова Ольга", "Отправить ссылку для смены пароля"]:
        assert text in html
    assert link_account(customer) in html


def test_a_staff_account_is_not_reachable_here(client, assistant):
    editor = UserFactory(is_staff=True)

    assert client.get(inspect(editor)).status_code == 404
    assert client.get(password_link(editor)).status_code == 404


# --- Permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("codenames", [(), ("add_user", "change_user", "view_user")])
def test_staff_without_assist_customer_are_refused(client, customer, codenames):
    editor = UserFactory(is_staff=True)
    grant(editor, "access_admin", *codenames)
    client.force_login(editor)

    for url in [INDEX, inspect(customer), REGISTER, link_account(customer), password_link(customer)]:
        assert client.get(url).status_code == 302, url
    assert client.post(REGISTER, REGISTRATION).status_code == 302
    assert client.post(password_link(customer)).status_code == 302
    assert not OutboxMessage.objects.exists()
    assert not get_user_model().objects.filter(email="maria@example.test").exists()


# --- «Зарегистрировать клиента» ----------------------------------------------------------------


def test_register_a_customer_emails_a_set_password_link_and_no_password(
    client, assistant, account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REGISTER, REGISTRATION, follow=True)

    maria = get_user_model().objects.get(email="maria@example.test")
    assert response.redirect_chain[-1][0] == inspect(maria)
    assert (
        "Клиент зарегистрирован: ссылка для задания пароля отправлена на maria@example.test."
        in response.content.decode()
    )
    assert (maria.get_full_name(), maria.phone.as_e164, maria.registered_by) == (
        "Кузнецова Мария Петровна",
        "+79123456789",
        assistant,
    )
    assert not maria.has_usable_password()
    assert maria.email_confirmed_at is None
    link = AccountLink.objects.get(user=maria)
    assert (link.account, link.get_relation_display(), link.linked_by) == (account, "Наниматель", assistant)
    (letter,) = mail.outbox
    assert letter.to == ["maria@example.test"]
    assert letter.subject == "Для вас создан личный кабинет: задайте пароль"
    assert SET_LINK.search(letter.body)
    assert SET_LINK.search(letter.alternatives[0][0])
    assert "№ 100200300" in letter.body
    assert "Пароль знаете только вы" in letter.body
    assert not re.search(r"Пароль:", letter.body)


def test_the_customer_signs_in_only_after_setting_the_password_through_the_link(
    client, assistant, account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(REGISTER, {**REGISTRATION, "account": ""})
    link = SET_LINK.search(mail.outbox[0].body).group(0)
    client.logout()
    login = reverse("selfservice:login")

    refused = client.post(login, {"username": "maria@example.test", "password": ""}, follow=True)
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    client.logout()
    signed_in = client.post(login, {"username": "maria@example.test", "password": NEW_PASSWORD}, follow=True)

    assert "Заполните поле" in refused.content.decode() or WRONG_LOGIN in refused.content.decode()
    assert "Создание пароля" in form.content.decode()
    assert signed_in.redirect_chain and signed_in.redirect_chain[-1][0] != login
    maria = get_user_model().objects.get(email="maria@example.test")
    assert maria.has_usable_password()
    assert maria.email_confirmed_at is not None  # the link proved the mailbox


def test_a_customer_without_a_password_cannot_sign_in_with_any_password(client, assistant):
    client.post(REGISTER, {**REGISTRATION, "account": ""})
    client.logout()

    refused = client.post(
        reverse("selfservice:login"), {"username": "maria@example.test", "password": NEW_PASSWORD}, follow=True
    )

    assert WRONG_LOGIN in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_register_refuses_bad_input_with_messages_and_keeps_it(client, assistant, customer):
    data = {
        **REGISTRATION,
        "email": "ANNA@example.test",
        "last_name": "",
        "phone": "12",
        "account": "999999999",
    }

    response = client.post(REGISTER, data)

    html = response.content.decode()
    assert response.status_code == 200
    for text in [
        "Пользователь с таким e-mail уже зарегистрирован.",
        "Заполните поле",
        "Введите номер телефона полностью",
        "Лицевой счёт № 999999999 не найден.",
    ]:
        assert text in html
    assert 'value="Мария"' in html
    assert 'value="999999999"' in html
    assert get_user_model().objects.count() == 2
    assert not OutboxMessage.objects.exists()


def test_register_refuses_a_closed_account_and_stores_nothing(client, assistant):
    f.PersonalAccountFactory(number="100200399", closed_on="2020-01-31")

    response = client.post(REGISTER, {**REGISTRATION, "account": "100200399"})

    assert "Лицевой счёт № 100200399 закрыт." in response.content.decode()
    assert not get_user_model().objects.filter(email="maria@example.test").exists()
    assert not OutboxMessage.objects.exists()


# --- «Привязать лицевой счёт» ---------------------------------------------------------------------


def test_link_an_account_to_a_customer(client, assistant, customer, account):
    response = client.post(link_account(customer), {"account": "100200300", "relation": "registered"}, follow=True)

    assert "Лицевой счёт № 100200300 привязан к кабинету anna@example.test." in response.content.decode()
    link = AccountLink.objects.get(user=customer)
    assert (link.account, link.get_relation_display(), link.linked_by) == (account, "Зарегистрированный", assistant)


def test_a_second_link_of_the_same_account_is_refused(client, assistant, customer, account):
    AccountLink.objects.create(user=customer, account=account)

    response = client.post(link_account(customer), {"account": "100200300", "relation": "owner"})

    assert response.status_code == 200
    assert "Лицевой счёт № 100200300 уже привязан к этому пользователю." in response.content.decode()
    assert AccountLink.objects.filter(user=customer).count() == 1


def test_link_needs_a_number_that_exists(client, assistant, customer):
    empty = client.post(link_account(customer), {"account": "", "relation": "owner"}).content.decode()
    unknown = client.post(link_account(customer), {"account": "123", "relation": "owner"}).content.decode()

    assert "Заполните поле" in empty
    assert "Лицевой счёт № 123 не найден." in unknown
    assert not AccountLink.objects.exists()


def test_the_link_screen_asks_for_a_number_not_a_list_of_every_account(client, assistant, customer, account):
    html = page(client, link_account(customer))

    assert 'name="account"' in html
    assert "<select" not in html.split('name="account"')[0].rsplit("<", 1)[-1]
    assert "Статус отношения к ЛС" in html


# --- «Отправить ссылку для смены пароля» ------------------------------------------------------------


def test_send_a_password_link_after_a_confirmation(client, assistant, customer, django_capture_on_commit_callbacks):
    confirmation = page(client, password_link(customer))
    assert "anna@example.test" in confirmation
    assert not OutboxMessage.objects.exists()  # opening the screen sends nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(password_link(customer), follow=True)

    assert "Ссылка для смены пароля отправлена на anna@example.test." in response.content.decode()
    (letter,) = mail.outbox
    assert (letter.to, letter.subject) == (["anna@example.test"], "Ссылка для смены пароля")
    assert SET_LINK.search(letter.body)
    assert customer.has_usable_password()  # the old password works until the customer sets a new one


def test_the_password_letter_names_the_old_login_of_a_migrated_cabinet(client, assistant, customer):
    customer.login = "anna_old"
    customer.save()

    client.post(password_link(customer))

    assert "Логин: anna_old" in OutboxMessage.objects.get().body


def test_the_rights_are_offered_in_the_group_editor_and_wagtails_users_still_work(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    groups = client.get(reverse("wagtailusers_groups:add")).content.decode()

    assert "Может помогать клиентам портала" in groups
    assert "заявка на активацию" in groups.lower()
    assert client.get(reverse("wagtailusers_users:index")).status_code == 200
