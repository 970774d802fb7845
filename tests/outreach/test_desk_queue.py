"""Queues: weekly slots in the account's time zone (through the clock changes), "add to queue"
takes the next free slot, reordering swaps the times."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine

from hemonc.core.errors import DomainError
from hemonc.core.permissions import OPERATOR
from hemonc.outreach.desk import services
from hemonc.outreach.models import DeskPost, SocialAccount
from tests.outreach.desk_support import approved

pytestmark = pytest.mark.django_db

MONDAY, THURSDAY, SUNDAY = 0, 3, 6
# 2026: the US clocks go forward on Sunday 8 March and back on Sunday 1 November.
BEFORE_FALL_BACK = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)  # a Saturday


@pytest.fixture
def account() -> SocialAccount:
    made, _ = services.account_save(
        platform="bluesky",
        handle="hemonc.bsky.social",
        service="https://bsky.example",
        secret="app-password",
        actor=OPERATOR,
        time_zone="America/New_York",
    )
    # The #BCSM and #LCSM chats: Monday and Thursday, 8 pm Eastern.
    services.queue_slots_set(
        account=made, actor=OPERATOR, slots=[(MONDAY, time(20, 0)), (THURSDAY, time(20, 0))]
    )
    return made


def test_slots_keep_their_local_time_across_the_clock_change(account: SocialAccount) -> None:
    moments = services.slot_times(account, after=BEFORE_FALL_BACK, weeks=2)[:4]
    assert moments == [
        datetime(2026, 10, 27, 0, 0, tzinfo=UTC),  # Mon 26 Oct 20:00 EDT
        datetime(2026, 10, 30, 0, 0, tzinfo=UTC),  # Thu 29 Oct 20:00 EDT
        datetime(2026, 11, 3, 1, 0, tzinfo=UTC),  # Mon 2 Nov 20:00 EST
        datetime(2026, 11, 6, 1, 0, tzinfo=UTC),  # Thu 5 Nov 20:00 EST
    ]


def test_a_slot_the_clocks_skip_is_taken_just_after_the_change(account: SocialAccount) -> None:
    services.queue_slots_set(account=account, actor=OPERATOR, slots=[(SUNDAY, time(2, 30))])
    [spring, *_] = services.slot_times(account, after=datetime(2026, 3, 7, tzinfo=UTC), weeks=1)
    assert spring == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT, the first moment after


def test_add_to_queue_takes_the_next_free_slots_in_turn(account: SocialAccount) -> None:
    with time_machine.travel(BEFORE_FALL_BACK, tick=False):
        first = services.post_add_to_queue(post=approved("First.", [account]), actor=OPERATOR)
        second = services.post_add_to_queue(post=approved("Second.", [account]), actor=OPERATOR)
        third = services.post_add_to_queue(post=approved("Third.", [account]), actor=OPERATOR)

    assert [first.scheduled_at, second.scheduled_at, third.scheduled_at] == [
        datetime(2026, 10, 27, 0, 0, tzinfo=UTC),
        datetime(2026, 10, 30, 0, 0, tzinfo=UTC),
        datetime(2026, 11, 3, 1, 0, tzinfo=UTC),
    ]
    assert first.release_at == first.scheduled_at
    assert first.queue_account == account
    assert [p.pk for p in services.queued_posts(account)] == [first.pk, second.pk, third.pk]

    # A post taken back frees its slot for the next one added.
    with time_machine.travel(BEFORE_FALL_BACK, tick=False):
        services.post_cancel(post=second, actor=OPERATOR)
        fourth = services.post_add_to_queue(post=approved("Fourth.", [account]), actor=OPERATOR)
    assert fourth.scheduled_at == datetime(2026, 10, 30, 0, 0, tzinfo=UTC)


def test_reordering_the_queue_moves_the_posts_through_the_same_times(
    account: SocialAccount,
) -> None:
    with time_machine.travel(BEFORE_FALL_BACK, tick=False):
        posts = [
            services.post_add_to_queue(post=approved(f"Post {n}.", [account]), actor=OPERATOR)
            for n in range(3)
        ]
        times = [post.scheduled_at for post in posts]
        order = [posts[2].pk, posts[0].pk, posts[1].pk]
        reordered = services.queue_reorder(account=account, actor=OPERATOR, post_ids=order)

        assert [post.pk for post in reordered] == order
        assert [DeskPost.objects.get(pk=pk).scheduled_at for pk in order] == times
        with pytest.raises(DomainError, match="queue changed"):
            services.queue_reorder(account=account, actor=OPERATOR, post_ids=order[:2])


def test_a_slot_inside_the_undo_window_is_not_taken(account: SocialAccount) -> None:
    slot = datetime(2026, 10, 27, 0, 0, tzinfo=UTC)
    with time_machine.travel(slot - timedelta(seconds=30), tick=False):
        post = services.post_add_to_queue(post=approved("Late.", [account]), actor=OPERATOR)
    assert post.scheduled_at == datetime(2026, 10, 30, 0, 0, tzinfo=UTC)


def test_an_account_without_slots_has_no_queue() -> None:
    account, _ = services.account_save(
        platform="mastodon",
        handle="hemonc@mastodon.example",
        service="https://mastodon.example",
        secret="token",
        actor=OPERATOR,
    )
    with pytest.raises(DomainError, match="no free queue slot"):
        services.post_add_to_queue(post=approved("Soon.", [account]), actor=OPERATOR)
