"""Outreach metrics, computed in the database and shared by the dashboard and the report.

"Posts with metrics" are posts with an impressions count (exports); archive-only posts are
counted apart. Months are calendar months in UTC. The engagement rate of a set of posts is
total engagements / total impressions; the *mean* engagement rate is the mean of each post's
own rate, posts with zero impressions left out. Periods are whole days, both ends inclusive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    FloatField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Cast, ExtractHour, ExtractIsoWeekDay

from hemonc.outreach.enums import DeskKind, Platform, SourceFormat
from hemonc.outreach.models import DailyTotals, FollowerSnapshot, Post, PostHashtag, SocialAccount
from hemonc.taxonomy.hashtags import conference_tag
from hemonc.taxonomy.models import Topic

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass(frozen=True)
class Figures:
    """Sums over a set of posts with metrics (a month, a hashtag, a weekday, a period)."""

    posts: int
    impressions: int
    engagements: int
    rated_posts: int  # posts with impressions > 0
    rate_sum: float  # sum of their own engagement rates

    @property
    def mean_impressions_per_post(self) -> float:
        return self.impressions / self.posts if self.posts else 0.0

    @property
    def engagement_rate(self) -> float:
        return self.engagements / self.impressions if self.impressions else 0.0

    @property
    def mean_engagement_rate(self) -> float:
        return self.rate_sum / self.rated_posts if self.rated_posts else 0.0


@dataclass(frozen=True)
class MonthFigures(Figures):
    month: date = date.min

    @property
    def label(self) -> str:
        return self.month.strftime("%Y-%m")


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def account_ids_for(handle: str | None) -> list[int] | None:
    """Ids of the accounts with this handle (any platform, any case); None means all."""
    if not handle:
        return None
    return list(
        SocialAccount.objects.filter(handle__iexact=handle.strip().lstrip("@")).values_list(
            "id", flat=True
        )
    )


def posts_in_period(
    *, start: date | None, end: date | None, account_ids: list[int] | None = None
) -> QuerySet[Post]:
    qs = Post.objects.all()
    if start:
        qs = qs.filter(published_at__gte=_start(start))
    if end:
        qs = qs.filter(published_at__lt=_start(end + timedelta(days=1)))
    if account_ids is not None:
        qs = qs.filter(account_id__in=account_ids)
    return qs


def _rate() -> Any:
    return Case(
        When(
            impressions__gt=0,
            then=Cast("engagements", FloatField()) / Cast("impressions", FloatField()),
        ),
        output_field=FloatField(),
    )


FIGURES = {
    "posts": Count("id"),
    "sum_impressions": Sum("impressions"),
    "sum_engagements": Sum("engagements"),
    "rated_posts": Count("id", filter=Q(impressions__gt=0)),
    "rate_sum": Sum(_rate()),
}


def _figures(row: Any) -> dict[str, Any]:
    return {
        "posts": row["posts"] or 0,
        "impressions": int(row["sum_impressions"] or 0),
        "engagements": int(row["sum_engagements"] or 0),
        "rated_posts": row["rated_posts"] or 0,
        "rate_sum": float(row["rate_sum"] or 0.0),
    }


def metrics_by_month(
    *, start: date | None = None, end: date | None = None, account_ids: list[int] | None = None
) -> list[MonthFigures]:
    """Per UTC calendar month with posts, oldest first."""
    return months_and_unmeasured(start=start, end=end, account_ids=account_ids)[0]


def months_and_unmeasured(
    *, start: date | None = None, end: date | None = None, account_ids: list[int] | None = None
) -> tuple[list[MonthFigures], int]:
    """The months with posts with metrics, and the count of posts without metrics, in one
    pass over the period's posts (the report's largest read)."""
    measured = Q(impressions__isnull=False)
    rows = (
        posts_in_period(start=start, end=end, account_ids=account_ids)
        .order_by()
        .values("month")
        .annotate(
            posts=Count("id", filter=measured),
            sum_impressions=Sum("impressions"),
            sum_engagements=Sum("engagements"),
            rated_posts=Count("id", filter=Q(impressions__gt=0)),
            rate_sum=Sum(_rate()),
            unmeasured=Count("id", filter=Q(impressions__isnull=True)),
        )
        .order_by("month")
    )
    months, unmeasured = [], 0
    for row in rows:
        unmeasured += row["unmeasured"]
        if row["posts"]:
            months.append(MonthFigures(month=row["month"], **_figures(row)))
    return months, unmeasured


def figures_total(months: list[MonthFigures]) -> Figures:
    """A period's figures are the sums of its months (the mean of rates stays exact: it is
    carried as a sum and a count)."""
    return Figures(
        posts=sum(m.posts for m in months),
        impressions=sum(m.impressions for m in months),
        engagements=sum(m.engagements for m in months),
        rated_posts=sum(m.rated_posts for m in months),
        rate_sum=sum(m.rate_sum for m in months),
    )


def peak_month(months: list[MonthFigures]) -> MonthFigures | None:
    """The month with the most impressions (the earlier one on a tie)."""
    return max(months, key=lambda m: (m.impressions, -m.month.toordinal()), default=None)


def posts_without_metrics(
    *, start: date | None = None, end: date | None = None, account_ids: list[int] | None = None
) -> int:
    return (
        posts_in_period(start=start, end=end, account_ids=account_ids)
        .filter(impressions__isnull=True)
        .count()
    )


def top_posts(
    *,
    start: date | None = None,
    end: date | None = None,
    account_ids: list[int] | None = None,
    limit: int = 10,
) -> QuerySet[Post]:
    return (
        posts_in_period(start=start, end=end, account_ids=account_ids)
        .filter(impressions__isnull=False)
        .select_related("account")
        .order_by("-impressions", "published_at")[:limit]
    )


@dataclass(frozen=True)
class HashtagFigures(Figures):
    tag: str = ""
    spelling: str = ""
    kind: str = ""  # a taxonomy TopicKind label, "Conference" for #ASH21-style tags, or ""
    topic: str = ""


def hashtag_performance(
    *,
    start: date | None = None,
    end: date | None = None,
    account_ids: list[int] | None = None,
    limit: int = 20,
) -> list[HashtagFigures]:
    """Per hashtag, the most impressions first; conference tags (#ASH21) and the taxonomy's
    topics are recognized whatever their case."""
    posts = posts_in_period(start=start, end=end, account_ids=account_ids).filter(
        impressions__isnull=False
    )
    query = (
        PostHashtag.objects.filter(post__in=posts.values("key"))
        .order_by()
        .values("tag")
        .annotate(
            spelling=Max("spelling"),
            posts=Count("post"),
            sum_impressions=Sum("post__impressions"),
            sum_engagements=Sum("post__engagements"),
            rated_posts=Count("post", filter=Q(post__impressions__gt=0)),
            rate_sum=Sum(
                Case(
                    When(
                        post__impressions__gt=0,
                        then=Cast("post__engagements", FloatField())
                        / Cast("post__impressions", FloatField()),
                    ),
                    output_field=FloatField(),
                )
            ),
        )
        .order_by("-sum_impressions", "tag")[:limit]
    )
    rows: list[Any] = list(query)
    topics = {
        topic.hashtag.lower(): topic
        for topic in Topic.objects.exclude(hashtag="").filter(
            hashtag__iregex=r"^(" + "|".join(_regex_escape(r["tag"]) for r in rows) + ")$"
        )
    } if rows else {}  # fmt: skip
    result = []
    for row in rows:
        topic = topics.get(row["tag"])
        conference = conference_tag(row["tag"])
        kind = "Conference" if conference else (topic.get_kind_display() if topic else "")
        result.append(
            HashtagFigures(
                tag=row["tag"],
                spelling=row["spelling"],
                kind=str(kind),
                topic=topic.name if topic else "",
                **_figures(row),
            )
        )
    return result


def _regex_escape(tag: str) -> str:
    # Tags are \w+ by construction; escape anyway so a stored oddity cannot break the query.
    return "".join(c if c.isalnum() or c == "_" else f"\\{c}" for c in tag)


def performance_by_weekday_hour(
    *, start: date | None = None, end: date | None = None, account_ids: list[int] | None = None
) -> dict[str, list[tuple[str, Figures]]]:
    """Per UTC weekday and hour of posting. Posts from the content export carry no time of
    day, so they are left out here."""
    posts = (
        posts_in_period(start=start, end=end, account_ids=account_ids)
        .filter(impressions__isnull=False)
        .exclude(source_format=SourceFormat.X_CONTENT)
        .order_by()
    )
    weekdays = {
        row["weekday"]: Figures(**_figures(row))
        for row in posts.annotate(weekday=ExtractIsoWeekDay("published_at", tzinfo=UTC))
        .values("weekday")
        .annotate(**FIGURES)
    }
    hours = {
        row["hour"]: Figures(**_figures(row))
        for row in posts.annotate(hour=ExtractHour("published_at", tzinfo=UTC))
        .values("hour")
        .annotate(**FIGURES)
    }
    return {
        "weekday": [(WEEKDAYS[d - 1], weekdays[d]) for d in range(1, 8) if d in weekdays],
        "hour": [(f"{h:02d}:00", hours[h]) for h in range(24) if h in hours],
    }


# ---------------------------------------------------------------------------------------------
# Followers and daily totals


def follower_latest(*, on_or_before: date, account_ids: list[int] | None = None) -> int | None:
    """Followers on the latest snapshot on or before the day, summed over the accounts that
    have one; None when there is none."""
    latest = FollowerSnapshot.objects.filter(
        account=OuterRef("pk"), date__lte=on_or_before
    ).order_by("-date")
    accounts = SocialAccount.objects.all()
    if account_ids is not None:
        accounts = accounts.filter(id__in=account_ids)
    counts = [
        n
        for n in accounts.annotate(n=Subquery(latest.values("followers")[:1])).values_list(
            "n", flat=True
        )
        if n is not None
    ]
    return sum(counts) if counts else None


@dataclass(frozen=True)
class FollowerPoint:
    date: date
    followers: int
    growth: int | None  # since the previous snapshot


def follower_series(
    *, start: date | None = None, end: date | None = None, account_ids: list[int] | None = None
) -> list[FollowerPoint]:
    """Snapshots in the period, oldest first, summed per day over the accounts."""
    qs = FollowerSnapshot.objects.all()
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    if account_ids is not None:
        qs = qs.filter(account_id__in=account_ids)
    rows = qs.order_by().values("date").annotate(n=Sum("followers")).order_by("date")
    points: list[FollowerPoint] = []
    for row in rows:
        previous = points[-1].followers if points else None
        points.append(
            FollowerPoint(row["date"], row["n"], None if previous is None else row["n"] - previous)
        )
    return points


def daily_series(
    *, start: date | None = None, end: date | None = None, account_ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """The overview export's daily totals, summed over accounts, oldest first."""
    qs = DailyTotals.objects.all()
    if start:
        qs = qs.filter(date__gte=start)
    if end:
        qs = qs.filter(date__lte=end)
    if account_ids is not None:
        qs = qs.filter(account_id__in=account_ids)
    rows: Any = (
        qs.order_by()
        .values("date")
        .annotate(impressions=Sum("impressions"), engagements=Sum("engagements"))
        .order_by("date")
    )
    return list(rows)


def outreach_data_range(*, account_ids: list[int] | None = None) -> tuple[date | None, date | None]:
    """The first and last day with outreach data (posts, daily totals or snapshots)."""
    days: list[date] = []
    posts = posts_in_period(start=None, end=None, account_ids=account_ids).aggregate(
        first=Min("published_at"), last=Max("published_at")
    )
    days += [value.astimezone(UTC).date() for value in posts.values() if value]
    for model in (DailyTotals, FollowerSnapshot):
        qs = model.objects.all()
        if account_ids is not None:
            qs = qs.filter(account_id__in=account_ids)
        bounds = qs.aggregate(first=Min("date"), last=Max("date"))
        days += [value for value in bounds.values() if value]
    return (min(days), max(days)) if days else (None, None)


def accounts() -> QuerySet[SocialAccount]:
    return SocialAccount.objects.annotate(post_count=Count("posts")).order_by("platform", "handle")


# ---------------------------------------------------------------------------------------------
# What the publishing desk's posts achieved


@dataclass(frozen=True)
class DeskFigures(Figures):
    """A group of the desk's published posts (a kind, an account) with their metrics. `posts`
    counts the platform posts with an impressions count, as elsewhere; `desk_posts` the posts
    written on the desk (a thread cross-posted to three accounts is one), `platform_posts`
    every platform post of them, measured or not."""

    key: str = ""
    label: str = ""
    desk_posts: int = 0
    platform_posts: int = 0


def desk_performance(
    *, start: date | None = None, end: date | None = None, account_ids: list[int] | None = None
) -> dict[str, list[DeskFigures]]:
    """Impressions and engagement of the posts the desk published, per kind of post and per
    account (most impressions first). Each platform post the desk published has its row in
    `Post` (the desk writes it on publishing, keyed like the exports, so an import of the
    platform's export later adds its metrics there)."""
    posts = (
        posts_in_period(start=start, end=end, account_ids=account_ids)
        .filter(desk_parts__isnull=False)
        .order_by()
    )
    figures = {
        "desk_posts": Count("desk_parts__post", distinct=True),
        "platform_posts": Count("id", distinct=True),
        "posts": Count("id", filter=Q(impressions__isnull=False), distinct=True),
        "sum_impressions": Sum("impressions"),
        "sum_engagements": Sum("engagements"),
        "rated_posts": Count("id", filter=Q(impressions__gt=0), distinct=True),
        "rate_sum": Sum(_rate()),
    }

    def rows(fields: tuple[str, ...], label: Any) -> list[DeskFigures]:
        found = [
            DeskFigures(
                key=str(row[fields[0]]),
                label=label(row),
                desk_posts=row["desk_posts"],
                platform_posts=row["platform_posts"],
                **_figures(row),
            )
            for row in posts.values(*fields).annotate(**figures)
        ]
        return sorted(found, key=lambda f: (-f.impressions, -f.engagements, f.label))

    kinds = dict(DeskKind.choices)
    platforms = dict(Platform.choices)
    return {
        "kinds": rows(
            ("desk_parts__post__kind",),
            lambda row: str(kinds.get(row["desk_parts__post__kind"], "Other")),
        ),
        "accounts": rows(
            ("account_id", "account__handle", "account__platform"),
            lambda row: (
                f"@{row['account__handle']} "
                f"({platforms.get(row['account__platform'], row['account__platform'])})"
            ),
        ),
    }
