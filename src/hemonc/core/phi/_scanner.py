"""The families of patterns of the PHI guard and the pass that resolves their overlaps.

Each family is one precompiled regular expression run once over the text (`finditer`). For
speed every expression starts with a literal or a character class (so the regex engine skips
ahead in C to where a match can start) and word boundaries are checked in Python on the few
matches; repetitions are bounded, so a hostile text costs linear time. What a match needs
around it (a label before a number, a patient event before a date) is read from the few
words before it, or from positions found once per text.

A family yields candidates (start, end, kind). "Shields" mark what is known not to be an
identifier (a DOI, a trial id, a hashtag, a clinician named with a title, an allowed link or
handle) and remove every candidate they overlap. Of overlapping candidates the longest wins,
then the most specific kind (KIND_ORDER).
"""

from __future__ import annotations

import ipaddress
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from urllib.parse import urlsplit

from hemonc.core.phi import _words as words

UP = "A-ZÀ-ÖØ-Þ"
LO = "a-zß-öø-ÿ"
# Alvarez, O'Neil, McDonald, Smith-Jones, José; never all capitals.
NAME = rf"[{UP}](?:['’][{UP}])?[{LO}]{{1,30}}(?:[{UP}][{LO}]{{1,30}})?(?:-[{UP}][{LO}]{{1,30}})?"
INITIALS = rf"[{UP}]\.\s?[{UP}]\.(?:\s?[{UP}]\.)?"

_MONTH_WORDS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Sept",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
]
MONTH = "(?:" + "|".join(_MONTH_WORDS + [m.upper() for m in _MONTH_WORDS]) + r")\.?"
DAY = r"(?:[12]\d|3[01]|0?[1-9])"
ORDINAL = r"(?:st|nd|rd|th)?"
YEAR = r"(?:1[89]\d{2}|20\d{2})"

KIND_ORDER = (
    "ssn",
    "mrn",
    "health_plan",
    "account",
    "license",
    "vehicle",
    "device",
    "email",
    "ip",
    "fax",
    "phone",
    "date",
    "age",
    "zip",
    "address",
    "url",
    "name",
    "location",
    "other_id",
)
_RANK = {kind: rank for rank, kind in enumerate(KIND_ORDER)}
SHIELD = "shield"

Candidate = tuple[int, int, str]


def _variants(phrases: Iterable[str]) -> str:
    """An alternation of the phrases as written, lower-case, Capitalised and UPPER-CASE.

    Spelled out rather than case-insensitive, so the regex engine can skip ahead to a first
    letter; longest first, spaces as `\\s`.
    """
    forms: set[str] = set()
    for phrase in phrases:
        forms |= {phrase, phrase.lower(), phrase.upper(), phrase[:1].upper() + phrase[1:]}
    return _trie(sorted(forms))


def _trie(phrases: Iterable[str]) -> str:
    """A regex matching any of the phrases, factored by prefix (the engine tries a branch per
    character, not per phrase) and longest first."""
    root: dict[str, dict] = {}
    for phrase in phrases:
        node = root
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict[str, dict]) -> str:
        branches = [
            (r"\s" if char == " " else re.escape(char)) + render(child)
            for char, child in sorted(node.items())
            if char
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return f"(?:{body})?"
        return body

    return "(?:" + render(root) + ")"


# What may stand right before an identifier. Families led by a letter or a digit are compiled
# as SEPARATOR + pattern: the regex engine then only tries them after a space or a punctuation
# mark (a few characters in ten), never inside words; the text's very start is tried apart.
SEPARATOR = "[\\s\"'“”‘’(\\[{<>/,;:*~|=+.!?—–-]"


class _Match:
    """A match of a separator-led family, seen without its separator."""

    __slots__ = ("_match", "_skip")

    def __init__(self, match: re.Match[str], skip: int) -> None:
        self._match, self._skip = match, skip

    def start(self, group: int | str = 0) -> int:
        return self._match.start(group) + (self._skip if group == 0 else 0)

    def end(self, group: int | str = 0) -> int:
        return self._match.end(group)

    def group(self, group: int | str = 0) -> str:
        value = self._match.group(group)
        return value[self._skip :] if group == 0 else value


class _Led:
    """A pattern tried only at the start of the text and right after a separator."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.plain = re.compile(pattern, flags)
        self.led = re.compile(f"{SEPARATOR}(?:{pattern})", flags)

    def finditer(self, text: str) -> Iterator[_Match]:
        first = self.plain.match(text)
        if first:
            yield _Match(first, 0)
        for match in self.led.finditer(text, max(first.end() - 1, 0) if first else 0):
            yield _Match(match, 1)


_TOKEN = re.compile(r"[^\W_]+(?:[/.'’][^\W_]+)*\.?|[#:]")


def _last_words(text: str, start: int, count: int, reach: int = 40) -> list[str]:
    """The last `count` words before `start`, lower-case ("d/c", "dob", "f/u" stay whole)."""
    return [w.lower().rstrip(".") for w in _TOKEN.findall(text, max(0, start - reach), start)][
        -count:
    ]


def _word_start(text: str, start: int, also: str = "") -> bool:
    """Whether `start` begins a word: nothing alphanumeric (nor any of `also`) before it."""
    if start == 0:
        return True
    before = text[start - 1]
    return not (before.isalnum() or before == "_" or before in also)


def _word_end(text: str, end: int, also: str = "") -> bool:
    if end >= len(text):
        return True
    after = text[end]
    return not (after.isalnum() or after == "_" or after in also)


# --------------------------------------------------------------------------------------------
# Shields: never identifiers.

_DOI = re.compile(r"10\.\d{4,9}/[^\s\"<>]{1,300}")
_REGISTRY = re.compile(
    r"NCT\d{8}|ISRCTN\d{6,10}|PMID:?\s?\d{5,9}|PMC\d{5,9}|ISBN(?:-1[03])?:?\s?[\d-]{10,17}X?|"
    r"EudraCT:?\s?\d{4}-\d{6}-\d{2}"
)
_HASHTAG = re.compile(r"#[^\W\d_]\w{0,60}")
_REFERENCE = re.compile(
    _variants(["abstract", "abstracts", "poster", "LBA", "session", "slide", "table", "fig"])
    + r"(?:ure)?s?\.?\s?#?\s?[A-Z]?\d{1,6}(?!\w)"
)
_CLINICIAN = re.compile(
    rf"(?:Drs?|Prof|Professor|Doctor|Dra|DR|PROF)\.?\s(?:{NAME}|[{UP}]\.)"
    rf"(?:\s(?:{NAME}|[{UP}]\.)){{0,3}}(?:['’]s)?"
)
_CREDENTIAL = re.compile(
    r"(?:MD|DO|PhD|MBBS|MBChB|MPH|MSc|FACP|FRCP|FRCPath|PharmD|BCOP|RN|NP|PA-C|APRN|DNP)(?!\w)"
)
_NAME_BEFORE_CREDENTIAL = re.compile(rf"{NAME}(?:\s[{UP}]\.)?(?:\s{NAME}){{1,2}},?\s$")
_ADDRESS_BEFORE = re.compile(r"\d{1,6}\s(?:\S{1,30}\s){1,3}$")

# --------------------------------------------------------------------------------------------
# Structured identifiers.

_AT = re.compile(r"@")
_LOCAL_PART = re.compile(r"[\w.+%-]{1,64}$")
_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![\w-])"
)
_HANDLE = re.compile(r"[A-Za-z0-9_]{2,30}(?![\w@]|\.\w)")
_TLDS = (
    "com|org|net|edu|gov|mil|int|io|co|info|biz|me|us|uk|ca|au|de|fr|es|it|nl|ch|in|app|dev|"
    "blog|site|page|health|care|fund|link|ly|tv|online|world"
)
_RISKY_TLDS = frozenset(
    [
        "in",
        "it",
        "me",
        "us",
        "co",
        "es",
        "de",
        "fr",
        "nl",
        "ch",
        "ca",
        "au",
        "ly",
        "tv",
        "uk",
        "app",
        "dev",
        "page",
        "site",
        "link",
    ]
)
_SCHEME_URL = _Led(r"(?:https?://|ftp://|www\.)[^\s<>\"'`]{1,2000}", re.IGNORECASE)
_BARE_TLD = re.compile(rf"\.(?:{_TLDS})(?![\w@-])(?:/[^\s<>\"'`]{{0,2000}})?")
_HOST_BEFORE = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){0,5}[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
)
_IPV4 = _Led(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\w]|\.\d)")
_IPV6_HINT = re.compile(r":[0-9A-Fa-f]{0,4}:")
_IPV6 = _Led(r"[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
_PHONE_INTL = re.compile(r"\+\d{1,3}[ .-]?(?:\(0\)[ .-]?)?\(?\d{1,4}\)?(?:[ .-]?\d){5,12}")
_PHONE_PAREN = re.compile(r"\(\d{3}\)[ .-]?\d{3}[ .-]\d{4}")
_PHONE_DIGITS = _Led(r"\d{3}[ .-]\d{3}[ .-]\d{4}|\d{10}|1[ .-]\d{3}[ .-]\d{3}[ .-]\d{4}")
_EXTENSION = re.compile(r"\s?(?:ext\.?|x)\s?\d{1,5}")
_PHONE_WORDS = frozenset(
    [
        "phone",
        "ph",
        "tel",
        "telephone",
        "cell",
        "cellphone",
        "mobile",
        "call",
        "text",
        "whatsapp",
        "pager",
        "contact",
        "reach",
        "number",
        "fax",
        "facsimile",
        "f",
        "c",
        "h",
        "w",
        "m",
        "p",
        "no",
        "#",
    ]
)
_FAX_WORDS = frozenset(["fax", "facsimile", "f"])
_SSN = _Led(r"\d{3}([- ])\d{2}\1\d{4}")

# "MRN 00123456", "member ID W123456789", "pump serial number PX-20934-A"
_LABELS = {
    "mrn": "MRN,MR#,MR,medical record,med rec,chart,hospital number,hospital no,patient ID,"
    "pt ID,unit number,unit no,NHS number,NHS no,health record,record",
    "ssn": "SSN,SS#,social security,social sec,SIN",
    "health_plan": "member,subscriber,policy,insurance,insurer,Medicare,Medicaid,MBI,HICN,"
    "beneficiary,health plan,plan,group,BCBS,Aetna,Cigna,Humana,UnitedHealthcare,Kaiser",
    "account": "account,acct,a/c,billing,invoice,claim,credit card,card,bank,routing,IBAN",
    "vehicle": "license plate,licence plate,plate,VIN,vehicle,vehicle ID,registration plate",
    "license": "driver's license,driver's licence,drivers license,license,licence,DL,passport,"
    "certificate,permit",
    "device": "serial,S/N,SN,device,pump,pacemaker,ICD,defibrillator,implant,port,IMEI,UDI,"
    "stimulator,monitor,CGM,LVAD,hearing aid",
    "zip": "ZIP,ZIP code,zipcode,postal code,postcode",
    "other_id": "ID,identifier,case number,case no,case #,accession,specimen,encounter,CSN,FIN,"
    "visit number,visit no,study ID,subject ID,biobank,sample ID,lab ID,path number,"
    "pathology number",
}
_LABEL_KIND = {
    phrase.lower(): kind for kind, phrases in _LABELS.items() for phrase in phrases.split(",")
}
_LABELLED = _Led(
    "(?P<label>"
    + _variants(_LABEL_KIND)
    + ")"
    + r"(?:\s(?:serial|identification|identifier|ID|id|number|num|no\.?|code))?"
    r"(?:\s(?:number|num|no\.?|code))?\s?(?:[:#=]|\bis\b|\bwas\b)?\s?\#?\s?"
    r"(?P<value>[A-Z0-9](?:[A-Z0-9]|[-./](?=[A-Z0-9])| (?=\d)){3,29})(?![\w-])"
)
_MBI = re.compile(
    r"[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?"
    r"[AC-HJKMNP-RT-Y]{2}\d{2}(?!\w)"
)
_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}(?!\w)")

# --------------------------------------------------------------------------------------------
# Dates and ages (letter C).

_DATE_MONTH_FIRST = re.compile(rf"{MONTH}\s{DAY}{ORDINAL}(?!\w)(?:,?\s{YEAR}(?!\w))?")
_DATE_DIGIT_FIRST = _Led(
    rf"""
    \d(?:
        \d?(?:st|nd|rd|th)?\s(?:of\s)?{MONTH}(?![a-z])(?:,?\s{YEAR}(?!\w))?  # 3rd of March
      | \d?-{MONTH}-(?:{YEAR}|\d{{2}})(?!\w)                               # 14-Mar-2022
      | \d?/\d{{1,2}}/(?:{YEAR}|\d{{2}})(?![/\d])                           # 3/14/1961
      | \d?-\d{{1,2}}-{YEAR}(?!\w)                                         # 3-14-1961
      | \d?\.\d{{1,2}}\.{YEAR}(?!\w)                                       # 14.03.1961
      | \d{{3}}-(?:1[0-2]|0[1-9])-(?:[12]\d|3[01]|0[1-9])(?!\w)            # 2023-06-04
      | \d{{3}}/(?:1[0-2]|0?[1-9])/(?:[12]\d|3[01]|0?[1-9])(?!\w)          # 2023/6/4
    )
    """,
    re.VERBOSE,
)
# Dates that need a patient event right before them ("admitted 3/4", "diagnosed in March 2023").
_DATE_MONTH_YEAR = re.compile(rf"{MONTH}\s(?:of\s)?{YEAR}(?!\w)")
_DATE_SHORT = _Led(r"(?:1[0-2]|0?[1-9])/(?:(?:[12]\d|3[01]|0?[1-9])|(?:19|20)\d{2})(?![\w/]|\.\d)")
_DATE_WORDS = frozenset(
    [
        "admitted",
        "admission",
        "discharged",
        "discharge",
        "d/c",
        "dob",
        "d.o.b",
        "born",
        "birthday",
        "died",
        "death",
        "deceased",
        "passed",
        "seen",
        "visit",
        "presented",
        "presentation",
        "diagnosed",
        "diagnosis",
        "dx",
        "surgery",
        "transplant",
        "transplanted",
        "biopsy",
        "readmitted",
        "started",
        "began",
        "scheduled",
        "follow-up",
        "f/u",
        "appointment",
        "appt",
        "dated",
        "date",
        "dos",
        "lmp",
        "relapsed",
        "relapse",
        "infused",
        "infusion",
        "c1d1",
        "treated",
        "expired",
        "delivered",
        "consented",
        "enrolled",
        "transferred",
        "scan",
        "pet",
        "ct",
        "mri",
    ]
)
_DATE_WEAK_WORDS = frozenset(
    [
        "on",
        "since",
        "from",
        "until",
        "till",
        "through",
        "thru",
        "by",
        "before",
        "after",
        "in",
        "of",
        "last",
        "next",
    ]
)
_NOT_DATE_WORDS = frozenset(
    ["v", "version", "grade", "gr", "g", "ratio", "score", "x", "dose", "cycle", "cycles"]
)
_EVENT = _Led(
    _variants(
        [
            "admitted",
            "admission",
            "discharged",
            "discharge",
            "DOB",
            "born",
            "birthday",
            "died",
            "death",
            "deceased",
            "passed",
            "seen",
            "presented",
            "diagnosed",
            "dx",
            "surgery",
            "transplant",
            "biopsy",
            "readmitted",
            "pt",
            "patient",
            "her",
            "his",
            "she",
            "he",
            "visit",
            "clinic",
            "infusion",
            "relapsed",
            "started",
        ]
    )
    + r"(?!\w)"
)
_CONFERENCE_WORDS = [
    "annual meeting",
    "meeting",
    "congress",
    "conference",
    "symposium",
    "abstract",
    "abstracts",
    "poster",
    "posters",
    "session",
    "sessions",
    "webinar",
    "deadline",
    "registration",
    "journal club",
    "plenary",
    "keynote",
    "grand rounds",
    "summit",
    "workshop",
    "livestream",
    "tweetchat",
    "chat",
    "published",
    "publication",
    "approved",
    "approval",
    "FDA",
    "launch",
]
_CONFERENCE = _Led(
    _trie(
        [*words.CONFERENCE_WORDS, *("#" + w for w in words.CONFERENCE_WORDS)]
        + [
            form
            for w in _CONFERENCE_WORDS
            for form in {w, w.lower(), w.upper(), w[:1].upper() + w[1:]}
        ]
    )
    + r"(?:\d{2,4})?(?!\w)"
)
_AGE_NUMBER = r"(?:9\d|1[01]\d)"
_AGE_NUMBER_FIRST = re.compile(
    rf"""
    {_AGE_NUMBER}(?:
        \s?-?\s?(?:years?|yrs?|y)\.?\s?-?\s?(?:old(?!\w)|o(?!\w)|/o(?!\w)|\.o\.)   # 92-year-old
      | \s?(?:yo|y/o|y\.o\.)(?=\W|[MF]\b|$)                                  # 92yo, 92 y/o
      | \s?(?:years?|yrs?)\s(?:of\sage|young)(?!\w)                          # 92 years of age
      | \s?(?:yo|y/o|y)?\s?[MF](?![\w'’-])                                   # 92M, 92 F
      | (?:st|nd|rd|th)\sbirthday(?!\w)
    )
    """,
    re.VERBOSE,
)
_AGE_WORD_FIRST = _Led(
    rf"(?:aged?|Aged?|AGED?|turned|turning|turns|Turned)(?::\s?|\s)(?:of\s)?{_AGE_NUMBER}(?!\w)"
    r"(?!\s?(?:%|mg|kg|days?|months?|weeks?|-\d))"
    r"|(?:ninety|Ninety|NINETY)(?:[-\s](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"[-\s]years?[-\s]old(?!\w)|(?:one|One)\shundred[-\s]years?[-\s]old(?!\w)"
)
_TEMPERATURE_WORDS = frozenset(["t", "temp", "temperature", "tmax", "fever", "febrile", "to", "of"])

# --------------------------------------------------------------------------------------------
# Places (letter B).

_STATES = "|".join(words.US_STATE_CODES)
_ZIP_STATE = _Led(rf"(?:{_STATES})\.?,?\s(\d{{5}}(?:-\d{{4}})?)(?!\w)")
_ZIP_PLUS4 = _Led(r"\d{5}-\d{4}(?!\w)")
_SUFFIXES = "|".join(sorted(set(words.STREET_SUFFIXES), key=len, reverse=True))
_ADDRESS = _Led(
    rf"""
    \d{{1,6}}[A-Z]?\s(?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?\s)?
    (?:(?:{NAME}|\d{{1,3}}(?:st|nd|rd|th))\s){{1,3}}(?:{_SUFFIXES})(?!\w)\.?
    (?:,?\s(?:Apt|Apartment|Unit|Suite|Ste|\#)\.?\s?[A-Z0-9-]{{1,6}}(?!\w))?
  | P\.?\s?O\.?\s(?:Box|box|BOX)\s\d{{1,6}}(?!\w)
    """,
    re.VERBOSE,
)
_STRONG_PLACE_TRIGGERS = [
    "lives in",
    "living in",
    "lived in",
    "resident of",
    "resides in",
    "native of",
    "born in",
    "grew up in",
    "moved from",
    "moved to",
    "moved here from",
    "hometown of",
    "hometown",
    "home in",
    "farm in",
    "farm near",
    "farm outside",
    "town of",
    "city of",
    "village of",
    "travels from",
    "traveled from",
    "travelled from",
    "drove from",
    "drove in from",
    "flew from",
    "flew in from",
    "transferred from",
    "outside of",
    "outside",
    "near",
]
_PLACE = _Led(
    rf"""
    (?P<trigger>{_variants(_STRONG_PLACE_TRIGGERS + ["from", "in"])})
    \s(?P<place>{NAME}|St\.\s{NAME}|Ft\.\s{NAME})(?P<more>(?:\s(?:{NAME}|de|del|da|do)){{0,3}})
    (?P<state>,\s(?:{_STATES}|[{UP}][{LO}]+(?:\s[{UP}][{LO}]+)?)(?!\w))?
    """,
    re.VERBOSE,
)
_WEAK_PLACE_TRIGGERS = frozenset(["from", "in", "near", "outside", "outside of"])
_STATE_AFTER = re.compile(rf", (?:{_STATES})(?![\w-])")
_NAMES_BEFORE = re.compile(rf"{NAME}(?:\s{NAME}){{0,2}}$")
_COUNTY = re.compile(r"(?:County|Parish|Township|Borough)(?!\w)")
_ONE_OR_TWO_NAMES_BEFORE = re.compile(rf"{NAME}(?:\s{NAME})?\s$")

# --------------------------------------------------------------------------------------------
# Names (letter A), only in a patient context.

_HONORIFIC = re.compile(
    rf"(?:Mr|Mrs|Ms|Miss|Mx|Sra|Srta|Señor|Señora|Mme|Mlle|Herr|Frau|MR|MRS|MS)\.?\s"
    rf"({NAME}(?:\s{NAME})?|[{UP}]\.(?:\s?[{UP}]\.)?)"
)
_PATIENT_NAME = re.compile(
    rf"(?:pt|Pt|PT|pts|patient|Patient|PATIENT|client|Client)\.?\s(?:named\s)?"
    rf"({INITIALS}|[{UP}]{{2,3}}(?![\w-])|{NAME}(?:\s{NAME})?)"
)
_RELATIVE = re.compile(
    _variants(
        [
            "his",
            "her",
            "their",
            "my",
            "our",
            "the patient's",
            "the pt's",
            "patient's",
            "pt's",
            "the patient’s",
            "patient’s",
        ]
    )
    + r"\s"
    + _variants(words.RELATIVES)
    + rf"s?,?\s({NAME}(?:\s{NAME})?)"
)
_NAMED = re.compile(
    rf"(?:named|name\sis|names\sare|called|nicknamed|goes\sby|known\sas|"
    rf"in\smemory\sof|RIP|rest\sin\speace,?)\s({NAME}(?:\s{NAME})?)"
)
_VERBS = "|".join(words.STORY_VERBS)
_STORY_NAME = _Led(
    rf"({NAME}(?:\s{NAME})?)(?=,?\s(?:{_VERBS})(?!\w)|,\s(?:a|an)\s\d|,\s\d{{1,3}}\s?(?:,|y|-year|M\b|F\b)"
    rf"|['’]s\s(?:family|mom|mother|dad|father|wife|husband|daughter|son|sister|brother|"
    rf"scan|biopsy|counts|marrow|diagnosis|chemo|journey|story|fundraiser|gofundme))"
)
_INITIALS_STORY = re.compile(
    rf"({INITIALS})(?=,?\s(?:(?:a|an)\s\d|\d{{1,3}}(?!\d)|(?:{_VERBS})(?!\w)))"
)
_HANDLE_WORDS = frozenset(
    [
        "pt",
        "patient",
        "patients",
        "family",
        "daughter",
        "son",
        "wife",
        "husband",
        "mom",
        "dad",
        "mother",
        "father",
        "sister",
        "brother",
        "caregiver",
    ]
)
_INITIALS_NOT_NAMES = frozenset(
    [
        "U.S.",
        "U.K.",
        "D.C.",
        "M.D.",
        "D.O.",
        "R.N.",
        "N.P.",
        "P.A.",
        "B.S.",
        "M.S.",
        "A.M.",
        "P.M.",
        "E.U.",
        "U.N.",
        "L.A.",
        "N.Y.",
    ]
)


@cache
def _allowed(domains: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(d.lower().strip().lstrip(".") for d in domains if d.strip())


def _host_allowed(host: str, domains: tuple[str, ...]) -> bool:
    host = host.lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    return any(host == d or host.endswith("." + d) for d in domains)


def _strip_url(url: str) -> str:
    while url and url[-1] in ".,;:!?'\"”’*_":
        url = url[:-1]
    for opening, closing in ("()", "[]", "{}"):
        while url.endswith(closing) and url.count(closing) > url.count(opening):
            url = url[:-1]
    return url


class _Positions:
    """Where a pattern matches in the text, found on first need, asked by stretch."""

    def __init__(self, pattern: _Led, text: str) -> None:
        self._pattern, self._text = pattern, text
        self._starts: list[int] | None = None

    def within(self, lo: int, hi: int) -> bool:
        if self._starts is None:
            self._starts = [m.start() for m in self._pattern.finditer(self._text)]
        index = bisect_left(self._starts, max(0, lo))
        return index < len(self._starts) and self._starts[index] < hi


def _line(text: str, start: int, end: int, reach: int = 160) -> tuple[int, int]:
    """The stretch of the same line around [start, end), at most `reach` each way."""
    left = text.rfind("\n", max(0, start - reach), start)
    right = text.find("\n", end, end + reach)
    return (left + 1 if left != -1 else max(0, start - reach)), (
        right if right != -1 else min(len(text), end + reach)
    )


def candidates(text: str, domains: tuple[str, ...], handles: frozenset[str]) -> Iterator[Candidate]:
    """Every (start, end, kind) a family proposes, shields included (kind "shield")."""
    events = _Positions(_EVENT, text)
    conferences = _Positions(_CONFERENCE, text)
    yield from _shields(text)
    yield from _internet(text, domains, handles)
    yield from _numbers(text)
    yield from _dates(text, events, conferences)
    yield from _places(text, events, conferences)
    yield from _names(text)


def _shields(text: str) -> Iterator[Candidate]:
    for pattern in (_DOI, _REGISTRY, _HASHTAG, _REFERENCE):
        for m in pattern.finditer(text):
            if _word_start(text, m.start(), "&" if pattern is _HASHTAG else ""):
                yield m.start(), m.end(), SHIELD
    for m in _CLINICIAN.finditer(text):
        start = m.start()
        if not _word_start(text, start):
            continue
        if m.group().startswith("Dr ") and _ADDRESS_BEFORE.search(text, max(0, start - 60), start):
            continue  # "12 Oak Dr Lubbock": a street, not a doctor
        yield start, m.end(), SHIELD
    for m in _CREDENTIAL.finditer(text):
        if not _word_start(text, m.start()):
            continue
        found = _NAME_BEFORE_CREDENTIAL.search(text, max(0, m.start() - 80), m.start())
        if found:
            yield found.start(), m.end(), SHIELD


def _internet(text: str, domains: tuple[str, ...], handles: frozenset[str]) -> Iterator[Candidate]:
    if "@" in text:
        for m in _AT.finditer(text):
            at = m.start()
            local = _LOCAL_PART.search(text, max(0, at - 64), at)
            domain = _DOMAIN.match(text, at + 1)
            if local and domain and _word_start(text, local.start(), ".+%-"):
                allowed = _host_allowed(domain.group(), domains)
                yield local.start(), domain.end(), SHIELD if allowed else "email"
                continue
            handle = _HANDLE.match(text, at + 1)
            if not handle or not _word_start(text, at, "@./"):
                continue
            if handle.group().lower() in handles:
                yield at, handle.end(), SHIELD
            elif _HANDLE_WORDS.intersection(_last_words(text, at, 6)):
                yield at, handle.end(), "other_id"
    if ":" in text and _IPV6_HINT.search(text):
        for m in _IPV6.finditer(text):
            if not _word_start(text, m.start(), ":."):
                continue
            try:
                ipaddress.IPv6Address(m.group())
            except ValueError:
                continue
            yield m.start(), m.end(), "ip"
    if "." not in text:
        return
    for m in _SCHEME_URL.finditer(text):
        if not _word_start(text, m.start(), "@.%/-"):
            continue
        yield from _url(text, m.start(), _strip_url(m.group()), domains, bare=False)
    for m in _BARE_TLD.finditer(text):
        host = _HOST_BEFORE.search(text, max(0, m.start() - 253), m.start())
        if not host or not _word_start(text, host.start(), "@.%/-:"):
            continue
        yield from _url(
            text, host.start(), _strip_url(host.group() + m.group()), domains, bare=True
        )
    for m in _IPV4.finditer(text):
        if _word_start(text, m.start(), ".") and all(int(p) < 256 for p in m.group().split(".")):
            yield m.start(), m.end(), "ip"


def _url(
    text: str, start: int, url: str, domains: tuple[str, ...], *, bare: bool
) -> Iterator[Candidate]:
    if len(url) < 4:
        return
    host_part = url.split("/", 1)[0]
    if bare and host_part.rsplit(".", 1)[-1] in _RISKY_TLDS and "/" not in url:
        if host_part.count(".") < 2:
            return  # "patients.in" is a typo, "bit.ly/x" a link
    try:
        host = urlsplit(url if "://" in url else "http://" + url).hostname or ""
    except ValueError:
        host = ""
    yield start, start + len(url), SHIELD if host and _host_allowed(host, domains) else "url"


def _numbers(text: str) -> Iterator[Candidate]:
    for pattern in (_PHONE_INTL, _PHONE_PAREN, _PHONE_DIGITS):
        for m in pattern.finditer(text):
            start, end = m.start(), m.end()
            if not _word_start(text, start, "+/.$€£-") or not _word_end(text, end, "/"):
                continue
            if end < len(text) - 1 and text[end] in ".,-" and text[end + 1].isdigit():
                continue
            value = m.group()
            digits = sum(c.isdigit() for c in value)
            if not 10 <= digits <= 18:
                continue
            before = _last_words(text, start, 3, 30)
            if value.isdigit() and not _PHONE_WORDS.intersection(before):
                continue
            extension = _EXTENSION.match(text, end)
            if extension and _word_end(text, extension.end()):
                end = extension.end()
            kind = "fax" if _FAX_WORDS.intersection(before[-2:]) else "phone"
            yield start, end, kind
    for m in _SSN.finditer(text):
        value = m.group()
        if value[:3] in {"000", "666"} or value[0] == "9" or value[4:6] == "00":
            continue
        if _word_start(text, m.start(), "-") and _word_end(text, m.end(), "-"):
            yield m.start(), m.end(), "ssn"
    for m in _LABELLED.finditer(text):
        if not _word_start(text, m.start(), "/-"):
            continue
        label = re.sub(r"\s+", " ", m.group("label")).lower()
        kind = _LABEL_KIND.get(label)
        if kind is None:
            continue
        value = m.group("value").rstrip("./-")
        digits = sum(c.isdigit() for c in value)
        if digits < 2 or len(value) < 4:
            continue
        if value.isdigit() and len(value) == 4 and value[:2] in {"19", "20"}:
            continue  # a year
        if kind == "zip" and not re.fullmatch(r"\d{5}(?:-\d{4})?", value):
            continue
        if kind == "ssn" and digits != 9:
            continue
        if kind in {"other_id", "device", "health_plan", "mrn"} and digits < 3:
            continue
        start = m.start("value")
        yield start, start + len(value), kind
    for m in _MBI.finditer(text):
        if _word_start(text, m.start()):
            yield m.start(), m.end(), "health_plan"
    for m in _VIN.finditer(text):
        value = m.group()
        if not _word_start(text, m.start()):
            continue
        if sum(c.isdigit() for c in value) >= 3 and sum(c.isalpha() for c in value) >= 3:
            yield m.start(), m.end(), "vehicle"
    for m in _ZIP_STATE.finditer(text):
        if _word_start(text, m.start()):
            yield m.start(1), m.end(1), "zip"
    for m in _ZIP_PLUS4.finditer(text):
        if _word_start(text, m.start(), "-"):
            yield m.start(), m.end(), "zip"
    for m in _ADDRESS.finditer(text):
        if _word_start(text, m.start(), ".,/-"):
            yield m.start(), m.end(), "address"


def _dates(text: str, events: _Positions, conferences: _Positions) -> Iterator[Candidate]:
    for pattern in (_DATE_MONTH_FIRST, _DATE_DIGIT_FIRST):
        for m in pattern.finditer(text):
            start, end = m.start(), m.end()
            if not _word_start(text, start, "/.-") or not _plausible_numeric_date(m.group()):
                continue
            if any(c.isalpha() for c in m.group()) and not events.within(start - 60, start):
                lo, hi = _line(text, start, end)
                if conferences.within(lo, hi):
                    continue  # "#ASH23 opens December 9": a meeting's date
            yield start, end, "date"
    for pattern in (_DATE_MONTH_YEAR, _DATE_SHORT):
        for m in pattern.finditer(text):
            start = m.start()
            if not _word_start(text, start, "/.-"):
                continue
            before = _last_words(text, start, 2, 30)
            if before and before[-1] in _NOT_DATE_WORDS:
                continue
            if _DATE_WORDS.intersection(before) or (
                before and before[-1] in _DATE_WEAK_WORDS and events.within(start - 80, start)
            ):
                yield start, m.end(), "date"
    for m in _AGE_NUMBER_FIRST.finditer(text):
        start = m.start()
        if not _word_start(text, start, ".,-"):
            continue
        if m.group()[-1] in "MF":
            before = _last_words(text, start, 1, 20)
            if before and before[-1] in _TEMPERATURE_WORDS:
                continue  # "Tmax 101 F"
        yield start, m.end(), "age"
    for m in _AGE_WORD_FIRST.finditer(text):
        if _word_start(text, m.start()):
            yield m.start(), m.end(), "age"


def _plausible_numeric_date(value: str) -> bool:
    parts = re.split(r"[/.-]", value)
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return True
    if len(parts[0]) == 4:
        return True
    first, second = int(parts[0]), int(parts[1])
    if first == 0 or second == 0:
        return False
    return (first <= 12 and second <= 31) or (second <= 12 and first <= 31)


def _not_a_place(tokens: list[str], regions: frozenset[str]) -> bool:
    first = tokens[0].rstrip(".")
    return (
        first in words.NOT_PLACES
        or first in regions
        or " ".join(tokens) in regions
        or first in words.MONTHS
        or first in words.WEEKDAYS
    )


def _places(text: str, events: _Positions, conferences: _Positions) -> Iterator[Candidate]:
    towns, regions = words.places(), words.regions()
    for m in _PLACE.finditer(text):
        if not _word_start(text, m.start()):
            continue
        trigger = re.sub(r"\s+", " ", m.group("trigger")).lower()
        tokens = (m.group("place") + (m.group("more") or "")).split()
        if _not_a_place(tokens, regions):
            continue
        # The longest run of words that is a known town, else the whole capitalised phrase.
        known = next((n for n in range(len(tokens), 0, -1) if " ".join(tokens[:n]) in towns), 0)
        start = m.start("place")
        lo, hi = _line(text, start, m.end())
        state = m.group("state")
        if known:
            count = known
        elif (
            (state and (state[2:] in words.US_STATE_CODES or state[2:] in regions))
            or trigger not in _WEAK_PLACE_TRIGGERS
            or (
                trigger == "from"
                and tokens[0] not in words.first_names()
                and events.within(lo, hi)
                and not conferences.within(lo, hi)
            )
        ):
            count = len(tokens)
        else:
            continue
        end = start + len(" ".join(tokens[:count]))
        if trigger in {"from", "in"} and not state:
            if conferences.within(lo, hi) and not events.within(lo, hi):
                continue  # "greetings from San Diego at #ASH22"
            if trigger == "in" and not events.within(lo, hi):
                continue
        yield start, end, "location"
    for m in _STATE_AFTER.finditer(text):
        found = _NAMES_BEFORE.search(text, max(0, m.start() - 80), m.start())
        if not found:
            continue
        tokens = found.group().split()
        # Keep the words that make the town ("Presented Lubbock, TX" -> "Lubbock").
        while tokens and (tokens[0] in words.NOT_PLACES or tokens[0] in words.MONTHS):
            tokens.pop(0)
        if not tokens or " ".join(tokens) in regions:
            continue
        if len(tokens) > 1 and " ".join(tokens[1:]) in towns:
            tokens = tokens[1:]
        town = " ".join(tokens)
        yield m.start() - len(town), m.start(), "location"
    for m in _COUNTY.finditer(text):
        found = _ONE_OR_TWO_NAMES_BEFORE.search(text, max(0, m.start() - 70), m.start())
        if found and found.group().split()[0] not in words.NOT_PLACES:
            yield found.start(), m.end(), "location"


def _names(text: str) -> Iterator[Candidate]:
    firsts, lasts = words.first_names(), words.last_names()
    for m in _HONORIFIC.finditer(text):
        if _word_start(text, m.start()):
            yield m.start(1), m.end(1), "name"
    for m in _PATIENT_NAME.finditer(text):
        if not _word_start(text, m.start()):
            continue
        value = m.group(1)
        if value.isupper() and "." not in value:
            if value in words.MEDICAL_CAPITALS:
                continue
        elif "." not in value:
            first = value.split()[0]
            if first not in firsts and first not in lasts:
                continue
        elif value.replace(" ", "") in _INITIALS_NOT_NAMES:
            continue
        yield m.start(1), m.end(1), "name"
    for m in _RELATIVE.finditer(text):
        if _word_start(text, m.start()) and m.group(1).split()[0] not in words.NOT_PLACES:
            yield m.start(1), m.end(1), "name"
    for m in _NAMED.finditer(text):
        first = m.group(1).split()[0]
        if _word_start(text, m.start()) and (first in firsts or first in lasts):
            yield m.start(1), m.end(1), "name"
    for m in _STORY_NAME.finditer(text):
        if not _word_start(text, m.start()):
            continue
        tokens = m.group(1).split()
        if tokens[0] in firsts:
            yield m.start(1), m.end(1), "name"
        elif len(tokens) == 2 and tokens[1] in firsts:
            # "Yesterday Maria presented": the name is the second word.
            yield m.end(1) - len(tokens[1]), m.end(1), "name"
    for m in _INITIALS_STORY.finditer(text):
        if (
            _word_start(text, m.start(), ".")
            and m.group(1).replace(" ", "") not in _INITIALS_NOT_NAMES
        ):
            yield m.start(1), m.end(1), "name"


def resolve(found: Iterable[Candidate], length: int) -> list[Candidate]:
    """One finding per stretch of text: shields win, then the longest, then the most specific."""
    taken = bytearray(length)
    others: list[Candidate] = []
    for start, end, kind in found:
        if end <= start:
            continue
        if kind == SHIELD:
            taken[start:end] = b"\x01" * (end - start)
        else:
            others.append((start, end, kind))
    others.sort(key=_preference)
    kept: list[Candidate] = []
    find: Callable[..., int] = taken.find
    for start, end, kind in others:
        if find(1, start, end) != -1:
            continue
        taken[start:end] = b"\x01" * (end - start)
        kept.append((start, end, kind))
    kept.sort()
    return kept


def _preference(candidate: Candidate) -> tuple[int, int, int]:
    start, end, kind = candidate
    return start - end, _RANK[kind], start
