from __future__ import annotations

from hemonc.community import selectors
from hemonc.community.enums import NotificationKind
from hemonc.community.services.notifications import (
    notification_mark_all_read,
    notification_mark_read,
    notification_settings_update,
    notify,
)
from hemonc.members.services import block_create, mute_create
from tests.community.conftest import World, fresh


def test_notify_writes_and_counts(world: World) -> None:
    note = notify(
        recipient=world.fellow,
        kind="reply",
        text="x replied",
        actor=world.student,
        url="/community/",
    )
    assert note is not None
    assert selectors.notification_unread_count(world.fellow) == 1
    notification_mark_read(notification_id=note.pk, actor=world.fellow)
    assert selectors.notification_unread_count(world.fellow) == 0


def test_notify_skips_kinds_turned_off(world: World) -> None:
    notification_settings_update(actor=world.fellow, enabled={"mention": False})
    assert notify(recipient=world.fellow, kind=NotificationKind.MENTION, text="m") is None
    assert notify(recipient=world.fellow, kind=NotificationKind.REPLY, text="r") is not None


def test_notify_skips_invisible_space_and_vanishes_when_space_hidden(world: World) -> None:
    assert notify(recipient=world.attending, kind="reply", text="t", space=world.trainees) is None
    assert notify(recipient=world.fellow, kind="reply", text="t", space=world.trainees)
    world.trainees.visibility = "organizers"
    world.trainees.save()
    assert selectors.notification_unread_count(fresh(world.fellow)) == 0
    assert not selectors.notifications_for(fresh(world.fellow)).exists()


def test_notify_skips_and_hides_blocked_actor(world: World) -> None:
    assert notify(recipient=world.fellow, kind="reply", text="t", actor=world.student)
    block_create(blocker=world.student, blocked=world.fellow)
    # The one blocked no longer sees what the blocker did, nor gets new notifications of it.
    assert selectors.notification_unread_count(fresh(world.fellow)) == 0
    assert (
        notify(recipient=fresh(world.fellow), kind="reply", text="t", actor=world.student) is None
    )
    assert (
        notify(recipient=world.student, kind="reply", text="t", actor=fresh(world.fellow)) is None
    )


def test_notify_skips_muted_actor(world: World) -> None:
    mute_create(muter=world.fellow, muted=world.student)
    assert (
        notify(recipient=fresh(world.fellow), kind="reply", text="t", actor=world.student) is None
    )
    # The muted member is not told and still hears from the one who muted them.
    assert notify(recipient=world.student, kind="reply", text="t", actor=fresh(world.fellow))


def test_mark_all_read(world: World) -> None:
    for _ in range(3):
        notify(recipient=world.fellow, kind="reply", text="t")
    assert notification_mark_all_read(actor=world.fellow) == 3
    assert selectors.notification_unread_count(world.fellow) == 0
