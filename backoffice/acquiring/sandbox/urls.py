"""The sandbox bank's pages, mounted by cms/urls.py under /sandbox-acquirer/ when the sandbox is the acquirer."""

from django.urls import path

from . import views

app_name = "sandbox_acquirer"

urlpatterns = [
    path("pay/<str:order_id>/", views.pay, name="pay"),
    path("acs/<str:order_id>/", views.acs, name="acs"),
]
