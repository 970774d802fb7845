"""The demo network's report reproduces every figure of the published abstract."""

from __future__ import annotations

import io
import re

from django.core.management import call_command


def test_demo_report_reproduces_the_abstract(db):
    call_command("demo", "--public-demo", stdout=io.StringIO())
    call_command("demo", "--public-demo", stdout=io.StringIO())  # idempotent
    out = io.StringIO()

    call_command("report", "--format", "md", stdout=out)

    text = out.getvalue()
    # The demo's first season is last season (built relative to today), July to June.
    assert re.search(r"22 live sessions were held between July (\d{4}) and June (\d{4})", text)
    for phrase in [
        "grown to more than 3,400 followers",
        "The highest impressions per month have been 93.4K, with a mean of 263 impressions "
        "per post in the month of July 2022.",
        "The mean engagement per post was 3.4%.",
        "The average attendance was 49.6 persons per session (range 22-187).",
        "121 people subscribed to the newsletter.",
        "53% of subscribers were male.",
        "34% were internal medicine residents, 31% hematology-oncology fellows, 9% attendings, "
        "5% advanced fellows and 5% medical students.",
        "Subscribers were from 21 different countries.",
    ]:
        assert phrase in text


def test_demo_outreach_leads_up_to_today(demo_network, db, client):
    """The demo's exports, daily totals and follower counts end yesterday, as a network that
    kept posting would have them; the dashboard's period ends there too."""
    from datetime import timedelta

    from django.db.models import Max
    from django.urls import reverse
    from django.utils import timezone

    from hemonc.members.models import User
    from hemonc.outreach.models import DailyTotals, FollowerSnapshot, Post

    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    latest_post = Post.objects.aggregate(last=Max("published_at"))["last"]
    assert yesterday - timedelta(days=7) <= latest_post.date() <= yesterday
    assert DailyTotals.objects.aggregate(last=Max("date"))["last"] == yesterday
    snapshot = FollowerSnapshot.objects.order_by("-date").first()
    assert (snapshot.date, snapshot.followers) == (yesterday, 3_468)
    # Every year since the first post has posts with metrics.
    years = set(Post.objects.filter(impressions__isnull=False).dates("month", "year"))
    assert {d.year for d in years} == set(range(2021, today.year + 1))

    # The current season's sessions were announced on X on their day.
    from hemonc.events.selectors import session_list_past

    latest = next(s for s in session_list_past() if s.starts_at.date() < yesterday)
    announced = Post.objects.get(platform="x", text__contains=f"live session: {latest.title}.")
    assert announced.published_at.date() <= latest.starts_at.date()

    client.force_login(User.objects.get(email="organizer@demo.hemonc.example"))
    page = client.get(reverse("analytics:dashboard")).content.decode()
    assert f"2021-02-01 to {yesterday}" in page or f"2021-02-01 to {today}" in page
