"""«Восстановление пароля»: who is asking (seed 000 §2.5: «Логин или e-mail»)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .signin import REQUIRED


class PasswordResetRequestForm(forms.Form):
    identifier = forms.CharField(
        label=_("Логин или e-mail"),
        max_length=254,
        error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True, "inputmode": "email"}),
    )
