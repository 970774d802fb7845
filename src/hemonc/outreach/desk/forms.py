"""The publishing desk's forms: a post (with its images), its schedule, an account's slots."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone

from hemonc.core.forms import ModelChoiceField, ModelMultipleChoiceField
from hemonc.core.phi_guard import PhiGuardMixin
from hemonc.core.text import OneLineField
from hemonc.core.widgets import SearchSelect
from hemonc.events.models import LiveSession
from hemonc.outreach.desk.text import ThreadError, split_thread
from hemonc.outreach.enums import DeskKind, Platform, Weekday
from hemonc.outreach.models import SocialAccount

IMAGE_SLOTS = 4
# The largest image each platform takes (bytes), checked before anything is sent: Bluesky's
# blob limit for post images, Mastodon's default for images, X's for images.
IMAGE_LIMITS = {Platform.BLUESKY: 1_000_000, Platform.MASTODON: 16 * 2**20, Platform.X: 5 * 2**20}
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
ALT_MAX = 1000  # Bluesky's and X's limit for a description; Mastodon takes 1,500
TEXT_MAX = 20_000
CONFERENCE_TAG = re.compile(r"^#?\w{2,50}$")


def image_limits_sentence() -> str:
    sizes = ", ".join(
        f"{Platform(platform).label.removesuffix(' (Twitter)')} {round(limit / 1_000_000)} MB"
        if limit < 2**20
        else f"{Platform(platform).label.removesuffix(' (Twitter)')} {limit // 2**20} MB"
        for platform, limit in IMAGE_LIMITS.items()
    )
    return f"JPEG, PNG, GIF or WebP; each platform's limit: {sizes}."


class AccountsField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: SocialAccount) -> str:
        return f"@{obj.handle} on {Platform(obj.platform).label.removesuffix(' (Twitter)')}"


class SessionField(ModelChoiceField):
    def label_from_instance(self, obj: LiveSession) -> str:
        when = timezone.localtime(obj.starts_at)
        return f"{obj.title} ({when.day} {when:%B %Y})"


def desk_accounts() -> QuerySet[SocialAccount]:
    """The accounts the desk publishes from."""
    return SocialAccount.objects.filter(active=True).order_by("platform", "handle")


class DeskPostForm(PhiGuardMixin, forms.Form):
    """A post: its kind, accounts, text, the session or conference it is about, its images.

    A case post, and a post with images (photographs are identifiers the text check cannot
    see), always need the author's attestation; text with findings needs it as everywhere.
    """

    phi_fields = ("text", *(f"alt_{i}" for i in range(1, IMAGE_SLOTS + 1)))

    kind = forms.ChoiceField(
        label="What it is",
        choices=DeskKind.choices,
        widget=forms.RadioSelect,
        initial=DeskKind.ANNOUNCEMENT,
    )
    accounts = AccountsField(
        label="Post from",
        queryset=SocialAccount.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one account to post from."},
    )
    session = SessionField(
        label="The live session",
        queryset=LiveSession.objects.all(),
        required=False,
        widget=SearchSelect(source="sessions"),
        help_text="Type part of the session's title.",
    )
    conference_tag = OneLineField(
        label="Conference hashtag",
        max_length=60,
        required=False,
        help_text="The meeting's tag, like #ASH26: offered first among the hashtags.",
    )
    text = forms.CharField(
        label="Text",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=(
            "A long text becomes a numbered thread: it is split between paragraphs, then "
            "sentences, then words. A blank line starts a new paragraph."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.stored_images = kwargs.pop("stored_images", 0)
        # The stored post was attested: its text, unchanged, is not asked about again.
        self.attested_before = kwargs.pop("attested_before", False)
        super().__init__(*args, **kwargs)
        accounts = cast(AccountsField, self.fields["accounts"])
        accounts.queryset = desk_accounts()
        for i in range(1, IMAGE_SLOTS + 1):
            self.fields[f"image_{i}"] = forms.FileField(
                label=f"Image {i}",
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(IMAGE_TYPES))}),
            )
            self.fields[f"alt_{i}"] = forms.CharField(
                label=f"Description of image {i}",
                required=False,
                max_length=ALT_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="What the image shows, for people who cannot see it.",
            )
        if self.stored_images:
            self.fields["remove_images"] = forms.BooleanField(
                required=False, label="Remove the images already attached"
            )

    @property
    def image_slots(self) -> list[tuple[Any, Any]]:
        return [(self[f"image_{i}"], self[f"alt_{i}"]) for i in range(1, IMAGE_SLOTS + 1)]

    @property
    def more_images_open(self) -> bool:
        """The second to last image slots show when one of them has an error."""
        names = [f"{kind}_{i}" for i in range(2, IMAGE_SLOTS + 1) for kind in ("image", "alt")]
        return any(name in self.errors for name in names)

    @property
    def remove_images(self) -> Any:
        return self["remove_images"] if "remove_images" in self.fields else None

    @property
    def attest_shown(self) -> bool:
        """The attestation is on screen whatever the kind (else only for a case post)."""
        return self.phi_found or "phi_attest" in self.errors

    def clean_conference_tag(self) -> str:
        tag = str(self.cleaned_data.get("conference_tag") or "").strip()
        if tag and not CONFERENCE_TAG.match(tag):
            raise forms.ValidationError("A hashtag is letters, digits and _ only, like #ASH26.")
        return tag.lstrip("#")

    def _clean_image(self, i: int) -> tuple[bytes, str, str, str] | None:
        upload = cast(UploadedFile | None, self.cleaned_data.get(f"image_{i}"))
        alt = str(self.cleaned_data.get(f"alt_{i}") or "").strip()
        if not upload:
            return None
        name = f"image_{i}"
        mime = (upload.content_type or "").lower()
        largest = max(IMAGE_LIMITS.values())
        if upload.size is not None and upload.size > largest:
            self.add_error(name, f"The image is larger than {largest // 2**20} MB.")
            return None
        data = upload.read(largest + 1)
        if mime not in IMAGE_TYPES or not _looks_like(data, mime):
            self.add_error(name, "Choose a JPEG, PNG, GIF or WebP image.")
            return None
        if not alt:
            self.add_error(f"alt_{i}", "Describe the image for people who cannot see it.")
            return None
        return data, mime, alt, (upload.name or "")[:200]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == DeskKind.SESSION and not cleaned.get("session"):
            self.add_error("session", "Choose the session this post announces.")
        if kind == DeskKind.LIVE_COVERAGE and not cleaned.get("conference_tag"):
            self.add_error("conference_tag", "Name the conference's hashtag, like #ASH26.")
        images = [image for i in range(1, IMAGE_SLOTS + 1) if (image := self._clean_image(i))]
        for i in range(1, IMAGE_SLOTS + 1):
            if cleaned.get(f"alt_{i}") and not cleaned.get(f"image_{i}"):
                self.add_error(f"image_{i}", "Choose the image this description is for.")
        self.images = images
        accounts = cleaned.get("accounts") or []
        platforms = {account.platform for account in accounts}
        for data, _mime, _alt, name in images:
            too_small = [p for p in platforms if len(data) > IMAGE_LIMITS[Platform(p)]]
            if too_small:
                where = ", ".join(Platform(p).label.removesuffix(" (Twitter)") for p in too_small)
                self.add_error(
                    None, f"The image {name or ''} is too large for {where}: choose a smaller one."
                )
        text = str(cleaned.get("text") or "")
        if text.strip():
            for platform in sorted(platforms):
                try:
                    split_thread(platform, text)
                except ThreadError as error:
                    self.add_error("text", f"{Platform(platform).label}: {error}")
                    break
        keeps_images = self.stored_images and not cleaned.get("remove_images")
        needs_attestation = kind == DeskKind.CASE or bool(images) or bool(keeps_images)
        unchanged = self.attested_before and "text" not in self.changed_data and not images
        if (
            needs_attestation
            and not unchanged
            and not cleaned.get("phi_attest")
            and not self.phi_findings
        ):
            reason = "A case post" if kind == DeskKind.CASE else "A post with images"
            self.add_error(
                "phi_attest",
                f"{reason} needs this attestation: no patient identifiers, consent obtained.",
            )
        return cleaned

    @property
    def attested(self) -> bool:
        """What the service is told: the author ticked the attestation."""
        return bool(self.cleaned_data.get("phi_attest"))


def _looks_like(data: bytes, mime: str) -> bool:
    """The file starts the way its type does (a renamed text file is no image)."""
    signatures = {
        "image/jpeg": (b"\xff\xd8\xff",),
        "image/png": (b"\x89PNG\r\n\x1a\n",),
        "image/gif": (b"GIF87a", b"GIF89a"),
        "image/webp": (b"RIFF",),
    }
    return data.startswith(signatures[mime]) and (mime != "image/webp" or data[8:12] == b"WEBP")


class ScheduleForm(forms.Form):
    """When an approved post goes out: at a time, or the account's next free slot."""

    when = forms.ChoiceField(
        label="When",
        choices=[("queue", "Add to the queue (the next free slot)"), ("at", "At a time")],
        widget=forms.RadioSelect,
        initial="queue",
    )
    queue_account = ModelChoiceField(
        label="Queue of",
        queryset=SocialAccount.objects.none(),
        required=False,
        empty_label=None,
        help_text="The account whose weekly slots set the time.",
    )
    at = forms.DateTimeField(
        label="Date and time",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="In your time zone. Leave empty to send now (after the undo minute).",
    )

    def __init__(self, *args: Any, accounts: QuerySet[SocialAccount], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(ModelChoiceField, self.fields["queue_account"]).queryset = accounts

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("when") == "queue" and not cleaned.get("queue_account"):
            self.add_error("queue_account", "Choose the account whose queue it joins.")
        at = cleaned.get("at")
        if cleaned.get("when") == "at" and at is not None and at.year > 9000:
            self.add_error("at", "Choose a date this side of the year 9000.")
        return cleaned


class SlotForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label="Day", choices=Weekday.choices, coerce=int, required=False
    )
    time = forms.TimeField(
        label="Time", required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    delete = forms.BooleanField(label="Remove", required=False)


SlotFormSet = forms.formset_factory(SlotForm, extra=2, max_num=28, absolute_max=40)
