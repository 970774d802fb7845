"""Forms of the mentorship pages."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Case, Value, When
from django.utils.translation import ngettext

from hemonc.core.forms import ModelMultipleChoiceField, parse_id
from hemonc.core.text import OneLineField
from hemonc.core.widgets import SearchSelect
from hemonc.members.enums import IdentityCommunity
from hemonc.members.models import User
from hemonc.mentorship.enums import LANGUAGE_CHOICES, Format, OfferStatus, ProgramRole
from hemonc.mentorship.models import MAX_CAPACITY, Program, SpeedMentoringEvent
from hemonc.taxonomy.enums import Stage
from hemonc.taxonomy.models import CareerPath, Topic


class TopicChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Topic) -> str:
        return obj.label


# Topics people mentor in come first: diseases and fields, then communities, then the rest
# (conference and chat tags).
TOPIC_KIND_ORDER = ("tumor", "provider", "community", "identity", "awareness", "other")


def _topics() -> TopicChoiceField:
    rank = Case(
        *(When(kind=kind, then=Value(n)) for n, kind in enumerate(TOPIC_KIND_ORDER)),
        default=Value(len(TOPIC_KIND_ORDER)),
    )
    return TopicChoiceField(
        queryset=Topic.objects.order_by(rank, "kind", "name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


def _paths() -> ModelMultipleChoiceField:
    return ModelMultipleChoiceField(
        queryset=CareerPath.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
    )


def _people(queryset: Any, *, label: str, help_text: str, invalid: str) -> ModelMultipleChoiceField:
    """People picked by name as one types (never by number or address)."""
    return ModelMultipleChoiceField(
        queryset=queryset.select_related("profile").order_by("id"),
        widget=SearchSelect(source="members", multiple=True),
        required=False,
        label=label,
        help_text=help_text,
        error_messages={"invalid_choice": invalid, "invalid_pk_value": invalid},
    )


def _multi(choices: Any, label: str, help_text: str = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=label,
        help_text=help_text,
    )


class OfferForm(forms.Form):
    status = forms.ChoiceField(choices=OfferStatus.choices, label="Status")
    capacity = forms.IntegerField(
        min_value=1, max_value=MAX_CAPACITY, label="Mentees at once", help_text="1 to 10."
    )
    about = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What you can help with",
    )
    stages = _multi(Stage.choices, "Stages you mentor", "None ticked: every stage.")
    formats = _multi(Format.choices, "Formats", "None ticked: any format.")
    languages = _multi(LANGUAGE_CHOICES, "Languages", "None ticked: English.")
    topics = _topics()
    career_paths = _paths()
    communities = _multi(
        IdentityCommunity.choices,
        "Communities you are glad to mentor within (optional)",
        "Only organizers and the matcher see this, and only if your profile lets the matcher "
        "use identity communities.",
    )


class GoalsForm(forms.Form):
    text = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 4}), label="Your goals"
    )
    formats = _multi(Format.choices, "Preferred formats", "None ticked: any format.")
    languages = _multi(LANGUAGE_CHOICES, "Languages", "None ticked: English.")
    topics = _topics()
    career_paths = _paths()
    ranked_mentors = _people(
        User.objects.filter(is_active=True, mentor_offer__isnull=False),
        label="Mentors you would like, best first",
        help_text="Type part of a name. The first one you pick is your first choice; "
        "only members who offer to mentor can be picked.",
        invalid="Pick members who offer to mentor.",
    )
    excluded_mentors = _people(
        User.objects.filter(is_active=True),
        label="Mentors to exclude",
        help_text="Type part of a name, for example your own program director's.",
        invalid="Pick members of the network.",
    )
    avoid_own_institution = forms.BooleanField(required=False, label="Avoid my own institution")
    prefers_shared_community = forms.BooleanField(
        required=False,
        label="Prefer a mentor who shares my community",
        help_text="Works only if your profile lets the matcher use identity communities.",
    )

    def clean_ranked_mentors(self) -> list[int]:
        """The chosen mentors' ids in the order they were picked, best first."""
        chosen: set[int] = {user.pk for user in self.cleaned_data.get("ranked_mentors") or ()}
        picked = self.fields["ranked_mentors"].widget.value_from_datadict(
            self.data, self.files, self.add_prefix("ranked_mentors")
        )
        ordered = [pk for pk in (parse_id(value) for value in picked) if pk in chosen]
        return [pk for pk in dict.fromkeys(ordered) if pk is not None]


class FinderForm(forms.Form):
    topic = forms.ChoiceField(required=False, label="Topic")
    career_path = forms.ChoiceField(required=False, label="Career path")
    stage = forms.ChoiceField(
        choices=[("", "Any stage"), *Stage.choices], required=False, label="Stage they mentor"
    )
    format = forms.ChoiceField(choices=[("", "Any format"), *Format.choices], required=False)
    language = forms.ChoiceField(choices=[("", "Any language"), *LANGUAGE_CHOICES], required=False)
    with_seats = forms.BooleanField(
        required=False, initial=True, label="Only mentors with a seat left"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["topic"]).choices = [
            ("", "Any topic"),
            *((t.slug, t.label) for t in Topic.objects.order_by("name")),
        ]
        cast(forms.ChoiceField, self.fields["career_path"]).choices = [
            ("", "Any career path"),
            *((c.slug, c.name) for c in CareerPath.objects.all()),
        ]


class RequestForm(forms.Form):
    note = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Your note",
        help_text="Who you are, what you hope for, how often you would like to talk.",
    )


class AnswerForm(forms.Form):
    message = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Message (optional)",
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label="Message"
    )


class GoalForm(forms.Form):
    text = forms.CharField(max_length=200, label="New shared goal")


CHECKIN_WEEKS = (1, 2, 3, 4, 6, 8, 12, 26)


def checkin_label(weeks: int) -> str:
    """The check-in rhythm as people say it: "Check in every 2 weeks", "No reminders"."""
    if not weeks:
        return "No check-in reminders"
    if weeks == 1:
        return "Check in every week"
    return ngettext("Check in every %(n)d week", "Check in every %(n)d weeks", weeks) % {"n": weeks}


def checkin_choices(current: int | None = None) -> list[tuple[int, str]]:
    """The usual rhythms, and `current` when it is another one (set before these choices)."""
    weeks = sorted({*CHECKIN_WEEKS, *([current] if current and 0 < current <= 26 else [])})
    return [(n, checkin_label(n)) for n in weeks] + [(0, checkin_label(0))]


def _checkin_field(label: str, current: int | None = None) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        choices=checkin_choices(current),
        coerce=int,
        label=label,
        help_text="A reminder by mail to both of you; you can change it at any time.",
    )


class CheckinForm(forms.Form):
    every_weeks = _checkin_field("Check-in reminders")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.initial.get("every_weeks")
        cast(forms.TypedChoiceField, self.fields["every_weeks"]).choices = checkin_choices(
            current if isinstance(current, int) else None
        )


class FeedbackForm(forms.Form):
    feedback = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Private feedback (optional)",
        help_text="Only organizers read it.",
    )


class ProgramForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = [
            "name",
            "hashtag",
            "description",
            "applications_open_at",
            "applications_close_at",
            "matching_date",
            "checkin_every_weeks",
        ]
        field_classes = {"name": OneLineField, "hashtag": OneLineField}
        labels = {
            "applications_open_at": "Applications open",
            "applications_close_at": "Applications close",
            "matching_date": "Matching date",
        }
        widgets = {
            "applications_open_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "applications_close_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "matching_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.checkin_every_weeks if self.instance.pk else None
        self.fields["checkin_every_weeks"] = _checkin_field(
            "Check-in reminders for the pairs", current
        )
        self.fields["checkin_every_weeks"].initial = self.instance.checkin_every_weeks or 4
        self.fields[
            "checkin_every_weeks"
        ].help_text = "Each pair gets a reminder by mail; they can change it in their mentorship."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("applications_open_at"), data.get("applications_close_at")
        if opens and closes and closes <= opens:
            self.add_error("applications_close_at", "Applications must close after they open.")
        return data


class ApplyForm(forms.Form):
    role = forms.ChoiceField(
        choices=ProgramRole.choices, widget=forms.RadioSelect, label="Apply as"
    )
    capacity = forms.IntegerField(
        min_value=1,
        max_value=MAX_CAPACITY,
        initial=1,
        required=False,
        label="How many mentees you can take in this program",
        help_text="For mentors only, 1 to 10.",
    )


class SpeedEventForm(forms.ModelForm):
    class Meta:
        model = SpeedMentoringEvent
        fields = ["title", "starts_at", "rounds", "table_size", "round_minutes", "session"]
        field_classes = {"title": OneLineField}
        widgets = {"starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}
        labels = {
            "starts_at": "Starts",
            "rounds": "Number of rounds",
            "table_size": "Mentees per table",
            "round_minutes": "Minutes per round",
            "session": "Live session (optional)",
        }
        help_texts = {"session": "Its check-ins mark who is here."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].empty_label = "None"  # type: ignore[attr-defined]


class SpeedPeopleForm(forms.Form):
    """Organizers add people to a speed-mentoring event's list by name."""

    mentors = _people(
        User.objects.filter(is_active=True),
        label="Add mentors",
        help_text="Type part of a name.",
        invalid="Pick members of the network.",
    )
    mentees = _people(
        User.objects.filter(is_active=True),
        label="Add mentees",
        help_text="Type part of a name.",
        invalid="Pick members of the network.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("mentors") and not data.get("mentees"):
            raise forms.ValidationError("Pick at least one person to add.")
        return data
