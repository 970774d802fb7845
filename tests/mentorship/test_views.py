"""The mentorship pages: forms show errors, blocks hide people, organizers' pages stay theirs."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hemonc.members.enums import Role
from hemonc.members.services import block_create, profile_update
from hemonc.mentorship import services
from hemonc.mentorship.enums import ProgramRole
from hemonc.mentorship.models import MenteeGoals, MentorOffer, MentorshipRequest
from hemonc.mentorship.services import request_accept, request_create
from tests.factories import make_member


def test_finder_lists_the_mentor_with_seats_left(client: Client, mentor, mentee) -> None:
    client.force_login(mentee)

    response = client.get("/mentorship/mentors/", {"topic": "mmsm", "with_seats": "on"})

    assert "Dr. Grace Mentor" in response.content.decode()
    assert "1 of 1 seat left" in response.content.decode()


def test_finder_hides_a_mentor_who_blocked_the_viewer(client: Client, mentor, mentee) -> None:
    block_create(blocker=mentor, blocked=mentee)
    client.force_login(mentee)

    page = client.get("/mentorship/mentors/").content.decode()
    request_page = client.get(f"/mentorship/mentors/{mentor.pk}/request/")

    assert "Dr. Grace Mentor" not in page
    assert request_page.status_code == 404


def test_request_form_shows_an_error_for_an_empty_note(client: Client, mentor, mentee) -> None:
    client.force_login(mentee)

    response = client.post(f"/mentorship/mentors/{mentor.pk}/request/", {"note": ""})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not MentorshipRequest.objects.exists()


def test_offer_form_rejects_capacity_over_ten(client: Client, mentee) -> None:
    client.force_login(mentee)

    response = client.post("/mentorship/offer/", {"status": "accepting", "capacity": "11"})

    assert "less than or equal to 10" in response.content.decode()
    assert not MentorOffer.objects.filter(user=mentee).exists()


def test_program_review_is_for_organizers_only(client: Client, mentee) -> None:
    organizer = make_member(display_name="Org", role=Role.ORGANIZER)
    client.force_login(organizer)
    created = client.post(
        "/mentorship/programs/new/",
        {
            "name": "Fall program",
            "applications_open_at": "2026-01-01T10:00",
            "applications_close_at": "2026-02-01T10:00",
            "matching_date": "2026-02-05",
            "checkin_every_weeks": "4",
        },
    )
    program_url = created["Location"]
    client.force_login(mentee)

    review = client.get(f"{program_url}review/")

    assert review.status_code == 403


def test_mentorship_thread_is_private_to_its_pair(client: Client, mentor, mentee) -> None:
    mentorship = request_accept(
        request=request_create(mentee=mentee, actor=mentee, mentor=mentor, note="Hi"), actor=mentor
    )
    stranger = make_member(display_name="Stranger")
    client.force_login(stranger)

    response = client.get(mentorship.get_absolute_url())

    assert response.status_code == 404


def _matched_program(mentor, mentee):  # type: ignore[no-untyped-def]

    for user in (mentor, mentee):
        profile_update(
            profile=user.profile, actor=user,
            identity_communities=["first_generation"], share_communities_with_matcher=True,
        )  # fmt: skip
    organizer = make_member(display_name="Org Anizer", role=Role.ORGANIZER)
    now = timezone.now()
    program = services.program_create(
        actor=organizer, name="Spring program",
        applications_open_at=now - timedelta(days=1),
        applications_close_at=now + timedelta(days=7),
        matching_date=(now + timedelta(days=8)).date(),
    )  # fmt: skip
    services.program_apply(
        program=program, user=mentor, actor=mentor, role=ProgramRole.MENTOR, capacity=1
    )
    services.program_apply(program=program, user=mentee, actor=mentee, role=ProgramRole.MENTEE)
    services.goals_save(
        user=mentee, actor=mentee, text="Find my niche.", prefers_shared_community=True
    )
    [proposal] = services.program_run_matcher(program=program, actor=organizer)
    assert proposal.mentor_id == mentor.pk and proposal.terms["community"] > 0
    return program, organizer


def test_data_download_leaves_out_unpublished_proposals_and_their_scores(
    client: Client, mentor, mentee, django_capture_on_commit_callbacks
) -> None:
    program, organizer = _matched_program(mentor, mentee)
    for user in (mentor, mentee):
        client.force_login(user)
        download = client.get("/me/data.json").json()
        assert "proposal" not in download.get("mentorship", {})
        # The matcher's "community" term (not the community app's own rows).
        assert '"community"' not in json.dumps(download.get("mentorship", {}))

    with django_capture_on_commit_callbacks(execute=False):
        services.program_publish(program=program, actor=organizer)
    for user in (mentor, mentee):
        client.force_login(user)
        download = client.get("/me/data.json").json()
        [proposal] = download["mentorship"]["proposal"]
        assert (proposal["mentee_id"], proposal["mentor_id"]) == (mentee.pk, mentor.pk)
        assert not {"score", "terms", "reason", "edited"} & set(proposal)
        # The matcher's "community" term (not the community app's own rows).
        assert '"community"' not in json.dumps(download.get("mentorship", {}))


def test_speed_mentoring_page_and_schedule_hide_blocked_members(client: Client, db) -> None:

    organizer = make_member(display_name="Org Anizer", role=Role.ORGANIZER)
    event = services.speed_event_create(
        actor=organizer, title="Blood Buddies", starts_at=timezone.now() + timedelta(days=1),
        rounds=2, table_size=2, round_minutes=8,
    )  # fmt: skip
    first = make_member(display_name="Dr. First Mentor")
    second = make_member(display_name="Dr. Second Mentor")
    mentee = make_member(display_name="Mia Mentee")
    peer = make_member(display_name="Pat Peer")
    for user, role in ((first, ProgramRole.MENTOR), (second, ProgramRole.MENTOR),
                       (mentee, ProgramRole.MENTEE), (peer, ProgramRole.MENTEE)):  # fmt: skip
        participant = services.speed_participant_add(event=event, user=user, role=role, actor=user)
        services.speed_check_in(participant=participant, actor=organizer)
    services.speed_event_schedule(event=event, actor=organizer)
    # After the schedule: the mentee blocks a mentor she sits with, and a fellow mentee.
    block_create(blocker=mentee, blocked=first)
    block_create(blocker=peer, blocked=mentee)

    for viewer, hidden in ((mentee, ["Dr. First Mentor", "Pat Peer"]),
                           (first, ["Mia Mentee"]), (peer, ["Mia Mentee"])):  # fmt: skip
        client.force_login(viewer)
        page = client.get(f"/mentorship/speed/{event.pk}/").content.decode()
        assert "Round 1" in page
        for name in hidden:
            assert name not in page
    # The printable schedule is the organizers' sheet; an organizer's own blocks hold there too.
    block_create(blocker=organizer, blocked=peer)
    client.force_login(organizer)
    schedule = client.get(f"/mentorship/speed/{event.pk}/print/").content.decode()
    assert "Dr. Second Mentor" in schedule and "Pat Peer" not in schedule


def test_speed_printable_schedule_is_for_organizers_only(client: Client, db) -> None:
    organizer = make_member(display_name="Org Anizer", role=Role.ORGANIZER)
    event = services.speed_event_create(
        actor=organizer, title="Blood Buddies", starts_at=timezone.now() + timedelta(days=1),
        rounds=1, table_size=1, round_minutes=8,
    )  # fmt: skip
    mentor, mentee = make_member(display_name="Dr. Mentor"), make_member(display_name="Mo Mentee")
    for user, role in ((mentor, ProgramRole.MENTOR), (mentee, ProgramRole.MENTEE)):
        participant = services.speed_participant_add(event=event, user=user, role=role, actor=user)
        services.speed_check_in(participant=participant, actor=organizer)
    services.speed_event_schedule(event=event, actor=organizer)
    url = f"/mentorship/speed/{event.pk}/print/"

    client.force_login(mentee)
    as_participant = client.get(url)
    event_page = client.get(f"/mentorship/speed/{event.pk}/").content.decode()
    client.force_login(organizer)
    as_organizer = client.get(url).content.decode()

    assert as_participant.status_code == 403
    assert url not in event_page
    assert "Round 1: Mo Mentee at your table." in as_organizer
    assert "Round 1: at the table of Dr. Mentor." in as_organizer


def test_speed_event_that_is_over_takes_no_one_new(client: Client, mentee, organizer) -> None:
    event = services.speed_event_create(
        actor=organizer, title="Last month", starts_at=timezone.now() - timedelta(days=30)
    )
    client.force_login(mentee)

    page = client.get(f"/mentorship/speed/{event.pk}/").content.decode()
    joined = client.post(f"/mentorship/speed/{event.pk}/join/mentee/", follow=True)

    assert "This event is over." in page and "Join as a mentee" not in page
    assert "This event is over." in joined.content.decode()
    assert not event.participants.exists()


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("ranked_mentors", "²³", "Pick members who offer to mentor."),
        ("excluded_mentors", "²", "Pick members of the network."),
        ("ranked_mentors", "99999999999999999999", "Pick members who offer to mentor."),
        ("excluded_mentors", "-99999999999999999999", "Pick members of the network."),
        ("topics", "99999999999999999999", "is not a valid value"),
        ("career_paths", "-99999999999999999999", "is not a valid value"),
    ],
)
def test_goals_form_turns_down_ids_no_database_holds(
    client: Client, mentee, field: str, value: str, error: str
) -> None:
    client.force_login(mentee)
    before = MenteeGoals.objects.get(user=mentee)

    response = client.post("/mentorship/goals/", {"text": "New goals", field: value})

    assert response.status_code == 200
    assert error in response.content.decode()
    after = MenteeGoals.objects.get(user=mentee)
    assert (after.text, after.ranked_mentors) == (before.text, before.ranked_mentors)


def test_goals_form_picks_mentors_by_name_and_keeps_their_order(
    client: Client, mentor, mentee
) -> None:
    second = make_member(display_name="Dr. Second Choice")
    services.offer_save(user=second, actor=second, capacity=1)
    director = make_member(display_name="Dr. Program Director")
    client.force_login(mentee)

    form = client.get("/mentorship/goals/").content.decode()
    response = client.post(
        "/mentorship/goals/",
        {
            "text": "Goals",
            "ranked_mentors": [str(second.pk), str(mentor.pk)],
            "excluded_mentors": [str(director.pk)],
        },
    )
    page = client.get("/mentorship/goals/").content.decode()

    assert "Member numbers" not in form and 'data-url="/members/pick/"' in form
    assert response.status_code == 302
    goals = MenteeGoals.objects.get(user=mentee)
    assert goals.ranked_mentors == [second.pk, mentor.pk]
    assert list(goals.excluded_mentors.all()) == [director]
    # The chosen people come back as chips with their names, best first.
    assert page.index("Dr. Second Choice") < page.index("Dr. Grace Mentor")
    assert "Dr. Program Director" in page


def test_goals_form_ranks_only_members_who_offer_to_mentor(client: Client, mentee) -> None:
    no_offer = make_member(display_name="Dr. Not Mentoring")
    client.force_login(mentee)

    response = client.post(
        "/mentorship/goals/", {"text": "Goals", "ranked_mentors": [str(no_offer.pk)]}
    )

    assert response.status_code == 200
    assert "Pick members who offer to mentor." in response.content.decode()
    assert not MenteeGoals.objects.get(user=mentee).ranked_mentors


def test_finder_filters_by_career_path(client: Client, mentor, mentee) -> None:
    other = make_member(display_name="Dr. Bench Scientist")
    services.offer_save(user=other, actor=other, capacity=1)
    client.force_login(mentee)

    page = client.get("/mentorship/mentors/", {"career_path": "malignant-hematology"})

    html = page.content.decode()
    assert "Dr. Grace Mentor" in html and "Dr. Bench Scientist" not in html
