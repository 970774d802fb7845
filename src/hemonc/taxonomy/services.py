"""Writes to the taxonomy."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.text import slugify

from hemonc.core.audit import audit
from hemonc.core.errors import DomainError
from hemonc.taxonomy.enums import TopicKind
from hemonc.taxonomy.hashtags import conference_tag, normalize_hashtag
from hemonc.taxonomy.models import Topic


@transaction.atomic
def topic_create(
    *, name: str, hashtag: str = "", kind: str = TopicKind.OTHER, description: str = "",
    actor: Any | None = None,
) -> Topic:  # fmt: skip
    hashtag = normalize_hashtag(hashtag)
    if hashtag and Topic.objects.filter(hashtag__iexact=hashtag).exists():
        raise DomainError(f"A topic with the hashtag #{hashtag} already exists.")
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


@transaction.atomic
def topic_for_hashtag(*, tag: str) -> Topic | None:
    """The topic of a hashtag; conference tags (#ASH21) get a topic on first sight."""
    hashtag = normalize_hashtag(tag)
    if not hashtag:
        return None
    topic = Topic.objects.filter(hashtag__iexact=hashtag).first()
    if topic is not None:
        return topic
    conference = conference_tag(hashtag)
    if conference is None:
        return None
    return topic_create(
        name=f"{conference.society} {conference.year}",
        hashtag=conference.hashtag,
        kind=TopicKind.CONFERENCE,
        description=f"{conference.society} annual meeting, {conference.year}",
    )
