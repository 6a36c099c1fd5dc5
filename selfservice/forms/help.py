"""«Помощь» (F-H5): the search of «Вопрос - Ответ» and the contract choice of «Контакты»."""

from django import forms
from django.utils.translation import gettext_lazy as _


class FaqSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Поисковая фраза"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Например, как передать показания")}),
    )
    group = forms.TypedChoiceField(label=_("Группа"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("Все вопросы")), *((group.pk, group.name) for group in groups)]


class ContactsFilterForm(forms.Form):
    """«Договор ▾»: one or several of the user's contracts and ЛС; none chosen shows them all."""

    owner = forms.MultipleChoiceField(
        label=_("Договор"), required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = choices
