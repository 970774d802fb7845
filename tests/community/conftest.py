"""Members of every stage and role, and one space of each kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from hemonc.community.enums import SpaceVisibility
from hemonc.community.models import Opportunity, Space
from hemonc.community.services import spaces as space_services
from hemonc.community.services.opportunities import opportunity_suggest
from hemonc.core.permissions import OPERATOR
from hemonc.members.enums import Role
from hemonc.members.models import User
from hemonc.mentorship.models import Program, ProgramApplication
from hemonc.taxonomy.enums import Stage
from tests.factories import make_member


@dataclass
class World:
    fellow: User
    student: User
    attending: User
    organizer: User
    moderator: User
    mentee: User
    invited: User
    everyone: Space
    trainees: Space
    organizers: Space
    program: Space
    invited_space: Space
    program_row: Program


@pytest.fixture
def world(db: None) -> World:
    fellow = make_member(display_name="Fiona Fellow", stage=Stage.FELLOW)
    student = make_member(display_name="Sam Student", stage=Stage.MEDICAL_STUDENT)
    attending = make_member(display_name="Alan Attending", stage=Stage.ATTENDING)
    organizer = make_member(
        display_name="Olga Organizer", stage=Stage.ATTENDING, role=Role.ORGANIZER
    )
    moderator = make_member(display_name="Mo Moderator", stage=Stage.ATTENDING, role=Role.MODERATOR)
    mentee = make_member(display_name="Mina Mentee", stage=Stage.ATTENDING)
    invited = make_member(display_name="Ivy Invited", stage=Stage.ATTENDING)
    now = timezone.now()
    program = Program.objects.create(
        name="Spring mentoring",
        applications_open_at=now - timezone.timedelta(days=30),
        applications_close_at=now - timezone.timedelta(days=1),
        matching_date=now.date(),
    )
    ProgramApplication.objects.create(program=program, user=mentee, role="mentee")
    create = space_services.space_create
    everyone = create(actor=OPERATOR, slug="general", name="General")
    trainees = create(
        actor=OPERATOR, slug="trainees", name="Trainees", visibility=SpaceVisibility.TRAINEES
    )
    organizers = create(
        actor=OPERATOR, slug="organizers", name="Organizers", visibility=SpaceVisibility.ORGANIZERS
    )
    program_space = create(
        actor=OPERATOR,
        slug="spring",
        name="Spring cohort",
        visibility=SpaceVisibility.PROGRAM,
        program=program,
    )
    invited_space = create(
        actor=OPERATOR, slug="writing", name="Writing group", visibility=SpaceVisibility.INVITED
    )
    space_services.space_invite(actor=OPERATOR, space=invited_space, user=invited)
    return World(
        fellow=fellow,
        student=student,
        attending=attending,
        organizer=organizer,
        moderator=moderator,
        mentee=mentee,
        invited=invited,
        everyone=everyone,
        trainees=trainees,
        organizers=organizers,
        program=program_space,
        invited_space=invited_space,
        program_row=program,
    )


def fresh(user: User) -> User:
    """The same member as a new request would load them (no cached roles or hidden ids)."""
    return User.objects.get(pk=user.pk)


# ---- opportunities (+ sponsorship) ----


@pytest.fixture
def organizer(db) -> User:  # type: ignore[no-untyped-def]
    return make_member(display_name="Olu Organizer", role=Role.ORGANIZER, stage="attending")


@pytest.fixture
def make_opportunity(organizer):  # type: ignore[no-untyped-def]
    """An approved opportunity (added by an organizer), open for 30 days unless told."""

    def make(
        *,
        title: str = "Leukemia research grant",
        deadline: datetime | None = None,
        actor: User | None = None,
        **fields: Any,
    ) -> Opportunity:
        values: dict[str, Any] = {
            "kind": "funding",
            "organization": "Northern Lights Fund",
            "time_zone": "America/New_York",
            "url": "https://example.org/grant",
            "how_to_apply": "Send a CV.",
        }
        values.update(fields)
        return opportunity_suggest(
            actor=actor or organizer,
            title=title,
            deadline=deadline or timezone.now() + timedelta(days=30),
            **values,
        )

    return make
