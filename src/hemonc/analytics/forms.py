"""The period picker of the dashboard and the report page."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from hemonc.outreach.selectors import accounts


class PeriodForm(forms.Form):
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    account = forms.ChoiceField(label="Account", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        handles = sorted({a.handle for a in accounts()}, key=str.lower)
        cast(forms.ChoiceField, self.fields["account"]).choices = [
            ("", "All accounts"),
            *((h, f"@{h}") for h in handles),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The period must end on or after its first day.")
        return data


class ReportForm(PeriodForm):
    exact = forms.BooleanField(label="Exact counts (organizers only: do not share)", required=False)
