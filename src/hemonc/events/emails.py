"""The mails about sessions: each is a subject, a text template and an HTML template.

Times are written in the recipient's zone (their profile's) with the organizers' zone beside
it; mails to a session's people carry its .ics so calendars stay in step.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from hemonc.core.bulkmail import BulkSender, MailMessage, PreparedMail, mail_domain
from hemonc.core.text import text_as_html
from hemonc.core.timezones import is_time_zone
from hemonc.events.calendars import session_invitation
from hemonc.events.models import LiveSession, Rsvp
from hemonc.events.tokens import confirm_token, manage_token

SUBJECTS = {
    "confirm_email": "Confirm your RSVP: {title}",
    "going": "You're going: {title}",
    "waitlisted": "You're on the waitlist: {title}",
    "promoted": "A seat freed up — you're going: {title}",
    "reminder_24h": "Tomorrow: {title}",
    "reminder_1h": "Starting in an hour: {title}",
    "update": "New time: {title}",
    "cancelled": "Cancelled: {title}",
}
# Kinds whose mail carries the session's .ics (REQUEST, or CANCEL once cancelled).
WITH_CALENDAR = {"going", "promoted", "update", "cancelled"}
# Kinds that go to everyone with a seat at once: list mail, with a List-Id (RFC 2919).
TO_EVERYONE = {"update", "cancelled", "reminder_24h", "reminder_1h"}
# Every session mail is sent by the platform, not written by a person (RFC 3834), so
# vacation responders and other automatic replies leave it alone.
AUTOMATIC = {"Auto-Submitted": "auto-generated"}


def list_id(session: LiveSession) -> str:
    """The List-Id of the people with a seat at `session` (RFC 2919)."""
    domain = mail_domain(settings.DEFAULT_FROM_EMAIL)
    return f"Hem-Onc Network session {session.pk} <session-{session.pk}.sessions.{domain}>"


def _list_headers(session: LiveSession, kind: str) -> dict[str, str]:
    headers = dict(AUTOMATIC)
    if kind in TO_EVERYONE:
        headers["List-Id"] = list_id(session)
        headers["Precedence"] = "list"
    return headers


def _zone_of(rsvp: Rsvp, session: LiveSession) -> ZoneInfo:
    name = ""
    if rsvp.user_id and rsvp.user is not None:
        name = getattr(getattr(rsvp.user, "profile", None), "time_zone", "") or ""
    if not name or not is_time_zone(name):
        name = session.time_zone if is_time_zone(session.time_zone) else "UTC"
    return ZoneInfo(name)


def rsvp_links(rsvp: Rsvp) -> dict[str, str]:
    site = settings.SITE_URL
    token = manage_token(rsvp_id=rsvp.pk)
    links = {
        "session_url": f"{site}{rsvp.session.get_absolute_url()}",
        "ics_url": f"{site}{reverse('events:session_ics', args=[rsvp.session_id])}",
        "cancel_url": f"{site}{reverse('events:rsvp_cancel_by_token', args=[token])}",
    }
    if not rsvp.user_id:
        links["confirm_url"] = (
            f"{site}{reverse('events:rsvp_confirm', args=[confirm_token(rsvp_id=rsvp.pk, email=rsvp.email)])}"
        )
    return links


# Stands in for the one part of a bulk mail that differs per person (their cancel token).
_CANCEL_SLOT = "RSVP-CANCEL-SLOT"


def _render(
    kind: str,
    rsvp: Rsvp,
    *,
    zone: ZoneInfo,
    links: dict[str, str],
    extra: dict[str, Any] | None = None,
) -> tuple[str, str]:
    """The text and HTML of the mail of `kind`, with the times in `zone`."""
    session = rsvp.session
    context = {
        "kind": kind,
        "rsvp": rsvp,
        "session": session,
        "show_join_link": bool(session.join_url) and kind not in {"confirm_email", "cancelled"},
        **links,
        **(extra or {}),
    }
    with timezone.override(zone):
        text = render_to_string(f"events/email/{kind}.txt", context)
        join = [session.join_url] if context["show_join_link"] else []
        body = text_as_html(text, links=join)
        html = render_to_string("events/email/message.html", {**context, "body": body})
    return text, html


def rsvp_message(
    rsvp: Rsvp,
    *,
    kind: str,
    extra: dict[str, Any] | None = None,
    bodies: dict[tuple[Any, ...], tuple[str, str]] | None = None,
) -> EmailMultiAlternatives:
    """The mail of `kind` (a key of SUBJECTS) to the person behind `rsvp`.

    `bodies`, shared over one batch (the updates of a session), keeps the rendered text
    and HTML per recipient zone and name, so thousands of mails render the templates a
    handful of times; each mail then only gets its own cancel link filled in.
    """
    session = rsvp.session
    links = rsvp_links(rsvp)
    zone = _zone_of(rsvp, session)
    key = (kind, session.pk, session.sequence, str(zone), rsvp.name, bool(rsvp.user_id))
    token = links["cancel_url"].rstrip("/").rsplit("/", 1)[-1]
    if bodies is not None and key in bodies:
        text, html = bodies[key]
    elif bodies is not None:
        shared = {**links, "cancel_url": links["cancel_url"].replace(token, _CANCEL_SLOT)}
        text, html = bodies[key] = _render(kind, rsvp, zone=zone, links=shared, extra=extra)
    else:
        text, html = _render(kind, rsvp, zone=zone, links=links, extra=extra)
    if bodies is not None:
        text, html = text.replace(_CANCEL_SLOT, token), html.replace(_CANCEL_SLOT, token)
    headers = _list_headers(session, kind)
    if kind != "confirm_email":
        # One click (RFC 8058) gives up the seat, which also stops the reminders.
        headers["List-Unsubscribe"] = f"<{links['cancel_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = MailMessage(
        subject=SUBJECTS[kind].format(title=session.title),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[rsvp.recipient],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    if kind in WITH_CALENDAR:
        method = "CANCEL" if session.is_cancelled else "REQUEST"
        message.attach(
            filename="session.ics",
            content=session_invitation(session, attendee=rsvp.recipient).decode(),
            mimetype=f"text/calendar; method={method}",
        )
    return message


class SessionBulkMail:
    """One session's mail of one kind without an .ics (the reminders) for everyone with a seat.

    The text and HTML are rendered once per recipient zone and name (a handful of times per
    session) and the URLs reversed once; each person's copy then differs only by their signed
    cancel link (also its one-click List-Unsubscribe) and goes out through
    hemonc.core.bulkmail: raw MIME bytes over SMTP, a Django message on other backends.
    """

    def __init__(self, session: LiveSession, *, kind: str) -> None:
        if kind in WITH_CALENDAR or kind == "confirm_email":
            raise ValueError(f"{kind!r} mails go one by one through rsvp_message.")
        site = settings.SITE_URL
        self.session = session
        self.kind = kind
        self.links = {
            "session_url": f"{site}{session.get_absolute_url()}",
            "ics_url": f"{site}{reverse('events:session_ics', args=[session.pk])}",
            "cancel_url": f"{site}{reverse('events:rsvp_cancel_by_token', args=[_CANCEL_SLOT])}",
        }
        self.subject = SUBJECTS[kind].format(title=session.title)
        self.from_email = settings.DEFAULT_FROM_EMAIL
        self._mails: dict[tuple[str, str], PreparedMail] = {}

    def mail_for(self, rsvp: Rsvp) -> PreparedMail:
        """The prepared mail for the recipient's zone and name, rendered on first use."""
        rsvp.session = self.session  # one session object: no query, the same sequence
        zone = _zone_of(rsvp, self.session)
        key = (str(zone), rsvp.name)
        mail = self._mails.get(key)
        if mail is None:
            text, html = _render(self.kind, rsvp, zone=zone, links=self.links)
            mail = self._mails[key] = PreparedMail(
                from_email=self.from_email,
                subject=self.subject,
                text=text,
                html=html,
                headers=_list_headers(self.session, self.kind),
            )
        return mail

    def send(self, sender: BulkSender, rsvp: Rsvp) -> str:
        """Send the person's copy; returns its Message-ID once the server took it."""
        mail = self.mail_for(rsvp)
        token = manage_token(rsvp_id=rsvp.pk)
        return sender.send(
            mail,
            to=rsvp.recipient,
            message_id=mail.new_message_id(self.kind, rsvp.pk),
            substitutions={_CANCEL_SLOT: token},
            list_unsubscribe=self.links["cancel_url"].replace(_CANCEL_SLOT, token),
        )
