"""The community's part of the demo: the fixed spaces and sign-ins, and a coherent story."""

from __future__ import annotations

import pytest
from django.test import Client

from hemonc.community import selectors
from hemonc.community.enums import DiscussionKind
from hemonc.community.models import Discussion, Reply, Space
from hemonc.core.phi import scan
from hemonc.members.demo import DEMO_DOMAIN
from hemonc.members.models import Block, User
from hemonc.taxonomy.enums import Stage

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


@pytest.fixture
def demo(demo_network: str) -> str:
    return demo_network


def _user(name: str) -> User:
    return User.objects.get(email=f"{name}@{DEMO_DOMAIN}")


def _client(name: str) -> Client:
    client = Client()
    assert client.login(email=f"{name}@{DEMO_DOMAIN}", password=f"demo-{name}")
    return client


def test_demo_prints_the_new_sign_ins(demo: str) -> None:
    assert "attending@demo.hemonc.example  demo-attending" in demo
    assert "blocked@demo.hemonc.example    demo-blocked" in demo
    assert "Created the demo spaces" in demo


def test_demo_spaces_and_who_sees_them(demo: str) -> None:
    general, trainees = Space.objects.get(slug="general"), Space.objects.get(slug="trainees")
    assert (general.visibility, trainees.visibility) == ("members", "trainees")
    attending, member = _user("attending"), _user("member")
    assert attending.profile.stage == Stage.ATTENDING
    assert selectors.space_is_visible(attending, general)
    assert not selectors.space_is_visible(attending, trainees)
    assert selectors.space_is_visible(member, trainees)
    assert _client("attending").get("/community/s/trainees/").status_code == 404
    assert _client("member").get("/community/s/trainees/").status_code == 200


def test_demo_member_has_blocked_the_blocked_fellow(demo: str) -> None:
    member, blocked = _user("member"), _user("blocked")
    assert blocked.profile.stage == Stage.FELLOW
    assert Block.objects.filter(blocker=member, blocked=blocked).exists()
    welcome = Discussion.objects.get(title="Welcome to the community")
    assert Reply.objects.filter(discussion=welcome, author=blocked).exists()
    page = _client("member").get(welcome.get_absolute_url()).text
    assert "first-year fellow here" not in page
    assert "first-year fellow here" in _client("attending").get(welcome.get_absolute_url()).text


def test_demo_journal_club_and_chat_linked_to_sessions(demo: str) -> None:
    club = Discussion.objects.get(kind=DiscussionKind.JOURNAL_CLUB)
    chat = Discussion.objects.get(kind=DiscussionKind.CHAT)
    assert club.session is not None and club.session.kind == "journal_club"
    assert club.paper_doi and club.paper_title and club.paper_year
    assert chat.session is not None and chat.starts_at == chat.session.starts_at
    assert club.replies.exists() and chat.replies.exists()


def test_demo_text_is_synthetic_and_clean(demo: str) -> None:
    for discussion in Discussion.objects.all():
        assert "Synthetic demo" in discussion.body
        assert not scan(discussion.title) and not scan(discussion.body)
    for reply in Reply.objects.all():
        assert not scan(reply.body)
