from django.db import migrations

from programmes.domains import DEFAULT_DOMAINS


def create_domains(apps, schema_editor):
    LearningDomain = apps.get_model("programmes", "LearningDomain")
    for slug, name_fr, name_en in DEFAULT_DOMAINS:
        LearningDomain.objects.update_or_create(
            slug=slug, defaults={"name_fr": name_fr, "name_en": name_en, "is_default": True}
        )


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]
    operations = [migrations.RunPython(create_domains, migrations.RunPython.noop)]
