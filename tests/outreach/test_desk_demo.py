"""The demo network's publishing desk: accounts with slots, this season's posts published from
the desk with their metrics on the dashboard, and a queue, a review and a failure waiting."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from hemonc.members.models import User
from hemonc.outreach.enums import DeskState, PartState
from hemonc.outreach.models import DeskPart, DeskPost, SocialAccount


def test_demo_desk_tells_the_season_story(demo_network: str, db: Any, client: Any) -> None:
    assert "Created the demo publishing desk" in demo_network
    accounts = SocialAccount.objects.filter(active=True).order_by("platform")
    assert [a.platform for a in accounts] == ["bluesky", "mastodon", "x"]
    assert all(a.service.endswith("demo.hemonc.example") for a in accounts)
    assert all(a.slots.exists() for a in accounts)

    published = DeskPost.objects.filter(state=DeskState.PUBLISHED)
    assert published.filter(kind="session", session__isnull=False).count() >= 3
    x_parts = DeskPart.objects.filter(account__platform="x", state=PartState.PUBLISHED)
    assert x_parts.exists()
    assert all(part.published_post.impressions for part in x_parts)  # the imported metrics
    assert (
        DeskPost.objects.filter(state=DeskState.SCHEDULED, queue_account__isnull=False).count() == 3
    )
    assert DeskPost.objects.filter(state=DeskState.IN_REVIEW).exists()
    assert DeskPost.objects.filter(state=DeskState.FAILED).exists()

    client.force_login(User.objects.get(email="organizer@demo.hemonc.example"))
    dashboard = client.get(reverse("analytics:dashboard")).content.decode()
    assert '<th scope="row">Session announcement</th>' in dashboard
    console = client.get(reverse("console")).content.decode()
    assert "Posts to approve" in console and "Tweetorial: reading a Kaplan-Meier" in console
    assert "Posts that did not go out" in console
    x = accounts.get(platform="x")
    queue = client.get(reverse("outreach:desk_queue", args=[x.pk])).content.decode()
    assert queue.count("data-queue-item=") == 3
    history = client.get(reverse("outreach:desk_history")).content.decode()
    assert "bsky.demo.hemonc.example/profile/net.demo.hemonc.example/post/" in history
    for state in ("failed", "in_review", "scheduled", "published", "draft"):
        assert client.get(reverse("outreach:desk") + f"?state={state}").status_code == 200
    for post in DeskPost.objects.all():
        assert client.get(reverse("outreach:desk_post", args=[post.pk])).status_code == 200
