"""The portal's password policy: the checklist «Требования к паролю» of seed 001 §13.1.3.

The same six rules tick live in the browser (static/js/password-checklist.js, keyed by `PASSWORD_RULES`'
ids) and are enforced here, so a password that slips past the page is still refused.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MIN_LENGTH = 8

# (id, checklist label, message when broken, test). The ids are what the checklist's JavaScript knows.
PASSWORD_RULES = (
    (
        "latin",
        _("Буквы только латинского алфавита"),
        _("Пароль может содержать буквы только латинского алфавита."),
        lambda password: not any(char.isalpha() and not ("a" <= char.lower() <= "z") for char in password),
    ),
    (
        "length",
        _("Не менее 8 символов"),
        _("Пароль должен содержать не менее 8 символов."),
        lambda password: len(password) >= MIN_LENGTH,
    ),
    (
        "upper",
        _("Заглавные буквы"),
        _("Добавьте в пароль заглавную латинскую букву."),
        lambda password: re.search(r"[A-Z]", password) is not None,
    ),
    (
        "lower",
        _("Строчные буквы"),
        _("Добавьте в пароль строчную латинскую букву."),
        lambda password: re.search(r"[a-z]", password) is not None,
    ),
    (
        "digit",
        _("Цифры"),
        _("Добавьте в пароль цифру."),
        lambda password: re.search(r"[0-9]", password) is not None,
    ),
    (
        "nospace",
        _("Любые символы кроме пробелов"),
        _("Пароль не может содержать пробелы."),
        lambda password: not any(char.isspace() for char in password),
    ),
)


def password_rules_broken(password: str) -> list[str]:
    """Ids of the checklist rules `password` breaks, in checklist order."""
    return [rule_id for rule_id, _label, _message, holds in PASSWORD_RULES if not holds(password)]


class ChecklistPasswordValidator:
    """Every rule of «Требования к паролю»: Latin letters only, 8+ characters, upper, lower, a digit, no spaces."""

    def validate(self, password, user=None):
        broken = set(password_rules_broken(password))
        errors = [
            ValidationError(message, code=f"password_{rule_id}")
            for rule_id, _label, message, _holds in PASSWORD_RULES
            if rule_id in broken
        ]
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        labels = ", ".join(str(label).lower() for _id, label, _message, _holds in PASSWORD_RULES)
        return _("Требования к паролю: %(rules)s.") % {"rules": labels}
