"""Writes about spaces and discussions: spaces and invitations, verified stages, discussions,
replies, reactions, edits and their history, pins, locks, take-downs, follows."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from hemonc.community import review, selectors
from hemonc.community.enums import (
    DiscussionKind,
    NotificationKind,
    ReactionKind,
    ReviewState,
    SpaceVisibility,
)
from hemonc.community.models import (
    Discussion,
    Follow,
    Reaction,
    Reply,
    Revision,
    Space,
    SpaceMember,
    StageVerification,
)
from hemonc.community.services.notifications import notify
from hemonc.core.audit import audit
from hemonc.core.errors import DomainError
from hemonc.core.markdown import render_markdown
from hemonc.core.permissions import Operator, require
from hemonc.core.phi_guard import phi_check, phi_record
from hemonc.core.ratelimit import Limit, limit_consume
from hemonc.core.text import one_line
from hemonc.events.models import LiveSession
from hemonc.members.models import Profile, User
from hemonc.mentorship.models import Program
from hemonc.taxonomy.enums import Stage
from hemonc.taxonomy.models import Topic

Actor = User | Operator

TITLE_MAX = 200
DISCUSSION_BODY_MAX = 20000
REPLY_BODY_MAX = 10000
TAGS_MAX = 5

DISCUSSION_LIMIT = Limit(
    name="community.discussion",
    count=10,
    seconds=3600,
    message="You started many discussions in the last hour. Please wait a little.",
)
REPLY_LIMIT = Limit(
    name="community.reply",
    count=60,
    seconds=600,
    message="You replied very often in the last minutes. Please wait a little.",
)

# ---- spaces ----


@transaction.atomic(durable=True)
def space_create(
    *,
    actor: Actor,
    slug: str,
    name: str,
    description: str = "",
    visibility: SpaceVisibility | str = SpaceVisibility.MEMBERS,
    program: Program | None = None,
    verified_stage_only: bool = False,
) -> Space:
    require(actor, "community.manage_spaces")
    visibility = SpaceVisibility(visibility)
    slug, name = slugify(slug)[:60], one_line(name)[:120]
    if not slug or not name:
        raise DomainError("A space needs a name and a short address (letters, digits, dashes).")
    if Space.objects.filter(slug=slug).exists():
        raise DomainError(f"A space with the address “{slug}” exists already.")
    if (visibility == SpaceVisibility.PROGRAM) != (program is not None):
        raise DomainError("A program space names its program; other spaces name none.")
    space = Space.objects.create(
        slug=slug,
        name=name,
        description=description[:2000],
        visibility=visibility,
        program=program,
        verified_stage_only=verified_stage_only and visibility == SpaceVisibility.TRAINEES,
        created_by=actor if isinstance(actor, User) else None,
    )
    if visibility == SpaceVisibility.INVITED and isinstance(actor, User):
        SpaceMember.objects.create(space=space, user=actor, invited_by=actor)
    audit(actor=actor, action="community.space_create", target=space)
    return space


@transaction.atomic(durable=True)
def space_update(
    *,
    actor: Actor,
    space: Space,
    name: str,
    description: str,
    visibility: SpaceVisibility | str,
    program: Program | None = None,
    verified_stage_only: bool = False,
) -> Space:
    require(actor, "community.manage_spaces")
    visibility = SpaceVisibility(visibility)
    name = one_line(name)[:120]
    if not name:
        raise DomainError("A space needs a name.")
    if (visibility == SpaceVisibility.PROGRAM) != (program is not None):
        raise DomainError("A program space names its program; other spaces name none.")
    before = {f: getattr(space, f) for f in ("name", "description", "visibility", "program_id")}
    space.name, space.description, space.visibility = name, description[:2000], visibility
    space.program = program
    space.verified_stage_only = verified_stage_only and visibility == SpaceVisibility.TRAINEES
    space.save()
    changed = sorted(f for f, value in before.items() if getattr(space, f) != value)
    audit(actor=actor, action="community.space_update", target=space, changes={"fields": changed})
    return space


@transaction.atomic(durable=True)
def space_invite(*, actor: Actor, space: Space, user: User) -> SpaceMember:
    """Invite `user` to an invited-members space (organizers)."""
    require(actor, "community.manage_spaces")
    if space.visibility != SpaceVisibility.INVITED:
        raise DomainError("Only an invited-members space takes invitations.")
    if not user.is_active:
        raise DomainError("This account is not active.")
    membership, _created = SpaceMember.objects.get_or_create(
        space=space, user=user, defaults={"invited_by": actor if isinstance(actor, User) else None}
    )
    audit(actor=actor, action="community.space_invite", target=space)
    return membership


@transaction.atomic(durable=True)
def space_uninvite(*, actor: Actor, space: Space, user: User) -> None:
    require(actor, "community.manage_spaces")
    SpaceMember.objects.filter(space=space, user=user).delete()
    audit(actor=actor, action="community.space_uninvite", target=space)


@transaction.atomic(durable=True)
def stage_verify(
    *, actor: Actor, user: User, stage: Stage | str | None
) -> StageVerification | None:
    """Record the stage organizers checked for `user` (None: forget the check). Trainee-only
    spaces trust it over the profile's stage."""
    require(actor, "community.verify_stage")
    if stage in (None, ""):
        StageVerification.objects.filter(user=user).delete()
        audit(actor=actor, action="community.stage_unverify", target=user)
        return None
    verification, _created = StageVerification.objects.update_or_create(
        user=user,
        defaults={
            "stage": Stage(stage),
            "verified_by": actor if isinstance(actor, User) else None,
        },
    )
    audit(actor=actor, action="community.stage_verify", target=user, changes={"stage": stage})
    return verification


# ---- mentions ----

MENTION = re.compile(r"@\[([^\]\[\n]{1,80})\]")


def mention_names(text: str) -> list[str]:
    """The names written as @[Name] in `text`, in order, each once (case-insensitive)."""
    seen: dict[str, str] = {}
    for match in MENTION.finditer(text or ""):
        name = " ".join(match.group(1).split())
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return list(seen.values())[:20]


def _resolve_mentions(*, space: Space, author: User, text: str) -> dict[str, int]:
    """{casefolded name: user id} of the members `author` may mention in `space` whose display
    name is written as @[Name]; others stay plain text."""
    names = mention_names(text)
    if not names or not isinstance(author, User):
        return {}
    candidates: dict[str, list[int]] = {}
    for user_id, display_name in Profile.objects.filter(
        display_name__iregex=r"^(" + "|".join(re.escape(n) for n in names) + r")$"
    ).values_list("user_id", "display_name"):
        candidates.setdefault(display_name.casefold(), []).append(user_id)
    allowed = selectors.mentionable_user_ids(
        space=space,
        author=author,
        user_ids={uid for ids in candidates.values() for uid in ids},
    )
    found: dict[str, int] = {}
    for name in names:
        ids = [uid for uid in candidates.get(name.casefold(), []) if uid in allowed]
        if len(ids) == 1:  # a name two members share mentions neither
            found[name.casefold()] = ids[0]
    return found


def _notify_mentions(
    *,
    mentions: dict[str, int],
    before: dict[str, int],
    actor: Actor,
    space: Space,
    text: str,
    url: str,
) -> set[int]:
    new = set(mentions.values()) - set(before.values())
    if not new or not isinstance(actor, User):
        return new
    for user in User.objects.filter(pk__in=new):
        notify(
            recipient=user,
            kind=NotificationKind.MENTION,
            actor=actor,
            text=text,
            url=url,
            space=space,
        )
    return new


# ---- discussions ----


def _clean_title(title: str) -> str:
    title = one_line(title)
    if not title:
        raise DomainError("A discussion needs a title.")
    if len(title) > TITLE_MAX:
        raise DomainError(f"A title has at most {TITLE_MAX} characters.")
    return title


def _clean_body(body: str, limit: int) -> str:
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise DomainError("Write something first.")
    if len(body) > limit:
        raise DomainError(f"A text here has at most {limit} characters.")
    return body


def _clean_tags(tags: Iterable[Topic]) -> list[Topic]:
    tags = list(dict.fromkeys(tags))
    if len(tags) > TAGS_MAX:
        raise DomainError(f"A discussion carries at most {TAGS_MAX} tags.")
    return tags


def discussion_search_document(discussion: Discussion, tags: Iterable[Topic]) -> str:
    """What full-text search reads of a discussion: its title, body, paper and tags."""
    words = [discussion.title, discussion.body, discussion.paper_title, discussion.paper_journal]
    for tag in tags:
        words += [tag.name, tag.hashtag]
    return "\n".join(word for word in words if word)


def _require_can_post(actor: Actor, space: Space) -> None:
    # A space the actor cannot see does not exist for them: the same words as a missing one.
    if isinstance(actor, User) and not selectors.space_is_visible(actor, space):
        raise DomainError("There is no such space.")
    require(actor, "community.post", space)


DOI = re.compile(r"^10\.\d{4,9}/\S{1,180}$")


def _clean_paper(fields: dict[str, Any]) -> dict[str, Any]:
    doi = (fields.get("paper_doi") or "").strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "doi:", "https://dx.doi.org/"):
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix) :]
    if doi and not DOI.match(doi):
        raise DomainError("A DOI looks like 10.1056/NEJMoa2300000.")
    year = fields.get("paper_year")
    if year is not None and not (1800 <= int(year) <= 2200):
        raise DomainError("The paper's year is not a year.")
    return {
        "paper_doi": doi,
        "paper_title": one_line(fields.get("paper_title") or "")[:300],
        "paper_journal": one_line(fields.get("paper_journal") or "")[:200],
        "paper_year": int(year) if year is not None else None,
    }


@transaction.atomic(durable=True)
def discussion_create(
    *,
    actor: Actor,
    space: Space,
    author: User | None = None,
    title: str,
    body: str,
    kind: DiscussionKind | str = DiscussionKind.DISCUSSION,
    tags: Iterable[Topic] = (),
    session: LiveSession | None = None,
    starts_at: datetime | None = None,
    paper: dict[str, Any] | None = None,
    phi_attested: bool = False,
) -> Discussion:
    """A discussion in `space` by `actor` (or, for the operator, by `author`, who must see
    the space too). A journal club or a chat is set up by organizers: a chat has a start
    time, a journal club its paper (DOI, title, journal and year, as the organizer writes
    them: nothing is looked up). The text goes through the PHI guard."""
    writer = actor if isinstance(actor, User) else author
    if writer is None:
        raise DomainError("A discussion needs an author.")
    _require_can_post(writer, space)
    kind = DiscussionKind(kind)
    if kind != DiscussionKind.DISCUSSION:
        require(
            actor, "community.manage_spaces", message="Organizers set up journal clubs and chats."
        )
    if kind == DiscussionKind.CHAT and starts_at is None:
        raise DomainError("A chat needs its start time.")
    if isinstance(actor, User):
        limit_consume(DISCUSSION_LIMIT, actor.pk)
    title, body = _clean_title(title), _clean_body(body, DISCUSSION_BODY_MAX)
    tags = _clean_tags(tags)
    paper_fields = _clean_paper(paper or {}) if kind == DiscussionKind.JOURNAL_CLUB else {}
    found = phi_check(
        actor=actor, target=None, texts={"title": title, "body": body}, attested=phi_attested
    )
    mentions = _resolve_mentions(space=space, author=writer, text=body)
    now = timezone.now()
    held = review.holds(writer, space=space) if isinstance(actor, User) else False
    discussion = Discussion(
        space=space,
        author=writer,
        review_state=ReviewState.WAITING if held else None,
        kind=kind,
        title=title,
        body=body,
        body_html=render_markdown(body),
        mentions=mentions,
        session=session if kind != DiscussionKind.DISCUSSION else None,
        starts_at=starts_at if kind == DiscussionKind.CHAT else None,
        last_activity_at=now,
        **paper_fields,
    )
    discussion.search_document = discussion_search_document(discussion, tags)
    discussion.save()
    discussion.tags.set(tags)
    Follow.objects.get_or_create(user=writer, discussion=discussion)
    audit(
        actor=actor,
        action="community.discussion_create",
        target=discussion,
        changes={"review": ReviewState.WAITING.value} if held else None,
    )
    if found:
        phi_record(actor=actor, target=discussion, found=found)
    if not held:
        discussion_deliver(discussion)
    return discussion


def discussion_deliver(discussion: Discussion) -> None:
    """Tell the members a discussion mentions (when it is posted, or approved after
    waiting for review)."""
    writer = discussion.author
    if writer is None:
        return
    _notify_mentions(
        mentions=discussion.mentions,
        before={},
        actor=writer,
        space=discussion.space,
        text=f"{writer} mentioned you in “{discussion.title}”",
        url=discussion.get_absolute_url(),
    )


@transaction.atomic(durable=True)
def discussion_update(
    *,
    actor: User,
    discussion: Discussion,
    title: str,
    body: str,
    tags: Iterable[Topic] | None = None,
    paper: dict[str, Any] | None = None,
    starts_at: datetime | None = None,
    phi_attested: bool = False,
) -> Discussion:
    """An edit by its author (or a moderator); what it said before is kept as a revision."""
    if not selectors.user_may_see_discussion(actor, discussion):
        raise DomainError("There is no such discussion.")
    require(actor, "community.edit_post", discussion)
    if discussion.locked and not actor.has_perm("community.moderate_posts"):
        raise DomainError("This discussion is locked.")
    title, body = _clean_title(title), _clean_body(body, DISCUSSION_BODY_MAX)
    changed = {
        name: text
        for name, text in {"title": title, "body": body}.items()
        if text != getattr(discussion, name)
    }
    phi_check(actor=actor, target=discussion, texts=changed, attested=phi_attested)
    if changed:
        Revision.objects.create(
            discussion=discussion, title=discussion.title, body=discussion.body, edited_by=actor
        )
        discussion.edited_at = timezone.now()
    before = dict(discussion.mentions)
    discussion.title, discussion.body = title, body
    discussion.body_html = render_markdown(body)
    author = discussion.author or actor
    discussion.mentions = _resolve_mentions(space=discussion.space, author=author, text=body)
    if discussion.kind == DiscussionKind.JOURNAL_CLUB and paper is not None:
        for name, value in _clean_paper(paper).items():
            setattr(discussion, name, value)
    if discussion.kind == DiscussionKind.CHAT and starts_at is not None:
        discussion.starts_at = starts_at
    if tags is not None:
        tag_list = _clean_tags(tags)
        discussion.tags.set(tag_list)
    else:
        tag_list = list(discussion.tags.all())
    discussion.search_document = discussion_search_document(discussion, tag_list)
    discussion.save()
    audit(
        actor=actor,
        action="community.discussion_update",
        target=discussion,
        changes={"fields": sorted(changed)},
    )
    if discussion.review_state == ReviewState.WAITING:
        return discussion  # its mentions are told when it is approved
    _notify_mentions(
        mentions=discussion.mentions,
        before=before,
        actor=author,
        space=discussion.space,
        text=f"{author} mentioned you in “{title}”",
        url=discussion.get_absolute_url(),
    )
    return discussion


@transaction.atomic(durable=True)
def discussion_moderate(
    *,
    actor: Actor,
    discussion: Discussion,
    pinned: bool | None = None,
    locked: bool | None = None,
    hidden: bool | None = None,
) -> Discussion:
    """Pin, lock or take down a discussion (moderators and organizers)."""
    require(actor, "community.moderate_posts")
    if isinstance(actor, User) and not selectors.space_is_visible(actor, discussion.space):
        raise DomainError("There is no such discussion.")
    changes = {
        name: value
        for name, value in {"pinned": pinned, "locked": locked, "hidden": hidden}.items()
        if value is not None and getattr(discussion, name) != value
    }
    for name, value in changes.items():
        setattr(discussion, name, value)
    if changes:
        discussion.save(update_fields=list(changes))
    audit(actor=actor, action="community.discussion_moderate", target=discussion, changes=changes)
    return discussion


# ---- replies ----


def _published(post: Discussion | Reply) -> bool:
    return post.review_state in (None, ReviewState.APPROVED)


@transaction.atomic(durable=True)
def reply_create(
    *,
    actor: User,
    discussion: Discussion,
    body: str,
    quote: Reply | None = None,
    phi_attested: bool = False,
) -> Reply:
    """A reply, quoting at most one other reply of the same discussion. The discussion's
    author, the quoted reply's author and the discussion's followers are told; members
    mentioned as @[Name] too."""
    if not selectors.user_may_see_discussion(actor, discussion):
        raise DomainError("There is no such discussion.")
    require(actor, "community.post", discussion.space)
    if discussion.locked:
        raise DomainError("This discussion is locked: it takes no more replies.")
    if quote is not None and (
        quote.discussion_id != discussion.pk or quote.hidden or not _published(quote)
    ):
        raise DomainError("You can quote only a reply of this discussion.")
    limit_consume(REPLY_LIMIT, actor.pk)
    body = _clean_body(body, REPLY_BODY_MAX)
    found = phi_check(actor=actor, target=None, texts={"body": body}, attested=phi_attested)
    mentions = _resolve_mentions(space=discussion.space, author=actor, text=body)
    held = review.holds(actor, space=discussion.space)
    reply = Reply.objects.create(
        discussion=discussion,
        author=actor,
        body=body,
        body_html=render_markdown(body),
        mentions=mentions,
        quote=quote,
        review_state=ReviewState.WAITING if held else None,
    )
    audit(
        actor=actor,
        action="community.reply_create",
        target=reply,
        changes={"review": ReviewState.WAITING.value} if held else None,
    )
    if found:
        phi_record(actor=actor, target=reply, found=found)
    if not held:
        reply_deliver(reply)
    return reply


def reply_deliver(reply: Reply) -> None:
    """A reply published (when written, or approved after waiting for review): the
    discussion counts it, and the members it mentions, the discussion's author and
    followers and the quoted reply's author are told."""
    discussion = reply.discussion
    actor = reply.author
    Discussion.objects.filter(pk=discussion.pk).update(
        reply_count=F("reply_count") + 1, last_activity_at=reply.created_at
    )
    if actor is None:
        return
    url = f"{discussion.get_absolute_url()}#reply-{reply.pk}"
    told = _notify_mentions(
        mentions=reply.mentions,
        before={},
        actor=actor,
        space=discussion.space,
        text=f"{actor} mentioned you in a reply to “{discussion.title}”",
        url=url,
    )
    quote = reply.quote
    followers = set(Follow.objects.filter(discussion=discussion).values_list("user_id", flat=True))
    recipients: set[int] = {
        user_id
        for user_id in (*followers, discussion.author_id, quote.author_id if quote else None)
        if user_id is not None and user_id not in told and user_id != actor.pk
    }
    for user in User.objects.filter(pk__in=recipients, is_active=True):
        notify(
            recipient=user,
            kind=NotificationKind.REPLY,
            actor=actor,
            text=f"{actor} replied to “{discussion.title}”",
            url=url,
            space=discussion.space,
        )


@transaction.atomic(durable=True)
def reply_update(*, actor: User, reply: Reply, body: str, phi_attested: bool = False) -> Reply:
    discussion = reply.discussion
    if not selectors.user_may_see_discussion(actor, discussion):
        raise DomainError("There is no such discussion.")
    require(actor, "community.edit_post", reply)
    if discussion.locked and not actor.has_perm("community.moderate_posts"):
        raise DomainError("This discussion is locked.")
    body = _clean_body(body, REPLY_BODY_MAX)
    if body == reply.body:
        return reply
    phi_check(actor=actor, target=reply, texts={"body": body}, attested=phi_attested)
    Revision.objects.create(reply=reply, body=reply.body, edited_by=actor)
    before = dict(reply.mentions)
    author = reply.author or actor
    reply.body, reply.body_html = body, render_markdown(body)
    reply.mentions = _resolve_mentions(space=discussion.space, author=author, text=body)
    reply.edited_at = timezone.now()
    reply.save()
    audit(actor=actor, action="community.reply_update", target=reply)
    if reply.review_state == ReviewState.WAITING:
        return reply  # its mentions are told when it is approved
    _notify_mentions(
        mentions=reply.mentions,
        before=before,
        actor=author,
        space=discussion.space,
        text=f"{author} mentioned you in a reply to “{discussion.title}”",
        url=f"{discussion.get_absolute_url()}#reply-{reply.pk}",
    )
    return reply


@transaction.atomic(durable=True)
def reply_moderate(*, actor: Actor, reply: Reply, hidden: bool) -> Reply:
    """Take a reply down (or put it back): moderators and organizers."""
    require(actor, "community.moderate_posts")
    if reply.hidden != hidden:
        reply.hidden = hidden
        reply.save(update_fields=["hidden"])
        if _published(reply):  # one waiting for review is not counted yet
            Discussion.objects.filter(pk=reply.discussion_id).update(
                reply_count=F("reply_count") + (-1 if hidden else 1)
            )
    audit(actor=actor, action="community.reply_moderate", target=reply, changes={"hidden": hidden})
    return reply


# ---- reactions ----


@transaction.atomic(durable=True)
def reaction_toggle(
    *,
    actor: User,
    discussion: Discussion,
    kind: ReactionKind | str,
    reply: Reply | None = None,
) -> bool:
    """Add `actor`'s reaction of `kind` to the discussion (or one of its replies), or take it
    back when it is there. Answers whether it is there now."""
    if not selectors.user_may_see_discussion(actor, discussion):
        raise DomainError("There is no such discussion.")
    require(actor, "community.post", discussion.space)
    kind = ReactionKind(kind)
    if reply is not None and (
        reply.discussion_id != discussion.pk or reply.hidden or not _published(reply)
    ):
        raise DomainError("There is no such reply.")
    target = (
        {"reply": reply, "discussion": None} if reply else {"discussion": discussion, "reply": None}
    )
    existing = Reaction.objects.filter(user=actor, kind=kind, **target)
    if existing.exists():
        existing.delete()
        return False
    Reaction.objects.create(user=actor, kind=kind, **target)
    return True


# ---- follows ----


@transaction.atomic(durable=True)
def follow_set(
    *,
    actor: User,
    following: bool,
    space: Space | None = None,
    topic: Topic | None = None,
    discussion: Discussion | None = None,
) -> bool:
    """Follow (or stop following) exactly one of a space, a topic tag or a discussion."""
    require(actor, "community.follow")
    targets = {"space": space, "topic": topic, "discussion": discussion}
    given: dict[str, Any] = {name: value for name, value in targets.items() if value is not None}
    if len(given) != 1:
        raise DomainError("Follow one space, tag or discussion at a time.")
    if space is not None and not selectors.space_is_visible(actor, space):
        raise DomainError("There is no such space.")
    if discussion is not None and not selectors.user_may_see_discussion(actor, discussion):
        raise DomainError("There is no such discussion.")
    if following:
        Follow.objects.get_or_create(user=actor, **given)
    else:
        Follow.objects.filter(user=actor, **given).delete()
    return following
