"""The publishing desk's pages as organizers and members use them: writing with live counts,
the PHI guard, review and approval, scheduling with undo, queues, failures and history."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, time
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PilImage

from hemonc.core.permissions import OPERATOR
from hemonc.events.models import Guest, LiveSession
from hemonc.members.enums import Role
from hemonc.outreach.desk import services
from hemonc.outreach.enums import DeskState, PartState
from hemonc.outreach.models import DeskPart, DeskPost, SocialAccount
from hemonc.taxonomy.models import Topic
from tests.factories import make_member

pytestmark = pytest.mark.django_db

LONG = "Tweetorial: how we choose a bispecific antibody for relapsed myeloma. " + " ".join(
    f"Point {i}: weigh the evidence, the toxicity and the logistics." for i in range(12)
)


def _account(platform: str, handle: str, **fields: Any) -> SocialAccount:
    return SocialAccount.objects.create(
        platform=platform,
        handle=handle,
        service=f"https://{platform}.example",
        secret="app-password",
        active=True,
        time_zone=fields.pop("time_zone", "America/New_York"),
        **fields,
    )


@pytest.fixture
def organizer() -> Any:
    return make_member(display_name="Olu Organizer", role=Role.ORGANIZER)


@pytest.fixture
def second() -> Any:
    return make_member(display_name="Sade Second", role=Role.ORGANIZER)


@pytest.fixture
def bluesky() -> SocialAccount:
    return _account("bluesky", "hemoncnet.bsky.social")


@pytest.fixture
def mastodon() -> SocialAccount:
    return _account("mastodon", "hemoncnet@med-mastodon.example")


def _compose(client: Any, **data: Any) -> Any:
    values = {"kind": "announcement", "text": "Hello", **data}
    return client.post(reverse("outreach:desk_compose"), values)


def _png(size: int = 8) -> bytes:
    out = io.BytesIO()
    PilImage.new("RGB", (size, size), (200, 20, 60)).save(out, "PNG")
    return out.getvalue()


def _post(
    author: Any, accounts: list[SocialAccount], text: str = "Hello", **fields: Any
) -> DeskPost:
    post = services.post_create(actor=author, text=text, accounts=accounts, **fields)
    return post


# ---------------------------------------------------------------------------------------------
# Writing


def test_compose_page_offers_the_desk_accounts_only(
    client: Any, organizer: Any, bluesky: Any
) -> None:
    SocialAccount.objects.create(platform="x", handle="ImportedOnly")  # known from exports
    client.force_login(organizer)

    html = client.get(reverse("outreach:desk_compose")).content.decode()

    assert "@hemoncnet.bsky.social on Bluesky" in html
    assert "ImportedOnly" not in html
    assert 'data-hx-post="/outreach/desk/count/"' in html


def test_counter_counts_each_chosen_platform_and_previews_the_numbered_thread(
    client: Any, organizer: Any, bluesky: Any, mastodon: Any
) -> None:
    client.force_login(organizer)

    response = client.post(
        reverse("outreach:desk_count"),
        {"text": LONG, "accounts": [bluesky.pk, mastodon.pk], "kind": "tweetorial"},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"Bluesky: a thread of \d+ posts", html)
    assert re.search(r"Mastodon: a thread of \d+ posts", html)
    assert "X:" not in html  # no X account chosen
    assert "post 1 of" in html
    assert re.search(r" 1/\d+</p>", html)  # the numbering as posted, counted in the length
    assert "@hemoncnet.bsky.social" in html
    assert 'data-hx-swap-oob="innerHTML:#desk-hashtags"' in html


def test_hashtags_suggested_from_the_topics_the_kind_and_the_session(
    client: Any, organizer: Any
) -> None:
    session = LiveSession.objects.create(
        title="Myeloma", starts_at=timezone.now(), time_zone="UTC", created_by=organizer
    )
    session.topics.add(Topic.objects.get(hashtag="bcsm"))
    client.force_login(organizer)

    html = client.post(
        reverse("outreach:desk_count"),
        {"text": "How we treat relapsed myeloma #MedTwitter", "kind": "tweetorial"},
    ).content.decode()
    buttons = re.findall(r'data-insert="(#\w+)"', html)
    assert "#mmsm" in buttons
    assert "#MedTwitter" not in buttons  # already in the text

    html = client.post(
        reverse("outreach:desk_count"),
        {"text": "Tonight", "kind": "session", "session": session.pk, "conference_tag": "ASH26"},
    ).content.decode()
    buttons = re.findall(r'data-insert="(#\w+)"', html)
    assert "#ASH26" in buttons and "#bcsm" in buttons


def test_counter_says_a_short_text_fits_and_counts_as_the_platform_does(
    client: Any, organizer: Any
) -> None:
    client.force_login(organizer)
    text = "Join us 👩🏽‍⚕️ https://example.org/a-very-long-path/that/goes/on/and/on/forever"

    html = client.post(reverse("outreach:desk_count"), {"text": text}).content.decode()

    # No account chosen: every platform. X counts the URL as 23 and the emoji as 2.
    assert "X: 34 of 280" in html
    assert "Bluesky: " in html and "of 300" in html
    assert "Mastodon: 33 of 500" in html  # the URL as 23, the emoji sequence as 1... per code point


def test_counter_names_a_word_that_cannot_fit(client: Any, organizer: Any) -> None:
    client.force_login(organizer)

    html = client.post(reverse("outreach:desk_count"), {"text": "a" * 400}).content.decode()

    assert "cannot be split" in html
    assert "desk-error" in html


def test_counter_is_refused_to_visitors_and_takes_no_get(client: Any, member: Any) -> None:
    assert client.post(reverse("outreach:desk_count"), {"text": "x"}).status_code == 302
    client.force_login(member)
    assert client.get(reverse("outreach:desk_count")).status_code == 405


def test_a_case_post_with_a_date_of_birth_is_marked_then_fixed_and_attested(
    client: Any, organizer: Any, bluesky: Any
) -> None:
    client.force_login(organizer)
    text = "Case: DOB 3/14/1961, now in remission after R-CHOP x6. #lymsm"

    response = _compose(client, kind="case", accounts=[bluesky.pk], text=text)

    html = response.content.decode()
    assert response.status_code == 400
    assert '<mark class="phi" data-kind="date"' in html
    assert "This text may identify a patient: 1 date, marked here." in html
    assert not DeskPost.objects.exists()

    fixed = "Case: a woman in her sixties, now in remission after R-CHOP x6. #lymsm"
    response = _compose(client, kind="case", accounts=[bluesky.pk], text=fixed)
    assert response.status_code == 400  # a case post always needs the attestation
    assert "A case post needs this attestation" in response.content.decode()

    response = _compose(
        client, kind="case", accounts=[bluesky.pk], text=fixed, phi_attest="on", submit_review="1"
    )
    post = DeskPost.objects.get()
    assert response.url == reverse("outreach:desk_post", args=[post.pk])
    assert (post.state, post.phi_attested_by) == (DeskState.IN_REVIEW, organizer)


def test_image_needs_its_description_and_a_real_image(
    client: Any, organizer: Any, bluesky: Any
) -> None:
    client.force_login(organizer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    image = SimpleUploadedFile("chart.png", _png(), content_type="image/png")
    response = _compose(client, accounts=[bluesky.pk], image_1=image, phi_attest="on")
    assert response.status_code == 400
    assert "Describe the image for people who cannot see it." in response.content.decode()

    fake = SimpleUploadedFile("chart.png", b"not an image", content_type="image/png")
    response = _compose(
        client, accounts=[bluesky.pk], image_1=fake, alt_1="A chart", phi_attest="on"
    )
    assert "Choose a JPEG, PNG, GIF or WebP image." in response.content.decode()

    image = SimpleUploadedFile("chart.png", _png(), content_type="image/png")
    response = _compose(
        client, accounts=[bluesky.pk], image_1=image, alt_1="Survival curves of two arms"
    )
    assert response.status_code == 400  # images need the attestation too
    image = SimpleUploadedFile("chart.png", _png(), content_type="image/png")
    response = _compose(
        client,
        accounts=[bluesky.pk],
        image_1=image,
        alt_1="Survival curves of two arms",
        phi_attest="on",
    )
    assert response.status_code == 302
    assert DeskPost.objects.get().images.get().alt == "Survival curves of two arms"


def test_fill_in_from_the_session_opens_the_text_with_its_time_guests_and_link(
    client: Any, organizer: Any, bluesky: Any
) -> None:
    session = LiveSession.objects.create(
        title="CAR-T toxicities",
        starts_at=datetime(2026, 12, 10, 1, 0, tzinfo=UTC),
        time_zone="America/New_York",
        join_url="https://zoom.example/j/123",
        created_by=organizer,
    )
    session.guests.add(Guest.objects.create(name="Dr. Rivera", handle="@rivera_md"))
    client.force_login(organizer)

    response = client.post(
        reverse("outreach:desk_compose"),
        {"kind": "session", "session": session.pk, "accounts": [bluesky.pk], "text": "",
         "fill_session": "1"},
    )  # fmt: skip

    html = response.content.decode()
    assert "Live session Wednesday 9 December, 8 PM EST: CAR-T toxicities" in html
    assert "with Dr. Rivera (@rivera_md)" in html
    assert "https://zoom.example/j/123" in html
    assert not DeskPost.objects.exists()


def test_live_coverage_needs_its_conference_tag(client: Any, organizer: Any, bluesky: Any) -> None:
    client.force_login(organizer)

    response = _compose(client, kind="live_coverage", accounts=[bluesky.pk], text="Plenary now")

    assert "Name the conference&#x27;s hashtag" in response.content.decode()
    response = _compose(
        client,
        kind="live_coverage",
        accounts=[bluesky.pk],
        text="Plenary now",
        conference_tag="#ASH26",
    )
    assert DeskPost.objects.get().conference_tag == "ASH26"


# ---------------------------------------------------------------------------------------------
# Review and approval


def test_second_organizer_approves_when_the_setting_asks_for_one(
    client: Any, settings: Any, organizer: Any, second: Any, bluesky: Any
) -> None:
    settings.OUTREACH_SECOND_APPROVER = True
    post = _post(organizer, [bluesky])
    services.post_submit(post=post, actor=organizer)
    client.force_login(organizer)

    page = client.get(reverse("outreach:desk_post", args=[post.pk])).content.decode()
    assert "You wrote it: a second organizer approves it." in page
    assert "Posts to approve" not in client.get(reverse("console")).content.decode()
    refused = client.post(reverse("outreach:desk_approve", args=[post.pk]), follow=True)
    assert (
        "A second organizer who did not write this post must approve it."
        in refused.content.decode()
    )

    client.force_login(second)
    home = client.get(reverse("console")).content.decode()
    assert "Posts to approve" in home and reverse("outreach:desk_post", args=[post.pk]) in home
    done = client.post(reverse("outreach:desk_approve", args=[post.pk]), follow=True)
    assert "Approved: it can be scheduled." in done.content.decode()
    assert DeskPost.objects.get().state == DeskState.APPROVED
    assert "Posts to approve" not in client.get(reverse("console")).content.decode()


def test_send_back_returns_the_post_to_its_author_as_a_draft(
    client: Any, organizer: Any, member: Any, bluesky: Any
) -> None:
    post = _post(member, [bluesky])
    services.post_submit(post=post, actor=member)
    client.force_login(organizer)

    response = client.post(reverse("outreach:desk_send_back", args=[post.pk]), follow=True)

    assert "Sent back to its author as a draft." in response.content.decode()
    assert DeskPost.objects.get().state == DeskState.DRAFT


def test_members_write_but_only_see_their_own_posts_and_never_approve(
    client: Any, organizer: Any, member: Any, other_member: Any, bluesky: Any
) -> None:
    theirs = _post(other_member, [bluesky], text="Someone else's")
    mine = _post(member, [bluesky], text="My post")
    services.post_submit(post=mine, actor=member)
    client.force_login(member)

    desk = client.get(reverse("outreach:desk") + "?state=in_review").content.decode()
    assert "My post" in desk and "Someone else" not in desk
    assert client.get(reverse("outreach:desk_post", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("outreach:desk_approve", args=[mine.pk])).status_code == 403
    assert client.post(reverse("outreach:desk_schedule", args=[mine.pk])).status_code == 403
    assert client.get(reverse("outreach:desk_queues")).status_code == 403
    assert DeskPost.objects.get(pk=mine.pk).state == DeskState.IN_REVIEW


# ---------------------------------------------------------------------------------------------
# Schedule, undo, queues


def _approved(author: Any, accounts: list[SocialAccount], text: str = "Hello") -> DeskPost:
    post = _post(author, accounts, text=text)
    services.post_submit(post=post, actor=author)
    return services.post_approve(post=post, actor=OPERATOR)


@time_machine.travel(datetime(2026, 12, 7, 15, 0, tzinfo=UTC), tick=False)
def test_add_to_queue_takes_the_next_free_slot_and_undo_takes_it_back(
    client: Any, organizer: Any, bluesky: Any
) -> None:
    services.queue_slots_set(
        account=bluesky, actor=organizer, slots=[(0, time(20, 0)), (3, time(20, 0))]
    )
    post = _approved(organizer, [bluesky])
    client.force_login(organizer)

    response = client.post(
        reverse("outreach:desk_schedule", args=[post.pk]),
        {"when": "queue", "queue_account": bluesky.pk},
        follow=True,
    )

    post.refresh_from_db()
    assert post.state == DeskState.SCHEDULED
    assert post.scheduled_at == datetime(2026, 12, 8, 1, 0, tzinfo=UTC)  # Mon 8 pm in New York
    assert "You can undo it until it leaves." in response.content.decode()
    assert "Undo<span data-undo-left>" in response.content.decode()

    response = client.post(reverse("outreach:desk_undo", args=[post.pk]), follow=True)
    assert "Undone: nothing was sent." in response.content.decode()
    assert DeskPost.objects.get().state == DeskState.APPROVED


@time_machine.travel(datetime(2026, 12, 7, 15, 0, tzinfo=UTC), tick=False)
def test_schedule_now_shows_the_undo_countdown(client: Any, organizer: Any, bluesky: Any) -> None:
    post = _approved(organizer, [bluesky])
    client.force_login(organizer)

    response = client.post(
        reverse("outreach:desk_schedule", args=[post.pk]), {"when": "at", "at": ""}, follow=True
    )

    html = response.content.decode()
    assert 'data-undo-until="2026-12-07T15:01:00+00:00"' in html


@time_machine.travel(datetime(2026, 12, 7, 15, 0, tzinfo=UTC), tick=False)
def test_queue_reorders_by_buttons_and_by_drag_order(
    client: Any, organizer: Any, bluesky: Any
) -> None:
    services.queue_slots_set(
        account=bluesky,
        actor=organizer,
        slots=[(0, time(20, 0)), (3, time(20, 0)), (4, time(9, 0))],
    )
    first, second_, third = (_approved(organizer, [bluesky], text=f"Post {n}") for n in "ABC")
    for post in (first, second_, third):
        services.post_add_to_queue(post=post, actor=organizer, account=bluesky)
    client.force_login(organizer)
    url = reverse("outreach:desk_queue", args=[bluesky.pk])

    page = client.get(url).content.decode()
    assert page.index("Post A") < page.index("Post B") < page.index("Post C")
    assert 'aria-label="Move down: Post A"' in page

    client.post(
        reverse("outreach:desk_queue_reorder", args=[bluesky.pk]), {"post": third.pk, "move": "up"}
    )
    page = client.get(url).content.decode()
    assert page.index("Post A") < page.index("Post C") < page.index("Post B")

    client.post(
        reverse("outreach:desk_queue_reorder", args=[bluesky.pk]),
        {"order": [second_.pk, third.pk, first.pk]},
    )
    page = client.get(url).content.decode()
    assert page.index("Post B") < page.index("Post C") < page.index("Post A")
    times = dict(DeskPost.objects.values_list("text", "scheduled_at"))
    assert times["Post B"] < times["Post C"] < times["Post A"]


def test_stale_drag_order_is_refused_with_a_message(
    client: Any, organizer: Any, bluesky: Any
) -> None:
    services.queue_slots_set(account=bluesky, actor=organizer, slots=[(0, time(20, 0))])
    post = _approved(organizer, [bluesky])
    services.post_add_to_queue(post=post, actor=organizer, account=bluesky)
    client.force_login(organizer)

    response = client.post(
        reverse("outreach:desk_queue_reorder", args=[bluesky.pk]),
        {"order": ["999", "abc"]},
        follow=True,
    )

    assert "The queue changed meanwhile" in response.content.decode()


def test_slots_are_edited_on_the_queue_page(client: Any, organizer: Any, bluesky: Any) -> None:
    client.force_login(organizer)
    data = {
        "slots-TOTAL_FORMS": "2", "slots-INITIAL_FORMS": "0",
        "slots-0-weekday": "0", "slots-0-time": "20:00",
        "slots-1-weekday": "3", "slots-1-time": "20:00",
    }  # fmt: skip

    response = client.post(
        reverse("outreach:desk_queue_slots", args=[bluesky.pk]), data, follow=True
    )

    html = response.content.decode()
    assert "The weekly slots of @hemoncnet.bsky.social are saved." in html
    assert '<li class="tag">Monday 20:00</li>' in html
    assert '<li class="tag">Thursday 20:00</li>' in html
    assert [str(s) for s in bluesky.slots.all()] == ["Monday 20:00", "Thursday 20:00"]

    data["slots-1-delete"] = "on"
    client.post(reverse("outreach:desk_queue_slots", args=[bluesky.pk]), data)
    assert [str(s) for s in bluesky.slots.all()] == ["Monday 20:00"]


# ---------------------------------------------------------------------------------------------
# Failures and history


def _with_parts(post: DeskPost, account: SocialAccount, states: list[str], error: str = "") -> None:
    post.started_at = timezone.now()
    post.save()
    post.parts.all().delete()  # as the worker would have written them
    for position, state in enumerate(states, start=1):
        DeskPart.objects.create(
            post=post, account=account, position=position, count=len(states), text=f"part {position}",
            key=f"k{post.pk}-{position}", state=state, last_error=error if state == "failed" else "",
            url=f"https://bsky.app/profile/hemoncnet.bsky.social/post/3k{position}" if state == "published" else "",
            remote_id=f"at://did:plc:x/app.bsky.feed.post/3k{position}" if state == "published" else "",
            published_at=timezone.now() if state == "published" else None,
        )  # fmt: skip


def test_failed_post_shows_the_platform_message_and_retries(
    client: Any, organizer: Any, bluesky: Any
) -> None:
    post = _approved(organizer, [bluesky])
    services.post_schedule(post=post, actor=organizer)
    _with_parts(
        post,
        bluesky,
        [PartState.PUBLISHED, PartState.FAILED],
        "InvalidRequest: Record/text must not be longer than 300 graphemes",
    )
    DeskPost.objects.filter(pk=post.pk).update(state=DeskState.FAILED)
    client.force_login(organizer)

    page = client.get(reverse("outreach:desk_post", args=[post.pk])).content.decode()
    assert "Record/text must not be longer than 300 graphemes" in page
    assert ">Retry</button>" in page
    console = client.get(reverse("console")).content.decode()
    assert "Posts that did not go out" in console

    response = client.post(reverse("outreach:desk_retry", args=[post.pk]), follow=True)
    assert "It will be tried again in a moment" in response.content.decode()
    post.refresh_from_db()
    assert post.state == DeskState.SCHEDULED
    assert post.parts.get(position=2).state == PartState.PENDING


def test_history_links_each_published_platform_post(
    client: Any, organizer: Any, bluesky: Any
) -> None:
    post = _approved(organizer, [bluesky], text="A published thread")
    _with_parts(post, bluesky, [PartState.PUBLISHED, PartState.PUBLISHED])
    DeskPost.objects.filter(pk=post.pk).update(
        state=DeskState.PUBLISHED, published_at=timezone.now()
    )
    client.force_login(organizer)

    html = client.get(reverse("outreach:desk_history")).content.decode()

    assert "A published thread" in html
    assert 'href="https://bsky.app/profile/hemoncnet.bsky.social/post/3k1"' in html
    assert ">2/2</a>" in html
    detail = client.get(reverse("outreach:desk_post", args=[post.pk])).content.decode()
    assert "@hemoncnet.bsky.social on Bluesky</a>" in detail


def test_desk_lists_posts_by_state_with_counts(client: Any, organizer: Any, bluesky: Any) -> None:
    _post(organizer, [bluesky], text="Draft one")
    review = _post(organizer, [bluesky], text="For review")
    services.post_submit(post=review, actor=organizer)
    client.force_login(organizer)

    html = client.get(reverse("outreach:desk")).content.decode()

    assert 'In review <span class="count">(1)</span>' in html
    assert "For review" in html and "Draft one" not in html  # the first tab with posts
    html = client.get(reverse("outreach:desk") + "?state=draft").content.decode()
    assert "Draft one" in html
    assert client.get(reverse("outreach:desk") + "?state=<script>").status_code == 200


def test_a_post_nobody_attested_shows_what_was_found_to_its_reviewer(
    client: Any, organizer: Any, bluesky: Any
) -> None:
    # As a post written before the guard knew this kind of identifier would be.
    post = DeskPost.objects.create(
        text="Pt J.D., DOB 3/14/1961, is in remission.", state=DeskState.IN_REVIEW
    )
    post.accounts.add(bluesky)
    client.force_login(organizer)

    html = client.get(reverse("outreach:desk_post", args=[post.pk])).content.decode()

    assert '<mark class="phi" data-kind="date"' in html
    assert "Nobody attested it, so it cannot be approved or scheduled." in html
    refused = client.post(reverse("outreach:desk_approve", args=[post.pk]), follow=True)
    assert "may identify a patient" in refused.content.decode()
    assert DeskPost.objects.get().state == DeskState.IN_REVIEW


def test_editing_an_approved_post_sends_it_back_to_review(
    client: Any, organizer: Any, bluesky: Any
) -> None:
    post = _approved(organizer, [bluesky], text="Journal club on Thursday")
    client.force_login(organizer)
    url = reverse("outreach:desk_edit", args=[post.pk])

    page = client.get(url).content.decode()
    assert "This post is approved: saving a change sends it back to review." in page
    assert "Journal club on Thursday</textarea>" in page

    response = client.post(
        url, {"kind": "journal_club", "accounts": [bluesky.pk], "text": "Journal club on Friday"}
    )

    assert response.url == reverse("outreach:desk_post", args=[post.pk])
    post.refresh_from_db()
    assert (post.state, post.text, post.kind) == (
        DeskState.IN_REVIEW,
        "Journal club on Friday",
        "journal_club",
    )
    assert not post.approvals.exists()


def test_a_published_post_cannot_be_edited(client: Any, organizer: Any, bluesky: Any) -> None:
    post = _approved(organizer, [bluesky])
    DeskPost.objects.filter(pk=post.pk).update(state=DeskState.PUBLISHED)
    client.force_login(organizer)

    response = client.get(reverse("outreach:desk_edit", args=[post.pk]), follow=True)

    assert "A post that has started going out cannot be changed." in response.content.decode()


@time_machine.travel(datetime(2026, 12, 7, 15, 0, tzinfo=UTC), tick=False)
def test_schedule_at_a_time_and_refuse_one_in_the_past(
    client: Any, organizer: Any, bluesky: Any
) -> None:
    post = _approved(organizer, [bluesky])
    client.force_login(organizer)
    url = reverse("outreach:desk_schedule", args=[post.pk])

    refused = client.post(url, {"when": "at", "at": "2026-12-01T09:00"}, follow=True)
    assert "Choose a time in the future." in refused.content.decode()
    assert DeskPost.objects.get().state == DeskState.APPROVED

    client.post(url, {"when": "at", "at": "2026-12-10T20:00"})
    post.refresh_from_db()
    assert post.state == DeskState.SCHEDULED
    assert post.scheduled_at == datetime(2026, 12, 10, 20, 0, tzinfo=UTC)  # the reader's zone
    assert post.queue_account is None


def test_a_failed_post_that_was_tried_says_why_it_cannot_be_edited(
    client: Any, organizer: Any, bluesky: Any
) -> None:
    post = _approved(organizer, [bluesky])
    services.post_schedule(post=post, actor=organizer)
    _with_parts(post, bluesky, [PartState.FAILED], "Bluesky did not answer in time")
    DeskPart.objects.filter(post=post).update(attempts=8)
    DeskPost.objects.filter(pk=post.pk).update(state=DeskState.FAILED)
    client.force_login(organizer)

    page = client.get(reverse("outreach:desk_post", args=[post.pk])).content.decode()
    assert "Its text can no longer change" in page
    assert reverse("outreach:desk_edit", args=[post.pk]) not in page
    response = client.get(reverse("outreach:desk_edit", args=[post.pk]), follow=True)
    assert "may be on a platform already" in response.content.decode()
    assert DeskPart.objects.filter(post=post, key=f"k{post.pk}-1").exists()


def test_a_failed_post_nothing_of_which_was_sent_is_edited_and_reviewed_again(
    client: Any, organizer: Any, bluesky: Any
) -> None:
    post = _approved(organizer, [bluesky])
    services.post_schedule(post=post, actor=organizer)
    _with_parts(post, bluesky, [PartState.FAILED], "The image is too large for Bluesky.")
    DeskPost.objects.filter(pk=post.pk).update(state=DeskState.FAILED)
    client.force_login(organizer)

    page = client.get(reverse("outreach:desk_post", args=[post.pk])).content.decode()
    assert reverse("outreach:desk_edit", args=[post.pk]) in page
    data = {"kind": "announcement", "accounts": [bluesky.pk], "text": "Journal club moved."}
    client.post(reverse("outreach:desk_edit", args=[post.pk]), data)
    post.refresh_from_db()
    assert (post.state, post.text, post.parts.count()) == ("in_review", "Journal club moved.", 0)


def test_images_removed_while_the_text_changes_need_no_attestation_kept_ones_do(
    client: Any, organizer: Any, bluesky: Any
) -> None:
    post = _post(organizer, [bluesky], text="Tumor board slides")
    services.image_add(
        post=post, actor=organizer, data=_png(), mime="image/png", alt="A slide", phi_attested=True
    )
    client.force_login(organizer)
    edit = reverse("outreach:desk_edit", args=[post.pk])
    data = {"kind": "announcement", "accounts": [bluesky.pk], "text": "Tumor board at noon."}

    response = client.post(edit, data)
    assert response.status_code == 400  # the image stays: the new text is attested again
    assert "A post with images needs this attestation" in response.content.decode()

    response = client.post(edit, {**data, "remove_images": "on"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.text, post.images.count()) == ("Tumor board at noon.", 0)


HOSTILE = "<script>alert(1)</script> \"quoted\" =cmd|' /C calc'!A0 @SUM(1+1)\n\nline two"


def test_hostile_text_is_shown_as_text_on_every_desk_page(
    client: Any, organizer: Any, bluesky: Any
) -> None:
    draft = _post(organizer, [bluesky], text=HOSTILE + " draft")
    failed = _approved(organizer, [bluesky], text=HOSTILE + " failed")
    services.post_schedule(post=failed, actor=organizer)
    _with_parts(failed, bluesky, [PartState.FAILED], '<img src=x onerror="alert(2)">\nRefused')
    DeskPost.objects.filter(pk=failed.pk).update(
        state=DeskState.FAILED, last_error="<i>Bluesky</i>\n=1+1"
    )
    done = _approved(organizer, [bluesky], text=HOSTILE + " published " + "long " * 1500)
    _with_parts(done, bluesky, [PartState.PUBLISHED])
    DeskPost.objects.filter(pk=done.pk).update(
        state=DeskState.PUBLISHED, published_at=timezone.now()
    )
    client.force_login(organizer)

    pages = [
        reverse("outreach:desk") + "?state=draft",
        reverse("outreach:desk") + "?state=failed",
        reverse("outreach:desk_post", args=[draft.pk]),
        reverse("outreach:desk_post", args=[failed.pk]),
        reverse("outreach:desk_post", args=[done.pk]),
        reverse("outreach:desk_edit", args=[draft.pk]),
        reverse("outreach:desk_history"),
        reverse("outreach:desk_queue", args=[bluesky.pk]),
        reverse("console"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "<script>alert(1)" not in html and "<img src=x" not in html, url
        assert "<i>Bluesky</i>" not in html, url
    post_page = client.get(reverse("outreach:desk_post", args=[failed.pk])).content.decode()
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in post_page
