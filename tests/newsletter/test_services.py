"""Each newsletter service as its callers use it: rows, audit rows, mail, refusals."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.core import signing
from django.utils import timezone

from hemonc.core.errors import DomainError, PermissionDenied
from hemonc.core.models import AuditEntry
from hemonc.core.permissions import OPERATOR
from hemonc.members.enums import Role
from hemonc.newsletter import selectors, services
from hemonc.newsletter.enums import ConsentSource, DeliveryStatus, IssueStatus, SubscriberStatus
from hemonc.newsletter.importers import Row
from hemonc.newsletter.models import Delivery, Issue, IssueLink, Subscriber
from tests.factories import make_member
from tests.newsletter.conftest import make_subscriber

pytestmark = pytest.mark.django_db

# A queue that runs tasks later (the immediate one cannot wait for a scheduled time).
DEFERRING_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}


def _actions() -> list[str]:
    return list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))


def _organizer() -> Any:
    return make_member(display_name="Olu Organizer", role=Role.ORGANIZER)


def _draft(**fields: Any) -> Issue:
    return services.issue_create(
        subject=fields.pop("subject", "October"), body="News.", actor=OPERATOR, **fields
    )


# ---------------------------------------------------------------------------------------------
# Subscribers


def test_subscriber_signup_mails_a_link_and_subscribes_nobody_yet(
    mailbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        token = services.subscriber_signup(
            email=" New@Example.org ",
            consent_text=selectors.consent_text_current(),
            ip="198.51.100.7",
            answers={"stage": "fellow"},
        )

    (message,) = mailbox.wait_for(1)
    assert message["To"] == "new@example.org"
    assert token in message.get_body(("plain",)).get_content()
    subscriber = Subscriber.objects.get()
    assert (subscriber.status, subscriber.stage) == (SubscriberStatus.PENDING, "")
    assert _actions() == ["newsletter.signup"]


def test_subscriber_confirm_subscribes_with_the_answers_given_at_signup() -> None:
    token = services.subscriber_signup(
        email="new@example.org",
        consent_text=selectors.consent_text_current(),
        ip=None,
        answers={"stage": "fellow", "name": "Rosa\nDiaz"},
    )

    subscriber = services.subscriber_confirm(token=token, ip="198.51.100.7")

    assert subscriber.status == SubscriberStatus.SUBSCRIBED
    assert (subscriber.stage, subscriber.name, subscriber.consent_ip) == (
        "fellow",
        "Rosa Diaz",
        "198.51.100.7",
    )
    with pytest.raises(DomainError, match="expired or is not valid"):
        services.subscriber_confirm(token=token, ip=None)  # a link works once


def test_subscriber_subscribe_member_uses_the_account_address_and_profile() -> None:
    member = make_member(display_name="Ana Lopez")

    subscriber = services.subscriber_subscribe_member(
        user=member, consent_text=selectors.consent_text_current(), ip=None
    )

    assert (subscriber.email, subscriber.user, subscriber.name) == (
        member.email,
        member,
        "Ana Lopez",
    )
    assert subscriber.consent_source == ConsentSource.PROFILE
    assert _actions()[-1] == "newsletter.subscribe_member"


def test_subscriber_update_preferences_audits_only_the_fields_that_changed() -> None:
    subscriber = make_subscriber("reader@example.org", stage="fellow", country="US")

    services.subscriber_update_preferences(
        subscriber=subscriber, stage="fellow", country="br", institution="Hospital\ndel Valle"
    )

    subscriber.refresh_from_db()
    assert (subscriber.country, subscriber.institution) == ("BR", "Hospital del Valle")
    entry = AuditEntry.objects.get(action="newsletter.preferences")
    assert entry.changes == {"fields": ["country", "institution"]}


def test_subscriber_update_preferences_refuses_an_unknown_field() -> None:
    subscriber = make_subscriber("reader@example.org")

    with pytest.raises(DomainError, match="Unknown fields: email"):
        services.subscriber_update_preferences(subscriber=subscriber, email="x@example.org")  # type: ignore[call-arg]


def test_subscriber_unsubscribe_leaves_a_bounce_a_bounce() -> None:
    reader = make_subscriber("reader@example.org")
    bounced = make_subscriber("gone@example.org", status=SubscriberStatus.BOUNCED)

    services.subscriber_unsubscribe(subscriber=reader, how="one-click")
    services.subscriber_unsubscribe(subscriber=bounced)

    reader.refresh_from_db()
    bounced.refresh_from_db()
    assert (reader.status, bounced.status) == (
        SubscriberStatus.UNSUBSCRIBED,
        SubscriberStatus.BOUNCED,
    )
    assert _actions() == ["newsletter.unsubscribe"]


def test_subscriber_mark_bounced_keeps_a_complaint() -> None:
    reader = make_subscriber("reader@example.org")
    complained = make_subscriber("spam@example.org", status=SubscriberStatus.COMPLAINED)

    services.subscriber_mark_bounced(subscriber=reader, reason="SMTP 550")
    services.subscriber_mark_bounced(subscriber=complained, reason="SMTP 550")

    assert dict(Subscriber.objects.values_list("email", "status")) == {
        "reader@example.org": SubscriberStatus.BOUNCED,
        "spam@example.org": SubscriberStatus.COMPLAINED,
    }


def test_subscriber_mark_complained_stops_all_mail() -> None:
    reader = make_subscriber("reader@example.org")
    issue = _draft()

    services.subscriber_mark_complained(subscriber=reader, reason="spam button")

    assert not selectors.issue_audience(issue=issue).exists()
    assert AuditEntry.objects.get(action="newsletter.complaint").changes["reason"] == (
        "spam button"
    )


def test_subscriber_record_provider_event_applies_each_kind_in_one_transaction() -> None:
    for email in ("a@example.org", "b@example.org", "c@example.org"):
        make_subscriber(email)

    assert services.subscriber_record_provider_event(email="A@example.org", event_type="bounced")
    assert services.subscriber_record_provider_event(email="b@example.org", event_type="complained")
    assert services.subscriber_record_provider_event(
        email="c@example.org", event_type="unsubscribed"
    )
    assert not services.subscriber_record_provider_event(email="c@example.org", event_type="opened")
    assert not services.subscriber_record_provider_event(
        email="nobody@example.org", event_type="bounced"
    )

    assert dict(Subscriber.objects.values_list("email", "status")) == {
        "a@example.org": SubscriberStatus.BOUNCED,
        "b@example.org": SubscriberStatus.COMPLAINED,
        "c@example.org": SubscriberStatus.UNSUBSCRIBED,
    }


def test_subscribers_import_creates_and_fills_blanks_only() -> None:
    make_subscriber("known@example.org", stage="resident")
    rows = [
        Row(
            file="list.csv",
            line=line,
            email=email,
            status=SubscriberStatus.SUBSCRIBED,
            consent_source=ConsentSource.IMPORT,
            consented_at=timezone.now(),
            stage="fellow",
            country="US",
        )
        for line, email in ((2, "new@example.org"), (3, "known@example.org"))
    ]

    summary = services.subscribers_import(rows=rows, actor=OPERATOR)

    assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 0)
    assert dict(Subscriber.objects.values_list("email", "stage")) == {
        "known@example.org": "resident",
        "new@example.org": "fellow",
    }
    entry = AuditEntry.objects.get(action="newsletter.import")
    assert entry.actor is None


def test_subscribers_import_changes_a_status_only_by_newer_news() -> None:
    now = timezone.now()
    make_subscriber("pending@example.org", status="pending", consented_at=None)
    make_subscriber("here@example.org", consented_at=now - timedelta(days=30))
    make_subscriber("complained@example.org", status="complained")
    make_subscriber("left-later@example.org", consented_at=now - timedelta(days=30))
    make_subscriber("back-since@example.org", consented_at=now - timedelta(days=1))

    def row(line: int, email: str, status: str, **fields: Any) -> Row:
        return Row(file="list.csv", line=line, email=email, status=SubscriberStatus(status),
                   consent_source=ConsentSource.IMPORT, **fields)  # fmt: skip

    summary = services.subscribers_import(
        rows=[
            row(2, "pending@example.org", "subscribed", consented_at=now - timedelta(days=3),
                consent_ip="192.0.2.7"),
            row(3, "here@example.org", "subscribed", consented_at=now - timedelta(days=90)),
            row(4, "complained@example.org", "unsubscribed", left_at=now),
            row(5, "left-later@example.org", "unsubscribed", left_at=now - timedelta(days=2)),
            row(6, "back-since@example.org", "unsubscribed", left_at=now - timedelta(days=2)),
        ],
        actor=OPERATOR,
    )  # fmt: skip

    assert dict(Subscriber.objects.values_list("email", "status")) == {
        "pending@example.org": "subscribed",
        "here@example.org": "subscribed",
        "complained@example.org": "complained",
        "left-later@example.org": "unsubscribed",
        "back-since@example.org": "subscribed",
    }
    confirmed = Subscriber.objects.get(email="pending@example.org")
    assert (confirmed.consent_ip, confirmed.consent_source) == ("192.0.2.7", "import")
    left = Subscriber.objects.get(email="left-later@example.org")
    assert left.status_changed_at == now - timedelta(days=2)
    assert (summary.updated, summary.unchanged) == (2, 3)


def test_subscribers_import_is_refused_to_a_member() -> None:
    with pytest.raises(PermissionDenied):
        services.subscribers_import(rows=[], actor=make_member())

    assert not AuditEntry.objects.filter(action="newsletter.import").exists()


# ---------------------------------------------------------------------------------------------
# Issues


def test_issue_create_keeps_subject_to_one_line_and_names_its_author() -> None:
    organizer = _organizer()

    issue = services.issue_create(subject="Pre-ASH\nnews", body="Hello.", actor=organizer)

    assert (issue.subject, issue.created_by, issue.status) == (
        "Pre-ASH news",
        organizer,
        IssueStatus.DRAFT,
    )
    assert AuditEntry.objects.get(action="newsletter.issue_create").actor == organizer


def test_issue_create_and_update_refuse_an_empty_body_and_unknown_fields() -> None:
    with pytest.raises(DomainError, match="needs a subject and a body"):
        services.issue_create(subject="Hi", body=" \n", actor=OPERATOR)
    issue = _draft()
    with pytest.raises(DomainError, match="needs a subject and a body"):
        services.issue_update(issue=issue, actor=OPERATOR, body="  ")
    with pytest.raises(DomainError, match="Unknown fields: status"):
        services.issue_update(issue=issue, actor=OPERATOR, **{"status": "sent"})  # type: ignore[typeddict-unknown-key]

    services.issue_update(issue=issue, actor=OPERATOR, body="New body")
    issue.refresh_from_db()
    assert (Issue.objects.count(), issue.status, issue.body) == (1, "draft", "New body")


def test_issue_create_is_refused_to_a_member() -> None:
    with pytest.raises(PermissionDenied):
        services.issue_create(subject="Hi", body="Hello.", actor=make_member())

    assert not Issue.objects.exists()


def test_issue_update_changes_a_draft_and_audits_the_changed_fields() -> None:
    organizer = _organizer()
    issue = _draft(preheader="Five sessions")

    services.issue_update(
        issue=issue,
        actor=organizer,
        subject="November\tnews",
        preheader="Five sessions",
        segment={"stage": "fellow"},
    )

    issue.refresh_from_db()
    assert (issue.subject, issue.segment) == ("November news", {"stage": "fellow"})
    entry = AuditEntry.objects.get(action="newsletter.issue_update")
    assert (entry.actor, entry.changes) == (organizer, {"fields": ["segment", "subject"]})


def test_issue_update_refuses_a_sent_issue_an_empty_subject_and_a_member() -> None:
    issue = _draft()

    with pytest.raises(PermissionDenied):
        services.issue_update(issue=issue, actor=make_member(), subject="Mine")
    with pytest.raises(DomainError, match="needs a subject"):
        services.issue_update(issue=issue, actor=OPERATOR, subject=" \n")
    with pytest.raises(DomainError, match="Unknown segment"):
        services.issue_update(issue=issue, actor=OPERATOR, segment={"planet": "mars"})
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.SENT)
    issue.refresh_from_db()
    with pytest.raises(DomainError, match="Only a draft"):
        services.issue_update(issue=issue, actor=OPERATOR, subject="Later")

    issue.refresh_from_db()
    assert issue.subject == "October"


def test_issue_send_test_mails_the_organizer_alone(
    mailbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_subscriber("reader@example.org")
    issue = _draft()

    with django_capture_on_commit_callbacks(execute=True):
        services.issue_send_test(issue=issue, actor=_organizer(), to="olu@example.org")

    (message,) = mailbox.wait_for(1)
    assert (message["To"], message["Subject"]) == ("olu@example.org", "[Test] October")
    assert not Delivery.objects.exists()
    with pytest.raises(PermissionDenied):
        services.issue_send_test(issue=issue, actor=make_member(), to="me@example.org")


def test_issue_schedule_needs_a_clean_or_attested_text_and_a_future_time(settings: Any) -> None:
    settings.TASKS = DEFERRING_TASKS
    issue = _draft()
    later = timezone.now() + timedelta(days=1)

    Issue.objects.filter(pk=issue.pk).update(body="MRN 00123456 was seen.")
    issue.refresh_from_db()
    with pytest.raises(DomainError, match="may identify a patient"):
        services.issue_schedule(issue=issue, actor=OPERATOR, when=later)
    issue = services.issue_update(issue=issue, actor=OPERATOR, body="News.")
    with pytest.raises(DomainError, match="in the future"):
        services.issue_schedule(
            issue=issue, actor=OPERATOR, when=timezone.now() - timedelta(minutes=1)
        )
    with pytest.raises(PermissionDenied):
        services.issue_schedule(issue=issue, actor=make_member(), when=later)
    services.issue_schedule(issue=issue, actor=OPERATOR, when=later)

    issue.refresh_from_db()
    assert (issue.status, issue.scheduled_for) == (IssueStatus.SCHEDULED, later)


def test_issue_unschedule_puts_the_issue_back_to_draft(settings: Any) -> None:
    settings.TASKS = DEFERRING_TASKS
    issue = _draft()
    later = timezone.now() + timedelta(days=1)
    services.issue_schedule(issue=issue, actor=OPERATOR, when=later)

    services.issue_unschedule(issue=issue, actor=OPERATOR)

    issue.refresh_from_db()
    assert (issue.status, issue.scheduled_for) == (IssueStatus.DRAFT, None)
    with pytest.raises(DomainError, match="not scheduled"):
        services.issue_unschedule(issue=issue, actor=OPERATOR)


def test_issue_send_now_fills_the_outbox_for_the_audience() -> None:
    organizer = _organizer()
    make_subscriber("reader@example.org")
    make_subscriber("gone@example.org", status=SubscriberStatus.UNSUBSCRIBED)
    issue = _draft()

    issue = services.issue_send_now(issue=issue, actor=organizer)

    assert (issue.status, issue.phi_attested_by) == (IssueStatus.SENDING, None)
    assert list(issue.deliveries.values_list("subscriber__email", flat=True)) == [
        "reader@example.org"
    ]
    assert _actions()[-1] == "newsletter.issue_send"


def test_issue_send_now_is_refused_to_a_member() -> None:
    make_subscriber("reader@example.org")
    issue = _draft()

    with pytest.raises(PermissionDenied):
        services.issue_send_now(issue=issue, actor=make_member())

    issue.refresh_from_db()
    assert (issue.status, Delivery.objects.count()) == (IssueStatus.DRAFT, 0)


def test_issue_start_sending_needs_a_clean_or_attested_issue_and_records_its_links() -> None:
    make_subscriber("reader@example.org")
    issue = services.issue_create(
        subject="Links",
        body="Read [the abstract](https://example.org/abstract) for pt J.D.",
        actor=OPERATOR,
        count_engagement=True,
        phi_attested=True,
    )
    Issue.objects.filter(pk=issue.pk).update(phi_attested_at=None)

    with pytest.raises(DomainError, match="may identify a patient"):
        services.issue_start_sending(issue=issue, actor=OPERATOR)
    Issue.objects.filter(pk=issue.pk).update(phi_attested_at=timezone.now())
    issue = services.issue_start_sending(issue=issue, actor=OPERATOR)

    assert issue.status == IssueStatus.SENDING
    assert list(IssueLink.objects.values_list("url", flat=True)) == ["https://example.org/abstract"]
    assert Delivery.objects.get().status == DeliveryStatus.PENDING


def test_issue_engagement_open_counts_only_where_the_issue_counts_engagement() -> None:
    counted = _draft(count_engagement=True)
    private = _draft()

    services.issue_engagement_open(issue_id=counted.pk)
    services.issue_engagement_open(issue_id=private.pk)

    assert dict(Issue.objects.values_list("pk", "opens")) == {counted.pk: 1, private.pk: 0}


def test_issue_engagement_click_counts_and_answers_the_link() -> None:
    issue = _draft(count_engagement=True)
    IssueLink.objects.create(issue=issue, position=1, url="https://example.org/a")

    assert services.issue_engagement_click(issue_id=issue.pk, position=1) == (
        "https://example.org/a"
    )
    assert services.issue_engagement_click(issue_id=issue.pk, position=2) is None
    assert IssueLink.objects.get().clicks == 1


def test_issue_finish_if_done_marks_sent_once_no_delivery_waits() -> None:
    reader = make_subscriber("reader@example.org")
    issue = services.issue_send_now(issue=_draft(), actor=OPERATOR)

    assert services.issue_finish_if_done(issue=issue) is False
    Delivery.objects.filter(subscriber=reader).update(status=DeliveryStatus.SENT)
    assert services.issue_finish_if_done(issue=issue) is True

    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT and issue.finished_at is not None
    assert _actions()[-1] == "newsletter.issue_sent"


# ---------------------------------------------------------------------------------------------
# The outbox


def test_outbox_claim_leases_a_delivery_to_one_sender_only() -> None:
    make_subscriber("reader@example.org")
    issue = services.issue_send_now(issue=_draft(), actor=OPERATOR)

    first = services.outbox_claim(issue=issue, owner="sender-a", limit=10)
    second = services.outbox_claim(issue=issue, owner="sender-b", limit=10)

    assert [claimed[3] for claimed in first] == ["reader@example.org"]
    assert second == []
    assert Delivery.objects.get().lease_owner == "sender-a"


def test_outbox_send_sends_to_subscribers_and_skips_who_left_since(mailbox: Any) -> None:
    make_subscriber("reader@example.org")
    leaver = make_subscriber("leaver@example.org")
    issue = services.issue_send_now(issue=_draft(), actor=OPERATOR)
    services.subscriber_unsubscribe(subscriber=leaver)

    run = services.outbox_send(issue=issue)

    (message,) = mailbox.wait_for(1)
    assert message["To"] == "reader@example.org"
    assert (run.sent, run.skipped, run.done) == (1, 1, True)
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT


def test_outbox_send_fails_an_address_the_server_cannot_take_and_sends_the_rest(
    mailbox: Any,
) -> None:
    make_subscriber("zoë@example.org")
    make_subscriber("reader@example.org")
    issue = services.issue_send_now(issue=_draft(), actor=OPERATOR)

    run = services.outbox_send(issue=issue)

    assert (run.sent, run.failed) == (1, 1)
    assert [str(m["To"]) for m in mailbox.wait_for(1)] == ["reader@example.org"]
    failed = Delivery.objects.get(subscriber__email="zoë@example.org")
    assert (failed.status, failed.last_error) == ("failed", "The address needs SMTPUTF8.")


def test_outbox_send_stops_at_max_messages_and_keeps_to_the_rate_limit(
    mailbox: Any, settings: Any
) -> None:
    settings.NEWSLETTER_RATE_LIMIT = 20  # one message every 50 ms
    for number in range(4):
        make_subscriber(f"reader{number}@example.org")
    issue = services.issue_send_now(issue=_draft(), actor=OPERATOR)

    started = time.monotonic()
    first = services.outbox_send(issue=issue, max_messages=3)
    elapsed = time.monotonic() - started
    rest = services.outbox_send(issue=issue)

    assert (first.sent, first.done, rest.sent, rest.done) == (3, False, 1, True)
    assert elapsed >= 0.1  # three messages at 20 a second
    assert len(mailbox.wait_for(4)) == 4


def test_subscriber_confirm_reads_a_link_signed_before_links_were_tokens() -> None:
    subscriber = make_subscriber("old@example.org", status="pending", consented_at=None)
    version = selectors.consent_text_current().version

    def token(value: Any) -> str:
        return signing.dumps(value, salt=services.CONFIRM_SALT)

    for bad in (token(["not", "a", "dict"]), token({"s": subscriber.pk, "v": 999}), "x:forged"):
        with pytest.raises(DomainError, match="expired or is not valid"):
            services.subscriber_confirm(token=bad, ip=None)
    confirmed = services.subscriber_confirm(
        token=token(
            {"s": subscriber.pk, "v": version, "a": {"stage": "fellow"}, "ip": "192.0.2.1"}
        ),
        ip=None,
    )

    assert (confirmed.status, confirmed.stage, confirmed.consent_ip) == (
        "subscribed",
        "fellow",
        "192.0.2.1",
    )


def test_subscribers_import_links_an_address_to_its_member_account() -> None:
    member = make_member(display_name="Uma Rao")
    row = Row(
        file="list.csv",
        line=2,
        email=member.email,
        status=SubscriberStatus.SUBSCRIBED,
        consent_source=ConsentSource.IMPORT,
        consented_at=timezone.now(),
    )

    services.subscribers_import(rows=[row], actor=OPERATOR)

    assert Subscriber.objects.get().user == member


def test_subscriber_unsubscribe_twice_writes_one_audit_row() -> None:
    subscriber = make_subscriber("sam@example.org")

    services.subscriber_unsubscribe(subscriber=subscriber, how="link")
    services.subscriber_unsubscribe(subscriber=subscriber, how="link")

    assert _actions().count("newsletter.unsubscribe") == 1


def test_issue_start_sending_twice_fills_the_outbox_once_and_schedule_is_refused_after() -> None:
    make_subscriber("reader@example.org")
    issue = services.issue_send_now(issue=_draft(), actor=OPERATOR)

    again = services.issue_start_sending(issue=issue, actor=OPERATOR)

    assert (again.status, Delivery.objects.count()) == (IssueStatus.SENDING, 1)
    with pytest.raises(DomainError, match="already being sent"):
        services.issue_schedule(
            issue=again, actor=OPERATOR, when=timezone.now() + timedelta(days=1)
        )


def test_subscriber_subscribe_member_takes_back_the_address_they_left_with() -> None:
    member = make_member(display_name="Ana Lopez", country="MX")
    make_subscriber(member.email, status="unsubscribed", name="Ana L.")

    subscriber = services.subscriber_subscribe_member(
        user=member, consent_text=selectors.consent_text_current(), ip="198.51.100.4"
    )

    assert Subscriber.objects.count() == 1
    assert (subscriber.status, subscriber.user, subscriber.name, subscriber.country) == (
        "subscribed",
        member,
        "Ana L.",  # what the reader told us stays; blanks come from the profile
        "MX",
    )


def test_subscriber_mark_bounced_without_a_reason_audits_the_change_alone() -> None:
    reader = make_subscriber("reader@example.org")

    services.subscriber_mark_bounced(subscriber=reader)
    services.subscriber_update_preferences(subscriber=reader, name="Reader")

    reader.refresh_from_db()
    assert (reader.status, reader.name, reader.country) == ("bounced", "Reader", "")
    entry = AuditEntry.objects.get(action="newsletter.bounce")
    assert entry.changes == {"from": "subscribed", "to": "bounced"}


def test_subscribers_import_leaves_a_member_with_their_one_subscription() -> None:
    member = make_member(display_name="Uma Rao")
    make_subscriber("uma.private@example.org", user=member)
    row = Row(
        file="list.csv",
        line=2,
        email=member.email,
        status=SubscriberStatus.SUBSCRIBED,
        consent_source=ConsentSource.IMPORT,
        consented_at=timezone.now(),
    )

    services.subscribers_import(rows=[row], actor=OPERATOR)

    assert dict(Subscriber.objects.values_list("email", "user")) == {
        "uma.private@example.org": member.pk,
        member.email: None,
    }
