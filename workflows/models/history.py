"""The history of every workflow: one `TransitionLog` row per step (who, when, from, to, comment)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TransitionLog(models.Model):
    """One step of any workflow; never edited."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    transition = models.CharField(_("действие"), max_length=64)
    source = models.CharField(_("было"), max_length=32)
    target = models.CharField(_("стало"), max_length=32)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кто"),
    )
    at = models.DateTimeField(_("когда"), default=timezone.now)
    comment = models.TextField(_("комментарий"), blank=True)

    class Meta:
        verbose_name = _("шаг процесса")
        verbose_name_plural = _("история процессов")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self):
        return f"{self.source} → {self.target} ({self.at:%d.%m.%Y %H:%M})"
