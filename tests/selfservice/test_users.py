import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_email_is_kept_in_lower_case():
    user = User.objects.create_user("Anna.Petrova@Example.TEST", "Secret-pass-42")
    assert user.email == "anna.petrova@example.test"


def test_two_accounts_cannot_share_an_email_in_any_case():
    UserFactory(email="anna@example.test")
    with pytest.raises(ValidationError) as error:
        User.objects.create_user("ANNA@example.test", "Secret-pass-42")
    assert "Пользователь с таким e-mail уже зарегистрирован." in str(error.value)


def test_two_accounts_cannot_share_a_legacy_login_in_any_case():
    UserFactory(login="Hlebozavod")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(login="HLEBOZAVOD")


def test_many_accounts_may_have_no_legacy_login():
    UserFactory(login="")
    UserFactory(login="")
    assert User.objects.filter(login="").count() == 2


def test_full_name_reads_surname_first():
    user = UserFactory.build(last_name="Петрова", first_name="Анна", middle_name="Сергеевна")
    assert user.get_full_name() == "Петрова Анна Сергеевна"
    assert str(user) == "Петрова Анна Сергеевна"


def test_phone_is_parsed_as_a_russian_number():
    user = UserFactory(phone="8 (911) 000-00-01")
    user.refresh_from_db()
    assert user.phone.as_e164 == "+79110000001"


def test_migrated_cabinets_may_share_an_email_and_each_signs_in_with_its_own_password():
    UserFactory(email="office@example.test", login="bakery-1", password="First-pass-1")
    second = UserFactory(email="office@example.test", login="bakery-2", password="Second-pass-2")

    request = RequestFactory().post("/login/")
    assert authenticate(request, username="office@example.test", password="Second-pass-2") == second
    assert authenticate(request, username="OFFICE@example.test", password="wrong") is None
