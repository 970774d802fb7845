"""Forms of the mentorship pages."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from hemonc.core.forms import ModelMultipleChoiceField, parse_id
from hemonc.core.text import OneLineField
from hemonc.members.enums import IdentityCommunity
from hemonc.mentorship.enums import LANGUAGE_CHOICES, Format, OfferStatus, ProgramRole
from hemonc.mentorship.models import MAX_CAPACITY, Program, SpeedMentoringEvent
from hemonc.taxonomy.enums import Stage
from hemonc.taxonomy.models import CareerPath, Topic


class TopicChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Topic) -> str:
        return obj.label


def _topics() -> TopicChoiceField:
    return TopicChoiceField(
        queryset=Topic.objects.order_by("kind", "name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


def _paths() -> ModelMultipleChoiceField:
    return ModelMultipleChoiceField(
        queryset=CareerPath.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
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
    ranked_mentors = forms.CharField(
        required=False,
        max_length=200,
        label="Mentors you would like, best first",
        help_text="Member numbers from their profile addresses, separated by commas.",
    )
    excluded_mentors = forms.CharField(
        required=False,
        max_length=200,
        label="Mentors to exclude",
        help_text="Member numbers, e.g. your own program director's.",
    )
    avoid_own_institution = forms.BooleanField(required=False, label="Avoid my own institution")
    prefers_shared_community = forms.BooleanField(
        required=False,
        label="Prefer a mentor who shares my community",
        help_text="Works only if your profile lets the matcher use identity communities.",
    )

    def _ids(self, name: str) -> list[int]:
        raw = self.cleaned_data.get(name, "")
        parts = [p.strip().lstrip("#") for p in raw.replace(";", ",").split(",") if p.strip()]
        ids = [parse_id(p) for p in parts]
        if None in ids:
            raise forms.ValidationError("Use member numbers separated by commas, e.g. 12, 40.")
        return [i for i in ids if i is not None]

    def clean_ranked_mentors(self) -> list[int]:
        return self._ids("ranked_mentors")

    def clean_excluded_mentors(self) -> list[int]:
        return self._ids("excluded_mentors")


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


class CheckinForm(forms.Form):
    every_weeks = forms.IntegerField(
        min_value=0,
        max_value=26,
        label="Check-in reminder every (weeks)",
        help_text="0 turns reminders off.",
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
        widgets = {
            "applications_open_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "applications_close_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "matching_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

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
        label="Mentors: mentees in this program",
    )


class SpeedEventForm(forms.ModelForm):
    class Meta:
        model = SpeedMentoringEvent
        fields = ["title", "starts_at", "rounds", "table_size", "round_minutes", "session"]
        field_classes = {"title": OneLineField}
        widgets = {"starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}
        labels = {"session": "Live session (optional)"}
        help_texts = {"session": "Its check-ins mark who is here."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].empty_label = "None"  # type: ignore[attr-defined]
