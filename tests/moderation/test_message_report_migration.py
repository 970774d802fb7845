"""The community's own message reports (before moderation took messages) become moderation
reports gathered in a case per message; then their model goes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from hemonc.community.models import Conversation, Message, Participant
from hemonc.moderation.models import Case, CaseStatus, Outcome, Reason, Report
from tests.factories import make_member

BEFORE = [
    ("community", "0007_message_hidden_opportunity_hidden"),
    ("moderation", "0002_vouch_and_rejected"),
]


def _migrate(targets: list[tuple[str, str]] | None = None) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


@pytest.mark.django_db(transaction=True)
def test_message_reports_move_into_cases() -> None:
    try:
        executor = _migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        MessageReport = old.get_model("community", "MessageReport")
        ana, ben, cleo = (make_member(display_name=name) for name in ("Ana", "Ben", "Cleo"))
        conversation = Conversation.objects.create(created_by=ana)
        for user in (ana, ben, cleo):
            Participant.objects.create(conversation=conversation, user=user)
        rude = Message.objects.create(conversation=conversation, sender=ana, body="Rude")
        old_one = Message.objects.create(conversation=conversation, sender=ana, body="Old")
        MessageReport.objects.create(message_id=rude.pk, reporter_id=ben.pk, reason="=1+1 <b>")
        MessageReport.objects.create(message_id=rude.pk, reporter_id=cleo.pk, reason="")
        MessageReport.objects.create(message_id=rude.pk, reporter_id=None, reason="gone")
        resolved = MessageReport.objects.create(message_id=old_one.pk, reporter_id=ben.pk)
        MessageReport.objects.filter(pk=resolved.pk).update(resolved_at=resolved.created_at)
    finally:
        _migrate()

    open_case = Case.objects.get(item_type="community.message", item_id=str(rude.pk))
    assert open_case.status == CaseStatus.OPEN and open_case.author_id == ana.pk
    reports = list(open_case.reports.order_by("id"))
    assert [(r.reporter_id, r.reason, r.note) for r in reports] == [
        (ben.pk, Reason.OTHER, "=1+1 <b>"),
        (cleo.pk, Reason.OTHER, ""),
    ]
    closed = Case.objects.get(item_type="community.message", item_id=str(old_one.pk))
    assert closed.status == CaseStatus.CLOSED and closed.outcome == Outcome.DISMISSED
    assert Report.objects.count() == 3
    assert "messagereport" not in {
        m._meta.model_name for m in Conversation._meta.app_config.get_models()
    }
