"""The acquirers' notification addresses, mounted by cms/urls.py under /acquiring/."""

from django.urls import path

from . import views

app_name = "acquiring"

urlpatterns = [path("callback/<slug:provider>/", views.callback, name="callback")]
