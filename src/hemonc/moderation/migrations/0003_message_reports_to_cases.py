"""The community's own message reports become moderation reports, gathered in a case per
message (a resolved one in a closed case: no action recorded), before the model goes."""

from django.db import migrations

# What the report's free text said goes to its note; the reason is "something else".
OTHER = "other"


def forward(apps, schema_editor):
    MessageReport = apps.get_model("community", "MessageReport")
    Case = apps.get_model("moderation", "Case")
    Report = apps.get_model("moderation", "Report")
    rows = MessageReport.objects.filter(reporter__isnull=False).select_related("message")
    for row in rows.order_by("created_at", "id"):
        message = row.message
        item_id = str(message.pk)
        if Report.objects.filter(
            reporter_id=row.reporter_id, item_type="community.message", item_id=item_id
        ).exists():
            continue
        resolved = row.resolved_at is not None
        case = (
            Case.objects.filter(item_type="community.message", item_id=item_id)
            .filter(status="closed" if resolved else "open")
            .first()
        )
        if case is None:
            case = Case.objects.create(
                item_type="community.message",
                item_id=item_id,
                author_id=message.sender_id,
                status="closed" if resolved else "open",
                outcome="dismissed" if resolved else "",
                decided_at=row.resolved_at,
            )
            Case.objects.filter(pk=case.pk).update(created_at=row.created_at)
        Report.objects.create(
            case=case,
            reporter_id=row.reporter_id,
            item_type="community.message",
            item_id=item_id,
            reason=OTHER,
            note=(row.reason or "")[:1000],
            created_at=row.created_at,
        )


class Migration(migrations.Migration):

    dependencies = [
        ("moderation", "0002_vouch_and_rejected"),
        ("community", "0007_message_hidden_opportunity_hidden"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
