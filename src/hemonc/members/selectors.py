"""Reads about members that several features share: visibility, blocks, the directory."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypedDict

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from hemonc.core.caching import TIMEOUT, cache_key, page_cache
from hemonc.core.models import AuditEntry
from hemonc.core.versions import data_version
from hemonc.members.enums import Role, Visibility
from hemonc.members.models import Block, Mute, Profile, User

Viewer = User | AnonymousUser | None

# Where user_ids_hidden_from keeps its answer on the viewer object; services that block or
# mute drop it.
HIDDEN_CACHE = "_hidden_user_ids"

PROFESSIONAL_FIELDS = ("stage", "specialty", "training_year", "institution", "country")


def visibility_levels(*, viewer: Viewer) -> set[str]:
    """The visibility levels of other members' fields that `viewer` may read."""
    if viewer is None or not viewer.is_authenticated:
        return {Visibility.PUBLIC}
    if isinstance(viewer, User) and viewer.is_organizer:
        return {Visibility.PUBLIC, Visibility.MEMBERS, Visibility.ORGANIZERS}
    return {Visibility.PUBLIC, Visibility.MEMBERS}


def user_ids_hidden_from(*, viewer: Viewer) -> frozenset[int] | None:
    """Members `viewer` should not see in lists: blocked either way, or muted by the viewer.

    Every feature that lists people excludes these ids, so a block hides both sides
    everywhere. None for visitors, who block nobody. The set is small (a member blocks a
    handful of people), so one indexed query and a literal IN list beat a correlated subquery.
    """
    if viewer is None or not viewer.is_authenticated:
        return None
    cached: frozenset[int] | None = viewer.__dict__.get(HIDDEN_CACHE)
    if cached is not None:
        return cached
    with connection.cursor() as cursor:
        cursor.execute(_HIDDEN_SQL, [viewer.pk] * 3)
        ids = frozenset(row[0] for row in cursor.fetchall())
    viewer.__dict__[HIDDEN_CACHE] = ids  # once per request: request.user lives that long
    return ids


# Asked on every page that lists people: written out, as building it with the ORM cost twenty
# times what the database takes to answer it. The figure, from the directory benchmark
# (bench/directory.py, per-query profile in bench/results/directory.json, "members the reader
# blocked or muted, or who blocked the reader"): 0.036 ms on SQLite and 0.35 ms on PostgreSQL
# (medians), within a warm page of 3.7 ms whose SQL is 0.18 ms in all.
_HIDDEN_SQL = (
    f"SELECT blocked_id FROM {Block._meta.db_table} WHERE blocker_id = %s "  # noqa: S608
    f"UNION SELECT blocker_id FROM {Block._meta.db_table} WHERE blocked_id = %s "
    f"UNION SELECT muted_id FROM {Mute._meta.db_table} WHERE muter_id = %s"
)


def user_may_see(*, viewer: Viewer, other: User) -> bool:
    """May `viewer` see `other` at all? False when either blocked the other."""
    if viewer is None or not viewer.is_authenticated or viewer.pk == other.pk:
        return True
    return not Block.objects.filter(
        Q(blocker=viewer, blocked=other) | Q(blocker=other, blocked=viewer)
    ).exists()


def user_has_muted(*, viewer: Viewer, other: User) -> bool:
    if viewer is None or not viewer.is_authenticated:
        return False
    return Mute.objects.filter(muter=viewer, muted=other).exists()


@dataclass(frozen=True)
class ProfileView:
    """A profile as one viewer may see it: hidden fields are None."""

    profile: Profile
    stage: str | None
    specialty: str | None
    training_year: int | None
    institution: str | None
    country: str | None
    is_self: bool

    @property
    def stage_label(self) -> str:
        return self.profile.get_stage_display() if self.stage else ""

    @property
    def specialty_label(self) -> str:
        return self.profile.get_specialty_display() if self.specialty else ""

    @property
    def training_label(self) -> str:
        """The stage with the training year, as far as the viewer may see them: "Fellow,
        year 2", "Fellow", "Year 2" or ""."""
        if self.stage and self.training_year:
            return f"{self.stage_label}, year {self.training_year}"
        if self.training_year:
            return f"Year {self.training_year}"
        return self.stage_label

    @property
    def card_parts(self) -> list[str]:
        """What a member card says of the member's training: only the parts shown, so they
        join with no separator left dangling."""
        return [part for part in (self.stage_label, self.specialty_label) if part]

    @property
    def profile_parts(self) -> list[str]:
        """The profile's line about training: the card's, with the training year."""
        return [part for part in (self.training_label, self.specialty_label) if part]


def profile_view(*, profile: Profile, viewer: Viewer) -> ProfileView:
    is_self = viewer is not None and viewer.is_authenticated and viewer.pk == profile.user_id
    levels = {v.value for v in Visibility} if is_self else visibility_levels(viewer=viewer)
    shown = {
        field: (getattr(profile, field) or None)
        if getattr(profile, f"{field}_visibility") in levels
        else None
        for field in PROFESSIONAL_FIELDS
    }
    return ProfileView(profile=profile, is_self=is_self, **shown)


# Bumped by members.signals with every change a directory page or a member card can show:
# profiles, accounts (deactivation, erasure), interests.
DIRECTORY_VERSION = "members.directory"


def directory_version() -> str:
    return data_version(DIRECTORY_VERSION)


def member_list_newest(*, viewer: Viewer, limit: int = 6) -> list[tuple[int, int]]:
    """(profile id, user id) of the members who joined last, newest first."""
    return list(
        _hiding(_listed_profiles(), viewer=viewer)
        .order_by("-user__date_joined")
        .values_list("pk", "user_id")[:limit]
    )


# How recent a "new member" is, on a member's home.
NEW_MEMBER_DAYS = 90


def member_list_sharing_interests(
    *, viewer: User, limit: int = 6, now: datetime | None = None
) -> list[tuple[int, int]]:
    """(profile id, user id) of listed members who joined in the last NEW_MEMBER_DAYS and
    share at least one interest (topic or hashtag) with `viewer`, newest first; the viewer
    and everyone hidden from them (blocks, mutes) left out, as in the directory. One query
    (two when the viewer's hidden set is not read yet)."""
    now = now or timezone.now()
    through = Profile.interests.through.objects
    mine = through.filter(profile__user_id=viewer.pk).values("topic_id")
    return list(
        _hiding(_listed_profiles(), viewer=viewer)
        .exclude(user_id=viewer.pk)
        .filter(
            user__date_joined__gte=now - timedelta(days=NEW_MEMBER_DAYS),
            pk__in=through.filter(topic_id__in=mine).values("profile_id"),
        )
        .order_by("-user__date_joined", "-id")
        .values_list("pk", "user_id")[:limit]
    )


def member_count() -> int:
    """Active accounts, listed or not: the network report's figure of the whole network."""
    return User.objects.filter(is_active=True).count()


def directory_member_count(*, viewer: Viewer, version: str) -> int:
    """How many members `viewer` finds in the directory: the figure the home page and the
    directory both show. Listed members with a name, whose account is active and whose
    address is confirmed, less those hidden from the viewer (blocks, mutes).

    The listed count is cached under the directory's `version`; a viewer who hides some
    members costs one more query.
    """
    key = cache_key("members:count", version)
    listed: int | None = page_cache.get(key)
    if listed is None:
        listed = _listed_profiles().count()
        page_cache.set(key, listed, TIMEOUT)
    hidden = user_ids_hidden_from(viewer=viewer)
    if hidden:
        listed -= _listed_profiles().filter(user_id__in=hidden).count()
    return listed


def _listed_profiles() -> QuerySet[Profile]:
    # Deactivated accounts and sign-ups not confirmed yet are few: excluding them by id is
    # cheaper than joining every user. An account whose main address is unconfirmed has
    # not yet proved who it is; one made by organizers, with no address row, has nothing
    # to confirm.
    return (
        Profile.objects.filter(listed_in_directory=True)
        .exclude(display_name="")
        .exclude(user_id__in=User.objects.filter(is_active=False).values("id"))
        .exclude(
            user_id__in=EmailAddress.objects.filter(primary=True, verified=False).values("user_id")
        )
    )


def _hiding(qs: QuerySet[Profile], *, viewer: Viewer) -> QuerySet[Profile]:
    hidden = user_ids_hidden_from(viewer=viewer)
    return qs if hidden is None else qs.exclude(user_id__in=hidden)


_TOKEN = re.compile(r"\w+", re.UNICODE)


def _search_tokens(query: str) -> list[str]:
    return _TOKEN.findall(query.lower())[:8]


def _full_text_condition(tokens: list[str]) -> tuple[str, list[str]]:
    """SQL that is true for profiles whose search document has every token as a prefix.

    Written out: the ORM knows neither SQLite's FTS5 table nor the stored `search_vector`
    column (the database keeps it, the model does not declare it). The figure, from the
    directory benchmark (bench/directory.py, "Costliest queries" in docs/benchmarks.md):
    "matches of the search" for /directory/?q=memorial&stage=fellow&country=US takes 1.60 ms
    on SQLite and 2.63 ms on PostgreSQL, through the FTS5 table and the GIN index.
    """
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{token}:*" for token in tokens)
        return "members_profile.search_vector @@ to_tsquery('simple', %s)", [tsquery]
    match = " AND ".join(f'"{token}"*' for token in tokens)
    return (
        "members_profile.id IN (SELECT rowid FROM members_profile_fts "
        "WHERE members_profile_fts MATCH %s)",
        [match],
    )


@dataclass(frozen=True)
class DirectoryFilters:
    query: str = ""
    stage: str = ""
    interest: str = ""  # a topic slug
    country: str = ""
    open_to_mentoring: bool = False
    looking_for_mentor: bool = False


def directory_search(*, viewer: Viewer, filters: DirectoryFilters) -> QuerySet[Profile]:
    """Listed members matching `filters`, as `viewer` may see them, in name order."""
    return _hiding(_matching(filters, levels=visibility_levels(viewer=viewer)), viewer=viewer)


def _matching(filters: DirectoryFilters, *, levels: set[str]) -> QuerySet[Profile]:
    """Listed members matching `filters` for a viewer who may see fields of `levels`.

    A filter on a professional field only matches members who let the viewer see that field,
    so the directory never reveals through a filter what a profile hides.
    """
    qs = _listed_profiles()
    if filters.stage:
        qs = qs.filter(stage=filters.stage, stage_visibility__in=levels)
    if filters.country:
        qs = qs.filter(country=filters.country.upper(), country_visibility__in=levels)
    if filters.interest:
        # IN, not a correlated EXISTS: the database starts from the topic's few hundred
        # members instead of testing every profile the other filters left.
        qs = qs.filter(
            pk__in=Profile.interests.through.objects.filter(topic__slug=filters.interest).values(
                "profile_id"
            )
        )
    if filters.open_to_mentoring:
        qs = qs.filter(open_to_mentoring=True)
    if filters.looking_for_mentor:
        qs = qs.filter(looking_for_mentor=True)
    tokens = _search_tokens(filters.query)
    if tokens:
        sql, params = _full_text_condition(tokens)
        # The SQL is fixed text; the search words travel as bound parameters.
        qs = qs.filter(RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611
    return qs.order_by("display_name", "id")


# Matches kept beyond a page's limit, so members who hide a few others (blocks, mutes) still
# fill their pages from the shared cache entry.
HIDDEN_MARGIN = 100


def directory_members(
    *, viewer: Viewer, filters: DirectoryFilters, limit: int, version: str
) -> list[tuple[int, int]]:
    """(profile id, user id) of the first `limit` matches of `filters` that `viewer` may see.

    A search's matches are the same for everyone who may see the same fields, so they are
    cached per search and audience under the directory's `version`; the viewer's own blocks
    and mutes are taken out afterwards, as they change without the version.
    """
    levels = visibility_levels(viewer=viewer)
    key = cache_key("members:directory", version, filters, sorted(levels), limit)
    matches: list[tuple[int, int]] | None = page_cache.get(key)
    if matches is None:
        rows = _matching(filters, levels=levels).values_list("pk", "user_id")
        matches = list(rows[: limit + HIDDEN_MARGIN])
        page_cache.set(key, matches, TIMEOUT)
    hidden = user_ids_hidden_from(viewer=viewer) or frozenset()
    visible = [match for match in matches if match[1] not in hidden]
    if len(visible) < limit and len(matches) == limit + HIDDEN_MARGIN:
        # More of the matches are hidden from this viewer than the margin holds.
        rows = directory_search(viewer=viewer, filters=filters).values_list("pk", "user_id")
        return list(rows[:limit])
    return visible[:limit]


def directory_countries(*, viewer: Viewer, version: str) -> list[str]:
    """Country codes with at least one listed member whose country the viewer may see.

    Cached per audience under the directory's `version`: scanning every profile on each
    directory request would cost more than the search itself.
    """
    levels = sorted(visibility_levels(viewer=viewer))
    key = cache_key("members:directory-countries", version, levels)
    countries: list[str] | None = page_cache.get(key)
    if countries is None:
        countries = list(
            _listed_profiles()
            .filter(country_visibility__in=levels)
            .exclude(country="")
            .values_list("country", flat=True)
            .distinct()
            .order_by("country")
        )
        page_cache.set(key, countries, TIMEOUT)
    return countries


def member_data_export(*, user: User) -> dict[str, Any]:
    """Everything the platform holds about `user`, for their own download (GDPR art. 20)."""
    profile = user.profile
    fields = [
        f.name
        for f in Profile._meta.concrete_fields
        if f.name not in {"id", "user", "search_document", "avatar"}
    ]
    return {
        "account": {
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "roles": sorted(user.groups.values_list("name", flat=True)),
            "email_addresses": [
                {"email": e.email, "verified": e.verified, "primary": e.primary}
                for e in EmailAddress.objects.filter(user=user)
            ],
        },
        "profile": {
            **{name: _jsonable(getattr(profile, name)) for name in fields},
            "avatar": profile.avatar.name or None,
            "interests": sorted(str(t) for t in profile.interests.all()),
            "career_paths": sorted(c.name for c in profile.career_paths.all()),
        },
        "blocked_members": [b.blocked_id for b in Block.objects.filter(blocker=user)],
        "muted_members": [m.muted_id for m in Mute.objects.filter(muter=user)],
        "activity": [
            {"at": a.created_at.isoformat(), "action": a.action, "target": a.target_type}
            for a in AuditEntry.objects.filter(actor=user).order_by("created_at")
        ],
        **_rows_of_other_apps(user),
    }


# Rows that point at a member but are not theirs to download, or are covered above.
_EXPORT_SKIP = {"members", "core", "auth", "admin", "account", "sessions", "django_tasks_database"}


def _rows_of_other_apps(user: User) -> dict[str, Any]:
    """Every row of the other apps that points at `user` (RSVPs, subscriptions, mentorships...).

    Found through the model registry, so an app added later is in the download without
    the members app knowing it, and without importing it. What the member may not see stays
    out, as the owning app declares it: fields named in the model's `organizer_only_fields`,
    and rows its AppConfig's `member_data_rows(model=, rows=, user=)` leaves out of `rows`.
    """
    export: dict[str, Any] = {}
    for model in apps.get_models():
        if model._meta.app_label in _EXPORT_SKIP:
            continue
        links = [
            field.name
            for field in model._meta.concrete_fields
            if field.is_relation and field.related_model is User
        ]
        condition = Q()
        for name in links:
            condition |= Q(**{name: user})
        if not links:
            continue
        found = model._default_manager.filter(condition)
        # The owning app may keep rows from the download that the member may not see yet.
        config = apps.get_app_config(model._meta.app_label)
        narrow = getattr(config, "member_data_rows", None)
        if narrow is not None:
            found = narrow(model=model, rows=found, user=user)
        private = set(getattr(model, "organizer_only_fields", ()))
        fields = [f.attname for f in model._meta.concrete_fields if f.name not in private]
        rows = list(found.values(*fields))
        if rows:
            app = export.setdefault(model._meta.app_label, {})
            app[model._meta.model_name] = rows
    return export


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class PickResult(TypedDict):
    id: int
    label: str
    detail: str


def member_pick(*, viewer: User, query: str, limit: int = 10) -> list[PickResult]:
    """Members whose name holds every word of `query`, for a picker: organizers find every
    active member, others those listed in the directory; blocks hide both ways."""
    tokens = _search_tokens(query)
    if not tokens:
        return []
    qs = Profile.objects.exclude(display_name="").filter(user__is_active=True)
    if not viewer.is_organizer:
        qs = qs.filter(listed_in_directory=True)
    for token in tokens:
        qs = qs.filter(display_name__icontains=token)
    levels = visibility_levels(viewer=viewer)
    rows = _hiding(qs, viewer=viewer).order_by("display_name", "id")
    return [
        {
            "id": profile.user_id,
            "label": profile.display_name,
            "detail": profile.get_stage_display() if profile.stage_visibility in levels else "",
        }
        for profile in rows.only("user_id", "display_name", "stage", "stage_visibility")[:limit]
    ]


def role_holders() -> dict[str, list[User]]:
    """Active members holding each role (by role value), in name order."""
    holders: dict[str, list[User]] = {role.value: [] for role in Role}
    users = (
        User.objects.filter(is_active=True, groups__name__in=list(holders))
        .select_related("profile")
        .prefetch_related("groups")
        .distinct()
        .order_by("profile__display_name", "id")
    )
    for user in users:
        for group in user.groups.all():
            if group.name in holders:
                holders[group.name].append(user)
    return holders
