"""The mentorship part of `hemonc demo`: offers in the mentors' own words, goals, a published
program with active mentorships, a program open for applications and one being matched, a past
and an upcoming speed-mentoring event, all among the synthetic demo members
(@demo.hemonc.example) and all relative to today.

No mail is sent: the demo writes the rows the services would, and marks messages as synthetic.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path
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
    MentorshipRequest,
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


# The phrases the mentors' offers are combined from (data/demo_offers.json).
_OFFERS: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parent / "data" / "demo_offers.json").read_text(encoding="utf-8")
)
# Whom a mentor at each stage mentors: people a few steps behind them.
STAGES_MENTORED: dict[str, list[str]] = {
    Stage.ATTENDING: [Stage.RESIDENT, Stage.FELLOW, Stage.ADVANCED_FELLOW, Stage.PHD_TRAINEE],
    Stage.ADVANCED_FELLOW: [Stage.RESIDENT, Stage.FELLOW],
    Stage.FELLOW: [Stage.MEDICAL_STUDENT, Stage.RESIDENT],
    Stage.RESIDENT: [Stage.MEDICAL_STUDENT],
    Stage.PHD_TRAINEE: [Stage.MEDICAL_STUDENT, Stage.PHD_TRAINEE],
}
CLINICAL_KINDS = ("tumor", "provider")


def _sentence_case(name: str) -> str:
    """A topic's name inside a sentence: "Multiple myeloma" -> "multiple myeloma"."""
    first = name.split(" ", 1)[0]
    return name if first.isupper() else name[:1].lower() + name[1:]


def _and(items: list[str]) -> str:
    """ "a and b"; "a, and b and c" when an item has its own "and" (so it reads unambiguously)."""
    if len(items) == 1:
        return items[0]
    comma = "," if len(items) > 2 or any(" and " in item for item in items) else ""
    return f"{', '.join(items[:-1])}{comma} and {items[-1]}"


def offer_text(*, user: User, formats: list[str], rng: random.Random) -> str:
    """What a demo mentor writes in their offer: their path, what they help with, the topics
    they know and how they like to meet, combined from the phrases for their stage, career
    paths, interests and formats. Every offer says it is synthetic."""
    profile = user.profile
    stage = profile.stage if profile.stage in _OFFERS["path_sentences"] else "other"
    area = _OFFERS["areas"].get(profile.specialty, _OFFERS["areas"][""])
    sentences = [
        rng.choice(_OFFERS["path_sentences"][stage]).format(area=area, years=rng.randint(3, 22))
    ]
    helps = [
        phrase
        for path in profile.career_paths.all()
        for phrase in _OFFERS["help_by_path"].get(path.slug, [])
    ]
    if stage in (Stage.FELLOW, Stage.RESIDENT, "other"):  # near-peers: their own steps
        helps = []
    if stage != Stage.ATTENDING or not helps:
        helps = _OFFERS["help_by_stage"].get(stage, []) + helps[:2]
    if helps:
        chosen = rng.sample(helps, min(len(helps), rng.randint(1, 2)))
        sentences.append(rng.choice(_OFFERS["help_sentences"]).format(help=_and(chosen)))
    topics = [_sentence_case(t.name) for t in profile.interests.all() if t.kind in CLINICAL_KINDS][
        :2
    ]
    if topics:
        seniority = "senior" if stage in SENIOR else "trainee"
        sentences.append(
            rng.choice(_OFFERS["topic_sentences"][seniority]).format(topics=_and(topics))
        )
    fmt = rng.choice(formats) if formats else Format.VIDEO
    weeks = rng.choice((2, 3, 4, 6))
    sentences.append(rng.choice(_OFFERS["cadence_by_format"][fmt]).format(weeks=weeks))
    if rng.random() < 0.5:
        sentences.append(rng.choice(_OFFERS["closings"]))
    return " ".join([*sentences, "(Synthetic demo offer.)"])


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
    demo_member = next((u for u in users if u.email == f"member@{DEMO_DOMAIN}"), None)
    mentees = [
        u
        for u in users
        if u.pk not in mentor_ids and u.profile.stage not in SENIOR and u != demo_member
    ][:90]
    if demo_member is not None:  # first, and in no program: their mentor is their own find
        mentees.insert(0, demo_member)

    for user in mentors:
        formats = rng.sample(Format.values, rng.randint(1, 3))
        offer = MentorOffer.objects.create(
            user=user,
            capacity=rng.randint(1, 4),
            about=offer_text(user=user, formats=formats, rng=rng),
            stages=STAGES_MENTORED.get(user.profile.stage, []),
            formats=formats,
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
    _apply(program, program_mentors, program_mentees, rng)
    result, mentee_count = _propose(program)
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
        Mentorship.objects.filter(pk=mentorship.pk).update(created_at=now - timedelta(days=12))
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
    _now_and_next(
        organizer=organizer,
        mentors=mentors,
        mentees=mentees,
        demo_member=demo_member,
        rng=rng,
    )
    active = Mentorship.objects.filter(status=MentorshipStatus.ACTIVE).count()
    stdout.write(
        f"Mentorship demo: {len(mentors)} mentor offers, {len(mentees)} mentees' goals, "
        f"{result.matched} of {mentee_count} program mentees matched, {active} active "
        f"mentorships, a past speed-mentoring event with {len(schedule)} conversations; "
        "a program open for applications, one being matched and a speed-mentoring event "
        "next week."
    )


def _propose(program: Program) -> tuple[Any, int]:
    """The matcher's proposals for the program's applicants, stored for review."""
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
    return result, len(mentee_inputs)


def _apply(program: Program, mentors: list[User], mentees: list[User], rng: random.Random) -> None:
    ProgramApplication.objects.bulk_create(
        [
            ProgramApplication(
                program=program, user=u, role=ProgramRole.MENTOR, capacity=rng.randint(1, 3)
            )
            for u in mentors
        ]
        + [ProgramApplication(program=program, user=u, role=ProgramRole.MENTEE) for u in mentees]
    )


def _now_and_next(
    *,
    organizer: User,
    mentors: list[User],
    mentees: list[User],
    demo_member: User | None,
    rng: random.Random,
) -> None:
    """What is going on today: a program open for applications (the demo member has not
    applied yet), one whose applications closed and whose proposals wait for the organizers'
    review, a speed-mentoring event next week with people signed up, and a request of the
    demo member's waiting for a mentor's answer."""
    now = timezone.now()
    today = now.date()
    open_program = Program.objects.create(
        name="Winter mentorship program (demo)",
        hashtag="HOWinterMentors",
        description="A synthetic demo program, open for applications now. Apply as a mentor "
        "with your offer or as a mentee with your goals; pairs are published after matching.",
        applications_open_at=now - timedelta(days=10),
        applications_close_at=now + timedelta(days=14),
        matching_date=today + timedelta(days=17),
        status=ProgramStatus.OPEN,
        created_by=organizer,
    )
    others = [u for u in mentees if u != demo_member]
    _apply(open_program, mentors[20:32], others[10:34], rng)
    matching = Program.objects.create(
        name="Research mentoring circle (demo)",
        hashtag="HOResearchMentors",
        description="A synthetic demo program for trainees starting research: applications "
        "have closed and the matcher's proposals wait for the organizers' review.",
        applications_open_at=now - timedelta(days=30),
        applications_close_at=now - timedelta(days=2),
        matching_date=today,
        status=ProgramStatus.OPEN,
        created_by=organizer,
    )
    _apply(matching, mentors[48:60], others[34:56], rng)
    _propose(matching)
    matching.status = ProgramStatus.MATCHING
    matching.save(update_fields=["status"])

    upcoming = SpeedMentoringEvent.objects.create(
        title="Blood Buddies speed mentoring, winter round (demo)",
        starts_at=(now + timedelta(days=7)).replace(minute=0, second=0, microsecond=0),
        rounds=3,
        table_size=3,
        round_minutes=10,
        created_by=organizer,
    )
    SpeedParticipant.objects.bulk_create(
        [SpeedParticipant(event=upcoming, user=u, role=ProgramRole.MENTOR) for u in mentors[8:14]]
        + [SpeedParticipant(event=upcoming, user=u, role=ProgramRole.MENTEE) for u in others[56:72]]
    )
    if demo_member is not None:
        busy = set(
            Mentorship.objects.filter(mentee=demo_member).values_list("mentor_id", flat=True)
        )
        asked = next(
            (m for m in mentors[::-1] if m.pk not in busy and m.profile.stage == Stage.ATTENDING),
            None,
        )
        if asked is not None:
            MentorshipRequest.objects.create(
                mentee=demo_member,
                mentor=asked,
                note="Hello! I am a fellow hoping to learn how you built your clinic and "
                "research time. Could we talk every few weeks on video? (Synthetic demo "
                "request.)",
            )
            MentorshipRequest.objects.filter(mentee=demo_member, mentor=asked).update(
                created_at=now - timedelta(days=2)
            )
