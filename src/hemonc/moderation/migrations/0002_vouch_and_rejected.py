# Vouches for members, and posts not published after review.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="outcome",
            field=models.CharField(
                blank=True,
                choices=[
                    ("dismissed", "No action needed"),
                    ("hidden", "Hidden"),
                    ("redacted", "Patient data edited out"),
                    ("warned", "Author warned"),
                    ("suspended", "Author suspended"),
                    ("banned", "Author banned"),
                    ("rejected", "Not published after review"),
                ],
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="decision",
            name="outcome",
            field=models.CharField(
                choices=[
                    ("dismissed", "No action needed"),
                    ("hidden", "Hidden"),
                    ("redacted", "Patient data edited out"),
                    ("warned", "Author warned"),
                    ("suspended", "Author suspended"),
                    ("banned", "Author banned"),
                    ("rejected", "Not published after review"),
                ],
                max_length=10,
            ),
        ),
        migrations.CreateModel(
            name="Vouch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="vouch",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "vouched_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "vouches",
            },
        ),
    ]
