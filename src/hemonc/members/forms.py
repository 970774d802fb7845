"""Forms for the member pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Case, Value, When

from hemonc.core.caching import page_cache
from hemonc.core.countries import country_choices, country_name
from hemonc.core.forms import ModelChoiceField, ModelMultipleChoiceField
from hemonc.core.phi_guard import PhiGuardMixin
from hemonc.core.text import OneLineField
from hemonc.core.timezones import browser_time_zone, time_zone_choices
from hemonc.core.widgets import SearchSelect, Select
from hemonc.members import services
from hemonc.members.enums import Gender, IdentityCommunity, Role
from hemonc.members.models import Profile, User
from hemonc.members.validators import (
    normalize_orcid,
    validate_image_dimensions,
    validate_orcid,
)
from hemonc.taxonomy.enums import Specialty, Stage
from hemonc.taxonomy.models import CareerPath, Topic


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """A form's select field, to set its options."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField), name
    return field


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    display_name = OneLineField(
        max_length=80, label="Your name", help_text="As colleagues know you, e.g. Dr. Ana Lopez."
    )

    def signup(self, request: Any, user: Any) -> None:
        # The browser's own zone (site.js puts it in a cookie), when it is a real one.
        services.profile_update(
            profile=user.profile,
            actor=user,
            display_name=self.cleaned_data["display_name"],
            time_zone=browser_time_zone(request),
        )


# Tumor tags first: they are what most members pick.
TOPIC_KIND_ORDER = ["tumor", "community", "conference", "provider", "identity", "awareness", "chat"]


class TopicChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Topic) -> str:
        return obj.label


class AvatarField(forms.ImageField):
    """An image field that reads the image's size from its header before anything decodes it."""

    def to_python(self, data: Any) -> Any:
        if data and hasattr(data, "seek"):
            validate_image_dimensions(data)
        return super().to_python(data)


class ProfileForm(PhiGuardMixin, forms.ModelForm):
    phi_fields = ("bio",)  # others read it: checked for patient identifiers
    country = forms.ChoiceField(choices=[("", "—"), *country_choices()], required=False)
    time_zone = forms.ChoiceField(choices=time_zone_choices, required=False)
    interests = TopicChoiceField(
        queryset=Topic.objects.alias(
            kind_order=Case(
                *(When(kind=kind, then=Value(i)) for i, kind in enumerate(TOPIC_KIND_ORDER)),
                default=Value(len(TOPIC_KIND_ORDER)),
            )
        ).order_by("kind_order", "name"),
        label="Topics and hashtags",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    career_paths = ModelMultipleChoiceField(
        queryset=CareerPath.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
    )
    identity_communities = forms.MultipleChoiceField(
        choices=IdentityCommunity.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Identity communities",
    )
    # The photo travels with the rest of the profile: "Save profile" stores a chosen photo too.
    photo = AvatarField(
        label="New photo",
        required=False,
        help_text="JPEG, PNG, WebP or GIF, up to 5 MB. Cropped to a square.",
    )
    remove_photo = forms.BooleanField(label="Remove my photo", required=False)

    class Meta:
        model = Profile
        fields = [
            "display_name", "pronouns", "bio",
            "stage", "stage_visibility", "specialty", "specialty_visibility",
            "training_year", "training_year_visibility", "institution", "institution_visibility",
            "country", "country_visibility", "time_zone",
            "interests", "career_paths",
            "x_handle", "bluesky_handle", "mastodon_handle", "linkedin_url", "orcid",
            "open_to_mentoring", "looking_for_mentor", "listed_in_directory",
            "gender", "gender_self_description", "identity_communities",
            "share_communities_with_matcher",
        ]  # fmt: skip
        field_classes = dict.fromkeys(
            (
                "display_name",
                "pronouns",
                "institution",
                "gender_self_description",
                "x_handle",
                "bluesky_handle",
                "mastodon_handle",
            ),
            OneLineField,
        )
        labels = {
            "x_handle": "X handle",
            "bluesky_handle": "Bluesky handle",
            "mastodon_handle": "Mastodon handle",
            "linkedin_url": "LinkedIn",
            "orcid": "ORCID iD",
            "open_to_mentoring": "I am open to mentoring",
            "looking_for_mentor": "I am looking for a mentor",
            "listed_in_directory": "List me in the member directory",
            "gender_self_description": "Gender, in your words",
            "share_communities_with_matcher": "Let the mentor matcher use my identity communities",
        }
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        choice_field(self, "stage").choices = [("", "—"), *Stage.choices]
        choice_field(self, "gender").choices = [("", "Not answered"), *Gender.choices]
        choice_field(self, "specialty").choices = [("", "—"), *Specialty.choices]
        self.fields["bio"].help_text = ""
        self.fields["orcid"].help_text = "e.g. 0000-0002-1825-0097"
        self.fields["orcid"].validators = []
        self.fields[
            "listed_in_directory"
        ].help_text = (
            "Unlisted, your profile is seen only by signed-in members who follow a link to it."
        )
        for name, field in self.fields.items():
            if name.endswith("_visibility"):
                subject = self[name.removesuffix("_visibility")].label
                field.label = f"Who can see your {subject.lower()}"

    @property
    def professional_pairs(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """Each professional field with the field that sets who may see it."""
        names = ("stage", "specialty", "training_year", "institution", "country")
        return [(self[name], self[f"{name}_visibility"]) for name in names]

    def clean_orcid(self) -> str:
        value = self.cleaned_data.get("orcid", "")
        if value:
            validate_orcid(value)
            value = normalize_orcid(value)
        return value


class AvatarForm(forms.Form):
    avatar = AvatarField(
        label="Photo", help_text="JPEG, PNG, WebP or GIF, up to 5 MB. Cropped to a square."
    )


class WelcomeStepForm(ProfileForm):
    """One step of the first-sign-in welcome: the profile form, narrowed to a few fields."""

    def __init__(self, *args: Any, step_fields: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {name: self.fields[name] for name in step_fields}
        if "photo" in self.fields:
            self.fields["photo"].label = "Your photo"


def topic_choices() -> list[tuple[str, str]]:
    """(slug, label) of every topic; cached briefly, the directory asks on every request."""
    choices = page_cache.get("members:topic-choices")
    if choices is None:
        choices = [(t.slug, t.label) for t in Topic.objects.order_by("name")]
        page_cache.set("members:topic-choices", choices, timeout=60)
    return choices


class DirectoryForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=100)
    stage = forms.ChoiceField(required=False, widget=Select)
    interest = forms.ChoiceField(required=False, label="Interest", widget=Select)
    country = forms.ChoiceField(required=False, widget=Select)
    open_to_mentoring = forms.BooleanField(required=False, label="Open to mentoring")
    looking_for_mentor = forms.BooleanField(required=False, label="Looking for a mentor")

    def __init__(self, *args: Any, countries: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options: dict[str, list[tuple[str, str]]] = {
            "stage": [("", "Any stage"), *Stage.choices],
            "interest": [("", "Any interest"), *topic_choices()],
            "country": [
                ("", "Any country"),
                *sorted(((c, country_name(c)) for c in countries), key=lambda pair: pair[1]),
            ],
        }
        for name, options in self.options.items():
            choice_field(self, name).choices = options

    def choices_version(self) -> tuple[tuple[tuple[str, str], ...], ...]:
        """Every option of every select, as text: what the rendered form depends on besides
        its data."""
        return tuple(
            tuple((str(value), str(label)) for value, label in self.options[name])
            for name in ("stage", "interest", "country")
        )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput, label="Your password")
    confirm = forms.BooleanField(label="I understand this cannot be undone")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password


class RoleGrantForm(forms.Form):
    member = ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        widget=SearchSelect(source="members"),
        help_text="Type part of their name.",
    )
    role = forms.ChoiceField(choices=Role.choices[::-1], widget=Select)  # moderator first
