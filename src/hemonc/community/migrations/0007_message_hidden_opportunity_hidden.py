from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('community', '0006_held_for_review'),
    ]

    operations = [
        migrations.AddField(
            model_name='message',
            name='hidden',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='opportunity',
            name='hidden',
            field=models.BooleanField(default=False),
        ),
    ]
