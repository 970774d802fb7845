"""Hashtag suggestions for a desk post, from the taxonomy's topics and what the text is about.

What is suggested, best first:
1. the conference tag given (a live coverage's; recognized by the taxonomy's rule: #ash2025,
   #ASCO2026 become ASH25, ASCO26), and a conference the text names ("at ASH 2025");
2. a session announcement's session: its topics' hashtags, its chat hashtag, its conference tag;
3. the topics the text is about: a topic's name ("multiple myeloma"), its hashtag written
   without the # ("BCSM"), or a common term for it ("AML" → #leusm, "DLBCL" → #lymsm);
4. the kind's usual tags (a tweetorial: #tweetorial, #meded, #foamed; a journal club:
   #HOJournalClub; ...);
5. the community: #hemetwitter for hematology, #onctwitter for oncology.

Only hashtags of the taxonomy's topics are suggested (a conference tag also when no topic has
it yet), each with its # and in its usual capitalization; none the text already has.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from hemonc.taxonomy.hashtags import conference_tag as parse_conference_tag
from hemonc.taxonomy.models import Topic

# Common terms of a topic, by its hashtag (lowercase). Matched as whole words, any case
# unless written in capitals here (abbreviations: "ALL" must not match "all").
TERMS: dict[str, tuple[str, ...]] = {
    "leusm": ("leukemia", "leukaemia", "AML", "ALL", "CLL", "CML", "APL", "MDS",
              "myelodysplastic"),
    "lymsm": ("lymphoma", "lymphomas", "DLBCL", "Hodgkin", "follicular lymphoma",
              "mantle cell", "CAR-T", "CAR T"),
    "mmsm": ("myeloma", "MGUS", "plasma cell"),
    "mpnsm": ("MPN", "polycythemia vera", "essential thrombocythemia", "myelofibrosis"),
    "bcsm": ("breast cancer", "HER2", "mammography"),
    "lcsm": ("lung cancer", "NSCLC", "SCLC", "EGFR", "ALK"),
    "crcsm": ("colorectal", "colon cancer", "rectal cancer"),
    "pcsm": ("prostate cancer", "PSA"),
    "gyncsm": ("ovarian cancer", "cervical cancer", "endometrial cancer"),
    "melsm": ("melanoma",),
    "pancsm": ("pancreatic cancer",),
    "kcsm": ("renal cell", "kidney cancer"),
    "hemepath": ("blood smear", "peripheral smear", "bone marrow biopsy", "flow cytometry",
                 "hematopathology"),
    "cardioonc": ("cardio-oncology", "cardiotoxicity"),
    "pallonc": ("palliative",),
    "radonc": ("radiotherapy", "radiation therapy"),
    "bmttandem": ("stem cell transplant", "bone marrow transplant", "HSCT", "GVHD", "allo-SCT"),
}  # fmt: skip

# Words that make a text hematology or oncology (for the community tags).
HEMATOLOGY = ("hematology", "haematology", "hemostasis", "thrombosis", "anemia", "anaemia",
              "sickle cell", "hemophilia", "ITP", "TTP", "VTE", "platelets", "coagulation",
              "transfusion", "thalassemia", "leukemia", "lymphoma", "myeloma", "MDS", "MPN",
              "AML", "CLL", "DLBCL")  # fmt: skip
ONCOLOGY = ("oncology", "cancer", "tumor", "tumour", "chemotherapy", "immunotherapy",
            "carcinoma", "metastatic", "NSCLC", "melanoma", "sarcoma")  # fmt: skip

# The usual tags of each kind (the desk's kinds; "session_announcement" as a synonym).
KIND_TAGS: dict[str, tuple[str, ...]] = {
    "tweetorial": ("tweetorial", "MedEd", "FOAMed"),
    "journal_club": ("HOJournalClub",),
    "case": ("MedEd",),
    "opportunity": ("HOFellows", "ASHTrainee"),
    "announcement": (),
    "live_coverage": (),
    "session": (),
    "session_announcement": (),
}

_HASHTAG = re.compile(r"[#\uFF03](\w+)")
_CONFERENCE_MENTION = re.compile(
    r"\b(ASH|ASCO|EHA|ESMO|BMT\s?Tandem)\s?'?((?:20)?\d{2})\b", re.IGNORECASE
)


def _term_pattern(term: str) -> re.Pattern[str]:
    flags = 0 if term.isupper() else re.IGNORECASE
    return re.compile(rf"(?<![\w-]){re.escape(term).replace(r'\ ', r'\s+')}(?![\w-])", flags)


_TERMS = {tag: [_term_pattern(term) for term in terms] for tag, terms in TERMS.items()}
_HEMATOLOGY = [_term_pattern(term) for term in HEMATOLOGY]
_ONCOLOGY = [_term_pattern(term) for term in ONCOLOGY]


def _conference(tag: str) -> str:
    """The canonical conference tag (ASH25) of a tag such as #ash2025, or ""."""
    parsed = parse_conference_tag(tag.replace(" ", ""))
    return parsed.hashtag if parsed else ""


def _names(topic: Topic) -> list[str]:
    """A topic's name, and each alternative of a name such as "Thymoma / thymic carcinoma"."""
    parts = [topic.name] + [part.strip() for part in topic.name.split("/")]
    return [part for part in parts if len(part) >= 4]


def _mentions(text: str, patterns: Iterable[re.Pattern[str]]) -> int:
    return sum(len(pattern.findall(text)) for pattern in patterns)


def _session_tags(session: Any) -> list[str]:
    tags: list[str] = []
    if session is None:
        return tags
    if getattr(session, "pk", None):
        tags += [topic.hashtag for topic in session.topics.all() if topic.hashtag]
    for field in ("hashtag", "conference_tag"):
        value = (getattr(session, field, "") or "").strip().lstrip("#")
        if value:
            tags.append(_conference(value) or value)
    return tags


def suggest_hashtags(
    *,
    text: str,
    kind: str,
    conference_tag: str = "",
    session: Any = None,
    limit: int = 8,
) -> list[str]:
    """Up to ``limit`` hashtags (with their #) for a post, best first (see the module)."""
    topics = {
        t.hashtag.lower(): t for t in Topic.objects.exclude(hashtag="").only("hashtag", "name")
    }
    present = {tag.lower() for tag in _HASHTAG.findall(text)}
    present |= {_conference(tag).lower() for tag in present if _conference(tag)}
    scores: dict[str, float] = {}
    spelled: dict[str, str] = {}

    def add(tag: str, score: float, *, known_only: bool = True) -> None:
        key = tag.lower()
        if not key or key in present or (known_only and key not in topics):
            return
        spelled.setdefault(key, topics[key].hashtag if key in topics else tag)
        scores[key] = scores.get(key, 0) + score

    if conference_tag:
        tag = _conference(conference_tag) or conference_tag.strip().lstrip("#")
        add(tag, 1000, known_only=False)
    for society, year in _CONFERENCE_MENTION.findall(text):
        tag = _conference(society + year)
        if tag:
            add(tag, 400, known_only=False)
    for position, tag in enumerate(_session_tags(session)):
        add(tag, 800 - position, known_only=False)
    for key, topic in topics.items():
        hits = _mentions(text, [_term_pattern(name) for name in _names(topic)])
        hits += len(re.findall(rf"(?<![#\w]){re.escape(key)}(?!\w)", text, re.IGNORECASE))
        hits += _mentions(text, _TERMS.get(key, ()))
        if hits:
            add(topic.hashtag, 100 + 10 * hits)
    for position, tag in enumerate(KIND_TAGS.get(kind, ())):
        add(tag, 50 - position)
    hematology, oncology = _mentions(text, _HEMATOLOGY), _mentions(text, _ONCOLOGY)
    if hematology:
        add("hemetwitter", 20 + hematology)
    if oncology:
        add("onctwitter", 20 + oncology)
    ranked = sorted(scores, key=lambda key: -scores[key])
    return ["#" + spelled[key] for key in ranked[: max(0, limit)]]
