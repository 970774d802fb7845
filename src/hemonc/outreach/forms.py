from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import timezone

from hemonc.outreach.enums import ImportKind, Platform
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


# What each kind of upload may be called (the importers recognize the rest by content).
UPLOAD_SUFFIXES = {
    ImportKind.X_ANALYTICS: (".csv", ".js", ".zip"),
    ImportKind.FOLLOWERS: (".csv",),
    ImportKind.MASTODON: (".zip", ".tar.gz", ".tgz", ".json"),
}


KIND_NAMES = {
    ImportKind.X_ANALYTICS: "X analytics",
    ImportKind.FOLLOWERS: "follower counts",
    ImportKind.MASTODON: "a Mastodon archive",
}


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the file is",
        choices=ImportKind.choices,
        widget=forms.RadioSelect,
        initial=ImportKind.X_ANALYTICS,
    )
    file = forms.FileField(
        label="File",
        help_text=(
            "X: a tweet activity export, account_analytics_content or account_overview_analytics "
            "CSV, the archive's tweets.js, or a zip of them. Follower counts: a CSV with the "
            "header date,followers. Mastodon: the archive (.zip or .tar.gz) or its outbox.json."
        ),
    )
    account = forms.CharField(
        label="Account",
        required=False,
        max_length=130,
        help_text=(
            "The account the figures belong to, like @HemOncNet (Mastodon: @user@instance). "
            "Needed for follower counts and Mastodon archives, and for X files that name no "
            "account (the overview export, the archive)."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = settings.OUTREACH_UPLOAD_MAX_BYTES // (1024 * 1024)
        self.fields["file"].help_text += f" At most {limit} MB."

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.OUTREACH_UPLOAD_MAX_BYTES:
            limit = settings.OUTREACH_UPLOAD_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"The file is larger than {limit} MB.")
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, upload = data.get("kind"), data.get("file")
        account = (data.get("account") or "").strip()
        if kind and upload is not None:
            suffixes = UPLOAD_SUFFIXES[ImportKind(kind)]
            if not (upload.name or "").lower().endswith(suffixes):
                self.add_error(
                    "file", f"The file must end in {_either(suffixes)} for {KIND_NAMES[kind]}."
                )
        if kind in (ImportKind.FOLLOWERS, ImportKind.MASTODON) and not account:
            self.add_error("account", "Name the account these figures belong to.")
        if kind == ImportKind.MASTODON and account and "@" not in account.lstrip("@"):
            self.add_error("account", "A Mastodon account reads like @user@instance.")
        return data


def _either(suffixes: tuple[str, ...]) -> str:
    if len(suffixes) == 1:
        return suffixes[0]
    return ", ".join(suffixes[:-1]) + f" or {suffixes[-1]}"
