"""Setting and changing a password against «Требования к паролю» (seed 001 §13.1.3)."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from .signin import REQUIRED


def password_field(label, autocomplete="new-password", autofocus=False) -> forms.CharField:
    attrs = {"autocomplete": autocomplete, **({"autofocus": True} if autofocus else {})}
    return forms.CharField(label=label, strip=False, error_messages=REQUIRED, widget=forms.PasswordInput(attrs=attrs))


class PasswordSetForm(auth_forms.SetPasswordForm):
    """A new password twice («Восстановление пароля», seed 000 §2.5); the checklist's rules are checked on the first."""

    new_password1 = password_field(_("Пароль"), autofocus=True)
    new_password2 = password_field(_("Повторите пароль"))

    error_messages = {"password_mismatch": _("Пароли не совпадают.")}

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return self.cleaned_data


class PasswordChangeForm(PasswordSetForm, auth_forms.PasswordChangeForm):
    """«Изменение пароля» (seed 001 §13.1.3): «Старый пароль», «Новый пароль», «Новый пароль ещё раз»."""

    old_password = password_field(_("Старый пароль"), autocomplete="current-password", autofocus=True)
    new_password1 = password_field(_("Новый пароль"))
    new_password2 = password_field(_("Новый пароль ещё раз"))

    field_order = ["old_password", "new_password1", "new_password2"]
    error_messages = {
        **PasswordSetForm.error_messages,
        "password_incorrect": _("Старый пароль введён неверно. Введите его ещё раз."),
    }
