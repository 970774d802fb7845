"""Hashtags worth adding to a post: the conference tag of live coverage, the topics of the
session it announces, the taxonomy's topics its text is about (#mmsm for myeloma), and the
communities its kind is written for (#tweetorial, #HOJournalClub). Tags already in the text
are left out."""

from __future__ import annotations

import re
from typing import Any

from hemonc.taxonomy.models import Topic

# Words that say a text is about a topic, beyond the topic's own name (lower case).
TOPIC_WORDS = {
    "mmsm": ("myeloma", "plasma cell"),
    "mpnsm": ("myeloproliferative", "mpn", "thrombocythemia", "polycythemia", "myelofibrosis",
              "jak2", "calr"),
    "leusm": ("leukemia", "leukaemia", "aml", "cml", "cll", " all "),
    "lymsm": ("lymphoma", "dlbcl", "hodgkin", "r-chop"),
    "bcsm": ("breast",),
    "lcsm": ("lung cancer", "nsclc"),
    "crcsm": ("colorectal", "colon cancer", "rectal cancer"),
    "pcsm": ("prostate",),
    "gyncsm": ("ovarian", "cervical cancer", "endometrial"),
    "cardioonc": ("cardiotoxic", "cardio-onc"),
    "pallonc": ("palliative", "hospice"),
    "meded": ("fellows", "board prep", "teaching"),
    "hemepath": ("marrow", "flow cytometry", "morphology"),
}  # fmt: skip
KIND_TAGS = {
    "announcement": ("HOFellows",),
    "tweetorial": ("tweetorial", "meded", "MedTwitter"),
    "journal_club": ("HOJournalClub", "hemetwitter"),
    "case": ("hemetwitter", "MedTwitter"),
    "live_coverage": ("hemetwitter", "onctwitter"),
    "session": ("HOFellows",),
    "opportunity": ("HOFellows", "ASHTrainee"),
}
_TAG = re.compile(r"(?<![\w#])#(\w+)")


def suggest_hashtags(
    *, text: str, kind: str, conference_tag: str = "", session: Any = None, limit: int = 8
) -> list[str]:
    """Up to `limit` hashtags ("#mmsm"), the most specific first."""
    lowered = f" {text.lower()} "
    used = {tag.lower() for tag in _TAG.findall(text)}
    wanted: list[str] = []
    if conference_tag.strip().lstrip("#"):
        wanted.append(conference_tag.strip().lstrip("#"))
    if session is not None:
        wanted += [topic.hashtag for topic in session.topics.all() if topic.hashtag]
    for topic in Topic.objects.exclude(hashtag="").only("hashtag", "name", "kind"):
        words = (topic.name.lower(), *TOPIC_WORDS.get(topic.hashtag.lower(), ()))
        if topic.kind in ("tumor", "provider", "community") and any(
            word in lowered for word in words
        ):
            wanted.append(topic.hashtag)
    wanted += KIND_TAGS.get(kind, ())
    found: list[str] = []
    for tag in wanted:
        if tag.lower() not in used and tag.lower() not in {f.lower() for f in found}:
            found.append(tag)
    return [f"#{tag}" for tag in found[:limit]]
