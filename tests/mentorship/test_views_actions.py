"""Every mentorship page and action URL: the member it is for sees the result, others 403/404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hemonc.events.models import CheckIn, LiveSession
from hemonc.members.models import User
from hemonc.members.services import block_create
from hemonc.mentorship import services
from hemonc.mentorship.enums import MentorshipStatus, ProgramRole, ProgramStatus, RequestStatus
from hemonc.mentorship.models import (
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
from tests.factories import make_member


@pytest.fixture
def stranger(db) -> User:  # type: ignore[no-untyped-def]
    return make_member(display_name="Sam Stranger")


@pytest.fixture
def asked(mentor, mentee) -> MentorshipRequest:  # type: ignore[no-untyped-def]
    return services.request_create(
        mentee=mentee, actor=mentee, mentor=mentor, note="I am a second-year fellow."
    )


@pytest.fixture
def pair(mentor, asked) -> Mentorship:  # type: ignore[no-untyped-def]
    return services.request_accept(request=asked, actor=mentor)


@pytest.fixture
def program(organizer) -> Program:  # type: ignore[no-untyped-def]
    now = timezone.now()
    return services.program_create(
        actor=organizer,
        name="Spring program",
        applications_open_at=now - timedelta(days=1),
        applications_close_at=now + timedelta(days=7),
        matching_date=(now + timedelta(days=8)).date(),
    )


@pytest.fixture
def event(organizer) -> SpeedMentoringEvent:  # type: ignore[no-untyped-def]
    return services.speed_event_create(
        actor=organizer, title="Blood Buddies", starts_at=timezone.now(), rounds=2, table_size=2
    )


def _page(client: Client, url: str, **data: str) -> str:
    response = client.get(url, data)
    assert response.status_code == 200
    return response.content.decode()


def _followed(client: Client, url: str, data: dict[str, str] | None = None) -> str:
    response = client.post(url, data or {}, follow=True)
    assert response.status_code == 200
    return response.content.decode()


# ---------------------------------------------------------------------------------------------
# Home, finder, offer and goals


def test_home_lists_my_mentorships_and_requests_both_ways(
    client: Client, mentor, mentee, pair
) -> None:
    other = make_member(display_name="Dr. Other Mentor")
    services.offer_save(user=other, actor=other, capacity=1)
    services.request_create(mentee=mentee, actor=mentee, mentor=other, note="Hi")
    client.force_login(mentee)

    page = _page(client, "/mentorship/")

    assert "Mentored by Dr. Grace Mentor" in page
    assert "Dr. Other Mentor" in page and "Waiting for an answer" in page
    client.force_login(mentor)
    page = _page(client, "/mentorship/")
    assert "Mentoring Ana Mentee" in page
    assert "0 of 1 seat left" in page


def test_home_hides_requests_either_way_once_a_side_blocked(client: Client, mentor, mentee) -> None:
    other = make_member(display_name="Dr. Other Mentor")
    services.offer_save(user=other, actor=other, capacity=1)
    services.request_create(mentee=mentee, actor=mentee, mentor=other, note="Hi")
    services.request_create(mentee=mentee, actor=mentee, mentor=mentor, note="Hello")
    block_create(blocker=other, blocked=mentee)
    client.force_login(mentee)

    page = _page(client, "/mentorship/")
    client.force_login(other)
    others_page = _page(client, "/mentorship/")

    assert "Dr. Grace Mentor" in page and "Dr. Other Mentor" not in page
    assert "Ana Mentee" not in others_page


def test_home_sends_visitors_to_sign_in(client: Client, db) -> None:
    response = client.get("/mentorship/")

    assert response.status_code == 302 and "login" in response["Location"]


def test_finder_answers_htmx_with_the_results_only(client: Client, mentor, mentee) -> None:
    client.force_login(mentee)

    response = client.get("/mentorship/mentors/", {"topic": "mmsm"}, headers={"HX-Request": "1"})

    fragment = response.content.decode()
    assert "Dr. Grace Mentor" in fragment and "1 mentor" in fragment
    assert "<form" not in fragment and "<html" not in fragment


def test_offer_edit_shows_the_offer_and_saves_changes(client: Client, mentor) -> None:
    client.force_login(mentor)

    page = _page(client, "/mentorship/offer/")
    response = client.post(
        "/mentorship/offer/", {"status": "paused", "capacity": "4", "about": "Careers."}
    )

    assert "Myeloma and academic careers." in page
    assert response.status_code == 302
    assert mentor.mentor_offer.__class__.objects.get(user=mentor).capacity == 4


def test_goals_edit_shows_the_goals_and_saves_changes(client: Client, mentor, mentee) -> None:
    client.force_login(mentee)

    page = _page(client, "/mentorship/goals/")
    response = client.post(
        "/mentorship/goals/", {"text": "Grants.", "excluded_mentors": str(mentor.pk)}
    )

    assert "Find my niche in myeloma research." in page
    assert response.status_code == 302
    goals = mentee.mentee_goals.__class__.objects.get(user=mentee)
    assert (goals.text, list(goals.excluded_mentors.all())) == ("Grants.", [mentor])


# ---------------------------------------------------------------------------------------------
# Requests


def test_request_create_sends_the_request_and_opens_it(client: Client, mentor, mentee) -> None:
    client.force_login(mentee)

    page = _page(client, f"/mentorship/mentors/{mentor.pk}/request/")
    after = _followed(client, f"/mentorship/mentors/{mentor.pk}/request/", {"note": "Hello!"})

    assert "Ask Dr. Grace Mentor to mentor you" in page
    assert "Your request to Dr. Grace Mentor" in after and "Hello!" in after


def test_request_create_shows_why_it_was_refused(client: Client, mentor, mentee, pair) -> None:
    client.force_login(mentee)

    response = client.post(f"/mentorship/mentors/{mentor.pk}/request/", {"note": "Again"})

    assert "no seat left" in response.content.decode()


def test_request_detail_shows_the_mentor_the_answer_form(client: Client, mentor, asked) -> None:
    client.force_login(mentor)

    page = _page(client, f"/mentorship/requests/{asked.pk}/")

    assert "Ana Mentee asks you to be their mentor" in page
    assert f'action="/mentorship/requests/{asked.pk}/accept/"' in page
    assert f'formaction="/mentorship/requests/{asked.pk}/decline/"' in page


def test_request_detail_is_hidden_from_strangers(client: Client, asked, stranger) -> None:
    client.force_login(stranger)

    assert client.get(f"/mentorship/requests/{asked.pk}/").status_code == 404


def test_request_accept_by_the_mentor_opens_the_mentorship(client: Client, mentor, asked) -> None:
    client.force_login(mentor)

    page = _followed(client, f"/mentorship/requests/{asked.pk}/accept/", {"message": "Welcome"})

    assert "You are now Ana Mentee&#x27;s mentor." in page
    assert "Mentoring Ana Mentee" in page
    asked.refresh_from_db()
    assert (asked.status, asked.response) == (RequestStatus.ACCEPTED, "Welcome")


def test_request_accept_refused_to_the_mentee_and_hidden_from_strangers(
    client: Client, mentee, asked, stranger
) -> None:
    client.force_login(mentee)
    as_mentee = client.post(f"/mentorship/requests/{asked.pk}/accept/")
    client.force_login(stranger)
    as_stranger = client.post(f"/mentorship/requests/{asked.pk}/accept/")

    assert (as_mentee.status_code, as_stranger.status_code) == (403, 404)
    asked.refresh_from_db()
    assert asked.status == RequestStatus.PENDING


def test_request_accept_twice_says_it_was_already_accepted(
    client: Client, mentor, asked, pair
) -> None:
    client.force_login(mentor)

    page = _followed(client, f"/mentorship/requests/{asked.pk}/accept/")

    assert "This request was already accepted." in page


def test_request_decline_by_the_mentor(client: Client, mentor, mentee, asked) -> None:
    client.force_login(mentee)
    refused = client.post(f"/mentorship/requests/{asked.pk}/decline/")
    client.force_login(mentor)

    page = _followed(client, f"/mentorship/requests/{asked.pk}/decline/", {"message": "Full."})

    assert refused.status_code == 403
    assert "You declined the request." in page
    asked.refresh_from_db()
    assert asked.status == RequestStatus.DECLINED


def test_request_answer_forms_show_their_errors(client: Client, mentor, asked) -> None:
    client.force_login(mentor)

    for action in ("accept", "decline"):
        response = client.post(
            f"/mentorship/requests/{asked.pk}/{action}/", {"message": "x" * 2001}
        )
        assert "at most 2000 characters" in response.content.decode()
    asked.refresh_from_db()
    assert asked.status == RequestStatus.PENDING


def test_request_withdraw_by_the_mentee(client: Client, mentor, mentee, asked) -> None:
    client.force_login(mentor)
    refused = client.post(f"/mentorship/requests/{asked.pk}/withdraw/")
    client.force_login(mentee)

    page = _followed(client, f"/mentorship/requests/{asked.pk}/withdraw/")
    again = _followed(client, f"/mentorship/requests/{asked.pk}/withdraw/")

    assert refused.status_code == 403
    assert "Your request is withdrawn." in page
    assert "This request was already withdrawn." in again
    asked.refresh_from_db()
    assert asked.status == RequestStatus.WITHDRAWN


def test_request_actions_take_no_get(client: Client, mentor, asked) -> None:
    client.force_login(mentor)

    assert client.get(f"/mentorship/requests/{asked.pk}/accept/").status_code == 405


def test_request_detail_is_hidden_once_either_side_blocks(
    client: Client, mentor, mentee, asked
) -> None:
    block_create(blocker=mentor, blocked=mentee)
    client.force_login(mentee)

    assert client.get(f"/mentorship/requests/{asked.pk}/").status_code == 404


def test_request_decline_twice_says_it_was_already_declined(client: Client, mentor, asked) -> None:
    client.force_login(mentor)
    _followed(client, f"/mentorship/requests/{asked.pk}/decline/", {"message": "Full."})

    again = _followed(client, f"/mentorship/requests/{asked.pk}/decline/", {"message": "Sorry."})

    assert "This request was already declined." in again
    asked.refresh_from_db()
    assert (asked.status, asked.response) == (RequestStatus.DECLINED, "Full.")


def test_goals_edit_without_goals_shows_an_empty_form(client: Client, stranger) -> None:
    client.force_login(stranger)

    page = _page(client, "/mentorship/goals/")

    assert "Your goals" in page
    assert 'name="text"' in page and "Find my niche" not in page


# ---------------------------------------------------------------------------------------------
# Mentorships


def test_mentorship_detail_shows_the_other_side(client: Client, mentee, pair) -> None:
    client.force_login(mentee)

    page = _page(client, f"/mentorship/m/{pair.pk}/")

    assert "Mentored by Dr. Grace Mentor" in page
    assert f'action="/mentorship/m/{pair.pk}/message/"' in page


def test_mentorship_message_reaches_the_thread(client: Client, mentee, pair) -> None:
    client.force_login(mentee)

    page = _followed(client, f"/mentorship/m/{pair.pk}/message/", {"body": "Tuesday at 5?"})

    assert "Your message is sent." in page and "Tuesday at 5?" in page


def test_mentorship_message_empty_shows_the_error(client: Client, mentee, pair) -> None:
    client.force_login(mentee)

    response = client.post(f"/mentorship/m/{pair.pk}/message/", {"body": ""})

    page = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in page and "Please correct the form below." in page
    assert not pair.messages.exists()


def test_mentorship_actions_are_hidden_from_strangers(client: Client, pair, stranger) -> None:
    client.force_login(stranger)

    for action in ("message", "goals", "checkins", "complete", "feedback", "exit"):
        assert client.post(f"/mentorship/m/{pair.pk}/{action}/", {}).status_code == 404
    assert not pair.messages.exists()


def test_mentorship_goal_add_and_toggle(client: Client, mentor, pair) -> None:
    client.force_login(mentor)

    page = _followed(client, f"/mentorship/m/{pair.pk}/goals/", {"text": "Submit to ASH"})
    goal = SharedGoal.objects.get(mentorship=pair)
    _followed(client, f"/mentorship/m/{pair.pk}/goals/{goal.pk}/toggle/")

    assert "The goal is on your shared list." in page and "Submit to ASH" in page
    goal.refresh_from_db()
    assert goal.done


def test_mentorship_goal_add_empty_shows_the_error(client: Client, mentor, pair) -> None:
    client.force_login(mentor)

    response = client.post(f"/mentorship/m/{pair.pk}/goals/", {"text": ""})

    assert "This field is required." in response.content.decode()
    assert not SharedGoal.objects.exists()


def test_mentorship_checkins_change_the_rhythm(client: Client, mentee, pair) -> None:
    client.force_login(mentee)

    page = _followed(client, f"/mentorship/m/{pair.pk}/checkins/", {"every_weeks": "2"})
    invalid = client.post(f"/mentorship/m/{pair.pk}/checkins/", {"every_weeks": "27"})

    assert "Check-in reminders are updated." in page
    assert "Select a valid choice." in invalid.content.decode()
    pair.refresh_from_db()
    assert pair.checkin_every_weeks == 2
    assert '<option value="2" selected>Check in every 2 weeks</option>' in page
    assert "Check in every week</option>" in page and "No check-in reminders</option>" in page


def test_mentorship_checkins_keep_a_rhythm_outside_the_usual_ones(
    client: Client, mentee, pair
) -> None:
    services.mentorship_set_checkins(mentorship=pair, actor=mentee, every_weeks=5)
    client.force_login(mentee)

    page = _page(client, f"/mentorship/m/{pair.pk}/")

    assert '<option value="5" selected>Check in every 5 weeks</option>' in page
    assert "(weeks)" not in page


def test_mentorship_complete_then_feedback(client: Client, mentee, pair) -> None:
    client.force_login(mentee)

    done = _followed(client, f"/mentorship/m/{pair.pk}/complete/", {"feedback": "Great."})
    again = _followed(client, f"/mentorship/m/{pair.pk}/complete/", {"feedback": ""})
    thanks = _followed(client, f"/mentorship/m/{pair.pk}/feedback/", {"feedback": "Even better."})

    assert "The mentorship is complete. Thank you both." in done
    assert "This mentorship has ended." in again
    assert "Your feedback: Even better." in thanks
    assert MentorshipFeedback.objects.get().text == "Even better."


def test_mentorship_feedback_before_completion_shows_why(client: Client, mentee, pair) -> None:
    client.force_login(mentee)

    page = _followed(client, f"/mentorship/m/{pair.pk}/feedback/", {"feedback": "Early"})

    assert "Feedback is left when a mentorship is complete." in page
    assert not MentorshipFeedback.objects.exists()


def test_mentorship_exit_asks_then_ends(client: Client, mentee, pair) -> None:
    client.force_login(mentee)

    ask = _page(client, f"/mentorship/m/{pair.pk}/exit/")
    ended = _followed(client, f"/mentorship/m/{pair.pk}/exit/")
    again = _followed(client, f"/mentorship/m/{pair.pk}/exit/")

    assert "Leave this mentorship?" in ask
    assert "The mentorship has ended." in ended
    assert "This mentorship has ended." in again
    pair.refresh_from_db()
    assert pair.status == MentorshipStatus.ENDED


def test_mentorship_detail_is_hidden_once_either_side_blocks(
    client: Client, mentor, mentee, pair
) -> None:
    block_create(blocker=mentee, blocked=mentor)
    client.force_login(mentor)

    assert client.get(f"/mentorship/m/{pair.pk}/").status_code == 404


def test_mentorship_actions_after_it_ended_say_so_and_change_nothing(
    client: Client, mentee, pair
) -> None:
    client.force_login(mentee)
    _followed(client, f"/mentorship/m/{pair.pk}/exit/")

    for action, data in (
        ("message", {"body": "Still there?"}),
        ("goals", {"text": "Submit to ASH"}),
        ("checkins", {"every_weeks": "2"}),
    ):
        page = _followed(client, f"/mentorship/m/{pair.pk}/{action}/", data)
        assert "This mentorship has ended." in page

    pair.refresh_from_db()
    assert not pair.messages.exists() and not SharedGoal.objects.exists()
    assert pair.checkin_every_weeks != 2


def test_mentorship_complete_and_feedback_too_long_show_the_error(
    client: Client, mentee, pair
) -> None:
    client.force_login(mentee)
    url = f"/mentorship/m/{pair.pk}/"

    completing = client.post(url + "complete/", {"feedback": "x" * 4001})
    pair.refresh_from_db()
    still_active = pair.status == MentorshipStatus.ACTIVE
    _followed(client, url + "complete/")
    leaving = client.post(url + "feedback/", {"feedback": "x" * 4001})

    for response in (completing, leaving):
        page = response.content.decode()
        assert response.status_code == 200
        assert "at most 4000 characters" in page and "Please correct the form below." in page
    assert still_active
    assert not MentorshipFeedback.objects.exists()


# ---------------------------------------------------------------------------------------------
# Programs


def test_program_list_shows_drafts_to_organizers_only(
    client: Client, organizer, mentee, program
) -> None:
    Program.objects.filter(pk=program.pk).update(status=ProgramStatus.DRAFT)
    client.force_login(organizer)
    as_organizer = _page(client, "/mentorship/programs/")
    client.force_login(mentee)
    as_member = _page(client, "/mentorship/programs/")

    assert "Spring program" in as_organizer and "Open a program" in as_organizer
    assert "Spring program" not in as_member and "Open a program" not in as_member
    assert client.get(f"/mentorship/programs/{program.pk}/").status_code == 404


def test_program_new_for_organizers_only(client: Client, organizer, mentee) -> None:
    client.force_login(mentee)
    refused = client.get("/mentorship/programs/new/")
    client.force_login(organizer)

    form = _page(client, "/mentorship/programs/new/")
    page = _followed(
        client,
        "/mentorship/programs/new/",
        {
            "name": "Fall program",
            "applications_open_at": "2026-01-01T10:00",
            "applications_close_at": "2026-02-01T10:00",
            "matching_date": "2026-02-05",
            "checkin_every_weeks": "4",
        },
    )

    assert refused.status_code == 403
    assert "Open a mentorship program" in form
    assert "Checkin every weeks" not in form and "Check in every 2 weeks" in form
    assert "The program is open for applications." in page and "Fall program" in page


def test_program_new_that_closes_before_it_opens_shows_the_error(client: Client, organizer) -> None:
    client.force_login(organizer)

    response = client.post(
        "/mentorship/programs/new/",
        {
            "name": "Backwards program",
            "applications_open_at": "2026-02-01T10:00",
            "applications_close_at": "2026-01-01T10:00",
            "matching_date": "2026-02-05",
            "checkin_every_weeks": "4",
        },
    )

    assert response.status_code == 200
    assert "Applications must close after they open." in response.content.decode()
    assert not Program.objects.filter(name="Backwards program").exists()


def test_program_apply_and_withdraw(client: Client, mentee, program) -> None:
    client.force_login(mentee)

    page = _page(client, f"/mentorship/programs/{program.pk}/")
    applied = _followed(client, f"/mentorship/programs/{program.pk}/apply/", {"role": "mentee"})
    withdrawn = _followed(client, f"/mentorship/programs/{program.pk}/withdraw/")

    assert f'action="/mentorship/programs/{program.pk}/apply/"' in page
    assert "Your application is in." in applied and "You applied as a mentee." in applied
    assert "You can change or withdraw your application until" in applied
    assert "Your application is withdrawn." in withdrawn
    assert not ProgramApplication.objects.exists()


def test_program_apply_shows_why_it_was_refused(client: Client, program) -> None:
    member = make_member(display_name="No Offer")
    client.force_login(member)

    refused = client.post(f"/mentorship/programs/{program.pk}/apply/", {"role": "mentor"})
    invalid = client.post(f"/mentorship/programs/{program.pk}/apply/", {"role": "host"})

    assert "Fill in your mentor offer first" in refused.content.decode()
    assert "Select a valid choice." in invalid.content.decode()
    assert not ProgramApplication.objects.exists()


def test_program_withdraw_after_publishing_shows_why(
    client: Client, organizer, mentor, mentee, program
) -> None:
    for user, role in ((mentor, ProgramRole.MENTOR), (mentee, ProgramRole.MENTEE)):
        services.program_apply(program=program, user=user, actor=user, role=role)
    services.program_run_matcher(program=program, actor=organizer)
    services.program_publish(program=program, actor=organizer)
    client.force_login(mentee)

    page = _followed(client, f"/mentorship/programs/{program.pk}/withdraw/")

    assert "The matches are published; leave the mentorship instead." in page
    assert ProgramApplication.objects.filter(user=mentee).exists()


def _applied(program: Program, mentor: User, mentee: User) -> None:
    services.program_apply(program=program, user=mentor, actor=mentor, role=ProgramRole.MENTOR)
    services.program_apply(program=program, user=mentee, actor=mentee, role=ProgramRole.MENTEE)


def test_program_review_match_set_and_publish_by_an_organizer(
    client: Client, organizer, mentor, mentee, program
) -> None:
    _applied(program, mentor, mentee)
    client.force_login(organizer)

    matched = _followed(client, f"/mentorship/programs/{program.pk}/match/")
    proposal = Proposal.objects.get(program=program)
    removed = _followed(
        client,
        f"/mentorship/programs/{program.pk}/proposal/",
        {"proposal": str(proposal.pk), "mentor": ""},
    )
    restored = _followed(
        client,
        f"/mentorship/programs/{program.pk}/proposal/",
        {"proposal": str(proposal.pk), "mentor": str(mentor.pk)},
    )
    published = _followed(client, f"/mentorship/programs/{program.pk}/publish/")
    again = _followed(client, f"/mentorship/programs/{program.pk}/match/")

    assert "The matcher proposes 1 pair for 1 mentee." in matched
    assert f'action="/mentorship/programs/{program.pk}/proposal/"' in matched
    assert "removed by an organizer" in removed
    assert "The proposal is updated." in restored
    assert "Published: 1 mentorship started, and both sides got a mail." in published
    assert "The matches are already published." in again
    assert Mentorship.objects.get(program=program).mentee == mentee


def test_program_review_refuses_a_mentor_outside_the_program(
    client: Client, organizer, mentor, mentee, program
) -> None:
    _applied(program, mentor, mentee)
    services.program_run_matcher(program=program, actor=organizer)
    proposal = Proposal.objects.get(program=program)
    client.force_login(organizer)

    page = _followed(
        client,
        f"/mentorship/programs/{program.pk}/proposal/",
        {"proposal": str(proposal.pk), "mentor": str(organizer.pk)},
    )
    early = _followed(client, f"/mentorship/programs/{program.pk}/publish/")

    assert "Olu Organizer is not a mentor in this program." in page
    assert "Published" in early  # the review was done: publishing goes ahead


def test_program_publish_before_matching_shows_why(client: Client, organizer, program) -> None:
    client.force_login(organizer)

    page = _followed(client, f"/mentorship/programs/{program.pk}/publish/")

    assert "Run the matcher and review its proposals before publishing." in page


def test_program_review_actions_refused_to_members(client: Client, mentor, mentee, program) -> None:
    _applied(program, mentor, mentee)
    client.force_login(mentee)

    codes = [client.get(f"/mentorship/programs/{program.pk}/review/").status_code] + [
        client.post(f"/mentorship/programs/{program.pk}/{action}/", {}).status_code
        for action in ("match", "proposal", "publish")
    ]

    assert codes == [403, 403, 403, 403]
    assert not Proposal.objects.exists()


def test_program_review_sends_visitors_to_sign_in(client: Client, program) -> None:
    response = client.post(f"/mentorship/programs/{program.pk}/match/")

    assert response.status_code == 302 and "login" in response["Location"]


# ---------------------------------------------------------------------------------------------
# Speed mentoring


def test_speed_list_shows_the_new_event_form_to_organizers_only(
    client: Client, organizer, mentee, event
) -> None:
    client.force_login(organizer)
    as_organizer = _page(client, "/mentorship/speed/")
    client.force_login(mentee)
    as_member = _page(client, "/mentorship/speed/")

    assert "Blood Buddies" in as_organizer and 'action="/mentorship/speed/new/"' in as_organizer
    assert "Blood Buddies" in as_member and "New event" not in as_member


def test_speed_event_new_by_an_organizer(client: Client, organizer, mentee) -> None:
    session = LiveSession.objects.create(title="Myeloma night", starts_at=timezone.now())
    data = {
        "title": "Spring Buddies",
        "starts_at": "2026-05-01T18:00",
        "rounds": "3",
        "table_size": "2",
        "round_minutes": "8",
        "session": str(session.pk),
    }
    client.force_login(mentee)
    refused = client.post("/mentorship/speed/new/", data)
    client.force_login(organizer)

    invalid = client.post("/mentorship/speed/new/", {**data, "rounds": "0"})
    page = _followed(client, "/mentorship/speed/new/", data)

    assert refused.status_code == 403
    assert "greater than or equal to 1" in invalid.content.decode()
    assert "The speed-mentoring event is created." in page and "Myeloma night" in page
    assert SpeedMentoringEvent.objects.get().session == session


def test_speed_join_as_mentee_or_mentor(client: Client, mentor, mentee, event) -> None:
    client.force_login(mentee)
    page = _page(client, f"/mentorship/speed/{event.pk}/")
    joined = _followed(client, f"/mentorship/speed/{event.pk}/join/mentee/")
    client.force_login(mentor)
    _followed(client, f"/mentorship/speed/{event.pk}/join/mentor/")

    assert f'formaction="/mentorship/speed/{event.pk}/join/mentor/"' in page
    assert "You are on the list" in joined and "as a mentee" in joined
    roles = dict(event.participants.values_list("user_id", "role"))
    assert roles == {mentee.pk: ProgramRole.MENTEE, mentor.pk: ProgramRole.MENTOR}


def test_speed_check_in_sync_and_schedule_by_an_organizer(
    client: Client, organizer, mentor, mentee
) -> None:
    session = LiveSession.objects.create(title="Myeloma night", starts_at=timezone.now())
    event = services.speed_event_create(
        actor=organizer, title="B", starts_at=timezone.now(), session=session
    )
    mentee_seat = services.speed_participant_add(
        event=event, user=mentee, role=ProgramRole.MENTEE, actor=mentee
    )
    services.speed_participant_add(event=event, user=mentor, role=ProgramRole.MENTOR, actor=mentor)
    CheckIn.objects.create(session=session, user=mentor)
    client.force_login(organizer)

    page = _page(client, f"/mentorship/speed/{event.pk}/")
    _followed(
        client,
        f"/mentorship/speed/{event.pk}/check-in/",
        {"participant": str(mentee_seat.pk), "value": "1"},
    )
    synced = _followed(client, f"/mentorship/speed/{event.pk}/sync/")
    scheduled = _followed(client, f"/mentorship/speed/{event.pk}/schedule/")
    projector = _page(client, f"/mentorship/speed/{event.pk}/projector/", round="1")
    printed = _page(client, f"/mentorship/speed/{event.pk}/print/")

    assert f'action="/mentorship/speed/{event.pk}/check-in/"' in page
    assert SpeedParticipant.objects.get(pk=mentee_seat.pk).checked_in
    assert "1 person is marked here from the session" in synced
    assert "Scheduled 1 conversation." in scheduled and "Round 1" in scheduled
    assert "Dr. Grace Mentor" in projector and "Ana Mentee" in projector
    assert "Ana Mentee" in printed and "Dr. Grace Mentor" in printed


def test_speed_organizer_actions_refused_to_members(client: Client, mentee, event) -> None:
    participant = services.speed_participant_add(
        event=event, user=mentee, role=ProgramRole.MENTEE, actor=mentee
    )
    client.force_login(mentee)

    codes = [
        client.post(f"/mentorship/speed/{event.pk}/check-in/", {"participant": participant.pk}),
        client.post(f"/mentorship/speed/{event.pk}/sync/"),
        client.post(f"/mentorship/speed/{event.pk}/schedule/"),
        client.get(f"/mentorship/speed/{event.pk}/projector/"),
    ]

    assert [r.status_code for r in codes] == [403, 403, 403, 403]
    assert not SpeedParticipant.objects.get(pk=participant.pk).checked_in
    assert "Check in Ana Mentee" not in _page(client, f"/mentorship/speed/{event.pk}/")


def test_program_match_counts_in_plurals(
    client: Client, organizer, mentor, mentee, program
) -> None:
    second = make_member(display_name="Bo Second", stage="fellow")
    services.goals_save(user=second, actor=second, text="Anything.")
    _applied(program, mentor, mentee)
    services.program_apply(program=program, user=second, actor=second, role=ProgramRole.MENTEE)
    client.force_login(organizer)

    matched = _followed(client, f"/mentorship/programs/{program.pk}/match/")

    assert "The matcher proposes 1 pair for 2 mentees." in matched
    assert "1 mentor and 2 mentees applied." in matched


def test_program_page_after_publishing_names_my_mentor(
    client: Client, organizer, mentor, mentee, program
) -> None:
    _applied(program, mentor, mentee)
    services.program_run_matcher(program=program, actor=organizer)
    client.force_login(mentee)
    matching = _page(client, f"/mentorship/programs/{program.pk}/")
    services.program_publish(program=program, actor=organizer)

    published = _page(client, f"/mentorship/programs/{program.pk}/")

    assert "Applications are closed. The organizers are matching mentors and mentees; you " in (
        matching
    )
    assert "The pairs were published on" in published
    assert "Dr. Grace Mentor is your mentor in this program." in published
    assert "Applications are closed (" not in published


def test_program_page_before_its_window_says_when_it_opens(
    client: Client, organizer, mentee
) -> None:
    now = timezone.now()
    later = services.program_create(
        actor=organizer,
        name="Autumn program",
        applications_open_at=now + timedelta(days=3),
        applications_close_at=now + timedelta(days=10),
        matching_date=(now + timedelta(days=12)).date(),
    )
    client.force_login(mentee)

    page = _page(client, f"/mentorship/programs/{later.pk}/")

    assert "Applications open on " in page and "Come back then to apply." in page
    assert 'action="/mentorship/programs/' not in page


def test_program_edit_by_an_organizer(client: Client, organizer, program) -> None:
    client.force_login(organizer)
    form = _page(client, f"/mentorship/programs/{program.pk}/edit/")

    page = _followed(
        client,
        f"/mentorship/programs/{program.pk}/edit/",
        {
            "name": "Spring program, second round",
            "description": "Now with **round tables**.",
            "applications_open_at": "2026-01-01T10:00",
            "applications_close_at": "2026-02-01T10:00",
            "matching_date": "2026-02-05",
            "checkin_every_weeks": "2",
        },
    )

    assert 'value="Spring program"' in form and '<option value="4" selected>' in form
    assert "The program is updated." in page and "Spring program, second round" in page
    program.refresh_from_db()
    assert (program.checkin_every_weeks, program.matching_date.isoformat()) == (2, "2026-02-05")


def test_program_edit_shows_why_dates_stay_after_publishing(
    client: Client, organizer, mentor, mentee, program
) -> None:
    _applied(program, mentor, mentee)
    services.program_run_matcher(program=program, actor=organizer)
    services.program_publish(program=program, actor=organizer)
    client.force_login(organizer)

    response = client.post(
        f"/mentorship/programs/{program.pk}/edit/",
        {
            "name": program.name,
            "applications_open_at": "2026-01-01T10:00",
            "applications_close_at": "2026-02-01T10:00",
            "matching_date": "2026-02-05",
            "checkin_every_weeks": "4",
        },
    )

    assert response.status_code == 200
    assert "The pairs are published: the dates can no longer change." in response.content.decode()


def test_program_close_applications_now(client: Client, organizer, mentee, program) -> None:
    client.force_login(organizer)
    page = _page(client, f"/mentorship/programs/{program.pk}/")

    closed = _followed(client, f"/mentorship/programs/{program.pk}/close/")
    again = _followed(client, f"/mentorship/programs/{program.pk}/close/")
    client.force_login(mentee)
    refused = _followed(client, f"/mentorship/programs/{program.pk}/apply/", {"role": "mentee"})

    assert f'action="/mentorship/programs/{program.pk}/close/"' in page
    assert "Applications are closed. You can run the matcher now." in closed
    assert "Applications to this program are already closed." in again
    assert "Applications to this program are closed." in refused
    assert not ProgramApplication.objects.exists()


def test_program_edit_and_close_refused_to_members(client: Client, mentee, program) -> None:
    client.force_login(mentee)

    codes = [
        client.get(f"/mentorship/programs/{program.pk}/edit/").status_code,
        client.post(f"/mentorship/programs/{program.pk}/close/").status_code,
    ]

    assert codes == [403, 403]
    assert "Close applications now" not in _page(client, f"/mentorship/programs/{program.pk}/")


def test_speed_add_people_by_name_by_an_organizer(
    client: Client, organizer, mentor, mentee, event
) -> None:
    client.force_login(organizer)
    page = _page(client, f"/mentorship/speed/{event.pk}/")

    added = _followed(
        client,
        f"/mentorship/speed/{event.pk}/add/",
        {"mentors": [str(mentor.pk)], "mentees": [str(mentee.pk)]},
    )
    empty = client.post(f"/mentorship/speed/{event.pk}/add/", {})
    twice = _followed(
        client,
        f"/mentorship/speed/{event.pk}/add/",
        {"mentors": [str(mentee.pk)], "mentees": [str(mentee.pk)]},
    )

    assert f'action="/mentorship/speed/{event.pk}/add/"' in page
    assert 'data-url="/members/pick/"' in page and "Add mentees" in page
    assert "2 people are on the list." in added
    assert "Check in Dr. Grace Mentor" in added and "Check in Ana Mentee" in added
    assert empty.status_code == 400 and "Pick at least one person to add." in empty.content.decode()
    assert "Choose one role for Ana Mentee: mentor or mentee." in twice
    roles = dict(event.participants.values_list("user_id", "role"))
    assert roles == {mentor.pk: ProgramRole.MENTOR, mentee.pk: ProgramRole.MENTEE}


def test_speed_add_people_refused_to_members(client: Client, mentor, mentee, event) -> None:
    client.force_login(mentee)

    response = client.post(f"/mentorship/speed/{event.pk}/add/", {"mentors": [str(mentor.pk)]})
    page = _page(client, f"/mentorship/speed/{event.pk}/")

    assert response.status_code == 403
    assert "Add people to the list" not in page
    assert not event.participants.exists()


def test_home_lists_programs_and_the_coming_speed_events(
    client: Client, organizer, mentee, program
) -> None:
    soon = services.speed_event_create(
        actor=organizer, title="Winter round", starts_at=timezone.now() + timedelta(days=3)
    )
    services.speed_event_create(
        actor=organizer, title="Long ago", starts_at=timezone.now() - timedelta(days=60)
    )
    client.force_login(mentee)

    page = _page(client, "/mentorship/")

    section = page[page.index("Programs and events") :]
    assert "Spring program" in section and "Open for applications" in section
    assert soon.get_absolute_url() in section and "Speed mentoring on" in section
    assert "Long ago" not in section and " · " not in section


def test_speed_pages_say_their_numbers_in_words(client: Client, organizer, event) -> None:
    people = [make_member(display_name=n) for n in ("Dr. Mentor", "Ann One", "Bo Two")]
    for user, role in zip(people, ("mentor", "mentee", "mentee"), strict=True):
        participant = services.speed_participant_add(event=event, user=user, role=role, actor=user)
        services.speed_check_in(participant=participant, actor=organizer)
    services.speed_event_schedule(event=event, actor=organizer)
    client.force_login(organizer)

    listing = _page(client, "/mentorship/speed/")
    page = _page(client, f"/mentorship/speed/{event.pk}/")
    projector = _page(client, f"/mentorship/speed/{event.pk}/projector/")

    assert "Mentees per table" in listing and "Minutes per round" in listing
    assert "Table size" not in listing and "Round minutes" not in listing
    assert "2 rounds of 8 minutes, with up to 2 mentees at each mentor" in page
    assert "<h1>Round 1 of 1</h1>" in projector  # one mentor: nobody new to meet after
    assert "Ann One, Bo Two" in projector or "Bo Two, Ann One" in projector
    assert " · " not in projector.split("<main", 1)[-1].split("</main>")[0]


def test_program_review_lists_who_applied_with_seats_proposed(
    client: Client, organizer, mentor, mentee, program
) -> None:
    _applied(program, mentor, mentee)
    hidden = make_member(display_name="Hal Hidden", stage="fellow")
    services.goals_save(user=hidden, actor=hidden, text="Goals.")
    services.program_apply(program=program, user=hidden, actor=hidden, role=ProgramRole.MENTEE)
    block_create(blocker=hidden, blocked=organizer)
    client.force_login(organizer)
    before = _page(client, f"/mentorship/programs/{program.pk}/review/")

    after = _followed(client, f"/mentorship/programs/{program.pk}/match/")

    assert "Who applied" in before and "Ana Mentee" in before
    assert "0 of 1 mentee proposed" in before and "1 of 1 mentee proposed" in after
    assert "Hal Hidden" not in before.split("Who applied")[1].split("</details>")[0]


def test_request_create_for_a_full_or_paused_mentor_says_so_without_a_form(
    client: Client, mentor, mentee, pair
) -> None:
    other = make_member(display_name="Oli Other", stage="fellow")
    client.force_login(other)
    full = _page(client, f"/mentorship/mentors/{mentor.pk}/request/")
    services.offer_save(user=mentor, actor=mentor, capacity=2, status="paused")
    paused = _page(client, f"/mentorship/mentors/{mentor.pk}/request/")

    assert "Dr. Grace Mentor has no seat left right now." in full
    assert "Dr. Grace Mentor is not taking requests right now." in paused
    assert "Send request" not in full and "Send request" not in paused


def test_program_new_that_opens_later_says_when(client: Client, organizer) -> None:
    client.force_login(organizer)
    opens = timezone.localtime() + timedelta(days=40)

    page = _followed(
        client,
        "/mentorship/programs/new/",
        {
            "name": "Later program",
            "applications_open_at": opens.strftime("%Y-%m-%dT10:00"),
            "applications_close_at": (opens + timedelta(days=9)).strftime("%Y-%m-%dT10:00"),
            "matching_date": (opens + timedelta(days=10)).strftime("%Y-%m-%d"),
            "checkin_every_weeks": "4",
        },
    )

    assert f"The program is ready. Applications open on {opens.day} " in page
    assert "The program is open for applications." not in page


def test_goals_and_offer_forms_list_disease_topics_before_conference_tags(
    client: Client, mentor
) -> None:
    client.force_login(mentor)

    for url in ("/mentorship/goals/", "/mentorship/offer/"):
        page = _page(client, url)
        assert page.index("Breast cancer") < page.index("ASCO annual meeting")
