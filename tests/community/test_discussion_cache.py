"""A discussion's page of replies is cached for all its readers alike: every change shows at
once to everyone, and what one reader may not see (or may do) never reaches another."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hemonc.community.models import Discussion, Reply
from hemonc.community.services import spaces as services
from hemonc.members.models import User
from hemonc.members.services import block_create, mute_create, profile_update
from hemonc.moderation import services as moderation
from hemonc.moderation.items import KINDS
from hemonc.moderation.models import Case, Outcome, Reason
from hemonc.taxonomy.models import Topic
from tests.community.conftest import World


@dataclass
class Talk:
    discussion: Discussion
    first: Reply  # by the student
    second: Reply  # by the attending, quoting the first


@pytest.fixture
def talk(world: World) -> Talk:
    discussion = services.discussion_create(
        actor=world.fellow, space=world.everyone, title="What changed your practice?", body="?"
    )
    first = services.reply_create(
        actor=world.student, discussion=discussion, body="Reading the supplements first."
    )
    second = services.reply_create(
        actor=world.attending, discussion=discussion, body="A tumor board checklist.", quote=first
    )
    return Talk(discussion=discussion, first=first, second=second)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(client: Client, discussion: Discussion, query: str = "") -> str:
    response = client.get(f"{discussion.get_absolute_url()}{query}")
    assert response.status_code == 200
    return response.text


def _replies(page: str) -> str:
    return page[page.index('id="replies"') : page.index("</ol>", page.index('id="replies"'))]


def _reply_html(page: str, reply: Reply) -> str:
    """The markup of one reply on the page ("" when it is not there)."""
    start = page.find(f'id="reply-{reply.pk}"')
    if start < 0:
        return ""
    return page[start : page.find("</li>", start)]


def _count(page: str, reply: Reply, kind: str) -> str:
    """What the button of `kind` on `reply` says: its count and whether it is the reader's."""
    html = _reply_html(page, reply)
    start = html.find(f'value="{reply.pk}:{kind}"')
    button = html[start : html.find("</button>", start)]
    count = (
        button.split('<span class="reaction-count">')[1].split("<")[0] if "count" in button else "0"
    )
    return f"{count}{' mine' if 'aria-pressed="true"' in button else ''}"


# Each change: what it does (as the member, moderator or organizer who makes it) and what a
# reader who had the page cached sees right after.
Change = Callable[[World, Talk], None]


def _new_reply(world: World, talk: Talk) -> None:
    services.reply_create(actor=world.fellow, discussion=talk.discussion, body="Quokka news")


def _edit(world: World, talk: Talk) -> None:
    services.reply_update(actor=world.student, reply=talk.first, body="Quokka supplements")


def _take_down(world: World, talk: Talk) -> None:
    services.reply_moderate(actor=world.moderator, reply=talk.first, hidden=True)


def _delete(world: World, talk: Talk) -> None:
    Reply.objects.get(pk=talk.first.pk).delete()  # the admin's way


def _react(world: World, talk: Talk) -> None:
    services.reaction_toggle(
        actor=world.fellow, discussion=talk.discussion, reply=talk.second, kind="insightful"
    )


def _lock(world: World, talk: Talk) -> None:
    services.discussion_moderate(actor=world.moderator, discussion=talk.discussion, locked=True)


def _rename(world: World, talk: Talk) -> None:
    profile_update(profile=world.student.profile, actor=world.student, display_name="Quinn Quokka")


def _moderation_hides(world: World, talk: Talk) -> None:
    moderation.report_create(
        reporter=world.fellow,
        item_type="community.reply",
        item_id=str(talk.first.pk),
        reason=Reason.PATIENT_DATA,
    )


def _moderation_edits(world: World, talk: Talk) -> None:
    _moderation_hides(world, talk)
    moderation.case_decide(
        case=Case.objects.get(),
        actor=world.moderator,
        outcome=Outcome.REDACTED,
        reason="A name.",
        text="Reading the quokka supplements first.",
    )


def _tag(world: World, talk: Talk) -> None:
    services.discussion_update(
        actor=world.fellow,
        discussion=talk.discussion,
        title=talk.discussion.title,
        body=talk.discussion.body,
        tags=[Topic.objects.get(hashtag="bcsm")],
    )


def _space_renamed(world: World, talk: Talk) -> None:
    services.space_update(
        actor=world.organizer,
        space=world.everyone,
        name="Quokka lounge",
        description="",
        visibility=world.everyone.visibility,
    )


CHANGES: dict[str, tuple[Change, Callable[[str, Talk], bool]]] = {
    "a new reply": (_new_reply, lambda page, talk: "Quokka news" in page),
    "an edited reply": (
        _edit,
        lambda page, talk: (
            "Quokka supplements" in _reply_html(page, talk.first)
            and "Quokka supplements" in _reply_html(page, talk.second)
        ),  # its quote too
    ),
    "a reply taken down": (
        _take_down,
        lambda page, talk: (
            not _reply_html(page, talk.first)
            and "Quoting a reply you do not see" in _reply_html(page, talk.second)
        ),
    ),
    "a reply deleted": (_delete, lambda page, talk: not _reply_html(page, talk.first)),
    "a reaction": (_react, lambda page, talk: _count(page, talk.second, "insightful") == "1"),
    "a lock": (
        _lock,
        lambda page, talk: (
            "This discussion is locked" in page and "?quote=" not in _reply_html(page, talk.first)
        ),
    ),
    "an author's new name": (
        _rename,
        lambda page, talk: (
            "Quinn Quokka" in _reply_html(page, talk.first)
            and "Quinn Quokka wrote" in _reply_html(page, talk.second)
        ),
    ),
    "a reply hidden on a patient data report": (
        _moderation_hides,
        lambda page, talk: not _reply_html(page, talk.first),
    ),
    "a tag": (_tag, lambda page, talk: 'class="tag"' in page),
    "a space's new name": (_space_renamed, lambda page, talk: "Quokka lounge" in page),
    "patient data edited out by a moderator": (
        _moderation_edits,
        lambda page, talk: "quokka supplements" in _reply_html(page, talk.first),
    ),
}


@pytest.mark.parametrize("name", CHANGES)
def test_a_change_shows_at_once_to_a_reader_with_the_page_cached(
    world: World, talk: Talk, name: str
) -> None:
    change, shows = CHANGES[name]
    reader = _client(world.mentee)
    before = _page(reader, talk.discussion)
    assert _replies(before) == _replies(_page(reader, talk.discussion))  # now from the cache
    assert not shows(before, talk)
    change(world, talk)
    assert shows(_page(reader, talk.discussion), talk)


def test_a_tags_new_hashtag_shows_at_once(world: World, talk: Talk) -> None:
    _tag(world, talk)
    reader = _client(world.mentee)
    assert "#bcsm" in _page(reader, talk.discussion)
    topic = Topic.objects.get(hashtag="bcsm")
    topic.hashtag = "quokkacancer"
    topic.save()
    assert "#quokkacancer" in _page(reader, talk.discussion)


def test_a_reply_put_back_shows_again(world: World, talk: Talk) -> None:
    reader = _client(world.mentee)
    services.reply_moderate(actor=world.moderator, reply=talk.first, hidden=True)
    assert not _reply_html(_page(reader, talk.discussion), talk.first)
    services.reply_moderate(actor=world.moderator, reply=talk.first, hidden=False)
    assert "Reading the supplements" in _reply_html(_page(reader, talk.discussion), talk.first)


def test_a_reaction_taken_back_leaves_the_count(world: World, talk: Talk) -> None:
    reader = _client(world.mentee)
    _react(world, talk)
    assert _count(_page(reader, talk.discussion), talk.second, "insightful") == "1"
    _react(world, talk)
    assert _count(_page(reader, talk.discussion), talk.second, "insightful") == "0"


def test_a_blocked_members_replies_stay_hidden_with_the_cache_warm(
    world: World, talk: Talk
) -> None:
    services.reaction_toggle(
        actor=world.student, discussion=talk.discussion, reply=talk.second, kind="thanks"
    )
    fellow, mentee = _client(world.fellow), _client(world.mentee)
    for client in (fellow, mentee):
        assert _reply_html(_page(client, talk.discussion), talk.first)
    block_create(blocker=world.fellow, blocked=world.student)
    page = _page(fellow, talk.discussion)
    assert not _reply_html(page, talk.first)
    assert "Reading the supplements" not in page  # nor in the quote
    assert _count(page, talk.second, "thanks") == "0"  # nor their reaction
    assert "1 reply" in page
    # The one who did not block still sees everything, and the blocked member too.
    page = _page(mentee, talk.discussion)
    assert _reply_html(page, talk.first) and _count(page, talk.second, "thanks") == "1"
    assert "2 replies" in page
    # The blocked member no longer sees the discussion of the one who blocked them.
    assert _client(world.student).get(talk.discussion.get_absolute_url()).status_code == 404


def test_a_muted_members_replies_are_hidden_from_the_muter_only(world: World, talk: Talk) -> None:
    mentee, organizer = _client(world.mentee), _client(world.organizer)
    _page(mentee, talk.discussion)
    mute_create(muter=world.mentee, muted=world.attending)
    assert not _reply_html(_page(mentee, talk.discussion), talk.second)
    assert _reply_html(_page(organizer, talk.discussion), talk.second)
    assert _reply_html(_page(_client(world.student), talk.discussion), talk.second)


def test_a_reply_hidden_by_moderation_disappears_for_members_only(world: World, talk: Talk) -> None:
    member, moderator = _client(world.mentee), _client(world.moderator)
    _page(member, talk.discussion)
    _page(moderator, talk.discussion)
    KINDS["community.reply"].set_hidden(Reply.objects.get(pk=talk.first.pk), True)
    assert not _reply_html(_page(member, talk.discussion), talk.first)
    shown = _reply_html(_page(moderator, talk.discussion), talk.first)
    assert "taken down" in shown and "Put back" in shown
    # Members never get the moderator's buttons, nor the take-down, from the shared cache.
    assert "Take down" not in _page(member, talk.discussion)


def test_a_reply_taken_down_and_put_back_is_not_marked_edited(world: World, talk: Talk) -> None:
    member = _client(world.mentee)
    _page(member, talk.discussion)
    reply = KINDS["community.reply"]
    reply.set_hidden(Reply.objects.get(pk=talk.first.pk), True)
    reply.set_hidden(Reply.objects.get(pk=talk.first.pk), False)
    shown = _reply_html(_page(member, talk.discussion), talk.first)
    assert "Reading the supplements first." in shown and "edited" not in shown


def test_what_a_reader_may_do_is_their_own(world: World, talk: Talk) -> None:
    services.reaction_toggle(
        actor=world.student, discussion=talk.discussion, reply=talk.second, kind="insightful"
    )
    student, attending = _client(world.student), _client(world.attending)
    mentee = _client(world.mentee)
    for _ in range(2):  # cold, then warm
        page = _page(student, talk.discussion)
        assert f"replies/{talk.first.pk}/edit/" in page
        assert f"replies/{talk.second.pk}/edit/" not in page
        assert _count(page, talk.second, "insightful") == "1 mine"
        page = _page(attending, talk.discussion)
        assert f"replies/{talk.first.pk}/edit/" not in page
        assert f"replies/{talk.second.pk}/edit/" in page
        assert _count(page, talk.second, "insightful") == "1"
        page = _page(mentee, talk.discussion)
        assert "/edit/" not in page.split('id="replies"')[1]
        assert _count(page, talk.second, "insightful") == "1"
        assert "Take down" not in page


def test_times_show_in_each_readers_zone(world: World, talk: Talk) -> None:
    Reply.objects.filter(discussion=talk.discussion).update(
        created_at=talk.first.created_at.replace(hour=12, minute=0)
    )
    profile_update(profile=world.mentee.profile, actor=world.mentee, time_zone="Asia/Tokyo")
    profile_update(profile=world.student.profile, actor=world.student, time_zone="UTC")
    tokyo = _reply_html(_page(_client(world.mentee), talk.discussion), talk.second)
    utc = _reply_html(_page(_client(world.student), talk.discussion), talk.second)
    assert "21:00" in tokyo and "12:00" not in tokyo
    assert "12:00" in utc and "21:00" not in utc


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_page_costs_a_bounded_number_of_queries(world: World, talk: Talk) -> None:
    """The same few queries however many replies, quotes, reactions and authors: one per kind
    of thing on the page, and fewer when its replies come from the cache."""
    url = talk.discussion.get_absolute_url()
    client = _client(world.mentee)
    cold, warm = _queries(client, url), _queries(client, url)
    members = [world.fellow, world.student, world.attending, world.organizer, world.invited]
    replies = [
        Reply(
            discussion=talk.discussion,
            author=members[n % len(members)],
            body=f"Reply {n} @[Fiona Fellow]",
            body_html=f"<p>Reply {n} @[Fiona Fellow]</p>",
            mentions={"fiona fellow": world.fellow.pk},
            quote=talk.first,
        )
        for n in range(60)
    ]
    Reply.objects.bulk_create(replies)  # bulk writes send no signals: as a script would
    for reply in Reply.objects.filter(discussion=talk.discussion)[:40]:
        services.reaction_toggle(
            actor=world.organizer, discussion=talk.discussion, reply=reply, kind="thanks"
        )
    assert _queries(client, url) == cold
    assert _queries(client, f"{url}?page=2") == cold
    assert _queries(client, url) == warm
    # Warm: the session, the reader (account, profile, roles, hidden members), the discussion,
    # the spaces they see (five kinds here, one query each), the directory's version, their
    # own replies and reactions, their follow, and the header's (unread messages and
    # notifications, permissions, the code of conduct). Cold: the page's parts besides.
    assert warm <= 19
    assert cold <= warm + 6


def test_a_reader_with_no_blocks_shares_the_cache_with_others(world: World, talk: Talk) -> None:
    url = talk.discussion.get_absolute_url()
    first = _queries(_client(world.mentee), url)
    assert _queries(_client(world.invited), url) < first


def test_follow_posts_through_the_pages_form(world: World, talk: Talk) -> None:
    """The buttons of the page post through its one form, which carries the CSRF token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.mentee)
    for label, after in (("Follow", "Stop following"), ("Stop following", "Follow")):
        page = _page(client, talk.discussion)
        form = page[page.index('<form id="post-actions"') :].split("</form>")[0]
        token = form.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        start = page.index('formaction="', page.index('<div class="actions">'))
        button = page[start : page.index("</button>", start)]
        assert label in button
        action = button.split('formaction="')[1].split('"')[0]
        value = button.split('value="')[1].split('"')[0]
        response = client.post(action, {"csrfmiddlewaretoken": token, "following": value})
        assert response.status_code == 302
        page = _page(client, talk.discussion)
        start = page.index('formaction="', page.index('<div class="actions">'))
        assert after in page[start : page.index("</button>", start)]
