"""Blocks and mutes in the community: one test per surface. A blocked member's discussions,
replies, reactions and mentions are hidden from the one who blocked (and the other way);
neither can mention the other."""

from __future__ import annotations

import pytest
from django.test import Client

from hemonc.community import selectors
from hemonc.community.models import Discussion, Notification
from hemonc.community.services import spaces as services
from hemonc.members.models import User
from hemonc.members.services import block_create, mute_create
from hemonc.taxonomy.models import Topic
from tests.community.conftest import World, fresh


@pytest.fixture
def blocked(world: World) -> dict[str, object]:
    """The student's discussion and reply, and the fellow's discussion the student reacted
    to; then the fellow blocks the student."""
    topic = Topic.objects.get(hashtag="bcsm")
    theirs = services.discussion_create(
        actor=world.student, space=world.everyone, title="Quokka by the student",
        body="quokka", tags=[topic],
    )  # fmt: skip
    mine = services.discussion_create(
        actor=world.fellow, space=world.everyone, title="Quokka by the fellow", body="quokka"
    )
    reply = services.reply_create(actor=world.student, discussion=mine, body="Reply by the student")
    services.reply_create(actor=world.attending, discussion=mine, body="Reply by the attending")
    services.reaction_toggle(actor=world.student, discussion=mine, kind="insightful")
    block_create(blocker=world.fellow, blocked=world.student)
    return {"theirs": theirs, "mine": mine, "reply": reply}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_space_list_of_discussions(world: World, blocked: dict) -> None:
    page = _client(world.fellow).get("/community/s/general/").text
    assert "Quokka by the fellow" in page
    assert "Quokka by the student" not in page
    # Both ways: the blocked member no longer finds the blocker's discussion.
    page = _client(world.student).get("/community/s/general/").text
    assert "Quokka by the fellow" not in page


def test_discussion_count(world: World, blocked: dict) -> None:
    assert selectors.space_discussion_counts(fresh(world.fellow), [world.everyone]) == {
        world.everyone.pk: 1
    }
    assert selectors.space_discussion_counts(world.attending, [world.everyone]) == {
        world.everyone.pk: 2
    }


def test_direct_link_to_the_blocked_members_discussion(world: World, blocked: dict) -> None:
    url = blocked["theirs"].get_absolute_url()  # type: ignore[attr-defined]
    assert _client(world.fellow).get(url).status_code == 404
    assert _client(world.attending).get(url).status_code == 200


def test_replies_on_a_discussion_page(world: World, blocked: dict) -> None:
    url = blocked["mine"].get_absolute_url()  # type: ignore[attr-defined]
    page = _client(world.fellow).get(url).text
    assert "Reply by the attending" in page
    assert "Reply by the student" not in page
    assert "1 reply" in page


def test_reactions(world: World, blocked: dict) -> None:
    discussion = blocked["mine"]
    counts, _ = selectors.reaction_counts(fresh(world.fellow), discussion=discussion, replies=[])  # type: ignore[arg-type]
    assert counts == {}
    counts, _ = selectors.reaction_counts(world.attending, discussion=discussion, replies=[])  # type: ignore[arg-type]
    assert counts == {"d": {"insightful": 1}}


def test_search(world: World, blocked: dict) -> None:
    found = set(
        selectors.discussion_search(fresh(world.fellow), "quokka").values_list("title", flat=True)
    )
    assert found == {"Quokka by the fellow"}
    page = _client(world.fellow).get("/community/search/", {"q": "quokka"}).text
    assert "Quokka by the student" not in page


def test_mentions_neither_way(world: World, blocked: dict) -> None:
    Notification.objects.all().delete()
    by_student = services.discussion_create(
        actor=fresh(world.student), space=world.everyone, title="Hi", body="@[Fiona Fellow] hi"
    )
    by_fellow = services.discussion_create(
        actor=fresh(world.fellow), space=world.everyone, title="Hi", body="@[Sam Student] hi"
    )
    assert by_student.mentions == {} and by_fellow.mentions == {}
    assert not Notification.objects.exists()


def test_an_old_mention_shows_as_plain_text_after_a_block(world: World) -> None:
    discussion = services.discussion_create(
        actor=world.attending, space=world.everyone, title="Hi", body="Ask @[Sam Student]"
    )
    block_create(blocker=world.fellow, blocked=world.student)
    page = _client(world.fellow).get(discussion.get_absolute_url()).text
    assert f'href="/members/{world.student.pk}/"' not in page
    assert "@Sam Student" in page


def test_notifications(world: World, blocked: dict) -> None:
    # Before the block the student's reply notified the fellow; it no longer shows.
    assert not selectors.notifications_for(fresh(world.fellow)).filter(actor=world.student).exists()
    assert Notification.objects.filter(recipient=world.fellow, actor=world.student).exists()
    # Nothing new either: the student cannot reach the fellow's discussion to reply.
    with pytest.raises(Exception, match="no such discussion"):
        services.reply_create(
            actor=fresh(world.student),
            discussion=blocked["mine"],
            body="Again",  # type: ignore[arg-type]
        )


def test_followed_discussions_feed(world: World, blocked: dict) -> None:
    services.follow_set(
        actor=fresh(world.fellow), following=True, topic=Topic.objects.get(hashtag="bcsm")
    )
    # Their own discussion (followed as its author) stays; the blocked member's tagged one not.
    titles = set(
        selectors.followed_discussions(fresh(world.fellow)).values_list("title", flat=True)
    )
    assert titles == {"Quokka by the fellow"}


def test_mute_hides_one_way(world: World) -> None:
    discussion = services.discussion_create(
        actor=world.student, space=world.everyone, title="Muted one's post", body="text"
    )
    mute_create(muter=world.fellow, muted=world.student)
    assert (
        not selectors.discussions_visible_to(fresh(world.fellow)).filter(pk=discussion.pk).exists()
    )
    assert Discussion.objects.filter(pk=discussion.pk).exists()
    mine = services.discussion_create(
        actor=fresh(world.fellow), space=world.everyone, title="Fellow's post", body="text"
    )
    assert selectors.discussions_visible_to(fresh(world.student)).filter(pk=mine.pk).exists()
