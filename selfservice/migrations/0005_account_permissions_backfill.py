"""Existing account links get the guardian permission that the portal's selectors now read (selfservice/access.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def backfill(apps, schema_editor):
    AccountLink = apps.get_model("selfservice", "AccountLink")
    if not AccountLink.objects.exists():
        return
    create_permissions(apps.get_app_config("backoffice"), apps=apps, verbosity=0)
    Permission = apps.get_model("auth", "Permission")
    AccountPermission = apps.get_model("selfservice", "AccountPermission")
    view = Permission.objects.get(content_type__app_label="backoffice", codename="view_personalaccount")
    AccountPermission.objects.bulk_create(
        (
            AccountPermission(user_id=user_id, content_object_id=account_id, permission=view)
            for user_id, account_id in AccountLink.objects.values_list("user_id", "account_id").iterator()
        ),
        batch_size=5000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("selfservice", "0004_contract_roles")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
