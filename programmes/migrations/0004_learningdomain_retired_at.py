from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('programmes', '0003_concern_contacts'),
    ]

    operations = [
        migrations.AddField(
            model_name='learningdomain',
            name='retired_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='retired on'),
        ),
    ]
