"""Forms of the community pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Case, Value, When

from hemonc.community.enums import ReactionKind, SpaceVisibility
from hemonc.core.forms import MAX_ID, ModelChoiceField, parse_id
from hemonc.core.phi_guard import PhiGuardMixin
from hemonc.core.text import OneLineField
from hemonc.core.widgets import SearchSelect
from hemonc.events.models import LiveSession
from hemonc.members.forms import TOPIC_KIND_ORDER, TopicChoiceField
from hemonc.members.models import User
from hemonc.mentorship.models import Program
from hemonc.taxonomy.enums import Stage
from hemonc.taxonomy.models import Topic

# ---- spaces (+ notifications) ----

MENTION_HELP = "Markdown. Mention a member of this space as @[Their Name]."


def _topics() -> Any:
    return Topic.objects.alias(
        kind_order=Case(
            *(When(kind=kind, then=Value(i)) for i, kind in enumerate(TOPIC_KIND_ORDER)),
            default=Value(len(TOPIC_KIND_ORDER)),
        )
    ).order_by("kind_order", "name")


class DiscussionForm(PhiGuardMixin, forms.Form):
    phi_fields = ("title", "body")

    title = OneLineField(max_length=200)
    body = forms.CharField(
        max_length=20000, widget=forms.Textarea(attrs={"rows": 10}), help_text=MENTION_HELP
    )
    tags = TopicChoiceField(
        queryset=_topics(),
        label="Topic tags (up to 5)",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def clean_tags(self) -> list[Topic]:
        tags = list(self.cleaned_data.get("tags") or [])
        if len(tags) > 5:
            raise forms.ValidationError("Choose at most 5 tags.")
        return tags


class SessionChoiceField(ModelChoiceField):
    def label_from_instance(self, obj: LiveSession) -> str:
        return f"{obj.title} ({obj.starts_at:%d %B %Y})"


class HostedDiscussionForm(DiscussionForm):
    """Organizers: a journal club (its session and paper) or a chat (its session and start)."""

    kind = forms.ChoiceField(
        choices=[
            ("discussion", "Discussion"),
            ("journal_club", "Journal club"),
            ("chat", "Chat"),
        ],
        initial="discussion",
    )
    session = SessionChoiceField(
        queryset=LiveSession.objects.all(),
        required=False,
        widget=SearchSelect(source="sessions"),
        label="Live session",
        help_text="A journal club's or a chat's session. Type part of its title.",
    )
    starts_at = forms.DateTimeField(
        required=False,
        label="Chat starts at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Replies show live for the hour from then.",
    )
    paper_doi = OneLineField(max_length=200, required=False, label="Paper: DOI")
    paper_title = OneLineField(max_length=300, required=False, label="Paper: title")
    paper_journal = OneLineField(max_length=200, required=False, label="Paper: journal")
    paper_year = forms.IntegerField(
        required=False, min_value=1800, max_value=2200, label="Paper: year"
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("kind") == "chat" and not cleaned.get("starts_at"):
            self.add_error("starts_at", "A chat needs its start time.")
        return cleaned

    def paper(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in ("paper_doi", "paper_title", "paper_journal", "paper_year")
        }


class ReplyForm(PhiGuardMixin, forms.Form):
    phi_fields = ("body",)

    body = forms.CharField(
        max_length=10000,
        label="Your reply",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=MENTION_HELP,
    )
    quote = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=MAX_ID
    )


class ReactionForm(forms.Form):
    """A reaction button's value: "d:KIND" for the discussion, "REPLY_ID:KIND" for a reply."""

    target = forms.CharField(max_length=40)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        where, _, kind = str(cleaned.get("target") or "").partition(":")
        if kind not in ReactionKind.values:
            raise forms.ValidationError("Choose a reaction.")
        reply = None
        if where != "d":
            reply = parse_id(where)
            if reply is None:
                raise forms.ValidationError("Choose a reaction.")
        cleaned["kind"], cleaned["reply"] = kind, reply
        return cleaned


class ModerateForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("pin", "Pin"),
            ("unpin", "Unpin"),
            ("lock", "Lock"),
            ("unlock", "Unlock"),
            ("hide", "Take down"),
            ("show", "Put back"),
        ]
    )


class SearchForm(forms.Form):
    q = forms.CharField(max_length=200, required=False, label="Search discussions")


class SpaceForm(forms.Form):
    slug = forms.SlugField(max_length=60, label="Address", help_text="Letters, digits, dashes.")
    name = OneLineField(max_length=120)
    description = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    visibility = forms.ChoiceField(choices=SpaceVisibility.choices, label="Who sees it")
    program = ModelChoiceField(
        queryset=Program.objects.all(), required=False, help_text="For a program space."
    )
    verified_stage_only = forms.BooleanField(
        required=False, label="Trainees only: admit only stages organizers verified"
    )


class MemberChoiceField(ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return str(obj)


class InviteForm(forms.Form):
    user = MemberChoiceField(
        queryset=User.objects.filter(is_active=True),
        widget=SearchSelect(source="members"),
        label="Member",
        help_text="Type part of their name.",
    )


class StageVerifyForm(forms.Form):
    user = MemberChoiceField(
        queryset=User.objects.filter(is_active=True),
        widget=SearchSelect(source="members"),
        label="Member",
        help_text="Type part of their name.",
    )
    stage = forms.ChoiceField(
        choices=[("", "Forget the check"), *Stage.choices], required=False, label="Verified stage"
    )


# ---- end spaces ----
