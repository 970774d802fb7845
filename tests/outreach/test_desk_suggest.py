"""Hashtag suggestions for desk posts from the taxonomy (its seeded hem-onc hashtags)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hemonc.events.models import LiveSession
from hemonc.outreach.desk.suggest import suggest_hashtags
from hemonc.taxonomy.models import Topic

pytestmark = pytest.mark.django_db


def test_tumor_topics_from_names_and_common_terms() -> None:
    text = "New data in multiple myeloma and DLBCL: what changes for MGUS follow-up?"
    tags = suggest_hashtags(text=text, kind="announcement")
    assert tags[:2] == ["#mmsm", "#lymsm"]
    assert "#hemetwitter" in tags


def test_the_usual_capitalization_and_no_tag_the_text_has() -> None:
    text = "Hem-onc journal club on breast cancer tonight #BCSM"
    tags = suggest_hashtags(text=text, kind="journal_club")
    assert "#bcsm" not in [tag.lower() for tag in tags]
    assert "#HOJournalClub" in tags  # spelled as the taxonomy spells it
    assert "#onctwitter" in tags


def test_abbreviations_match_only_in_capitals() -> None:
    assert "#leusm" in suggest_hashtags(text="Induction for ALL in adults", kind="tweetorial")
    assert "#leusm" not in suggest_hashtags(text="That is all for today", kind="tweetorial")


def test_kind_tags() -> None:
    tags = suggest_hashtags(text="A thread on reading a blood smear", kind="tweetorial")
    assert tags[:1] == ["#hemepath"]
    assert {"#tweetorial", "#meded", "#foamed"} <= set(tags)


def test_live_coverage_puts_the_conference_tag_first() -> None:
    tags = suggest_hashtags(
        text="Plenary: a new standard for CLL", kind="live_coverage", conference_tag="#ash2025"
    )
    assert tags[0] == "#ASH25"
    assert "#leusm" in tags
    # A conference tag no topic has yet is still suggested (recognized by the rule).
    tags = suggest_hashtags(text="Live from Vienna", kind="live_coverage", conference_tag="EHA27")
    assert tags[0] == "#EHA27"
    # Already in the text in another spelling: not suggested again.
    tags = suggest_hashtags(text="Live from #ASH2025", kind="live_coverage", conference_tag="ASH25")
    assert "#ASH25" not in tags


def test_a_conference_named_in_the_text() -> None:
    assert suggest_hashtags(text="Who is going to ASCO 2026?", kind="announcement")[0] == "#ASCO26"


def test_a_session_announcement_suggests_the_sessions_tags() -> None:
    session = LiveSession.objects.create(
        title="Sickle cell disease: the next decade",
        starts_at=timezone.now() + timedelta(days=3),
        hashtag="HemeChat",
        conference_tag="ASH25",
    )
    session.topics.add(Topic.objects.get(slug="lymsm"), Topic.objects.get(slug="supponc"))
    tags = suggest_hashtags(text="Join us on Thursday", kind="session", session=session)
    assert tags[:2] == ["#lymsm", "#supponc"]  # the topics, in the taxonomy's order
    assert "#HemeChat" in tags and "#ASH25" in tags


def test_a_session_announcement_with_a_conference_tag() -> None:
    session = LiveSession.objects.create(title="Myeloma", starts_at=timezone.now())
    session.topics.add(Topic.objects.get(hashtag="bcsm"))
    tags = suggest_hashtags(text="Tonight", kind="session", session=session, conference_tag="ASH26")
    assert tags[:2] == ["#ASH26", "#bcsm"]
    tags = suggest_hashtags(text="How we treat relapsed myeloma #MedTwitter", kind="tweetorial")
    assert tags[:2] == ["#mmsm", "#tweetorial"]
    assert "#medtwitter" not in [tag.lower() for tag in tags]


def test_limit_and_nothing_to_suggest() -> None:
    text = "myeloma lymphoma leukemia breast cancer lung cancer melanoma sarcoma tweetorial"
    assert len(suggest_hashtags(text=text, kind="tweetorial", limit=3)) == 3
    assert suggest_hashtags(text="Hello", kind="announcement") == []
    assert suggest_hashtags(text="", kind="unknown kind", limit=0) == []


def test_hostile_text() -> None:
    text = "#" * 5000 + " ALL " + "\x00\u202e" * 1000 + " myeloma" * 2000
    tags = suggest_hashtags(text=text, kind="case")
    assert tags[0] == "#mmsm"
