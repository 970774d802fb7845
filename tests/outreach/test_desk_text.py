"""Counting posts as each platform counts them, threads, and Bluesky facets."""

from __future__ import annotations

import time

import pytest

from hemonc.outreach.desk.text import (
    LIMITS,
    Facet,
    ThreadError,
    facets,
    graphemes,
    length,
    split_thread,
    url_spans,
)

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 👨‍👩‍👧‍👦, 7 code points
CJK_160 = (
    "故人西辞黄鹤楼\uff0c烟花三月下扬州。孤帆远影碧空尽\uff0c唯见长江天际流。朱雀桥边野草花\uff0c乌衣巷口夕阳斜。"
    "旧时王谢堂前燕\uff0c飞入寻常百姓家。朝辞白帝彩云间\uff0c千里江陵一日还。两岸猿声啼不住\uff0c轻舟已过万重山。"
    "泪湿罗巾梦不成\uff0c夜深前殿按歌声。红颜未老恩先断\uff0c斜倚薰笼坐到明。独在异乡为异客\uff0c每逢佳节倍思亲。"
    "遥知兄弟登高处\uff0c遍插茱萸少一人。"
)
KANA = "あいうえおかきくけこ"
LONG_LABEL_URL = "https://" + "somesuperlongurl" * 249 + ".com/foo"  # a 3,984-character label

# The weighted lengths the official twitter-text library gives with its v3 configuration:
# twitter/twitter-text, conformance/validate.yml, section WeightedTweetsWithDiscountedEmojiCounterTest
# (and UnicodeDirectionalMarkerCounterTest), "expected: weightedLength" of each case.
TWITTER_TEXT_V3 = [
    ("Hi http://test.co", 26),
    ("http://test.co", 23),
    ("285 chars-" + "xxxxxxxxxx-" * 25, 285),
    ("285 chars- http://www.twitter.com/jack " + "xxxxxxxxxx-" * 24, 299),
    ("xxxxxxxxxx-" * 24 + " http://www.twitter.com/jack ", 289),
    ("https://www.twitter.com/aloha " * 10, 240),
    (CJK_160, 320),
    ("\U0001f637" * 160, 320),
    ("the" + CJK_160, 323),
    ("282 chars-" + "xxxxxxxxxx-" * 24 + "xxxxxA\u0301x", 281),
    ("H\U0001f431\u263a" + FAMILY, 7),
    ("\U0001f637\U0001f47e\U0001f621\U0001f525\U0001f4a9", 10),
    ("\U0001f64b\U0001f3fd\U0001f468\u200d\U0001f3a4", 4),
    (
        "This is a tweet with general punctuation characters: "
        "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b \u2010 \u2011 "
        "\u2012 \u2013 \u2014 \u2015 \u2016  \u2017 \u2018 \u2019 \u201a \u201b \u201c \u201d "
        "\u201e \u201f \u2032 \u2033 \u2034 \u2035 \u2036 \u2037",
        110,
    ),
    (
        "Long url with invalid domain labels and a short url: "
        + " ".join([LONG_LABEL_URL] * 3)
        + " https://validurl.com",
        12079,
    ),
    ("randomurlrandomurlrandomurlrandomurlrandomurlrandomurlrandomurls.com", 68),
    (KANA * 12 + " http://" + KANA * 5 + "あいう.com", 358),
    (KANA * 12 + " http://" + KANA * 5 + "あい.com", 264),
    (FAMILY * 140, 280),
    ("1\u20e3", 2),
    (
        "Unicode 10.0 emoji: \U0001f92a; \U0001f9d5; \U0001f9d5\U0001f3fe; "
        "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
        34,
    ),
    ("Unicode 9.0 emoji: \U0001f920; \U0001f483; \U0001f483\U0001f3fe", 29),
    ("ABC\u202a\uffffABC\ufffe", 12),
    ("\u2066\u202ahttp://foobar.\u067e\u0627\u06a9\u0633\u062a\u0627\u0646/\u202c\u2069", 31),
]


@pytest.mark.parametrize(("text", "expected"), TWITTER_TEXT_V3)
def test_x_counts_as_twitter_text_v3(text: str, expected: int) -> None:
    assert length("x", text) == expected


def test_the_long_conformance_text_is_the_official_one() -> None:
    # validate.yml's text is 12,076 characters: the three 4,000-character URLs and the rest.
    assert len(TWITTER_TEXT_V3[14][0]) == 12076


@pytest.mark.parametrize(
    ("text", "x", "bluesky", "mastodon"),
    [
        ("plain ascii", 11, 11, 11),
        (FAMILY, 2, 1, 1),  # a ZWJ sequence: one emoji, one grapheme
        ("\U0001f44d\U0001f3fd", 2, 1, 1),  # a skin tone
        ("\U0001f1fa\U0001f1e6", 2, 1, 1),  # a flag
        ("\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", 2, 1, 1),
        ("e\u0301", 1, 1, 1),  # a combining mark: NFC for X, one grapheme for the others
        ("a\u0301\u0302\u0303", 3, 1, 1),  # NFC makes á; X counts the other marks (1 each)
        ("한국어", 6, 3, 3),  # Hangul syllables weigh 2 on X
        ("\u1112\u1161\u11ab", 2, 1, 1),  # conjoining jamo: NFC makes one syllable, 2 on X
        ("日本語のテキスト", 16, 8, 8),
        ("\u00a9", 1, 1, 1),  # © as text is no emoji on X (twemoji-parser)
        ("\u00a9\ufe0f", 2, 1, 1),  # ©️ as emoji counts 2
        ("\u2764\ufe0f", 2, 1, 1),
        ("#\ufe0f\u20e3", 2, 1, 1),  # a keycap
        ("\r\n", 2, 1, 1),
    ],
)
def test_each_platform_counts_its_own_way(text: str, x: int, bluesky: int, mastodon: int) -> None:
    assert (length("x", text), length("bluesky", text), length("mastodon", text)) == (
        x,
        bluesky,
        mastodon,
    )


def test_urls_count_23_on_x_with_or_without_a_scheme() -> None:
    url = "https://www.hematology.org/meetings/annual-meeting/abstracts?year=2025&id=1234567"
    assert length("x", f"Read {url} now") == 5 + 23 + 4
    assert length("x", "Read hematology.org now") == 5 + 23 + 4
    assert length("x", "Read example.notatld now") == len("Read example.notatld now")
    assert length("x", "see t.co/abc") == 4 + 23
    # Bluesky counts the text as it is; Mastodon counts only URLs with a scheme as 23.
    assert length("bluesky", f"Read {url} now") == len(f"Read {url} now")
    assert length("mastodon", f"Read {url} now") == 5 + 23 + 4
    assert length("mastodon", "Read hematology.org now") == len("Read hematology.org now")


def test_x_finds_urls_as_twitter_text_does() -> None:
    # From twitter-text conformance/extract.yml ("urls"), a few of its cases.
    cases = {
        "text http://example.com": ["http://example.com"],
        "text http://example.com.": ["http://example.com"],
        "(http://example.com/path_(with_parens))": ["http://example.com/path_(with_parens)"],
        "foo.com foo.net foo.org foo.edu": ["foo.com", "foo.net", "foo.org", "foo.edu"],
        "foo.notatld": [],
        "@user.com": [],
        "$cashtag.com": [],
        "www.example.com/path?q=1&b=2#frag": ["www.example.com/path?q=1&b=2#frag"],
        "https://t.co/abcde?x=1 more": ["https://t.co/abcde?x=1"],
    }
    for text, expected in cases.items():
        assert [text[s:e] for s, e in url_spans(text)] == expected, text


def test_mastodon_counts_a_mention_by_its_user_part() -> None:
    assert length("mastodon", "hi @alice@hematology.social") == len("hi @alice")
    assert length("mastodon", "hi @alice") == len("hi @alice")
    assert length("mastodon", "mail me: a@b.org") == len("mail me: a@b.org")
    assert length("mastodon", "https://mastodon.social/@alice") == 23


def test_graphemes_of_hostile_text() -> None:
    assert graphemes("") == 0
    assert graphemes("\x00\x1b[31m") == 6
    assert graphemes("\u202eevil") == 5
    assert graphemes("a" + "\u0301" * 50) == 1  # Zalgo marks stay with their letter


def test_unknown_platform_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown platform"):
        length("myspace", "hi")
    with pytest.raises(ValueError, match="Unknown platform"):
        split_thread("myspace", "hi")


# ---- threads ------------------------------------------------------------------------------


def _check_thread(platform: str, text: str, posts: list[str], limit: int | None = None) -> None:
    """Every post fits, is numbered i/n at its end, and the posts give back the text's words."""
    most = limit or LIMITS[platform]
    total = len(posts)
    for number, post in enumerate(posts, 1):
        assert length(platform, post) <= most, post
        assert post.endswith(f" {number}/{total}")
    words = [w for post in posts for w in post.rsplit(" ", 1)[0].split()]
    assert words == text.split()


def test_a_text_that_fits_is_one_post_without_a_counter() -> None:
    text = "x" * 280
    assert split_thread("x", text) == [text]
    assert split_thread("x", "  Hello\r\nworld  ") == ["Hello\nworld"]
    assert split_thread("x", " \n\t ") == []


@pytest.mark.parametrize("platform", list(LIMITS))
def test_a_long_text_becomes_a_numbered_thread(platform: str) -> None:
    sentence = "Platelets below 30 in pregnancy call for a plan with obstetrics. "
    text = (sentence * 12).strip()
    posts = split_thread(platform, text)
    assert len(posts) > 1
    _check_thread(platform, text, posts)
    # Split at sentence ends when one is within reach: each post ends a sentence.
    assert all(post.rsplit(" ", 1)[0].endswith(".") for post in posts)


def test_paragraphs_come_before_sentences() -> None:
    first = "A short opening paragraph."
    second = " ".join(["The second paragraph is long and keeps going."] * 8)
    posts = split_thread("x", f"{first}\n\n{second}")
    assert posts[0] == f"{first} 1/{len(posts)}"
    _check_thread("x", f"{first} {second}", posts)


def test_words_when_a_sentence_is_too_long() -> None:
    text = " ".join(["word"] * 200)  # one 999-character sentence
    posts = split_thread("bluesky", text)
    _check_thread("bluesky", text, posts)
    # Filled as far as the limit allows.
    assert all(length("bluesky", post) >= 295 for post in posts[:-1])


def test_the_counter_is_counted_and_may_need_two_digits() -> None:
    text = " ".join(f"w{i:03d}" for i in range(2000))
    posts = split_thread("x", text)
    assert len(posts) >= 10
    assert posts[0].endswith(f" 1/{len(posts)}")
    _check_thread("x", text, posts)
    assert max(length("x", post) for post in posts) == 280 or len(posts) > 30


def test_urls_hashtags_and_mentions_are_never_cut() -> None:
    url = "https://www.hematology.org/" + "a" * 200
    tail = "#hemetwitter @alice.bsky.social #ASH25 https://example.org/x"
    text = ("Read this. " * 30) + url + " " + ("More words here. " * 10) + tail
    for platform in LIMITS:
        posts = split_thread(platform, text)
        _check_thread(platform, text, posts)
        joined = " ".join(posts)
        for entity in (
            url,
            "#hemetwitter",
            "@alice.bsky.social",
            "#ASH25",
            "https://example.org/x",
        ):
            assert entity in joined


def test_cjk_text_without_spaces_is_split_between_characters() -> None:
    text = CJK_160 * 3
    posts = split_thread("x", text)
    assert len(posts) == 4
    assert "".join(post.rsplit(" ", 1)[0] for post in posts) == text
    assert all(length("x", post) <= 280 for post in posts)
    # At the ends of sentences (。) when one is in reach.
    assert all(post.rsplit(" ", 1)[0].endswith("。") for post in posts)


def test_cjk_sentences_end_after_their_closing_quote() -> None:
    text = "他说\uff1a「血液学很重要。」然后\uff0c我们开始了。" * 20
    posts = split_thread("x", text, limit=30)
    assert posts[:2] == ["他说\uff1a「血液学很重要。」 1/40", "然后\uff0c我们开始了。 2/40"]


def test_a_cjk_hashtag_is_not_cut() -> None:
    tag = "#" + "血液学" * 20
    text = "这是一个测试。" * 30 + tag + "。" * 3
    posts = split_thread("bluesky", text, limit=120)
    assert any(tag in post for post in posts)


def test_a_word_that_cannot_fit_is_an_error_naming_it() -> None:
    word = "supercalifragilistic" * 20
    with pytest.raises(ThreadError) as caught:
        split_thread("x", f"Intro words. {word} end")
    assert caught.value.word == word
    assert "supercalifragilistic" in str(caught.value)
    assert "too long for one X post" in str(caught.value)


def test_a_url_longer_than_a_bluesky_post_is_an_error() -> None:
    url = "https://example.org/" + "p" * 400
    with pytest.raises(ThreadError) as caught:
        split_thread("bluesky", "See " + url + " " + "and more " * 40)
    assert caught.value.word == url
    # On X and Mastodon the same URL counts 23 and goes into the thread whole.
    for platform in ("x", "mastodon"):
        posts = split_thread(platform, "See " + url + " " + "and more " * 70)
        assert any(url in post for post in posts)


def test_a_limit_of_the_instance() -> None:
    text = " ".join(["token"] * 100)
    posts = split_thread("mastodon", text, limit=100)
    _check_thread("mastodon", text, posts, limit=100)
    with pytest.raises(ThreadError):
        split_thread("mastodon", text, limit=5)
    with pytest.raises(ValueError, match="at least 1"):
        split_thread("mastodon", text, limit=0)


def test_hostile_text_is_split_and_counted_in_bounded_time() -> None:
    control = "\x00\x07\x1b[2J \u202e\u2066 \ufeff zero\u200bwidth " * 40
    posts = split_thread("x", control)
    assert all(length("x", post) <= 280 for post in posts)
    newlines = "word\n" * 300 + "\n\n\n\n" + "end"
    posts = split_thread("mastodon", newlines)
    assert all(length("mastodon", post) <= 500 for post in posts)
    assert posts[0].startswith("word\nword\n")
    started = time.monotonic()
    huge = "This is a sentence about ITP. " * 5000 + "a." * 20000 + " " + "x" * 50000
    for platform in LIMITS:
        length(platform, huge)
        facets(huge)
        with pytest.raises(ThreadError):
            split_thread(platform, huge)
    assert time.monotonic() - started < 120  # seconds; backtracking would take hours


# ---- facets -------------------------------------------------------------------------------


def test_facets_have_utf8_byte_offsets_after_non_ascii_text() -> None:
    text = "Café ☕ 👩🏽‍⚕️ see https://example.com/x. #ASH25 with @alice.bsky.social, example.org!"
    found = facets(text)
    data = text.encode("utf-8")
    assert [(f.kind, data[f.byte_start : f.byte_end].decode(), f.value) for f in found] == [
        ("link", "https://example.com/x", "https://example.com/x"),
        ("tag", "#ASH25", "ASH25"),
        ("mention", "@alice.bsky.social", "alice.bsky.social"),
        ("link", "example.org", "https://example.org"),
    ]
    # "Café " 6 bytes, "☕ " 4, the health worker with a skin tone and its space 18, "see " 4.
    assert found[0] == Facet("link", 32, 53, "https://example.com/x")


def test_facets_of_cjk_tags_and_edge_cases() -> None:
    text = "血液 #血液学 and #123 and #ok.\nnot@mention.com (https://a.org/b)"
    found = facets(text)
    data = text.encode("utf-8")
    assert [(f.kind, data[f.byte_start : f.byte_end].decode()) for f in found] == [
        ("tag", "#血液学"),
        ("tag", "#ok"),
        ("link", "https://a.org/b"),
    ]
    assert facets("") == []
    assert facets("@nodomain and #") == []
