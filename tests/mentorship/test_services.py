"""Requests, mentorships and programs through the services, with mail at a real SMTP server."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from hemonc.core.errors import DomainError, PermissionDenied
from hemonc.core.models import AuditEntry
from hemonc.members.enums import Role
from hemonc.members.models import User
from hemonc.members.services import block_create
from hemonc.mentorship import services
from hemonc.mentorship.enums import MentorshipStatus, ProgramRole, ProgramStatus, RequestStatus
from hemonc.mentorship.models import Mentorship, MentorshipFeedback, MentorshipRequest, Proposal
from hemonc.mentorship.selectors import FinderFilters, mentor_finder
from tests.factories import make_member
from tests.smtp import Mailbox


@pytest.fixture
def sent(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Run a service and then its on-commit work (the mails), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_request_mails_the_mentor_and_accept_mails_the_mentee(
    mentor, mentee, mailbox: Mailbox, sent
) -> None:
    with sent():
        request = services.request_create(
            mentee=mentee, mentor=mentor, note="I am a second-year fellow."
        )
    with sent():
        mentorship = services.request_accept(request=request, actor=mentor, message="Happy to!")

    assert mentorship.is_active
    messages = mailbox.wait_for(2)
    assert messages[0]["To"] == mentor.email
    assert "Ana Mentee asks you to be their mentor" in messages[0]["Subject"]
    assert "I am a second-year fellow." in messages[0].get_body(("plain",)).get_content()
    assert messages[1]["To"] == mentee.email
    assert "Happy to!" in messages[1].get_body(("plain",)).get_content()
    assert mentorship.next_checkin_at is not None
    assert AuditEntry.objects.filter(action="mentorship.request_accept").count() == 1


def test_request_is_refused_when_the_mentor_has_no_seat(mentor, mentee) -> None:
    first = make_member(display_name="First Mentee")
    services.request_accept(
        request=services.request_create(mentee=first, mentor=mentor, note="Hi"), actor=mentor
    )

    with pytest.raises(DomainError, match="no seat left"):
        services.request_create(mentee=mentee, mentor=mentor, note="Hello")


def test_request_is_refused_between_blocked_members(mentor, mentee) -> None:
    block_create(blocker=mentor, blocked=mentee)

    with pytest.raises(DomainError, match="not available"):
        services.request_create(mentee=mentee, mentor=mentor, note="Hello")


def test_finder_hides_mentors_blocked_either_way_and_full_ones(mentor, mentee) -> None:
    other = make_member(display_name="Dr. Other Mentor")
    services.offer_save(user=other, capacity=2)

    before = {o.user_id for o in mentor_finder(viewer=mentee, filters=FinderFilters())}
    block_create(blocker=mentor, blocked=mentee)
    next_request_viewer = User.objects.get(pk=mentee.pk)
    after = {o.user_id for o in mentor_finder(viewer=next_request_viewer, filters=FinderFilters())}

    assert before == {mentor.pk, other.pk}
    assert after == {other.pk}


def test_finder_filters_by_stage_and_shows_seats_left(mentor, mentee) -> None:
    student = make_member(display_name="Stu Dent", stage="medical_student")

    for_fellows = mentor_finder(viewer=mentee, filters=FinderFilters(stage="fellow", topic="mmsm"))
    for_students = mentor_finder(viewer=student, filters=FinderFilters(stage="medical_student"))

    assert [(o.user_id, o.capacity - o.active_count) for o in for_fellows] == [(mentor.pk, 1)]
    assert list(for_students) == []


def test_decline_mails_the_mentee_with_the_message(mentor, mentee, mailbox: Mailbox, sent) -> None:
    request = services.request_create(mentee=mentee, mentor=mentor, note="Hi")

    with sent():
        services.request_decline(
            request=request, actor=mentor, message="My schedule is full until May."
        )

    request.refresh_from_db()
    assert request.status == RequestStatus.DECLINED
    (declined,) = mailbox.wait_for(1)
    assert declined["To"] == mentee.email
    assert "My schedule is full until May." in declined.get_body(("plain",)).get_content()


def test_only_the_mentor_may_accept(mentor, mentee) -> None:
    request = services.request_create(mentee=mentee, mentor=mentor, note="Hi")

    with pytest.raises(PermissionDenied):
        services.request_accept(request=request, actor=mentee)


def test_either_side_can_exit_with_no_reason_and_the_other_is_told(
    mentor, mentee, mailbox: Mailbox, sent
) -> None:
    mentorship = services.request_accept(
        request=services.request_create(mentee=mentee, mentor=mentor, note="Hi"), actor=mentor
    )

    with sent():
        services.mentorship_exit(mentorship=mentorship, actor=mentee)

    mentorship.refresh_from_db()
    assert mentorship.status == MentorshipStatus.ENDED
    (ended,) = mailbox.wait_for(1)
    assert ended["To"] == mentor.email
    assert "has ended" in ended["Subject"]
    assert "no reason is needed" in ended.get_body(("plain",)).get_content()
    # The seat is free again.
    assert [o.user_id for o in mentor_finder(viewer=mentee, filters=FinderFilters())] == [mentor.pk]


def test_messages_notify_the_other_side(mentor, mentee, mailbox: Mailbox, sent) -> None:
    mentorship = services.request_accept(
        request=services.request_create(mentee=mentee, mentor=mentor, note="Hi"), actor=mentor
    )

    with sent():
        services.mentorship_post_message(
            mentorship=mentorship, author=mentor, body="Shall we talk Tuesday?"
        )

    (mail,) = mailbox.wait_for(1)
    assert mail["To"] == mentee.email
    assert "Shall we talk Tuesday?" in mail.get_body(("plain",)).get_content()


def test_completion_keeps_feedback_private(mentor, mentee) -> None:
    mentorship = services.request_accept(
        request=services.request_create(mentee=mentee, mentor=mentor, note="Hi"), actor=mentor
    )

    services.mentorship_complete(mentorship=mentorship, actor=mentee, feedback="Very helpful.")

    mentorship.refresh_from_db()
    assert mentorship.status == MentorshipStatus.COMPLETED
    assert MentorshipFeedback.objects.get().author == mentee
    with pytest.raises(DomainError, match="has ended"):
        services.mentorship_post_message(mentorship=mentorship, author=mentor, body="Hello?")


def test_checkin_reminder_mails_both_and_queues_the_next(
    mentor, mentee, mailbox: Mailbox, sent
) -> None:
    mentorship = services.request_accept(
        request=services.request_create(mentee=mentee, mentor=mentor, note="Hi"), actor=mentor
    )
    due = mentorship.next_checkin_at

    with sent():
        first = services.mentorship_send_checkin(mentorship_id=mentorship.pk, due=due.isoformat())
        stale = services.mentorship_send_checkin(mentorship_id=mentorship.pk, due=due.isoformat())

    assert (first, stale) == (True, False)
    reminders = mailbox.wait_for(2)
    assert all("check-in" in str(m["Subject"]) for m in reminders)
    assert sorted(m["To"] for m in reminders) == sorted([mentor.email, mentee.email])
    mentorship.refresh_from_db()
    assert mentorship.next_checkin_at == due + timedelta(weeks=4)


def test_checkin_reminders_stop_when_either_side_blocked_the_other(
    mentor, mentee, mailbox: Mailbox, sent
) -> None:
    blocked = services.request_accept(
        request=services.request_create(mentee=mentee, mentor=mentor, note="Hi"), actor=mentor
    )
    other_mentee = make_member(display_name="Oli Othermentee")
    services.offer_save(user=mentor, capacity=2)
    unblocked = services.request_accept(
        request=services.request_create(mentee=other_mentee, mentor=mentor, note="Hi"),
        actor=mentor,
    )
    block_create(blocker=mentee, blocked=mentor)

    with sent():
        stopped = services.mentorship_send_checkin(
            mentorship_id=blocked.pk, due=blocked.next_checkin_at.isoformat()
        )
        sent_on = services.mentorship_send_checkin(
            mentorship_id=unblocked.pk, due=unblocked.next_checkin_at.isoformat()
        )

    assert (stopped, sent_on) == (False, True)
    reminders = mailbox.wait_for(2)
    assert sorted(m["To"] for m in reminders) == sorted([mentor.email, other_mentee.email])
    blocked.refresh_from_db()
    assert blocked.next_checkin_at is None


def test_checkin_reminder_is_queued_for_its_due_time(
    mentor, mentee, dummy_tasks, django_capture_on_commit_callbacks
) -> None:
    request = services.request_create(mentee=mentee, mentor=mentor, note="Hi")

    with django_capture_on_commit_callbacks(execute=True):
        mentorship = services.request_accept(request=request, actor=mentor)

    [reminder] = [
        result for result in dummy_tasks.results if result.task.name == "send_checkin_reminder_task"
    ]
    assert reminder.task.run_after == mentorship.next_checkin_at


@pytest.mark.django_db(transaction=True)
def test_two_accepts_for_the_last_seat_one_wins() -> None:
    mentor = make_member(display_name="Dr. Last Seat")
    services.offer_save(user=mentor, capacity=1)
    requests = [
        services.request_create(
            mentee=make_member(display_name=f"Mentee {n}"), mentor=mentor, note="Hi"
        )
        for n in range(2)
    ]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(request: MentorshipRequest) -> None:
        try:
            barrier.wait()
            services.request_accept(request=request, actor=mentor)
            outcomes.append("accepted")
        except DomainError as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert (
        sorted(outcomes)[0]
        == "You have no seat left: raise your capacity or finish a mentorship first."
    )
    assert sorted(outcomes)[1] == "accepted"
    assert Mentorship.objects.filter(mentor=mentor, status=MentorshipStatus.ACTIVE).count() == 1


def test_program_matches_publishes_and_mails_both_sides(
    mentor, mentee, mailbox: Mailbox, sent
) -> None:
    organizer = make_member(display_name="Org Anizer", role=Role.ORGANIZER)
    now = timezone.now()
    program = services.program_create(
        actor=organizer,
        name="Spring program",
        hashtag="HOmentors",
        applications_open_at=now - timedelta(days=1),
        applications_close_at=now + timedelta(days=7),
        matching_date=(now + timedelta(days=8)).date(),
    )
    lonely = make_member(display_name="Med Student", stage="medical_student")
    services.goals_save(user=lonely, text="Explore hematology.")
    services.program_apply(program=program, user=mentor, role=ProgramRole.MENTOR, capacity=1)
    services.program_apply(program=program, user=mentee, role=ProgramRole.MENTEE)
    services.program_apply(program=program, user=lonely, role=ProgramRole.MENTEE)

    proposals = {
        p.mentee_id: p for p in services.program_run_matcher(program=program, actor=organizer)
    }
    with sent():
        services.program_publish(program=program, actor=organizer)

    assert proposals[mentee.pk].mentor_id == mentor.pk
    assert set(proposals[mentee.pk].terms) == {
        "topics",
        "career_paths",
        "time_zone",
        "rank",
        "community",
    }
    assert proposals[lonely.pk].mentor_id is None
    assert proposals[lonely.pk].reason == "no eligible mentor (stage 1)"
    program.refresh_from_db()
    assert program.status == ProgramStatus.PUBLISHED
    assert Mentorship.objects.get(program=program).mentee == mentee
    mails = mailbox.wait_for(2)
    assert sorted(m["To"] for m in mails) == sorted([mentor.email, mentee.email])
    assert all("Your match in Spring program" in str(m["Subject"]) for m in mails)


def test_program_swap_keeps_blocks_and_capacity(mentor, mentee) -> None:
    organizer = make_member(display_name="Org Anizer", role=Role.ORGANIZER)
    other_mentor = make_member(display_name="Dr. Other")
    services.offer_save(user=other_mentor, capacity=1)
    now = timezone.now()
    program = services.program_create(
        actor=organizer,
        name="P",
        applications_open_at=now - timedelta(days=1),
        applications_close_at=now + timedelta(days=1),
        matching_date=now.date(),
    )
    services.program_apply(program=program, user=mentor, role=ProgramRole.MENTOR)
    services.program_apply(program=program, user=other_mentor, role=ProgramRole.MENTOR)
    services.program_apply(program=program, user=mentee, role=ProgramRole.MENTEE)
    services.program_run_matcher(program=program, actor=organizer)
    proposal = Proposal.objects.get(program=program, mentee=mentee)
    block_create(blocker=other_mentor, blocked=mentee)

    with pytest.raises(DomainError, match="blocked"):
        services.proposal_set_mentor(proposal=proposal, mentor=other_mentor, actor=organizer)
    services.proposal_set_mentor(proposal=proposal, mentor=None, actor=organizer)

    proposal.refresh_from_db()
    assert (proposal.mentor, proposal.reason) == (None, "removed by an organizer")


def test_members_cannot_run_the_matcher(mentor) -> None:
    now = timezone.now()
    organizer = make_member(display_name="Org", role=Role.ORGANIZER)
    program = services.program_create(
        actor=organizer,
        name="P",
        applications_open_at=now,
        applications_close_at=now + timedelta(days=1),
        matching_date=now.date(),
    )

    with pytest.raises(PermissionDenied):
        services.program_run_matcher(program=program, actor=mentor)


def test_communities_reach_the_matcher_only_when_shared(mentor, mentee) -> None:
    from hemonc.members.services import profile_update
    from hemonc.mentorship.selectors import mentee_input

    profile_update(profile=mentee.profile, actor=mentee, identity_communities=["first_generation"])
    hidden = mentee_input(user=mentee, goals=None, when=timezone.now(), blocked=set())
    profile_update(profile=mentee.profile, actor=mentee, share_communities_with_matcher=True)
    shared = mentee_input(user=mentee, goals=None, when=timezone.now(), blocked=set())

    assert hidden.communities == frozenset()
    assert shared.communities == frozenset({"first_generation"})


def test_speed_event_schedules_checked_in_people(mentor, mentee) -> None:
    organizer = make_member(display_name="Org", role=Role.ORGANIZER)
    event = services.speed_event_create(
        actor=organizer, title="Blood Buddies", starts_at=timezone.now(), rounds=2, table_size=2
    )
    others = [make_member(display_name=f"Mentee {n}") for n in range(3)]
    services.speed_check_in(
        participant=services.speed_participant_add(
            event=event, user=mentor, role=ProgramRole.MENTOR, actor=organizer
        ),
        actor=organizer,
    )
    for person in [mentee, *others]:
        participant = services.speed_participant_add(
            event=event, user=person, role=ProgramRole.MENTEE, actor=person
        )
        if person != others[-1]:
            services.speed_check_in(participant=participant, actor=organizer)

    seats = services.speed_event_schedule(event=event, actor=organizer)

    assert {s.mentee_id for s in seats} == {mentee.pk, others[0].pk, others[1].pk}
    assert {s.round for s in seats} == {1, 2}
    assert len({(s.mentor_id, s.mentee_id) for s in seats}) == len(seats)


def test_withdrawing_and_asking_again_does_not_mail_the_mentor_again(
    mentor, mentee, mailbox: Mailbox, sent
) -> None:
    for _ in range(10):
        with sent():
            request = services.request_create(mentee=mentee, mentor=mentor, note="Hello again")
        services.request_withdraw(request=request, actor=mentee)
    other = make_member(display_name="Second Mentee")
    with sent():
        services.request_create(mentee=other, mentor=mentor, note="Hi from someone else")

    messages = mailbox.wait_for(2)
    assert [m["Subject"].split("] ", 1)[1] for m in messages] == [
        "Ana Mentee asks you to be their mentor",
        "Second Mentee asks you to be their mentor",
    ]
    assert MentorshipRequest.objects.filter(mentee=mentee, mentor=mentor).count() == 10
