"""The first version of the consent text shown under the sign-up form."""

from django.db import migrations

CONSENT_V1 = (
    "I agree to receive the Hem-Onc Network newsletter by email, about once a month. "
    "What I tell about myself (training stage, specialty, country, institution, gender) is "
    "optional, seen only by the network's organizers, and used only to understand who reads "
    "the newsletter; it is never sold or shared. Every issue has a link to change my details "
    "or unsubscribe with one click. My consent is recorded with its time and IP address."
)


def create(apps, schema_editor):
    ConsentText = apps.get_model("newsletter", "ConsentText")
    ConsentText.objects.get_or_create(version=1, defaults={"text": CONSENT_V1})


class Migration(migrations.Migration):
    dependencies = [("newsletter", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
