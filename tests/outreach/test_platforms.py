"""Each cross-posting adapter against a local server that speaks its platform's documented API
(tests/standins): posts and threads as the platform stores them, images with alt text, rich
text, and every failure the platform answers with: never a duplicate, never a lost post."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from hemonc.core.secrets import UnreadableSecret
from hemonc.outreach.desk.platforms import (
    Connection,
    Image,
    Part,
    PermanentError,
    Ref,
    TemporaryError,
    adapter_for,
    new_key,
)
from hemonc.outreach.desk.platforms.base import is_tid, retry_after
from hemonc.outreach.desk.platforms.bluesky import record_key
from tests.standins import bluesky, mastodon, x

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HOSTILE = "<script>alert('x')</script> & <b>bold</b>\n\nline two\r\n\"quoted\" 🩸"
FAST = (2.0, 0.5)  # connect, read: a slow answer fails fast


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def bsky() -> Iterator[SimpleNamespace]:
    with bluesky.serve(handle="hemonc.bsky.social", password="app-pass") as (url, state):
        state.handles["alice.bsky.social"] = "did:plc:alice0000000000000000"
        connection = Connection(
            platform="bluesky",
            handle="hemonc.bsky.social",
            service=url,
            secret="app-pass",
            timeout=FAST,
        )
        yield SimpleNamespace(adapter=adapter_for(connection), state=state, connection=connection)


@pytest.fixture
def masto() -> Iterator[SimpleNamespace]:
    with mastodon.serve(token="masto-token", max_characters=500) as (url, state):
        connection = Connection(
            platform="mastodon",
            handle="hemonc@mastodon.example",
            service=url,
            secret="masto-token",
            timeout=FAST,
        )
        yield SimpleNamespace(adapter=adapter_for(connection), state=state, connection=connection)


@pytest.fixture
def xapi() -> Iterator[SimpleNamespace]:
    with x.serve(refresh_token="refresh-1", client_id="client-1") as (url, state):
        connection = Connection(
            platform="x",
            handle="hemonc",
            service=url,
            secret="refresh-1",
            client_id="client-1",
            timeout=FAST,
        )
        yield SimpleNamespace(adapter=adapter_for(connection), state=state, connection=connection)


def _thread(adapter, texts: list[str]) -> list[Ref]:
    refs: list[Ref] = []
    for text in texts:
        root = refs[0] if refs else None
        parent = refs[-1] if refs else None
        refs.append(adapter.publish(Part(text=text, key=new_key(), root=root, parent=parent)))
    return refs


# -- shared ------------------------------------------------------------------------------


def test_keys_are_unique_sortable_tids():
    keys = [new_key() for _ in range(1000)]

    assert len(set(keys)) == 1000
    assert keys == sorted(keys)
    assert all(is_tid(key) for key in keys)


def test_an_unknown_platform_has_no_adapter():
    connection = Connection(platform="myspace", handle="h", service="http://x", secret="s")

    with pytest.raises(PermanentError, match="No adapter for the platform 'myspace'"):
        adapter_for(connection)


def test_an_adapter_for_an_unreadable_secret_says_why():
    secret = UnreadableSecret(
        "gAAAA", "A stored secret cannot be decrypted with HEMONC_SECRETS_KEY."
    )
    connection = Connection(platform="bluesky", handle="h", service="http://x", secret=secret)

    with pytest.raises(PermanentError, match="cannot be decrypted with HEMONC_SECRETS_KEY"):
        adapter_for(connection)


def test_retry_after_reads_every_platform_s_reset_header():
    now = datetime(2027, 1, 15, 8, 0, tzinfo=UTC).timestamp()

    def wait(**headers: str) -> float | None:
        return retry_after(SimpleNamespace(headers=headers), now=now)

    assert wait(**{"Retry-After": "120"}) == 120
    assert wait(**{"Retry-After": "Fri, 15 Jan 2027 08:02:00 GMT"}) == 120
    assert wait(**{"ratelimit-reset": str(int(now) + 30)}) == 30  # Bluesky: Unix seconds
    assert wait(**{"x-rate-limit-reset": str(int(now) + 900)}) == 900  # X: Unix seconds
    assert wait(**{"X-RateLimit-Reset": "2027-01-15T08:00:30.000Z"}) == 30  # Mastodon: ISO 8601
    assert wait(**{"ratelimit-reset": str(int(now) - 5)}) == 0
    assert wait() is None


def test_a_server_that_is_not_there_is_a_temporary_error():
    connection = Connection(
        platform="mastodon",
        handle="h@nowhere.example",
        service=f"http://127.0.0.1:{_free_port()}",
        secret="t",
        timeout=FAST,
    )

    with pytest.raises(TemporaryError, match="connection to mastodon failed"):
        adapter_for(connection).publish(Part(text="hello", key=new_key()))


# -- Bluesky ------------------------------------------------------------------------------


def test_bluesky_post_is_a_feed_post_record_under_its_key(bsky):
    key = new_key()

    ref = bsky.adapter.publish(Part(text="Season 2 starts Thursday.", key=key, langs=["en", "fr"]))

    [record] = bsky.state.posts
    assert record["$type"] == "app.bsky.feed.post"
    assert record["text"] == "Season 2 starts Thursday."
    assert record["langs"] == ["en", "fr"]
    assert record["createdAt"].endswith("Z")
    assert "reply" not in record and "facets" not in record
    assert ref.id == f"at://{bsky.state.did}/app.bsky.feed.post/{key}"
    assert ref.url == f"https://bsky.app/profile/hemonc.bsky.social/post/{key}"
    assert ref.cid.startswith("bafyrei")
    assert bsky.connection.state["did"] == bsky.state.did  # the session kept for next time


def test_bluesky_thread_replies_name_the_root_and_the_parent(bsky):
    first, second, third = _thread(bsky.adapter, ["1/3 Hello", "2/3 More", "3/3 End"])

    records = bsky.state.posts
    assert "reply" not in records[0]
    assert records[1]["reply"] == {
        "root": {"uri": first.id, "cid": first.cid},
        "parent": {"uri": first.id, "cid": first.cid},
    }
    assert records[2]["reply"] == {
        "root": {"uri": first.id, "cid": first.cid},
        "parent": {"uri": second.id, "cid": second.cid},
    }
    assert third.id.endswith(record_key(third.id.rsplit("/", 1)[-1]))
    assert bsky.state.sessions_created == 1  # one session for the whole thread


def test_bluesky_reply_to_a_reference_stored_without_cid_asks_for_it(bsky):
    first = bsky.adapter.publish(Part(text="root", key=new_key()))
    bare = Ref(id=first.id, url=first.url)

    bsky.adapter.publish(Part(text="reply", key=new_key(), root=bare, parent=bare))

    assert bsky.state.posts[1]["reply"]["parent"] == {"uri": first.id, "cid": first.cid}


def test_bluesky_images_are_uploaded_blobs_with_alt_text(bsky):
    images = [
        Image(PNG, "image/png", "A peripheral smear with blasts"),
        Image(PNG * 2, "image/jpeg", ""),
    ]

    bsky.adapter.publish(Part(text="Case of the week", key=new_key(), images=images))

    embed = bsky.state.posts[0]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    assert [image["alt"] for image in embed["images"]] == ["A peripheral smear with blasts", ""]
    blob = embed["images"][0]["image"]
    assert blob["$type"] == "blob" and blob["mimeType"] == "image/png" and blob["size"] == len(PNG)
    assert bsky.state.blobs[blob["ref"]["$link"]] == PNG


def test_bluesky_refuses_too_many_or_too_large_images_before_sending(bsky):
    with pytest.raises(PermanentError, match="at most 4 images"):
        bsky.adapter.publish(
            Part(text="t", key=new_key(), images=[Image(PNG, "image/png", "a")] * 5)
        )
    with pytest.raises(PermanentError, match="at most 1,000,000 bytes"):
        bsky.adapter.publish(
            Part(text="t", key=new_key(), images=[Image(b"x" * 1_000_001, "image/png", "a")])
        )

    assert bsky.state.posts == []
    assert bsky.state.count("POST", "/xrpc/com.atproto.repo.uploadBlob") == 0


def test_bluesky_facets_are_utf8_byte_ranges_with_mentions_resolved_to_dids(bsky):
    text = (
        "Café ☕ 🩸 with @alice.bsky.social at #ASH25 — slides: https://example.org/a_(b). "
        "Not a Bluesky handle: @someone@mastodon.social; unknown @nobody.example.com"
    )

    bsky.adapter.publish(Part(text=text, key=new_key()))

    record = bsky.state.posts[0]
    raw = text.encode()
    spans = [
        (raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(), f["features"][0])
        for f in record["facets"]
    ]
    assert spans == [
        (
            "@alice.bsky.social",
            {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:alice0000000000000000"},
        ),
        ("#ASH25", {"$type": "app.bsky.richtext.facet#tag", "tag": "ASH25"}),
        (
            "https://example.org/a_(b)",
            {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.org/a_(b)"},
        ),
    ]
    assert record["facets"][0]["index"]["byteStart"] == len("Café ☕ 🩸 with ".encode())


def test_bluesky_dropped_connection_then_find_returns_the_stored_post(bsky):
    part = Part(text="Stored, answer lost", key=new_key())
    bsky.state.fail_next("drop")

    with pytest.raises(TemporaryError, match="may have been stored"):
        bsky.adapter.publish(part)
    found = bsky.adapter.find(part)

    [stored] = bsky.state.records.values()
    assert found == Ref(id=stored["uri"], url=found.url, cid=stored["cid"])
    # Sent again anyway: the record key is taken, the same post comes back, nothing doubles.
    assert bsky.adapter.publish(part) == found
    assert len(bsky.state.posts) == 1


def test_bluesky_find_of_a_part_never_sent_is_none(bsky):
    assert bsky.adapter.find(Part(text="never sent", key=new_key())) is None


def test_bluesky_record_key_of_any_key_is_a_stable_tid():
    assert record_key("post-17:account-3:2") == record_key("post-17:account-3:2")
    assert is_tid(record_key("post-17:account-3:2"))
    assert record_key("post-17:account-3:2") != record_key("post-17:account-3:3")


def test_bluesky_part_with_a_non_tid_key_is_found_after_a_drop(bsky):
    part = Part(text="keyed by the desk", key="outgoing-42:account-1:1")
    bsky.state.fail_next("drop")
    with pytest.raises(TemporaryError):
        bsky.adapter.publish(part)

    assert bsky.adapter.find(part) is not None
    assert list(bsky.state.records) == [record_key(part.key)]


def test_bluesky_expired_session_is_refreshed_transparently(bsky):
    bsky.adapter.publish(Part(text="first", key=new_key()))
    bsky.state.fail_next("expired")

    bsky.adapter.publish(Part(text="second", key=new_key()))

    assert [p["text"] for p in bsky.state.posts] == ["first", "second"]
    assert bsky.state.sessions_refreshed == 1
    assert bsky.state.sessions_created == 1


def test_bluesky_expired_refresh_token_signs_in_again(bsky):
    bsky.adapter.publish(Part(text="first", key=new_key()))
    bsky.state.expire_sessions(refresh=True)

    bsky.adapter.publish(Part(text="second", key=new_key()))

    assert bsky.state.sessions_created == 2
    assert len(bsky.state.posts) == 2


def test_bluesky_access_token_the_pds_forgot_is_renewed(bsky):
    bsky.adapter.publish(Part(text="first", key=new_key()))
    bsky.state.access.clear()  # the PDS answers 401 AuthenticationRequired to the old token

    bsky.adapter.publish(Part(text="second", key=new_key()))

    assert len(bsky.state.posts) == 2
    assert bsky.state.sessions_refreshed == 1


def test_bluesky_wrong_app_password_is_permanent_with_the_platform_s_message(bsky):
    bsky.connection.secret = "wrong"

    with pytest.raises(PermanentError, match="Invalid identifier or password"):
        bsky.adapter.publish(Part(text="hello", key=new_key()))


def test_bluesky_rate_limit_is_temporary_with_the_reset_time(bsky):
    bsky.state.fail_next("rate_limit", reset=90)

    with pytest.raises(TemporaryError, match="Rate Limit Exceeded") as caught:
        bsky.adapter.publish(Part(text="hello", key=new_key()))

    assert 85 <= caught.value.retry_after <= 90
    assert bsky.state.posts == []


def test_bluesky_server_error_is_temporary(bsky):
    bsky.state.fail_next("server_error")

    with pytest.raises(TemporaryError, match="Internal Server Error"):
        bsky.adapter.publish(Part(text="hello", key=new_key()))


def test_bluesky_slow_answer_times_out_and_find_tells_what_happened(bsky):
    part = Part(text="slow", key=new_key())
    bsky.state.fail_next("slow", delay=1.0)

    started = time.monotonic()
    with pytest.raises(TemporaryError, match="did not answer in time"):
        bsky.adapter.publish(part)
    assert time.monotonic() - started < 1.0
    time.sleep(1.0)  # the server goes on and stores it

    assert bsky.adapter.find(part) is not None
    assert len(bsky.state.posts) == 1


def test_bluesky_hostile_text_is_stored_as_written_and_too_long_text_refused(bsky):
    bsky.adapter.publish(Part(text=HOSTILE, key=new_key()))
    assert bsky.state.posts[0]["text"] == HOSTILE

    with pytest.raises(PermanentError, match="must not be longer than 300 graphemes"):
        bsky.adapter.publish(Part(text="👍🏽" * 301, key=new_key()))
    bsky.adapter.publish(Part(text="👍🏽" * 150 + "e\u0301" * 150, key=new_key()))  # 300 fit
    with pytest.raises(PermanentError, match="must not be longer than 3000 characters"):
        bsky.adapter.publish(Part(text="x" * 100_000, key=new_key()))
    assert len(bsky.state.posts) == 2


# -- Mastodon -----------------------------------------------------------------------------


def test_mastodon_post_with_idempotency_key_language_and_visibility(masto):
    part = Part(
        text="Season 2 starts Thursday.", key=new_key(), langs=["fr"], visibility="unlisted"
    )

    ref = masto.adapter.publish(part)

    [status] = masto.state.statuses
    assert status["text"] == "Season 2 starts Thursday."
    assert status["idempotency_key"] == part.key
    assert status["language"] == "fr" and status["visibility"] == "unlisted"
    assert ref == Ref(id=status["id"], url=f"https://mastodon.example/@hemonc/{status['id']}")


def test_mastodon_thread_is_a_chain_of_replies(masto):
    first, second, _third = _thread(masto.adapter, ["1/3", "2/3", "3/3"])

    assert [s["in_reply_to_id"] for s in masto.state.statuses] == [None, first.id, second.id]


def test_mastodon_images_carry_their_descriptions_even_while_processing(masto):
    masto.state.media_processing = True  # 202 first, ready on the second look

    masto.adapter.publish(
        Part(text="Case", key=new_key(), images=[Image(PNG, "image/png", "Bone marrow, 40x")])
    )

    [attachment] = masto.state.statuses[0]["media_attachments"]
    assert attachment["description"] == "Bone marrow, 40x"
    assert attachment["url"]


@pytest.mark.parametrize("fixture", ["masto", "xapi"])
def test_too_many_or_too_large_images_are_refused_before_sending(request, fixture):
    platform = request.getfixturevalue(fixture)
    many = [Image(PNG, "image/png", "a")] * 5
    huge = [Image(b"x" * (platform.adapter.max_image_bytes + 1), "image/png", "a")]

    with pytest.raises(PermanentError, match="at most 4 images"):
        platform.adapter.publish(Part(text="t", key=new_key(), images=many))
    with pytest.raises(PermanentError, match="takes images of at most"):
        platform.adapter.publish(Part(text="t", key=new_key(), images=huge))

    assert platform.state.posts == []


def test_mastodon_limit_is_the_instance_s_own(masto):
    masto.state.max_characters = 1000

    assert masto.adapter.limit() == 1000
    masto.state.max_characters = 700
    assert masto.adapter.limit() == 1000  # remembered for a day
    assert masto.state.count("GET", "/api/v2/instance") == 1


def test_mastodon_limit_without_an_answer_is_500():
    connection = Connection(
        platform="mastodon",
        handle="h@nowhere.example",
        service=f"http://127.0.0.1:{_free_port()}",
        secret="t",
        timeout=FAST,
    )

    assert adapter_for(connection).limit() == 500


def test_mastodon_dropped_connection_then_the_same_key_returns_the_same_status(masto):
    part = Part(text="Stored, answer lost", key=new_key())
    masto.state.fail_next("drop")

    with pytest.raises(TemporaryError, match="may have been stored"):
        masto.adapter.publish(part)
    ref = masto.adapter.publish(part)  # within the hour: the Idempotency-Key answers

    [status] = masto.state.statuses
    assert ref.id == status["id"]


def test_mastodon_find_sees_a_stored_part_after_the_instance_forgot_its_key(masto):
    first = masto.adapter.publish(Part(text="Thread start", key=new_key()))
    part = Part(text=HOSTILE, key=new_key(), root=first, parent=first)
    masto.state.fail_next("drop")
    with pytest.raises(TemporaryError):
        masto.adapter.publish(part)
    masto.state.forget_idempotency_keys()  # an hour later

    found = masto.adapter.find(part)

    assert found is not None and found.id == masto.state.statuses[-1]["id"]
    assert masto.adapter.find(Part(text=HOSTILE, key=new_key())) is None  # not a reply
    assert masto.adapter.find(Part(text="never sent", key=new_key(), parent=first)) is None
    assert len(masto.state.statuses) == 2


def test_mastodon_rate_limit_is_temporary_with_the_reset_time(masto):
    masto.state.fail_next("rate_limit", reset=300)

    with pytest.raises(TemporaryError, match="Too many requests") as caught:
        masto.adapter.publish(Part(text="hello", key=new_key()))

    assert 295 <= caught.value.retry_after <= 300


def test_mastodon_server_error_and_slow_answer_are_temporary(masto):
    masto.state.fail_next("server_error")
    with pytest.raises(TemporaryError, match="something went wrong"):
        masto.adapter.publish(Part(text="a", key=new_key()))

    masto.state.fail_next("slow", delay=1.0)
    part = Part(text="b", key=new_key())
    with pytest.raises(TemporaryError, match="did not answer in time"):
        masto.adapter.publish(part)
    time.sleep(1.0)
    masto.adapter.publish(part)  # the same key: the status it stored meanwhile

    assert [s["text"] for s in masto.state.statuses] == ["b"]


def test_mastodon_revoked_token_is_permanent_with_the_platform_s_message(masto):
    masto.state.fail_next("expired")

    with pytest.raises(PermanentError, match="The access token is invalid"):
        masto.adapter.publish(Part(text="hello", key=new_key()))


def test_mastodon_hostile_text_is_sent_as_written_and_too_long_text_refused(masto):
    masto.adapter.publish(Part(text=HOSTILE, key=new_key()))
    assert masto.state.statuses[0]["text"] == HOSTILE
    assert "<script>" not in masto.state.statuses[0]["content"]

    with pytest.raises(PermanentError, match="Text character limit of 500 exceeded"):
        masto.adapter.publish(Part(text="x" * 100_000, key=new_key()))
    assert len(masto.state.statuses) == 1


# -- X ------------------------------------------------------------------------------------


def test_x_post_renews_the_token_and_keeps_the_rotated_refresh_token(xapi):
    ref = xapi.adapter.publish(Part(text="Season 2 starts Thursday.", key=new_key()))

    [tweet] = xapi.state.tweets
    assert tweet["text"] == "Season 2 starts Thursday."
    assert ref == Ref(id=tweet["id"], url=f"https://x.com/hemonc/status/{tweet['id']}")
    state = xapi.connection.state
    assert (
        state["refresh_token"] != "refresh-1" and xapi.state.refresh_tokens[state["refresh_token"]]
    )
    assert state["expires_at"] > time.time() + 3600
    xapi.adapter.publish(Part(text="again", key=new_key()))
    assert xapi.state.refreshes == 1  # the access token is used until it expires


def test_x_thread_replies_name_the_post_they_answer(xapi):
    first, second, _third = _thread(xapi.adapter, ["1/3", "2/3", "3/3"])

    assert [t["in_reply_to_tweet_id"] for t in xapi.state.tweets] == [None, first.id, second.id]


def test_x_images_are_uploaded_with_alt_text(xapi):
    xapi.adapter.publish(
        Part(text="Case", key=new_key(), images=[Image(PNG, "image/png", "Flow cytometry plot")])
    )

    [media] = xapi.state.tweets[0]["media"]
    assert media["alt_text"] == "Flow cytometry plot" and media["size"] == len(PNG)


def test_x_dropped_connection_then_find_sees_the_post_among_recent_ones(xapi):
    first = xapi.adapter.publish(Part(text="Thread start", key=new_key()))
    part = Part(
        text="Slides & notes <here>: https://example.org/slides?a=1",
        key=new_key(),
        root=first,
        parent=first,
    )
    xapi.state.fail_next("drop")

    with pytest.raises(TemporaryError, match="may have been stored"):
        xapi.adapter.publish(part)
    found = xapi.adapter.find(part)

    assert found is not None and found.id == xapi.state.tweets[-1]["id"]
    # Sent again anyway: X refuses the duplicate and the adapter returns the stored post.
    assert xapi.adapter.publish(part) == found
    assert len(xapi.state.tweets) == 2


def test_x_find_of_a_part_never_sent_or_in_another_thread_is_none(xapi):
    first = xapi.adapter.publish(Part(text="same words", key=new_key()))

    assert xapi.adapter.find(Part(text="never sent", key=new_key())) is None
    assert (
        xapi.adapter.find(Part(text="same words", key=new_key(), root=first, parent=first)) is None
    )


def test_x_expired_access_token_is_renewed_transparently(xapi):
    xapi.adapter.publish(Part(text="first", key=new_key()))
    xapi.state.fail_next("expired")

    xapi.adapter.publish(Part(text="second", key=new_key()))

    assert [t["text"] for t in xapi.state.tweets] == ["first", "second"]
    assert xapi.state.refreshes == 2


def test_x_revoked_refresh_token_is_permanent(xapi):
    xapi.adapter.publish(Part(text="first", key=new_key()))
    xapi.state.fail_next("expired", refresh=True)

    with pytest.raises(PermanentError, match="Value passed for the token was invalid"):
        xapi.adapter.publish(Part(text="second", key=new_key()))


def test_x_confidential_client_renews_with_basic_auth(xapi):
    xapi.connection.secret = (
        '{"refresh_token": "refresh-1", "client_id": "client-1", "client_secret": "s"}'
    )
    xapi.connection.client_id = ""
    adapter = adapter_for(xapi.connection)

    adapter.publish(Part(text="hello", key=new_key()))

    assert len(xapi.state.tweets) == 1


def test_x_rate_limit_server_error_and_too_long(xapi):
    xapi.state.fail_next("rate_limit", reset=600)
    with pytest.raises(TemporaryError, match="Too Many Requests") as caught:
        xapi.adapter.publish(Part(text="a", key=new_key()))
    assert 595 <= caught.value.retry_after <= 600

    xapi.state.fail_next("server_error")
    with pytest.raises(TemporaryError, match="Internal Server Error"):
        xapi.adapter.publish(Part(text="b", key=new_key()))

    with pytest.raises(PermanentError, match="Your Tweet text is too long"):
        xapi.adapter.publish(Part(text="x" * 100_000, key=new_key()))
    with pytest.raises(PermanentError, match="too long"):
        xapi.adapter.publish(Part(text="漢" * 141, key=new_key()))  # CJK weighs 2

    xapi.adapter.publish(Part(text=HOSTILE, key=new_key()))
    assert [t["text"] for t in xapi.state.tweets] == [HOSTILE]
