"""Caches of what is the same for everyone are forgotten the moment their rows change."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Tariff
from .selectors import tariffs_cache_forget


@receiver([post_save, post_delete], sender=Tariff)
def tariff_changed(sender, instance, **kwargs):
    tariffs_cache_forget(group_ids=[instance.group_id])
