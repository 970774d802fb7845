"""The outreach metrics as the dashboard and the report read them, over files written in X's
real export layouts (outreach.exports) and imported by the command organizers run."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from hemonc.outreach import exports, selectors
from hemonc.outreach.exports import SyntheticPost

pytestmark = pytest.mark.django_db

HANDLE = "NetExample"
MONDAY = SyntheticPost(
    "1765000000000000001", datetime(2024, 3, 4, 14, 0, tzinfo=UTC),
    "#ASH24 recap & #bcsm Q&A", impressions=1000, engagements=50, likes=20, reposts=5,
    replies=5,
)  # fmt: skip
TUESDAY = SyntheticPost(
    "1765000000000000002", datetime(2024, 3, 5, 9, 0, tzinfo=UTC), "#bcsm chat tonight",
    impressions=400, engagements=8, likes=3, reposts=0, replies=0,
)  # fmt: skip
UNSEEN = SyntheticPost(
    "1765000000000000003", datetime(2024, 4, 10, 14, 30, tzinfo=UTC), "Nobody saw this one",
    impressions=0, engagements=0, likes=0, reposts=0, replies=0,
)  # fmt: skip
CONTENT = SyntheticPost(
    "1765000000000000004", datetime(2024, 5, 2, tzinfo=UTC), "Round table #HOFellows",
    impressions=2500, engagements=100, likes=40, reposts=10, replies=5,
)  # fmt: skip
ARCHIVED = SyntheticPost(
    "1765000000000000005", datetime(2024, 6, 1, 8, 0, tzinfo=UTC), "Archive only #lcsm",
    impressions=0, engagements=0, likes=2, reposts=1, replies=0, hashtags=("lcsm",),
)  # fmt: skip


@pytest.fixture
def network(tmp_path: Path) -> list[int]:
    """Every export layout written by outreach.exports and imported; the account's ids."""
    legacy = tmp_path / exports.legacy_name(HANDLE, date(2024, 3, 1), date(2024, 5, 1))
    with legacy.open("w", encoding="utf-8", newline="") as file:
        exports.write_legacy(file, HANDLE, [MONDAY, TUESDAY, UNSEEN])
    content = tmp_path / "account_analytics_content_2024-05-01_2024-05-31.csv"
    exports.write_content(content, HANDLE, [CONTENT])
    overview = tmp_path / "account_overview_analytics.csv"
    exports.write_overview(
        overview, [(date(2024, 3, 4), 5000, 200, 3, 1), (date(2024, 3, 5), 3000, 90, 1, 0)]
    )
    archive = tmp_path / "tweets.js"
    exports.write_archive(archive, [ARCHIVED])
    followers = tmp_path / "followers.csv"
    exports.write_followers(
        followers, [(date(2024, 3, 1), 100), (date(2024, 4, 1), 130), (date(2024, 5, 1), 125)]
    )
    call_command(
        "import-x-analytics", str(legacy), str(content), str(overview), str(archive),
        "--account", HANDLE, stdout=StringIO(),
    )  # fmt: skip
    call_command("import-followers", str(followers), "--account", HANDLE, stdout=StringIO())
    ids = selectors.account_ids_for(f"@{HANDLE.lower()}")
    assert ids is not None and len(ids) == 1
    return ids


def test_metrics_by_month_sums_each_month_and_counts_archive_posts_apart(network):
    months, unmeasured = selectors.months_and_unmeasured(account_ids=network)

    assert [(m.label, m.posts, m.impressions, m.engagements) for m in months] == [
        ("2024-03", 2, 1400, 58),
        ("2024-04", 1, 0, 0),
        ("2024-05", 1, 2500, 100),
    ]
    march, april, may = months
    assert march.engagement_rate == pytest.approx(58 / 1400)
    assert march.mean_engagement_rate == pytest.approx((0.05 + 0.02) / 2)
    assert march.mean_impressions_per_post == 700
    assert (april.engagement_rate, april.mean_engagement_rate) == (0.0, 0.0)
    assert unmeasured == 1
    assert selectors.posts_without_metrics(account_ids=network) == 1
    assert selectors.metrics_by_month(start=date(2024, 4, 1), end=date(2024, 4, 30)) == [april]
    assert selectors.peak_month(months) == may
    assert selectors.peak_month([]) is None


def test_figures_total_of_no_months_is_all_zero(network):
    total = selectors.figures_total(selectors.metrics_by_month())
    empty = selectors.figures_total([])

    assert (total.posts, total.impressions, total.engagements) == (4, 3900, 158)
    assert total.mean_engagement_rate == pytest.approx((0.05 + 0.02 + 0.04) / 3)
    assert (empty.mean_impressions_per_post, empty.engagement_rate) == (0.0, 0.0)
    assert empty.mean_engagement_rate == 0.0


def test_top_posts_ranks_measured_posts_by_impressions(network):
    top = selectors.top_posts(account_ids=network, limit=3)

    assert [p.post_id for p in top] == [CONTENT.post_id, MONDAY.post_id, TUESDAY.post_id]
    assert top[0].engagement_rate == pytest.approx(0.04)
    assert selectors.top_posts(limit=4)[3].engagement_rate is None  # no impressions, no rate


def test_hashtag_performance_names_conference_tags_and_topics(network):
    figures = selectors.hashtag_performance(account_ids=network)

    assert [(h.spelling, h.posts, h.impressions, h.kind, h.topic) for h in figures] == [
        ("HOFellows", 1, 2500, "Community", "Hem-Onc Fellows Network"),
        ("bcsm", 2, 1400, "Tumor-specific", "Breast cancer"),
        ("ASH24", 1, 1000, "Conference", "ASH annual meeting 2024"),
    ]  # the archive-only #lcsm has no metrics
    assert selectors.hashtag_performance(start=date(2025, 1, 1)) == []


def test_performance_by_weekday_hour_leaves_out_posts_without_a_time(network):
    result = selectors.performance_by_weekday_hour(account_ids=network)

    assert [(day, f.posts, f.impressions) for day, f in result["weekday"]] == [
        ("Monday", 1, 1000),
        ("Tuesday", 1, 400),
        ("Wednesday", 1, 0),
    ]  # the content export's Thursday post carries no time of day
    assert [(hour, f.posts, f.impressions) for hour, f in result["hour"]] == [
        ("09:00", 1, 400),
        ("14:00", 2, 1000),
    ]


def test_follower_latest_and_series_sum_snapshots_and_their_growth(network):
    assert selectors.follower_latest(on_or_before=date(2024, 4, 15), account_ids=network) == 130
    assert selectors.follower_latest(on_or_before=date(2024, 2, 1)) is None
    assert selectors.follower_latest(on_or_before=date(2024, 5, 1), account_ids=[]) is None

    series = selectors.follower_series(account_ids=network)
    assert [(p.date, p.followers, p.growth) for p in series] == [
        (date(2024, 3, 1), 100, None),
        (date(2024, 4, 1), 130, 30),
        (date(2024, 5, 1), 125, -5),
    ]
    assert [p.followers for p in selectors.follower_series(start=date(2024, 4, 1))] == [130, 125]
    assert [p.followers for p in selectors.follower_series(end=date(2024, 3, 31))] == [100]


def test_daily_series_reads_the_overview_export(network):
    assert selectors.daily_series(account_ids=network) == [
        {"date": date(2024, 3, 4), "impressions": 5000, "engagements": 200},
        {"date": date(2024, 3, 5), "impressions": 3000, "engagements": 90},
    ]
    assert [row["date"] for row in selectors.daily_series(start=date(2024, 3, 5))] == [
        date(2024, 3, 5)
    ]
    assert selectors.daily_series(end=date(2024, 3, 3)) == []


def test_outreach_data_range_spans_posts_daily_totals_and_snapshots(network):
    assert selectors.outreach_data_range(account_ids=network) == (
        date(2024, 3, 1),
        date(2024, 6, 1),
    )
    assert selectors.outreach_data_range(account_ids=[]) == (None, None)
    assert selectors.outreach_data_range() == (date(2024, 3, 1), date(2024, 6, 1))


def test_accounts_count_their_posts_and_handles_select_them(network):
    (account,) = selectors.accounts()

    assert (account.handle, account.post_count) == (HANDLE, 5)
    assert selectors.account_ids_for(None) is None
    assert selectors.account_ids_for("someone-else") == []
