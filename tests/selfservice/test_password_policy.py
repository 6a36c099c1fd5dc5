"""«Требования к паролю» (seed 001 §13.1.3) on the server, the checklist on the pages, «Изменение пароля»."""

import pytest
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from backoffice.models import OutboxMessage
from selfservice.models import UserSession
from selfservice.password_validation import ChecklistPasswordValidator, password_rules_broken
from tests.factories import PASSWORD, UserFactory

CHECKLIST = (
    "Буквы только латинского алфавита",
    "Не менее 8 символов",
    "Заглавные буквы",
    "Строчные буквы",
    "Цифры",
    "Любые символы кроме пробелов",
)
CHANGE = reverse("selfservice:password_change")
NEW_PASSWORD = "Novyi-parol-2024"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def messages_for(password) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        ChecklistPasswordValidator().validate(password)
    return refused.value.messages


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Parol-ъ-2024", "Пароль может содержать буквы только латинского алфавита."),
        ("Ab-3xyz", "Пароль должен содержать не менее 8 символов."),
        ("parol-2024", "Добавьте в пароль заглавную латинскую букву."),
        ("PAROL-2024", "Добавьте в пароль строчную латинскую букву."),
        ("Parol-dva", "Добавьте в пароль цифру."),
        ("Parol 2024", "Пароль не может содержать пробелы."),
        ("Parol\t2024", "Пароль не может содержать пробелы."),
    ],
)
def test_each_broken_rule_is_named_in_russian(password, message):
    assert messages_for(password) == [message]


@pytest.mark.parametrize("password", ["Parol2024", "Secret-pass-42", "A1b2C3d4", "Za#%№€!1aaaa", "Ab3" + "x" * 200])
def test_passwords_that_meet_every_rule_pass(password):
    assert password_rules_broken(password) == []
    ChecklistPasswordValidator().validate(password)


def test_a_password_breaking_several_rules_hears_about_each_in_checklist_order():
    assert password_rules_broken("пароль") == ["latin", "length", "upper", "lower", "digit"]
    assert len(messages_for("пароль")) == 5


def test_the_help_text_lists_the_checklist():
    text = str(ChecklistPasswordValidator().get_help_text())
    assert text.startswith("Требования к паролю: буквы только латинского алфавита, не менее 8 символов")
    assert text.endswith("любые символы кроме пробелов.")


@pytest.mark.django_db
def test_the_site_enforces_the_checklist_and_django_s_remaining_checks_in_russian():
    assert any(text.startswith("Требования к паролю") for text in password_validators_help_texts())
    with pytest.raises(ValidationError) as refused:
        validate_password("parol")
    assert "Пароль должен содержать не менее 8 символов." in refused.value.messages
    with pytest.raises(ValidationError) as common:
        validate_password("Password1")
    assert "Введённый пароль слишком широко распространён." in common.value.messages
    user = UserFactory.build(email="ivan.petrov@example.test")
    with pytest.raises(ValidationError) as similar:
        validate_password("Ivan.petrov@example1", user)
    assert any("слишком похож" in message for message in similar.value.messages)


# --- «Изменение пароля» -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_password_change_needs_a_signed_in_user(client):
    assert client.get(CHANGE).url.startswith(reverse("selfservice:login"))


@pytest.mark.django_db
def test_the_change_page_shows_the_manuals_fields_and_the_live_checklist(signed_in_client):
    page = signed_in_client.get(CHANGE).content.decode()
    for text in ("Изменение пароля", "Требования к паролю", *CHECKLIST, "Старый пароль", "Новый пароль", "Отменить"):
        assert text in page
    assert "Новый пароль ещё раз" in page and "Сохранить" in page
    assert 'data-password-checklist data-for="id_new_password1"' in page
    assert 'aria-live="polite"' in page
    assert "js/password-checklist.js" in page
    for rule in ("latin", "length", "upper", "lower", "digit", "nospace"):
        assert f'data-rule="{rule}"' in page


@pytest.mark.django_db
def test_an_empty_change_form_asks_for_every_field(signed_in_client):
    page = signed_in_client.post(CHANGE, {}).content.decode()
    assert page.count("Заполните поле") >= 3


@pytest.mark.django_db
def test_a_wrong_old_password_is_refused(signed_in_client, user):
    data = {"old_password": "not-mine", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    page = signed_in_client.post(CHANGE, data).content.decode()
    assert "Старый пароль введён неверно. Введите его ещё раз." in page
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_a_weak_or_mismatched_new_password_is_refused(signed_in_client, user):
    weak = signed_in_client.post(CHANGE, {"old_password": PASSWORD, "new_password1": "parol", "new_password2": "parol"})
    assert "Пароль должен содержать не менее 8 символов." in weak.content.decode()
    data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": "Drugoi-parol-1"}
    assert "Пароли не совпадают." in signed_in_client.post(CHANGE, data).content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_changing_the_password_keeps_this_browser_ends_the_others_and_sends_a_letter(user):
    here, elsewhere = Client(), Client()
    for browser in (here, elsewhere):
        browser.post(reverse("selfservice:login"), {"username": user.email, "password": PASSWORD})
    data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    response = here.post(CHANGE, data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("selfservice:profile_security")
    assert "Пароль изменён." in response.content.decode()
    assert here.session["_auth_user_id"] == str(user.pk)
    assert here.get(CHANGE).status_code == 200
    assert elsewhere.get(CHANGE).url.startswith(reverse("selfservice:login"))
    assert list(UserSession.objects.filter(user=user).values_list("session_key", flat=True)) == [
        here.session.session_key
    ]
    letter = OutboxMessage.objects.get(template="password_changed")
    assert letter.recipient == user.email and letter.subject == "Пароль изменён"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
