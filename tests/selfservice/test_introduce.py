"""«Давайте познакомимся» (F-A3) and the gate that asks for it before anything else."""

import pytest
from django.urls import reverse
from django.utils import timezone

from selfservice.demo import demo_agreement_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INTRODUCE = reverse("selfservice:introduce")


@pytest.fixture
def stranger(client):
    """A signed-in user who has not yet told us a name and a phone."""
    user = UserFactory(last_name="", first_name="", middle_name="", phone="")
    client.force_login(user)
    return user


def details(**overrides):
    return {
        "last_name": "Петрова",
        "first_name": "Анна",
        "middle_name": "Сергеевна",
        "organisation": "ООО «Северный хлебозавод»",
        "position": "Главный энергетик",
        "address": "г. Энергоград, ул. Заводская, д. 7",
        "phone": "+7 912 345-67-89",
        **overrides,
    }


def test_every_portal_page_leads_to_introduce_first(client, stranger):
    response = client.get(reverse("selfservice:home"))
    assert response.url == f"{INTRODUCE}?next=/"


def test_cms_pages_are_gated_too(client, stranger):
    page = demo_agreement_create()
    assert client.get(page.url).url.startswith(INTRODUCE)


@pytest.mark.parametrize(
    "url",
    [
        reverse("selfservice:email_confirm"),
        reverse("selfservice:password_change"),
        "/captcha/refresh/",
        "/healthz",
        "/jsi18n/",
    ],
)
def test_the_screens_needed_before_introducing_stay_open(client, stranger, url):
    response = client.get(url)
    assert not (response.status_code == 302 and response.url.startswith(INTRODUCE))


def test_signing_out_stays_open(client, stranger):
    response = client.post(reverse("selfservice:logout"))
    assert response.url == reverse("selfservice:login")
    assert "_auth_user_id" not in client.session


def test_staff_in_the_admin_are_never_gated(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, phone="", first_name=""))
    assert client.get("/admin/").status_code == 200


def test_anonymous_visitors_are_not_gated(client):
    assert client.get(reverse("selfservice:home")).status_code == 200


def test_the_form_has_the_manuals_fields_and_is_prefilled(client):
    user = UserFactory(first_name="", organisation="ООО «Ромашка»", phone="+79001234567")
    client.force_login(user)
    page = client.get(INTRODUCE).content.decode()
    for label in ("Давайте познакомимся", "Фамилия", "Имя", "Отчество", "Организация", "Должность", "Адрес"):
        assert label in page
    assert "Телефон" in page and "Сохранить" in page
    assert 'value="Иванов"' in page and 'value="ООО «Ромашка»"' in page
    assert 'value="+7 900 123-45-67"' in page


def test_required_fields_say_fill_in_and_keep_what_was_typed(client, stranger):
    response = client.post(INTRODUCE, details(last_name="", first_name="", phone=""))
    errors = response.context["form"].errors
    assert errors == {name: ["Заполните поле"] for name in ("last_name", "first_name", "phone")}
    assert 'value="ООО «Северный хлебозавод»"' in response.content.decode()
    stranger.refresh_from_db()
    assert not stranger.is_introduced and stranger.organisation == ""


def test_a_wrong_phone_is_refused(client, stranger):
    response = client.post(INTRODUCE, details(phone="12-34"))
    assert response.context["form"].errors["phone"] == ["Введите номер телефона полностью, например +7 912 345-67-89."]
    assert 'value="12-34"' in response.content.decode()


def test_saving_goes_on_to_where_the_user_was_going(client, stranger):
    response = client.post(f"{INTRODUCE}?next=/register/confirm/", details(), follow=True)
    assert response.redirect_chain[0][0] == "/register/confirm/"
    stranger.refresh_from_db()
    assert stranger.is_introduced
    assert (stranger.last_name, stranger.first_name, stranger.middle_name) == ("Петрова", "Анна", "Сергеевна")
    assert (stranger.position, stranger.address) == ("Главный энергетик", "г. Энергоград, ул. Заводская, д. 7")
    assert stranger.phone.as_e164 == "+79123456789"
    assert client.get(reverse("selfservice:home")).status_code == 200  # the gate is open now


def test_without_next_saving_goes_home(client, stranger):
    response = client.post(INTRODUCE, details(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("selfservice:home")
    assert "Спасибо! Данные сохранены." in response.content.decode()


def test_an_outside_next_is_ignored(client, stranger):
    response = client.post(f"{INTRODUCE}?next=https://evil.example/", details())
    assert response.url == reverse("selfservice:home")


def test_a_changed_phone_needs_confirming_again(client):
    user = UserFactory(first_name="", phone="+79001234567", phone_confirmed_at=timezone.now())
    client.force_login(user)
    client.post(INTRODUCE, details(phone="+79007654321"))
    user.refresh_from_db()
    assert user.phone.as_e164 == "+79007654321" and user.phone_confirmed_at is None


def test_the_same_phone_stays_confirmed(client):
    user = UserFactory(first_name="", phone="+79001234567", phone_confirmed_at=timezone.now())
    client.force_login(user)
    client.post(INTRODUCE, details(phone="+7 900 123-45-67"))
    user.refresh_from_db()
    assert user.phone_confirmed_at is not None


def test_introduce_needs_a_signed_in_user(client):
    assert client.get(INTRODUCE).url.startswith(reverse("selfservice:login"))
