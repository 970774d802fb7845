"""Requests, mentorships and programs through the services, with mail at a real SMTP server."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from hemonc.core.errors import DomainError, PermissionDenied
from hemonc.core.models import AuditEntry
from hemonc.core.permissions import OPERATOR
from hemonc.events.models import CheckIn, LiveSession
from hemonc.members.enums import Role
from hemonc.members.models import User
from hemonc.members.services import block_create, profile_update
from hemonc.mentorship import services
from hemonc.mentorship.enums import MentorshipStatus, ProgramRole, ProgramStatus, RequestStatus
from hemonc.mentorship.models import (
    MenteeGoals,
    MentorOffer,
    Mentorship,
    MentorshipFeedback,
    MentorshipRequest,
    Program,
    ProgramApplication,
    Proposal,
    SharedGoal,
    SpeedMentoringEvent,
    SpeedParticipant,
)
from hemonc.mentorship.selectors import FinderFilters, mentee_input, mentor_finder
from hemonc.mentorship.tasks import send_checkin_reminder_task
from tests.factories import make_member
from tests.smtp import Mailbox


@pytest.fixture
def sent(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Run a service and then its on-commit work (the mails), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_request_create_mails_the_mentor_and_request_accept_the_mentee(
    mentor, mentee, mailbox: Mailbox, sent
) -> None:
    with sent():
        request = services.request_create(
            mentee=mentee, actor=mentee, mentor=mentor, note="I am a second-year fellow."
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


def test_request_create_refused_when_the_mentor_has_no_seat(mentor, mentee) -> None:
    first = make_member(display_name="First Mentee")
    services.request_accept(
        request=services.request_create(mentee=first, actor=first, mentor=mentor, note="Hi"),
        actor=mentor,
    )

    with pytest.raises(DomainError, match="no seat left"):
        services.request_create(mentee=mentee, actor=mentee, mentor=mentor, note="Hello")


def test_request_create_refused_between_blocked_members(mentor, mentee) -> None:
    block_create(blocker=mentor, blocked=mentee)

    with pytest.raises(DomainError, match="not available"):
        services.request_create(mentee=mentee, actor=mentee, mentor=mentor, note="Hello")


def test_finder_hides_mentors_blocked_either_way_and_full_ones(mentor, mentee) -> None:
    other = make_member(display_name="Dr. Other Mentor")
    services.offer_save(user=other, actor=other, capacity=2)

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


def test_request_decline_mails_the_mentee_with_the_message(
    mentor, mentee, mailbox: Mailbox, sent
) -> None:
    request = services.request_create(mentee=mentee, actor=mentee, mentor=mentor, note="Hi")

    with sent():
        services.request_decline(
            request=request, actor=mentor, message="My schedule is full until May."
        )

    request.refresh_from_db()
    assert request.status == RequestStatus.DECLINED
    (declined,) = mailbox.wait_for(1)
    assert declined["To"] == mentee.email
    assert "My schedule is full until May." in declined.get_body(("plain",)).get_content()


def test_request_accept_refused_to_the_mentee(mentor, mentee) -> None:
    request = services.request_create(mentee=mentee, actor=mentee, mentor=mentor, note="Hi")

    with pytest.raises(PermissionDenied):
        services.request_accept(request=request, actor=mentee)


def test_mentorship_exit_by_either_side_with_no_reason_tells_the_other(
    mentor, mentee, mailbox: Mailbox, sent
) -> None:
    mentorship = services.request_accept(
        request=services.request_create(mentee=mentee, actor=mentee, mentor=mentor, note="Hi"),
        actor=mentor,
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


def test_mentorship_post_message_mails_the_other_side(
    mentor, mentee, mailbox: Mailbox, sent
) -> None:
    mentorship = services.request_accept(
        request=services.request_create(mentee=mentee, actor=mentee, mentor=mentor, note="Hi"),
        actor=mentor,
    )

    with sent():
        services.mentorship_post_message(
            mentorship=mentorship, actor=mentor, body="Shall we talk Tuesday?"
        )

    (mail,) = mailbox.wait_for(1)
    assert mail["To"] == mentee.email
    assert "Shall we talk Tuesday?" in mail.get_body(("plain",)).get_content()


def test_mentorship_complete_keeps_feedback_private(mentor, mentee) -> None:
    mentorship = services.request_accept(
        request=services.request_create(mentee=mentee, actor=mentee, mentor=mentor, note="Hi"),
        actor=mentor,
    )

    services.mentorship_complete(mentorship=mentorship, actor=mentee, feedback="Very helpful.")

    mentorship.refresh_from_db()
    assert mentorship.status == MentorshipStatus.COMPLETED
    assert MentorshipFeedback.objects.get().author == mentee
    with pytest.raises(DomainError, match="has ended"):
        services.mentorship_post_message(mentorship=mentorship, actor=mentor, body="Hello?")


def test_mentorship_send_checkin_mails_both_and_queues_the_next(
    mentor, mentee, mailbox: Mailbox, sent
) -> None:
    mentorship = services.request_accept(
        request=services.request_create(mentee=mentee, actor=mentee, mentor=mentor, note="Hi"),
        actor=mentor,
    )
    due = mentorship.next_checkin_at

    with sent():
        first = services.mentorship_send_checkin(
            mentorship_id=mentorship.pk, due=due.isoformat(), actor=OPERATOR
        )
        stale = services.mentorship_send_checkin(
            mentorship_id=mentorship.pk, due=due.isoformat(), actor=OPERATOR
        )

    assert (first, stale) == (True, False)
    reminders = mailbox.wait_for(2)
    assert all("check-in" in str(m["Subject"]) for m in reminders)
    assert sorted(m["To"] for m in reminders) == sorted([mentor.email, mentee.email])
    mentorship.refresh_from_db()
    assert mentorship.next_checkin_at == due + timedelta(weeks=4)


def test_mentorship_send_checkin_stops_when_either_side_blocked_the_other(
    mentor, mentee, mailbox: Mailbox, sent
) -> None:
    blocked = services.request_accept(
        request=services.request_create(mentee=mentee, actor=mentee, mentor=mentor, note="Hi"),
        actor=mentor,
    )
    other_mentee = make_member(display_name="Oli Othermentee")
    services.offer_save(user=mentor, actor=mentor, capacity=2)
    unblocked = services.request_accept(
        request=services.request_create(
            mentee=other_mentee, actor=other_mentee, mentor=mentor, note="Hi"
        ),
        actor=mentor,
    )
    block_create(blocker=mentee, blocked=mentor)

    with sent():
        stopped = services.mentorship_send_checkin(
            mentorship_id=blocked.pk, due=blocked.next_checkin_at.isoformat(), actor=OPERATOR
        )
        sent_on = services.mentorship_send_checkin(
            mentorship_id=unblocked.pk, due=unblocked.next_checkin_at.isoformat(), actor=OPERATOR
        )

    assert (stopped, sent_on) == (False, True)
    reminders = mailbox.wait_for(2)
    assert sorted(m["To"] for m in reminders) == sorted([mentor.email, other_mentee.email])
    blocked.refresh_from_db()
    assert blocked.next_checkin_at is None


def test_request_accept_queues_the_checkin_reminder_for_its_due_time(
    mentor, mentee, dummy_tasks, django_capture_on_commit_callbacks
) -> None:
    request = services.request_create(mentee=mentee, actor=mentee, mentor=mentor, note="Hi")

    with django_capture_on_commit_callbacks(execute=True):
        mentorship = services.request_accept(request=request, actor=mentor)

    [reminder] = [
        result for result in dummy_tasks.results if result.task.name == "send_checkin_reminder_task"
    ]
    assert reminder.task.run_after == mentorship.next_checkin_at


@pytest.mark.django_db(transaction=True)
def test_request_accept_twice_for_the_last_seat_one_wins() -> None:
    mentor = make_member(display_name="Dr. Last Seat")
    services.offer_save(user=mentor, actor=mentor, capacity=1)
    mentees = [make_member(display_name=f"Mentee {n}") for n in range(2)]
    requests = [
        services.request_create(mentee=m, actor=m, mentor=mentor, note="Hi") for m in mentees
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


def test_program_publish_after_the_matcher_mails_both_sides(
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
    services.goals_save(user=lonely, actor=lonely, text="Explore hematology.")
    services.program_apply(
        program=program, user=mentor, actor=mentor, role=ProgramRole.MENTOR, capacity=1
    )
    services.program_apply(program=program, user=mentee, actor=mentee, role=ProgramRole.MENTEE)
    services.program_apply(program=program, user=lonely, actor=lonely, role=ProgramRole.MENTEE)

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


def test_proposal_set_mentor_keeps_blocks_and_capacity(mentor, mentee) -> None:
    organizer = make_member(display_name="Org Anizer", role=Role.ORGANIZER)
    other_mentor = make_member(display_name="Dr. Other")
    services.offer_save(user=other_mentor, actor=other_mentor, capacity=1)
    now = timezone.now()
    program = services.program_create(
        actor=organizer,
        name="P",
        applications_open_at=now - timedelta(days=1),
        applications_close_at=now + timedelta(days=1),
        matching_date=now.date(),
    )
    services.program_apply(program=program, user=mentor, actor=mentor, role=ProgramRole.MENTOR)
    services.program_apply(
        program=program, user=other_mentor, actor=other_mentor, role=ProgramRole.MENTOR
    )
    services.program_apply(program=program, user=mentee, actor=mentee, role=ProgramRole.MENTEE)
    services.program_run_matcher(program=program, actor=organizer)
    proposal = Proposal.objects.get(program=program, mentee=mentee)
    block_create(blocker=other_mentor, blocked=mentee)

    with pytest.raises(DomainError, match="blocked"):
        services.proposal_set_mentor(proposal=proposal, mentor=other_mentor, actor=organizer)
    services.proposal_set_mentor(proposal=proposal, mentor=None, actor=organizer)

    proposal.refresh_from_db()
    assert (proposal.mentor, proposal.reason) == (None, "removed by an organizer")


def test_program_run_matcher_refused_to_members(mentor) -> None:
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
    profile_update(profile=mentee.profile, actor=mentee, identity_communities=["first_generation"])
    hidden = mentee_input(user=mentee, goals=None, when=timezone.now(), blocked=set())
    profile_update(profile=mentee.profile, actor=mentee, share_communities_with_matcher=True)
    shared = mentee_input(user=mentee, goals=None, when=timezone.now(), blocked=set())

    assert hidden.communities == frozenset()
    assert shared.communities == frozenset({"first_generation"})


def test_speed_event_schedule_seats_checked_in_people(mentor, mentee) -> None:
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


def test_request_withdraw_and_asking_again_does_not_mail_the_mentor_again(
    mentor, mentee, mailbox: Mailbox, sent
) -> None:
    for _ in range(10):
        with sent():
            request = services.request_create(
                mentee=mentee, actor=mentee, mentor=mentor, note="Hello again"
            )
        services.request_withdraw(request=request, actor=mentee)
    other = make_member(display_name="Second Mentee")
    with sent():
        services.request_create(
            mentee=other, actor=other, mentor=mentor, note="Hi from someone else"
        )

    messages = mailbox.wait_for(2)
    assert [m["Subject"].split("] ", 1)[1] for m in messages] == [
        "Ana Mentee asks you to be their mentor",
        "Second Mentee asks you to be their mentor",
    ]
    assert MentorshipRequest.objects.filter(mentee=mentee, mentor=mentor).count() == 10


# ---------------------------------------------------------------------------------------------
# Each service by name: what it writes, and who is turned away.


@pytest.fixture
def pair(mentor, mentee) -> Mentorship:  # type: ignore[no-untyped-def]
    return services.request_accept(
        request=services.request_create(mentee=mentee, actor=mentee, mentor=mentor, note="Hi"),
        actor=mentor,
    )


def _open_program(organizer: User) -> Program:
    now = timezone.now()
    return services.program_create(
        actor=organizer,
        name="Spring program",
        applications_open_at=now - timedelta(days=1),
        applications_close_at=now + timedelta(days=7),
        matching_date=(now + timedelta(days=8)).date(),
    )


def _actions() -> list[str]:
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


def test_offer_save_changes_the_offer_and_opens_the_profile_to_mentoring(mentee) -> None:
    offer = services.offer_save(
        user=mentee, actor=mentee, capacity=3, formats=["video"], languages=["EN", "es"]
    )

    mentee.profile.refresh_from_db()
    assert (offer.capacity, offer.formats, offer.languages) == (3, ["video"], ["en", "es"])
    assert mentee.profile.open_to_mentoring
    assert _actions()[-1] == "mentorship.offer_create"


def test_offer_save_refused_for_someone_else(mentor, mentee) -> None:
    with pytest.raises(PermissionDenied):
        services.offer_save(user=mentor, actor=mentee, capacity=5)

    assert MentorOffer.objects.get(user=mentor).capacity == 1


def test_offer_save_names_an_unknown_format(mentee) -> None:
    with pytest.raises(DomainError, match="Unknown formats: fax"):
        services.offer_save(user=mentee, actor=mentee, formats=["fax"])


def test_goals_save_keeps_ranked_mentors_once_and_never_oneself(mentor, mentee) -> None:
    goals = services.goals_save(
        user=mentee,
        actor=mentee,
        text="  Clinical trials.  ",
        ranked_mentors=[mentor.pk, mentee.pk, mentor.pk],
        excluded_mentors=[mentee],
    )

    assert (goals.text, goals.ranked_mentors) == ("Clinical trials.", [mentor.pk])
    assert list(goals.excluded_mentors.all()) == []
    assert _actions()[-1] == "mentorship.goals_update"


def test_goals_save_refused_for_someone_else(mentor, mentee) -> None:
    with pytest.raises(PermissionDenied):
        services.goals_save(user=mentee, actor=mentor, text="Not mine to write.")

    assert MenteeGoals.objects.get(user=mentee).text == "Find my niche in myeloma research."


def test_request_create_refused_when_asked_for_someone_else(mentor, mentee) -> None:
    stranger = make_member(display_name="Stranger")

    with pytest.raises(PermissionDenied):
        services.request_create(mentee=mentee, actor=stranger, mentor=mentor, note="Hi")

    assert not MentorshipRequest.objects.exists()


def test_request_decline_refused_to_the_mentee(mentor, mentee) -> None:
    request = services.request_create(mentee=mentee, actor=mentee, mentor=mentor, note="Hi")

    with pytest.raises(PermissionDenied, match="Only the mentor can decline"):
        services.request_decline(request=request, actor=mentee)

    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_request_withdraw_refused_to_the_mentor(mentor, mentee) -> None:
    request = services.request_create(mentee=mentee, actor=mentee, mentor=mentor, note="Hi")

    with pytest.raises(PermissionDenied, match="Only the member who asked"):
        services.request_withdraw(request=request, actor=mentor)

    services.request_withdraw(request=request, actor=mentee)
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN
    assert _actions()[-1] == "mentorship.request_withdraw"


def test_mentorship_post_message_refused_to_a_stranger(pair) -> None:
    with pytest.raises(PermissionDenied, match="private to its mentor and mentee"):
        services.mentorship_post_message(
            mentorship=pair, actor=make_member(display_name="Nosy"), body="Hello"
        )

    assert not pair.messages.exists()


def test_goal_add_puts_the_goal_on_the_shared_list(pair, mentee) -> None:
    goal = services.goal_add(mentorship=pair, actor=mentee, text="  Submit an abstract  ")

    assert [g.text for g in pair.goals.all()] == ["Submit an abstract"]
    assert goal.done is False
    assert _actions()[-1] == "mentorship.goal_add"


def test_goal_add_refused_to_a_stranger(pair) -> None:
    with pytest.raises(PermissionDenied):
        services.goal_add(mentorship=pair, actor=make_member(display_name="Nosy"), text="Mine")

    assert not pair.goals.exists()


def test_goal_set_done_ticks_the_goal_and_opens_it_again(pair, mentor, mentee) -> None:
    goal = services.goal_add(mentorship=pair, actor=mentee, text="Write the abstract")

    services.goal_set_done(goal=goal, actor=mentor, done=True)
    done = SharedGoal.objects.get(pk=goal.pk).done
    services.goal_set_done(goal=goal, actor=mentee, done=False)

    assert (done, SharedGoal.objects.get(pk=goal.pk).done) == (True, False)
    assert _actions()[-2:] == ["mentorship.goal_done", "mentorship.goal_reopen"]
    with pytest.raises(PermissionDenied):
        services.goal_set_done(goal=goal, actor=make_member(display_name="Nosy"), done=True)


def test_mentorship_set_checkins_off_clears_the_next_reminder(pair, mentee) -> None:
    services.mentorship_set_checkins(mentorship=pair, actor=mentee, every_weeks=0)

    pair.refresh_from_db()
    assert (pair.checkin_every_weeks, pair.next_checkin_at) == (0, None)
    with pytest.raises(DomainError, match="every 1 to 26 weeks"):
        services.mentorship_set_checkins(mentorship=pair, actor=mentee, every_weeks=27)
    with pytest.raises(PermissionDenied):
        services.mentorship_set_checkins(
            mentorship=pair, actor=make_member(display_name="Nosy"), every_weeks=2
        )


def test_mentorship_send_checkin_refused_to_a_member(pair, mentee) -> None:
    with pytest.raises(PermissionDenied):
        services.mentorship_send_checkin(
            mentorship_id=pair.pk, due=pair.next_checkin_at.isoformat(), actor=mentee
        )


def test_mentorship_send_checkin_as_the_operator_audits_no_member(pair, sent) -> None:
    with sent():
        services.mentorship_send_checkin(
            mentorship_id=pair.pk, due=pair.next_checkin_at.isoformat(), actor=OPERATOR
        )

    entry = AuditEntry.objects.get(action="mentorship.checkin_reminder")
    assert entry.actor is None


def test_mentorship_exit_refused_to_a_stranger(pair) -> None:
    with pytest.raises(PermissionDenied):
        services.mentorship_exit(mentorship=pair, actor=make_member(display_name="Nosy"))

    pair.refresh_from_db()
    assert pair.is_active


def test_mentorship_complete_mails_the_other_side(pair, mentor, mailbox: Mailbox, sent) -> None:
    with sent():
        services.mentorship_complete(mentorship=pair, actor=mentor)

    (mail,) = mailbox.wait_for(1)
    assert mail["To"] == pair.mentee.email
    assert "is complete" in mail["Subject"]


def test_feedback_leave_after_completion_replaces_the_authors_own(pair, mentee) -> None:
    with pytest.raises(DomainError, match="when a mentorship is complete"):
        services.feedback_leave(mentorship=pair, actor=mentee, text="Early")
    services.mentorship_complete(mentorship=pair, actor=mentee, feedback="First thoughts.")
    pair.refresh_from_db()

    services.feedback_leave(mentorship=pair, actor=mentee, text="Second thoughts.")

    assert [f.text for f in MentorshipFeedback.objects.all()] == ["Second thoughts."]
    assert _actions()[-1] == "mentorship.feedback"
    with pytest.raises(PermissionDenied):
        services.feedback_leave(
            mentorship=pair, actor=make_member(display_name="Nosy"), text="Mine"
        )


def test_program_create_keeps_the_name_to_one_line(organizer) -> None:
    now = timezone.now()
    program = services.program_create(
        actor=organizer,
        name="Spring\nprogram",
        hashtag="HO\nmentors",
        applications_open_at=now,
        applications_close_at=now + timedelta(days=1),
        matching_date=now.date(),
    )

    assert (program.name, program.hashtag, program.created_by) == (
        "Spring program",
        "HO mentors",
        organizer,
    )
    assert _actions()[-1] == "mentorship.program_create"


def test_program_create_refused_to_members_and_for_a_window_that_closes_first(
    organizer, mentee
) -> None:
    now = timezone.now()
    window = {
        "name": "P",
        "applications_open_at": now,
        "applications_close_at": now,
        "matching_date": now.date(),
    }

    with pytest.raises(PermissionDenied, match="Only organizers"):
        services.program_create(actor=mentee, **window)  # type: ignore[arg-type]
    with pytest.raises(DomainError, match="must close after they open"):
        services.program_create(actor=organizer, **window)  # type: ignore[arg-type]

    assert not Program.objects.exists()


def test_program_create_by_the_operator_names_no_creator(db) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    program = services.program_create(
        actor=OPERATOR,
        name="Imported",
        applications_open_at=now,
        applications_close_at=now + timedelta(days=1),
        matching_date=now.date(),
    )

    assert program.created_by is None


def test_program_apply_needs_goals_and_is_refused_for_someone_else(organizer, mentee) -> None:
    program = _open_program(organizer)
    without_goals = make_member(display_name="No Goals")

    with pytest.raises(DomainError, match="Fill in your mentee goals first"):
        services.program_apply(
            program=program, user=without_goals, actor=without_goals, role=ProgramRole.MENTEE
        )
    with pytest.raises(PermissionDenied):
        services.program_apply(
            program=program, user=mentee, actor=without_goals, role=ProgramRole.MENTEE
        )
    services.program_apply(program=program, user=mentee, actor=mentee, role=ProgramRole.MENTEE)

    assert [a.user for a in ProgramApplication.objects.all()] == [mentee]


def test_program_withdraw_removes_the_application(organizer, mentee) -> None:
    program = _open_program(organizer)
    services.program_apply(program=program, user=mentee, actor=mentee, role=ProgramRole.MENTEE)

    with pytest.raises(PermissionDenied):
        services.program_withdraw(
            program=program, user=mentee, actor=make_member(display_name="Nosy")
        )
    services.program_withdraw(program=program, user=mentee, actor=mentee)

    assert not ProgramApplication.objects.exists()
    assert _actions()[-1] == "mentorship.program_withdraw"


def test_proposal_set_mentor_and_program_publish_refused_to_members(
    organizer, mentor, mentee
) -> None:
    program = _open_program(organizer)
    services.program_apply(program=program, user=mentor, actor=mentor, role=ProgramRole.MENTOR)
    services.program_apply(program=program, user=mentee, actor=mentee, role=ProgramRole.MENTEE)
    [proposal] = services.program_run_matcher(program=program, actor=organizer)

    with pytest.raises(PermissionDenied):
        services.proposal_set_mentor(proposal=proposal, mentor=None, actor=mentee)
    with pytest.raises(PermissionDenied):
        services.program_publish(program=program, actor=mentor)

    program.refresh_from_db()
    assert program.status == ProgramStatus.MATCHING
    assert not Mentorship.objects.exists()


def test_speed_event_create_keeps_the_title_to_one_line_and_refuses_members(
    organizer, mentee
) -> None:
    event = services.speed_event_create(
        actor=organizer, title="Blood\nBuddies", starts_at=timezone.now(), rounds=3
    )

    assert (event.title, event.rounds, event.created_by) == ("Blood Buddies", 3, organizer)
    with pytest.raises(PermissionDenied):
        services.speed_event_create(actor=mentee, title="Mine", starts_at=timezone.now())
    assert SpeedMentoringEvent.objects.count() == 1


def test_speed_participant_add_for_oneself_or_by_an_organizer_only(
    organizer, mentor, mentee
) -> None:
    event = services.speed_event_create(actor=organizer, title="B", starts_at=timezone.now())

    services.speed_participant_add(event=event, user=mentee, role=ProgramRole.MENTEE, actor=mentee)
    services.speed_participant_add(
        event=event, user=mentor, role=ProgramRole.MENTOR, actor=organizer
    )
    with pytest.raises(PermissionDenied):
        services.speed_participant_add(
            event=event, user=organizer, role=ProgramRole.MENTEE, actor=mentee
        )
    with pytest.raises(DomainError, match="Join as a mentor or as a mentee"):
        services.speed_participant_add(event=event, user=mentee, role="host", actor=mentee)

    assert sorted(p.user.pk for p in event.participants.all()) == sorted([mentor.pk, mentee.pk])


def test_speed_check_in_marks_here_and_refuses_members(organizer, mentee) -> None:
    event = services.speed_event_create(actor=organizer, title="B", starts_at=timezone.now())
    participant = services.speed_participant_add(
        event=event, user=mentee, role=ProgramRole.MENTEE, actor=mentee
    )

    with pytest.raises(PermissionDenied):
        services.speed_check_in(participant=participant, actor=mentee)
    services.speed_check_in(participant=participant, actor=organizer)

    assert SpeedParticipant.objects.get(pk=participant.pk).checked_in
    assert _actions()[-1] == "mentorship.speed_check_in"


def test_speed_event_sync_check_ins_marks_who_checked_in_at_the_session(
    organizer, mentor, mentee
) -> None:
    session = LiveSession.objects.create(title="Myeloma", starts_at=timezone.now())
    CheckIn.objects.create(session=session, user=mentee)
    event = services.speed_event_create(
        actor=organizer, title="B", starts_at=timezone.now(), session=session
    )
    for user, role in ((mentor, ProgramRole.MENTOR), (mentee, ProgramRole.MENTEE)):
        services.speed_participant_add(event=event, user=user, role=role, actor=user)

    with pytest.raises(PermissionDenied):
        services.speed_event_sync_check_ins(event=event, actor=mentee)
    marked = services.speed_event_sync_check_ins(event=event, actor=organizer)

    assert marked == 1
    assert [p.user for p in event.participants.filter(checked_in=True)] == [mentee]


def test_speed_event_schedule_refused_to_members(organizer, mentee) -> None:
    event = services.speed_event_create(actor=organizer, title="B", starts_at=timezone.now())

    with pytest.raises(PermissionDenied):
        services.speed_event_schedule(event=event, actor=mentee)

    assert not event.seats.exists()


def test_mentorship_other_is_the_other_side(pair, mentor, mentee) -> None:
    assert (pair.other(mentor), pair.other(mentee)) == (mentee, mentor)


# ---------------------------------------------------------------------------------------------
# What each service turns down, in the words the member reads; nothing is written.


def test_offer_save_refuses_a_bad_capacity_status_or_language(mentee) -> None:
    for fields, message in (
        ({"capacity": 0}, "Capacity is 1 to 10 mentees at once."),
        ({"status": "closed"}, "Unknown offer status."),
        ({"languages": ["en", "eng"]}, "Languages are two-letter ISO 639-1 codes, such as en"),
    ):
        with pytest.raises(DomainError, match=message):
            services.offer_save(user=mentee, actor=mentee, **fields)  # type: ignore[arg-type]

    assert not MentorOffer.objects.filter(user=mentee).exists()


def test_goals_save_refuses_empty_goals(db) -> None:  # type: ignore[no-untyped-def]
    member = make_member(display_name="No Goals")

    with pytest.raises(DomainError, match="Say in a sentence or two what you hope"):
        services.goals_save(user=member, actor=member, text="  \n ")

    assert not MenteeGoals.objects.exists()


def test_request_create_refusals_name_the_reason(mentor, mentee) -> None:
    services.offer_save(user=mentor, actor=mentor, capacity=2)
    services.request_create(mentee=mentee, actor=mentee, mentor=mentor, note="Hi")
    paused = make_member(display_name="Dr. Paused")
    services.offer_save(user=paused, actor=paused, status="paused")
    gone = make_member(display_name="Dr. Gone")
    services.offer_save(user=gone, actor=gone)
    gone.is_active = False
    gone.save(update_fields=["is_active"])

    for to, note, message in (
        (mentee, "Hi", "You cannot be your own mentor."),
        (mentor, "  ", "Write a short note: who you are and what you hope for."),
        (gone, "Hi", "This mentor is not available."),
        (paused, "Hi", "This mentor is not taking requests right now."),
        (mentor, "Again", "You already asked this mentor; they have not answered yet."),
    ):
        with pytest.raises(DomainError, match=message):
            services.request_create(mentee=mentee, actor=mentee, mentor=to, note=note)

    assert list(MentorshipRequest.objects.values_list("mentor__profile__display_name", "note")) == [
        ("Dr. Grace Mentor", "Hi")
    ]


def test_request_create_refused_to_the_mentors_own_mentee(mentor, mentee, pair) -> None:
    services.offer_save(user=mentor, actor=mentor, capacity=2)

    with pytest.raises(DomainError, match="This member is already your mentor"):
        services.request_create(mentee=mentee, actor=mentee, mentor=mentor, note="More")

    assert MentorshipRequest.objects.count() == 1


def test_request_accept_refused_once_either_side_blocked(mentor, mentee) -> None:
    request = services.request_create(mentee=mentee, actor=mentee, mentor=mentor, note="Hi")
    block_create(blocker=mentee, blocked=mentor)

    with pytest.raises(DomainError, match="This request can no longer be accepted"):
        services.request_accept(request=request, actor=mentor)

    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING
    assert not Mentorship.objects.exists()


def test_mentorship_empty_message_goal_and_feedback_are_refused(pair, mentee) -> None:
    with pytest.raises(DomainError, match="The message is empty"):
        services.mentorship_post_message(mentorship=pair, actor=mentee, body=" \n")
    with pytest.raises(DomainError, match="The goal is empty"):
        services.goal_add(mentorship=pair, actor=mentee, text="  ")
    services.mentorship_complete(mentorship=pair, actor=mentee)
    pair.refresh_from_db()
    with pytest.raises(DomainError, match="The feedback is empty"):
        services.feedback_leave(mentorship=pair, actor=mentee, text=" ")

    assert not pair.messages.exists() and not SharedGoal.objects.exists()
    assert not MentorshipFeedback.objects.exists()


def test_nothing_is_mailed_to_a_member_who_blocked_or_was_blocked(
    mentor, mentee, pair, mailbox: Mailbox, sent
) -> None:
    asked = make_member(display_name="Dr. Third")
    services.offer_save(user=asked, actor=asked)
    pending = make_member(display_name="Pat Pending")
    services.goals_save(user=pending, actor=pending, text="Grants.")
    services.offer_save(user=mentor, actor=mentor, capacity=2)
    refused = services.request_create(mentee=pending, actor=pending, mentor=mentor, note="Hi")
    block_create(blocker=mentee, blocked=mentor)
    block_create(blocker=pending, blocked=mentor)

    with sent():
        services.mentorship_post_message(mentorship=pair, actor=mentor, body="Still on?")
        services.mentorship_complete(mentorship=pair, actor=mentee)
        services.request_decline(request=refused, actor=mentor, message="Full.")
        # A mail that does go out, last: the ones above would have come before it.
        services.request_create(mentee=mentee, actor=mentee, mentor=asked, note="Hello")

    assert [m["To"] for m in mailbox.wait_for(1)] == [asked.email]
    pair.refresh_from_db()
    refused.refresh_from_db()
    assert pair.status == MentorshipStatus.COMPLETED and pair.messages.count() == 1
    assert refused.status == RequestStatus.DECLINED


def test_mentorship_exit_mails_nobody_after_a_block(pair, mentor, mentee, mailbox, sent) -> None:
    block_create(blocker=mentor, blocked=mentee)

    with sent():
        services.mentorship_exit(mentorship=pair, actor=mentee)

    pair.refresh_from_db()
    assert pair.status == MentorshipStatus.ENDED
    assert mailbox.messages == []


def test_program_apply_refusals_name_the_reason(organizer, mentor, mentee) -> None:
    program = _open_program(organizer)
    now = timezone.now()
    closed = services.program_create(
        actor=organizer,
        name="Last year",
        applications_open_at=now - timedelta(days=30),
        applications_close_at=now - timedelta(days=1),
        matching_date=now.date(),
    )

    for where, fields, message in (
        (closed, {"role": ProgramRole.MENTEE}, "Applications to this program are closed."),
        (program, {"role": "observer"}, "Apply as a mentor or as a mentee."),
        (program, {"role": ProgramRole.MENTOR, "capacity": 11}, "Capacity is 1 to 10."),
    ):
        with pytest.raises(DomainError, match=message):
            services.program_apply(program=where, user=mentor, actor=mentor, **fields)
    with pytest.raises(DomainError, match="Fill in your mentor offer first"):
        services.program_apply(program=program, user=mentee, actor=mentee, role="mentor")

    assert not ProgramApplication.objects.exists()


def test_program_withdraw_without_an_application_changes_nothing(organizer, mentee) -> None:
    program = _open_program(organizer)
    before = _actions()

    services.program_withdraw(program=program, user=mentee, actor=mentee)

    assert _actions() == before


def test_proposal_set_mentor_refused_when_full_or_after_publishing(
    organizer, mentor, mentee
) -> None:
    program = _open_program(organizer)
    second = make_member(display_name="Bo Second")
    services.goals_save(user=second, actor=second, text="Grants.")
    services.program_apply(program=program, user=mentor, actor=mentor, role=ProgramRole.MENTOR)
    for member in (mentee, second):
        services.program_apply(program=program, user=member, actor=member, role=ProgramRole.MENTEE)
    services.program_run_matcher(program=program, actor=organizer)
    matched = Proposal.objects.get(program=program, mentee=mentee)
    other = Proposal.objects.get(program=program, mentee=second)

    with pytest.raises(DomainError, match=r"Dr\. Grace Mentor has no seat left in this program"):
        services.proposal_set_mentor(proposal=other, mentor=mentor, actor=organizer)
    services.program_publish(program=program, actor=organizer)
    with pytest.raises(
        DomainError, match="Proposals can be changed between matching and publishing"
    ):
        services.proposal_set_mentor(proposal=matched, mentor=None, actor=organizer)

    matched.refresh_from_db()
    other.refresh_from_db()
    assert (matched.mentor, other.mentor) == (mentor, None)


def test_program_publish_leaves_a_pair_already_together_as_it_is(
    organizer, mentor, mentee, pair
) -> None:
    program = _open_program(organizer)
    services.offer_save(user=mentor, actor=mentor, capacity=2)
    services.program_apply(program=program, user=mentor, actor=mentor, role=ProgramRole.MENTOR)
    services.program_apply(program=program, user=mentee, actor=mentee, role=ProgramRole.MENTEE)
    [proposal] = services.program_run_matcher(program=program, actor=organizer)
    services.proposal_set_mentor(proposal=proposal, mentor=mentor, actor=organizer)

    started = services.program_publish(program=program, actor=organizer)

    assert started == []
    assert list(Mentorship.objects.all()) == [pair]
    program.refresh_from_db()
    assert program.status == ProgramStatus.PUBLISHED


def test_speed_event_sync_check_ins_without_a_session_marks_nobody(organizer, mentee) -> None:
    event = services.speed_event_create(actor=organizer, title="Drop-in", starts_at=timezone.now())
    services.speed_participant_add(event=event, user=mentee, actor=mentee, role=ProgramRole.MENTEE)

    marked = services.speed_event_sync_check_ins(event=event, actor=organizer)

    assert marked == 0
    assert not SpeedParticipant.objects.get(event=event).checked_in


def test_send_checkin_reminder_task_mails_both_sides(
    pair, mentor, mentee, mailbox: Mailbox, sent
) -> None:
    with sent():
        result = send_checkin_reminder_task.enqueue(pair.pk, pair.next_checkin_at.isoformat())

    assert result.return_value is True
    assert sorted(m["To"] for m in mailbox.wait_for(2)) == sorted([mentor.email, mentee.email])


def test_finder_for_a_visitor_lists_every_mentor_with_a_seat(mentor, mentee) -> None:
    services.offer_save(user=mentee, actor=mentee, capacity=1)

    offers = mentor_finder(viewer=None, filters=FinderFilters())

    assert sorted(o.user.profile.display_name for o in offers) == ["Ana Mentee", "Dr. Grace Mentor"]


def test_program_matcher_never_pairs_applicants_who_blocked_each_other(
    organizer, mentor, mentee
) -> None:
    program = _open_program(organizer)
    services.program_apply(program=program, user=mentor, actor=mentor, role=ProgramRole.MENTOR)
    services.program_apply(program=program, user=mentee, actor=mentee, role=ProgramRole.MENTEE)
    block_create(blocker=mentor, blocked=mentee)

    [proposal] = services.program_run_matcher(program=program, actor=organizer)

    assert (proposal.mentee, proposal.mentor) == (mentee, None)
    assert proposal.reason == "no eligible mentor (excluded 1)"


def test_proposal_set_mentor_despite_a_rule_says_which(organizer, mentor, mentee) -> None:
    program = _open_program(organizer)
    services.offer_save(user=mentor, actor=mentor, capacity=1, stages=["medical_student"])
    services.program_apply(program=program, user=mentor, actor=mentor, role=ProgramRole.MENTOR)
    services.program_apply(program=program, user=mentee, actor=mentee, role=ProgramRole.MENTEE)
    [proposal] = services.program_run_matcher(program=program, actor=organizer)

    services.proposal_set_mentor(proposal=proposal, mentor=mentor, actor=organizer)

    proposal.refresh_from_db()
    assert (proposal.mentor, proposal.score, proposal.edited) == (mentor, None, True)
    assert proposal.reason == "organizer's choice despite: stage"


def test_program_update_changes_fields_and_audits_their_names(organizer) -> None:
    program = _open_program(organizer)

    changed = services.program_update(
        program=program, actor=organizer, name="Spring\nschool", checkin_every_weeks=2
    )
    unchanged = services.program_update(program=program, actor=organizer, checkin_every_weeks=2)

    program.refresh_from_db()
    assert changed == ["checkin_every_weeks", "name"] and unchanged == []
    assert (program.name, program.checkin_every_weeks) == ("Spring school", 2)
    entry = AuditEntry.objects.get(action="mentorship.program_update")
    assert entry.changes == {"fields": ["checkin_every_weeks", "name"]}


def test_program_update_refuses_a_window_backwards_members_and_dates_after_publishing(
    organizer, mentor, mentee
) -> None:
    program = _open_program(organizer)
    now = timezone.now()

    with pytest.raises(DomainError, match="must close after they open"):
        services.program_update(
            program=program, actor=organizer, applications_close_at=now - timedelta(days=9)
        )
    with pytest.raises(PermissionDenied):
        services.program_update(program=program, actor=mentee, name="Mine now")
    services.program_apply(program=program, user=mentee, actor=mentee, role=ProgramRole.MENTEE)
    services.program_run_matcher(program=program, actor=organizer)
    services.program_publish(program=program, actor=organizer)
    with pytest.raises(DomainError, match="dates can no longer change"):
        services.program_update(program=program, actor=organizer, matching_date=now.date())
    services.program_update(program=program, actor=organizer, description="Thanks, all.")

    program.refresh_from_db()
    assert program.name != "Mine now" and program.description == "Thanks, all."


def test_program_close_applications_ends_the_window_now(organizer, mentee) -> None:
    program = _open_program(organizer)

    services.program_close_applications(program=program, actor=organizer)

    program.refresh_from_db()
    assert program.applications_close_at <= timezone.now()
    with pytest.raises(DomainError, match="closed"):
        services.program_apply(program=program, user=mentee, actor=mentee, role=ProgramRole.MENTEE)
    with pytest.raises(DomainError, match="already closed"):
        services.program_close_applications(program=program, actor=organizer)
    assert AuditEntry.objects.filter(action="mentorship.program_close").count() == 1


def test_program_close_applications_before_they_open_or_by_a_member_is_refused(
    organizer, mentee
) -> None:
    now = timezone.now()
    later = services.program_create(
        actor=organizer,
        name="Later",
        applications_open_at=now + timedelta(days=2),
        applications_close_at=now + timedelta(days=9),
        matching_date=(now + timedelta(days=10)).date(),
    )

    with pytest.raises(DomainError, match="not opened yet"):
        services.program_close_applications(program=later, actor=organizer)
    with pytest.raises(PermissionDenied):
        services.program_close_applications(program=later, actor=mentee)


def test_speed_participant_add_to_an_event_that_is_over_is_refused(organizer, mentee) -> None:
    event = services.speed_event_create(
        actor=organizer, title="Past", starts_at=timezone.now() - timedelta(hours=2), rounds=2
    )

    with pytest.raises(DomainError, match="This event is over"):
        services.speed_participant_add(
            event=event, user=mentee, role=ProgramRole.MENTEE, actor=mentee
        )


def test_speed_participants_add_by_an_organizer_only_and_before_the_end(
    organizer, mentor, mentee
) -> None:
    event = services.speed_event_create(
        actor=organizer, title="Soon", starts_at=timezone.now() + timedelta(days=1)
    )
    past = services.speed_event_create(
        actor=organizer, title="Past", starts_at=timezone.now() - timedelta(days=1)
    )

    added = services.speed_participants_add(
        event=event, mentors=[mentor], mentees=[mentee], actor=organizer
    )
    with pytest.raises(PermissionDenied):
        services.speed_participants_add(event=event, mentees=[mentor], actor=mentee)
    with pytest.raises(DomainError, match="over"):
        services.speed_participants_add(event=past, mentees=[mentee], actor=organizer)

    assert [(p.user, p.role) for p in added] == [(mentor, "mentor"), (mentee, "mentee")]
    assert AuditEntry.objects.get(action="mentorship.speed_add").changes == {
        "mentors": 1,
        "mentees": 1,
    }
