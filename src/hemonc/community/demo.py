"""The community's part of `hemonc demo`: one function per area, each doing nothing when its
part is already there. All of it is synthetic and says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from hemonc.community.enums import DiscussionKind, ReactionKind, SpaceVisibility
from hemonc.community.models import Discussion, Notification, Reaction, Reply, Space
from hemonc.community.models.opportunities import (
    Nomination,
    NominationStatus,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    SavedOpportunity,
    codes_field,
)
from hemonc.community.services import spaces as space_services
from hemonc.core.permissions import OPERATOR
from hemonc.events.enums import SessionKind
from hemonc.events.models import LiveSession
from hemonc.members.models import User
from hemonc.mentorship.models import Mentorship, Program
from hemonc.taxonomy.enums import Stage
from hemonc.taxonomy.models import Topic

DEMO_DOMAIN = "demo.hemonc.example"
SYNTHETIC = "_(Synthetic demo post.)_"

# ---- spaces (+ notifications) ----


def demo_spaces_create(*, stdout: Any) -> None:
    """Spaces `general` (everyone signed in) and `trainees` (trainees only), an organizers'
    room and a program's space, with discussions, replies, reactions, a journal club and a
    chat linked to the current season's sessions. The demo member sees replies of the fellow
    they blocked nowhere; the demo attending never sees `trainees`."""
    if Space.objects.filter(slug="general").exists():
        stdout.write("The demo spaces are already here.")
        return
    people = {
        user.email.split("@", 1)[0]: user
        for user in User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", is_active=True)
    }
    needed = {"organizer", "moderator", "member", "attending", "blocked"}
    if not needed <= set(people):
        stdout.write("No demo sign-ins: skipping the demo spaces.")
        return
    organizer, moderator, member = people["organizer"], people["moderator"], people["member"]
    attending, blocked = people["attending"], people["blocked"]
    fellows = list(
        User.objects.filter(
            email__endswith=f"@{DEMO_DOMAIN}", profile__stage__in=["fellow", "resident"]
        )
        .exclude(pk__in=[member.pk, blocked.pk, moderator.pk])
        .exclude(profile__display_name="")
        .order_by("id")[:6]
    )
    tags = {topic.slug: topic for topic in Topic.objects.filter(slug__in=_TAG_SLUGS)}

    create = space_services.space_create
    general = create(
        actor=OPERATOR, slug="general", name="General",
        description="Everything hem-onc: careers, conferences, papers. Everyone signed in "
        "reads it. (Demo space.)",
    )  # fmt: skip
    trainees = create(
        actor=OPERATOR, slug="trainees", name="Trainees' room",
        visibility=SpaceVisibility.TRAINEES,
        description="Students, residents, fellows and PhD trainees only: no attending reads "
        "this. (Demo space.)",
    )  # fmt: skip
    create(
        actor=OPERATOR, slug="organizers", name="Organizers' room",
        visibility=SpaceVisibility.ORGANIZERS,
        description="Planning the season. (Demo space.)",
    )  # fmt: skip
    program = Program.objects.order_by("id").first()
    if program is not None:
        create(
            actor=OPERATOR, slug="program", name=f"{program.name}: participants",
            visibility=SpaceVisibility.PROGRAM, program=program,
            description="Mentors and mentees of the program. (Demo space.)",
        )  # fmt: skip

    now = timezone.now()
    welcome = _post(
        general, organizer, days_ago=60,
        title="Welcome to the community",
        body="This is where the conversations from our live sessions continue. Be kind, "
        "never write anything that could identify a patient, and use **@[Name]** to bring "
        f"someone in. {SYNTHETIC}",
        tags=["hemetwitter"],
    )  # fmt: skip
    space_services.discussion_moderate(actor=OPERATOR, discussion=welcome, pinned=True)
    _replies(welcome, [(member, "Glad this exists. Hello from the fellows' workroom!"),
                       (attending, "Happy to answer questions about myeloma careers."),
                       (blocked, "Hi all, first-year fellow here.")], days_ago=59)  # fmt: skip
    _react(welcome, [(member, ReactionKind.THANKS), (attending, ReactionKind.SUPPORT),
                     (moderator, ReactionKind.THANKS), (blocked, ReactionKind.AGREE)])  # fmt: skip

    abstracts = _post(
        general, member, days_ago=12,
        title="Which abstracts are you reading this week?",
        body=f"I am collecting the leukemia and lymphoma abstracts people found useful. {SYNTHETIC}",
        tags=["leusm", "lymsm"],
    )  # fmt: skip
    _replies(abstracts, [
        (attending, "The measurable residual disease sessions, every one of them."),
        (fellows[3] if len(fellows) > 3 else moderator,
         "The AML maintenance trials; happy to share my notes."),
        (moderator, "Adding @[Demo Member]'s list to the next newsletter, if that is all right."),
        (member, "Of course, thank you!"),
    ], days_ago=11)  # fmt: skip
    _react(abstracts, [(attending, ReactionKind.INSIGHTFUL), (moderator, ReactionKind.AGREE)])

    # The journal club and the chat of the current season.
    season_club = _session(SessionKind.JOURNAL_CLUB, now, past=True)
    club = space_services.discussion_create(
        actor=organizer, space=general, kind=DiscussionKind.JOURNAL_CLUB,
        title="#hojournalclub: a new standard in AML",
        body="Read the paper before the session and bring one question about its methods: "
        f"the control arm, the endpoints, who was left out. {SYNTHETIC}",
        tags=[tags[slug] for slug in ("hojournalclub", "leusm") if slug in tags],
        session=season_club,
        paper={
            "paper_doi": (season_club.paper if season_club and season_club.paper
                          else "10.1056/NEJMoa0000000"),
            "paper_title": "A randomized trial of a new induction regimen in AML "
            "(synthetic demo paper)",
            "paper_journal": "Demo Journal of Hematology",
            "paper_year": now.year - 1,
        },
    )  # fmt: skip
    _backdate(club, days_ago=(now - season_club.starts_at).days + 7 if season_club else 30)
    _replies(club, [
        (fellows[0] if fellows else member, "Was the control arm what most centers give?"),
        (attending, "Mostly, yes. The open question is the older patients who were excluded."),
        (member, "The supplement explains the endpoint change well, worth the read."),
    ], start=season_club.starts_at + timedelta(minutes=20) if season_club else now - timedelta(days=20))  # fmt: skip

    chat_session = _session(SessionKind.CHAT, now, past=True)
    chat = space_services.discussion_create(
        actor=organizer, space=general, kind=DiscussionKind.CHAT,
        title="#hemetwitter chat: reading a trial's fine print",
        body="Questions come every ten minutes during the hour; reply with Q1, Q2... so "
        f"everyone can follow. {SYNTHETIC}",
        tags=[tags[slug] for slug in ("hemetwitter",) if slug in tags],
        session=chat_session,
        starts_at=chat_session.starts_at if chat_session else now - timedelta(days=14),
    )  # fmt: skip
    chat_days = (now - chat.starts_at).days if chat.starts_at else 14
    _backdate(chat, days_ago=chat_days + 3)
    _replies(chat, [
        (organizer, "Q1: What do you read first in a trial report?"),
        (member, "A1: The eligibility criteria. Who would not have been enrolled?"),
        (fellows[1] if len(fellows) > 1 else moderator, "A1: The consort diagram, always."),
        (organizer, "Q2: How do you explain a hazard ratio to a patient's family?"),
        (attending, "A2: As a comparison of risks over time, never as a percent cured."),
    ], start=(chat.starts_at or now - timedelta(days=14)) + timedelta(minutes=2))  # fmt: skip

    # The trainees' room: only trainees see it (not the demo attending).
    letters = _post(
        trainees, member, days_ago=20,
        title="Asking for a letter of recommendation without feeling awkward",
        body="How early do you ask, and do you send a summary of what you worked on "
        f"together? {SYNTHETIC}",
        tags=["hofellows"],
    )  # fmt: skip
    _replies(letters, [
        (fellows[2] if len(fellows) > 2 else moderator, "Six weeks ahead, with a one-page summary."),
        (fellows[4] if len(fellows) > 4 else moderator, "I also send the job description."),
        (moderator, "Offer a draft only if they ask for one."),
    ], days_ago=19)  # fmt: skip
    _react(letters, [(moderator, ReactionKind.SUPPORT)])
    night = _post(
        trainees, blocked, days_ago=8,
        title="Surviving the first night-float block",
        body=f"What do you pack, and when do you sleep? {SYNTHETIC}",
        tags=["hofellows"],
    )  # fmt: skip
    _replies(night, [(moderator, "Sleep right after the block, before errands.")], days_ago=7)

    for slug in ("hemetwitter", "leusm"):
        if slug in tags:
            space_services.follow_set(actor=member, following=True, topic=tags[slug])
    space_services.follow_set(actor=member, following=True, space=trainees)
    space_services.follow_set(actor=attending, following=True, space=general)
    discussions = Discussion.objects.filter(space__in=[general, trainees]).count()
    notes = Notification.objects.filter(recipient=member).count()
    stdout.write(
        f"Created the demo spaces: {Space.objects.count()} spaces, {discussions} discussions "
        f"with {Reply.objects.count()} replies and {Reaction.objects.count()} reactions, "
        f"{notes} notifications for the demo member."
    )


_TAG_SLUGS = ("hemetwitter", "hojournalclub", "leusm", "lymsm", "hofellows", "mmsm")


def _session(kind: SessionKind, now: Any, *, past: bool) -> LiveSession | None:
    sessions = LiveSession.objects.filter(kind=kind, season__slug__isnull=False)
    if past:
        sessions = sessions.filter(starts_at__lt=now).order_by("-starts_at")
    else:
        sessions = sessions.filter(starts_at__gte=now).order_by("starts_at")
    return sessions.first()


def _post(
    space: Space, author: User, *, days_ago: int, title: str, body: str, tags: list[str]
) -> Discussion:
    topics = list(Topic.objects.filter(slug__in=tags))
    discussion = space_services.discussion_create(
        actor=author, space=space, title=title, body=body, tags=topics
    )
    _backdate(discussion, days_ago=days_ago)
    return discussion


def _backdate(discussion: Discussion, *, days_ago: int) -> None:
    when = timezone.now() - timedelta(days=days_ago, hours=3)
    Discussion.objects.filter(pk=discussion.pk).update(created_at=when, last_activity_at=when)


def _replies(
    discussion: Discussion,
    rows: list[tuple[User, str]],
    *,
    days_ago: int = 0,
    start: datetime | None = None,
) -> None:
    start = start or timezone.now() - timedelta(days=days_ago)
    for number, (author, text) in enumerate(rows):
        reply = space_services.reply_create(actor=author, discussion=discussion, body=text)
        when = start + timedelta(minutes=7 * number)
        Reply.objects.filter(pk=reply.pk).update(created_at=when)
        Notification.objects.filter(url__endswith=f"#reply-{reply.pk}").update(created_at=when)
        Discussion.objects.filter(pk=discussion.pk).update(
            last_activity_at=when, updated_at=F("updated_at")
        )


def _react(discussion: Discussion, rows: list[tuple[User, ReactionKind]]) -> None:
    for user, kind in rows:
        space_services.reaction_toggle(actor=user, discussion=discussion, kind=kind)


# ---- end spaces ----


# ---- opportunities (+ sponsorship) ----

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


FEL, AF, R, MS, PHD = (
    Stage.FELLOW, Stage.ADVANCED_FELLOW, Stage.RESIDENT, Stage.MEDICAL_STUDENT, Stage.PHD_TRAINEE
)  # fmt: skip

DEMO_OPPORTUNITIES = (
    DemoOpportunity(
        "travel", "Trainee travel award to the winter hematology meeting",
        OpportunityKind.TRAVEL_GRANT, "Prairie Hematology Society",
        "Registration, three nights and the flight for trainees presenting a poster.",
        5, "America/New_York", (R, FEL, AF), (), ("leusm", "lymsm"), saved=True,
    ),
    DemoOpportunity(
        "grant", "Early-career leukemia research grant",
        OpportunityKind.FUNDING, "Northern Lights Leukemia Fund",
        "Two years of protected research time for a fellow with a mentor's project.",
        21, "America/Chicago", (FEL, AF), ("US", "CA"), ("leusm",), saved=True,
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
        60, "Europe/London", (R, FEL), (), ("bmttandem",),
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
        45, "America/Chicago", (FEL, AF), ("US",), ("lymsm",),
    ),
    DemoOpportunity(
        "award", "Award for trainee-led community education",
        OpportunityKind.AWARD, "Society for Patient Education in Oncology",
        "For a trainee whose threads, chats or talks taught the public.",
        10, "America/Los_Angeles", (MS, R, FEL, AF, PHD), (), ("meded",),
    ),
    DemoOpportunity(
        "summer", "Myeloma summer school scholarship",
        OpportunityKind.FUNDING, "Alpine Myeloma Academy",
        "A week of lectures and case discussions; the scholarship covers the fee.",
        50, "Europe/Zurich", (FEL, AF, PHD), (), ("mmsm",), status=OpportunityStatus.PENDING,
    ),
    DemoOpportunity(
        "season1", "Season 1 trainee travel grant",
        OpportunityKind.TRAVEL_GRANT, "Hem-Onc Network Season 1",
        "Travel to the spring meeting for trainees who hosted a Season 1 chat.",
        -40, "America/New_York", (R, FEL, AF), (), ("hofellows",), saved=True,
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
        -200, "America/Chicago", (FEL, AF), ("US",), ("lymsm",),
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


# ---- messages (+ digest) ----


def demo_conversations_create(*, stdout: Any) -> None:
    """Conversations of the demo member, all synthetic: the one each mentorship request of
    the demo opened already, a request from the attending the member accepted (about the
    journal club), a request from a fellow still waiting, a group planning a Season 2
    session, and an old one with the fellow the member later blocked (ended). The member
    asked for the weekly digest. Nothing here is real; the texts say so."""
    from hemonc.community.models.digest import DigestSubscription
    from hemonc.community.models.messages import (
        Conversation,
        Message,
        Participant,
        ParticipantStatus,
        pair_key,
    )

    people = {
        user.email.split("@", 1)[0]: user
        for user in User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", is_active=True)
    }
    if not {"organizer", "member", "attending", "blocked"} <= set(people):
        stdout.write("No demo sign-ins: skipping the demo conversations.")
        return
    member, attending = people["member"], people["attending"]
    organizer, blocked = people["organizer"], people["blocked"]
    if Conversation.objects.filter(pair_key=pair_key(member.pk, attending.pk)).exists():
        stdout.write("The demo conversations are already here.")
        return
    fellows = list(
        User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", profile__stage="fellow")
        .exclude(pk__in=[member.pk, blocked.pk])
        .exclude(profile__display_name="")
        .order_by("id")[:2]
    )
    now = timezone.now()

    def conversation(
        talk: list[tuple[User, str, int]],
        *,
        people: list[User],
        asked: tuple[User, ...] = (),
        read_by_member: bool = True,
    ) -> Conversation:
        """Messages (author, text, hours ago), oldest first, written straight to the tables
        so they carry their dates."""
        direct = len(people) == 2
        row = Conversation.objects.create(
            created_by=talk[0][0],
            pair_key=pair_key(people[0].pk, people[1].pk) if direct else "",
        )
        for person in people:
            Participant.objects.create(
                conversation=row,
                user=person,
                status=ParticipantStatus.REQUESTED
                if person in asked
                else ParticipantStatus.ACCEPTED,
            )
        last = now
        for author, text, hours in talk:
            message = Message.objects.create(conversation=row, sender=author, body=text)
            last = now - timedelta(hours=hours)
            Message.objects.filter(pk=message.pk).update(created_at=last)
        Conversation.objects.filter(pk=row.pk).update(
            last_message_at=last, created_at=now - timedelta(hours=talk[0][2])
        )
        Participant.objects.filter(conversation=row).exclude(user=member).update(last_read_at=last)
        if read_by_member:
            Participant.objects.filter(conversation=row, user=member).update(last_read_at=last)
        return row

    conversation(
        [
            (
                attending,
                "Hello! I host the #LCSM journal club next month and saw your reply "
                "about the osimertinib paper. Would you present the methods section? "
                "(Synthetic demo message.)",
                72,
            ),
            (member, "I would love to. Could we meet for 20 minutes the week before?", 70),
            (attending, "Perfect. I will send two slots after clinic on Thursday.", 50),
            (attending, "Thursday 17:00 or Friday 8:00 (your time) work for me.", 3),
        ],
        people=[attending, member],
        read_by_member=False,
    )
    if fellows:
        conversation(
            [
                (
                    fellows[0],
                    "Hi! We are both going to ASH: would you like to share notes on "
                    "the myeloma sessions? (Synthetic demo message.)",
                    20,
                )
            ],
            people=[fellows[0], member],
            asked=(member,),
            read_by_member=False,
        )
    conversation(
        [
            (
                organizer,
                "Season 2 planning: could you two co-host the March session on "
                "CAR-T toxicities? (Synthetic demo message.)",
                30,
            ),
            (member, "Yes, happy to. I can draft a first outline.", 28),
            *(
                [(fellows[1], "Count me in: I will reach out to the guest.", 26)]
                if len(fellows) > 1
                else []
            ),
        ],
        people=[organizer, member, *fellows[1:2]],
    )
    # Before the block: an old conversation, now ended for both.
    conversation(
        [
            (
                blocked,
                "Hey, saw your post on the trainees' room. (Synthetic demo message.)",
                24 * 40,
            ),
            (member, "Thanks.", 24 * 40 - 2),
        ],
        people=[blocked, member],
    )
    DigestSubscription.objects.update_or_create(user=member, defaults={"weekly": True})
    stdout.write(
        "Demo conversations: 4 for the member (one request waiting, one ended by a block)."
    )
