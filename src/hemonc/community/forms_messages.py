"""Forms of direct messages and the digest settings."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.forms import ModelMultipleChoiceField

from hemonc.community.models.messages import MAX_PARTICIPANTS, MESSAGE_MAX_LENGTH
from hemonc.core.phi_guard import PhiGuardMixin
from hemonc.core.widgets import SearchSelect
from hemonc.members.models import User


def _body() -> forms.CharField:
    return forms.CharField(
        label="Message",
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class MessageForm(PhiGuardMixin, forms.Form):
    """A message to one person: a private conversation, which the PHI guard leaves alone."""

    body = _body()
    phi_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].label = "Your message"


class GroupMessageForm(MessageForm):
    """A message more than one person will read: the PHI guard applies."""

    phi_fields = ("body",)


def message_form(*args: Any, group: bool, **kwargs: Any) -> MessageForm:
    return (GroupMessageForm if group else MessageForm)(*args, **kwargs)


class ConversationForm(PhiGuardMixin, forms.Form):
    """Write to one or a few members: a new conversation, or a request when you share
    nothing with them yet."""

    recipients = ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True).select_related("profile").order_by("id"),
        widget=SearchSelect(source="members", multiple=True),
        label="To",
        help_text=f"One member, or up to {MAX_PARTICIPANTS - 1} for a group.",
        error_messages={
            "invalid_choice": "Choose members from the list.",
            "invalid_pk_value": "Choose members from the list.",
        },
    )
    body = _body()
    phi_fields: ClassVar[tuple[str, ...]] = ()


class GroupConversationForm(ConversationForm):
    """To more than one member: the PHI guard applies."""

    phi_fields = ("body",)


def conversation_form(data: Any = None, **kwargs: Any) -> ConversationForm:
    """The form for what was sent: to more than one member, the guarded one."""
    people = data.getlist("recipients") if hasattr(data, "getlist") else []
    form = GroupConversationForm if len(set(people)) > 1 else ConversationForm
    return form(data, **kwargs)


class MessageSettingsForm(forms.Form):
    mail_when_unread = forms.BooleanField(
        required=False, label="Mail me when a message waits unread for more than an hour"
    )
    digest_weekly = forms.BooleanField(
        required=False,
        label="Send me the weekly digest: what is new in the spaces, tags and discussions "
        "I follow, and opportunities that fit me",
    )
