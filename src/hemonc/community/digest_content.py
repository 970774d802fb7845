"""What goes in each member's weekly digest, built for thousands of members at once.

The week's candidates are read once (`DigestSource.prepare`) and each is written once as a
text and an HTML fragment (`DigestItem`); a member's digest is then a choice among them
(`DigestSource.items_for`) from what was read in bulk about that member (`DigestReader`):
what they follow, the spaces they may see, their stage and country, the members hidden from
them. Nothing from a space they cannot see or from a member hidden from them gets in.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from django.conf import settings

from hemonc.members.models import Block, Mute, Profile, User

# At most this many lines per section: a digest is a glance, the site has the rest.
SECTION_LIMIT = 8


def clean(text: object) -> str:
    """A title or a name as one line, without the placeholder marks the mail fills in."""
    one = " ".join(str(text).split())
    return one.replace("%%", "%\u2060%")


@dataclass(frozen=True)
class DigestItem:
    """One line of a digest, written once for every member who gets it."""

    section: str
    text: str  # the plain-text line(s), ending with a line break
    html: str  # an <li> with everything escaped
    sort_key: tuple[object, ...] = ()


@dataclass
class DigestReader:
    """What the digest knows about one member, read in bulk with the others of a batch."""

    user_id: int
    email: str
    name: str
    stage: str
    country: str
    is_organizer: bool = False
    hidden: frozenset[int] = frozenset()
    followed_spaces: frozenset[int] = frozenset()
    followed_tags: frozenset[int] = frozenset()
    followed_discussions: frozenset[int] = frozenset()
    visible_spaces: frozenset[int] | None = None
    extra: dict[str, object] = field(default_factory=dict)


class DigestSource(Protocol):
    """A section of the digest (discussions, opportunities...)."""

    section: str
    title: str

    def prepare(self, *, since: datetime, until: datetime) -> None:
        """Read the week's candidates once."""

    def readers(self, readers: Sequence[DigestReader]) -> None:
        """Fill in, in bulk, what `items_for` needs to know about these members."""

    def items_for(self, reader: DigestReader) -> list[DigestItem]:
        """The lines of this section for one member (nothing they may not see)."""


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def item(
    section: str, *, title: str, url: str, detail: str, sort_key: tuple[object, ...]
) -> DigestItem:
    """A line: its title linked, then a detail (where, when, by whom)."""
    title, detail = clean(title), clean(detail)
    return DigestItem(
        section=section,
        text=f"- {title}\n  {detail}\n  {url}\n",
        html=(
            f'<li><a href="{html.escape(url, quote=True)}">{html.escape(title)}</a>'
            f"<br><span>{html.escape(detail)}</span></li>\n"
        ),
        sort_key=sort_key,
    )


def _in_range(ids: Sequence[int]) -> dict[str, int]:
    """A batch's ids as a range (they come in id order): a database reads a range faster
    than a list of 500, and a few rows of members outside the batch are dropped in Python."""
    return {"gte": min(ids), "lte": max(ids)}


def read_members(user_ids: Iterable[int]) -> list[DigestReader]:
    """The members of a batch with their stage, country and the members hidden from them
    (blocked either way, or muted), in a few queries for the whole batch."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    wanted = set(ids)
    span = _in_range(ids)
    rows = (
        Profile.objects.filter(
            user_id__gte=span["gte"], user_id__lte=span["lte"], user__is_active=True
        )
        .values_list("user_id", "user__email", "display_name", "stage", "country")
        .order_by("user_id")
    )
    hidden: dict[int, set[int]] = {}
    for blocker, blocked in Block.objects.filter(
        blocker_id__gte=span["gte"], blocker_id__lte=span["lte"]
    ).values_list("blocker_id", "blocked_id"):
        hidden.setdefault(blocker, set()).add(blocked)
    for blocker, blocked in Block.objects.filter(
        blocked_id__gte=span["gte"], blocked_id__lte=span["lte"]
    ).values_list("blocker_id", "blocked_id"):
        hidden.setdefault(blocked, set()).add(blocker)
    for muter, muted in Mute.objects.filter(
        muter_id__gte=span["gte"], muter_id__lte=span["lte"]
    ).values_list("muter_id", "muted_id"):
        hidden.setdefault(muter, set()).add(muted)
    organizers = set(
        User.objects.filter(
            pk__gte=span["gte"], pk__lte=span["lte"], groups__name="organizer"
        ).values_list("pk", flat=True)
    )
    return [
        DigestReader(
            user_id=user_id,
            email=email,
            name=clean(name) or f"Member #{user_id}",
            stage=stage or "",
            country=country or "",
            is_organizer=user_id in organizers,
            hidden=frozenset(hidden.get(user_id, ())),
        )
        for user_id, email, name, stage, country in rows
        if user_id in wanted
    ]


class OpportunitySource:
    """Opportunities approved this week, still open, that fit the member's stage and country.

    They are read once (`opportunities_open`, approved since the week began) and matched in
    Python as `community.selectors.opportunities_fitting` does in SQL: an eligibility field
    (" fellow resident ", see `codes_field`) is empty (open to all) or holds the member's
    code; a member without a stage (or country) fits only the opportunities open to all.
    """

    section = "opportunities"
    title = "Opportunities that fit you"

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, int | None, DigestItem]] = []
        self.by_fit: dict[tuple[str, str], list[tuple[int | None, DigestItem]]] = {}

    def prepare(self, *, since: datetime, until: datetime) -> None:
        from hemonc.community.selectors import opportunities_open

        for opportunity in opportunities_open().filter(approved_at__gte=since):
            self.rows.append(
                (
                    opportunity.stages,
                    opportunity.countries,
                    opportunity.suggested_by_id,
                    item(
                        self.section,
                        title=opportunity.title,
                        url=absolute(opportunity.get_absolute_url()),
                        detail=f"{opportunity.organization} · deadline "
                        f"{opportunity.deadline:%-d %b %Y}",
                        sort_key=(opportunity.deadline, opportunity.pk),
                    ),
                )
            )

    def readers(self, readers: Sequence[DigestReader]) -> None:
        for reader in readers:
            key = (reader.stage, reader.country)
            if key not in self.by_fit:
                self.by_fit[key] = self._fitting(*key)

    def _fitting(self, stage: str, country: str) -> list[tuple[int | None, DigestItem]]:
        def opens(codes: str, code: str) -> bool:
            return not codes or bool(code and f" {code} " in codes)

        return [
            (author, line)
            for stages, countries, author, line in self.rows
            if opens(stages, stage) and opens(countries, country)
        ]

    def items_for(self, reader: DigestReader) -> list[DigestItem]:
        found = self.by_fit.get((reader.stage, reader.country), [])
        return [line for author, line in found if author not in reader.hidden][:SECTION_LIMIT]


def visible_spaces(readers: Sequence[DigestReader]) -> dict[int, frozenset[int]]:
    """The spaces each member may see, for a whole batch in a few queries: the same rules as
    `community.selectors.space_condition` (checked against it by the digest's tests)."""
    from hemonc.community.enums import TRAINEE_STAGES, SpaceVisibility
    from hemonc.community.models import Space, SpaceMember, StageVerification
    from hemonc.mentorship.models import Mentorship, ProgramApplication

    ids = [reader.user_id for reader in readers]
    if not ids:
        return {}
    span = _in_range(ids)
    spaces = list(
        Space.objects.values_list("pk", "visibility", "program_id", "verified_stage_only")
    )
    verified = dict(
        StageVerification.objects.filter(
            user_id__gte=span["gte"], user_id__lte=span["lte"]
        ).values_list("user_id", "stage")
    )
    programs: dict[int, set[int]] = {}
    for user_id, program_id in ProgramApplication.objects.filter(
        user_id__gte=span["gte"], user_id__lte=span["lte"]
    ).values_list("user_id", "program_id"):
        programs.setdefault(user_id, set()).add(program_id)
    for field_name in ("mentor_id", "mentee_id"):
        pairs = Mentorship.objects.filter(
            **{f"{field_name}__gte": span["gte"], f"{field_name}__lte": span["lte"]},
            program_id__isnull=False,
        ).values_list(field_name, "program_id")
        for user_id, program_id in pairs:
            programs.setdefault(user_id, set()).add(program_id)
    invited: dict[int, set[int]] = {}
    for user_id, space_id in SpaceMember.objects.filter(
        user_id__gte=span["gte"], user_id__lte=span["lte"]
    ).values_list("user_id", "space_id"):
        invited.setdefault(user_id, set()).add(space_id)
    seen: dict[int, frozenset[int]] = {}
    for reader in readers:
        stage = verified.get(reader.user_id)
        is_verified = stage is not None
        stage = stage if is_verified else reader.stage
        trainee = stage in TRAINEE_STAGES
        mine = programs.get(reader.user_id, set())
        asked = invited.get(reader.user_id, set())
        visible = set()
        for pk, visibility, program_id, verified_only in spaces:
            if (
                visibility == SpaceVisibility.MEMBERS
                or (
                    visibility == SpaceVisibility.TRAINEES
                    and trainee
                    and (is_verified or not verified_only)
                )
                or (visibility == SpaceVisibility.ORGANIZERS and reader.is_organizer)
                or (visibility == SpaceVisibility.PROGRAM and program_id in mine)
                or (visibility == SpaceVisibility.INVITED and pk in asked)
            ):
                visible.add(pk)
        seen[reader.user_id] = frozenset(visible)
    return seen


class DiscussionSource:
    """Discussions active this week (new, or with new replies) in the spaces, tags and
    discussions the member follows, in spaces they see, by members not hidden from them."""

    section = "discussions"
    title = "Discussions you follow"

    def __init__(self) -> None:
        self.lines: dict[int, DigestItem] = {}
        self.meta: dict[int, tuple[int, int | None]] = {}  # id -> (space, author)
        self.by_space: dict[int, list[int]] = {}
        self.by_tag: dict[int, list[int]] = {}

    def prepare(self, *, since: datetime, until: datetime) -> None:
        from hemonc.community.models import Discussion
        from hemonc.community.review import PUBLISHED

        rows = (
            Discussion.objects.filter(
                PUBLISHED, last_activity_at__gte=since, last_activity_at__lt=until, hidden=False
            )
            .select_related("space", "author__profile")
            .prefetch_related("tags")
            .order_by("-last_activity_at", "-id")
        )
        for discussion in rows:
            replies = discussion.reply_count
            detail = f"in {discussion.space.name}"
            if discussion.author is not None:
                detail += f" · by {discussion.author}"
            if replies:
                detail += f" · {replies} repl{'y' if replies == 1 else 'ies'}"
            self.lines[discussion.pk] = item(
                self.section,
                title=discussion.title,
                url=absolute(discussion.get_absolute_url()),
                detail=detail,
                sort_key=(-discussion.last_activity_at.timestamp(), discussion.pk),
            )
            self.meta[discussion.pk] = (discussion.space_id, discussion.author_id)
            self.by_space.setdefault(discussion.space_id, []).append(discussion.pk)
            for tag in discussion.tags.all():
                self.by_tag.setdefault(tag.pk, []).append(discussion.pk)

    def readers(self, readers: Sequence[DigestReader]) -> None:
        from hemonc.community.models import Follow

        ids = [reader.user_id for reader in readers]
        if not ids:
            return
        follows: dict[int, tuple[set[int], set[int], set[int]]] = {
            i: (set(), set(), set()) for i in ids
        }
        for user_id, space_id, topic_id, discussion_id in Follow.objects.filter(
            user_id__gte=min(ids), user_id__lte=max(ids)
        ).values_list("user_id", "space_id", "topic_id", "discussion_id"):
            if user_id not in follows:
                continue
            spaces, topics, discussions = follows[user_id]
            if space_id:
                spaces.add(space_id)
            if topic_id:
                topics.add(topic_id)
            if discussion_id:
                discussions.add(discussion_id)
        visible = visible_spaces(readers)
        for reader in readers:
            spaces, topics, discussions = follows[reader.user_id]
            reader.followed_spaces = frozenset(spaces)
            reader.followed_tags = frozenset(topics)
            reader.followed_discussions = frozenset(discussions)
            reader.visible_spaces = visible.get(reader.user_id, frozenset())

    def items_for(self, reader: DigestReader) -> list[DigestItem]:
        if not self.lines:
            return []
        chosen: set[int] = {pk for pk in reader.followed_discussions if pk in self.lines}
        for space_id in reader.followed_spaces:
            chosen.update(self.by_space.get(space_id, ()))
        for tag_id in reader.followed_tags:
            chosen.update(self.by_tag.get(tag_id, ()))
        visible = reader.visible_spaces or frozenset()
        lines = [
            self.lines[pk]
            for pk in chosen
            if self.meta[pk][0] in visible and self.meta[pk][1] not in reader.hidden
        ]
        lines.sort(key=lambda line: line.sort_key)
        return lines[:SECTION_LIMIT]


def default_sources() -> list[DigestSource]:
    """The digest's sections, in the order the mail shows them."""
    return [DiscussionSource(), OpportunitySource()]
