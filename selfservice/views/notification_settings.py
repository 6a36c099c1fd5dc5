"""«Профиль» → «Уведомления» (F-H3; seed 001 §13.1.5, seed 000 §3.1.3): what reaches the user, and how.

Two blocks, saved separately: «Уведомления о выставленных счетах и оплате» — «О счетах» and «Об оплате» for each
contract and ЛС of the cabinet — and «Уведомления»: «E-mail уведомления» (every e-mail at once), «Рекламная
рассылка», the reminders before the reading window opens and closes (1–15 days), and the channels of each kind.
Delivery reads these choices in backoffice.services.notifications, the one place that applies them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from backoffice.services.notifications import (
    notification_settings_update,
    owner_notification_settings_for,
    owner_notification_settings_update,
    preferences_for,
)

from ..forms.notifications import NotificationSettingsForm, OwnerNotificationsForm
from ..selectors import accounts_for, contracts_for
from ..services.profile import contact_settings_update
from .profile import profile_tabs

URL_NAME = "selfservice:notification_settings"


def _owners(user) -> list[tuple[str, object, object]]:
    stored = owner_notification_settings_for(user=user)
    owners = [("contract", contract) for contract in contracts_for(user=user)]
    owners += [("account", account) for account in accounts_for(user=user)]
    return [(f"{kind}-{owner.pk}", owner, stored.get((kind, owner.pk))) for kind, owner in owners]


@login_required
@never_cache
def notification_settings(request):
    user = request.user
    preferences = preferences_for(user=user)
    sms_available = bool(user.phone and user.phone_confirmed)
    posted = request.POST if request.method == "POST" else None
    block = request.POST.get("block") if posted else None
    settings_form = NotificationSettingsForm(
        posted if block == "settings" else None,
        preferences=preferences,
        sms_available=sms_available,
        initial={"advertising_consent": user.advertising_consent},
    )
    owners_form = OwnerNotificationsForm(posted if block == "owners" else None, owners=_owners(user))
    if block == "settings" and settings_form.is_valid():
        data = settings_form.cleaned_data
        with transaction.atomic():
            notification_settings_update(
                user=user,
                email_enabled=data["email_enabled"],
                channels=settings_form.chosen_channels(),
                reading_start_reminder=data["reading_start_reminder"],
                reading_start_days=data["reading_start_days"],
                reading_end_reminder=data["reading_end_reminder"],
                reading_end_days=data["reading_end_days"],
            )
            contact_settings_update(user=user, advertising_consent=data["advertising_consent"])
        messages.success(request, _("Настройки уведомлений сохранены"))
        return redirect(URL_NAME)
    if block == "owners" and owners_form.is_valid():
        owner_notification_settings_update(user=user, choices=owners_form.choices())
        messages.success(request, _("Настройки уведомлений сохранены"))
        return redirect(URL_NAME)
    return render(
        request,
        "selfservice/profile/notifications.html",
        {
            "tabs": profile_tabs(URL_NAME),
            "form": settings_form,
            "owners_form": owners_form,
            "sms_available": sms_available,
        },
    )


urls = [path("profile/notifications/", notification_settings, name="notification_settings")]
