from __future__ import annotations

import io
import json
import shutil
import tarfile
import tracemalloc
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hemonc.outreach.importers.followers_csv import parse_followers_csv
from hemonc.outreach.importers.rows import OutreachFileError
from hemonc.outreach.importers.x_archive import parse_x_archive
from hemonc.outreach.importers.x_content import parse_x_content
from hemonc.outreach.importers.x_legacy import parse_x_legacy, parse_x_legacy_daily
from hemonc.outreach.importers.x_overview import parse_x_overview
from hemonc.outreach.models import DailyTotals, FollowerSnapshot, Post, PostHashtag, SocialAccount
from tests.bombs import tar_gz_bomb, zip_bomb
from tests.outreach.conftest import (
    ALL_X,
    ARCHIVE,
    CONTENT,
    FIXTURES,
    FOLLOWERS,
    JUNE,
    OVERVIEW,
    WINDOW,
)


def _metrics() -> dict[str, tuple[int | None, int | None]]:
    return {p.post_id[-1]: (p.impressions, p.engagements) for p in Post.objects.all()}


def test_legacy_export_parses_bom_crlf_quoted_newline_floats_and_promoted_dashes():
    with JUNE.open(encoding="utf-8-sig", newline="") as file:
        rows = list(parse_x_legacy(file, name=JUNE.name, default_handle=None))

    assert [r.post_id for r in rows] == [
        "1532000000000000001", "1532000000000000002", "1532000000000000003",
    ]  # fmt: skip
    first, second = rows[0], rows[1]
    assert first.handle == "ExampleNet"
    assert first.published_at == datetime(2022, 6, 2, 14, 5, tzinfo=UTC)
    assert (first.impressions, first.engagements, first.likes, first.reposts) == (1000, 50, 10, 2)
    assert first.text.startswith("Join us tonight: #ASH21 recap & #bcsm Q&A")
    assert first.hashtags == ("ASH21", "bcsm")
    assert second.text == "Line one of a thread\nLine two #HOFellows"
    assert second.line == 3  # its quoted newline makes it two lines long: 3 and 4
    assert rows[2].line == 5


def test_legacy_export_with_favorites_header_reads_likes():
    path = FIXTURES / "favorites" / "tweet_activity_metrics_ExampleNet_20160101_20160201_en.csv"
    with path.open(encoding="utf-8-sig", newline="") as file:
        (row,) = parse_x_legacy(file, name=path.name, default_handle=None)

    assert (row.impressions, row.engagements, row.likes) == (321, 12, 7)


def test_content_export_parses_quoted_dates_and_quoted_text():
    with CONTENT.open(encoding="utf-8-sig", newline="") as file:
        rows = list(parse_x_content(file, name=CONTENT.name, default_handle=None))

    assert rows[0].published_at == datetime(2022, 7, 20, tzinfo=UTC)
    assert rows[0].text == "Mentors, mentees and a round table #HOFellows"
    assert (rows[0].impressions, rows[0].engagements, rows[0].likes) == (1500, 45, 18)
    assert rows[1].published_at.date() == date(2022, 7, 1)


def test_import_keeps_metrics_of_the_export_whose_period_ends_latest(import_x):
    output = import_x(*ALL_X)

    assert _metrics() == {
        "1": (1000, 50),
        "2": (500, 10),  # the June 15 - July 14 window ends after the June file
        "3": (0, 0),
        "4": (2500, 50),  # the July content export (inclusive end July 31) wins
        "5": (600, 30),
        "6": (1500, 45),
        "7": (None, None),  # archive only: no metrics
    }
    assert Post.objects.get(post_id="1532000000000000004").published_at == datetime(
        2022, 7, 1, 12, 0, tzinfo=UTC
    )  # the content export's date without time does not erase the legacy time
    assert "6 posts added" in output and "1 archive-only post added" in output
    assert "3 daily rows" in output


def test_import_in_separate_runs_in_reverse_order_gives_the_same_metrics(import_x):
    import_x(CONTENT)
    import_x(WINDOW)
    import_x(JUNE)
    import_x(ARCHIVE)

    assert _metrics()["2"] == (500, 10)
    assert _metrics()["4"] == (2500, 50)
    assert _metrics()["7"] == (None, None)


def test_archive_never_overwrites_metrics(import_x):
    import_x(JUNE)
    import_x(ARCHIVE)

    post = Post.objects.get(post_id="1532000000000000001")
    assert (post.impressions, post.engagements, post.source_format) == (1000, 50, "x_legacy")


def test_same_tie_period_file_read_later_wins(import_x, tmp_path):
    later = tmp_path / "later" / JUNE.name
    later.parent.mkdir()
    later.write_bytes(JUNE.read_bytes().replace(b'"1000.0","50.0"', b'"1100.0","55.0"'))

    import_x(JUNE, later)

    assert _metrics()["1"] == (1100, 55)


def test_importing_the_same_files_again_changes_nothing(import_x):
    import_x(*ALL_X)
    before = list(Post.objects.order_by("key").values())
    tags = PostHashtag.objects.count()

    output = import_x(*ALL_X)

    assert list(Post.objects.order_by("key").values()) == before
    assert PostHashtag.objects.count() == tags
    assert "0 posts added, 0 updated, 8 unchanged" in output


def test_broken_row_fails_with_file_line_and_field_and_writes_nothing(import_x):
    broken = FIXTURES / "broken" / WINDOW.name

    with pytest.raises(CommandError) as error:
        import_x(JUNE, broken)

    assert str(error.value) == (
        f"{broken}: line 5, field 'impressions': '6OO.0' is not a whole number"
    )
    assert Post.objects.count() == 0
    assert SocialAccount.objects.count() == 0


def test_unknown_file_fails_naming_it(import_x, tmp_path):
    other = tmp_path / "notes.csv"
    other.write_text("a,b\n1,2\n")

    with pytest.raises(CommandError, match=r"notes.csv: line 1, field 'header': not a known"):
        import_x(JUNE, other)

    assert Post.objects.count() == 0


def test_overview_without_account_fails(import_x):
    with pytest.raises(CommandError, match="give --account"):
        import_x(OVERVIEW, account=None)


def test_overview_rows_feed_the_daily_series(import_x):
    import_x(OVERVIEW)

    days = list(DailyTotals.objects.order_by("date").values_list("date", "impressions"))
    assert days == [(date(2022, 7, 29), 250), (date(2022, 7, 30), 300), (date(2022, 7, 31), 900)]


def test_zip_and_folder_are_read_by_file_name(import_x, tmp_path):
    bundle = tmp_path / "exports.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.write(WINDOW, WINDOW.name)
        archive.write(JUNE, f"nested/{JUNE.name}")
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copy(CONTENT, folder / CONTENT.name)

    import_x(bundle, folder)

    assert _metrics()["2"] == (500, 10)
    assert _metrics()["4"] == (2500, 50)


def test_followers_import_reads_bom_and_crlf(db):
    out = io.StringIO()
    call_command("import-followers", str(FOLLOWERS), "--account", "@ExampleNet", stdout=out)

    assert list(FollowerSnapshot.objects.order_by("date").values_list("date", "followers")) == [
        (date(2022, 6, 1), 3000), (date(2022, 7, 1), 3200), (date(2022, 7, 31), 3412),
    ]  # fmt: skip
    assert "Read 3 follower counts" in out.getvalue()


def test_followers_bad_count_names_line_and_field(db, tmp_path):
    bad = tmp_path / "followers.csv"
    bad.write_text("date,followers\n2022-06-01,3000\n2022-07-01,many\n")

    with pytest.raises(CommandError, match=r"line 3, field 'followers'"):
        call_command("import-followers", str(bad), "--account", "ExampleNet")

    assert FollowerSnapshot.objects.count() == 0


def _outbox(tmp_path: Path, likes: int) -> Path:
    outbox = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "type": "OrderedCollection",
        "orderedItems": [
            {
                "type": "Create",
                "object": {
                    "id": "https://med.example/users/hemonc/statuses/1",
                    "type": "Note",
                    "published": "2023-01-05T15:00:00Z",
                    "content": "<p>Hello <a href='x'>#HemeTwitter</a> &amp; friends</p>",
                    "tag": [{"type": "Hashtag", "name": "#HemeTwitter"}],
                    "likes": {"totalItems": likes},
                    "shares": {"totalItems": 2},
                },
            },
            {"type": "Announce", "object": "https://other.example/statuses/9"},
        ],
    }
    path = tmp_path / f"archive-2023-{likes}.tar.gz"
    data = json.dumps(outbox).encode()
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo("outbox.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return path


def test_mastodon_archive_gives_likes_and_boosts_without_impressions(db, tmp_path):
    call_command("import-mastodon-archive", str(_outbox(tmp_path, 5)), "--account",
                 "@hemonc@med.example", stdout=io.StringIO())  # fmt: skip
    call_command("import-mastodon-archive", str(_outbox(tmp_path, 9)), "--account",
                 "@hemonc@med.example", stdout=io.StringIO())  # fmt: skip

    (post,) = Post.objects.all()
    assert (post.likes, post.reposts, post.impressions) == (9, 2, None)
    assert post.text == "Hello #HemeTwitter & friends"
    assert post.account.handle == "hemonc@med.example"
    assert list(post.tags.values_list("tag", flat=True)) == ["hemetwitter"]


def test_parse_error_type_names_the_file():
    error = OutreachFileError(name="a.csv", line=3, field="time", problem="bad")

    assert str(error) == "a.csv: line 3, field 'time': bad"


def test_import_across_many_batches_and_files_keeps_every_post_and_hashtag(
    import_x, tmp_path, monkeypatch
):
    from hemonc.outreach import services
    from hemonc.outreach.exports import SyntheticPost, legacy_name, write_legacy

    # Batches of a few posts (40 on PostgreSQL), each batch with more hashtags than posts.
    monkeypatch.setattr(services, "BATCH", 1)
    tags = " ".join(f"#tag{n}" for n in range(12))
    paths = []
    for month in (1, 2, 3):
        path = tmp_path / legacy_name("ExampleNet", date(2022, month, 1), date(2022, month, 28))
        posts = [
            SyntheticPost(
                f"15{month}{n:04d}",
                datetime(2022, month, 2, n // 3, n % 3, tzinfo=UTC),
                f"Post {n} {tags}",
                100 + n,
                10,
                5,
                2,
                1,
            )
            for n in range(50)
        ]
        with path.open("w", encoding="utf-8", newline="") as file:
            write_legacy(file, "ExampleNet", posts)
        paths.append(path)

    output = import_x(*paths)

    assert Post.objects.count() == 150
    assert PostHashtag.objects.count() == 150 * 12
    assert Post.objects.get(post_id="1520047").impressions == 147
    assert "150 posts added" in output


# ---------------------------------------------------------------------------------------------
# Hostile files: refused with file, line (or JSON entry) and field named; nothing written.

LEGACY_NAME = "tweet_activity_metrics_ExampleNet_20220601_20220701_en.csv"
LEGACY_HEAD = (
    '"Tweet id","Tweet permalink","Tweet text","time","impressions","engagements",'
    '"retweets","replies","likes"\n'
    '"1","https://twitter.com/ExampleNet/status/1","Hi","2022-06-02 10:00 +0000","100.0",'
    '"5.0","1.0","0.0","2.0"\n'
)


def _legacy(text="Hi", time="2022-06-02 10:00 +0000", impressions="100.0", post="2",
            link="https://twitter.com/ExampleNet/status/2") -> bytes:  # fmt: skip
    return (
        LEGACY_HEAD
        + f'"{post}","{link}","{text}","{time}","{impressions}","5.0","1.0","0.0","2.0"\n'
    ).encode()


CONTENT_NAME = "account_analytics_content_2022-07-01_2022-07-31.csv"
CONTENT_HEAD = (
    "Post id,Date,Post text,Post Link,Impressions,Likes,Engagements,Replies,Reposts\n"
    '1,"Fri, Jul 1, 2022",Hi,https://x.com/ExampleNet/status/1,10,1,2,0,0\n'
)
OVERVIEW_HEAD = (
    'Date,Impressions,Likes,Engagements,New follows,Unfollows\n"Fri, Jul 1, 2022",10,1,2,0,0\n'
)


DAILY_NAME = "daily_tweet_activity_metrics_ExampleNet_20220601_20220701_en.csv"


def _daily(row: str) -> bytes:
    head = '"Date","Tweets published","impressions","engagements"\n"2022-06-01","1","100.0","5.0"\n'
    return (head + row + "\n").encode()


def _tweets_js(tweet: dict) -> bytes:  # type: ignore[type-arg]
    good = {"id_str": "1", "created_at": "Sat Dec 06 18:20:30 +0000 2025", "full_text": "Hi",
            "favorite_count": "1", "retweet_count": "0"}  # fmt: skip
    return (
        "window.YTD.tweets.part0 = "
        + json.dumps([{"tweet": good}, {"tweet": {**good, "id_str": "2", **tweet}}])
    ).encode()


HOSTILE_X_FILES = [
    # (file name, content, "line N" / "entry N", field named)
    (LEGACY_NAME, _legacy(impressions="9" * 25), "line 3", "impressions"),
    (LEGACY_NAME, _legacy(text="Hi\x00there"), "line 3", "Tweet text"),
    (LEGACY_NAME, _legacy(text="Hi\x1b[2Jthere"), "line 3", "Tweet text"),
    (LEGACY_NAME, _legacy(time="0001-01-01 00:05 +0100"), "line 3", "time"),
    (LEGACY_NAME, _legacy(post="9" * 300), "line 3", "Tweet id"),
    (LEGACY_NAME, _legacy(link="https://twitter.com/ExampleNet/status/2?" + "x" * 400),
     "line 3", "Tweet permalink"),
    (LEGACY_NAME, LEGACY_HEAD.encode() + b'"2","https://twitter.com/ExampleNet/status/2",'
     b'"Zo\xeb","2022-06-02 10:00 +0000","1.0","5.0","1.0","0.0","2.0"\n', "line 3",
     "Tweet text"),
    (CONTENT_NAME, (CONTENT_HEAD + '2,"Fri, Jul 1, 2022",Hi,https://x.com/ExampleNet/status/2,'
     f'10,{"9" * 25},2,0,0\n').encode(), "line 3", "likes"),
    (CONTENT_NAME, (CONTENT_HEAD + '2,"Fri, Jan 1, 1",Hi,https://x.com/ExampleNet/status/2,'
     "10,1,2,0,0\n").encode(), "line 3", "Date"),
    (CONTENT_NAME, (CONTENT_HEAD + '2,"Fri, Jul 1, 2022",Hi\x07,https://x.com/ExampleNet/status/2,'
     "10,1,2,0,0\n").encode(), "line 3", "Post text"),
    ("account_overview_analytics.csv", (OVERVIEW_HEAD + f'"Sat, Jul 2, 2022",{"9" * 25},1,2,0,0\n')
     .encode(), "line 3", "Impressions"),
    ("account_overview_analytics.csv", (OVERVIEW_HEAD + '"Sat, Jul 2, 9999",1,1,2,0,0\n')
     .encode(), "line 3", "Date"),
    ("tweets.js", b"window.YTD.tweets.part0 = " + b"[" * 100_000, "line 1", "JSON"),
    ("tweets.js", b"window.YTD.tweets.part0 = [" + b"1" * 5000 + b"]", "line 1", "JSON"),
    ("tweets.js", _tweets_js({"favorite_count": 10**30}), "entry 2", "favorite_count"),
    ("tweets.js", _tweets_js({"created_at": "Mon Jan 01 00:00:00 +0100 0001"}), "entry 2",
     "created_at"),
    ("tweets.js", _tweets_js({"full_text": "Hi\x00"}), "entry 2", "full_text"),
    (LEGACY_NAME, _legacy(post="2a"), "line 3", "Tweet id"),
    (LEGACY_NAME, LEGACY_HEAD.encode() + b'"2","https://twitter.com/ExampleNet/status/2"\n',
     "line 3", "tweet text"),
    (LEGACY_NAME, LEGACY_HEAD.replace('"replies",', "").encode(), "line 1", "header"),
    (LEGACY_NAME, LEGACY_HEAD.replace('"likes"', '"likes","engagement rate"').replace(
     '"2.0"\n', '"2.0","five percent"\n').encode(), "line 2", "engagement rate"),
    (DAILY_NAME, _daily('"2022-06-31","1","100.0","5.0"'), "line 3", "Date"),
    (DAILY_NAME, _daily('"2022-06-02","1"'), "line 3", "impressions"),
    (DAILY_NAME, _daily('"2022-06-02","1","lots","5.0"'), "line 3", "impressions"),
    (DAILY_NAME, b'"Date","Tweets published","impressions"\n', "line 1", "header"),
    (CONTENT_NAME, (CONTENT_HEAD + '2x,"Fri, Jul 1, 2022",Hi,https://x.com/ExampleNet/status/2,'
     "10,1,2,0,0\n").encode(), "line 3", "Post id"),
    (CONTENT_NAME, (CONTENT_HEAD + '2,"Fri, Jly 1, 2022",Hi,https://x.com/ExampleNet/status/2,'
     "10,1,2,0,0\n").encode(), "line 3", "Date"),
    (CONTENT_NAME, (CONTENT_HEAD + "2,2022-07-01,Hi\n").encode(), "line 3", "post link"),
    (CONTENT_NAME, b"Post id,Date,Post text,Post Link\n", "line 1", "header"),
    (CONTENT_NAME, (CONTENT_HEAD.replace(",Reposts", ",Reposts,URL Clicks").replace(
     ",0,0\n", ",0,0,many\n")).encode(), "line 2", "url clicks"),
    ("account_overview_analytics.csv", (OVERVIEW_HEAD + '"Fri, Jul 1, 2022",1,1,2,0,0\n')
     .encode(), "line 3", "Date"),
    ("account_overview_analytics.csv", (OVERVIEW_HEAD + '"Sat, Jul 2, 2022",1\n').encode(),
     "line 3", "likes"),
    ("tweets.js", b"window.YTD.tweets.part0 = {}", "line 1", "JSON"),
    ("tweets.js", b"window.YTD.tweets.part0 = [1]", "entry 1", "tweet"),
    ("tweets.js", _tweets_js({"id_str": "", "id": "x2"}), "entry 2", "id_str"),
    (LEGACY_NAME, _legacy(impressions="-3"), "line 3", "impressions"),
    (LEGACY_NAME, _legacy(impressions="12.5"), "line 3", "impressions"),
    ("tweets.js", b"window.YTD.tweets.part0 = [{", "line 1", "JSON"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "where", "field"),
    HOSTILE_X_FILES,
    ids=[f"{name.split('_')[0]}-{n}" for n, (name, *_) in enumerate(HOSTILE_X_FILES)],
)
def test_hostile_x_file_names_file_line_and_field_and_writes_nothing(
    import_x, tmp_path, name: str, content: bytes, where: str, field: str
):
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(CommandError) as error:
        import_x(path)

    message = str(error.value)
    assert name in message and where in message and field in message
    assert (Post.objects.count(), DailyTotals.objects.count()) == (0, 0)


HOSTILE_FOLLOWERS = [
    (b"date,followers\n2022-06-01,10\n2022-06-02,99999999999\n", "followers"),
    (b"date,followers\n2022-06-01,10\n0001-01-01,5\n", "date"),
    (b"date,followers\n2022-06-01,10\n2022-06-02,1\x00\n", "followers"),
    (b"date,followers,note\n2022-06-01,10,ok\n2022-06-02,5,Zo\xeb\n", "note"),
    (b"date,followers\n2022-06-01,10\n2022-06-01,12\n", "date"),
    (b"date,followers\n2022-06-01,10\n2022-06-02\n", "followers"),
    (b"date,followers\n2022-06-01,10\n2022-06-31,12\n", "date"),
]


@pytest.mark.parametrize(("content", "field"), HOSTILE_FOLLOWERS)
def test_hostile_followers_file_names_line_and_field_and_writes_nothing(
    db, tmp_path, content: bytes, field: str
):
    path = tmp_path / "followers.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError) as error:
        call_command("import-followers", str(path), "--account", "ExampleNet")

    assert "followers.csv: line 3" in str(error.value) and field in str(error.value)
    assert FollowerSnapshot.objects.count() == 0


def _note(**fields) -> dict:  # type: ignore[no-untyped-def, type-arg]
    note = {"id": "https://med.example/users/hemonc/statuses/2", "type": "Note",
            "published": "2023-01-05T15:00:00Z", "content": "<p>Hi</p>",
            "likes": {"totalItems": 1}, "shares": {"totalItems": 0}}  # fmt: skip
    return {"type": "Create", "object": {**note, **fields}}


HOSTILE_OUTBOXES = [
    (b'{"orderedItems": ' + b"[" * 100_000, "line 1", "JSON"),
    (json.dumps({"orderedItems": [_note(), _note(likes={"totalItems": 10**30})]}).encode(),
     "item 2", "object.likes.totalItems"),
    (json.dumps({"orderedItems": [_note(), _note(published="0001-01-01T00:00:00+01:00")]})
     .encode(), "item 2", "object.published"),
    (json.dumps({"orderedItems": [_note(), _note(id="https://med.example/" + "x" * 300)]})
     .encode(), "item 2", "object.id"),
    (json.dumps({"orderedItems": [_note(), _note(tag=[{"type": "Hashtag", "name": "#" + "x" * 150}])]})
     .encode(), "item 2", "object.tag"),
    (b'{"orderedItems": [], "x": "Zo\xeb"}', "line 1", "encoding"),
    (b'{"type": "OrderedCollection"}', "line 1", "orderedItems"),
    (json.dumps({"orderedItems": [_note(), _note(id="42")]}).encode(), "item 2", "object.id"),
    (json.dumps({"orderedItems": [_note(), _note(shares={"totalItems": -1})]}).encode(),
     "item 2", "object.shares.totalItems"),
]  # fmt: skip


@pytest.mark.parametrize(("content", "where", "field"), HOSTILE_OUTBOXES)
def test_hostile_mastodon_outbox_names_item_and_field_and_writes_nothing(
    db, tmp_path, content: bytes, where: str, field: str
):
    path = tmp_path / "archive-2023.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo("outbox.json")
        info.size = len(content)
        archive.addfile(info, io.BytesIO(content))

    with pytest.raises(CommandError) as error:
        call_command("import-mastodon-archive", str(path), "--account", "@hemonc@med.example")

    message = str(error.value)
    assert "archive-2023.tar.gz!outbox.json" in message and where in message and field in message
    assert Post.objects.count() == 0


def test_mastodon_tar_gz_bomb_is_refused_within_bounded_memory(db, tmp_path):
    bomb = tar_gz_bomb(tmp_path / "archive-bomb.tar.gz", "outbox.json",
                       head=b'{"orderedItems": [], "padding": "')  # fmt: skip
    assert bomb.stat().st_size < 1024 * 1024

    tracemalloc.start()
    try:
        with pytest.raises(CommandError) as error:
            call_command("import-mastodon-archive", str(bomb), "--account", "@a@med.example")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert "archive-bomb.tar.gz, member outbox.json" in str(error.value)
    assert "compressed size" in str(error.value)
    assert peak < 64 * 1024 * 1024
    assert (Post.objects.count(), SocialAccount.objects.count()) == (0, 0)


def test_truncated_mastodon_archive_is_refused_naming_it(db, tmp_path):
    whole = _outbox(tmp_path, 5)
    cut = tmp_path / "archive-cut.tar.gz"
    cut.write_bytes(whole.read_bytes()[:200])

    with pytest.raises(CommandError) as error:
        call_command("import-mastodon-archive", str(cut), "--account", "@hemonc@med.example")

    assert "archive-cut.tar.gz" in str(error.value)
    assert Post.objects.count() == 0


def test_x_analytics_zip_bomb_is_refused_naming_zip_and_member(import_x, tmp_path):
    bomb = zip_bomb(tmp_path / "analytics.zip", LEGACY_NAME, head=LEGACY_HEAD.encode())

    with pytest.raises(CommandError) as error:
        import_x(bomb)

    assert f"analytics.zip, member {LEGACY_NAME}" in str(error.value)
    assert "compressed size" in str(error.value)
    assert Post.objects.count() == 0


@pytest.mark.parametrize(
    "name",
    [
        "account_analytics_content_2022-07-01_2022-13-45.csv",
        "tweet_activity_metrics_ExampleNet_20220601_00010101_en.csv",
    ],
)
def test_export_named_with_an_impossible_period_is_read_as_unnamed(import_x, tmp_path, name):
    path = tmp_path / name
    head = CONTENT_HEAD if name.startswith("account") else LEGACY_HEAD
    path.write_text(head, encoding="utf-8")

    import_x(path)

    assert Post.objects.count() == 1


def test_mastodon_zip_archive_is_read_like_the_tar_gz(db, tmp_path):
    with tarfile.open(_outbox(tmp_path, 7)) as archive:
        outbox = archive.extractfile("outbox.json").read()  # type: ignore[union-attr]
    path = tmp_path / "archive-20240101-abc.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("media_attachments/files/1.png", b"\x89PNG")
        archive.writestr("outbox.json", outbox)

    call_command("import-mastodon-archive", str(path), "--account", "@hemonc@med.example",
                 stdout=io.StringIO())  # fmt: skip

    assert Post.objects.get().likes == 7


def test_x_analytics_damaged_zip_is_refused_naming_zip_and_member(import_x, tmp_path):
    path = tmp_path / "analytics.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(LEGACY_NAME, LEGACY_HEAD * 40)
    data = bytearray(path.read_bytes())
    data[100:120] = bytes(20)  # inside the member's compressed data
    path.write_bytes(bytes(data))

    with pytest.raises(CommandError) as error:
        import_x(path)

    assert f"analytics.zip, member {LEGACY_NAME}" in str(error.value)
    assert Post.objects.count() == 0


def test_daily_tweet_activity_export_feeds_the_daily_series_of_the_account_in_its_name(
    import_x, tmp_path
):
    path = tmp_path / DAILY_NAME
    path.write_bytes(_daily('"2022-06-02","3","250.0","12.0"'))

    output = import_x(path, account=None)

    assert "daily tweet activity export, 2 rows" in output
    assert list(
        DailyTotals.objects.values_list("account__handle", "date", "impressions", "engagements")
    ) == [
        ("ExampleNet", date(2022, 6, 1), 100, 5),
        ("ExampleNet", date(2022, 6, 2), 250, 12),
    ]


def test_followers_file_without_a_followers_column_is_refused(db, tmp_path):
    path = tmp_path / "followers.csv"
    path.write_text("date,count\n2022-06-01,10\n", encoding="utf-8")

    with pytest.raises(CommandError, match=r"followers.csv: line 1, field 'header': missing"):
        call_command("import-followers", str(path), "--account", "ExampleNet")

    assert FollowerSnapshot.objects.count() == 0


def test_mastodon_outbox_is_read_from_a_folder_or_the_file_and_keeps_only_notes(db, tmp_path):
    items = [
        _note(
            tag=[
                {"type": "Hashtag", "name": "#lcsm"},
                {"type": "Hashtag", "name": "#"},
                {"type": "Mention"},
                "odd",
            ]
        ),
        _note(id="https://med.example/users/hemonc/statuses/3", replies={"totalItems": 4}),
        {"type": "Create", "object": {"type": "Question", "id": "https://med.example/q/1"}},
        {"type": "Create", "object": "https://med.example/statuses/9"},
        "not an activity",
    ]
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "outbox.json").write_text(json.dumps({"orderedItems": items}), encoding="utf-8")

    call_command("import-mastodon-archive", str(folder), "--account", "@hemonc@med.example",
                 stdout=io.StringIO())  # fmt: skip
    call_command("import-mastodon-archive", str(folder / "outbox.json"), "--account",
                 "@hemonc@med.example", stdout=io.StringIO())  # fmt: skip

    posts = {p.post_id.rsplit("/", 1)[-1]: p for p in Post.objects.all()}
    assert sorted(posts) == ["2", "3"]
    assert list(posts["2"].tags.values_list("tag", flat=True)) == ["lcsm"]
    assert (posts["2"].replies, posts["3"].replies) == (None, 4)


@pytest.mark.parametrize("suffix", [".tar.gz", ".zip"])
def test_mastodon_archive_without_an_outbox_is_refused_naming_it(db, tmp_path, suffix):
    path = tmp_path / f"archive{suffix}"
    if suffix == ".zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("actor.json", "{}")
    else:
        with tarfile.open(path, "w:gz") as archive:
            info = tarfile.TarInfo("actor.json")
            info.size = 2
            archive.addfile(info, io.BytesIO(b"{}"))

    with pytest.raises(CommandError, match=r"field 'outbox.json': not in the archive"):
        call_command("import-mastodon-archive", str(path), "--account", "@hemonc@med.example")

    assert Post.objects.count() == 0


def test_mastodon_outbox_that_is_not_there_is_refused_naming_it(db, tmp_path):
    with pytest.raises(CommandError, match=r"outbox.json: line 0, field 'file': No such file"):
        call_command("import-mastodon-archive", str(tmp_path / "outbox.json"), "--account",
                     "@hemonc@med.example")  # fmt: skip


def test_legacy_counts_written_as_decimals_are_read_and_number_tags_are_not_hashtags(
    import_x, tmp_path
):
    path = tmp_path / LEGACY_NAME
    path.write_bytes(_legacy(text="Class of #2024 #bcsm", impressions="12.00"))

    import_x(path)

    post = Post.objects.get(post_id="2")
    assert post.impressions == 12
    assert list(post.tags.values_list("tag", flat=True)) == ["bcsm"]


def test_folder_import_skips_hidden_and_macos_files_and_an_empty_one_is_refused(import_x, tmp_path):
    folder = tmp_path / "exports"
    (folder / "__MACOSX").mkdir(parents=True)
    (folder / "__MACOSX" / LEGACY_NAME).write_bytes(b"\x00\x01 resource fork")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")

    with pytest.raises(CommandError, match=r"^No files found in the given paths\.$"):
        import_x(folder)
    (folder / LEGACY_NAME).write_bytes(_legacy())
    output = import_x(folder)

    assert "Read 1 file and" in output
    assert Post.objects.count() == 2


def test_x_analytics_path_that_is_not_there_is_named(import_x, tmp_path):
    with pytest.raises(CommandError, match=r"nowhere: line 0, field 'path': no such file"):
        import_x(tmp_path / "nowhere")


@pytest.mark.parametrize(
    "parse",
    [
        lambda file: parse_x_legacy(file, name="export.csv", default_handle="ExampleNet"),
        lambda file: parse_x_legacy_daily(file, name="export.csv"),
        lambda file: parse_x_content(file, name="export.csv", default_handle="ExampleNet"),
        lambda file: parse_x_overview(file, name="export.csv"),
        lambda file: parse_followers_csv(file, name="export.csv"),
    ],
    ids=["legacy", "daily", "content", "overview", "followers"],
)
def test_parsers_refuse_an_empty_file_naming_it(parse):
    with pytest.raises(OutreachFileError) as error:
        list(parse(io.StringIO("")))

    assert str(error.value) == "export.csv: line 1, field 'header': empty file"


def test_archive_parser_refuses_a_file_without_the_archive_prefix():
    with pytest.raises(OutreachFileError, match="field 'prefix': does not start"):
        list(parse_x_archive(io.StringIO('[{"tweet": {}}]'), name="tweets.js", handle="Net"))


def test_blank_lines_between_rows_are_skipped_in_every_csv_export(import_x, tmp_path):
    content = tmp_path / CONTENT_NAME
    content.write_text(CONTENT_HEAD + "\n,,,\n" + CONTENT_HEAD.splitlines()[1].replace(
        "1,", "2,", 1).replace("status/1", "status/2") + "\n", encoding="utf-8")  # fmt: skip
    overview = tmp_path / "account_overview_analytics.csv"
    overview.write_text(OVERVIEW_HEAD + "\n" + '"Sat, Jul 2, 2022",20,1,2,0,0\n', encoding="utf-8")
    daily = tmp_path / DAILY_NAME
    daily.write_bytes(_daily('\n"2022-06-02","3","250.0","12.0"'))
    followers = tmp_path / "followers.csv"
    followers.write_text("date,followers\n2022-06-01,10\n\n2022-06-02,12\n", encoding="utf-8")

    import_x(content, overview, daily)
    call_command("import-followers", str(followers), "--account", "ExampleNet",
                 stdout=io.StringIO())  # fmt: skip

    assert sorted(Post.objects.values_list("post_id", flat=True)) == ["1", "2"]
    assert DailyTotals.objects.count() == 4  # two from the overview, two from the daily export
    assert FollowerSnapshot.objects.count() == 2


def test_mastodon_outbox_past_the_size_limit_is_refused_before_it_is_read(db, tmp_path, settings):
    settings.IMPORT_ARCHIVE_MAX_BYTES = 1024
    path = tmp_path / "outbox.json"
    path.write_text(json.dumps({"orderedItems": [_note(content="x" * 2000)]}), encoding="utf-8")

    with pytest.raises(
        CommandError, match=r"outbox.json: line 0, field 'file': [\d,]+ bytes is more"
    ):
        call_command("import-mastodon-archive", str(path), "--account", "@hemonc@med.example")

    assert Post.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "field"),
    [
        ("export.csv", _legacy(link="https://example.org/p/2"), "Tweet permalink"),
        ("content.csv", (CONTENT_HEAD.replace("https://x.com/ExampleNet/status/1", "n/a"))
         .encode(), "Post Link"),
    ],
)  # fmt: skip
def test_rows_naming_no_account_without_account_given_are_refused(
    import_x, tmp_path, name, content, field
):
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(CommandError, match=f"field '{field}': .* names no account; give --account"):
        import_x(path, account=None)

    assert Post.objects.count() == 0


def test_overview_without_an_engagements_column_is_refused(import_x, tmp_path):
    path = tmp_path / "account_overview_analytics.csv"
    path.write_text('Date,Impressions,Unfollows\n"Fri, Jul 1, 2022",10,0\n', encoding="utf-8")

    with pytest.raises(
        CommandError, match=r"line 1, field 'header': missing column\(s\) engagements"
    ):
        import_x(path)

    assert DailyTotals.objects.count() == 0


def test_content_export_reads_iso_dates_too(import_x, tmp_path):
    path = tmp_path / CONTENT_NAME
    path.write_text(
        CONTENT_HEAD + "2,2022-07-02,Hi,https://x.com/ExampleNet/status/2,10,1,2,0,0\n",
        encoding="utf-8",
    )

    import_x(path)

    assert Post.objects.get(post_id="2").published_at == datetime(2022, 7, 2, tzinfo=UTC)


def test_archive_keeps_only_hashtags_with_a_text(import_x, tmp_path):
    path = tmp_path / "tweets.js"
    path.write_bytes(_tweets_js({"entities": {"hashtags": [{"text": "bcsm"}, {"text": ""}, "x"]}}))

    import_x(path)

    assert list(PostHashtag.objects.values_list("post__post_id", "tag")) == [("2", "bcsm")]
