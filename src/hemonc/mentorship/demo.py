"""The mentorship part of `hemonc demo`: offers, goals, a published program, active mentorships
and a past speed-mentoring event, all among the synthetic demo members (@demo.hemonc.example).

No mail is sent: the demo writes the rows the services would, and marks messages as synthetic.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from hemonc.members.models import User
from hemonc.mentorship import selectors
from hemonc.mentorship.enums import Format, MentorshipStatus, ProgramRole, ProgramStatus
from hemonc.mentorship.matching import match
from hemonc.mentorship.models import (
    MenteeGoals,
    MentorOffer,
    Mentorship,
    MentorshipMessage,
    Program,
    ProgramApplication,
    Proposal,
    SharedGoal,
    SpeedMentoringEvent,
    SpeedParticipant,
    SpeedSeat,
)
from hemonc.mentorship.speed_rounds import speed_rounds
from hemonc.taxonomy.enums import Stage

DEMO_DOMAIN = "demo.hemonc.example"
PROGRAM_NAME = "Spring mentorship program (demo)"
SEED = 6
SENIOR = {Stage.ATTENDING, Stage.ADVANCED_FELLOW, Stage.PHD_TRAINEE}
GOAL_TEXTS = (
    "Decide between an academic and a community career after fellowship.",
    "Find a research project in my disease area and learn to write my first abstract.",
    "Prepare my fellowship application and interviews.",
    "Build a clinical-trials portfolio and find a sponsor for my career-development award.",
    "Learn how to balance clinic, research and family.",
)
THREAD = (
    (
        "mentee",
        "Thank you for taking me on! Could we talk about my abstract for ASH? (Synthetic demo message.)",
    ),
    (
        "mentor",
        "Gladly. Send me the draft and let's meet on video next Tuesday. (Synthetic demo message.)",
    ),
    ("mentee", "Draft attached to my email; Tuesday works. (Synthetic demo message.)"),
)


def demo_mentorship_exists() -> bool:
    return Program.objects.filter(name=PROGRAM_NAME).exists()


@transaction.atomic
def demo_mentorship_create(*, stdout: Any) -> None:
    if demo_mentorship_exists():
        stdout.write("The demo mentorship program is already here.")
        return
    users = list(
        User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", is_active=True)
        .select_related("profile")
        .prefetch_related("profile__interests", "profile__career_paths")
        .order_by("id")
    )
    organizer = next((u for u in users if u.email == f"organizer@{DEMO_DOMAIN}"), None)
    if organizer is None or len(users) < 40:
        stdout.write("No demo members: the mentorship demo is skipped.")
        return
    rng = random.Random(SEED)  # noqa: S311 - synthetic demo data, not secrets
    now = timezone.now()
    mentors = [u for u in users if u.profile.open_to_mentoring or u.profile.stage in SENIOR][:60]
    mentor_ids = {u.pk for u in mentors}
    mentees = [u for u in users if u.pk not in mentor_ids and u.profile.stage not in SENIOR][:90]
    demo_member = next((u for u in users if u.email == f"member@{DEMO_DOMAIN}"), None)
    if demo_member is not None and demo_member not in mentees:
        mentees.insert(0, demo_member)

    for user in mentors:
        offer = MentorOffer.objects.create(
            user=user,
            capacity=rng.randint(1, 4),
            about="Happy to talk about careers, research and the fellowship match. (Synthetic demo offer.)",
            stages=rng.sample(
                [Stage.MEDICAL_STUDENT, Stage.RESIDENT, Stage.FELLOW, Stage.PHD_TRAINEE], 3
            ),
            formats=rng.sample(Format.values, rng.randint(1, 3)),
            languages=["en"] + (["es"] if rng.random() < 0.15 else []),
        )
        offer.topics.set(list(user.profile.interests.all())[:4])
        offer.career_paths.set(user.profile.career_paths.all())
    for user in mentees:
        goals = MenteeGoals.objects.create(
            user=user,
            text=f"{rng.choice(GOAL_TEXTS)} (Synthetic demo goals.)",
            formats=rng.sample(Format.values, rng.randint(0, 2)),
            avoid_own_institution=rng.random() < 0.3,
            prefers_shared_community=rng.random() < 0.2,
        )
        goals.topics.set(user.profile.interests.all())
        goals.career_paths.set(user.profile.career_paths.all())

    program = Program.objects.create(
        name=PROGRAM_NAME,
        hashtag="HOFellowsMentors",
        description="A synthetic demo program: mentors and mentees applied, the matcher "
        "paired them, and the organizers published the pairs.",
        applications_open_at=now - timedelta(days=75),
        applications_close_at=now - timedelta(days=45),
        matching_date=(now - timedelta(days=40)).date(),
        status=ProgramStatus.OPEN,
        created_by=organizer,
    )
    program_mentors, program_mentees = mentors[:35], mentees[1:61]
    ProgramApplication.objects.bulk_create(
        [
            ProgramApplication(
                program=program, user=u, role=ProgramRole.MENTOR, capacity=rng.randint(1, 3)
            )
            for u in program_mentors
        ]
        + [
            ProgramApplication(program=program, user=u, role=ProgramRole.MENTEE)
            for u in program_mentees
        ]
    )
    mentor_inputs, mentee_inputs = selectors.program_matcher_input(program=program)
    result = match(mentor_inputs, mentee_inputs)
    Proposal.objects.bulk_create(
        Proposal(
            program=program,
            mentee_id=int(row.mentee_id),
            mentor_id=int(row.mentor_id) if row.mentor_id else None,
            score=row.score,
            terms=selectors.terms_dict(row.terms) if row.terms else {},
            reason=row.reason,
        )
        for row in result.rows
    )
    started = now - timedelta(days=38)
    Mentorship.objects.bulk_create(
        Mentorship(
            mentor_id=int(row.mentor_id),
            mentee_id=int(row.mentee_id),
            program=program,
            checkin_every_weeks=4,
            next_checkin_at=now + timedelta(days=rng.randint(1, 27)),
        )
        for row in result.rows
        if row.mentor_id
    )
    Mentorship.objects.filter(program=program).update(created_at=started)
    program.status = ProgramStatus.PUBLISHED
    program.published_at = started
    program.save(update_fields=["status", "published_at", "updated_at"])

    # The demo member has a mentor of their own, with a thread and shared goals.
    if demo_member is not None:
        mentor = (
            next(m for m in mentors[35:] if m.profile.stage == Stage.ATTENDING)
            if any(m.profile.stage == Stage.ATTENDING for m in mentors[35:])
            else mentors[-1]
        )
        mentorship = Mentorship.objects.create(
            mentor=mentor,
            mentee=demo_member,
            checkin_every_weeks=3,
            next_checkin_at=now + timedelta(days=9),
        )
        for number, (side, body) in enumerate(THREAD):
            message = MentorshipMessage.objects.create(
                mentorship=mentorship, author=mentor if side == "mentor" else demo_member, body=body
            )
            MentorshipMessage.objects.filter(pk=message.pk).update(
                created_at=now - timedelta(days=6 - 2 * number)
            )
        for text, done in (
            ("Submit the ASH abstract", True),
            ("Draft a K-award specific aims page", False),
            ("Meet two faculty in the leukemia group", False),
        ):
            SharedGoal.objects.create(mentorship=mentorship, text=text, done=done)

    # A past speed-mentoring event ("Blood Buddies").
    event = SpeedMentoringEvent.objects.create(
        title="Blood Buddies speed mentoring (demo)",
        starts_at=now - timedelta(days=20),
        rounds=4,
        table_size=3,
        round_minutes=8,
        created_by=organizer,
    )
    speed_mentors, speed_mentees = mentors[40:48], mentees[61:85]
    SpeedParticipant.objects.bulk_create(
        [
            SpeedParticipant(event=event, user=u, role=ProgramRole.MENTOR, checked_in=True)
            for u in speed_mentors
        ]
        + [
            SpeedParticipant(
                event=event, user=u, role=ProgramRole.MENTEE, checked_in=rng.random() < 0.9
            )
            for u in speed_mentees
        ]
    )
    inputs = selectors.speed_event_input(event=event)
    schedule = speed_rounds(*inputs, rounds=event.rounds, table_size=event.table_size)
    SpeedSeat.objects.bulk_create(
        SpeedSeat(
            event=event, round=s.round, mentor_id=int(s.mentor_id), mentee_id=int(s.mentee_id)
        )
        for s in schedule
    )
    event.scheduled_at = event.starts_at - timedelta(minutes=10)
    event.save(update_fields=["scheduled_at"])
    active = Mentorship.objects.filter(status=MentorshipStatus.ACTIVE).count()
    stdout.write(
        f"Mentorship demo: {len(mentors)} mentor offers, {len(mentees)} mentees' goals, "
        f"{result.matched} of {len(mentee_inputs)} program mentees matched, {active} active "
        f"mentorships, a past speed-mentoring event with {len(schedule)} conversations."
    )
