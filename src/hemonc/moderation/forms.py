"""Forms of the moderation app: the code of conduct and the audit list's filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.html import format_html

from hemonc.core.forms import ModelChoiceField
from hemonc.core.text import OneLineField
from hemonc.core.widgets import SearchSelect, Select
from hemonc.members.forms import SignupForm as MemberSignupForm
from hemonc.members.models import User
from hemonc.moderation import selectors, services
from hemonc.moderation.models import ConductVersion, Outcome, Reason


class SignupForm(MemberSignupForm):
    """Sign-up asks to accept the code of conduct, once one is published."""

    accept_conduct = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conduct = selectors.conduct_current()
        field = self.fields["accept_conduct"]
        if self.conduct is None:
            del self.fields["accept_conduct"]
            return
        field.required = True
        field.label = format_html(
            'I have read and accept the <a href="{}" target="_blank">code of conduct</a>',
            reverse("moderation:conduct"),
        )
        field.error_messages["required"] = "Accept the code of conduct to join."

    def signup(self, request: Any, user: Any) -> None:
        super().signup(request, user)
        if self.conduct is not None:
            services.conduct_accept(user=user, version=self.conduct)


class ConductForm(forms.ModelForm):
    class Meta:
        model = ConductVersion
        fields = ["body", "changes"]
        labels = {"body": "Code of conduct", "changes": "What changed"}
        widgets = {"body": forms.Textarea(attrs={"rows": 18})}


class AuditFilterForm(forms.Form):
    """The audit list's filters (GET)."""

    person = ModelChoiceField(
        queryset=User.objects.all(),
        required=False,
        widget=SearchSelect(source="members"),
        help_text="What they did, and what was done to their account or profile.",
    )
    action = forms.ChoiceField(required=False, widget=Select)
    target_type = forms.ChoiceField(required=False, label="Item", widget=Select)
    target_id = OneLineField(max_length=64, required=False, label="Item number")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actions = selectors.audit_actions()
        groups = sorted({action.split(".")[0] + "." for action in actions if "." in action})
        action_field = self.fields["action"]
        assert isinstance(action_field, forms.ChoiceField)
        action_field.choices = [
            ("", "Every action"),
            ("Everything in an area", [(group, f"{group}*") for group in groups]),
            ("One action", [(action, action) for action in actions]),
        ]
        target_field = self.fields["target_type"]
        assert isinstance(target_field, forms.ChoiceField)
        target_field.choices = [("", "Every kind")] + [
            (label, label) for label in selectors.audit_target_types()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end comes before the start.")
        if data.get("target_id") and not data.get("target_type"):
            self.add_error("target_type", "Choose the kind of item the number belongs to.")
        return data


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        choices=Reason.choices,
        widget=forms.RadioSelect,
        label="What is wrong?",
        help_text="Patient data is hidden at once, before a moderator reads your report.",
    )
    note = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Anything the moderators should know",
        help_text="Only moderators read it.",
    )


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        # A post turned down after review is decided in the review queue, not on a case.
        choices=[(value, label) for value, label in Outcome.choices if value != Outcome.REJECTED],
        widget=forms.RadioSelect,
        label="Action",
    )
    reason = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The author is told it; reporters are told only the outcome.",
    )
    days = forms.IntegerField(
        required=False, min_value=1, max_value=365, label="Suspend for (days)"
    )
    text = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="The text with the patient data taken out",
        help_text="For “Patient data edited out”: the item comes back with this text.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == Outcome.SUSPENDED and not data.get("days"):
            self.add_error("days", "How many days?")
        if data.get("outcome") == Outcome.REDACTED and not (data.get("text") or "").strip():
            self.add_error("text", "Write the text without the patient data.")
        return data


class AppealForm(forms.Form):
    text = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Why should the decision change?",
        help_text="Another moderator reads it. You can appeal a decision once.",
    )


class AppealDecideForm(forms.Form):
    upheld = forms.TypedChoiceField(
        choices=[
            ("yes", "Keep the decision"),
            ("no", "Overturn it: restore the item, lift any sanction"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Decision",
    )
    answer = forms.CharField(
        max_length=1000, widget=forms.Textarea(attrs={"rows": 3}), label="Answer to the author"
    )


class HeldRejectForm(forms.Form):
    reason = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why it is not published",
        help_text="The author reads it on their moderation notices.",
    )
