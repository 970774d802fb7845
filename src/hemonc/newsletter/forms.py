"""Forms of the newsletter pages."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from hemonc.core.countries import country_choices
from hemonc.core.errors import DomainError
from hemonc.core.phi_guard import PhiGuardMixin
from hemonc.core.text import OneLineField
from hemonc.core.widgets import SearchSelect
from hemonc.events.models import LiveSession
from hemonc.members.enums import Gender
from hemonc.newsletter import selectors
from hemonc.newsletter.enums import ImportSource, SubscriberStatus
from hemonc.newsletter.importers import FIELD_NAMES
from hemonc.taxonomy.enums import Specialty, Stage


def _blank(label: str, choices: Any) -> list[tuple[str, str]]:
    return [("", label), *list(choices)]


class DetailsForm(forms.Form):
    """The optional details a reader tells about themselves (organizers only see them)."""

    name = OneLineField(max_length=120, required=False, label="Name")
    stage = forms.ChoiceField(
        choices=_blank("Prefer not to say", Stage.choices), required=False, label="Training stage"
    )
    specialty = forms.ChoiceField(
        choices=_blank("Prefer not to say", Specialty.choices), required=False
    )
    country = forms.ChoiceField(choices=(), required=False)
    institution = OneLineField(max_length=160, required=False)
    gender = forms.ChoiceField(
        choices=_blank(
            "Prefer not to say", [c for c in Gender.choices if c[0] != "prefer_not_to_say"]
        ),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = _blank(
            "Prefer not to say", country_choices()
        )


class SignupForm(DetailsForm):
    email = forms.EmailField(label="Email address", max_length=254)
    consent = forms.BooleanField(
        label="I agree to the terms above and want to receive the newsletter.",
        error_messages={"required": "Please agree to the terms to subscribe."},
    )
    field_order = [
        "email",
        "name",
        "stage",
        "specialty",
        "country",
        "institution",
        "gender",
        "consent",
    ]


class SessionChoiceField(forms.ModelChoiceField[LiveSession]):
    """A live session, shown by its title and date."""

    def label_from_instance(self, obj: LiveSession) -> str:
        when = timezone.localtime(obj.starts_at)
        return f"{obj.title} ({when.day} {when:%B %Y})"


class IssueForm(PhiGuardMixin, forms.Form):
    phi_fields = ("subject", "preheader", "body")

    subject = OneLineField(max_length=200)
    preheader = OneLineField(
        max_length=200, required=False, help_text="The line mail apps show after the subject."
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text="Markdown: **bold**, _italic_, [links](https://…), lists, headings from # to ######.",
    )
    stage = forms.ChoiceField(
        choices=_blank("Any stage", Stage.choices), required=False, label="Audience: stage"
    )
    country = forms.ChoiceField(choices=(), required=False, label="Audience: country")
    members = forms.ChoiceField(
        choices=[
            ("", "Members and others"),
            ("true", "Members only"),
            ("false", "Non-members only"),
        ],
        required=False,
        label="Audience: membership",
    )
    attended = SessionChoiceField(
        queryset=LiveSession.objects.all(),
        required=False,
        widget=SearchSelect(source="sessions"),
        label="Audience: people who attended a live session",
        help_text="Type part of the session's title.",
    )
    count_engagement = forms.BooleanField(
        required=False,
        label="Count opens and clicks (totals only, never per reader)",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = _blank(
            "Any country", country_choices()
        )

    def segment(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            key: str(getattr(data[key], "pk", data[key]))
            for key in ("stage", "country", "members", "attended")
            if data.get(key) not in (None, "")
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                selectors.segment_validate(self.segment())
            except DomainError as error:
                raise forms.ValidationError(str(error)) from None
        return cleaned


class SendForm(forms.Form):
    send_at = forms.DateTimeField(
        required=False,
        label="Send later at (leave empty to send now)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class SubscriberFilterForm(forms.Form):
    """The subscribers page's search (GET): words of an address, name or institution."""

    q = OneLineField(max_length=200, required=False, label="Search")
    status = forms.ChoiceField(
        choices=_blank("Every status", SubscriberStatus.choices), required=False
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        items = list(data) if isinstance(data, list | tuple) else [data] if data else []
        if not items:
            return single(None, initial)  # "This field is required."
        return [single(item, initial) for item in items]


class ImportForm(forms.Form):
    source = forms.ChoiceField(
        choices=_blank("Choose…", ImportSource.choices), label="The files come from"
    )
    uploads = MultipleFileField(
        label="Files",
        help_text="Mailchimp: the audience export zip, or its subscribed, unsubscribed and "
        "cleaned CSV files. Substack, listmonk: the subscriber CSV export. CSV: any file with "
        "an email column. Up to 5 files of 20 MB each.",
    )
    stage = OneLineField(max_length=100, required=False, label="Column of the training stage")
    gender = OneLineField(max_length=100, required=False, label="Column of the gender")
    country = OneLineField(max_length=100, required=False, label="Column of the country")
    institution = OneLineField(max_length=100, required=False, label="Column of the institution")

    def column_fields(self) -> dict[str, str]:
        """The columns named for each demographic field (listmonk: attribute keys)."""
        return {
            name: self.cleaned_data[name].strip()
            for name in FIELD_NAMES
            if self.cleaned_data.get(name, "").strip()
        }
