from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from hemonc.outreach.enums import Platform
from hemonc.outreach.models import SocialAccount


class FollowerSnapshotForm(forms.Form):
    account = forms.ModelChoiceField(queryset=SocialAccount.objects.none(), empty_label=None)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    followers = forms.IntegerField(min_value=0, max_value=2_000_000_000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        account = cast(forms.ModelChoiceField, self.fields["account"])
        account.queryset = SocialAccount.objects.order_by("platform", "handle")
        self.fields["date"].initial = timezone.localdate()

    def clean_date(self) -> Any:
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError("A follower count cannot be from the future.")
        return day


class AccountForm(forms.Form):
    platform = forms.ChoiceField(choices=[])
    handle = forms.CharField(max_length=120, help_text="Without the @; Mastodon: user@instance.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["platform"]).choices = Platform.choices
