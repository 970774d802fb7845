"""Forms of the session pages: organizers' season, schedule and session forms; RSVP, Q&A."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from hemonc.core.forms import ModelChoiceField, ModelMultipleChoiceField
from hemonc.core.phi_guard import PhiGuardMixin
from hemonc.core.text import OneLineField, one_line
from hemonc.core.timezones import is_time_zone, time_zone_choices
from hemonc.core.widgets import SearchSelect
from hemonc.events.enums import SessionKind, SessionStatus
from hemonc.events.models import Guest, LiveSession, Season
from hemonc.members.models import User
from hemonc.taxonomy.models import Topic

WEEKDAYS = [
    (0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"),
    (4, "Friday"), (5, "Saturday"), (6, "Sunday"),
]  # fmt: skip


def _zones() -> list[tuple[str, str]]:
    return [choice for choice in time_zone_choices() if choice[0]]


class SeasonForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=_zones, initial="America/New_York")

    class Meta:
        model = Season
        fields = ["name", "starts_on", "ends_on", "time_zone", "description"]
        field_classes = {"name": OneLineField}
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"starts_on": "First day", "ends_on": "Last day"}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The last day comes on or after the first day.")
        return data


class GuestForm(forms.ModelForm):
    member = ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        widget=SearchSelect(source="members"),
        required=False,
        label="Member (optional)",
        help_text="When the guest is a member of the network, pick them: their page links to "
        "their profile.",
    )

    class Meta:
        model = Guest
        fields = ["name", "title", "handle", "member", "bio", "photo"]
        field_classes = {"name": OneLineField, "title": OneLineField, "handle": OneLineField}
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"bio": "Markdown."}

    def clean_member(self) -> User | None:
        member = self.cleaned_data.get("member")
        others = Guest.objects.exclude(pk=self.instance.pk) if self.instance.pk else Guest.objects
        if member is not None and others.filter(member=member).exists():
            raise forms.ValidationError("This member is already a guest.")
        return member


class ScheduleForm(forms.Form):
    """The schedule generator: a cadence, a weekday and a local time in a zone."""

    first_date = forms.DateField(
        label="From", widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The first session is on the first chosen weekday from this day on.",
    )  # fmt: skip
    weekday = forms.TypedChoiceField(choices=WEEKDAYS, coerce=int, initial=3)
    every_weeks = forms.IntegerField(label="Every … weeks", min_value=1, max_value=8, initial=2)
    local_time = forms.TimeField(
        label="Local time", widget=forms.TimeInput(attrs={"type": "time"}), initial="20:00"
    )
    time_zone = forms.ChoiceField(choices=_zones, initial="America/New_York")
    skip_dates = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Dates to skip",
        help_text="YYYY-MM-DD, separated by commas or new lines (holidays, conferences).",
    )
    title = OneLineField(
        max_length=200, initial="Live session #{n}",
        help_text="{n} becomes the session's number in the schedule.",
    )  # fmt: skip
    kind = forms.ChoiceField(choices=SessionKind.choices, initial=SessionKind.REGULAR)
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", min_value=5, max_value=24 * 60, initial=60
    )
    join_url = forms.URLField(required=False, label="Join link")

    def clean_skip_dates(self) -> list[date]:
        dates = []
        for part in re.split(r"[\s,;]+", self.cleaned_data.get("skip_dates", "")):
            if not part:
                continue
            try:
                dates.append(date.fromisoformat(part))
            except ValueError:
                raise forms.ValidationError(f"{part!r} is not a date like 2026-12-24.") from None
        return dates


class TopicChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Topic) -> str:
        return obj.label


# The fields of one kind of session only; the others are cleared when the kind changes.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    SessionKind.JOURNAL_CLUB: ("paper",),
    SessionKind.CHAT: ("hashtag",),
    SessionKind.MEETUP: ("venue", "conference_tag"),
}
# What is known only once the session has happened.
AFTER_FIELDS = ("recording_url", "peak_listeners", "show_notes", "resources")


class SessionForm(PhiGuardMixin, forms.ModelForm):
    """A session: when first, then what and who; the fields of its kind only; what happened
    (recording, attendance, notes) last. Its description and notes are checked for patient
    identifiers (core/phi_guard.py)."""

    phi_fields = ("description", "show_notes")

    starts_at_local = forms.DateTimeField(
        label="Starts (local time)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    time_zone = forms.ChoiceField(
        choices=_zones, initial="America/New_York", help_text="The zone of the local time."
    )
    hosts = ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True),
        widget=SearchSelect(source="members", multiple=True),
        required=False,
        label="Hosts",
        help_text="Type part of a member's name and pick them.",
    )
    guests = ModelMultipleChoiceField(
        queryset=Guest.objects.order_by("name"),
        widget=SearchSelect(source="guests", multiple=True),
        required=False,
        label="Guests",
        help_text="Type part of a guest's name and pick them.",
    )
    member_guests = ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True),
        widget=SearchSelect(source="members", multiple=True),
        required=False,
        label="Members as guests",
        help_text="Members of the network invited to speak.",
    )
    new_guests = forms.CharField(
        required=False,
        label="New guests",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Guests from outside the network, one name a line: each becomes a guest "
        "you can then give a title, bio and photo.",
    )
    topics = TopicChoiceField(
        queryset=Topic.objects.order_by("kind", "name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = LiveSession
        fields = [
            "title", "kind", "season", "duration_minutes", "description", "paper", "hashtag",
            "venue", "conference_tag", "join_url", "join_url_for_rsvps_only", "capacity",
            "status", "recording_url", "peak_listeners", "show_notes", "resources",
        ]  # fmt: skip
        field_classes = dict.fromkeys(
            ("title", "paper", "hashtag", "venue", "conference_tag"), OneLineField
        )
        widgets = {
            "kind": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
            "show_notes": forms.Textarea(attrs={"rows": 4}),
            "resources": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "duration_minutes": "Duration (minutes)",
            "join_url": "Join link",
            "join_url_for_rsvps_only": "Show the join link only to people who RSVP'd",
            "paper": "Paper (DOI or link)",
            "hashtag": "Chat hashtag",
            "conference_tag": "Conference hashtag",
            "recording_url": "Recording link",
            "peak_listeners": "Peak listeners",
        }
        help_texts = {"join_url_for_rsvps_only": ""}

    # Where each field is shown: (legend, fields), in this order.
    GROUPS = (
        ("When", ("starts_at_local", "time_zone", "duration_minutes")),
        ("What", ("title", "kind", "paper", "hashtag", "venue", "conference_tag", "description",
                  "season", "topics")),
        ("Who", ("hosts", "guests", "member_guests", "new_guests")),
        ("Taking part", ("join_url", "join_url_for_rsvps_only", "capacity", "status")),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        session = self.instance
        self.fields["kind"].choices = SessionKind.choices  # type: ignore[attr-defined]
        self.fields["season"].empty_label = "No season"  # type: ignore[attr-defined]
        if session.pk:
            zone = ZoneInfo(session.time_zone) if is_time_zone(session.time_zone) else None
            self.initial["starts_at_local"] = timezone.localtime(session.starts_at, zone).replace(
                tzinfo=None
            )
            self.initial["time_zone"] = session.time_zone
            self.initial["hosts"] = list(session.hosts.all())
            self.initial["guests"] = list(session.guests.all())
            self.initial["topics"] = list(session.topics.all())
        else:
            self.fields["status"].choices = [  # type: ignore[attr-defined]
                (SessionStatus.SCHEDULED.value, SessionStatus.SCHEDULED.label)
            ]

    def groups(self) -> list[tuple[str, list[tuple[forms.BoundField, str]]]]:
        """(legend, [(field, the kind it is for or "")]) in the order the form shows them."""
        return [
            (legend, [(self[name], self.kind_of(name)) for name in names])
            for legend, names in self.GROUPS
        ]

    def after_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in AFTER_FIELDS]

    def has_happened(self) -> bool:
        """The session has started (its post-session fields open), or they hold something."""
        session = self.instance
        started = bool(session.pk) and session.starts_at <= timezone.now()
        return started or any(self[name].value() not in (None, "") for name in AFTER_FIELDS)

    @staticmethod
    def kind_of(name: str) -> str:
        """The kind a field belongs to ("" for every kind): the form shows it for that kind."""
        return next((kind for kind, names in KIND_FIELDS.items() if name in names), "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        local, zone = data.get("starts_at_local"), data.get("time_zone")
        if local and zone:
            naive = local.replace(tzinfo=None) if isinstance(local, datetime) else local
            data["starts_at"] = naive.replace(tzinfo=ZoneInfo(zone))
        # Another kind's fields are not this session's: a journal club changed to a chat
        # keeps no paper.
        kind = data.get("kind")
        for other, names in KIND_FIELDS.items():
            if other != kind:
                for name in names:
                    data[name] = ""
                    self.errors.pop(name, None)
        return data

    def clean_new_guests(self) -> str:
        text = self.cleaned_data.get("new_guests", "")
        longest = Guest._meta.get_field("name").max_length or 0
        for number, line in enumerate(text.splitlines(), start=1):
            if len(one_line(line)) > longest:
                raise forms.ValidationError(
                    f"Line {number}: a guest's name is at most {longest} characters."
                )
        return text

    def guest_names(self) -> list[str]:
        """The new guests' names, then the member guests (as the service names members)."""
        names = [
            one_line(line)
            for line in self.cleaned_data.get("new_guests", "").splitlines()
            if one_line(line)
        ]
        return names + [member.email for member in self.cleaned_data.get("member_guests") or []]


class AttendanceForm(forms.Form):
    peak_listeners = forms.IntegerField(
        min_value=0, max_value=1_000_000, required=False, label="Peak listeners"
    )


class VisitorRsvpForm(forms.Form):
    email = forms.EmailField(label="Your email", max_length=254)
    name = OneLineField(label="Your name (optional)", max_length=80, required=False)


class QuestionForm(forms.Form):
    text = forms.CharField(
        label="Your question", max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
    )  # fmt: skip
    is_anonymous = forms.BooleanField(
        required=False,
        label="Ask anonymously (hosts and moderators still see who asked)",
    )
