"""The demo network's outreach: synthetic X exports written in the real layouts, imported by
the real importers.

An invented account (@HemOncDemoNet) posting from February 2021 up to yesterday (the demo is
built relative to today): monthly legacy tweet activity files (in a zip) to June 2023 with
one overlapping window, then a current-format content export per calendar year, the account
overview's daily totals for the last 90 days, archive posts, and month-end follower
snapshots with one for yesterday. After 2023 the network posts less on X (around a hundred
posts a month). The figures reproduce the published abstract: more than 3,400 followers, a
peak month (July 2022) of 93.4K impressions with a mean of 263 per post, and a mean
engagement of 3.4% per post.

The story the demo tells: the network began on X in 2021, with live talks on X Spaces; its
live sessions moved to the platform with season 1, last academic year, and each session held
there is announced on X on its day.
"""

from __future__ import annotations

import io
import random
import tempfile
import zipfile
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

from django.utils import timezone

from hemonc.core.permissions import OPERATOR
from hemonc.events.selectors import session_list_past
from hemonc.outreach.enums import Platform
from hemonc.outreach.exports import (
    SyntheticPost,
    legacy_name,
    write_archive,
    write_content,
    write_followers,
    write_legacy,
    write_overview,
)
from hemonc.outreach.importers.sources import sources_from_paths
from hemonc.outreach.models import SocialAccount
from hemonc.outreach.services import followers_import, x_analytics_import

HANDLE = "HemOncDemoNet"
SEED = 2021
FIRST_MONTH = date(2021, 2, 1)
LAST_LEGACY_MONTH = date(2023, 6, 1)  # legacy files up to June 2023, content exports after
PEAK = date(2022, 7, 1)
PEAK_POSTS, PEAK_MEAN = 355, 263  # 355 x 263 = 93,365 impressions: "93.4K"
MEAN_RATE = 0.034
FINAL_FOLLOWERS = 3_468
OVERLAP = (date(2022, 6, 15), date(2022, 7, 15))  # an export window across two months
DAILY_DAYS = 90
QUIETER = date(2024, 1, 1)  # from then on, about a hundred posts a month


def _today() -> date:
    return timezone.localdate()


def _last_day() -> date:
    """The last day the exports cover: yesterday (today's figures are not final)."""
    return _today() - timedelta(days=1)


TOPICS = [
    ("On X Spaces tonight: {topic}. Bring your questions! #HOFellows", ("HOFellows",)),
    ("Journal club thread on {topic} #hemetwitter #HOJournalClub", ("hemetwitter", "HOJournalClub")),
    ("Fellows, how do you approach {topic}? Reply below. #MedTwitter", ("MedTwitter",)),
    ("New in the newsletter: {topic} & more #HOFellows", ("HOFellows",)),
    ("Career round table: {topic} #ASHTrainee", ("ASHTrainee",)),
    ("Mentorship tip of the week: {topic} #meded", ("meded",)),
]  # fmt: skip
SUBJECTS = ["CAR-T toxicities", "myeloma induction", "choosing a research mentor",
            "board prep", "#bcsm updates", "sickle cell care", "CML milestones",
            "applying for K awards", "AML in older adults", "the job search"]  # fmt: skip
CONFERENCE_MONTHS = {12: "ASH", 6: "ASCO"}


def _months() -> list[date]:
    months, month = [], FIRST_MONTH
    last_month = _last_day().replace(day=1)
    while month <= last_month:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def _text(rng: random.Random, month: date) -> tuple[str, tuple[str, ...]]:
    template, tags = rng.choice(TOPICS)
    text = template.format(topic=rng.choice(SUBJECTS))
    society = CONFERENCE_MONTHS.get(month.month)
    if society and rng.random() < 0.5:
        tag = f"{society}{month.year % 100:02d}"
        text, tags = f"{text} #{tag}", (*tags, tag)
    if "#bcsm" in text:
        tags = (*tags, "bcsm")
    return text, tags


def _month_posts(rng: random.Random, month: date, next_id: list[int]) -> list[SyntheticPost]:
    """The month's posts with their final metrics."""
    age = (month.year - FIRST_MONTH.year) * 12 + month.month - FIRST_MONTH.month
    if month == PEAK:
        count, mean = PEAK_POSTS, PEAK_MEAN
    elif month >= QUIETER:
        count, mean = 100 + rng.randint(-25, 25), 200 + rng.randint(-30, 30)
    else:
        count = min(40 + age * 6 + rng.randint(-10, 10), 300)
        mean = min(110 + age * 4 + rng.randint(-20, 20), 240)
    # The month under way: its days so far, and its posts in proportion.
    days = min((_next_month(month) - month).days, (_last_day() - month).days + 1)
    if days < (_next_month(month) - month).days:
        count = max(1, count * days // 30)
    impressions = [max(5, round(rng.gauss(mean, mean * 0.45))) for _ in range(count)]
    target = count * mean
    # Spread the difference to the target over the posts, none below 5 impressions.
    while (gap := target - sum(impressions)) != 0:
        index = rng.randrange(count)
        impressions[index] = max(5, impressions[index] + max(-50, min(50, gap)))
    posts = []
    for impression in impressions:
        rate = rng.uniform(MEAN_RATE - 0.022, MEAN_RATE + 0.022)
        engagements = round(impression * rate)
        likes = engagements // 3
        reposts = engagements // 8
        replies = engagements // 12
        text, tags = _text(rng, month)
        published = datetime(
            month.year, month.month, rng.randint(1, days), rng.randint(11, 23),
            rng.randint(0, 59), tzinfo=UTC,
        )  # fmt: skip
        next_id[0] += rng.randint(1000, 90000)
        posts.append(
            SyntheticPost(
                str(next_id[0]),
                published,
                text,
                impression,
                engagements,
                likes,
                reposts,
                replies,
                tags,
            )
        )
    return sorted(posts, key=lambda p: p.published_at)


def _tune_mean_rate(posts: list[SyntheticPost], rng: random.Random) -> list[SyntheticPost]:
    """Nudge engagements one at a time until the mean of per-post rates reads 3.4%."""
    posts = list(posts)
    total = sum(p.engagements / p.impressions for p in posts)
    while not 0.0339 <= total / len(posts) <= 0.0341:
        step = 1 if total / len(posts) < MEAN_RATE else -1
        index = rng.randrange(len(posts))
        post = posts[index]
        if post.engagements + step >= 0:
            posts[index] = SyntheticPost(
                post.post_id, post.published_at, post.text, post.impressions,
                post.engagements + step, post.likes, post.reposts, post.replies, post.hashtags,
            )  # fmt: skip
            total += step / post.impressions
    return posts


def _earlier(post: SyntheticPost, share: float) -> SyntheticPost:
    """The same post as an earlier export saw it: fewer impressions so far."""
    return SyntheticPost(
        post.post_id, post.published_at, post.text, max(1, round(post.impressions * share)),
        round(post.engagements * share), post.likes, post.reposts, post.replies, post.hashtags,
    )  # fmt: skip


def _session_posts(
    rng: random.Random, sessions: list[tuple[datetime, str]], by_month: dict[date, list[Any]]
) -> None:
    """A post on the afternoon of each held session, naming it (the peak month, whose figures
    the abstract gives, is left as it is)."""
    for index, (starts_at, title) in enumerate(sorted(sessions)):
        published = starts_at.astimezone(UTC) - timedelta(hours=4)
        month = published.date().replace(day=1)
        if month == PEAK or month not in by_month or published.date() > _last_day():
            continue
        impressions = max(5, round(rng.gauss(280, 60)))
        engagements = round(impressions * 0.04)
        post = SyntheticPost(
            str(1_600_000_000_000_000_000 + index), published,
            f"Tonight's live session: {title}. Bring your questions! #HOFellows",
            impressions, engagements, engagements // 3, engagements // 8, engagements // 12,
            ("HOFellows",),
        )  # fmt: skip
        by_month[month].append(post)
        by_month[month].sort(key=lambda post: post.published_at)


def demo_outreach_files(
    folder: Path, sessions: list[tuple[datetime, str]] | None = None
) -> list[Path]:
    """Write the demo exports into `folder`; returns the paths in the order to import them.
    `sessions` (start, title) are the live sessions held, each announced by a post."""
    rng = random.Random(SEED)  # noqa: S311  (synthetic demo data, not secrets)
    next_id = [1_356_000_000_000_000_000]
    by_month = {month: _month_posts(rng, month, next_id) for month in _months()}
    _session_posts(rng, sessions or [], by_month)
    every = _tune_mean_rate([p for posts in by_month.values() for p in posts], rng)
    final = {p.post_id: p for p in every}
    by_month = {m: [final[p.post_id] for p in posts] for m, posts in by_month.items()}

    legacy_zip = folder / f"twitter_analytics_{HANDLE}_2021-2023.zip"
    with zipfile.ZipFile(legacy_zip, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for month, posts in by_month.items():
            if month > LAST_LEGACY_MONTH:
                continue
            start, end = OVERLAP
            # The June file was exported before the overlapping window: its late-June posts
            # had fewer impressions then; the window (ending later) carries their final ones.
            rows = [
                _earlier(p, 0.8) if month == start.replace(day=1) and p.published_at.date() >= start
                else p
                for p in posts
            ]  # fmt: skip
            name = legacy_name(HANDLE, month, _next_month(month))
            with archive.open(name, "w") as raw:
                _write_text(raw, rows)
        start, end = OVERLAP
        window = [
            p if p.published_at.date() < date(2022, 7, 1) else _earlier(p, 0.6)
            for month in (date(2022, 6, 1), PEAK)
            for p in by_month[month]
            if start <= p.published_at.date() < end
        ]
        with archive.open(legacy_name(HANDLE, start, end), "w") as raw:
            _write_text(raw, window)

    # One content export per calendar year after the legacy files; this year's to yesterday.
    contents = []
    later = [p for month, posts in by_month.items() if month > LAST_LEGACY_MONTH for p in posts]
    for year in sorted({p.published_at.year for p in later}):
        start = max(date(year, 1, 1), _next_month(LAST_LEGACY_MONTH))
        end = min(date(year, 12, 31), _last_day())
        content = folder / f"account_analytics_content_{start}_{end}.csv"
        write_content(content, HANDLE, [p for p in later if p.published_at.year == year])
        contents.append(content)
    overview = folder / "account_overview_analytics.csv"
    last_day = _last_day()
    days = []
    for offset in range(DAILY_DAYS):
        day = last_day - timedelta(days=offset)
        impressions = rng.randint(500, 1100)
        days.append(
            (day, impressions, round(impressions * 0.034), rng.randint(0, 6), rng.randint(0, 3))
        )
    write_overview(overview, days)
    # Replies and quote posts the exports left out, plus a few they have (no metrics here).
    archive_posts = [
        SyntheticPost(str(1_356_000_000_000_000_000 + 17 + i), datetime(2021, 3, 2 + i, 15, 30, tzinfo=UTC),
                      f"Welcome to the {i + 3} members who joined this week! #HOFellows", 0, 0, 3, 1, 0,
                      ("HOFellows",))
        for i in range(12)
    ] + every[:5]  # fmt: skip
    archive_file = folder / "tweets.js"
    write_archive(archive_file, archive_posts)
    return [legacy_zip, *contents, overview, archive_file]


def demo_follower_snapshots() -> list[tuple[date, int]]:
    """Month-end follower counts from 180 in February 2021, and yesterday's: 3,468."""
    months = _months()
    ends = [_next_month(month) - timedelta(days=1) for month in months]
    ends = [end for end in ends if end < _last_day()] + [_last_day()]
    return [
        (end, round(180 + (FINAL_FOLLOWERS - 180) * ((index + 1) / len(ends)) ** 0.8))
        for index, end in enumerate(ends)
    ]


def _write_text(raw: Any, posts: list[SyntheticPost]) -> None:
    with io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
        write_legacy(text, HANDLE, posts)


def demo_outreach_create(*, stdout: Any) -> None:
    if SocialAccount.objects.filter(platform=Platform.X, handle__iexact=HANDLE).exists():
        stdout.write("The demo outreach data is already here.")
        demo_desk_create(stdout=stdout)
        return
    with tempfile.TemporaryDirectory(prefix="hemonc-demo-outreach-") as scratch:
        folder = Path(scratch)
        held = [(session.starts_at, session.title) for session in session_list_past()]
        paths = demo_outreach_files(folder, held)
        summary = x_analytics_import(
            sources=sources_from_paths(paths), account=HANDLE, actor=OPERATOR
        )
        followers = folder / "followers.csv"
        write_followers(followers, demo_follower_snapshots())
        followers_import(path=followers, account=HANDLE, actor=OPERATOR)
    stdout.write(
        f"Created the demo outreach (synthetic @{HANDLE}): {len(summary.files)} export files, "
        f"{summary.posts_added:,} posts, {summary.days} daily rows."
    )
    demo_desk_create(stdout=stdout)


# ---------------------------------------------------------------------------------------------
# The publishing desk

DESK_DOMAIN = "demo.hemonc.example"  # the demo's reserved domain: none of these instances exist
DESK_ACCOUNTS = [
    # (platform, handle, service, weekly slots (weekday, hour, minute) in New York time)
    (Platform.X, HANDLE, f"https://api.x.{DESK_DOMAIN}", [(0, 20, 0), (3, 20, 0)]),
    (Platform.BLUESKY, f"net.{DESK_DOMAIN}", f"https://pds.{DESK_DOMAIN}", [(0, 20, 0), (3, 20, 0)]),
    (Platform.MASTODON, f"HemOncDemoNet@mastodon.{DESK_DOMAIN}", f"https://mastodon.{DESK_DOMAIN}",
     [(1, 12, 0)]),
]  # fmt: skip
DESK_ZONE = "America/New_York"
# Imported X posts the desk published this season, by how their text begins, and their kind.
DESK_KINDS = [
    ("Tonight's live session:", "session"),
    ("Journal club thread on", "journal_club"),
    ("Fellows, how do you approach", "tweetorial"),
    ("Mentorship tip of the week", "tweetorial"),
    ("New in the newsletter", "announcement"),
    ("Career round table", "opportunity"),
]
DESK_HISTORY_DAYS = 70  # the desk began with season 2, ten weeks ago
TWEETORIAL = (
    "Tweetorial: reading a Kaplan-Meier curve in five minutes, for fellows starting journal "
    "club. 🧵\n\n"
    "First, the axes: time on the x axis, the proportion still free of the event on the y "
    "axis. Every step down is an event; every tick mark is a patient censored, not an event.\n\n"
    "Second, the numbers at risk under the curve. When they get small, the tail of the curve "
    "says little: a flat tail over five patients is an anecdote, not a plateau.\n\n"
    "Third, the median is where the curve crosses 50%. If it never does, the median is not "
    "reached, which is not the same as a cure.\n\n"
    "Fourth, the hazard ratio summarizes the whole curve in one number and assumes the hazards "
    "stay proportional. Crossing curves break that assumption.\n\n"
    "Questions? Bring them to journal club. #MedTwitter #hemetwitter"
)


def _desk_organizers() -> list[Any]:
    from hemonc.members.enums import Role
    from hemonc.members.models import User

    main = User.objects.filter(email=f"organizer@{DESK_DOMAIN}").first()
    organizers = User.objects.filter(groups__name=Role.ORGANIZER, is_active=True)
    if main is not None:
        organizers = organizers.exclude(pk=main.pk)
    others = list(organizers.order_by("pk")[:1])
    return [person for person in [main, *others] if person is not None] or [None]


def _desk_accounts() -> list[SocialAccount]:
    """The desk's three accounts (the X one is the account of the imported exports), each
    with its weekly slots. Their secret is a made-up word, encrypted like a real one."""
    from django.core.exceptions import ImproperlyConfigured

    from hemonc.outreach.desk.services import account_save, queue_slots_set

    accounts = []
    for platform, handle, service, slots in DESK_ACCOUNTS:
        try:
            account, _ = account_save(
                platform=platform, handle=handle, service=service,
                secret="synthetic-demo-app-password",  # noqa: S106 (made up, said so)
                actor=OPERATOR, time_zone=DESK_ZONE,
            )  # fmt: skip
        except ImproperlyConfigured:
            # No key to encrypt with (a public demo without HEMONC_SECRETS_KEY): the account
            # is listed, and the desk says it cannot publish from it.
            account, _ = SocialAccount.objects.update_or_create(
                platform=platform, handle=handle,
                defaults={"service": service, "active": True, "time_zone": DESK_ZONE},
            )  # fmt: skip
        queue_slots_set(
            account=account, actor=OPERATOR,
            slots=[(day, dtime(h, m)) for day, h, m in slots],
        )  # fmt: skip
        accounts.append(account)
    return accounts


def _desk_url(account: SocialAccount, ident: str) -> str:
    if account.platform == Platform.BLUESKY:
        return f"https://bsky.{DESK_DOMAIN}/profile/{account.handle}/post/{ident}"
    if account.platform == Platform.MASTODON:
        return f"{account.service}/@{account.handle.split('@')[0]}/{ident}"
    return f"https://x.{DESK_DOMAIN}/{account.handle}/status/{ident}"


def _desk_history(accounts: list[SocialAccount], organizers: list[Any], rng: random.Random) -> int:
    """This season's imported X posts of the kinds above, as the desk published them: each
    cross-posted to Bluesky (session announcements to Mastodon too), its X copy joined to the
    imported row and its metrics (by platform and post id), the others without metrics (those
    platforms report none)."""
    from hemonc.events.models import LiveSession
    from hemonc.outreach.enums import DeskKind, DeskState, PartState, SourceFormat
    from hemonc.outreach.models import DeskApproval, DeskPart, DeskPost, Post

    x, bluesky, mastodon = accounts
    since = timezone.now() - timedelta(days=DESK_HISTORY_DAYS)
    imported = Post.objects.filter(account=x, published_at__gte=since).order_by("published_at")
    sessions = {s.title: s for s in LiveSession.objects.filter(starts_at__gte=since)}
    author, approver = organizers[0], organizers[-1]
    made = 0
    for row in imported:
        kind = next((k for prefix, k in DESK_KINDS if row.text.startswith(prefix)), None)
        if kind is None or (kind != DeskKind.SESSION and rng.random() < 0.6):
            continue
        session = None
        if kind == DeskKind.SESSION:
            title = row.text.removeprefix("Tonight's live session: ").split(". Bring")[0]
            session = sessions.get(title)
        when = row.published_at
        post = DeskPost.objects.create(
            kind=kind, text=row.text, state=DeskState.PUBLISHED, author=author, session=session,
            submitted_at=when - timedelta(days=2), approved_at=when - timedelta(days=1),
            scheduled_at=when, release_at=when, started_at=when, published_at=when,
            queue_account=None if session else x,
        )  # fmt: skip
        targets = [x, bluesky] + ([mastodon] if session else [])
        post.accounts.set(targets)
        DeskApproval.objects.create(
            post=post, approver=approver, approved_at=when - timedelta(days=1)
        )
        for account in targets:
            if account == x:
                ident, analytics = row.post_id, row
            else:
                ident = (
                    f"3l{rng.getrandbits(40):010x}"
                    if account == bluesky
                    else str(113_000_000_000_000_000 + rng.getrandbits(40))
                )
                remote = (
                    f"at://did:plc:demo{account.pk}/app.bsky.feed.post/{ident}"
                    if account == bluesky else ident
                )  # fmt: skip
                analytics = Post.objects.create(
                    key=f"{account.platform}:{remote}"[:270], platform=account.platform,
                    post_id=remote[:255], account=account, url=_desk_url(account, ident),
                    published_at=when, month=when.date().replace(day=1), text=row.text,
                    source_format=SourceFormat.DESK,
                )  # fmt: skip
            DeskPart.objects.create(
                post=post, account=account, position=1, count=1, text=row.text,
                key=f"demo-{post.pk}-{account.pk}-1", state=PartState.PUBLISHED, attempts=1,
                remote_id=analytics.post_id, url=analytics.url or _desk_url(account, ident),
                published_at=when, published_post=analytics,
            )  # fmt: skip
        made += 1
    return made


def _desk_ahead(accounts: list[SocialAccount], organizers: list[Any]) -> dict[str, int]:
    """What waits, written through the desk's services: the next sessions' announcements
    scheduled on their day, three posts in the X queue, a tweetorial thread in review, a
    live-coverage draft, and a post Mastodon refused."""
    from hemonc.core.errors import DomainError
    from hemonc.events.selectors import session_list_upcoming
    from hemonc.outreach.desk import services as desk
    from hemonc.outreach.desk.preview import session_announcement
    from hemonc.outreach.enums import DeskKind, DeskState, PartState
    from hemonc.outreach.models import DeskPart, DeskPost

    x, bluesky, mastodon = accounts
    author = organizers[0] or OPERATOR
    approver = organizers[-1] or OPERATOR
    counts = {"scheduled": 0, "queued": 0}
    now = timezone.now()

    def approved(text: str, kind: str, targets: list[SocialAccount], **fields: Any) -> DeskPost:
        post = desk.post_create(actor=author, text=text, accounts=targets, kind=kind, **fields)
        desk.post_submit(post=post, actor=author)
        return desk.post_approve(post=post, actor=approver)

    for session in session_list_upcoming(now=now, include_cancelled=False)[:3]:
        post = approved(
            f"{session_announcement(session)}\n\nBring your questions! #HOFellows",
            DeskKind.SESSION, [x, bluesky, mastodon], session=session,
        )  # fmt: skip
        when = max(session.starts_at - timedelta(hours=4), now + timedelta(hours=1))
        try:
            desk.post_schedule(post=post, actor=approver, when=when)
        except DomainError:  # no key to keep the accounts' secrets: it stays approved
            continue
        counts["scheduled"] += 1
    queued = [
        ("Journal club this week: a phase 3 trial of a bispecific antibody in relapsed myeloma. "
         "Read the paper before Thursday's chat. #mmsm #HOJournalClub", DeskKind.JOURNAL_CLUB),
        ("Applications are open for the spring mentorship program: fellows and early-career "
         "faculty, sign up on the network's site. #HOFellows", DeskKind.OPPORTUNITY),
        ("Mentorship tip of the week: write your first abstract with the figure first, then the "
         "words. #meded", DeskKind.TWEETORIAL),
    ]  # fmt: skip
    for text, kind in queued:
        post = approved(text, kind, [x, bluesky])
        try:
            desk.post_add_to_queue(post=post, actor=approver, account=x)
        except DomainError:
            continue
        counts["queued"] += 1
    review = desk.post_create(
        actor=author, text=TWEETORIAL, accounts=[x, bluesky, mastodon], kind=DeskKind.TWEETORIAL
    )
    desk.post_submit(post=review, actor=author)
    year = timezone.localdate().year % 100
    desk.post_create(
        actor=author, accounts=[x, bluesky], kind=DeskKind.LIVE_COVERAGE,
        conference_tag=f"ASH{year:02d}", text=f"Live from the plenary session: … #ASH{year:02d}",
    )  # fmt: skip
    failed = approved(
        "New in the newsletter: the season's recordings, the mentorship program and a reading "
        "list for board prep. #HOFellows",
        DeskKind.ANNOUNCEMENT, [mastodon],
    )  # fmt: skip
    # As the worker leaves a post the platform refused: its part failed with the answer.
    refused_at = now - timedelta(hours=2)
    DeskPost.objects.filter(pk=failed.pk).update(
        state=DeskState.FAILED, scheduled_at=refused_at, release_at=refused_at,
        started_at=refused_at,
    )  # fmt: skip
    DeskPart.objects.filter(post=failed).delete()
    DeskPart.objects.create(
        post=failed, account=mastodon, position=1, count=1, text=failed.text,
        key=f"demo-{failed.pk}-{mastodon.pk}-1", state=PartState.FAILED, attempts=1,
        last_error="422 Validation failed: the access token was revoked (synthetic demo).",
    )  # fmt: skip
    return counts


def demo_desk_create(*, stdout: Any) -> None:
    """The publishing desk's demo: accounts with weekly slots, this season's posts as
    published from the desk (joined to the imported metrics), and what waits."""
    from hemonc.outreach.models import DeskPost

    if DeskPost.objects.exists():
        stdout.write("The demo publishing desk is already here.")
        return
    rng = random.Random(SEED + 14)  # noqa: S311  (synthetic demo data, not secrets)
    accounts = _desk_accounts()
    organizers = _desk_organizers()
    published = _desk_history(accounts, organizers, rng)
    ahead = _desk_ahead(accounts, organizers)
    stdout.write(
        f"Created the demo publishing desk: {len(accounts)} accounts, {published} posts "
        f"published this season, {ahead['scheduled']} session announcements scheduled, "
        f"{ahead['queued']} posts in the queue."
    )
