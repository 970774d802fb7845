"""The moderation part of `hemonc demo`: a code of conduct in two versions, the second
published this autumn, accepted by every demo member (all synthetic, relative to today)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from hemonc.core.audit import audit
from hemonc.core.permissions import OPERATOR
from hemonc.members.models import User
from hemonc.moderation.models import ConductAcceptance, ConductVersion

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
