# New accounts' posts held for review (docs/moderation.md, "New accounts").

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0005_saved_opportunities_plural"),
    ]

    operations = [
        migrations.AddField(
            model_name="discussion",
            name="review_state",
            field=models.CharField(
                blank=True,
                choices=[
                    ("waiting", "Waiting for review"),
                    ("approved", "Approved"),
                    ("rejected", "Not approved"),
                ],
                default=None,
                max_length=8,
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="message",
            name="review_state",
            field=models.CharField(
                blank=True,
                choices=[
                    ("waiting", "Waiting for review"),
                    ("approved", "Approved"),
                    ("rejected", "Not approved"),
                ],
                default=None,
                max_length=8,
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="reply",
            name="review_state",
            field=models.CharField(
                blank=True,
                choices=[
                    ("waiting", "Waiting for review"),
                    ("approved", "Approved"),
                    ("rejected", "Not approved"),
                ],
                default=None,
                max_length=8,
                null=True,
            ),
        ),
        migrations.AddIndex(
            model_name="discussion",
            index=models.Index(
                condition=models.Q(("review_state", "waiting")),
                fields=["created_at"],
                name="community_discussion_waiting",
            ),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=models.Q(("review_state", "waiting")),
                fields=["created_at"],
                name="community_message_waiting",
            ),
        ),
        migrations.AddIndex(
            model_name="reply",
            index=models.Index(
                condition=models.Q(("review_state", "waiting")),
                fields=["created_at"],
                name="community_reply_waiting",
            ),
        ),
    ]
