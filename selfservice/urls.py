"""The portal's addresses: each feature's view module declares its own `urls`, collected here."""

from django.urls import path

from . import views
from .views import (
    account_details,
    account_history,
    accounts,
    appeals,
    cards,
    contracts,
    documents,
    help,
    history,
    news,
    notification_settings,
    notifications,
    orders,
    password,
    payments,
    profile,
    readings,
    recovery,
    registration,
    services,
    sessions,
    signin,
)

app_name = "selfservice"

urlpatterns = [
    path("", views.home, name="home"),
    *signin.urls,
    *recovery.urls,
    *password.urls,
    *registration.urls,
    *profile.urls,
    *sessions.urls,
    *accounts.urls,
    *contracts.urls,
    *documents.urls,
    *news.urls,
    *services.urls,
    *orders.urls,
    *notifications.urls,
    *notification_settings.urls,
    *help.urls,
    *readings.urls,
    *payments.urls,
    *history.urls,
    *account_history.urls,
    *account_details.urls,
    *cards.urls,
    *appeals.urls,
]
