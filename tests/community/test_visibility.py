"""A space a member may not see does not exist for them anywhere: each kind of space, each
stage and role, on every surface (list, counts, search, direct links, mentions,
notifications, the header's count, the digest's feed of followed discussions)."""

from __future__ import annotations

import pytest
from django.test import Client

from hemonc.community import selectors
from hemonc.community.models import Notification
from hemonc.community.services import spaces as services
from hemonc.community.services.notifications import notify
from hemonc.core.permissions import OPERATOR
from hemonc.members.models import User
from hemonc.taxonomy.models import Topic
from tests.community.conftest import World, fresh

SEES = {
    "general": {"fellow", "student", "attending", "organizer", "moderator", "mentee", "invited"},
    "trainees": {"fellow", "student"},
    "organizers": {"organizer"},
    "spring": {"mentee"},
    "writing": {"invited"},
}
PEOPLE = ("fellow", "student", "attending", "organizer", "moderator", "mentee", "invited")
# Who writes in each space (sees it); the word every title holds, to search for.
WRITERS = {
    "general": "organizer",
    "trainees": "student",
    "organizers": "organizer",
    "spring": "mentee",
    "writing": "invited",
}
SPACES = {"general": "everyone", "trainees": "trainees", "organizers": "organizers",
          "spring": "program", "writing": "invited_space"}  # fmt: skip


@pytest.fixture
def posted(world: World) -> dict[str, object]:
    services.space_invite(actor=OPERATOR, space=world.invited_space, user=world.fellow)
    topic = Topic.objects.get(hashtag="bcsm")
    found = {}
    for slug, writer in WRITERS.items():
        space = getattr(world, SPACES[slug])
        found[slug] = services.discussion_create(
            actor=getattr(world, writer),
            space=space,
            title=f"Zephyrine {slug} roundup",
            body="A word nobody else uses: zephyrine.",
            tags=[topic],
        )
    return found


def _sees(world: World, person: str, slug: str) -> bool:
    if person == "fellow" and slug == "writing":
        return True  # invited by the fixture above
    return person in SEES[slug]


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("person", PEOPLE)
def test_list_and_counts(world: World, posted: dict, person: str) -> None:
    page = _client(getattr(world, person)).get("/community/").text
    for slug in SPACES:
        name = getattr(world, SPACES[slug]).name
        assert (name in page) == _sees(world, person, slug), (person, slug)
    counts = selectors.space_discussion_counts(
        getattr(world, person), list(selectors.spaces_visible_to(getattr(world, person)))
    )
    assert sum(counts.values()) == sum(_sees(world, person, slug) for slug in SPACES)


@pytest.mark.parametrize("person", PEOPLE)
def test_direct_links_answer_404(world: World, posted: dict, person: str) -> None:
    client = _client(getattr(world, person))
    for slug, discussion in posted.items():
        expected = 200 if _sees(world, person, slug) else 404
        for url in (
            f"/community/s/{slug}/",
            f"/community/s/{slug}/new/",
            discussion.get_absolute_url(),  # type: ignore[attr-defined]
            f"{discussion.get_absolute_url()}live/",  # type: ignore[attr-defined]
        ):
            assert client.get(url).status_code == expected, (person, url)
        response = client.post(
            f"{discussion.get_absolute_url()}reply/",  # type: ignore[attr-defined]
            {"body": "Hello"},
        )
        assert response.status_code in ((302,) if _sees(world, person, slug) else (404,))


@pytest.mark.parametrize("person", PEOPLE)
def test_search(world: World, posted: dict, person: str) -> None:
    user = getattr(world, person)
    found = set(selectors.discussion_search(user, "zephyr").values_list("space__slug", flat=True))
    assert found == {slug for slug in SPACES if _sees(world, person, slug)}
    page = _client(user).get("/community/search/", {"q": "zephyrine"}).text
    for slug in SPACES:
        assert (f"Zephyrine {slug} roundup" in page) == _sees(world, person, slug)


@pytest.mark.parametrize("person", PEOPLE)
def test_mentions(world: World, person: str) -> None:
    user = getattr(world, person)
    name = user.profile.display_name
    for slug, writer in WRITERS.items():
        author = getattr(world, writer)
        if author.pk == user.pk:
            continue
        Notification.objects.all().delete()
        discussion = services.discussion_create(
            actor=author, space=getattr(world, SPACES[slug]), title="Hi", body=f"@[{name}] look"
        )
        sees = person in SEES[slug]
        assert bool(discussion.mentions) == sees, (person, slug)
        assert Notification.objects.filter(recipient=user).exists() == sees


@pytest.mark.parametrize("person", PEOPLE)
def test_notifications_and_header_count(world: World, person: str) -> None:
    user = getattr(world, person)
    for slug in SPACES:
        notify(recipient=user, kind="reply", text=f"In {slug}", space=getattr(world, SPACES[slug]))
    shown = {n.text for n in selectors.notifications_for(user)}
    assert shown == {f"In {slug}" for slug in SPACES if person in SEES[slug]}
    client = _client(user)
    page = client.get("/community/notifications/").text
    for slug in SPACES:
        assert (f"In {slug}" in page) == (person in SEES[slug])
    count = len(shown)
    assert f'<span class="nav-count">{count}<' in client.get("/community/").text


def test_notifications_vanish_when_a_space_is_no_longer_visible(world: World) -> None:
    notify(recipient=world.invited, kind="reply", text="Writing news", space=world.invited_space)
    assert selectors.notification_unread_count(world.invited) == 1
    services.space_uninvite(actor=OPERATOR, space=world.invited_space, user=world.invited)
    assert selectors.notification_unread_count(fresh(world.invited)) == 0
    page = _client(world.invited).get("/community/notifications/").text
    assert "Writing news" not in page


@pytest.mark.parametrize("person", PEOPLE)
def test_followed_discussions_feed(world: World, posted: dict, person: str) -> None:
    user = getattr(world, person)
    services.follow_set(actor=user, following=True, topic=Topic.objects.get(hashtag="bcsm"))
    found = set(selectors.followed_discussions(user).values_list("space__slug", flat=True))
    assert found == {slug for slug in SPACES if _sees(world, person, slug)}


def test_visitors_are_sent_to_sign_in(world: World, posted: dict) -> None:
    for url in ("/community/", "/community/s/general/", posted["general"].get_absolute_url()):  # type: ignore[attr-defined]
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
