"""Import jobs: a file from staff or an external billing system, validated whole, then stored whole."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..storage import private_storage


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("В очереди")
        RUNNING = "running", _("Выполняется")
        FAILED = "failed", _("Ошибки в файле")
        PREVIEWED = "previewed", _("Проверен")
        DONE = "done", _("Загружен")
        CRASHED = "crashed", _("Сбой")

    resource = models.CharField(_("данные"), max_length=50)
    file = models.FileField(_("файл"), storage=private_storage, upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("имя файла"), max_length=255)
    dry_run = models.BooleanField(_("только проверить"), default=False)
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(_("строк"), default=0)
    processed_rows = models.PositiveIntegerField(_("обработано"), default=0)
    created_rows = models.PositiveIntegerField(_("добавлено"), default=0)
    updated_rows = models.PositiveIntegerField(_("обновлено"), default=0)
    errors = models.JSONField(_("ошибки"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("загрузил"),
    )
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    finished_at = models.DateTimeField(_("завершён"), null=True, blank=True)

    class Meta:
        verbose_name = _("загрузка данных")
        verbose_name_plural = _("загрузки данных")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return 100 if not self.total_rows else min(100, round(100 * self.processed_rows / self.total_rows))
