"""Editors and moderators manage «Вопрос - Ответ», and questions go through the same moderation as pages (F-H7).

Editors may add and change groups and questions and submit questions for moderation; moderators may also publish
and delete. Questions get the workflow of the root page (Wagtail's «Moderators approval»), so an editor's change
reaches customers only after a moderator approves it.

The publish, lock and unlock permissions are normally created by Wagtail after migrations; they are made here too,
so the groups can receive them now.
"""

from django.db import migrations

QUESTION = "faqquestion"
GROUP = "faqgroup"
NAMES = {QUESTION: "вопрос", GROUP: "группа вопросов"}
EDITOR_ACTIONS = {QUESTION: ("add", "change", "view", "lock", "unlock"), GROUP: ("add", "change", "view")}
MODERATOR_ACTIONS = {
    QUESTION: ("add", "change", "delete", "view", "publish", "lock", "unlock"),
    GROUP: ("add", "change", "delete", "view"),
}


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Permission = apps.get_model("auth.Permission")
    Group = apps.get_model("auth.Group")

    def permission(model, action):
        content_type, _ = ContentType.objects.get_or_create(app_label="faq", model=model)
        found, _ = Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_{model}",
            defaults={"name": f"Can {action} {NAMES[model]}"},
        )
        return found

    for group_name, actions in (("Editors", EDITOR_ACTIONS), ("Moderators", MODERATOR_ACTIONS)):
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue
        group.permissions.add(*[permission(model, action) for model, names in actions.items() for action in names])

    WorkflowPage = apps.get_model("wagtailcore.WorkflowPage")
    WorkflowContentType = apps.get_model("wagtailcore.WorkflowContentType")
    root_workflow = WorkflowPage.objects.filter(page__depth=1).select_related("workflow").first()
    if root_workflow is not None:
        content_type, _ = ContentType.objects.get_or_create(app_label="faq", model=QUESTION)
        WorkflowContentType.objects.get_or_create(
            content_type=content_type, defaults={"workflow": root_workflow.workflow}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("faq", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
