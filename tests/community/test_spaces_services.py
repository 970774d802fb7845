"""The services of spaces and discussions: rules, the PHI guard, mentions, notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hemonc.community import selectors
from hemonc.community.models import Discussion, Follow, Notification, Reply, Revision
from hemonc.community.services import spaces as services
from hemonc.core.errors import DomainError, PermissionDenied
from hemonc.core.models import AuditEntry
from hemonc.core.permissions import OPERATOR
from hemonc.members.services import block_create
from hemonc.taxonomy.models import Topic
from tests.community.conftest import World, fresh

PHI_TEXT = "Patient John Smith, MRN 12345678, seen on 03/14/2025 for relapse."


def _post(world: World, **kwargs):  # type: ignore[no-untyped-def]
    fields = {
        "actor": world.fellow,
        "space": world.trainees,
        "title": "Night float",
        "body": "Tips?",
    }
    fields.update(kwargs)
    return services.discussion_create(**fields)


def test_discussion_create_refuses_patient_identifiers_without_attestation(world: World) -> None:
    with pytest.raises(DomainError, match="may identify a patient"):
        _post(world, body=PHI_TEXT)
    with pytest.raises(DomainError, match="may identify a patient"):
        _post(world, title="About John Smith, MRN 12345678")
    assert not Discussion.objects.exists()


def test_discussion_create_with_attestation_is_audited(world: World) -> None:
    discussion = _post(world, body=PHI_TEXT, phi_attested=True)
    entry = AuditEntry.objects.get(action="phi.attest")
    assert entry.target_id == str(discussion.pk)
    assert "John" not in str(entry.changes)  # kinds and places only, never the text


def test_reply_create_refuses_patient_identifiers(world: World) -> None:
    discussion = _post(world)
    with pytest.raises(DomainError, match="may identify a patient"):
        services.reply_create(actor=world.student, discussion=discussion, body=PHI_TEXT)
    assert not Reply.objects.exists()
    reply = services.reply_create(
        actor=world.student, discussion=discussion, body=PHI_TEXT, phi_attested=True
    )
    assert AuditEntry.objects.filter(action="phi.attest", target_id=str(reply.pk)).exists()


def test_reply_update_refuses_patient_identifiers(world: World) -> None:
    reply = services.reply_create(actor=world.student, discussion=_post(world), body="Fine")
    with pytest.raises(DomainError, match="may identify a patient"):
        services.reply_update(actor=world.student, reply=reply, body=PHI_TEXT)


def test_discussion_create_in_a_space_the_author_cannot_see_says_no_such_space(
    world: World,
) -> None:
    with pytest.raises(DomainError, match="no such space"):
        _post(world, actor=world.attending)


def test_journal_club_and_chat_are_set_up_by_organizers(world: World) -> None:
    with pytest.raises(PermissionDenied):
        _post(world, space=world.everyone, kind="journal_club")
    with pytest.raises(DomainError, match="start time"):
        _post(world, actor=world.organizer, space=world.everyone, kind="chat")
    club = _post(
        world,
        actor=world.organizer,
        space=world.everyone,
        kind="journal_club",
        paper={
            "paper_doi": "https://doi.org/10.1056/NEJMoa0000000",
            "paper_title": "A trial",
            "paper_journal": "Demo Journal",
            "paper_year": 2025,
        },
    )
    assert (club.paper_doi, club.doi_url) == (
        "10.1056/NEJMoa0000000",
        "https://doi.org/10.1056/NEJMoa0000000",
    )
    with pytest.raises(DomainError, match="DOI"):
        _post(world, actor=world.organizer, space=world.everyone, kind="journal_club",
              paper={"paper_doi": "javascript:alert(1)"})  # fmt: skip


def test_mention_notifies_a_member_who_sees_the_space(world: World) -> None:
    discussion = _post(world, body="What do you think, @[Sam Student]?")
    note = Notification.objects.get(recipient=world.student)
    assert note.kind == "mention"
    assert note.url == discussion.get_absolute_url()
    html = selectors.render_post(
        html=discussion.body_html, mentions=discussion.mentions, hidden=frozenset()
    )
    assert f'href="/members/{world.student.pk}/"' in html


def test_mention_of_a_member_who_cannot_see_the_space_stays_plain_text(world: World) -> None:
    discussion = _post(world, body="Ask @[Alan Attending] maybe?")
    assert discussion.mentions == {}
    assert not Notification.objects.filter(recipient=world.attending).exists()
    html = selectors.render_post(html=discussion.body_html, mentions={}, hidden=frozenset())
    assert "@Alan Attending" in html and "href" not in html


def test_blocked_members_cannot_mention_each_other(world: World) -> None:
    block_create(blocker=world.student, blocked=world.fellow)
    discussion = _post(world, actor=fresh(world.fellow), space=world.everyone,
                       body="Hi @[Sam Student]")  # fmt: skip
    assert discussion.mentions == {}
    assert not Notification.objects.filter(recipient=world.student).exists()


def test_reply_notifies_author_and_followers_not_the_replier(world: World) -> None:
    discussion = _post(world)
    services.follow_set(actor=world.student, following=True, discussion=discussion)
    services.reply_create(actor=world.student, discussion=discussion, body="Sleep.")
    assert list(Notification.objects.values_list("recipient_id", "kind")) == [
        (world.fellow.pk, "reply")
    ]


def test_reply_to_locked_discussion_is_refused(world: World) -> None:
    discussion = _post(world)
    services.discussion_moderate(actor=OPERATOR, discussion=discussion, locked=True)
    with pytest.raises(DomainError, match="locked"):
        services.reply_create(actor=world.student, discussion=discussion, body="Late")


def test_quote_only_within_the_discussion(world: World) -> None:
    one, other = _post(world), _post(world, title="Other")
    reply = services.reply_create(actor=world.student, discussion=other, body="Elsewhere")
    with pytest.raises(DomainError, match="quote"):
        services.reply_create(actor=world.student, discussion=one, body="x", quote=reply)


def test_pin_and_lock_by_moderators_and_organizers_only(world: World) -> None:
    discussion = _post(world, space=world.everyone)
    with pytest.raises(PermissionDenied):
        services.discussion_moderate(actor=world.fellow, discussion=discussion, pinned=True)
    services.discussion_moderate(actor=world.moderator, discussion=discussion, pinned=True)
    services.discussion_moderate(actor=world.organizer, discussion=discussion, locked=True)
    discussion.refresh_from_db()
    assert (discussion.pinned, discussion.locked) == (True, True)


def test_edit_keeps_a_revision(world: World) -> None:
    discussion = _post(world)
    services.discussion_update(actor=world.fellow, discussion=discussion, title="Night float!",
                               body="Tips, please?")  # fmt: skip
    revision = Revision.objects.get()
    assert (revision.title, revision.body) == ("Night float", "Tips?")
    with pytest.raises(PermissionDenied):
        services.discussion_update(actor=world.student, discussion=discussion, title="x", body="y")


def test_reaction_toggle_adds_and_takes_back(world: World) -> None:
    discussion = _post(world)
    assert services.reaction_toggle(actor=world.student, discussion=discussion, kind="thanks")
    assert not services.reaction_toggle(actor=world.student, discussion=discussion, kind="thanks")
    with pytest.raises(ValueError, match="angry"):
        services.reaction_toggle(actor=world.student, discussion=discussion, kind="angry")


def test_follow_a_space_one_cannot_see_is_refused(world: World) -> None:
    with pytest.raises(DomainError, match="no such space"):
        services.follow_set(actor=world.attending, following=True, space=world.trainees)
    topic = Topic.objects.first()
    services.follow_set(actor=world.attending, following=True, topic=topic)
    assert Follow.objects.filter(user=world.attending, topic=topic).exists()


def test_followed_discussions_by_space_tag_and_discussion(world: World) -> None:
    topic = Topic.objects.get(hashtag="bcsm")
    tagged = _post(world, space=world.everyone, title="Tagged", tags=[topic])
    in_space = _post(world, title="In trainees")
    _post(world, space=world.everyone, title="Neither")
    services.follow_set(actor=world.student, following=True, topic=topic)
    services.follow_set(actor=world.student, following=True, space=world.trainees)
    found = set(selectors.followed_discussions(world.student).values_list("title", flat=True))
    assert found == {tagged.title, in_space.title}
    # The attending follows the tag too, but never gets the trainees' discussions.
    services.follow_set(actor=world.attending, following=True, topic=topic)
    tagged_trainees = _post(world, title="Tagged trainees", tags=[topic])
    assert tagged_trainees.title not in set(
        selectors.followed_discussions(world.attending).values_list("title", flat=True)
    )
    assert selectors.follows_of(world.student)["spaces"] == [world.trainees.pk]


def test_space_create_refuses_members_and_bad_program(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.space_create(actor=world.fellow, slug="mine", name="Mine")
    with pytest.raises(DomainError, match="program"):
        services.space_create(actor=world.organizer, slug="p", name="P", visibility="program")
    with pytest.raises(DomainError, match="exists"):
        services.space_create(actor=world.organizer, slug="general", name="Again")


def test_chat_start_time_kept(world: World) -> None:
    start = timezone.now() + timedelta(hours=1)
    chat = _post(world, actor=world.organizer, space=world.everyone, kind="chat", starts_at=start)
    assert chat.starts_at == start


def test_rate_limit_on_discussions(world: World) -> None:
    from hemonc.core.errors import RateLimited

    for number in range(services.DISCUSSION_LIMIT.count):
        _post(world, title=f"Post {number}")
    with pytest.raises(RateLimited):
        _post(world, title="One too many")
