"""Exchange screens; the lead mounts them in the Wagtail admin (`register_admin_urls`) as namespace «exchange»."""

from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("", views.index, name="index"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/status/", views.job_status, name="job_status"),
    path("jobs/<int:pk>/confirm/", views.job_confirm, name="job_confirm"),
    path("jobs/<int:pk>/errors.csv", views.job_errors, name="job_errors"),
    path("export/<slug:resource>.<str:fmt>", views.export, name="export"),
    path("template/<slug:resource>.xlsx", views.template, name="template"),
]
