"""Editors and moderators write mailings (F-H6); nobody in these groups sees who received them or any order.

Sales staff get the service orders from the staff groups (issue 10); until then an administrator grants
`workflows.view_serviceorder` / `change_serviceorder` to whoever works the queue.
"""

from django.db import migrations

ACTIONS = {"Editors": ("add", "change", "view"), "Moderators": ("add", "change", "delete", "view")}


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Permission = apps.get_model("auth.Permission")
    Group = apps.get_model("auth.Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="workflows", model="mailing")
    for group_name, actions in ACTIONS.items():
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue
        for action in actions:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=f"{action}_mailing", defaults={"name": f"Can {action} рассылка"}
            )
            group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0004_content_orders_mailings"),
        ("wagtailcore", "0098_apitoken"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
