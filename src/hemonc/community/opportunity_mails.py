"""The deadline reminders of saved opportunities: a subject, a text template and the HTML
wrapper, the deadline written in the member's zone with the opportunity's own beside it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from hemonc.community.models.opportunities import Opportunity, ReminderKind
from hemonc.core.bulkmail import MailMessage
from hemonc.core.text import one_line, text_as_html
from hemonc.core.timezones import is_time_zone
from hemonc.events.times import session_when
from hemonc.members.models import User

SUBJECTS = {
    ReminderKind.WEEK: "A week left to apply: {title}",
    ReminderKind.DAY: "Deadline tomorrow: {title}",
}


def deadline_text(opportunity: Opportunity, *, zone: ZoneInfo) -> str:
    """The deadline in `zone`, then in the opportunity's own zone when that reads otherwise."""
    when = session_when(
        opportunity.deadline, reader=zone, session_zone=opportunity.time_zone, style="full"
    )
    return f"{when.local} · {when.session}" if when.session else when.local


def _zone_of(user: User, opportunity: Opportunity) -> ZoneInfo:
    name = getattr(getattr(user, "profile", None), "time_zone", "") or ""
    if not is_time_zone(name):
        name = opportunity.time_zone if is_time_zone(opportunity.time_zone) else "UTC"
    return ZoneInfo(name)


def reminder_message(*, opportunity: Opportunity, user: User, kind: str) -> MailMessage:
    """The reminder of `kind` to `user`. What members typed (the title, the organization)
    stays text: one line in the subject, escaped in the HTML part, never a link."""
    kind = ReminderKind(kind)
    zone = _zone_of(user, opportunity)
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + SUBJECTS[kind].format(
        title=one_line(opportunity.title)
    )
    site = settings.SITE_URL
    context = {
        "recipient": user,
        "opportunity": opportunity,
        "kind": kind,
        "deadline": deadline_text(opportunity, zone=zone),
        "opportunity_url": f"{site}{opportunity.get_absolute_url()}",
        "saved_url": f"{site}/community/opportunities/saved/",
    }
    with timezone.override(zone):
        text = render_to_string("community/opportunities/email/reminder.txt", context)
    html = render_to_string(
        "community/opportunities/email/message.html",
        {"subject": subject, "body": text_as_html(text)},
    )
    message = MailMessage(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message
