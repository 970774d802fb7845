from django.db import migrations, models
from django.db.models import F


def members_already_here_were_welcomed(apps, schema_editor):
    """Members who joined before the welcome existed are not sent to it on their next sign-in."""
    Profile = apps.get_model("members", "Profile")
    Profile.objects.filter(welcomed_at__isnull=True).update(welcomed_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("members", "0004_search_vector")]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="welcomed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(members_already_here_were_welcomed, migrations.RunPython.noop),
    ]
