"""Forms of the opportunities board and of nominations."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from hemonc.community.models.opportunities import (
    Opportunity,
    OpportunityKind,
    http_url,
)
from hemonc.community.selectors import opportunities_open
from hemonc.core.countries import country_choices
from hemonc.core.forms import ModelChoiceField, ModelMultipleChoiceField
from hemonc.core.phi_guard import PhiGuardMixin
from hemonc.core.text import OneLineField
from hemonc.core.timezones import is_time_zone, time_zone_choices
from hemonc.core.widgets import SearchSelect
from hemonc.members.models import User
from hemonc.taxonomy.enums import Stage
from hemonc.taxonomy.models import Topic

ANY = [("", "Any")]


class TopicChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Topic) -> str:
        return obj.label


class BoardFilterForm(forms.Form):
    """The board's and the archive's filters; every field may be left empty."""

    kind = forms.ChoiceField(choices=ANY + OpportunityKind.choices, required=False)
    stage = forms.ChoiceField(
        choices=ANY + Stage.choices, required=False, label="Open to the stage"
    )
    country = forms.ChoiceField(required=False, label="Open to members in")
    tag = forms.ChoiceField(required=False, label="Topic")
    fits_me = forms.BooleanField(required=False, label="Fits my stage and country")
    soon = forms.BooleanField(required=False, label="Deadline within two weeks")

    def __init__(self, *args: Any, tags: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = ANY + country_choices()  # type: ignore[attr-defined]
        self.fields["tag"].choices = ANY + tags  # type: ignore[attr-defined]


def _zones() -> list[tuple[str, str]]:
    return [choice for choice in time_zone_choices() if choice[0]]


class OpportunityForm(PhiGuardMixin, forms.Form):
    """An opportunity as a member suggests it or an organizer corrects it. Its title, summary
    and how to apply are checked for patient identifiers (core/phi_guard.py)."""

    phi_fields = ("title", "summary", "how_to_apply")

    title = OneLineField(max_length=200)
    kind = forms.ChoiceField(choices=OpportunityKind.choices, widget=forms.RadioSelect)
    organization = OneLineField(max_length=160, help_text="Who offers it.")
    summary = OneLineField(
        max_length=300, required=False, help_text="One or two sentences for the board."
    )
    deadline_date = forms.DateField(
        label="Deadline", widget=forms.DateInput(attrs={"type": "date"})
    )
    deadline_time = forms.TimeField(
        label="Deadline time",
        initial=time(23, 59),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="In the zone below; 11:59 PM when the call gives only a day.",
    )
    time_zone = forms.ChoiceField(choices=_zones, initial="America/New_York", label="Time zone")
    stages = forms.MultipleChoiceField(
        choices=Stage.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Open to these stages (none ticked: every stage)",
    )
    countries = forms.MultipleChoiceField(
        required=False,
        label="Open to members in these countries",
        help_text="Pick one or more; none: open everywhere.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    url = forms.URLField(
        max_length=500,
        label="Link",
        assume_scheme="https",
        validators=[http_url],
        help_text="The call's own page (http or https).",
    )
    tags = TopicChoiceField(
        queryset=Topic.objects.order_by("kind", "name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Topics",
    )
    how_to_apply = forms.CharField(
        max_length=4000,
        required=False,
        label="How to apply",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Markdown: documents, letters, the steps.",
    )

    def __init__(self, *args: Any, instance: Opportunity | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["countries"].choices = country_choices()  # type: ignore[attr-defined]
        self.instance = instance
        if instance is not None and not self.is_bound:
            zone = ZoneInfo(instance.time_zone if is_time_zone(instance.time_zone) else "UTC")
            local = timezone.localtime(instance.deadline, zone)
            self.initial.update(
                title=instance.title,
                kind=instance.kind,
                organization=instance.organization,
                summary=instance.summary,
                deadline_date=local.date(),
                deadline_time=local.time().replace(second=0, microsecond=0),
                time_zone=instance.time_zone,
                stages=instance.stage_list,
                countries=instance.country_list,
                url=instance.url,
                tags=list(instance.tags.all()),
                how_to_apply=instance.how_to_apply,
            )
        elif not self.is_bound:
            self.initial.setdefault("deadline_date", (timezone.now() + timedelta(days=30)).date())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, clock, zone = (
            data.get("deadline_date"),
            data.get("deadline_time"),
            data.get("time_zone"),
        )
        if day and clock and zone and is_time_zone(zone):
            try:
                data["deadline"] = datetime.combine(day, clock).replace(tzinfo=ZoneInfo(zone))
            except (OverflowError, ValueError):
                self.add_error("deadline_date", "Enter a real date.")
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = ("title", "kind", "organization", "summary", "deadline", "time_zone",
                 "stages", "countries", "url", "how_to_apply")  # fmt: skip
        return {name: data[name] for name in names if name in data}


class RejectForm(forms.Form):
    reason = OneLineField(
        max_length=500,
        label="Why (the member who suggested it reads this)",
        widget=forms.TextInput(),
    )


class OpportunityChoiceField(ModelChoiceField):
    def label_from_instance(self, obj: Opportunity) -> str:
        return f"{obj.title} · {obj.organization}"


class NominationForm(PhiGuardMixin, forms.Form):
    """A sponsor puts a trainee forward; the statement is checked for patient identifiers."""

    phi_fields = ("role", "statement")

    nominee = ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        widget=SearchSelect(source="members"),
        label="Trainee",
        help_text="Type part of their name and pick them.",
    )
    opportunity = OpportunityChoiceField(
        queryset=Opportunity.objects.none(),
        required=False,
        empty_label="— None: a role I describe below —",
        label="For an opportunity on the board",
    )
    role = OneLineField(
        max_length=200,
        required=False,
        label="Or for a role",
        help_text="A talk, an award, a committee seat…",
    )
    statement = forms.CharField(
        max_length=1500,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Why you put your name behind them, in a few sentences. Only they and the "
        "organizers read it.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opportunity"].queryset = opportunities_open()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("opportunity") and not data.get("role") and "role" not in self.errors:
            self.add_error("role", "Choose an opportunity or describe the role.")
        return data
