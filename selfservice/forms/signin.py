"""«Вход» (seed 001 §2.3, seed 000 §2.4), its image captcha, and the code of a new device (seed 001 §13.1.6)."""

from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from ..services.codes import CODE_LENGTH

REQUIRED = {"required": _("Заполните поле")}


class ImageCaptchaInput(CaptchaTextInput):
    """The picture, «изменить картинку» and the answer box, in the portal's field layout."""

    template_name = "selfservice/signin/captcha_widget.html"


class ImageCaptchaField(CaptchaField):
    """«Введите код с картинки» (seed 000 §2.4): django-simple-captcha, each picture good for one answer."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Введите код с картинки"))
        kwargs.setdefault(
            "error_messages", {**REQUIRED, "invalid": _("Код с картинки введён неверно. Введите код с новой картинки.")}
        )
        super().__init__(widget=ImageCaptchaInput(), **kwargs)


class LoginForm(AuthenticationForm):
    """«Вход»: e-mail or the old login, the password and «Запомнить меня» (seed 001 §2.3).

    With `captcha=True` (after more than three failures for the login or the IP) the picture is asked for too,
    and no password is tried until its code is right.
    """

    username = forms.CharField(
        label=_("E-mail или логин"),
        max_length=254,
        error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True, "inputmode": "email"}),
    )
    password = forms.CharField(
        label=_("Пароль"),
        strip=False,
        error_messages=REQUIRED,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    remember_me = forms.BooleanField(label=_("Запомнить меня"), required=False, initial=True)

    error_messages = {
        "invalid_login": _("Неверный e-mail, логин или пароль. Проверьте раскладку и регистр букв."),
        # The backend refuses a disabled account like a wrong password: nothing tells an outsider it exists.
        "inactive": _("Неверный e-mail, логин или пароль. Проверьте раскладку и регистр букв."),
    }

    def __init__(self, request=None, *args, captcha: bool = False, **kwargs):
        super().__init__(request, *args, **kwargs)
        if captcha:
            self.require_captcha()

    def require_captcha(self) -> None:
        self.fields["captcha"] = ImageCaptchaField()

    @property
    def has_captcha(self) -> bool:
        return "captcha" in self.fields

    def clean(self):
        if self.has_error("captcha"):
            return self.cleaned_data  # a wrong picture code: the password is not even tried
        return super().clean()


class CodeForm(forms.Form):
    """Five digits from a letter («Введите код, отправленный на почту», seed 001 §2.2)."""

    code = forms.RegexField(
        label=_("Введите код, отправленный на почту"),
        regex=rf"^\d{{{CODE_LENGTH}}}$",
        error_messages={**REQUIRED, "invalid": _("Введите пять цифр из письма.")},
        widget=forms.TextInput(
            attrs={
                "class": "code-input",
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "maxlength": CODE_LENGTH,
                "pattern": rf"\d{{{CODE_LENGTH}}}",
                "autofocus": True,
            }
        ),
    )
