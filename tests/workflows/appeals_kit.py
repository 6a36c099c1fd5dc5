"""Builders shared by the appeal tests: the seed classifier, a clerk of the desk, files, a filed appeal."""

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import UserFactory
from workflows.models import AppealTopic
from workflows.services.appeals import appeal_classify, appeal_submit
from workflows.services.appeals_classifier import appeal_topics_seed

PDF = b"%PDF-1.4 signed contract"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def topics():
    """The classifier as every installation starts (the data migration's topics; a flush removes them)."""
    appeal_topics_seed()


def topic(code: str) -> AppealTopic:
    appeal_topics_seed()
    return AppealTopic.objects.get(code=code)


def pdf(name="скан.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name="screen.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def clerk(email="clerk@energosbyt.example", *, assign=True, **fields):
    user = UserFactory(email=email, is_staff=True, **fields)
    codenames = ["access_admin", "view_appeal", "work_appeal"] + (["assign_appeal"] if assign else [])
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return type(user).objects.get(pk=user.pk)  # a fresh instance: permissions are cached per object


def file_appeal(
    user, code="tech-support-other", *, contract=None, account=None, text="Не открывается раздел «Документы»", files=()
):
    """An appeal filed through the services, as the wizard files it (a topic without steps of its own)."""
    appeal = appeal_classify(user=user, topic=topic(code), contract=contract, account=account)
    return appeal_submit(appeal=appeal, user=user, text=text, files=files)
