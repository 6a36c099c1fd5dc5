"""The five staff groups of the back office (issue 10): support, billing operator, sales manager, content editor,
administrator; docs/staff-groups.md says who each is for and what it sees.

The mapping is a frozen copy of `workflows.staff_groups.STAFF_GROUPS` as it stood when this migration was written,
not an import of it: a migration must give the same result whenever it runs, and the live mapping will change with
the screens. To change a group, edit `workflows/staff_groups.py` and add a migration with the new copy;
tests/workflows/test_staff_groups.py compares the groups in the database with the live mapping, so the two cannot
drift apart unnoticed.

Forward creates or updates each group to exactly this copy (run it twice and nothing changes); backward deletes the
five groups (their page and collection permissions go with them).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "Поддержка": {
        "permissions": [
            "backoffice.view_acquiringorder",
            "backoffice.view_balance",
            "backoffice.view_branch",
            "backoffice.view_contract",
            "backoffice.view_contractattachment",
            "backoffice.view_contractemail",
            "backoffice.view_curator",
            "backoffice.view_customer",
            "backoffice.view_customergroup",
            "backoffice.view_document",
            "backoffice.view_energyobject",
            "backoffice.view_meter",
            "backoffice.view_meteringpoint",
            "backoffice.view_payment",
            "backoffice.view_personalaccount",
            "backoffice.view_reading",
            "backoffice.view_tariff",
            "selfservice.assist_customer",
            "selfservice.view_contractrole",
            "wagtailadmin.access_admin",
            "workflows.assign_appeal",
            "workflows.change_activationrequest",
            "workflows.view_activationrequest",
            "workflows.view_appeal",
            "workflows.view_appealtopic",
            "workflows.work_appeal",
        ],
        "pages": [],
        "collections": [],
    },
    "Оператор расчётов": {
        "permissions": [
            "backoffice.add_billingrun",
            "backoffice.add_document",
            "backoffice.add_importjob",
            "backoffice.add_payment",
            "backoffice.add_reading",
            "backoffice.add_tariff",
            "backoffice.change_billingsettings",
            "backoffice.change_document",
            "backoffice.change_payment",
            "backoffice.change_reading",
            "backoffice.change_supplierrequisites",
            "backoffice.change_tariff",
            "backoffice.delete_reading",
            "backoffice.view_acquirercallback",
            "backoffice.view_acquiringorder",
            "backoffice.view_balance",
            "backoffice.view_billingrun",
            "backoffice.view_branch",
            "backoffice.view_contract",
            "backoffice.view_curator",
            "backoffice.view_customer",
            "backoffice.view_customergroup",
            "backoffice.view_document",
            "backoffice.view_energyobject",
            "backoffice.view_importjob",
            "backoffice.view_meter",
            "backoffice.view_meteringpoint",
            "backoffice.view_payment",
            "backoffice.view_personalaccount",
            "backoffice.view_reading",
            "backoffice.view_tariff",
            "wagtailadmin.access_admin",
            "workflows.decide_intervalact",
            "workflows.view_intervalact",
        ],
        "pages": [],
        "collections": [],
    },
    "Менеджер по продажам": {
        "permissions": [
            "backoffice.add_contract",
            "backoffice.add_contractattachment",
            "backoffice.add_contractemail",
            "backoffice.add_customer",
            "backoffice.add_energyobject",
            "backoffice.change_contract",
            "backoffice.change_contractattachment",
            "backoffice.change_contractemail",
            "backoffice.change_customer",
            "backoffice.change_energyobject",
            "backoffice.delete_contractattachment",
            "backoffice.delete_contractemail",
            "backoffice.view_auditentry",
            "backoffice.view_balance",
            "backoffice.view_branch",
            "backoffice.view_contract",
            "backoffice.view_contractattachment",
            "backoffice.view_contractemail",
            "backoffice.view_curator",
            "backoffice.view_customer",
            "backoffice.view_customergroup",
            "backoffice.view_document",
            "backoffice.view_energyobject",
            "backoffice.view_meter",
            "backoffice.view_meteringpoint",
            "backoffice.view_personalaccount",
            "selfservice.view_contractrole",
            "wagtailadmin.access_admin",
            "workflows.change_serviceorder",
            "workflows.decide_administratorrequest",
            "workflows.view_administratorrequest",
            "workflows.view_serviceorder",
        ],
        "pages": [],
        "collections": [],
    },
    "Редактор контента": {
        "permissions": [
            "faq.add_faqgroup",
            "faq.add_faqquestion",
            "faq.change_faqgroup",
            "faq.change_faqquestion",
            "faq.lock_faqquestion",
            "faq.unlock_faqquestion",
            "faq.view_faqgroup",
            "faq.view_faqquestion",
            "wagtailadmin.access_admin",
            "workflows.add_mailing",
            "workflows.change_mailing",
            "workflows.view_mailing",
        ],
        "pages": [
            "add_page",
            "change_page",
            "lock_page",
            "unlock_page",
        ],
        "collections": [
            "wagtaildocs.add_document",
            "wagtaildocs.change_document",
            "wagtaildocs.choose_document",
            "wagtailimages.add_image",
            "wagtailimages.change_image",
            "wagtailimages.choose_image",
        ],
    },
    "Администратор системы": {
        "permissions": [
            "auth.add_group",
            "auth.change_group",
            "auth.delete_group",
            "auth.view_group",
            "backoffice.add_billingrun",
            "backoffice.add_branch",
            "backoffice.add_contract",
            "backoffice.add_contractattachment",
            "backoffice.add_contractemail",
            "backoffice.add_curator",
            "backoffice.add_customer",
            "backoffice.add_customergroup",
            "backoffice.add_document",
            "backoffice.add_energyobject",
            "backoffice.add_importjob",
            "backoffice.add_meter",
            "backoffice.add_meteringpoint",
            "backoffice.add_payment",
            "backoffice.add_personalaccount",
            "backoffice.add_reading",
            "backoffice.add_tariff",
            "backoffice.change_billingsettings",
            "backoffice.change_branch",
            "backoffice.change_contract",
            "backoffice.change_contractattachment",
            "backoffice.change_contractemail",
            "backoffice.change_curator",
            "backoffice.change_customer",
            "backoffice.change_customergroup",
            "backoffice.change_document",
            "backoffice.change_energyobject",
            "backoffice.change_meter",
            "backoffice.change_meteringpoint",
            "backoffice.change_payment",
            "backoffice.change_personalaccount",
            "backoffice.change_reading",
            "backoffice.change_supplierrequisites",
            "backoffice.change_tariff",
            "backoffice.delete_branch",
            "backoffice.delete_contract",
            "backoffice.delete_contractattachment",
            "backoffice.delete_contractemail",
            "backoffice.delete_curator",
            "backoffice.delete_customer",
            "backoffice.delete_customergroup",
            "backoffice.delete_energyobject",
            "backoffice.delete_meter",
            "backoffice.delete_personalaccount",
            "backoffice.delete_reading",
            "backoffice.delete_tariff",
            "backoffice.view_acquirercallback",
            "backoffice.view_acquiringorder",
            "backoffice.view_auditentry",
            "backoffice.view_balance",
            "backoffice.view_billingrun",
            "backoffice.view_branch",
            "backoffice.view_contract",
            "backoffice.view_contractattachment",
            "backoffice.view_contractemail",
            "backoffice.view_curator",
            "backoffice.view_customer",
            "backoffice.view_customergroup",
            "backoffice.view_document",
            "backoffice.view_energyobject",
            "backoffice.view_importjob",
            "backoffice.view_meter",
            "backoffice.view_meteringpoint",
            "backoffice.view_payment",
            "backoffice.view_personalaccount",
            "backoffice.view_reading",
            "backoffice.view_tariff",
            "cms.change_companysettings",
            "faq.add_faqgroup",
            "faq.add_faqquestion",
            "faq.change_faqgroup",
            "faq.change_faqquestion",
            "faq.delete_faqgroup",
            "faq.delete_faqquestion",
            "faq.lock_faqquestion",
            "faq.publish_faqquestion",
            "faq.unlock_faqquestion",
            "faq.view_faqgroup",
            "faq.view_faqquestion",
            "selfservice.add_user",
            "selfservice.assist_customer",
            "selfservice.change_user",
            "selfservice.delete_user",
            "selfservice.view_contractrole",
            "selfservice.view_user",
            "wagtailadmin.access_admin",
            "wagtailcore.add_site",
            "wagtailcore.add_task",
            "wagtailcore.add_workflow",
            "wagtailcore.change_site",
            "wagtailcore.change_task",
            "wagtailcore.change_workflow",
            "wagtailcore.delete_site",
            "wagtailcore.delete_task",
            "wagtailcore.delete_workflow",
            "wagtailcore.view_site",
            "wagtailcore.view_task",
            "wagtailcore.view_workflow",
            "wagtailredirects.add_redirect",
            "wagtailredirects.change_redirect",
            "wagtailredirects.delete_redirect",
            "wagtailredirects.view_redirect",
            "workflows.add_appealtopic",
            "workflows.add_mailing",
            "workflows.assign_appeal",
            "workflows.change_activationrequest",
            "workflows.change_appealsettings",
            "workflows.change_appealtopic",
            "workflows.change_mailing",
            "workflows.change_serviceorder",
            "workflows.decide_administratorrequest",
            "workflows.decide_intervalact",
            "workflows.delete_appealtopic",
            "workflows.view_activationrequest",
            "workflows.view_administratorrequest",
            "workflows.view_appeal",
            "workflows.view_appealtopic",
            "workflows.view_intervalact",
            "workflows.view_mailing",
            "workflows.view_serviceorder",
            "workflows.work_appeal",
        ],
        "pages": [
            "add_page",
            "bulk_delete_page",
            "change_page",
            "lock_page",
            "publish_page",
            "unlock_page",
        ],
        "collections": [
            "wagtailcore.add_collection",
            "wagtailcore.change_collection",
            "wagtailcore.delete_collection",
            "wagtaildocs.add_document",
            "wagtaildocs.change_document",
            "wagtaildocs.choose_document",
            "wagtaildocs.delete_document",
            "wagtailimages.add_image",
            "wagtailimages.change_image",
            "wagtailimages.choose_image",
            "wagtailimages.delete_image",
        ],
    },
}


def ensure_permissions(apps, alias: str):
    """Django creates permissions after all migrations; these groups need them now (a fresh database)."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, using=alias, verbosity=0)
        app_config.models_module = None


def permission(apps, label: str):
    """ "app_label.codename" → the Permission; a missing one stops the migration rather than a group losing it."""
    app_label, codename = label.split(".")
    found = apps.get_model("auth.Permission").objects.filter(content_type__app_label=app_label, codename=codename)
    if not found:
        raise LookupError(f"Permission {label} does not exist: its app's migrations must come first.")
    return found[0]


def create_groups(apps, schema_editor):
    ensure_permissions(apps, schema_editor.connection.alias)
    Group = apps.get_model("auth.Group")
    Page = apps.get_model("wagtailcore.Page")
    Collection = apps.get_model("wagtailcore.Collection")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")
    root_page = Page.objects.filter(depth=1).first()
    root_collection = Collection.objects.filter(depth=1).first()
    for name, rights in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([permission(apps, label) for label in rights["permissions"]])

        page_permissions = [permission(apps, f"wagtailcore.{codename}") for codename in rights["pages"]]
        GroupPagePermission.objects.filter(group=group).exclude(
            page=root_page, permission__in=page_permissions
        ).delete()
        for page_permission in page_permissions:
            GroupPagePermission.objects.get_or_create(group=group, page=root_page, permission=page_permission)

        collection_permissions = [permission(apps, label) for label in rights["collections"]]
        GroupCollectionPermission.objects.filter(group=group).exclude(
            collection=root_collection, permission__in=collection_permissions
        ).delete()
        for collection_permission in collection_permissions:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=collection_permission
            )


def delete_groups(apps, schema_editor):
    apps.get_model("auth.Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    # Every app whose permissions the groups hold, at the migration that made them.
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("backoffice", "0008_audit"),
        ("cms", "0004_content_pages"),
        ("faq", "0002_editors_and_moderation"),
        ("selfservice", "0005_account_permissions_backfill"),
        ("workflows", "0012_appeal_applicant"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
