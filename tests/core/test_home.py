"""The home page: the front page for visitors, a member's own home once signed in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from hemonc.core.permissions import OPERATOR
from hemonc.events.services import rsvp_create, session_create
from hemonc.members.enums import Role
from hemonc.members.services import block_create
from hemonc.mentorship.enums import ProgramStatus
from hemonc.mentorship.models import Program
from hemonc.mentorship.services import offer_save, request_create
from hemonc.newsletter.enums import IssueStatus
from hemonc.newsletter.models import Issue
from hemonc.newsletter.services import issue_create
from hemonc.taxonomy.models import Topic
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _text(response) -> str:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _session(title: str, days: int = 3):  # type: ignore[no-untyped-def]
    starts = (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)
    return session_create(actor=OPERATOR, title=title, starts_at=starts)


def _sent_issue(subject: str) -> Issue:
    issue = issue_create(subject=subject, body="Hello.", actor=OPERATOR)
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.SENT, sent_at=timezone.now())
    return issue


def test_visitors_get_the_front_page(client):
    _session("Open to all")
    text = _text(client.get("/"))
    assert "Find your peers and mentors in hem-onc." in text
    assert "Join the network" in text
    assert "Open to all" in text
    assert "Needs you" not in text


def test_a_member_sees_their_session_their_request_and_the_latest_issue(client, member):
    booked = _session("Myeloma journal club", days=2)
    _session("Lymphoma chat", days=5)
    rsvp_create(session=booked, user=member)
    mentor = make_member(display_name="Dr. Grace Mentor", stage="attending")
    offer_save(user=mentor, actor=mentor, capacity=2, about="Careers.")
    request_create(mentee=member, mentor=mentor, note="Hello!", actor=member)
    _sent_issue("Older issue")
    _sent_issue("December issue")
    client.force_login(member)
    text = _text(client.get("/"))
    assert "Welcome back, Ana Lopez" in text
    your_sessions = text.split("Your sessions", 1)[1].split("Next sessions", 1)
    assert "Myeloma journal club" in your_sessions[0]
    assert "Going" in your_sessions[0]
    assert "Lymphoma chat" in your_sessions[1]
    assert "To Dr. Grace Mentor" in text
    assert "December issue" in text
    assert "Older issue" not in text
    assert "Needs you" not in text


def test_a_mentor_sees_the_request_to_answer(client, member):
    offer_save(user=member, actor=member, capacity=2, about="Careers.")
    mentee = make_member(display_name="Ben Mentee")
    request_create(mentee=mentee, mentor=member, note="Hello!", actor=mentee)
    client.force_login(member)
    assert "Ben Mentee asks you to mentor them" in _text(client.get("/"))


def test_a_new_member_gets_empty_states_with_a_next_step(client, member):
    _session("The next one")
    client.force_login(member)
    text = _text(client.get("/"))
    assert "You have no seat booked yet." in text
    assert "RSVP to the next session" in text
    assert "Find a mentor" in text
    assert "No issue has gone out yet." in text
    assert "Add your interests to meet members who share them." in text


def test_an_organizer_sees_what_needs_them(client):
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    issue_create(subject="Draft for January", body="Soon.", actor=organizer)
    _sent_issue("Already out")
    now = timezone.now()
    Program.objects.create(
        name="Spring cohort", applications_open_at=now - timedelta(days=30),
        applications_close_at=now - timedelta(days=1), matching_date=now.date(),
        status=ProgramStatus.MATCHING,
    )  # fmt: skip
    client.force_login(organizer)
    text = _text(client.get("/"))
    needs = text.split("Needs you", 1)[1].split("Your sessions", 1)[0]
    assert "Draft for January" in needs
    assert "Already out" not in needs
    assert "Spring cohort" in needs
    assert "proposals wait to be published" in needs


def test_an_organizer_with_nothing_waiting_is_told_so(client):
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    client.force_login(organizer)
    assert "Nothing waits for you right now." in _text(client.get("/"))


def test_new_members_sharing_interests_leave_out_blocked_and_unlisted(client, member):
    topic = Topic.objects.get(slug="mmsm")
    member.profile.interests.add(topic)
    make_member(display_name="Shares Myeloma", interests=[topic])
    blocker = make_member(display_name="Blocked Me", interests=[topic])
    blocked = make_member(display_name="I Blocked", interests=[topic])
    make_member(display_name="Not Listed", interests=[topic], listed_in_directory=False)
    make_member(display_name="Other Topic", interests=list(Topic.objects.exclude(pk=topic.pk)[:1]))
    block_create(blocker=blocker, blocked=member)
    block_create(blocker=member, blocked=blocked)
    client.force_login(member)
    text = _text(client.get("/"))
    section = text.split("New members who share your interests", 1)[1]
    assert "Shares Myeloma" in section
    for name in ("Blocked Me", "I Blocked", "Not Listed", "Other Topic", "Ana Lopez"):
        assert name not in section


def test_the_members_home_reads_a_bounded_number_of_queries(
    client, member, django_assert_max_num_queries
):
    topic = Topic.objects.get(slug="mmsm")
    member.profile.interests.add(topic)
    for n in range(8):
        make_member(display_name=f"Peer {n}", interests=[topic])
    for n in range(4):
        rsvp_create(session=_session(f"Session {n}", days=n + 1), user=member)
    _sent_issue("An issue")
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    client.force_login(organizer)
    client.get("/")  # warm the per-process caches (cards, counts)
    # Each of these is one query more than a member's: the publishing desk's posts to approve
    # or retry, and opportunities members suggested. Every signed-in page also reads the unread
    # messages, the notification bell and whether the code of conduct waits.
    with django_assert_max_num_queries(26):
        assert client.get("/").status_code == 200
    client.force_login(member)
    with django_assert_max_num_queries(22):
        assert client.get("/").status_code == 200


def test_an_active_mentorship_says_whose_turn_it_is(client, member):
    from hemonc.mentorship.services import mentorship_post_message, request_accept

    mentor = make_member(display_name="Dr. Grace Mentor", stage="attending")
    offer_save(user=mentor, actor=mentor, capacity=2, about="Careers.")
    asked = request_create(mentee=member, mentor=mentor, note="Hello!", actor=member)
    mentorship = request_accept(request=asked, actor=mentor)
    client.force_login(member)
    text = _text(client.get("/"))
    assert "Mentored by Dr. Grace Mentor" in text
    assert "no messages yet" in text
    mentorship_post_message(mentorship=mentorship, actor=mentor, body="Welcome aboard.")
    text = _text(client.get("/"))
    assert "Your turn to reply" in text
    mentorship_post_message(mentorship=mentorship, actor=member, body="Thank you!")
    text = _text(client.get("/"))
    assert "Your turn to reply" not in text
    assert "last message" in text
    client.force_login(mentor)
    text = _text(client.get("/"))
    assert "Mentoring Ana Lopez" in text
    assert "Your turn to reply" in text


def test_needs_you_lists_sends_in_progress_first_and_programs_ready_to_match(client):
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    issue_create(subject="A draft", body="Soon.", actor=organizer)
    sending = issue_create(subject="Going out now", body="Hi.", actor=organizer)
    Issue.objects.filter(pk=sending.pk).update(status=IssueStatus.SENDING)
    now = timezone.now()
    Program.objects.create(
        name="Autumn cohort", applications_open_at=now - timedelta(days=30),
        applications_close_at=now - timedelta(days=2), matching_date=now.date(),
        status=ProgramStatus.OPEN,
    )  # fmt: skip
    Program.objects.create(
        name="Still open", applications_open_at=now - timedelta(days=3),
        applications_close_at=now + timedelta(days=9), matching_date=now.date(),
        status=ProgramStatus.OPEN,
    )  # fmt: skip
    client.force_login(organizer)
    needs = _text(client.get("/")).split("Needs you", 1)[1].split("Your sessions", 1)[0]
    assert needs.index("Going out now") < needs.index("A draft")
    assert "Sending" in needs
    assert "Autumn cohort" in needs
    assert "applications closed 2 days ago, ready to match." in needs
    assert "Still open" not in needs


def test_a_member_who_left_a_session_or_waits_sees_it_said_plainly(client, member):
    full = session_create(
        actor=OPERATOR, title="Small room",
        starts_at=(timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0),
        capacity=1,
    )  # fmt: skip
    rsvp_create(session=full, user=make_member(display_name="First In"))
    rsvp_create(session=full, user=member)
    client.force_login(member)
    text = _text(client.get("/"))
    assert "Small room" in text.split("Your sessions", 1)[1]
    assert "On the waitlist" in text


def test_a_moderator_is_shown_the_open_questions_of_sessions_to_come(client, member):
    from hemonc.events.services import question_create, question_moderate

    moderator = make_member(display_name="Mo Moderator", role=Role.MODERATOR)
    soon = _session("Myeloma <b>Q&A</b>", days=2)
    _session("No questions yet", days=4)
    askers = [member, *(make_member(display_name=f"Asker {n}") for n in range(3))]
    asked = [
        question_create(session=soon, author=asker, text=f"Question {n}?")
        for n, asker in enumerate(askers)
    ]
    question_moderate(question=asked[0], actor=moderator, action="answer")
    question_moderate(question=asked[1], actor=moderator, action="hide")

    client.force_login(moderator)
    page = client.get("/").content.decode()
    assert "Myeloma &lt;b&gt;Q&amp;A&lt;/b&gt;</a>:" in page
    needs = _text(client.get("/")).split("Needs you", 1)[1].split("Your sessions", 1)[0]
    assert "Questions to moderate" in needs and ": 2 open questions." in needs
    assert f'href="/sessions/{soon.pk}/questions/"' in page
    assert "No questions yet" not in needs
    # Members have nothing to moderate: no such block.
    client.force_login(member)
    assert "Needs you" not in _text(client.get("/"))
