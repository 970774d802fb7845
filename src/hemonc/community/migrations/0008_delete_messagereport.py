"""Message reports are moderation reports now: the rows moved (moderation 0002), the model goes."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('community', '0007_message_hidden_opportunity_hidden'),
        ('moderation', '0003_message_reports_to_cases'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='messagereport',
            name='community_message_report_once',
        ),
        migrations.DeleteModel(
            name='MessageReport',
        ),
    ]
