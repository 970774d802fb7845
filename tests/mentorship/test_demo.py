"""The mentorship part of the demo: skipped without demo members, complete without the demo
member's own mentorship when that member is missing."""

from __future__ import annotations

import io

from django.utils import timezone

from hemonc.members.enums import Role
from hemonc.mentorship.demo import DEMO_DOMAIN, PROGRAM_NAME, demo_mentorship_create
from hemonc.mentorship.enums import ProgramStatus
from hemonc.mentorship.models import (
    MentorOffer,
    Mentorship,
    MentorshipMessage,
    MentorshipRequest,
    Program,
    SpeedMentoringEvent,
)
from hemonc.taxonomy.models import CareerPath, Topic
from tests.factories import make_member


def _demo_member(name: str, number: int, **fields):  # type: ignore[no-untyped-def]
    user = make_member(display_name=name, **fields)
    user.email = f"{name.split()[0].lower()}{number}@{DEMO_DOMAIN}"
    user.save(update_fields=["email"])
    return user


def test_demo_mentorship_without_demo_members_is_skipped(db) -> None:  # type: ignore[no-untyped-def]
    make_member(display_name="Real Member")
    out = io.StringIO()

    demo_mentorship_create(stdout=out)

    assert out.getvalue() == "No demo members: the mentorship demo is skipped."
    assert not Program.objects.exists()


def test_demo_mentorship_without_the_demo_member_has_no_thread(db) -> None:  # type: ignore[no-untyped-def]
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    organizer.email = f"organizer@{DEMO_DOMAIN}"
    organizer.save(update_fields=["email"])
    for number in range(10):
        _demo_member("Attending Doctor", number, stage="attending")
    for number in range(30):
        _demo_member("Fellow Trainee", number, stage="fellow")
    first, again = io.StringIO(), io.StringIO()

    demo_mentorship_create(stdout=first)
    demo_mentorship_create(stdout=again)

    assert first.getvalue().startswith("Mentorship demo: 10 mentor offers, 31 mentees' goals, ")
    assert again.getvalue() == "The demo mentorship program is already here."
    assert Program.objects.get(name=PROGRAM_NAME).status == ProgramStatus.PUBLISHED
    assert not MentorshipMessage.objects.exists()


def _demo_network() -> None:
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    organizer.email = f"organizer@{DEMO_DOMAIN}"
    organizer.save(update_fields=["email"])
    member = make_member(display_name="Demo Member", stage="fellow")
    member.email = f"member@{DEMO_DOMAIN}"
    member.save(update_fields=["email"])
    paths = list(CareerPath.objects.all())
    topics = list(Topic.objects.filter(kind="tumor"))
    stages = ["attending", "advanced_fellow", "phd_trainee"]
    for number in range(70):
        user = _demo_member(
            "Senior Doctor", number, stage=stages[number % 3], specialty="hematology"
        )
        user.profile.career_paths.set(paths[number % len(paths) : number % len(paths) + 2])
        user.profile.interests.set(topics[number % len(topics) : number % len(topics) + 3])
    for number in range(100):
        _demo_member("Young Trainee", number, stage=["fellow", "resident"][number % 2])


def test_demo_mentors_write_offers_of_their_own(db) -> None:  # type: ignore[no-untyped-def]
    _demo_network()

    demo_mentorship_create(stdout=io.StringIO())

    offers = list(MentorOffer.objects.select_related("user__profile"))
    texts = [o.about for o in offers]
    assert len(offers) == 60 and len(set(texts)) == len(texts)
    assert all(text.endswith("(Synthetic demo offer.)") for text in texts)
    assert all("{" not in text and "  " not in text for text in texts)
    for offer in offers:
        stage = offer.user.profile.stage
        if stage == "attending":
            assert "medical_student" not in offer.stages and stage not in offer.stages
        if stage == "advanced_fellow":
            assert offer.stages == ["resident", "fellow"]
    assert any("myeloma" in text or "leukemia" in text or "lymphoma" in text for text in texts)


def test_demo_programs_and_speed_events_are_set_around_today(db) -> None:  # type: ignore[no-untyped-def]
    _demo_network()
    now = timezone.now()

    demo_mentorship_create(stdout=io.StringIO())

    statuses = {p.status: p for p in Program.objects.all()}
    assert set(statuses) == {"published", "open", "matching"}
    open_program = statuses["open"]
    assert open_program.applications_open_at < now < open_program.applications_close_at
    member = Program.objects.get(status="open").applications.filter(
        user__email=f"member@{DEMO_DOMAIN}"
    )
    assert not member.exists()  # the demo member can still apply
    assert statuses["matching"].proposals.exists()
    assert statuses["matching"].applications_close_at < now
    starts = sorted(e.starts_at for e in SpeedMentoringEvent.objects.all())
    assert starts[0] < now < starts[-1]
    upcoming = SpeedMentoringEvent.objects.get(starts_at__gt=now)
    assert upcoming.participants.exists() and not upcoming.seats.exists()
    mentorship = Mentorship.objects.get(mentee__email=f"member@{DEMO_DOMAIN}")
    first_message = mentorship.messages.earliest("created_at")
    assert mentorship.created_at < first_message.created_at
    assert MentorshipRequest.objects.filter(
        mentee__email=f"member@{DEMO_DOMAIN}", status="pending"
    ).exists()
