"""The weekly digest: what each member gets (visibility, blocks), sending by the worker over
real SMTP with one-click unsubscribe, once a week, hostile text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hemonc.community.digest_content import read_members, visible_spaces
from hemonc.community.models import DigestRun, DigestSubscription, Follow
from hemonc.community.selectors import spaces_visible_to
from hemonc.community.services import digest as services
from hemonc.community.services.spaces import discussion_create
from hemonc.core.permissions import OPERATOR
from hemonc.members.models import User
from hemonc.members.services import block_create, mute_create
from hemonc.taxonomy.models import Topic
from tests.community.conftest import World
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _post(world: World, space, title: str, author: User | None = None, tags=()):  # type: ignore[no-untyped-def]
    return discussion_create(
        actor=OPERATOR, space=space, author=author or world.organizer, title=title,
        body="What do you think?", tags=tags,
    )  # fmt: skip


def _titles(user: User) -> list[str]:
    week = services.week_of(timezone.now())
    return [
        line.text.splitlines()[0].removeprefix("- ")
        for _, lines in services.digest_preview(user=user, week=week)
        for line in lines
    ]


def _follow(user: User, **target) -> None:  # type: ignore[no-untyped-def]
    # Straight to the table: a follow may outlive the member's access to a space.
    Follow.objects.create(user=user, **target)


def test_the_bulk_visibility_matches_the_spaces_own_rule(world):
    members = [world.fellow, world.student, world.attending, world.organizer, world.moderator,
               world.mentee, world.invited]  # fmt: skip
    bulk = visible_spaces(read_members([m.pk for m in members]))
    for member in members:
        expected = set(
            spaces_visible_to(User.objects.get(pk=member.pk)).values_list("pk", flat=True)
        )
        assert bulk[member.pk] == expected, member


def test_the_digest_holds_what_the_member_follows_in_spaces_they_see(world):
    _post(world, world.everyone, "Myeloma maintenance in 2026", author=world.fellow)
    _post(world, world.trainees, "Surviving night float", author=world.student)
    _post(world, world.organizers, "Budget for Season 2")
    _post(world, world.program, "Spring cohort kickoff", author=world.mentee)
    _post(world, world.invited_space, "Writing group drafts", author=world.invited)
    _post(world, world.everyone, "More general news")
    for member in (world.fellow, world.attending, world.mentee, world.invited):
        for space in (world.everyone, world.trainees, world.organizers, world.program,
                      world.invited_space):  # fmt: skip
            _follow(member, space=space)
    assert set(_titles(world.fellow)) == {
        "Myeloma maintenance in 2026", "Surviving night float", "More general news"
    }  # fmt: skip
    # The attending follows the trainees' space (a stale follow): nothing from it reaches them.
    assert "Surviving night float" not in _titles(world.attending)
    assert "Spring cohort kickoff" in _titles(world.mentee)
    assert "Writing group drafts" in _titles(world.invited)
    assert "Budget for Season 2" not in _titles(world.invited)
    # A member who follows nothing gets nothing (and no mail).
    assert _titles(world.moderator) == []


def test_tags_and_single_discussions_bring_their_discussions(world):
    bcsm = Topic.objects.get(hashtag="bcsm")
    _post(world, world.everyone, "Tagged breast cancer", tags=[bcsm])
    followed = _post(world, world.everyone, "One thread I follow")
    _post(world, world.everyone, "Something else")
    _follow(world.attending, topic=bcsm)
    _follow(world.attending, discussion=followed)
    assert sorted(_titles(world.attending)) == ["One thread I follow", "Tagged breast cancer"]


def test_blocked_and_muted_members_discussions_stay_out(world):
    _post(world, world.everyone, "By the blocked one", author=world.student)
    _post(world, world.everyone, "By the muted one", author=world.attending)
    _post(world, world.everyone, "By someone else", author=world.mentee)
    _follow(world.fellow, space=world.everyone)
    _follow(world.student, space=world.everyone)
    block_create(blocker=world.fellow, blocked=world.student)
    mute_create(muter=world.fellow, muted=world.attending)
    assert _titles(world.fellow) == ["By someone else"]
    # The block hides both ways: the blocked member does not get the blocker's either.
    _post(world, world.everyone, "By the blocker", author=world.fellow)
    assert "By the blocker" not in _titles(world.student)


def test_opportunities_that_fit_the_stage_and_country(world, make_opportunity):
    make_opportunity(title="Fellows in the US", stages=["fellow"], countries=["US"])
    make_opportunity(title="Attendings only", stages=["attending"])
    make_opportunity(title="Anyone in Nigeria", countries=["NG"])
    assert _titles(world.fellow) == ["Fellows in the US"]
    assert _titles(world.attending) == ["Attendings only"]


# ---- sending ----


def _subscribe(*users: User) -> None:
    for user in users:
        services.digest_subscription_set(actor=user, weekly=True)


def test_the_worker_sends_each_member_their_digest_once_with_one_click_unsubscribe(world, mailbox):
    _post(world, world.everyone, "Weekly journal club picks")
    _follow(world.fellow, space=world.everyone)
    _follow(world.attending, space=world.everyone)
    quiet = make_member(display_name="Quiet Member")
    _subscribe(world.fellow, world.attending, quiet)
    week = services.week_of(timezone.now())
    run = services.digest_send_week(week=week, actor=OPERATOR)
    assert (run.sent, run.skipped, run.failed) == (2, 1, 0)
    messages = mailbox.wait_for(2)
    assert sorted(m["To"] for m in messages) == sorted([world.fellow.email, world.attending.email])
    mail = next(m for m in messages if m["To"] == world.fellow.email)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = mail["List-Unsubscribe"].strip("<>")
    assert url.startswith("http") and "/community/digest/unsubscribe/" in url
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Weekly journal club picks" in text and "Weekly journal club picks" in html
    assert "Hello Fiona Fellow" in text and url in text
    # Once a week: running the week again sends nothing more.
    DigestRun.objects.filter(week=week).update(finished_at=None, cursor=0)
    services.digest_send_week(week=week, actor=OPERATOR)
    assert len(mailbox.messages) == 2
    # And the next week is scheduled.
    assert DigestRun.objects.filter(week=week + timedelta(days=7)).exists()
    # The mail's link unsubscribes in one click, as a mail app does it (no CSRF token).
    path = url.split("://", 1)[1].split("/", 1)[1]
    client = Client(enforce_csrf_checks=True)
    response = client.post("/" + path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not DigestSubscription.objects.get(user=world.fellow).weekly


def test_the_unsubscribe_page_asks_first_and_refuses_a_forged_link(world):
    _subscribe(world.fellow)
    token = services.digest_token(world.fellow.pk)
    client = Client()
    page = client.get(reverse("community:digest_unsubscribe", args=[token]))
    assert page.status_code == 200 and b"Unsubscribe" in page.content
    assert DigestSubscription.objects.get(user=world.fellow).weekly
    assert (
        client.get(
            reverse("community:digest_unsubscribe", args=[f"{world.fellow.pk}:forged"])
        ).status_code
        == 404
    )
    client.post(reverse("community:digest_unsubscribe", args=[token]))
    assert not DigestSubscription.objects.get(user=world.fellow).weekly


def test_the_digest_is_opt_in(world):
    _post(world, world.everyone, "Nobody asked")
    _follow(world.fellow, space=world.everyone)
    run = services.digest_send_week(week=services.week_of(timezone.now()), actor=OPERATOR)
    assert run.sent == 0


def test_hostile_titles_and_names_stay_text(world, mailbox):
    from hemonc.members.services import profile_update

    profile_update(
        profile=world.student.profile, actor=world.student,
        display_name="<b>Eve</b> %%UNSUBSCRIBE_URL%%",
    )  # fmt: skip
    _post(
        world, world.everyone, '<script>alert("x")</script>\r\nBcc: everyone %%ITEMS_HTML%%',
        author=world.student,
    )  # fmt: skip
    profile_update(profile=world.fellow.profile, actor=world.fellow, display_name="Fi\u202eona <i>")
    _follow(world.fellow, space=world.everyone)
    _subscribe(world.fellow)
    services.digest_send_week(week=services.week_of(timezone.now()), actor=OPERATOR)
    (mail,) = mailbox.wait_for(1)
    html = mail.get_body(("html",)).get_content()
    text = mail.get_body(("plain",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>Eve</b>" not in html and "&lt;b&gt;Eve&lt;/b&gt;" in html
    assert "<i>" not in html
    assert mail["Bcc"] is None
    assert "%%" not in html.replace("%\u2060%", "") and "%%" not in text.replace("%\u2060%", "")
    assert '<script>alert("x")</script>' in text  # the text part is text
