"""The upload form of the exchange screen."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .formats import FileError, file_type
from .resources import resource_choices

MAX_UPLOAD_BYTES = getattr(settings, "EXCHANGE_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)


class ImportForm(forms.Form):
    resource = forms.ChoiceField(label=gettext_lazy("Данные"), choices=resource_choices)
    file = forms.FileField(
        label=gettext_lazy("Файл"),
        help_text=gettext_lazy(
            "CSV или XLSX. Первая строка — названия столбцов, как в выгрузке; даты ДД.ММ.ГГГГ, "
            "дробные числа с запятой или точкой."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Только проверить"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Файл будет проверен целиком, но ничего не сохранится; загрузить можно после проверки."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("Файл больше %(limit)s: разделите его на части.") % {"limit": filesizeformat(MAX_UPLOAD_BYTES)}
            )
        try:
            file_type(upload, upload.name)  # by the contents, not only the name
        except FileError as error:
            raise forms.ValidationError(str(error)) from None
        return upload
