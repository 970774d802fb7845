"""Writes to the taxonomy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict, Unpack

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.text import slugify

from hemonc.core.audit import audit
from hemonc.core.errors import DomainError
from hemonc.core.permissions import Operator, require
from hemonc.core.updates import model_update
from hemonc.taxonomy.enums import TopicKind
from hemonc.taxonomy.hashtags import conference_tag, normalize_hashtag
from hemonc.taxonomy.models import Topic

# The account model lives in `members`, above this app: any account, or the operator.
Actor = AbstractBaseUser | Operator


class TopicChanges(TypedDict, total=False):
    name: str
    hashtag: str
    kind: str
    description: str


@transaction.atomic(durable=True)
def topic_create(
    *, name: str, hashtag: str = "", kind: str = TopicKind.OTHER, description: str = "",
    actor: Actor,
) -> Topic:  # fmt: skip
    require(actor, "taxonomy.manage_topics")
    return _topic_create(
        name=name, hashtag=hashtag, kind=kind, description=description, actor=actor
    )


def _unique_hashtag(hashtag: str, *, topic: Topic | None = None) -> str:
    hashtag = normalize_hashtag(hashtag)
    others = Topic.objects.filter(hashtag__iexact=hashtag)
    if topic is not None:
        others = others.exclude(pk=topic.pk)
    if hashtag and others.exists():
        raise DomainError(f"A topic with the hashtag #{hashtag} already exists.")
    return hashtag


def _topic_create(*, name: str, hashtag: str, kind: str, description: str, actor: Actor) -> Topic:
    """The work of `topic_create`, inside the caller's transaction and permission check."""
    hashtag = _unique_hashtag(hashtag)
    base = slugify(hashtag or name)[:50] or "topic"
    slug, n = base, 1
    while Topic.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    topic = Topic.objects.create(
        name=name.strip(), hashtag=hashtag, kind=kind, description=description, slug=slug
    )
    audit(actor=actor, action="topic.create", target=topic, changes={"hashtag": hashtag})
    return topic


@transaction.atomic(durable=True)
def topic_update(*, topic: Topic, actor: Actor, **fields: Unpack[TopicChanges]) -> Topic:
    """Rename or describe a topic; its slug (in links) stays."""
    require(actor, "taxonomy.manage_topics", topic)
    return _topic_update(topic=topic, actor=actor, fields=fields)


def _topic_update(*, topic: Topic, actor: Actor, fields: Mapping[str, Any]) -> Topic:
    """The work of `topic_update`, inside the caller's transaction and permission check."""
    values: dict[str, Any] = dict(fields)
    if "hashtag" in values:
        values["hashtag"] = _unique_hashtag(values["hashtag"], topic=topic)
    if "name" in values:
        values["name"] = values["name"].strip()
    changed = model_update(topic, values)
    topic.save()
    audit(actor=actor, action="topic.update", target=topic, changes={"fields": changed})
    return topic


@transaction.atomic(durable=True)
def topic_delete(*, topic: Topic, actor: Actor) -> None:
    """Delete a topic: members, sessions and posts tagged with it lose the tag."""
    require(actor, "taxonomy.manage_topics", topic)
    _topic_delete(topic=topic, actor=actor)


def _topic_delete(*, topic: Topic, actor: Actor) -> None:
    """The work of `topic_delete`, inside the caller's transaction and permission check."""
    audit(actor=actor, action="topic.delete", target=topic, changes={"hashtag": topic.hashtag})
    topic.delete()


@transaction.atomic(durable=True)
def topic_for_hashtag(*, tag: str, actor: Actor) -> Topic | None:
    """The topic of a hashtag; conference tags (#ASH21) get a topic on first sight."""
    require(actor, "taxonomy.manage_topics")
    hashtag = normalize_hashtag(tag)
    if not hashtag:
        return None
    topic = Topic.objects.filter(hashtag__iexact=hashtag).first()
    if topic is not None:
        return topic
    conference = conference_tag(hashtag)
    if conference is None:
        return None
    return _topic_create(
        name=f"{conference.society} {conference.year}",
        hashtag=conference.hashtag,
        kind=TopicKind.CONFERENCE,
        description=f"{conference.society} annual meeting, {conference.year}",
        actor=actor,
    )
