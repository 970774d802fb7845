"""Publishing: a scheduled post goes out once, at its time, through the worker, to the local
stand-ins of Bluesky, Mastodon and X; each of their failures is retried, waited for or
reported, and a post whose answer was lost is found on the platform, never posted twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from hemonc.core.errors import DomainError
from hemonc.core.permissions import OPERATOR
from hemonc.outreach.desk import publishing, services
from hemonc.outreach.models import DeskPart, DeskPost, Post
from hemonc.outreach.tasks import publish_desk_post_task
from tests.outreach.desk_support import (
    LONG,
    scheduled,
)

pytestmark = pytest.mark.django_db

SHORT = "Journal club Thursday: the ASCERTAIN trial. #hemetwitter"


@pytest.fixture
def worker(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The database queue, and its worker run once over what is due (see events' reminders)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    return lambda: call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_a_scheduled_thread_goes_out_once_at_its_time_through_the_worker(
    bsky: Any, masto: Any, worker: Any, django_capture_on_commit_callbacks: Any
) -> None:
    (bluesky_account, bluesky), (mastodon_account, mastodon) = bsky, masto
    when = timezone.now() + timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        post = scheduled(LONG, [bluesky_account, mastodon_account], when=when)

    [queued] = DBTaskResult.objects.filter(task_path=publish_desk_post_task.module_path)
    assert queued.run_after == when
    with time_machine.travel(when - timedelta(minutes=1)):
        worker()
    assert (bluesky.posts, mastodon.statuses) == ([], [])

    with time_machine.travel(when + timedelta(seconds=1)):
        worker()
        worker()  # nothing left to do

    post.refresh_from_db()
    assert post.state == "published"
    texts = [record["text"] for record in bluesky.posts]
    assert len(texts) == 2 and texts[0].endswith(" 1/2") and texts[1].endswith(" 2/2")
    root = bluesky.posts[0]
    assert "reply" not in root
    assert bluesky.posts[1]["reply"]["root"]["uri"] == bluesky.posts[1]["reply"]["parent"]["uri"]
    assert [s["text"] for s in mastodon.statuses] == [LONG]  # 500 characters: one post
    # Each platform post is an outreach post the analytics join by platform and id.
    assert Post.objects.filter(source_format="desk").count() == 3
    mastodon_post = Post.objects.get(platform="mastodon")
    assert mastodon_post.post_id == mastodon.statuses[0]["uri"].replace(
        "https://mastodon.example", mastodon_account.service
    )
    assert set(DeskPart.objects.values_list("published_post__platform", flat=True)) == {
        "bluesky",
        "mastodon",
    }


def test_duplicate_task_runs_post_nothing_twice(bsky: Any, fast_retries: None) -> None:
    account, bluesky = bsky
    post = scheduled(LONG, [account])

    for _ in range(3):
        publish_desk_post_task.call(post.pk)
    publishing.publish_due()

    assert len(bluesky.posts) == 2
    assert bluesky.count("POST", "/xrpc/com.atproto.repo.createRecord") == 2


def test_a_thread_leased_by_one_worker_is_left_alone_by_another(
    bsky: Any, fast_retries: None
) -> None:
    account, bluesky = bsky
    post = scheduled(LONG, [account])
    held = publishing.claim(owner="worker-a", now=timezone.now(), post_ids=None, limit=50)
    assert len(held) == 2

    run = publishing.publish_due(owner="worker-b")

    assert (run.published, bluesky.posts) == ([], [])
    post.refresh_from_db()
    assert post.state == "scheduled"


def test_nothing_leaves_during_the_undo_window(bsky: Any) -> None:
    account, bluesky = bsky
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        post = scheduled(SHORT, [account])
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        assert publishing.publish_due().published == []
        services.post_cancel(post=post, actor=OPERATOR)
    with time_machine.travel(start + timedelta(seconds=90), tick=False):
        assert publishing.publish_due().published == []
    assert bluesky.posts == []


def test_a_rate_limit_waits_for_its_reset_then_publishes(bsky: Any, fast_retries: None) -> None:
    account, bluesky = bsky
    bluesky.fail_next("rate_limit", reset=120)
    post = scheduled(SHORT, [account])

    run = publishing.publish_due()

    [part] = DeskPart.objects.filter(post=post)
    assert (run.published, run.retried, part.state, part.attempts) == ([], 1, "pending", 1)
    assert part.next_attempt_at is not None
    assert part.next_attempt_at >= timezone.now() + timedelta(seconds=100)
    assert "limits how often" in part.last_error or "Rate" in part.last_error
    assert bluesky.posts == []

    with time_machine.travel(part.next_attempt_at + timedelta(seconds=1)):
        run = publishing.publish_due()
    assert len(run.published) == 1
    assert len(bluesky.posts) == 1


def test_a_server_error_is_retried_with_backoff_within_the_run(
    masto: Any, fast_retries: None
) -> None:
    account, mastodon = masto
    mastodon.fail_next("server_error", times=2)
    post = scheduled(SHORT, [account])

    run = publishing.publish_due(wait_seconds=10)

    assert (len(run.published), run.retried) == (1, 2)
    assert len(mastodon.statuses) == 1
    post.refresh_from_db()
    assert post.state == "published"
    assert DeskPart.objects.get(post=post).attempts == 3


def test_an_expired_session_is_refreshed_and_kept(bsky: Any, fast_retries: None) -> None:
    account, bluesky = bsky
    scheduled(SHORT, [account])
    publishing.publish_due()
    bluesky.expire_sessions()
    scheduled(SHORT + " Again.", [account])

    run = publishing.publish_due()

    assert len(run.published) == 1
    assert (bluesky.sessions_created, bluesky.sessions_refreshed) == (1, 1)
    account.refresh_from_db()
    assert "accessJwt" in account.state
    with connection.cursor() as cursor:  # kept encrypted
        cursor.execute("SELECT state FROM outreach_socialaccount WHERE id = %s", [account.pk])
        assert "accessJwt" not in cursor.fetchone()[0]


@pytest.mark.parametrize("platform", ["bluesky", "mastodon", "x"])
def test_a_lost_answer_is_found_on_the_platform_not_posted_again(
    platform: str, bsky: Any, masto: Any, xapi: Any, fast_retries: None
) -> None:
    account, state = {"bluesky": bsky, "mastodon": masto, "x": xapi}[platform]
    state.fail_next("drop")  # stored, then the connection closes without an answer
    post = scheduled(SHORT, [account])

    run = publishing.publish_due(wait_seconds=10)

    post.refresh_from_db()
    assert post.state == "published"
    assert len(run.published) == 1
    stored = {"bluesky": "posts", "mastodon": "statuses", "x": "tweets"}[platform]
    assert len(getattr(state, stored)) == 1
    part = DeskPart.objects.get(post=post)
    assert part.attempts == 2
    assert part.url or part.remote_id


def test_a_lost_answer_mid_thread_continues_the_thread_once(bsky: Any, fast_retries: None) -> None:
    account, bluesky = bsky
    post = scheduled(LONG, [account])
    bluesky.fail_next("drop")

    publishing.publish_due(wait_seconds=10)

    post.refresh_from_db()
    assert post.state == "published"
    assert len(bluesky.posts) == 2
    assert bluesky.posts[1]["reply"]["parent"]["uri"].endswith(
        DeskPart.objects.get(post=post, position=1).key
    )


def test_a_refusal_fails_the_post_with_the_platforms_message_and_retry_publishes_it(
    bsky: Any, fast_retries: None
) -> None:
    account, bluesky = bsky
    post = scheduled(SHORT, [account])
    DeskPart.objects.filter(post=post).update(text="x" * 400)  # too long for Bluesky

    run = publishing.publish_due(wait_seconds=10)

    [failed] = run.failed
    assert failed.line().startswith("bluesky hemonc.bsky.social 1/1 failed: ")
    post.refresh_from_db()
    assert post.state == "failed"
    assert post.last_error.startswith("Bluesky @hemonc.bsky.social 1/1: ")
    assert bluesky.posts == []

    DeskPart.objects.filter(post=post).update(text=SHORT)
    post = services.post_retry(post=post, actor=OPERATOR)
    run = publishing.publish_due()
    post.refresh_from_db()
    assert (post.state, len(bluesky.posts), len(run.published)) == ("published", 1, 1)


def test_a_refused_part_fails_the_rest_of_its_thread_but_not_other_accounts(
    bsky: Any, masto: Any, fast_retries: None
) -> None:
    (bluesky_account, bluesky), (mastodon_account, mastodon) = bsky, masto
    post = scheduled(LONG, [bluesky_account, mastodon_account])
    DeskPart.objects.filter(post=post, account=bluesky_account, position=1).update(text="y" * 400)

    publishing.publish_due()

    post.refresh_from_db()
    assert post.state == "failed"
    assert len(mastodon.statuses) == 1 and bluesky.posts == []
    assert list(
        DeskPart.objects.filter(account=bluesky_account).values_list("state", "last_error")
    )[1] == ("failed", "Not sent: post 1/2 failed.")


def test_temporary_failures_give_up_after_the_last_attempt(
    masto: Any, fast_retries: None, settings: Any
) -> None:
    settings.OUTREACH_MAX_ATTEMPTS = 3
    account, mastodon = masto
    mastodon.fail_next("server_error", times=10)
    post = scheduled(SHORT, [account])

    run = publishing.publish_due(wait_seconds=10)

    post.refresh_from_db()
    assert post.state == "failed"
    assert "gave up after 3 attempts" in post.last_error
    assert "something went wrong on our end" in post.last_error
    assert (len(run.failed), mastodon.statuses) == (1, [])


def test_a_retry_after_a_failure_is_enqueued_for_its_time(bsky: Any, dummy_tasks: Any) -> None:
    account, bluesky = bsky
    bluesky.fail_next("rate_limit", reset=300)
    post = scheduled(SHORT, [account])
    dummy_tasks.clear()
    DeskPost.objects.filter(pk=post.pk).update(release_at=timezone.now())

    publish_desk_post_task.call(post.pk)

    [again] = dummy_tasks.results
    part = DeskPart.objects.get(post=post)
    assert again.args == [post.pk]
    assert again.task.run_after == part.next_attempt_at


def test_a_failed_post_whose_answer_was_lost_keeps_its_parts_and_is_not_sent_twice(
    masto: Any, fast_retries: None, settings: Any
) -> None:
    settings.OUTREACH_MAX_ATTEMPTS = 1
    account, mastodon = masto
    mastodon.fail_next("drop")  # stored, but the answer never came
    post = scheduled(SHORT, [account])
    publishing.publish_due()
    post.refresh_from_db()
    assert post.state == "failed" and len(mastodon.statuses) == 1
    [part] = DeskPart.objects.filter(post=post)

    for change in (
        lambda: services.post_update(post=post, actor=OPERATOR, text=SHORT + " Room 4."),
        lambda: services.image_add(
            post=post, actor=OPERATOR, data=b"\x89PNG\r\n\x1a\n", mime="image/png", alt="A slide"
        ),
    ):
        with pytest.raises(DomainError, match="may be on a platform already"):
            change()
    assert list(DeskPart.objects.filter(post=post).values_list("pk", "key")) == [
        (part.pk, part.key)
    ]

    settings.OUTREACH_MAX_ATTEMPTS = 8
    services.post_retry(post=post, actor=OPERATOR)
    run = publishing.publish_due()
    post.refresh_from_db()
    assert (post.state, len(mastodon.statuses), run.found) == ("published", 1, 1)


def test_the_attempts_of_parts_never_sent_are_given_back(bsky: Any, fast_retries: None) -> None:
    account, bluesky = bsky
    post = scheduled(LONG, [account])
    DeskPart.objects.filter(post=post, position=1).update(text="z" * 400)  # refused

    publishing.publish_due()

    assert list(
        DeskPart.objects.filter(post=post).order_by("position").values_list("state", "attempts")
    ) == [("failed", 1), ("failed", 0)]
    assert bluesky.posts == []


def test_answers_lost_before_they_were_written_are_found_not_posted_again(
    bsky: Any, fast_retries: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, bluesky = bsky
    post = scheduled(LONG, [account])
    # The worker dies (or the database loses the commit) before the answers are written.
    monkeypatch.setattr(publishing._Answers, "write", lambda self, batch: self.held.clear() or [])
    monkeypatch.setattr(publishing, "_release", lambda *args, **kwargs: 0)
    publishing.publish_due()
    monkeypatch.undo()
    assert len(bluesky.posts) == 2
    assert set(DeskPart.objects.filter(post=post).values_list("state", "attempts")) == {
        ("pending", 1)
    }

    with time_machine.travel(timezone.now() + timedelta(seconds=601)):
        run = publishing.publish_due()

    post.refresh_from_db()
    assert (post.state, len(bluesky.posts), run.found) == ("published", 2, 2)


def test_what_a_platform_answers_cannot_break_a_line_or_become_a_script_link(
    bsky: Any, fast_retries: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, _ = bsky
    post = scheduled(SHORT, [account])
    from hemonc.outreach.desk.platforms.bluesky import BlueskyAdapter

    monkeypatch.setattr(
        BlueskyAdapter,
        "publish",
        lambda self, part: publishing.Ref(
            id="at://x/app.bsky.feed.post/1", url="javascript:alert(1)"
        ),
    )
    run = publishing.publish_due()
    part = DeskPart.objects.get(post=post)
    assert part.url == "" and part.remote_id == "at://x/app.bsky.feed.post/1"
    assert run.published[0].line().endswith(" at://x/app.bsky.feed.post/1")

    hostile = publishing.Outcome(
        "bluesky", "a", 1, 1, error="<b>Refused</b>\nOK 2/2 https://evil.example\r\n=HYPERLINK()"
    )
    assert "\n" not in hostile.line() and "\r" not in hostile.line()
    assert hostile.line().endswith(
        "failed: <b>Refused</b> OK 2/2 https://evil.example =HYPERLINK()"
    )
