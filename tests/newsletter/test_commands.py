"""`hemonc newsletter stats|create|send|status` and scheduling."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from hemonc.core.permissions import OPERATOR
from hemonc.newsletter import selectors, services
from hemonc.newsletter.models import Issue
from tests.factories import make_member
from tests.newsletter.conftest import make_subscriber


def _run(*args: str) -> str:
    out = StringIO()
    call_command("newsletter", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_stats_json_has_exact_counts_and_unknowns() -> None:
    make_subscriber("a@example.org", stage="fellow", country="US", gender="male")
    make_subscriber("b@example.org", stage="resident", country="US")
    make_subscriber("c@example.org", country="NG", gender="female")
    make_subscriber("d@example.org", status="unsubscribed", country="FR")
    make_subscriber("e@example.org", status="pending")

    stats = json.loads(_run("stats", "--json"))

    assert stats == {
        "status": {"pending": 1, "subscribed": 3, "unsubscribed": 1, "bounced": 0, "complained": 0},
        "gender": {"unknown": 1, "female": 1, "male": 1},
        "stage": {"fellow": 1, "resident": 1, "unknown": 1},
        "country": {"US": 2, "NG": 1},
        "countries": 2,
    }


@pytest.mark.django_db
def test_create_with_segments_prints_the_id_and_sends_to_that_audience(
    tmp_path: Any, mailbox: Any
) -> None:
    member = make_member(display_name="Uma Rao")
    make_subscriber(member.email, stage="fellow", country="US", user=member)
    make_subscriber("fellow-not-member@example.org", stage="fellow", country="US")
    make_subscriber("resident@example.org", stage="resident", country="US", user=make_member())
    body = tmp_path / "issue.md"
    body.write_text("# Fellows' corner\n\nNews for fellows.", encoding="utf-8")

    issue_id = _run(
        "create", "--subject", "Fellows only", "--body-file", str(body),
        "--segment", "stage=fellow", "--segment", "country=us", "--segment", "members=true",
    ).strip()  # fmt: skip
    _run("send", issue_id, "--wait")

    assert Issue.objects.get(pk=int(issue_id)).segment == {
        "stage": "fellow", "country": "US", "members": "true",
    }  # fmt: skip
    assert [str(m["To"]) for m in mailbox.wait_for(1)] == [member.email]
    status = _run("status", issue_id)
    assert "status: sent" in status and "sent 1" in status


@pytest.mark.django_db
def test_create_refuses_an_unknown_segment(tmp_path: Any) -> None:
    body = tmp_path / "issue.md"
    body.write_text("News", encoding="utf-8")

    with pytest.raises(CommandError, match="Unknown segment 'planet'"):
        _run("create", "--subject", "S", "--body-file", str(body), "--segment", "planet=Mars")

    assert Issue.objects.count() == 0


@pytest.mark.django_db
def test_attended_segment_is_validated() -> None:
    with pytest.raises(services.DomainError, match="session's id"):
        selectors.segment_validate({"attended": "abc"})

    assert selectors.segment_validate({"attended": "12"}) == {"attended": "12"}


@pytest.mark.django_db
def test_scheduled_issue_waits_for_its_time_in_the_queue(
    dummy_tasks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    issue = services.issue_create(subject="Pre-ASCO", body="Soon.", actor=OPERATOR)
    when = timezone.now() + timedelta(days=2)

    with django_capture_on_commit_callbacks(execute=True):
        services.issue_schedule(issue=issue, actor=OPERATOR, when=when)

    [queued] = dummy_tasks.results
    assert queued.task.run_after == when
    assert queued.task.name == "start_issue_task"
    assert queued.status == "READY"  # waiting, not run
    issue.refresh_from_db()
    assert issue.status == "scheduled"


@pytest.mark.django_db
def test_attended_segment_reaches_the_members_who_checked_in() -> None:
    from hemonc.events.models import CheckIn, LiveSession

    came, stayed_away = make_member(display_name="Came"), make_member(display_name="Away")
    make_subscriber(came.email, user=came)
    make_subscriber(stayed_away.email, user=stayed_away)
    make_subscriber("not-a-member@example.org")
    session = LiveSession.objects.create(title="Pre-ASH special", starts_at=timezone.now())
    CheckIn.objects.create(session=session, user=came)

    audience = selectors.audience(segment={"attended": str(session.pk)})

    assert list(audience.values_list("email", flat=True)) == [came.email]
    with pytest.raises(services.DomainError, match="no such session"):
        list(selectors.audience(segment={"attended": str(session.pk + 1)}))


@pytest.mark.django_db
def test_stats_text_shows_each_group_s_share_of_the_subscribed() -> None:
    make_subscriber("a@example.org", stage="fellow", country="US", gender="female")
    make_subscriber("b@example.org", stage="resident", country="US", gender="female")
    make_subscriber("c@example.org", status="unsubscribed", stage="fellow")

    out = _run("stats")

    assert "Subscribers by status:" in out
    assert re.search(r"^  subscribed +2$", out, re.MULTILINE)
    assert re.search(r"^  fellow +1   50\.0%$", out, re.MULTILINE)
    assert re.search(r"^  US +2  100\.0%$", out, re.MULTILINE)
    assert out.rstrip().endswith("Countries: 1")


@pytest.mark.django_db
def test_create_refuses_an_unreadable_body_and_a_segment_without_a_value(tmp_path: Any) -> None:
    body = tmp_path / "issue.md"
    body.write_bytes(b"\xff\xfe not UTF-8 \xff")

    with pytest.raises(CommandError, match=r"issue\.md: cannot read it"):
        _run("create", "--subject", "S", "--body-file", str(body))
    with pytest.raises(CommandError, match=r"missing\.md: cannot read it"):
        _run("create", "--subject", "S", "--body-file", str(tmp_path / "missing.md"))
    body.write_text("News", encoding="utf-8")
    with pytest.raises(CommandError, match=r"--segment .stage.: write KEY=VALUE\."):
        _run("create", "--subject", "S", "--body-file", str(body), "--segment", "stage")

    assert Issue.objects.count() == 0


@pytest.mark.django_db
def test_send_and_status_of_an_unknown_issue_name_it() -> None:
    with pytest.raises(CommandError, match=r"There is no issue 4242\."):
        _run("status", "4242")
    with pytest.raises(CommandError, match=r"There is no issue 4242\."):
        _run("send", "4242")


@pytest.mark.django_db
def test_send_wait_on_a_sent_issue_reports_it_and_sends_nothing_more(
    tmp_path: Any, mailbox: Any
) -> None:
    make_subscriber("reader@example.org")
    body = tmp_path / "issue.md"
    body.write_text("News", encoding="utf-8")
    issue_id = _run("create", "--subject", "Monthly", "--body-file", str(body)).strip()
    _run("send", issue_id, "--wait")
    mailbox.wait_for(1)

    again = _run("send", issue_id, "--wait")

    assert "status: sent" in again and "sent 1" in again
    assert len(mailbox.messages) == 1
