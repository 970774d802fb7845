"""Reads of the community that several pages (and the other community areas) share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import unescape
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import BooleanField, Count, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from hemonc.community import review
from hemonc.community.enums import TRAINEE_STAGES, NotificationKind, ReviewState, SpaceVisibility
from hemonc.community.models import (
    Discussion,
    Follow,
    Notification,
    NotificationSetting,
    Reaction,
    Reply,
    Space,
    SpaceMember,
    StageVerification,
)
from hemonc.community.models.opportunities import (
    Nomination,
    Opportunity,
    OpportunityStatus,
    SavedOpportunity,
)
from hemonc.core.models import DataVersion
from hemonc.members.models import User
from hemonc.members.selectors import DIRECTORY_VERSION, user_ids_hidden_from
from hemonc.mentorship.models import MentorOffer, Mentorship, ProgramApplication
from hemonc.taxonomy.enums import Stage

# ---- spaces (+ notifications) ----


def _member(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.pk)


def verified_stage(user: Any) -> str | None:
    """The stage organizers verified for `user`, or None."""
    if not _member(user):
        return None
    return StageVerification.objects.filter(user_id=user.pk).values_list("stage", flat=True).first()


def trainee_stage(user: Any) -> tuple[str, bool]:
    """(stage, verified): the verified stage when organizers checked one, else the stage the
    member gives on their profile ("" when none). One query."""
    if not _member(user):
        return "", False
    row = (
        User.objects.filter(pk=user.pk)
        .values_list("stage_verification__stage", "profile__stage")
        .first()
    )
    if row is None:
        return "", False
    verified, given = row
    return (verified, True) if verified else (given or "", False)


def user_is_trainee(user: Any) -> bool:
    """A medical student, resident, fellow, advanced fellow or PhD trainee, by the stage
    organizers verified or else the member's own."""
    stage, _verified = trainee_stage(user)
    return stage in TRAINEE_STAGES


def space_condition(user: Any) -> Q:
    """The condition on `Space` of the spaces `user` may see (nothing for visitors)."""
    if not _member(user):
        return Q(pk__in=[])
    condition = Q(visibility=SpaceVisibility.MEMBERS)
    stage, verified = trainee_stage(user)
    if stage in TRAINEE_STAGES:
        trainee = Q(visibility=SpaceVisibility.TRAINEES)
        condition |= trainee if verified else trainee & Q(verified_stage_only=False)
    if user.is_organizer:
        condition |= Q(visibility=SpaceVisibility.ORGANIZERS)
    applied = ProgramApplication.objects.filter(user_id=user.pk).values("program_id")
    paired_as_mentor = Mentorship.objects.filter(mentor_id=user.pk).values("program_id")
    paired_as_mentee = Mentorship.objects.filter(mentee_id=user.pk).values("program_id")
    condition |= Q(visibility=SpaceVisibility.PROGRAM) & (
        Q(program_id__in=applied)
        | Q(program_id__in=paired_as_mentor)
        | Q(program_id__in=paired_as_mentee)
    )
    condition |= Q(visibility=SpaceVisibility.INVITED) & Q(
        pk__in=SpaceMember.objects.filter(user_id=user.pk).values("space_id")
    )
    return condition


_SPACES_SQL = f"SELECT id, visibility, program_id, verified_stage_only FROM {Space._meta.db_table}"  # noqa: S608


def visible_space_ids(user: Any) -> frozenset[int]:
    """The ids of the spaces `user` may see: the same rule as `space_condition`, decided in
    Python over the spaces (a few dozen rows at most) with a query per kind of membership
    that a space needs. Pages ask it once per request: building `space_condition`'s
    subqueries costs more than all of these small queries."""
    if not _member(user):
        return frozenset()
    with connection.cursor() as cursor:  # every page of the community asks: written out
        cursor.execute(_SPACES_SQL)
        spaces = cursor.fetchall()
    kinds = {visibility for _, visibility, _, _ in spaces}
    stage, verified = trainee_stage(user) if SpaceVisibility.TRAINEES in kinds else ("", False)
    organizer = SpaceVisibility.ORGANIZERS in kinds and user.is_organizer
    programs: set[int] = set()
    if SpaceVisibility.PROGRAM in kinds:
        programs |= set(
            ProgramApplication.objects.filter(user_id=user.pk).values_list("program_id", flat=True)
        )
        programs |= set(
            Mentorship.objects.filter(Q(mentor_id=user.pk) | Q(mentee_id=user.pk))
            .filter(program__isnull=False)
            .values_list("program_id", flat=True)
        )
    invited: set[int] = set()
    if SpaceVisibility.INVITED in kinds:
        invited = set(
            SpaceMember.objects.filter(user_id=user.pk).values_list("space_id", flat=True)
        )
    found = set()
    for pk, visibility, program_id, verified_only in spaces:
        if (
            visibility == SpaceVisibility.MEMBERS
            or (
                visibility == SpaceVisibility.TRAINEES
                and stage in TRAINEE_STAGES
                and (verified or not verified_only)
            )
            or (visibility == SpaceVisibility.ORGANIZERS and organizer)
            or (visibility == SpaceVisibility.PROGRAM and program_id in programs)
            or (visibility == SpaceVisibility.INVITED and pk in invited)
        ):
            found.add(pk)
    return frozenset(found)


def spaces_visible_to(user: Any) -> QuerySet[Space]:
    """Every space `user` may see; for them no other space exists (lists, search,
    mentions, notifications, counts, links: 404)."""
    return Space.objects.filter(pk__in=visible_space_ids(user))


def space_is_visible(user: Any, space: Space) -> bool:
    return space.pk in visible_space_ids(user)


def space_visible_or_none(user: Any, slug: str) -> Space | None:
    """The space of `slug` if `user` may see it (views answer 404 otherwise)."""
    space = Space.objects.filter(slug=slug).first()
    return space if space is not None and space_is_visible(user, space) else None


# Spaces that say two members belong together (a direct message needs no request between
# them): everyone-signed-in and trainee-only spaces hold nearly everyone, so they do not count.
_CLOSE_KINDS = (SpaceVisibility.ORGANIZERS, SpaceVisibility.PROGRAM, SpaceVisibility.INVITED)


def users_share_space(a: Any, b: Any) -> bool:
    """Do `a` and `b` both see an organizers', program or invited space, or have both
    written in the same discussion?"""
    if not (_member(a) and _member(b)):
        return False
    close = Space.objects.filter(visibility__in=_CLOSE_KINDS)
    if close.filter(space_condition(a)).filter(space_condition(b)).exists():
        return True
    wrote_a = _discussions_written_by(a)
    return _discussions_written_by(b).filter(pk__in=wrote_a.values("pk")).exists()


def _discussions_written_by(user: Any) -> QuerySet[Discussion]:
    # What waits for review (or was not approved) ties nobody to anyone.
    replies = Reply.objects.filter(review.PUBLISHED, author_id=user.pk)
    return Discussion.objects.filter(review.PUBLISHED).filter(
        Q(author_id=user.pk) | Q(pk__in=replies.values("discussion_id"))
    )


def user_may_see_discussion(
    user: Any, discussion: Discussion, *, space_checked: bool = False
) -> bool:
    """The discussion's space is visible (unless the caller just checked it), it is not taken
    down (moderators and organizers still see it), and its author is not hidden from `user`
    by a block or a mute."""
    if not space_checked and not space_is_visible(user, discussion.space):
        return False
    if discussion.hidden and not (user.is_moderator or user.is_organizer):
        return False
    if not _shown_despite_review(user, discussion):
        return False
    hidden = user_ids_hidden_from(viewer=user) or frozenset()
    return discussion.author_id not in hidden


def _shown_despite_review(user: Any, post: Discussion | Reply) -> bool:
    """A post waiting for review (or not approved) exists for its author while it waits and
    for moderators; for everyone else, not at all."""
    if post.review_state in (None, ReviewState.APPROVED):
        return True
    if user.is_moderator:
        return True
    return post.review_state == ReviewState.WAITING and post.author_id == user.pk


def discussions_visible_to(user: Any) -> QuerySet[Discussion]:
    """Discussions in the spaces `user` sees, less those taken down and those written by
    members hidden from them (blocks either way, their own mutes)."""
    if not _member(user):
        return Discussion.objects.none()
    qs = Discussion.objects.filter(space_id__in=visible_space_ids(user)).filter(
        review.visible_q(user)
    )
    if not (user.is_moderator or user.is_organizer):
        qs = qs.filter(hidden=False)
    hidden = user_ids_hidden_from(viewer=user)
    if hidden:
        qs = qs.exclude(author_id__in=hidden)
    return qs


# ---- follows (the digest reads these) ----


def follows_of(user: Any) -> dict[str, list[int]]:
    """What `user` follows, by kind: {"spaces": [...], "topics": [...], "discussions": [...]};
    follows of spaces and discussions they can no longer see are left out."""
    rows = Follow.objects.filter(user_id=user.pk)
    visible = visible_space_ids(user)
    return {
        "spaces": list(
            rows.filter(space_id__in=visible)
            .values_list("space_id", flat=True)
            .order_by("space_id")
        ),
        "topics": list(
            rows.filter(topic__isnull=False).values_list("topic_id", flat=True).order_by("topic_id")
        ),
        "discussions": list(
            rows.filter(discussion__space_id__in=visible)
            .values_list("discussion_id", flat=True)
            .order_by("discussion_id")
        ),
    }


def followed_discussions(user: Any) -> QuerySet[Discussion]:
    """Discussions `user` may see that are in a followed space, carry a followed tag, or
    are followed themselves: the digest's community part."""
    follows = Follow.objects.filter(user_id=user.pk)
    return (
        discussions_visible_to(user)
        .filter(
            Q(space_id__in=follows.filter(space__isnull=False).values("space_id"))
            | Q(pk__in=follows.filter(discussion__isnull=False).values("discussion_id"))
            | Exists(
                Discussion.tags.through.objects.filter(
                    discussion_id=OuterRef("pk"),
                    topic_id__in=follows.filter(topic__isnull=False).values("topic_id"),
                )
            )
        )
        .order_by("-last_activity_at", "-id")
    )


def is_following(user: Any, **target: Any) -> bool:
    return _member(user) and Follow.objects.filter(user_id=user.pk, **target).exists()


# ---- notifications ----


def notifications_for(user: Any) -> QuerySet[Notification]:
    """The notifications `user` is shown: none about a space they no longer see, none from
    a member hidden from them (blocks, mutes)."""
    if not _member(user):
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient_id=user.pk).filter(
        Q(space__isnull=True) | Q(space_id__in=visible_space_ids(user))
    )
    hidden = user_ids_hidden_from(viewer=user)
    if hidden:
        qs = qs.exclude(actor_id__in=hidden)
    return qs


# Asked on every page a member opens: written out, as building it with the ORM cost ten
# times what the database takes to answer it (an index on the recipient).
_ANY_UNREAD_SQL = (
    f"SELECT 1 FROM {Notification._meta.db_table} "  # noqa: S608
    "WHERE recipient_id = %s AND read_at IS NULL LIMIT 1"
)


def notification_unread_count(user: Any) -> int:
    """The header's figure, asked on every page: one indexed query when nothing is unread."""
    if not _member(user):
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_ANY_UNREAD_SQL, [user.pk])
        if cursor.fetchone() is None:
            return 0
    return notifications_for(user).filter(read_at__isnull=True).count()


def notification_kinds_off(user: Any) -> set[str]:
    return set(
        NotificationSetting.objects.filter(user_id=user.pk, enabled=False).values_list(
            "kind", flat=True
        )
    )


def notification_settings(user: Any) -> list[tuple[str, str, bool]]:
    """(kind, label, on) for every kind, for the settings page."""
    off = notification_kinds_off(user)
    return [(kind.value, kind.label, kind.value not in off) for kind in NotificationKind]


def mentionable_user_ids(*, space: Space, author: User, user_ids: set[int]) -> set[int]:
    """Of `user_ids`, those `author` may mention in `space`: active members who can see the
    space and are not hidden from the author, nor the author from them (blocks, mutes)."""
    hidden = user_ids_hidden_from(viewer=author) or frozenset()
    found: set[int] = set()
    for user in User.objects.filter(pk__in=user_ids - hidden - {author.pk}, is_active=True):
        if space_is_visible(user, space) and author.pk not in (
            user_ids_hidden_from(viewer=user) or frozenset()
        ):
            found.add(user.pk)
    return found


# ---- search ----

_TOKEN = re.compile(r"\w+", re.UNICODE)


def search_tokens(query: str) -> list[str]:
    return _TOKEN.findall((query or "").lower())[:8]


def discussion_search(user: Any, query: str) -> QuerySet[Discussion]:
    """Discussions `user` may see whose title, text, paper or tags hold every word of `query`
    as a prefix, most recently active first: PostgreSQL full-text search (a GIN index on the
    parsed document) or SQLite FTS5 (community_discussion_fts, kept by triggers)."""
    tokens = search_tokens(query)
    qs = discussions_visible_to(user)
    if not tokens:
        return qs.none()
    if connection.vendor == "postgresql":
        # Words only (\w+): nothing a member types reaches the query syntax but the words.
        terms = " & ".join(f"{token}:*" for token in tokens)
        qs = qs.annotate(document=SearchVector("search_document", config="simple")).filter(
            document=SearchQuery(terms, search_type="raw", config="simple")
        )
    else:
        match = " AND ".join(f'"{token}"*' for token in tokens)
        # The SQL is fixed text; the words travel as a bound parameter.
        qs = qs.filter(
            RawSQL(
                "community_discussion.id IN (SELECT rowid FROM community_discussion_fts "
                "WHERE community_discussion_fts MATCH %s)",
                [match],
                output_field=BooleanField(),
            )
        )
    return qs.order_by("-last_activity_at", "-id")


# ---- a discussion's page ----

_MENTION_HTML = re.compile(r"@\[([^\]\[<\n]{1,200})\]")


def render_post(*, html: str, mentions: dict[str, int], hidden: frozenset[int]) -> SafeString:
    """A post's stored HTML with each @[Name] it mentions as a link to the member's profile,
    unless the member is hidden from the reader; any other @[Name] as plain text."""
    if "@[" not in html:
        return mark_safe(html)  # rendered and sanitized by core.markdown when written

    def link(match: re.Match[str]) -> str:
        shown = match.group(1)  # already escaped in the stored HTML
        key = " ".join(unescape(shown).replace("\u2019", "'").split()).casefold()
        user_id = mentions.get(key)
        if user_id is None or user_id in hidden:
            return f"@{shown}"
        url = reverse("members:profile", args=[user_id])
        return f'<a class="mention" href="{url}">@{shown}</a>'

    return mark_safe(_MENTION_HTML.sub(link, html))


REPLIES_PER_PAGE = 50


def replies_visible(user: Any, discussion: Discussion) -> QuerySet[Reply]:
    """The replies of `discussion` `user` is shown: none taken down (but to moderators and
    organizers), none written by a member hidden from them."""
    qs = Reply.objects.filter(discussion_id=discussion.pk)
    if not user.is_moderator:  # moderators read what waits for review in its place
        qs = qs.filter(review.visible_q(user))
    if not (user.is_moderator or user.is_organizer):
        qs = qs.filter(hidden=False)
    hidden = user_ids_hidden_from(viewer=user)
    if hidden:
        qs = qs.exclude(author_id__in=hidden)
    return qs.order_by("created_at", "id")


def reaction_counts(
    user: Any, *, discussion: Discussion, replies: list[Reply]
) -> tuple[dict[Any, dict[str, int]], set[tuple[Any, str]]]:
    """({target: {kind: count}}, {(target, kind) reacted by `user`}) for the discussion
    (target "d") and `replies` (their ids), leaving out reactions of members hidden from
    `user`."""
    reply_ids = [reply.pk for reply in replies]
    rows = Reaction.objects.filter(Q(discussion_id=discussion.pk) | Q(reply_id__in=reply_ids))
    hidden = user_ids_hidden_from(viewer=user)
    if hidden:
        rows = rows.exclude(user_id__in=hidden)
    counts: dict[Any, dict[str, int]] = {}
    mine: set[tuple[Any, str]] = set()
    for reply_id, kind, user_id in rows.values_list("reply_id", "kind", "user_id"):
        target = reply_id or "d"
        counts.setdefault(target, {}).setdefault(kind, 0)
        counts[target][kind] += 1
        if user_id == user.pk:
            mine.add((target, kind))
    return counts, mine


@dataclass(frozen=True)
class ReaderMarks:
    """What of a discussion's page is the reader's own, and the directory's version (the
    names on the page): with the discussion's version and what the reader does not see, the
    key of the page's cache."""

    replies: tuple[int, ...]  # the ids of their replies (their Edit links)
    reactions: tuple[tuple[Any, str], ...]  # (target, kind), target "d" for the discussion
    following: bool
    directory: str


# Asked on every read of a discussion, so written out as `user_ids_hidden_from` is: four
# small indexed look-ups in one round trip. Rows: (kind of row, id, reaction kind or token).
_MARKS_SQL = (
    f"SELECT 'r', id, '' FROM {Reply._meta.db_table} "  # noqa: S608
    "WHERE discussion_id = %s AND author_id = %s "
    f"UNION ALL SELECT 'x', COALESCE(reply_id, 0), kind FROM {Reaction._meta.db_table} "
    "WHERE user_id = %s AND (discussion_id = %s OR reply_id IN "
    f"(SELECT id FROM {Reply._meta.db_table} WHERE discussion_id = %s)) "
    f"UNION ALL SELECT 'f', id, '' FROM {Follow._meta.db_table} "
    "WHERE user_id = %s AND discussion_id = %s "
    f"UNION ALL SELECT 'v', 0, token FROM {DataVersion._meta.db_table} WHERE name = %s"
)


def reader_marks(user: Any, discussion: Discussion) -> ReaderMarks:
    """`user`'s replies, reactions and follow in `discussion`; the directory's version."""
    with connection.cursor() as cursor:
        reply, reaction = [discussion.pk, user.pk], [user.pk, discussion.pk, discussion.pk]
        follow = [user.pk, discussion.pk]
        cursor.execute(_MARKS_SQL, [*reply, *reaction, *follow, DIRECTORY_VERSION])
        rows = cursor.fetchall()
    return ReaderMarks(
        replies=tuple(sorted(pk for what, pk, _ in rows if what == "r")),
        reactions=tuple(
            sorted(((pk or "d", kind) for what, pk, kind in rows if what == "x"), key=str)
        ),
        following=any(what == "f" for what, _, _ in rows),
        directory=next((token for what, _, token in rows if what == "v"), ""),
    )


def discussions_in_space(user: Any, space: Space, *, topic: str = "") -> QuerySet[Discussion]:
    qs = discussions_visible_to(user).filter(space=space)
    if topic:
        qs = qs.filter(tags__slug=topic)
    return qs.select_related("author__profile").order_by("-pinned", "-last_activity_at", "-id")


def space_discussion_counts(user: Any, spaces: list[Space]) -> dict[int, int]:
    """How many discussions of each space `user` may see."""
    rows = (
        discussions_visible_to(user)
        .filter(space__in=spaces)
        .values("space_id")
        .annotate(n=Count("id"))
        .values_list("space_id", "n")
    )
    return dict(rows)


# ---- end spaces ----


# ---- opportunities (+ sponsorship) ----
# How near a deadline is "soon" on the board's filter.
DEADLINE_SOON = timedelta(days=14)
# Stages that can be put forward by a sponsor (the trainees).
NOMINEE_STAGES = TRAINEE_STAGES


def open_to_stage(stage: str) -> Q:
    """Opportunities open to `stage` (those open to every stage among them)."""
    return Q(stages="") | Q(stages__contains=f" {stage} ") if stage else Q(stages="")


def open_to_country(country: str) -> Q:
    """Opportunities open to members in `country` (those open everywhere among them)."""
    return Q(countries="") | Q(countries__contains=f" {country} ") if country else Q(countries="")


def _fits(user: User) -> Q:
    profile = getattr(user, "profile", None)
    stage = getattr(profile, "stage", "") or ""
    country = getattr(profile, "country", "") or ""
    return open_to_stage(stage) & open_to_country(country)


def opportunities_open(*, now: datetime | None = None) -> QuerySet[Opportunity]:
    """Approved opportunities whose deadline is still ahead, nearest deadline first (none
    the moderators hid)."""
    return Opportunity.objects.filter(
        status=OpportunityStatus.APPROVED, hidden=False, deadline__gt=now or timezone.now()
    ).order_by("deadline", "id")


def opportunities_archived(*, now: datetime | None = None) -> QuerySet[Opportunity]:
    """Approved opportunities whose deadline has passed, latest first: the archive."""
    return Opportunity.objects.filter(
        status=OpportunityStatus.APPROVED, hidden=False, deadline__lte=now or timezone.now()
    ).order_by("-deadline", "-id")


def opportunities_fitting(user: User, *, since: datetime | None = None) -> QuerySet[Opportunity]:
    """Open, approved opportunities that fit `user`'s stage and country (an opportunity open
    to every stage or everywhere fits anyone); with `since`, those approved since then."""
    qs = opportunities_open().filter(_fits(user))
    if since is not None:
        qs = qs.filter(approved_at__gte=since)
    return qs


@dataclass(frozen=True)
class BoardFilters:
    kind: str = ""
    stage: str = ""
    country: str = ""
    tag: str = ""  # a topic's slug
    fits_me: bool = False
    soon: bool = False


def opportunity_board(
    *, viewer: User, filters: BoardFilters, archived: bool = False
) -> QuerySet[Opportunity]:
    """The board (or the archive) as `filters` narrow it, each row marked `is_saved` for the
    viewer."""
    now = timezone.now()
    qs = opportunities_archived(now=now) if archived else opportunities_open(now=now)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.stage:
        qs = qs.filter(open_to_stage(filters.stage))
    if filters.country:
        qs = qs.filter(open_to_country(filters.country))
    if filters.tag:
        qs = qs.filter(tags__slug=filters.tag)
    if filters.fits_me:
        qs = qs.filter(_fits(viewer))
    if filters.soon and not archived:
        qs = qs.filter(deadline__lte=now + DEADLINE_SOON)
    return with_saved(qs, viewer=viewer).prefetch_related("tags")


def with_saved(qs: QuerySet[Opportunity], *, viewer: User) -> QuerySet[Opportunity]:
    return qs.annotate(
        is_saved=Exists(
            SavedOpportunity.objects.filter(user_id=viewer.pk, opportunity=OuterRef("pk"))
        )
    )


def opportunities_saved(*, user: User) -> QuerySet[Opportunity]:
    """The approved opportunities `user` saved, nearest deadline first."""
    return with_saved(
        Opportunity.objects.filter(
            status=OpportunityStatus.APPROVED, hidden=False, saves__user=user
        ),
        viewer=user,
    ).order_by("deadline", "id")


def opportunities_pending() -> QuerySet[Opportunity]:
    """Suggestions waiting for an organizer, oldest first."""
    return (
        Opportunity.objects.filter(status=OpportunityStatus.PENDING)
        .select_related("suggested_by__profile")
        .order_by("created_at", "id")
    )


def opportunities_suggested_by(*, user: User) -> QuerySet[Opportunity]:
    return Opportunity.objects.filter(suggested_by=user).order_by("-created_at", "-id")


def opportunity_visible(*, viewer: User, opportunity: Opportunity) -> bool:
    """Approved ones are seen by every member; a suggestion by its author and organizers;
    one the moderators hid by its author, organizers and moderators."""
    if opportunity.hidden:
        return (
            viewer.is_organizer or viewer.is_moderator or (opportunity.suggested_by_id == viewer.pk)
        )
    if opportunity.status == OpportunityStatus.APPROVED:
        return True
    return viewer.is_organizer or (opportunity.suggested_by_id == viewer.pk)


def user_is_sponsor(user: User) -> bool:
    """Faculty (stage attending) or a mentor (an offer to mentor, or a mentorship as mentor)
    may nominate trainees."""
    if not user.is_authenticated or not user.is_active:
        return False
    profile = getattr(user, "profile", None)
    if getattr(profile, "stage", "") == Stage.ATTENDING:
        return True
    return (
        MentorOffer.objects.filter(user=user).exists()
        or Mentorship.objects.filter(mentor=user).exists()
    )


def user_may_be_nominated(user: User) -> bool:
    profile = getattr(user, "profile", None)
    return user.is_active and getattr(profile, "stage", "") in NOMINEE_STAGES


def _nominations() -> QuerySet[Nomination]:
    return Nomination.objects.select_related(
        "nominator__profile", "nominee__profile", "opportunity"
    )


def nominations_received(*, user: User) -> QuerySet[Nomination]:
    """Nominations of `user`, less those by members hidden from them (blocks)."""
    qs = _nominations().filter(nominee=user)
    hidden = user_ids_hidden_from(viewer=user)
    return qs.exclude(nominator_id__in=hidden) if hidden else qs


def nominations_made(*, user: User) -> QuerySet[Nomination]:
    qs = _nominations().filter(nominator=user)
    hidden = user_ids_hidden_from(viewer=user)
    return qs.exclude(nominee_id__in=hidden) if hidden else qs


def nomination_visible(*, viewer: User, nomination: Nomination) -> bool:
    """Only the sponsor, the trainee and organizers see a nomination: it is never published."""
    if viewer.is_organizer:
        return True
    if viewer.pk not in (nomination.nominator_id, nomination.nominee_id):
        return False
    other = (
        nomination.nominee_id if viewer.pk == nomination.nominator_id else nomination.nominator_id
    )
    return other not in (user_ids_hidden_from(viewer=viewer) or ())


def nominations_by_opportunity() -> list[tuple[Opportunity | None, list[Nomination]]]:
    """Every nomination, grouped by opportunity (latest deadline first), then those for a
    role of the sponsor's own wording (None): the organizers' overview."""
    groups: dict[int | None, list[Nomination]] = {}
    opportunities: dict[int, Opportunity] = {}
    for nomination in _nominations().order_by("-opportunity__deadline", "-created_at"):
        groups.setdefault(nomination.opportunity_id, []).append(nomination)
        if nomination.opportunity_id and nomination.opportunity:
            opportunities[nomination.opportunity_id] = nomination.opportunity
    rows: list[tuple[Opportunity | None, list[Nomination]]] = [
        (opportunities[key], items) for key, items in groups.items() if key is not None
    ]
    if None in groups:
        rows.append((None, groups[None]))
    return rows
