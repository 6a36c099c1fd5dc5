"""«Настройки уведомлений» (F-H3; seed 001 §13.1.5, seed 000 §3.1.3)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from backoffice.models import Channel
from backoffice.models.notifications import REMINDER_DAYS
from backoffice.services.notifications import ALWAYS_IN_APP, notification_kinds_configurable

DAYS = [(day, str(day)) for day in range(REMINDER_DAYS[0], REMINDER_DAYS[1] + 1)]


class NotificationSettingsForm(forms.Form):
    """«Уведомления»: the master e-mail switch, advertising, the reading-window reminders, and per kind and channel.

    The per-kind checkboxes are named `<kind>__<channel>`; SMS is offered only with a confirmed phone.
    """

    email_enabled = forms.BooleanField(
        label=_("E-mail уведомления"),
        required=False,
        help_text=_("Включает и отключает в целом все уведомления на e-mail, включая рекламную рассылку."),
    )
    advertising_consent = forms.BooleanField(label=_("Рекламная рассылка"), required=False)
    reading_start_reminder = forms.BooleanField(
        label=_("Уведомление о начале периода передачи показаний"), required=False
    )
    reading_start_days = forms.TypedChoiceField(label=_("за сколько дней"), choices=DAYS, coerce=int)
    reading_end_reminder = forms.BooleanField(
        label=_("Уведомление об окончании периода передачи показаний"), required=False
    )
    reading_end_days = forms.TypedChoiceField(label=_("за сколько дней"), choices=DAYS, coerce=int)

    def __init__(self, *args, preferences, sms_available: bool, **kwargs):
        self.sms_available = sms_available
        self.preferences = preferences
        self.channels = [Channel.IN_APP, Channel.EMAIL] + ([Channel.SMS] if sms_available else [])
        initial = {
            "email_enabled": preferences.email_enabled,
            "reading_start_reminder": preferences.reading_start_reminder,
            "reading_start_days": preferences.reading_start_days,
            "reading_end_reminder": preferences.reading_end_reminder,
            "reading_end_days": preferences.reading_end_days,
            **kwargs.pop("initial", {}),
        }
        self.kinds = notification_kinds_configurable()
        for kind, _label in self.kinds:
            for channel in self.channels:
                initial[f"{kind}__{channel}"] = preferences.wants(kind, channel)
        super().__init__(*args, initial=initial, **kwargs)
        for kind, label in self.kinds:
            for channel in self.channels:
                field = forms.BooleanField(label=f"{label}: {Channel(channel).label}", required=False)
                if channel == Channel.IN_APP and kind in ALWAYS_IN_APP:
                    field.disabled = True
                    field.help_text = _("Сообщения компании всегда видны в личном кабинете.")
                self.fields[f"{kind}__{channel}"] = field

    def kind_rows(self) -> list[dict]:
        """The table of kinds × channels, for the template."""
        return [
            {
                "label": label,
                "cells": [
                    {"channel": Channel(channel).label, "field": self[f"{kind}__{channel}"]}
                    for channel in self.channels
                ],
            }
            for kind, label in self.kinds
        ]

    def channel_labels(self) -> list[str]:
        return [Channel(channel).label for channel in self.channels]

    def chosen_channels(self) -> dict[str, set[str]]:
        chosen = {}
        for kind, _label in self.kinds:
            chosen[kind] = {channel for channel in self.channels if self.cleaned_data.get(f"{kind}__{channel}")}
            if not self.sms_available and self.preferences.wants(kind, Channel.SMS):
                chosen[kind].add(Channel.SMS)  # kept for when the phone is confirmed again
        return chosen


class OwnerNotificationsForm(forms.Form):
    """«Уведомления о выставленных счетах и оплате»: «О счетах» and «Об оплате» for each contract and ЛС."""

    def __init__(self, *args, owners: list[tuple[str, object, object]], **kwargs):
        """`owners`: (key, the contract or account, its stored setting or None)."""
        super().__init__(*args, **kwargs)
        self.rows = []
        for key, owner, setting in owners:
            invoices = forms.BooleanField(
                label=_("О счетах"), required=False, initial=setting.invoices if setting else True
            )
            payments = forms.BooleanField(
                label=_("Об оплате"), required=False, initial=setting.payments if setting else True
            )
            self.fields[f"{key}__invoices"], self.fields[f"{key}__payments"] = invoices, payments
            self.rows.append({"key": key, "owner": owner, "is_contract": key.startswith("contract")})

    @property
    def has_accounts(self) -> bool:
        return any(not row["is_contract"] for row in self.rows)

    def table(self) -> list[dict]:
        return [
            {**row, "invoices": self[f"{row['key']}__invoices"], "payments": self[f"{row['key']}__payments"]}
            for row in self.rows
        ]

    def choices(self) -> list[tuple]:
        """(account, contract, invoices, payments) for owner_notification_settings_update."""
        result = []
        for row in self.rows:
            owner = row["owner"]
            is_contract = row["is_contract"]
            result.append(
                (
                    None if is_contract else owner,
                    owner if is_contract else None,
                    self.cleaned_data[f"{row['key']}__invoices"],
                    self.cleaned_data[f"{row['key']}__payments"],
                )
            )
        return result
