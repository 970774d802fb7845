"""Hostile text: HTML in titles and bodies, odd search syntax, huge values."""

from __future__ import annotations

import pytest
from django.test import Client

from hemonc.community import selectors
from hemonc.community.models import Discussion, Reply
from hemonc.community.services import spaces as services
from hemonc.members.models import User
from tests.community.conftest import World

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_html_in_titles_and_bodies_is_shown_as_text(world: World) -> None:
    discussion = services.discussion_create(
        actor=world.fellow, space=world.everyone, title=f"Title {HOSTILE}",
        body=f"Body {HOSTILE} [link](javascript:alert(1)) @[{HOSTILE}]",
    )  # fmt: skip
    services.reply_create(actor=world.student, discussion=discussion, body=f"Reply {HOSTILE}")
    client = _client(world.fellow)
    for url in (
        discussion.get_absolute_url(),
        "/community/s/general/",
        "/community/search/?q=title",
        "/community/notifications/",
    ):
        page = client.get(url).text
        assert "<script>alert" not in page, url
        assert "<img src=x" not in page, url
        assert 'href="javascript:' not in page, url


@pytest.mark.parametrize(
    "query",
    ['"', '"unterminated', "NEAR(a b)", "a OR b", "-x", "x:y", "*", "^", "(((", "ü名", "a" * 5000,
     "\x00", "' OR 1=1 --", "AND", "title:*"],
)  # fmt: skip
def test_search_with_odd_syntax_never_fails(world: World, query: str) -> None:
    services.discussion_create(actor=world.fellow, space=world.everyone, title="Title", body="b")
    assert list(selectors.discussion_search(world.fellow, query)) is not None
    response = _client(world.fellow).get("/community/search/", {"q": query[:200]})
    assert response.status_code == 200


def test_huge_values_are_refused_not_crashing(world: World) -> None:
    client = _client(world.fellow)
    response = client.post(
        "/community/s/general/new/", {"title": "t" * 10_000, "body": "b" * 200_000}
    )
    assert response.status_code == 400
    assert not Discussion.objects.exists()
    discussion = services.discussion_create(
        actor=world.fellow, space=world.everyone, title="Fine", body="Fine"
    )
    response = client.post(f"{discussion.get_absolute_url()}reply/", {"body": "r" * 50_000})
    assert response.status_code == 400
    response = client.post(
        f"{discussion.get_absolute_url()}reply/", {"body": "ok", "quote": "9" * 40}
    )
    assert response.status_code == 400
    assert not Reply.objects.exists()
    huge = 2**70
    assert client.get(f"/community/s/general/{huge}/").status_code == 404
    assert client.post(f"/community/notifications/{huge}/read/").status_code == 404
    response = client.post(f"{discussion.get_absolute_url()}react/", {"target": f"{huge}:thanks"})
    assert response.status_code == 302


def test_many_mentions_and_odd_names(world: World) -> None:
    body = " ".join(f"@[Name {n}]" for n in range(500)) + " @[" + "x" * 300 + "] @[]"
    discussion = services.discussion_create(
        actor=world.fellow, space=world.everyone, title="Many", body=body
    )
    assert discussion.mentions == {}
    assert _client(world.fellow).get(discussion.get_absolute_url()).status_code == 200


def test_nul_bytes_and_line_breaks_in_titles(world: World) -> None:
    response = _client(world.fellow).post(
        "/community/s/general/new/", {"title": "a\x00b\nc", "body": "text\x00"}
    )
    assert response.status_code in (302, 400)
    for discussion in Discussion.objects.all():
        assert "\n" not in discussion.title and "\x00" not in discussion.body
