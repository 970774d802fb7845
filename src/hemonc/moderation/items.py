"""What can be reported, and how moderation reads and changes each kind of item.

An item is named as the audit log names rows: its model's label and primary key. Each kind
says who wrote it, its text, where it is, the conversation around it, whether a member may
see it (only what one can see can be reported), and how it is hidden, restored and edited.
The apps own their items' visibility: each kind sets the flag its app's pages honour.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone

from hemonc.members.models import User
from hemonc.members.selectors import user_may_see
from hemonc.members.services import profile_search_document


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
    )
}


def kind_of(item_type: str) -> ItemKind | None:
    return KINDS.get(item_type)
