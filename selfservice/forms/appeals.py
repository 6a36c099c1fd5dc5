"""The forms of «Обращения» (F-G2…F-G6; seed 001 §8, seed 000 §3.3).

Step 1 «Тип обращения»: the contract or ЛС and Тема → Раздел → Подраздел, three selects that narrow each other
(static/js/appeals.js hides the options of other parents; without JavaScript every option is there, grouped by
its parent, and the server checks the choice fits). The topic's own steps are `workflows.models.appeals_form.
StepForm`; the last step, the reply, reopening, the rating and signing are the plain forms below. Files are
checked by the services (size, count, type by content), so a rule lives in one place.
"""

from django import forms
from django.core.validators import MaxLengthValidator, RegexValidator
from django.utils.translation import gettext_lazy as _

from selfservice.services.codes import CODE_LENGTH
from workflows.models import AppealTopic, SignatureRequest
from workflows.models.appeals import Classifier
from workflows.services.appeals import ALLOWED_TYPES, MESSAGE_MAX_LENGTH, topic_available

from .registration import FillInMessagesMixin

CONTRACT, ACCOUNT = "contract", "account"


class ParentedSelect(forms.Select):
    """A select whose options say their parent (`data-parent`) and, for a final choice, the wizard's step count."""

    def __init__(self, *args, parents=None, totals=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parents, self.totals = parents or {}, totals or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        key = str(value)
        if key in self.parents:
            option["attrs"]["data-parent"] = self.parents[key]
        if key in self.totals:
            option["attrs"]["data-steps"] = self.totals[key]
        return option


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """«Загрузить» several files at once; the services check each one."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def files_help(limits) -> str:
    return _("%(types)s; до %(count)s файлов, каждый до %(size)s МБ.") % {
        "types": ALLOWED_TYPES,
        "count": limits.max_files,
        "size": limits.max_file_megabytes,
    }


class AppealTypeForm(FillInMessagesMixin, forms.Form):
    """«Новое обращение», шаг 1 (seed 001 рис. 68, 75): Договор, Тема, Раздел, Подраздел."""

    owner = forms.ChoiceField(label=_("Договор или лицевой счёт"), required=False)
    theme = forms.ChoiceField(label=_("Тема"))
    section = forms.ChoiceField(label=_("Раздел"), required=False)
    subsection = forms.ChoiceField(label=_("Подраздел"), required=False)

    def __init__(self, *args, classifier: Classifier, contracts, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.classifier = classifier
        self.contracts = {str(contract.pk): contract for contract in contracts}
        self.accounts = {str(account.pk): account for account in accounts}
        owners = [("", _("Без договора и лицевого счёта"))]
        owners += [
            (
                f"{CONTRACT}:{pk}",
                _("Договор № %(number)s, %(name)s") % {"number": c.number, "name": c.customer.display_name},
            )
            for pk, c in self.contracts.items()
        ]
        owners += [
            (f"{ACCOUNT}:{pk}", _("ЛС № %(number)s, %(address)s") % {"number": a.number, "address": a.address})
            for pk, a in self.accounts.items()
        ]
        self.fields["owner"].choices = owners
        levels = {1: [], 2: [], 3: []}
        parents, totals = {}, {}
        for node in classifier.walk():
            rules = classifier.rules(node)
            if classifier.is_leaf(node) and not topic_available(
                rules, has_contracts=bool(self.contracts), has_accounts=bool(self.accounts)
            ):
                continue
            level = len(rules.path)
            levels[level].append((str(node.pk), node.name))
            if node.parent_id:
                parents[str(node.pk)] = str(node.parent_id)
            if classifier.is_leaf(node):
                totals[str(node.pk)] = str(rules.total_steps)
        # A theme or section whose every leaf is unavailable is not offered either.
        offered_leaves = set(totals)
        offered = set()
        for node in classifier.walk():
            if str(node.pk) in offered_leaves:
                offered |= {str(step.pk) for step in classifier.path(node)}
        empty = [("", "—")]
        for name, level in (("theme", 1), ("section", 2), ("subsection", 3)):
            choices = [(pk, label) for pk, label in levels[level] if pk in offered]
            self.fields[name].choices = empty + choices
            self.fields[name].widget = ParentedSelect(
                parents=parents, totals=totals, attrs={"data-topic-level": level, "data-topic-select": name}
            )
            self.fields[name].widget.choices = self.fields[name].choices
        self.leaf: AppealTopic | None = None
        self.contract = self.account = None

    def clean_owner(self):
        value = self.cleaned_data["owner"]
        kind, _sep, pk = value.partition(":")
        if kind == CONTRACT:
            self.contract = self.contracts.get(pk)
        elif kind == ACCOUNT:
            self.account = self.accounts.get(pk)
        return value

    def clean(self):
        data = super().clean()
        chosen = [self.classifier.get(data.get(name)) for name in ("theme", "section", "subsection")]
        theme, section, subsection = chosen
        if theme is None:
            return data
        node = theme
        for field_name, child, label in (
            ("section", section, _("Выберите раздел.")),
            ("subsection", subsection, _("Выберите подраздел.")),
        ):
            if self.classifier.is_leaf(node):
                break
            if child is None:
                self.add_error(field_name, label)
                return data
            if child.parent_id != node.pk:
                self.add_error(field_name, _("Этот раздел относится к другой теме."))
                return data
            node = child
        self.leaf = node
        return data


class AppealTextForm(forms.Form):
    """«Информация по обращению» (seed 001 рис. 69): «Текст обращения» and «Загрузить» (several files)."""

    text = forms.CharField(label=_("Текст обращения"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    files = MultipleFileField(label=_("Загрузить файлы"))

    def __init__(self, *args, appeal, limits, **kwargs):
        super().__init__(*args, **kwargs)
        text = self.fields["text"]
        text.max_length = appeal.text_max_length
        text.widget.attrs.update({"maxlength": appeal.text_max_length, "data-char-counter": appeal.text_max_length})
        text.validators.append(MaxLengthValidator(appeal.text_max_length))
        text.help_text = _("Не больше %(count)s символов.") % {"count": appeal.text_max_length}
        if appeal.attachments_allowed:
            self.fields["files"].help_text = files_help(limits)
        else:
            del self.fields["files"]


class AppealReplyForm(forms.Form):
    """The message widget under «Диалог» (seed 001 рис. 86, 88)."""

    text = forms.CharField(
        label=_("Введите текст"),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    files = MultipleFileField(label=_("Приложить файлы"))

    def __init__(self, *args, limits, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = files_help(limits)


class AppealReopenForm(FillInMessagesMixin, forms.Form):
    comment = forms.CharField(
        label=_("Что осталось нерешённым"), max_length=MESSAGE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class AppealRateForm(FillInMessagesMixin, forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Оцените решение"),
        coerce=int,
        choices=[(value, str(value)) for value in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Отзыв"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SigningCodeForm(FillInMessagesMixin, forms.Form):
    """The five digits of the signing code (a simple electronic signature)."""

    code = forms.CharField(
        label=_("Код подписания из письма"),
        max_length=CODE_LENGTH,
        validators=[RegexValidator(rf"^\d{{{CODE_LENGTH}}}$", _("Код состоит из 5 цифр."))],
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": r"\d*",
                "class": "code-input",
                "autofocus": True,
            }
        ),
    )


class SignatureDecisionForm(forms.Form):
    """«Подписать», «Подписать с протоколом разногласий» (with the protocol) — the code follows."""

    decision = forms.ChoiceField(choices=SignatureRequest.Decision.choices, widget=forms.HiddenInput)
    protocol = forms.FileField(
        label=_("Протокол разногласий"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.jpg,.jpeg,.png"}),
        help_text=_("PDF, DOCX, JPG или PNG."),
    )


class SignatureDeclineForm(FillInMessagesMixin, forms.Form):
    reason = forms.CharField(
        label=_("Почему вы не подписываете документы"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AppealPeriodForm(forms.Form):
    """«Закрытые» for a period (seed 004 §4.4.4.5: the last three months unless the customer asks for more)."""

    date_from = forms.DateField(
        label=_("с"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("по"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("Дата «по» раньше даты «с»."))
        return data
