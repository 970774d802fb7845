"""The mentorship part of the demo: skipped without demo members, complete without the demo
member's own mentorship when that member is missing."""

from __future__ import annotations

import io

from hemonc.members.enums import Role
from hemonc.mentorship.demo import DEMO_DOMAIN, PROGRAM_NAME, demo_mentorship_create
from hemonc.mentorship.enums import ProgramStatus
from hemonc.mentorship.models import MentorshipMessage, Program
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
    assert Program.objects.get().status == ProgramStatus.PUBLISHED
    assert Program.objects.get().name == PROGRAM_NAME
    assert not MentorshipMessage.objects.exists()
