"""The moderation part of `hemonc demo`: a code of conduct in two versions, the second
published this autumn, accepted by every demo member; reports and cases, open and closed, and
a member suspended for a week; a new member whose first reply waits for review (all
synthetic, relative to today)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from hemonc.community.enums import ReviewState, SpaceVisibility
from hemonc.community.models import Discussion, Reply
from hemonc.community.review import PUBLISHED
from hemonc.core.audit import audit
from hemonc.core.markdown import render_markdown
from hemonc.core.models import AuditEntry
from hemonc.core.permissions import OPERATOR
from hemonc.events.models import LiveSession, Question
from hemonc.members.demo import SYNTHETIC_NOTE
from hemonc.members.models import User
from hemonc.members.services import profile_search_document
from hemonc.mentorship.models import MentorOffer
from hemonc.moderation.items import KINDS
from hemonc.moderation.models import (
    Case,
    CaseStatus,
    ConductAcceptance,
    ConductVersion,
    Decision,
    Outcome,
    Reason,
    Report,
)
from hemonc.taxonomy.enums import Specialty, Stage
from hemonc.taxonomy.models import Topic

FIRST = """\
## Our promise

This network is a place for hematology and oncology trainees to learn, ask and be heard.
We keep it safe, kind and professional.

## What we expect

- **Respect.** Disagree with ideas, never attack people. No harassment, threats, slurs or
  sexual comments, in public or in messages.
- **No patient information, ever.** No names, dates, places, record numbers, photos or
  anything else that could identify a patient. Case discussions are de-identified and, where
  needed, consented.
- **Honesty.** Say who you are and where you train. Name your conflicts of interest when you
  talk about a drug, a device or a trial.
- **Evidence.** Share sources for clinical claims; label opinion as opinion.
- **Trainees first.** Questions are welcome at every stage. Nobody is mocked for asking.

## When something goes wrong

Report a post, a message or a profile from its menu. Moderators read every report, act on it
and tell you the outcome. You can also block anyone: you will no longer see each other.
"""

SECOND_ADDITION = """
## Hierarchy

Attendings, program directors and sponsors are members like everyone else here. Using a
position of power to pressure, retaliate against or single out a trainee breaks this code.
Reports about a mentor or a moderator go to moderators outside their institution.
"""


@transaction.atomic
def demo_moderation_create(*, stdout: Any) -> None:
    if ConductVersion.objects.exists():
        return
    now = timezone.now()
    organizer = User.objects.filter(email="organizer@demo.hemonc.example").first()
    # Published 16 months ago and this autumn; each member accepted on joining or soon after.
    dates = (now - timedelta(days=480), now - timedelta(days=60))
    first = ConductVersion.objects.create(
        number=1,
        body=FIRST,
        changes="The first code of conduct of the platform (synthetic demo text).",
        published_at=dates[0],
        published_by=organizer,
    )
    second = ConductVersion.objects.create(
        number=2,
        body=FIRST + SECOND_ADDITION,
        changes="A section on hierarchy: power is never used against a trainee.",
        published_at=dates[1],
        published_by=organizer,
    )
    users = list(User.objects.filter(is_active=True).values_list("pk", "date_joined"))
    ConductAcceptance.objects.bulk_create(
        ConductAcceptance(
            user_id=pk,
            version=version,
            accepted_at=max(published, joined) + timedelta(hours=1),
        )
        for version, published in zip((first, second), dates, strict=True)
        for pk, joined in users
    )
    for version in (first, second):
        audit(actor=organizer or OPERATOR, action="conduct.publish", target=version)
    stdout.write(f"Code of conduct: 2 versions, accepted by {len(users)} members.")


SIGN_INS = ("organizer", "moderator", "member", "attending", "blocked")

# Items the demo's members reported (synthetic text; no real person or patient).
REPORTED_QUESTION = (
    "The young teacher on our ward with APL, whose sister posts daily updates about her on "
    "Instagram: may I share her story here?"
)
RUDE_QUESTION = "Why does this network let residents waste the guests' time with basic questions?"
SUSPENDED_QUESTION = "Honestly, the last speaker had no idea what she was talking about. Clown."
SPAM_BIO = "Board review notes for sale: 90% off this week only, message me for the link."


def _case(*, item: Any, kind_label: str, author: Any, reporters: list[Any], reason: str,
          when: Any, patient_data: bool = False) -> Case:  # fmt: skip
    case = Case.objects.create(
        item_type=kind_label, item_id=str(item.pk), author=author, patient_data=patient_data
    )
    Case.objects.filter(pk=case.pk).update(created_at=when)
    Report.objects.bulk_create(
        Report(
            case=case,
            reporter=reporter,
            item_type=kind_label,
            item_id=str(item.pk),
            reason=reason,
            note="" if index else "Reported from the demo network (synthetic).",
            created_at=when + timedelta(minutes=7 * index),
        )
        for index, reporter in enumerate(reporters)
    )
    entry = audit(actor=reporters[0], action="case.report", target=case, changes={"reason": reason})
    AuditEntry.objects.filter(pk=entry.pk).update(created_at=when)
    return case


def _decide(case: Case, *, moderator: Any, outcome: str, reason: str, when: Any,
            days: int | None = None) -> None:  # fmt: skip
    Decision.objects.create(
        case=case, moderator=moderator, outcome=outcome, reason=reason, suspended_days=days,
        created_at=when,
    )  # fmt: skip
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED, outcome=outcome, decided_by=moderator, decided_at=when,
        claimed_by=moderator, claimed_at=when - timedelta(minutes=10),
    )  # fmt: skip
    entry = audit(actor=moderator, action=f"case.{outcome}", target=case)
    AuditEntry.objects.filter(pk=entry.pk).update(created_at=when)


@transaction.atomic
def demo_cases_create(*, stdout: Any) -> None:
    """Reports and cases: two open (one of patient data, hidden at once), a spam bio hidden,
    a mentor offer report dismissed, and a member suspended for a week for an insult."""
    if Case.objects.exists():
        return
    now = timezone.now()
    moderator = User.objects.get(email="moderator@demo.hemonc.example")
    people = list(
        User.objects.filter(is_active=True, email__endswith="@demo.hemonc.example")
        .exclude(groups__name__in=["organizer", "moderator"])
        .exclude(email__in=[f"{name}@demo.hemonc.example" for name in SIGN_INS])
        .select_related("profile")
        .order_by("pk")[:12]
    )
    if len(people) < 11:
        return
    session = (
        LiveSession.objects.filter(starts_at__gt=now, status="scheduled")
        .order_by("starts_at")
        .first()
        or LiveSession.objects.order_by("-starts_at").first()
    )
    if session is None:
        return
    question = KINDS["events.question"]

    reported = Question.objects.create(session=session, author=people[0], text=REPORTED_QUESTION)
    case = _case(item=reported, kind_label="events.question", author=people[0],
                 reporters=people[1:3], reason=Reason.PATIENT_DATA,
                 when=now - timedelta(hours=3), patient_data=True)  # fmt: skip
    question.set_hidden(reported, True)
    Case.objects.filter(pk=case.pk).update(hidden_on_report=True)

    rude = Question.objects.create(session=session, author=people[3], text=RUDE_QUESTION)
    _case(item=rude, kind_label="events.question", author=people[3], reporters=[people[4]],
          reason=Reason.HARASSMENT, when=now - timedelta(hours=20))  # fmt: skip

    insult = Question.objects.create(session=session, author=people[5], text=SUSPENDED_QUESTION)
    when = now - timedelta(days=2)
    case = _case(item=insult, kind_label="events.question", author=people[5],
                 reporters=people[6:8], reason=Reason.HARASSMENT, when=when)  # fmt: skip
    question.set_hidden(insult, True)
    _decide(case, moderator=moderator, outcome=Outcome.SUSPENDED, days=7,
            reason="A personal insult to a guest speaker (code of conduct: respect).",
            when=when + timedelta(hours=1))  # fmt: skip
    User.objects.filter(pk=people[5].pk).update(suspended_until=when + timedelta(days=7, hours=1))

    # A member who keeps out of the directory posted an advert as their bio.
    spammer = (
        User.objects.filter(
            email__endswith="@demo.hemonc.example", profile__listed_in_directory=False
        )
        .exclude(pk__in=[p.pk for p in people])
        .select_related("profile")
        .first()
    )
    if spammer is not None:
        profile = spammer.profile
        profile.bio = f"{SPAM_BIO}\n\n{SYNTHETIC_NOTE}"
        profile.save(update_fields=["bio"])
        when = now - timedelta(days=20)
        case = _case(item=profile, kind_label="members.profile", author=spammer,
                     reporters=people[9:11], reason=Reason.SPAM, when=when)  # fmt: skip
        KINDS["members.profile"].set_hidden(profile, True)
        _decide(case, moderator=moderator, outcome=Outcome.HIDDEN,
                when=when + timedelta(hours=5),
                reason="Advertising: the network is not a marketplace.")  # fmt: skip

    offer = MentorOffer.objects.exclude(user__in=people).order_by("pk").first()
    if offer is not None:
        when = now - timedelta(days=9)
        case = _case(item=offer, kind_label="mentorship.mentoroffer", author=offer.user,
                     reporters=[people[1]], reason=Reason.MISINFORMATION, when=when)  # fmt: skip
        _decide(case, moderator=moderator, outcome=Outcome.DISMISSED,
                when=when + timedelta(days=1),
                reason="The offer's advice on visa timelines is accurate.")  # fmt: skip
    stdout.write(f"Moderation: {Case.objects.count()} cases, one member suspended for a week.")


NEWCOMER_EMAIL = "newcomer@demo.hemonc.example"
NEWCOMER_REPLY = (
    "First post here: our unit is starting to give bispecifics as outpatients. How do you "
    "organize monitoring for cytokine release in the first week?"
)


@transaction.atomic
def demo_new_account_create(*, stdout: Any) -> None:
    """A member who joined two days ago, whose first reply waits for a moderator (once: a
    second run finds the member)."""
    if User.objects.filter(email=NEWCOMER_EMAIL).exists():
        return
    discussion = (
        Discussion.objects.filter(
            PUBLISHED, hidden=False, space__visibility=SpaceVisibility.MEMBERS
        )
        .order_by("-last_activity_at", "-id")
        .first()
    )
    if discussion is None:
        return
    now = timezone.now()
    user = User.objects.create_user(NEWCOMER_EMAIL, None, date_joined=now - timedelta(days=2))
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    profile = user.profile
    profile.display_name = "Noor Haddad"
    profile.stage = Stage.RESIDENT
    profile.institution = "Riverside Teaching Hospital"
    profile.country = "JO"
    profile.time_zone = "Asia/Amman"
    profile.specialty = Specialty.INTERNAL_MEDICINE
    profile.bio = f"Second-year internal medicine resident, curious about myeloma. {SYNTHETIC_NOTE}"
    profile.search_document = profile_search_document(profile)
    profile.save()
    profile.interests.set(Topic.objects.filter(slug__in=["mmsm", "hemetwitter"]))
    current = ConductVersion.objects.filter(published_at__isnull=False).first()
    if current is not None:
        ConductAcceptance.objects.get_or_create(user=user, version=current)
    reply = Reply.objects.create(
        discussion=discussion,
        author=user,
        body=NEWCOMER_REPLY,
        body_html=render_markdown(NEWCOMER_REPLY),
        review_state=ReviewState.WAITING,
    )
    Reply.objects.filter(pk=reply.pk).update(created_at=now - timedelta(hours=3))
    audit(actor=user, action="community.reply_create", target=reply, changes={"review": "waiting"})
    stdout.write("Moderation: a new member's first reply waits for review.")
