"""Writes about live sessions: seasons and the schedule, sessions, guests, RSVPs and the
waitlist, reminders, check-ins, questions, calendar feeds, and sessions files.

Each concept has its module; the public services are all importable from here
(`from hemonc.events import services; services.session_create(...)`).
"""

from hemonc.events.services.feeds import calendar_feed_get_or_create, calendar_feed_renew
from hemonc.events.services.guests import (
    GuestChanges,
    GuestFields,
    UnknownGuestAddress,
    guest_create,
    guest_update,
)
from hemonc.events.services.imports import ImportSummary, sessions_export_rows, sessions_import
from hemonc.events.services.questions import (
    QUESTION_ACTIONS,
    QUESTION_LIMIT,
    checkin_create,
    question_create,
    question_moderate,
    question_toggle_vote,
)
from hemonc.events.services.reminders import (
    REMINDER_OFFSETS,
    REMINDER_RETRY_DELAY,
    ReminderRun,
    session_send_reminders,
)
from hemonc.events.services.rsvps import (
    VISITOR_MAIL_INTERVAL,
    rsvp_cancel,
    rsvp_cancel_by_link,
    rsvp_confirm,
    rsvp_create,
    rsvp_request,
    rsvp_send_mail,
)
from hemonc.events.services.seasons import (
    SeasonChanges,
    schedule_start_times,
    season_create,
    season_schedule_sessions,
    season_update,
)
from hemonc.events.services.sessions import (
    SessionChanges,
    SessionFields,
    session_cancel,
    session_create,
    session_record_attendance,
    session_send_change,
    session_update,
)

__all__ = [
    "QUESTION_ACTIONS",
    "QUESTION_LIMIT",
    "REMINDER_OFFSETS",
    "REMINDER_RETRY_DELAY",
    "VISITOR_MAIL_INTERVAL",
    "GuestChanges",
    "GuestFields",
    "ImportSummary",
    "ReminderRun",
    "SeasonChanges",
    "SessionChanges",
    "SessionFields",
    "UnknownGuestAddress",
    "calendar_feed_get_or_create",
    "calendar_feed_renew",
    "checkin_create",
    "guest_create",
    "guest_update",
    "question_create",
    "question_moderate",
    "question_toggle_vote",
    "rsvp_cancel",
    "rsvp_cancel_by_link",
    "rsvp_confirm",
    "rsvp_create",
    "rsvp_request",
    "rsvp_send_mail",
    "schedule_start_times",
    "season_create",
    "season_schedule_sessions",
    "season_update",
    "session_cancel",
    "session_create",
    "session_record_attendance",
    "session_send_change",
    "session_send_reminders",
    "session_update",
    "sessions_export_rows",
    "sessions_import",
]
