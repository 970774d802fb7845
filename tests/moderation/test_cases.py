"""Reports gather into cases; moderators claim and decide them; the reporter is told the
outcome, the author the reason, and the author can appeal once to another moderator."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hemonc.core.errors import DomainError, PermissionDenied
from hemonc.core.models import AuditEntry
from hemonc.events.models import Question
from hemonc.events.services import season_create, session_create
from hemonc.members.enums import Role
from hemonc.members.services import block_create
from hemonc.mentorship.services import offer_save
from hemonc.moderation import services
from hemonc.moderation.models import Appeal, Case, Decision, Outcome, Reason, Report
from hemonc.moderation.selectors import appeals_waiting_for, cases_open_for
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    return make_member(display_name="Mo Moderator", role=Role.MODERATOR, institution="North")


@pytest.fixture
def second_moderator():
    return make_member(display_name="Sam Second", role=Role.MODERATOR, institution="South")


@pytest.fixture
def question(member):
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    now = timezone.now()
    season = season_create(
        actor=organizer, name="S", starts_on=now.date(), ends_on=(now + timedelta(days=9)).date()
    )
    session = session_create(
        actor=organizer, title="Myeloma", starts_at=now + timedelta(minutes=5), season=season
    )
    return Question.objects.create(session=session, author=member, text="Is MRD enough?")


def _report(reporter, question, reason=Reason.HARASSMENT, note=""):
    return services.report_create(
        reporter=reporter,
        item_type="events.question",
        item_id=str(question.pk),
        reason=reason,
        note=note,
    )


def test_reports_on_one_item_gather_in_one_case_once_per_person(question, other_member, moderator):
    first = _report(other_member, question)
    second = _report(moderator, question, reason=Reason.SPAM)
    assert first.case_id == second.case_id
    with pytest.raises(DomainError, match="already reported"):
        _report(other_member, question)
    assert Case.objects.count() == 1 and Report.objects.count() == 2


def test_nobody_reports_what_they_cannot_see_or_what_they_wrote(question, member, other_member):
    with pytest.raises(DomainError, match="cannot report what you wrote"):
        _report(member, question)
    block_create(blocker=member, blocked=other_member)
    with pytest.raises(DomainError, match="no longer exists"):
        _report(other_member, question)
    with pytest.raises(DomainError, match="no longer exists"):
        services.report_create(
            reporter=other_member, item_type="members.user", item_id="1", reason="spam"
        )


def test_a_patient_data_report_hides_the_item_at_once(client, question, other_member):
    _report(other_member, question, reason=Reason.PATIENT_DATA)
    question.refresh_from_db()
    assert question.is_hidden
    case = Case.objects.get()
    assert case.patient_data and case.hidden_on_report
    client.force_login(other_member)
    page = client.get(question.session.get_absolute_url()).content.decode()
    assert "Is MRD enough?" not in page


def test_a_moderator_edits_the_identifier_out_and_restores_it(
    question, other_member, moderator, dummy_tasks, django_capture_on_commit_callbacks
):
    question.text = "Mrs. Alvarez, DOB 3/14/1961: is MRD enough?"
    question.save()
    _report(other_member, question, reason=Reason.PATIENT_DATA)
    case = services.case_claim(case=Case.objects.get(), actor=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        decision = services.case_decide(
            case=case,
            actor=moderator,
            outcome=Outcome.REDACTED,
            reason="A name and a date of birth.",
            text="Is MRD enough?",
        )
    question.refresh_from_db()
    assert question.text == "Is MRD enough?" and not question.is_hidden
    assert decision.original.startswith("Mrs. Alvarez")
    (purge,) = dummy_tasks.results
    assert purge.task.run_after == decision.purge_original_at
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert services.original_purge(decision_id=decision.pk)
    assert Decision.objects.get(pk=decision.pk).original == ""


def test_the_original_stays_until_its_30_days_are_over(
    question, other_member, moderator, dummy_tasks
):
    _report(other_member, question, reason=Reason.PATIENT_DATA)
    decision = services.case_decide(
        case=Case.objects.get(), actor=moderator, outcome="redacted", reason="Date", text="Hm?"
    )
    assert not services.original_purge(decision_id=decision.pk)
    assert Decision.objects.get(pk=decision.pk).original == "Is MRD enough?"


def test_two_moderators_do_not_act_at_once(question, other_member, moderator, second_moderator):
    _report(other_member, question)
    case = services.case_claim(case=Case.objects.get(), actor=moderator)
    with pytest.raises(DomainError, match="Mo Moderator is on this case"):
        services.case_claim(case=case, actor=second_moderator)
    with pytest.raises(DomainError, match="Mo Moderator is on this case"):
        services.case_decide(case=case, actor=second_moderator, outcome="hidden", reason="x")
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        services.case_claim(case=case, actor=second_moderator)


def test_a_decision_needs_a_reason_and_members_cannot_decide(question, other_member, moderator):
    _report(other_member, question)
    case = Case.objects.get()
    with pytest.raises(PermissionDenied):
        services.case_decide(case=case, actor=other_member, outcome="hidden", reason="x")
    with pytest.raises(DomainError, match="Give a reason"):
        services.case_decide(case=case, actor=moderator, outcome="hidden", reason="  ")
    with pytest.raises(DomainError, match="1 to 365"):
        services.case_decide(case=case, actor=moderator, outcome="suspended", reason="x", days=0)


def test_dismissing_brings_back_what_the_report_hid(question, other_member, moderator):
    _report(other_member, question, reason=Reason.PATIENT_DATA)
    services.case_decide(
        case=Case.objects.get(), actor=moderator, outcome="dismissed", reason="A made-up case."
    )
    question.refresh_from_db()
    assert not question.is_hidden


def test_suspension_stops_taking_part_but_not_reading(
    client, question, member, other_member, moderator
):
    _report(other_member, question)
    services.case_decide(
        case=Case.objects.get(), actor=moderator, outcome="suspended", reason="Insults", days=7
    )
    member.refresh_from_db()
    assert member.is_suspended
    client.force_login(member)
    session = question.session
    assert client.get(session.get_absolute_url()).status_code == 200
    asked = client.post(reverse("events:questions", args=[session.pk]), {"text": "Again"})
    assert asked["Location"] == reverse("moderation:notices")
    rsvp = client.post(reverse("events:rsvp", args=[session.pk]))
    assert rsvp["Location"] == reverse("moderation:notices")
    assert not session.rsvps.exists()
    notices = client.get(reverse("moderation:notices")).content.decode()
    assert "Your account is suspended until" in notices and "Insults" in notices
    assert client.get(reverse("members:data_export")).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        member.refresh_from_db()
        assert not member.is_suspended


def test_a_ban_closes_the_account(question, member, other_member, moderator):
    _report(other_member, question)
    services.case_decide(case=Case.objects.get(), actor=moderator, outcome="banned", reason="x")
    member.refresh_from_db()
    assert not member.is_active


def test_the_reporter_is_told_the_outcome_not_the_details(
    client, question, other_member, moderator
):
    _report(other_member, question)
    services.case_decide(
        case=Case.objects.get(), actor=moderator, outcome="warned", reason="Secret reason"
    )
    client.force_login(other_member)
    page = client.get(reverse("moderation:my_reports")).content.decode()
    assert "Reviewed: the moderators acted on it" in page
    assert "Secret reason" not in page


def test_the_author_appeals_once_to_another_moderator(
    client, question, member, other_member, moderator, second_moderator
):
    _report(other_member, question)
    case = Case.objects.get()
    services.case_decide(case=case, actor=moderator, outcome="hidden", reason="Off topic")
    client.force_login(member)
    prefix = f"case-{case.pk}"
    client.post(reverse("moderation:appeal", args=[case.pk]), {f"{prefix}-text": "It was on topic"})
    appeal = case.appeal
    with pytest.raises(DomainError, match="once"):
        services.appeal_create(case=case, author=member, text="Again")
    assert list(appeals_waiting_for(moderator)) == []
    with pytest.raises(PermissionDenied):
        services.appeal_decide(appeal=appeal, actor=moderator, upheld=False, answer="x")
    assert list(appeals_waiting_for(second_moderator)) == [appeal]
    services.appeal_decide(appeal=appeal, actor=second_moderator, upheld=False, answer="Agreed")
    question.refresh_from_db()
    assert not question.is_hidden
    assert "Your appeal was granted" in client.get(reverse("moderation:notices")).content.decode()
    assert AuditEntry.objects.filter(action="case.overturned").exists()


def test_an_overturned_redaction_puts_the_original_back(
    question, member, other_member, moderator, dummy_tasks
):
    second = make_member(display_name="Sam Second", role=Role.MODERATOR)
    _report(other_member, question, reason=Reason.PATIENT_DATA)
    case = Case.objects.get()
    services.case_decide(case=case, actor=moderator, outcome="redacted", reason="x", text="Hm?")
    appeal = services.appeal_create(case=case, author=member, text="No patient here")
    services.appeal_decide(appeal=appeal, actor=second, upheld=False, answer="Right")
    question.refresh_from_db()
    assert question.text == "Is MRD enough?"


def test_reports_about_a_mentor_skip_moderators_of_their_institution(
    client, other_member, moderator, second_moderator
):
    mentor = make_member(display_name="Grace Mentor", stage="attending", institution="north ")
    offer = offer_save(user=mentor, actor=mentor, capacity=2, about="Careers in myeloma.")
    services.report_create(
        reporter=other_member,
        item_type="mentorship.mentoroffer",
        item_id=str(offer.pk),
        reason=Reason.CONDUCT,
    )
    case = Case.objects.get()
    assert case.excluded_institution == "north"
    assert list(cases_open_for(moderator)) == []
    assert list(cases_open_for(second_moderator)) == [case]
    client.force_login(moderator)
    assert client.get(reverse("moderation:case", args=[case.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.case_claim(case=case, actor=moderator)


def test_a_report_about_a_moderator_never_reaches_them(other_member, moderator):
    profile = moderator.profile
    services.report_create(
        reporter=other_member,
        item_type="members.profile",
        item_id=str(profile.pk),
        reason=Reason.HARASSMENT,
    )
    assert list(cases_open_for(moderator)) == []


def test_with_no_moderator_elsewhere_the_case_stays_with_the_others(other_member, moderator):
    mentor = make_member(display_name="Grace Mentor", stage="attending", institution="North")
    offer = offer_save(user=mentor, actor=mentor, capacity=2, about="Careers.")
    services.report_create(
        reporter=other_member,
        item_type="mentorship.mentoroffer",
        item_id=str(offer.pk),
        reason=Reason.CONDUCT,
    )
    assert list(cases_open_for(moderator)) == [Case.objects.get()]


def test_the_report_page_refuses_nonsense_with_404(client, other_member):
    client.force_login(other_member)
    for item_type, item_id in (("events.question", "999"), ("auth.group", "1"), ("x", "y")):
        url = reverse("moderation:report", args=[item_type, item_id])
        assert client.get(url).status_code == 404


def test_the_report_page_and_the_queue_work_end_to_end(client, question, other_member, moderator):
    client.force_login(other_member)
    url = reverse("moderation:report", args=["events.question", question.pk])
    assert "Report a question" in client.get(url).content.decode()
    sent = client.post(url, {"reason": "harassment", "note": "<b>rude</b>"})
    assert sent.status_code == 302
    client.force_login(moderator)
    queue = client.get(reverse("moderation:queue")).content.decode()
    case = Case.objects.get()
    assert f"#{case.pk}" in queue
    detail = client.get(reverse("moderation:case", args=[case.pk])).content.decode()
    assert "Is MRD enough?" in detail and "&lt;b&gt;rude&lt;/b&gt;" in detail
    home = client.get("/").content.decode()
    assert "Reports to review" in home
    client.post(reverse("moderation:case_claim", args=[case.pk]))
    decided = client.post(
        reverse("moderation:case_decide", args=[case.pk]),
        {"outcome": "hidden", "reason": "Rude"},
        follow=True,
    )
    assert "Decided" in decided.content.decode()
    question.refresh_from_db()
    assert question.is_hidden


def _open_cases(count, *, author, reporters, when):
    """`count` open cases opened at the same instant, the n-th with n % 3 + 1 reports."""
    first = 1000 + Case.objects.count()
    cases = Case.objects.bulk_create(
        Case(item_type="events.question", item_id=str(first + n), author=author)
        for n in range(count)
    )
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(created_at=when)
    Report.objects.bulk_create(
        Report(case=case, reporter=reporter, item_type=case.item_type, item_id=case.item_id,
               reason=Reason.SPAM)
        for n, case in enumerate(cases)
        for reporter in reporters[: n % 3 + 1]
    )  # fmt: skip
    return cases


def _queue_rows(client, page):
    body = client.get(reverse("moderation:queue"), {"page": page}).content.decode()
    return re.findall(r"Case #(\d+)</a>.*?<td>A question #\d+</td>\s*<td>(\d+)</td>", body,
                      flags=re.S)  # fmt: skip


def test_the_queue_pages_through_every_open_case_once_with_its_reports_counted(
    client, member, moderator
):
    reporters = [make_member(display_name=f"Reporter {n}") for n in range(3)]
    cases = _open_cases(60, author=member, reporters=reporters, when=timezone.now())
    client.force_login(moderator)
    rows = [row for page in (1, 2, 3) for row in _queue_rows(client, page)]
    assert sorted(int(pk) for pk, _ in rows) == sorted(c.pk for c in cases)
    expected = {str(case.pk): str(n % 3 + 1) for n, case in enumerate(cases)}
    assert dict(rows) == expected


def test_the_queue_page_asks_the_same_queries_for_3_cases_or_60(client, member, moderator):
    reporters = [make_member(display_name=f"Reporter {n}") for n in range(3)]
    _open_cases(3, author=member, reporters=reporters, when=timezone.now())
    client.force_login(moderator)
    client.get(reverse("moderation:queue"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("moderation:queue"))
    _open_cases(57, author=member, reporters=reporters, when=timezone.now())
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("moderation:queue"))
    assert len(many) == len(few)


def test_the_queue_lists_the_10_oldest_appeals_and_counts_them_all(client, moderator):
    decider = make_member(display_name="Dee Decider", role=Role.MODERATOR, institution="South")
    now = timezone.now()
    appeals = []
    for n in range(12):
        author = make_member(display_name=f"Author {n}")
        case = Case.objects.create(item_type="events.question", item_id=str(2000 + n),
                                   author=author, status="closed", outcome=Outcome.HIDDEN,
                                   decided_by=decider, decided_at=now)  # fmt: skip
        when = now - timedelta(hours=12 - n)
        appeals.append(Appeal.objects.create(case=case, author=author, text="No.", created_at=when))
    client.force_login(moderator)
    body = client.get(reverse("moderation:queue")).content.decode()
    assert "Appeals waiting (12)" in body
    listed = [int(pk) for pk in re.findall(r"Case #(\d+)</a>: hidden, appealed", body)]
    assert listed == [appeal.case_id for appeal in appeals[:10]]
