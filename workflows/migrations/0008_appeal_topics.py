"""The classifier every installation starts with (F-G1): «Техническая поддержка», «ЛКК ЮЛ» → «Права доступа»,
«Расчёты и оплата», «Заключение договора энергоснабжения», «Прибор учета» → «Контрольная проверка прибора учета»
and «Заказ услуги». Staff edit it afterwards in «Обращения» → «Классификатор»; running again adds only what is
missing.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from workflows.services.appeals_classifier import appeal_topics_seed

    appeal_topics_seed(apps.get_model("workflows", "AppealTopic"))


class Migration(migrations.Migration):
    dependencies = [("workflows", "0007_appeals")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
