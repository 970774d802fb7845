from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_verbose_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="is_held",
            field=models.BooleanField(default=False),
        ),
    ]
