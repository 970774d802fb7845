"""What members, moderators and organizers see and do on the community's pages."""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from hemonc.community.models import Discussion, Notification, Reply, Space, StageVerification
from hemonc.community.services import spaces as services
from hemonc.community.services.notifications import notify
from hemonc.members.models import User
from hemonc.taxonomy.models import Topic
from tests.community.conftest import World

PHI_TEXT = "Patient John Smith, MRN 12345678, seen on 03/14/2025."


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_new_discussion_with_patient_identifiers_is_held_until_attested(world: World) -> None:
    client = _client(world.fellow)
    response = client.post("/community/s/trainees/new/", {"title": "Case", "body": PHI_TEXT})
    assert response.status_code == 400
    assert "may identify a patient" in response.text
    assert "<mark" in response.text  # the finding marked in the text
    assert "phi_attest" in response.text
    assert not Discussion.objects.exists()
    response = client.post(
        "/community/s/trainees/new/", {"title": "Case", "body": PHI_TEXT, "phi_attest": "on"}
    )
    assert response.status_code == 302
    assert Discussion.objects.count() == 1


def test_reply_with_patient_identifiers_is_held(world: World) -> None:
    discussion = services.discussion_create(
        actor=world.fellow, space=world.trainees, title="Q", body="?"
    )
    response = _client(world.student).post(
        f"{discussion.get_absolute_url()}reply/", {"body": PHI_TEXT}
    )
    assert response.status_code == 400
    assert "may identify a patient" in response.text
    assert not Reply.objects.exists()


def test_quote_shows_one_level(world: World) -> None:
    discussion = services.discussion_create(
        actor=world.fellow, space=world.everyone, title="Q", body="?"
    )
    first = services.reply_create(actor=world.student, discussion=discussion, body="First words")
    second = services.reply_create(
        actor=world.attending, discussion=discussion, body="Second", quote=first
    )
    services.reply_create(actor=world.fellow, discussion=discussion, body="Third", quote=second)
    page = _client(world.fellow).get(discussion.get_absolute_url()).text
    assert page.count('class="quote"') == 2
    assert "Sam Student wrote:" in page and "Alan Attending wrote:" in page


def test_edit_history_for_moderators_only(world: World) -> None:
    discussion = services.discussion_create(
        actor=world.fellow, space=world.everyone, title="Before", body="Old text"
    )
    response = _client(world.fellow).post(
        f"{discussion.get_absolute_url()}edit/", {"title": "After", "body": "New text"}
    )
    assert response.status_code == 302
    url = f"{discussion.get_absolute_url()}history/"
    assert _client(world.fellow).get(url).status_code == 404
    page = _client(world.moderator).get(url).text
    assert "Old text" in page and "Before" in page
    assert "Edit history (1)" in _client(world.moderator).get(discussion.get_absolute_url()).text
    assert _client(world.student).get(f"{discussion.get_absolute_url()}edit/").status_code == 404


def test_moderator_pins_locks_and_takes_down(world: World) -> None:
    discussion = services.discussion_create(
        actor=world.fellow, space=world.everyone, title="Pin me", body="text"
    )
    url = f"{discussion.get_absolute_url()}moderate/"
    assert _client(world.fellow).post(url, {"action": "pin"}).status_code == 404
    client = _client(world.moderator)
    for action in ("pin", "lock"):
        assert client.post(url, {"action": action}).status_code == 302
    page = _client(world.student).get(discussion.get_absolute_url()).text
    assert "Pinned" in page and "locked" in page
    assert 'id="reply-form"' not in page
    client.post(url, {"action": "hide"})
    assert _client(world.student).get(discussion.get_absolute_url()).status_code == 404
    assert client.get(discussion.get_absolute_url()).status_code == 200


def test_reactions_by_button(world: World) -> None:
    discussion = services.discussion_create(
        actor=world.fellow, space=world.everyone, title="React", body="text"
    )
    client = _client(world.student)
    client.post(f"{discussion.get_absolute_url()}react/", {"target": "d:thanks"})
    page = client.get(discussion.get_absolute_url()).text
    assert 'aria-pressed="true"' in page
    assert '<span class="reaction-count">1</span>' in page


def test_journal_club_shows_its_paper_and_session(world: World) -> None:
    from hemonc.events.models import LiveSession

    session = LiveSession.objects.create(
        title="Journal club: AML", starts_at=timezone.now() + timedelta(days=2), time_zone="UTC"
    )
    club = services.discussion_create(
        actor=world.organizer, space=world.everyone, kind="journal_club", title="JC",
        body="Read it.", session=session,
        paper={"paper_doi": "10.1056/NEJMoa0000000", "paper_title": "A demo trial",
               "paper_journal": "Demo Journal", "paper_year": 2025},
    )  # fmt: skip
    page = _client(world.student).get(club.get_absolute_url()).text
    assert "A demo trial" in page and "Demo Journal" in page and "(2025)" in page
    assert 'href="https://doi.org/10.1056/NEJMoa0000000"' in page
    assert session.get_absolute_url() in page


def test_chat_polls_during_its_hour_and_stops_after(world: World) -> None:
    chat = services.discussion_create(
        actor=world.organizer, space=world.everyone, kind="chat", title="Chat",
        body="Q1 soon", starts_at=timezone.now() - timedelta(minutes=5),
    )  # fmt: skip
    client = _client(world.student)
    page = client.get(chat.get_absolute_url()).text
    assert 'data-hx-trigger="every 10s"' in page
    reply = services.reply_create(actor=world.fellow, discussion=chat, body="A1: here")
    live = client.get(f"{chat.get_absolute_url()}live/?after=0").text
    assert "A1: here" in live
    assert f"after={reply.pk}" in live and 'data-hx-swap-oob="true"' in live
    assert "A1: here" not in client.get(f"{chat.get_absolute_url()}live/?after={reply.pk}").text
    Discussion.objects.filter(pk=chat.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    assert "every 10s" not in client.get(chat.get_absolute_url()).text


def test_notifications_mark_read_and_open(world: World) -> None:
    one = notify(recipient=world.fellow, kind="reply", text="One", url="/community/")
    notify(recipient=world.fellow, kind="reply", text="Two")
    client = _client(world.fellow)
    assert '<span class="nav-count">2<' in client.get("/community/").text
    response = client.post(f"/community/notifications/{one.pk}/read/", {"open": "1"})  # type: ignore[union-attr]
    assert response["Location"] == "/community/"
    assert '<span class="nav-count">1<' in client.get("/community/").text
    client.post("/community/notifications/read-all/")
    assert "nav-count" not in client.get("/community/").text
    # Another member's notification: no such notification for them.
    other = notify(recipient=world.student, kind="reply", text="Theirs")
    assert client.post(f"/community/notifications/{other.pk}/read/").status_code == 404  # type: ignore[union-attr]


def test_notification_settings_turn_a_kind_off(world: World) -> None:
    client = _client(world.fellow)
    fields = {"reply": "on", "message": "on"}  # mention and the others left off
    assert client.post("/community/notifications/settings/", fields).status_code == 302
    discussion = services.discussion_create(
        actor=world.student, space=world.everyone, title="Hi", body="@[Fiona Fellow] hi"
    )
    assert not Notification.objects.filter(recipient=world.fellow).exists()
    services.follow_set(actor=world.fellow, following=True, discussion=discussion)
    services.reply_create(actor=world.student, discussion=discussion, body="More")
    assert Notification.objects.filter(recipient=world.fellow, kind="reply").exists()


def test_organizer_opens_a_space_invites_and_verifies_a_stage(world: World) -> None:
    client = _client(world.organizer)
    response = client.post(
        "/community/organize/spaces/",
        {"slug": "circle", "name": "Writing circle", "visibility": "invited"},
    )
    assert response.status_code == 302
    space = Space.objects.get(slug="circle")
    assert _client(world.student).get("/community/s/circle/").status_code == 404
    client.post("/community/organize/spaces/circle/invite/", {"user": world.student.pk})
    assert _client(world.student).get("/community/s/circle/").status_code == 200
    assert space.memberships.filter(user=world.student).exists()
    client.post("/community/organize/stages/", {"user": world.fellow.pk, "stage": "attending"})
    assert StageVerification.objects.get(user=world.fellow).stage == "attending"
    assert _client(world.fellow).get("/community/s/trainees/").status_code == 404
    assert _client(world.fellow).get("/community/organize/spaces/").status_code == 403


def test_tag_filter_and_follow(world: World) -> None:
    from hemonc.taxonomy.models import Topic

    topic = Topic.objects.get(hashtag="bcsm")
    services.discussion_create(
        actor=world.fellow, space=world.everyone, title="Tagged one", body="x", tags=[topic]
    )
    services.discussion_create(actor=world.fellow, space=world.everyone, title="Plain", body="x")
    page = _client(world.student).get("/community/s/general/", {"tag": topic.slug}).text
    assert "Tagged one" in page and "Plain" not in page
    response = _client(world.student).post(
        f"/community/tags/{topic.slug}/follow/", {"following": "1", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/community/"


def test_a_space_filtered_by_tag_keeps_the_tag_on_its_next_page(world: World) -> None:
    topic = Topic.objects.order_by("pk").first()
    assert topic is not None
    for n in range(31):
        if n % 10 == 0:
            cache.clear()  # the hourly limit on new discussions is not what this is about
        services.discussion_create(
            actor=world.fellow, space=world.everyone, title=f"D{n}", body="?", tags=[topic]
        )
    response = _client(world.student).get(f"{world.everyone.get_absolute_url()}?tag={topic.slug}")
    assert f'href="?tag={topic.slug}&amp;page=2"' in response.text
