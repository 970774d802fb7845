"""The community's part of the demo network (`hemonc demo`), one function per area. All of
it is synthetic and says so, and it tells the network's story relative to today."""

from __future__ import annotations

# ---- opportunities (+ sponsorship) ----
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from hemonc.community.models.opportunities import (
    Nomination,
    NominationStatus,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    SavedOpportunity,
    codes_field,
)
from hemonc.members.demo import DEMO_DOMAIN
from hemonc.members.models import User
from hemonc.mentorship.models import Mentorship
from hemonc.taxonomy.enums import Stage
from hemonc.taxonomy.models import Topic

DEMO_NOTE = "_(A synthetic demo opportunity: the organization and the link are invented.)_"


@dataclass(frozen=True)
class DemoOpportunity:
    key: str
    title: str
    kind: str
    organization: str
    summary: str
    days: int  # the deadline, in days from today (negative: in the archive)
    zone: str
    stages: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    saved: bool = False  # by the demo member
    status: str = OpportunityStatus.APPROVED


F, AF, R, MS, PHD = (
    Stage.FELLOW, Stage.ADVANCED_FELLOW, Stage.RESIDENT, Stage.MEDICAL_STUDENT, Stage.PHD_TRAINEE
)  # fmt: skip

DEMO_OPPORTUNITIES = (
    DemoOpportunity(
        "travel", "Trainee travel award to the winter hematology meeting",
        OpportunityKind.TRAVEL_GRANT, "Prairie Hematology Society",
        "Registration, three nights and the flight for trainees presenting a poster.",
        5, "America/New_York", (R, F, AF), (), ("leusm", "lymsm"), saved=True,
    ),
    DemoOpportunity(
        "grant", "Early-career leukemia research grant",
        OpportunityKind.FUNDING, "Northern Lights Leukemia Fund",
        "Two years of protected research time for a fellow with a mentor's project.",
        21, "America/Chicago", (F, AF), ("US", "CA"), ("leusm",), saved=True,
    ),
    DemoOpportunity(
        "abstracts", "Call for abstracts: trainee poster session",
        OpportunityKind.CALL_FOR_ABSTRACTS, "Hem-Onc Network Season 2",
        "Case series and early results welcome; the best three are read in a live session.",
        40, "UTC", (), (), ("hojournalclub",),
    ),
    DemoOpportunity(
        "rotation", "Visiting rotation in stem-cell transplant",
        OpportunityKind.VISITING_ROTATION, "Lakeside Transplant Center",
        "Four weeks on the transplant service, with a research afternoon each week.",
        60, "Europe/London", (R, F), (), ("bmttandem",),
    ),
    DemoOpportunity(
        "observership", "Clinical observership in pediatric hematology",
        OpportunityKind.OBSERVERSHIP, "Harbor Children's Hospital",
        "Two weeks of clinics for students and residents considering pediatric hem-onc.",
        30, "Australia/Sydney", (MS, R), ("AU", "NZ", "IN", "GB"), ("pedcsm",),
    ),
    DemoOpportunity(
        "job", "Junior faculty position: lymphoma program",
        OpportunityKind.JOB, "Great Plains Cancer Institute",
        "Clinical investigator track, half time in the lymphoma clinic.",
        45, "America/Chicago", (F, AF), ("US",), ("lymsm",),
    ),
    DemoOpportunity(
        "award", "Award for trainee-led community education",
        OpportunityKind.AWARD, "Society for Patient Education in Oncology",
        "For a trainee whose threads, chats or talks taught the public.",
        10, "America/Los_Angeles", (MS, R, F, AF, PHD), (), ("meded",),
    ),
    DemoOpportunity(
        "summer", "Myeloma summer school scholarship",
        OpportunityKind.FUNDING, "Alpine Myeloma Academy",
        "A week of lectures and case discussions; the scholarship covers the fee.",
        50, "Europe/Zurich", (F, AF, PHD), (), ("mmsm",), status=OpportunityStatus.PENDING,
    ),
    DemoOpportunity(
        "season1", "Season 1 trainee travel grant",
        OpportunityKind.TRAVEL_GRANT, "Hem-Onc Network Season 1",
        "Travel to the spring meeting for trainees who hosted a Season 1 chat.",
        -40, "America/New_York", (R, F, AF), (), ("hofellows",), saved=True,
    ),
    DemoOpportunity(
        "abstracts-last", "Call for abstracts: last year's trainee symposium",
        OpportunityKind.CALL_FOR_ABSTRACTS, "Prairie Hematology Society",
        "Last year's call, kept for those planning this year's abstracts.",
        -120, "America/Chicago", (), (), ("leusm", "lymsm"),
    ),
    DemoOpportunity(
        "lymphoma-award", "Lymphoma fellowship award",
        OpportunityKind.AWARD, "Great Plains Cancer Institute",
        "A year of research funding for a fellow in lymphoma.",
        -200, "America/Chicago", (F, AF), ("US",), ("lymsm",),
    ),
)  # fmt: skip


def demo_opportunities_exist() -> bool:
    return Opportunity.objects.filter(how_to_apply__contains="synthetic demo opportunity").exists()


def _deadline(days: int, zone: str, now: datetime) -> datetime:
    """11:59 PM in `zone`, `days` from today."""
    local = (now + timedelta(days=days)).astimezone(ZoneInfo(zone)).date()
    return datetime.combine(local, time(23, 59), tzinfo=ZoneInfo(zone))


@transaction.atomic
def demo_opportunities_create(*, stdout: Any) -> None:
    """Opportunities on the board (two saved by the demo member), one suggestion waiting for
    review, three in the archive, and nominations: the demo member's mentor put them forward
    for the research grant (accepted) and for a journal-club talk (waiting for their answer)."""
    if demo_opportunities_exist():
        stdout.write("The demo opportunities are already here.")
        return
    users = {
        user.email.split("@", 1)[0]: user
        for user in User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").select_related("profile")
    }
    organizer, member = users.get("organizer"), users.get("member")
    if organizer is None or member is None:
        stdout.write("No demo members: the opportunities demo is skipped.")
        return
    now = timezone.now()
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    made: dict[str, Opportunity] = {}
    for spec in DEMO_OPPORTUNITIES:
        deadline = _deadline(spec.days, spec.zone, now)
        approved = spec.status == OpportunityStatus.APPROVED
        # Posted some weeks before its deadline, when the board was new to it.
        posted = min(now, deadline - timedelta(days=45)) if approved else now - timedelta(days=2)
        opportunity = Opportunity.objects.create(
            title=spec.title,
            kind=spec.kind,
            organization=spec.organization,
            summary=spec.summary,
            deadline=deadline,
            time_zone=spec.zone,
            stages=codes_field(list(spec.stages)),
            countries=codes_field(list(spec.countries)),
            url=f"https://opportunities.{DEMO_DOMAIN}/{spec.key}",
            how_to_apply=(
                "1. Read the call on the organization's page.\n"
                "2. Ask your program director for a letter of support.\n"
                "3. Send your CV and a one-page statement before the deadline.\n\n"
                f"{DEMO_NOTE}"
            ),
            status=spec.status,
            suggested_by=member if not approved else organizer,
            reviewed_by=organizer if approved else None,
            reviewed_at=posted if approved else None,
            approved_at=posted if approved else None,
        )
        Opportunity.objects.filter(pk=opportunity.pk).update(created_at=posted)
        opportunity.tags.set([topics[slug] for slug in spec.tags if slug in topics])
        if spec.saved:
            SavedOpportunity.objects.create(user=member, opportunity=opportunity)
        made[spec.key] = opportunity

    mentorship = Mentorship.objects.filter(mentee=member).select_related("mentor__profile").first()
    sponsor = mentorship.mentor if mentorship else users.get("attending")
    nominations = 0
    if sponsor is not None:
        Nomination.objects.create(
            nominator=sponsor,
            nominee=member,
            opportunity=made["grant"],
            statement="I have worked with them for a year on a leukemia project; they lead it "
            "with care and will use the protected time well. (Synthetic demo statement.)",
            status=NominationStatus.ACCEPTED,
            responded_at=now - timedelta(days=3),
        )
        Nomination.objects.create(
            nominator=sponsor,
            nominee=member,
            role="Presenter at a Season 2 journal club",
            statement="They read trials closely and explain them plainly; the network would "
            "learn from them. (Synthetic demo statement.)",
        )
        nominations = 2
    stdout.write(
        f"Opportunities: {len(made)} (3 in the archive, 1 suggestion to review), "
        f"{nominations} nominations of the demo member."
    )
