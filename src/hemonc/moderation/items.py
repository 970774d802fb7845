"""What can be reported, and how moderation reads and changes each kind of item.

An item is named as the audit log names rows: its model's label and primary key. Each kind
says who wrote it, its text, where it is, the conversation around it, whether a member may
see it (only what one can see can be reported), and how it is hidden, restored and edited.
The apps own their items' visibility: each kind sets the flag its app's pages honour.

A private item (a direct message) is read by moderators only on its case: the message and
the few around it in its conversation, never the conversation's page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone

from hemonc.community.models import Message, Opportunity
from hemonc.community.selectors import (
    opportunity_visible,
    replies_visible,
    user_may_see_discussion,
)
from hemonc.community.selectors_messages import messages_around
from hemonc.community.services.spaces import discussion_search_document
from hemonc.core.markdown import render_markdown
from hemonc.members.models import User
from hemonc.members.selectors import user_may_see
from hemonc.members.services import profile_search_document
from hemonc.outreach.desk.selectors import desk_post_for
from hemonc.outreach.desk.services import post_moderate
from hemonc.outreach.enums import DeskState
from hemonc.outreach.models import DeskPost


@dataclass(frozen=True)
class Line:
    """One entry of an item's context: who wrote it, when, and what."""

    who: str
    when: Any
    text: str
    is_item: bool = False


@dataclass(frozen=True)
class ItemKind:
    label: str  # the model's label, lower case: "events.question"
    noun: str  # "a question"
    author: Callable[[Any], User | None]
    text: Callable[[Any], str]
    where: Callable[[Any], tuple[str, str]]  # (in words, its page)
    may_see: Callable[[User, Any], bool]
    is_hidden: Callable[[Any], bool]
    set_hidden: Callable[[Any, bool], None]
    set_text: Callable[[Any, str], None]
    context: Callable[[Any], list[Line]] = field(default=lambda item: [])
    # Read by moderators on the case only: the case links nowhere (its page is private).
    private: bool = False

    def get(self, item_id: str) -> Any | None:
        model = apps.get_model(self.label)
        try:
            return model._default_manager.get(pk=item_id)
        except (model.DoesNotExist, ValueError, TypeError):
            return None


def _save(item: models.Model, *fields: str) -> None:
    names = [*fields]
    if any(f.name == "updated_at" for f in item._meta.concrete_fields):
        names.append("updated_at")
    item.save(update_fields=names)


# Questions of a live session ------------------------------------------------------------


def _question_where(question: Any) -> tuple[str, str]:
    return f"A question in “{question.session.title}”", question.get_absolute_url()


def _question_context(question: Any) -> list[Line]:
    near = question.session.questions.select_related("author__profile").order_by("created_at")
    before = list(near.filter(created_at__lt=question.created_at).reverse()[:3])[::-1]
    after = list(near.filter(created_at__gt=question.created_at)[:3])
    return [
        Line(str(q.author), q.created_at, q.text, is_item=q.pk == question.pk)
        for q in [*before, question, *after]
    ]


def _question_hide(question: Any, hidden: bool) -> None:
    question.is_hidden = hidden
    _save(question, "is_hidden")


def _question_text(question: Any, text: str) -> None:
    question.text = text
    _save(question, "text")


# A member's bio --------------------------------------------------------------------------


def _bio_hide(profile: Any, hidden: bool) -> None:
    profile.bio_hidden_at = timezone.now() if hidden else None
    profile.search_document = profile_search_document(profile)
    _save(profile, "bio_hidden_at", "search_document")


def _bio_text(profile: Any, text: str) -> None:
    profile.bio = text
    profile.search_document = profile_search_document(profile)
    _save(profile, "bio", "search_document")


# A mentor's offer ------------------------------------------------------------------------


def _offer_hide(offer: Any, hidden: bool) -> None:
    offer.about_hidden_at = timezone.now() if hidden else None
    _save(offer, "about_hidden_at")


def _offer_text(offer: Any, text: str) -> None:
    offer.about = text
    _save(offer, "about")


# Discussions and replies -----------------------------------------------------------------


def _discussion_hide(discussion: Any, hidden: bool) -> None:
    discussion.hidden = hidden
    _save(discussion, "hidden")


def _discussion_text(discussion: Any, text: str) -> None:
    discussion.body, discussion.body_html = text, render_markdown(text)
    discussion.edited_at = timezone.now()
    discussion.search_document = discussion_search_document(discussion, discussion.tags.all())
    _save(discussion, "body", "body_html", "edited_at", "search_document")


def _discussion_context(discussion: Any) -> list[Line]:
    first = discussion.replies.select_related("author__profile").order_by("created_at")[:5]
    return [
        Line(str(discussion.author), discussion.created_at, discussion.body, is_item=True),
        *(Line(str(reply.author), reply.created_at, reply.body) for reply in first),
    ]


def _reply_hide(reply: Any, hidden: bool) -> None:
    reply.hidden = hidden
    reply.save(update_fields=["hidden"])


def _reply_text(reply: Any, text: str) -> None:
    reply.body, reply.body_html = text, render_markdown(text)
    reply.edited_at = timezone.now()
    reply.save(update_fields=["body", "body_html", "edited_at"])


def _reply_context(reply: Any) -> list[Line]:
    around = reply.discussion.replies.select_related("author__profile").order_by("created_at")
    before = list(around.filter(created_at__lt=reply.created_at).reverse()[:3])[::-1]
    after = list(around.filter(created_at__gt=reply.created_at)[:3])
    discussion = reply.discussion
    return [
        Line(
            str(discussion.author),
            discussion.created_at,
            f"{discussion.title}\n\n{discussion.body}",
        ),
        *(
            Line(str(r.author), r.created_at, r.body, is_item=r.pk == reply.pk)
            for r in [*before, reply, *after]
        ),
    ]


# Direct messages -------------------------------------------------------------------------


def _message_where(message: Message) -> tuple[str, str]:
    return "A direct message", f"{message.conversation.get_absolute_url()}#message-{message.pk}"


def _message_may_see(user: User, message: Message) -> bool:
    """Only a participant of its conversation, and only while the others see it."""
    return bool(
        user.has_perm("community.report_message", message)
        and (message.sender_id == user.pk or not message.hidden)
    )


def _message_hide(message: Message, hidden: bool) -> None:
    message.hidden = hidden
    message.save(update_fields=["hidden"])


def _message_text(message: Message, text: str) -> None:
    message.body = text
    message.save(update_fields=["body"])


def _message_context(message: Message) -> list[Line]:
    return [
        Line(str(m.sender or "A former member"), m.created_at, m.body, is_item=m.pk == message.pk)
        for m in messages_around(message=message)
    ]


# Opportunities ---------------------------------------------------------------------------

# An opportunity's text for moderators: its summary (one line), a blank line, how to apply.
_PARAGRAPH = "\n\n"
SUMMARY_MAX = 300  # Opportunity.summary's max_length


def _opportunity_text_of(opportunity: Opportunity) -> str:
    return f"{opportunity.summary}{_PARAGRAPH}{opportunity.how_to_apply}".strip()


def _opportunity_text(opportunity: Opportunity, text: str) -> None:
    """The first paragraph back to the summary when it is one short line; the rest (or all
    of it) to how to apply."""
    first, _, rest = text.strip().partition(_PARAGRAPH)
    if "\n" in first or len(first) > SUMMARY_MAX:
        first, rest = "", text.strip()
    opportunity.summary, opportunity.how_to_apply = first.strip(), rest.strip()
    _save(opportunity, "summary", "how_to_apply")


def _opportunity_hide(opportunity: Opportunity, hidden: bool) -> None:
    opportunity.hidden = hidden
    _save(opportunity, "hidden")


def _opportunity_context(opportunity: Opportunity) -> list[Line]:
    return [
        Line(
            str(opportunity.suggested_by or "An organizer"),
            opportunity.created_at,
            f"{opportunity.title} — {opportunity.organization}\n{opportunity.url}",
        ),
        Line(
            str(opportunity.suggested_by or "An organizer"),
            opportunity.created_at,
            _opportunity_text_of(opportunity),
            is_item=True,
        ),
    ]


# Posts of the publishing desk ------------------------------------------------------------


def _desk_may_see(user: User, post: DeskPost) -> bool:
    """Those who see the desk's post (organizers, its author), while nothing of it left."""
    return bool(
        post.started_at is None
        and post.state != DeskState.PUBLISHED
        and (post.author_id == user.pk or not post.hidden)
        and desk_post_for(viewer=user, pk=post.pk) is not None
    )


def _desk_hide(post: DeskPost, hidden: bool) -> None:
    post_moderate(post, hidden=hidden)


def _desk_text(post: DeskPost, text: str) -> None:
    post_moderate(post, text=text)


KINDS: dict[str, ItemKind] = {
    kind.label: kind
    for kind in (
        ItemKind(
            label="events.question",
            noun="a question",
            author=lambda q: q.author,
            text=lambda q: q.text,
            where=_question_where,
            may_see=lambda user, q: (
                (q.author_id == user.pk or not (q.is_hidden or q.is_held))
                and user_may_see(viewer=user, other=q.author)
            ),
            is_hidden=lambda q: q.is_hidden,
            set_hidden=_question_hide,
            set_text=_question_text,
            context=_question_context,
        ),
        ItemKind(
            label="members.profile",
            noun="a profile",
            author=lambda p: p.user,
            text=lambda p: p.bio,
            where=lambda p: (f"The bio of {p}", p.get_absolute_url()),
            may_see=lambda user, p: user_may_see(viewer=user, other=p.user),
            is_hidden=lambda p: p.bio_hidden,
            set_hidden=_bio_hide,
            set_text=_bio_text,
        ),
        ItemKind(
            label="mentorship.mentoroffer",
            noun="a mentor offer",
            author=lambda o: o.user,
            text=lambda o: o.about,
            where=lambda o: (
                f"The mentor offer of {o.user}",
                reverse("mentorship:request_create", args=[o.user_id]),
            ),
            may_see=lambda user, o: user_may_see(viewer=user, other=o.user),
            is_hidden=lambda o: o.about_hidden,
            set_hidden=_offer_hide,
            set_text=_offer_text,
        ),
        ItemKind(
            label="community.discussion",
            noun="a discussion",
            author=lambda d: d.author,
            text=lambda d: d.body,
            where=lambda d: (f"The discussion “{d.title}”", d.get_absolute_url()),
            may_see=lambda user, d: user_may_see_discussion(user, d),
            is_hidden=lambda d: d.hidden,
            set_hidden=_discussion_hide,
            set_text=_discussion_text,
            context=_discussion_context,
        ),
        ItemKind(
            label="community.reply",
            noun="a reply",
            author=lambda r: r.author,
            text=lambda r: r.body,
            where=lambda r: (
                f"A reply in “{r.discussion.title}”",
                f"{r.discussion.get_absolute_url()}#reply-{r.pk}",
            ),
            may_see=lambda user, r: (
                user_may_see_discussion(user, r.discussion)
                and replies_visible(user, r.discussion).filter(pk=r.pk).exists()
            ),
            is_hidden=lambda r: r.hidden,
            set_hidden=_reply_hide,
            set_text=_reply_text,
            context=_reply_context,
        ),
        ItemKind(
            label="community.message",
            noun="a message",
            author=lambda m: m.sender,
            text=lambda m: m.body,
            where=_message_where,
            may_see=_message_may_see,
            is_hidden=lambda m: m.hidden,
            set_hidden=_message_hide,
            set_text=_message_text,
            context=_message_context,
            private=True,
        ),
        ItemKind(
            label="community.opportunity",
            noun="an opportunity",
            author=lambda o: o.suggested_by,
            text=_opportunity_text_of,
            where=lambda o: (f"The opportunity “{o.title}”", o.get_absolute_url()),
            may_see=lambda user, o: (
                (o.suggested_by_id == user.pk or not o.hidden)
                and opportunity_visible(viewer=user, opportunity=o)
            ),
            is_hidden=lambda o: o.hidden,
            set_hidden=_opportunity_hide,
            set_text=_opportunity_text,
            context=_opportunity_context,
        ),
        ItemKind(
            label="outreach.deskpost",
            noun="a post draft",
            author=lambda p: p.author,
            text=lambda p: p.text,
            where=lambda p: (
                f"A post of the publishing desk ({p.get_kind_display().lower()})",
                reverse("outreach:desk_post", args=[p.pk]),
            ),
            may_see=_desk_may_see,
            is_hidden=lambda p: p.hidden,
            set_hidden=_desk_hide,
            set_text=_desk_text,
        ),
    )
}


def kind_of(item_type: str) -> ItemKind | None:
    return KINDS.get(item_type)
