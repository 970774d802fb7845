# ruff: noqa: RUF001 - typographic quotes and dashes are part of the patterns
"""The families of patterns of the PHI guard and the pass that resolves their overlaps.

One pass of one regular expression over the lower-cased text (`_Index`) finds where a family
can start: the numbers, the words of the families (one prefix trie, the case as written
checked in Python), capitals before a dot. Each family's precompiled pattern is then tried
only at those places (`pattern.match`), and a family none of whose places occur is not run
at all. For speed the patterns start with a literal or a character class (so the regex
engine skips ahead in C) and word boundaries are checked in Python on the few matches;
repetitions are bounded, so a hostile text costs linear time. What a match needs around it
(a label before a number, a patient event before a date, a meeting nearby) is read from the
few words around it, the event and meeting words being looked for only there.

A family yields candidates (start, end, kind). "Shields" mark what is known not to be an
identifier (a DOI, a trial id, a hashtag, a clinician named with a title, an allowed link or
handle) and remove every candidate they overlap; they are looked for only once some family
proposed a candidate. Of overlapping candidates the longest wins, then the most specific kind
(KIND_ORDER).
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from functools import cache, lru_cache

from hemonc.core.phi import _words as words

UP = "A-ZÀ-ÖØ-Þ"
LO = "a-zß-öø-ÿ"
# Alvarez, O'Neil, McDonald, Smith-Jones, José; never all capitals.
NAME = rf"[{UP}](?:['’][{UP}])?[{LO}]{{1,30}}(?:[{UP}][{LO}]{{1,30}})?(?:-[{UP}][{LO}]{{1,30}})?"
INITIALS = rf"[{UP}]\.\s?[{UP}]\.(?:\s?[{UP}]\.)?"
# A NAME that starts a word (nothing alphanumeric nor a dot before it), written capital first so
# that a search skips ahead to capitals: for the searches that look back from a cue.
NAME_AT_WORD = rf"[{UP}](?<![\w.][{UP}])" + NAME.removeprefix(f"[{UP}]")

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


_TOKEN = re.compile(r"[^\W_]+(?:[/.'’][^\W_]+)*\.?|[#:]")


def _last_words(text: str, start: int, count: int, reach: int = 40) -> list[str]:
    """The last `count` words before `start` in the same sentence, lower-case ("d/c", "dob",
    "f/u" stay whole)."""
    lo = max(0, start - reach)
    window = text[lo:start]
    cut = max(window.rfind(". "), window.rfind("; "), window.rfind("! "), window.rfind("? "))
    cut = max(cut, window.rfind(" — "), window.rfind("\n"))
    if cut != -1:
        lo += cut + 1
    return [w.lower().rstrip(".") for w in _TOKEN.findall(text, lo, start)[-count:]]


def _next_words(text: str, end: int, count: int, reach: int = 40) -> list[str]:
    """The first `count` words after `end` in the same sentence, lower-case ("on the 8th of
    May she was readmitted")."""
    window = text[end : end + reach]
    for stop in (". ", "; ", "! ", "? ", " — ", "\n"):
        cut = window.find(stop)
        if cut != -1:
            window = window[:cut]
    return [w.lower().rstrip(".") for w in _TOKEN.findall(window)[:count]]


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
_CREDENTIALS = [
    "MD",
    "DO",
    "PhD",
    "MBBS",
    "MBChB",
    "MPH",
    "MSc",
    "FACP",
    "FRCP",
    "FRCPath",
    "PharmD",
    "BCOP",
    "RN",
    "NP",
    "PA-C",
    "APRN",
    "DNP",
]
_CREDENTIAL = re.compile("(?:" + "|".join(re.escape(c) for c in _CREDENTIALS) + r")(?!\w)")
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
_SCHEME_URL = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>\"'`]{1,2000}", re.IGNORECASE)
_BARE_TLD = re.compile(rf"\.(?:{_TLDS})(?![\w@-])(?:/[^\s<>\"'`]{{0,2000}})?")
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-")
_HOST = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){0,5}[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
)
_IPV4 = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\w]|\.\d)")
_IPV6_HINT = re.compile(r":[0-9A-Fa-f]{0,4}:")
_IPV6 = re.compile(r"[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
_PHONE_INTL = re.compile(r"\+\d{1,3}[ .-]?(?:\(0\)[ .-]?)?\(?\d{1,4}\)?(?:[ .-]?\d){5,12}")
_PHONE_PAREN = re.compile(r"\(\d{3}\)[ .-]?\d{3}[ .-]\d{4}")
_PHONE_DIGITS = re.compile(r"\d{3}[ .-]\d{3}[ .-]\d{4}|\d{10}|1[ .-]\d{3}[ .-]\d{3}[ .-]\d{4}")
# The three start with "+", "(" and a digit: one pattern tried once at each place.
_PHONE = re.compile(f"{_PHONE_INTL.pattern}|{_PHONE_PAREN.pattern}|{_PHONE_DIGITS.pattern}")
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
_SSN = re.compile(r"\d{3}([- ])\d{2}\1\d{4}")

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
_LABELLED = re.compile(
    "(?P<label>"
    + _variants([p for phrases in _LABELS.values() for p in phrases.split(",")])
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
_DATE_DIGIT_FIRST = re.compile(
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
_DATE_SEPARATORS = re.compile(r"[/.-]")
_DATE_MONTH_YEAR = re.compile(rf"{MONTH}\s(?:of\s)?{YEAR}(?!\w)")
_DATE_SHORT = re.compile(
    r"(?:1[0-2]|0?[1-9])/(?:(?:[12]\d|3[01]|0?[1-9])|(?:19|20)\d{2})(?![\w/]|\.\d)"
)
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
        "biopsied",
        "seen",
    ]
)
_FRACTION_NEXT = re.compile(
    r"\s(?:responded|responders|patients|pts|participants|subjects|cases|achieved|had|were|"
    r"of\s(?:the|them|those|these))(?!\w)"
)
# After a date: "on the 8th of May she was readmitted".
_EVENT_AFTER_DATE = frozenset(
    [
        "admitted",
        "readmitted",
        "discharged",
        "died",
        "passed",
        "born",
        "diagnosed",
        "relapsed",
        "transplanted",
        "biopsied",
        "seen",
        "presented",
        "deceased",
        "expired",
        "delivered",
        "transferred",
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
_CONFERENCE_WORDS = [
    "lecture",
    "lectures",
    "seminar",
    "talk",
    "podcast",
    "episode",
    "course",
    "retreat",
    "interview",
    "interviews",
    "award",
    "apply",
    "applications",
    "due",
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
_AGE_WORD_FIRST = re.compile(
    rf"(?:aged?|Aged?|AGED?|turned|turning|turns|Turned)(?::\s?|\s)(?:of\s)?{_AGE_NUMBER}(?!\w)"
    r"(?!\s?(?:%|mg|kg|days?|months?|weeks?|-\d))"
    r"|(?:ninety|Ninety|NINETY)(?:[-\s](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"[-\s]years?[-\s]old(?!\w)|(?:one|One)\shundred[-\s]years?[-\s]old(?!\w)"
)
_AGE_UNIT_LETTERS = frozenset("yMF")
_ORDINALS = frozenset(["st", "nd", "rd", "th"])
_MONTH_PREFIXES = frozenset(m[:3].lower() for m in _MONTH_WORDS)
_TEMPERATURE_WORDS = frozenset(["t", "temp", "temperature", "tmax", "fever", "febrile", "to", "of"])

# --------------------------------------------------------------------------------------------
# Places (letter B).

_STATES = "|".join(words.US_STATE_CODES)
_ZIP_VALUE = re.compile(r"\d{5}(?:-\d{4})?")
_ZIP_STATE = re.compile(rf"(?:{_STATES})\.?,?\s(\d{{5}}(?:-\d{{4}})?)(?!\w)")
_ZIP_PLUS4 = re.compile(r"\d{5}-\d{4}(?!\w)")
_SUFFIXES = "|".join(sorted(set(words.STREET_SUFFIXES), key=len, reverse=True))
_ADDRESS = re.compile(
    rf"""
    \d{{1,6}}[A-Z]?\s(?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?\s)?
    (?:(?:{NAME}|\d{{1,3}}(?:st|nd|rd|th))\s){{1,3}}(?:{_SUFFIXES})(?!\w)\.?
    (?:,?\s(?:(?:Apt|Apartment|Unit|Suite|Ste)\.?\s?[A-Z0-9-]{{1,6}}|\#\s?\d[A-Z0-9-]{{0,5}})(?!\w))?
  | P\.?\s?O\.?\s(?:Box|box|BOX)\s\d{{1,6}}(?!\w)
    """,
    re.VERBOSE,
)
_STRONG_PLACE_TRIGGERS = [
    "lives in",
    "lives near",
    "lives outside",
    "living near",
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
_PLACE = re.compile(
    rf"""
    (?P<trigger>{_variants([*_STRONG_PLACE_TRIGGERS, "from", "in"])})
    \s(?P<place>{NAME}|St\.\s{NAME}|Ft\.\s{NAME})(?P<more>(?:\s(?:{NAME}|de|del|da|do)){{0,3}})
    (?P<state>,\s(?:{_STATES}|[{UP}][{LO}]+(?:\s[{UP}][{LO}]+)?)(?!\w))?
    """,
    re.VERBOSE,
)
_PERSON_WORDS = frozenset(
    [
        "man",
        "woman",
        "farmer",
        "rancher",
        "teacher",
        "veteran",
        "retiree",
        "gentleman",
        "lady",
        "grandmother",
        "grandfather",
        "mother",
        "father",
        "boy",
        "girl",
        "student",
        "worker",
        "driver",
        "nurse",
        "patient",
        "pt",
        "mom",
        "dad",
        "guy",
    ]
)
_WEAK_PLACE_TRIGGERS = frozenset(["from", "in", "near", "outside", "outside of"])
# Before "near"/"outside", these make it where someone comes from ("from outside Pecos").
_COMPOUND_BEFORE = frozenset(["from", "just", "right", "lives", "living", "lived", "ranch", "farm"])
_STATE_AFTER_CODE = re.compile(rf"(?:{_STATES})(?![\w-])")
_NAMES_BEFORE = re.compile(rf"{NAME}(?:\s{NAME}){{0,2}}$")
_COUNTY = re.compile(r"(?:County|Parish|Township|Borough)(?!\w)")
_ONE_OR_TWO_NAMES_BEFORE = re.compile(rf"{NAME}(?:\s{NAME})?\s$")

# --------------------------------------------------------------------------------------------
# Names (letter A), only in a patient context.

_HONORIFICS = [
    "Mr",
    "Mrs",
    "Ms",
    "Miss",
    "Mx",
    "Sra",
    "Srta",
    "Señor",
    "Señora",
    "Mme",
    "Mlle",
    "Herr",
    "Frau",
    "MR",
    "MRS",
    "MS",
]
_HONORIFIC = re.compile(
    "(?:" + "|".join(sorted(_HONORIFICS, key=len, reverse=True)) + r")\.?\s"
    rf"({NAME}(?:\s{NAME})?|[{UP}]\.(?:\s?[{UP}]\.)?)"
)
# "Grandma Rosa", "Uncle Joe", "Abuela Consuelo": a relative named with a family title.
_KIN_TITLES = [
    "Grandma",
    "Grandpa",
    "Granny",
    "Gran",
    "Grandad",
    "Granddad",
    "Grandmother",
    "Grandfather",
    "Nana",
    "Nanna",
    "Nonna",
    "Nonno",
    "Oma",
    "Opa",
    "Abuela",
    "Abuelo",
    "Abuelita",
    "Abuelito",
    "Aunt",
    "Auntie",
    "Aunty",
    "Uncle",
    "Tia",
    "Tía",
    "Tio",
    "Tío",
    "Cousin",
    "Lola",
    "Lolo",
    "Bubbe",
    "Zayde",
]
_KIN_TITLE = re.compile(_variants(_KIN_TITLES) + rf"\s({NAME}(?:\s{NAME})?)")
# "initials SB", "initials: S.B.", "pt initials JD": initials given as such.
_INITIALS_LABEL = re.compile(
    rf"(?:initials|Initials|INITIALS)(?:\s(?:are|were|of))?:?\s({INITIALS}|[{UP}]{{2,3}}(?![\w-]))"
)
_PATIENT_NAME = re.compile(
    rf"(?:pt|Pt|PT|pts|patient|Patient|PATIENT)\.?\s(?:named\s)?"
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
_POSSESSED = [
    "family",
    "mom",
    "mother",
    "dad",
    "father",
    "wife",
    "husband",
    "daughter",
    "son",
    "sister",
    "brother",
    "scan",
    "biopsy",
    "counts",
    "marrow",
    "diagnosis",
    "chemo",
    "journey",
    "story",
    "fundraiser",
    "gofundme",
]
_STORY_NAME = re.compile(
    rf"({NAME}(?:\s{NAME})?)(?=,?\s(?:{_VERBS})(?!\w)|,\s(?:a|an)\s\d|,\s\d{{1,3}}\s?(?:,|y|-year|M\b|F\b)"
    rf"|['’]s\s(?:{'|'.join(_POSSESSED)})(?!\w))"
)
# What comes right before a story cue (a verb, "'s family", ", a 45-year-old", ", 45,"): one or
# two capitalised words, found by looking back from the cue.
_NAME_BEFORE_CUE = re.compile(
    rf"({NAME_AT_WORD})(?:\s({NAME}))?"
    rf"(?P<sep>,?\s|,\s(?:a|an)\s|\s(?:is|was)\s(?:a|an)\s|['’]s\s)$"
)
# "a 45-year-old", "a 45 y/o", "a 45yo", "a 45M": after one of these, the words before name the
# patient whatever the name ("Kwame, a 45-year-old", "Kwame is a 45 y/o").
_AGE_UNIT = re.compile(
    r"\s?-?\s?(?:years?|yrs?|y)\.?\s?-?\s?(?:old|o)(?!\w)|\s?(?:yo|y/o|y\.o\.)(?!\w)|\s?[MF](?![\w'’-])"
)
# Capitalised words that open a sentence, never a name before "is a 45-year-old".
_NOT_STORY_NAMES = frozenset(
    [
        "This",
        "That",
        "These",
        "Those",
        "It",
        "He",
        "She",
        "They",
        "We",
        "You",
        "I",
        "Who",
        "Which",
        "What",
        "Here",
        "There",
        "Today",
        "Now",
        "Then",
        "Also",
        "And",
        "But",
        "So",
        "Our",
        "My",
        "His",
        "Her",
        "Their",
        "Your",
        "Its",
        "Patient",
        "Pt",
        "Case",
        "Another",
        "Next",
        "Last",
        "First",
        "Every",
        "Each",
        "One",
        "Another",
        "Someone",
        "Everyone",
        "Nobody",
        "Somebody",
        "Anyone",
        "Yesterday",
        "Tonight",
    ]
)
# A place, not a person, after these ("in Orlando, a 51-year-old").
_PLACE_PREPOSITIONS = frozenset(["in", "at", "from", "near", "to", "outside", "of", "via"])
_INITIALS_STORY = re.compile(
    rf"({INITIALS})(?=,?\s(?:(?:a|an)\s\d|\d{{1,3}}(?!\d)|(?:{_VERBS})(?!\w)))"
)
# Verbs after a surname alone that make it a patient ("Alvarez underwent"), not an author.
_PATIENT_VERBS = frozenset(
    [
        "presented",
        "underwent",
        "developed",
        "received",
        "died",
        "relapsed",
        "complained",
        "was",
        "were",
        "remains",
        "remained",
        "tolerated",
        "declined",
    ]
)
_PATIENT_VERB = re.compile(
    r"(?:underwent|presented|developed|received|relapsed|died|complained|admitted|"
    r"transferred|tolerated|declined)(?!\w)"
)
_NAME_BEFORE_VERB = re.compile(
    rf"({NAME_AT_WORD}(?:\s{NAME})?)(,\s\d{{1,3}},)?\s(?:was\s|is\s|has\s|had\s|then\s)?$"
)
_DIGITS_AT = re.compile(r"\d{1,3}(?!\d)")
_NEXT_DIGIT = re.compile(r"\s?[<>=:]?\s?\d")
_NOT_AFTER_PATIENT = frozenset(
    [
        "Zero",
        "Reported",
        "Education",
        "Safety",
        "Care",
        "Navigator",
        "Navigation",
        "Advocate",
        "Advocacy",
        "Portal",
        "Voices",
        "Experience",
        "Experiences",
        "Outcomes",
        "Outcome",
        "Perspective",
        "Perspectives",
        "Preference",
        "Preferences",
        "Hgb",
        "Hb",
        "Hct",
        "Plt",
        "Wbc",
        "Anc",
        "Cr",
        "Na",
        "Ldh",
        "Inr",
        "Ptt",
        "Bp",
        "Hr",
        "Temp",
        "Sat",
        "Labs",
        "Lab",
        "Counts",
        "Day",
        "Cycle",
        "Arm",
        "One",
        "Two",
        "Three",
        "Four",
        "Five",
        "Six",
        "Seven",
        "Eight",
        "Nine",
        "Ten",
        "Number",
        "No",
        "Population",
        "Selection",
        "Level",
        "Information",
        "Info",
        "Assistance",
        "Support",
        "Centered",
        "Centred",
        "Engagement",
        "Partner",
        "Partners",
    ]
)
_NEXT_WORD = re.compile(r"\W{0,3}(\w+)")
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
# "h/t @x and @y", "cc @x": accounts credited in public, not a patient's family.
_CREDIT_WORDS = frozenset(["h/t", "ht", "cc", "via", "thanks", "thx", "by", "rt"])
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


_WORD = re.compile(r"[^\W_]+")


def _first_words(phrases: Iterable[str]) -> set[str]:
    return {re.split(r"[\s#/'’]", phrase.lower())[0] for phrase in phrases}


_MONTH_KEYS = {m.lower() for m in _MONTH_WORDS}
_FAMILIES: dict[str, set[str]] = {
    "labelled": _first_words(_LABEL_KIND) - {"a"},
    "place": _first_words([*_STRONG_PLACE_TRIGGERS, "from", "in"]),
    "relative": {"his", "her", "their", "my", "our", "the", "patient", "pt"},
    "honorific": {w.lower() for w in _HONORIFICS},
    "kin": {w.lower() for w in _KIN_TITLES},
    "initials_label": {"initials"},
    "patient": {"pt", "pts", "patient"},
    "named": {
        "named",
        "name",
        "names",
        "called",
        "nicknamed",
        "goes",
        "known",
        "in",
        "rip",
        "rest",
    },
    "month": _MONTH_KEYS,
    "age_word": {"aged", "age", "turned", "turning", "turns", "ninety", "one"},
    "clinician": {"dr", "drs", "prof", "professor", "doctor", "dra"},
    "credential": {w.lower() for w in _CREDENTIALS},
    "patient_verb": {
        "underwent",
        "presented",
        "developed",
        "received",
        "relapsed",
        "died",
        "complained",
        "admitted",
        "transferred",
        "tolerated",
        "declined",
    },
    "reference": {"abstract", "abstracts", "poster", "posters", "session", "sessions", "slide"}
    | {"slides", "table", "tables", "fig", "figs", "figure", "figures"},
    "url": {"http", "https", "ftp", "www"},
    "county": {"county", "parish", "township", "borough"},
    "address": {"po"},
    "story": {v.lower() for v in words.STORY_VERBS} | set(_POSSESSED),
}
_EVENT_WORDS = frozenset(
    [
        "admitted",
        "admission",
        "discharged",
        "discharge",
        "dob",
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
_CONFERENCE_KEYS = frozenset(
    {w.lower() for w in words.CONFERENCE_WORDS}
    | {w.split()[-1].lower() for w in _CONFERENCE_WORDS}
    | {"bmttandem", "hojournalclub", "hemeoncjc", "journal"}
)
_EVENT, _MEETING = 1, 2
# Lower-case word -> (families to try there, event/meeting flags).
_KEYS: dict[str, tuple[tuple[str, ...], int]] = {}
for _family, _keys in _FAMILIES.items():
    for _key in _keys:
        _families, _flags = _KEYS.get(_key, ((), 0))
        _KEYS[_key] = ((*_families, _family), _flags)
for _key in _EVENT_WORDS | _CONFERENCE_KEYS:
    _families, _flags = _KEYS.get(_key, ((), 0))
    _KEYS[_key] = (
        _families,
        _flags
        | (_EVENT if _key in _EVENT_WORDS else 0)
        | (_MEETING if _key in _CONFERENCE_KEYS else 0),
    )
# Frequent words that start a family only when the next words fit (checked before the regex).
_NEEDS_AFTER = {
    ("relative", "the"): (" patient", " pt", " Patient", " pt’", " patient’"),
    ("named", "in"): (" memory",),
    ("named", "name"): (" is",),
    ("named", "known"): (" as",),
    ("named", "goes"): (" by",),
    ("named", "rest"): (" in",),
    ("age_word", "one"): (" hundred",),
}
_CAPITALISED_NEXT = frozenset(["from", "in", "near", "outside"])
_FAMILIES_BY_CASE = {"state": {c.lower() for c in words.US_STATE_CODES}}
for _key in _FAMILIES_BY_CASE["state"] | {w.lower() for w in _HONORIFICS}:
    _families, _flags = _KEYS.get(_key, ((), 0))
    _extra = ("state",) if _key in _FAMILIES_BY_CASE["state"] else ("honorific",)
    _KEYS[_key] = ((*_families, *(f for f in _extra if f not in _families)), _flags)


@cache
def _master() -> re.Pattern[str]:
    """Where a word that matters starts, right after a separator, in the lower-cased text
    (`_lowered`, with a leading space). One pass of the regex engine; the words that start a
    family are compiled as one prefix trie of lower-case words (a third of the size of one
    spelling out each case), and the case as written is checked in Python on the few words
    found. Words that only mark a meeting or a patient's event are not in it: they are looked
    for only around a date or a place (`_Index.events_within`)."""
    actions = _actions()
    keys = sorted(key for key, (plain, checked, _) in actions.items() if plain or checked)
    return re.compile(
        r"[^\w]"
        r"(?:(?P<digit>\d(?<![^\W_][/.:,'-]\d)[^\W_]*)"
        rf"|(?P<key>{_trie(keys)})\d{{0,4}}(?![^\W_])"
        r"|(?P<capital>[a-z](?=\.)|[a-z0-9]{17}(?![^\W_])|lba))"
    )


@cache
def _flagged() -> tuple[re.Pattern[str], int]:
    """The words that mark a meeting or a patient's event, as `_master` would find them, and
    how far past its start such a word (its separator, up to four digits, the character after)
    may reach."""
    keys = sorted(key for key, (_, _, flags) in _actions().items() if flags)
    pattern = re.compile(rf"[^\w]({_trie(keys)})\d{{0,4}}(?![^\W_])")
    return pattern, max(map(len, keys)) + 7


@cache
def _spellings() -> frozenset[str]:
    """The key words as they may be written: as listed, lower-case, Capitalised, UPPER-CASE."""
    forms: set[str] = set()
    for phrase in [*_KEYS, *words.CONFERENCE_WORDS]:
        forms |= {phrase, phrase.lower(), phrase.upper(), phrase[:1].upper() + phrase[1:]}
    return frozenset(forms)


def _lowered(text: str) -> str:
    """`text` in lower case, character for character (offsets stay those of `text`)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # "İ" lowers to two characters: such a character stays as written.
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


_Check = Callable[[str, str, int], bool]


@cache
def _actions() -> dict[str, tuple[tuple[str, ...], tuple[tuple[str, _Check], ...], int]]:
    """Lower-case key -> (families to try there, (family, condition) pairs, flags)."""
    result: dict[str, tuple[tuple[str, ...], tuple[tuple[str, _Check], ...], int]] = {}
    for key in {k.lower() for k in [*_KEYS, *words.CONFERENCE_WORDS]}:
        families, flags = _KEYS.get(key) or _KEYS.get(key.rstrip(_DIGITS), ((), 0))
        plain: list[str] = []
        checked: list[tuple[str, _Check]] = []
        for family in families:
            wanted = _NEEDS_AFTER.get((family, key))
            if wanted:
                checked.append((family, _starts_with(wanted)))
            elif family == "place" and key in _CAPITALISED_NEXT:
                checked.append((family, _capital_next))
            elif family == "state":
                checked.append((family, _is_state))
            elif family == "honorific":
                checked.append((family, _is_honorific))
            else:
                plain.append(family)
        result[key] = (tuple(plain), tuple(checked), flags)
    return result


def _starts_with(wanted: tuple[str, ...]) -> _Check:
    return lambda text, word, end: text.startswith(wanted, end)


def _capital_next(text: str, word: str, end: int) -> bool:
    return text[end + 1 : end + 2].isupper()


def _is_state(text: str, word: str, end: int) -> bool:
    return word in _STATE_CODES


def _is_honorific(text: str, word: str, end: int) -> bool:
    return word in _HONORIFIC_WORDS


_STATE_CODES = frozenset(words.US_STATE_CODES)
_US_STATE_NAMES = frozenset(
    [
        "Alabama",
        "Alaska",
        "Arizona",
        "Arkansas",
        "California",
        "Colorado",
        "Connecticut",
        "Delaware",
        "Florida",
        "Georgia",
        "Hawaii",
        "Idaho",
        "Illinois",
        "Indiana",
        "Iowa",
        "Kansas",
        "Kentucky",
        "Louisiana",
        "Maine",
        "Maryland",
        "Massachusetts",
        "Michigan",
        "Minnesota",
        "Mississippi",
        "Missouri",
        "Montana",
        "Nebraska",
        "Nevada",
        "Ohio",
        "Oklahoma",
        "Oregon",
        "Pennsylvania",
        "Tennessee",
        "Texas",
        "Utah",
        "Vermont",
        "Virginia",
        "Washington",
        "Wisconsin",
        "Wyoming",
    ]
)
_HONORIFIC_WORDS = frozenset(_HONORIFICS)
_DIGITS = "0123456789"


class _Index:
    """One pass over the words of the text: where each family may match, where meetings and
    patient events are mentioned. Families are then tried only there (`pattern.match`)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at: defaultdict[str, list[int]] = defaultdict(list)
        self.padded = " " + _lowered(text)
        at, actions, spellings = self.at, _actions(), _spellings()
        # Only the words that can matter come out of the regex engine: numbers, the words
        # of the families, capitals before a dot, 17-character codes.
        for m in _master().finditer(self.padded):
            start = m.start()  # the separator's index in " " + text: the word's in text
            kind = m.lastindex or 0  # each alternative is a group: never 0
            if kind == 1:  # a number
                # Never the rest of "3/14/1961" or "1,200": the pattern's look-behind.
                self._digits(start, m.group(1), text[start - 1] if start else " ")
                continue
            word = m.group(kind)
            if kind == 3:  # a capital before a dot, a 17-character code, LBA
                size = len(word)
                if size == 1:
                    if "A" <= text[start] <= "Z":
                        at["initials"].append(start)
                        if word == "p":
                            at["address"].append(start)  # P.O. Box
                elif size == 17:
                    at["vin"].append(start)
                elif text.startswith("LBA", start):
                    at["reference"].append(start)
                continue
            end = start + len(word)
            written = text[start:end]
            if written != word and written not in spellings:
                continue  # "iN", "FRom": not as any list writes it
            plain, checked, _ = actions[word]
            for family in plain:
                at[family].append(start)
            for family, check in checked:
                if check(text, written, end):
                    at[family].append(start)

    def _digits(self, start: int, word: str, before: str) -> None:
        """Which number families may start at this number, from its length and what follows
        it (a space then a digit for a phone number, a capital for a street, ...): decided on
        the character after it first, so most numbers ("12, ", "2%", "7.2") cost a few tests.
        A family is only sent where its pattern can match ("(806) 555-..." and "+1 ..." for a
        phone, a second "/" for "3/14/1961", a month after "3 ")."""
        text, at = self.text, self.at
        size = len(word)
        end = start + size
        after = text[end] if end < len(text) else " "
        if before == "+" or (before == "(" and size == 3 and after == ")"):
            at["phone"].append(start - 1)
        digits_only = word.isdigit()
        # "3rd of March": of the words with letters, only an ordinal may start a date.
        date = not digits_only and size <= 4 and word[-2:] in _ORDINALS and word[:-2].isdigit()
        if after == " ":
            then = text[end + 1 : end + 2]
            if then.isdigit():  # "806 555 1234", "123 45 6789", "12 3rd St"
                if size == 3:
                    at["phone"].append(start)
                    at["ssn"].append(start)
                elif word == "1":
                    at["phone"].append(start)
                if size <= 7:
                    at["address"].append(start)
            elif then.isupper():  # "12 Oak Street", "3 March"
                if size <= 7:
                    at["address"].append(start)
                date = date or text[end + 1 : end + 4].lower() in _MONTH_PREFIXES
            elif then == "o":  # "3 of March"
                date = True
        elif after == "-":
            then = text[end + 1 : end + 2]
            if then.isdigit():
                if size == 3:
                    at["phone"].append(start)
                    at["ssn"].append(start)
                elif word == "1":
                    at["phone"].append(start)
                elif size == 5:
                    at["zip4"].append(start)
                # "3-14-1961", "2023-06-04"; never "806-555-1234"
                date = date or "-" in text[end + 2 : end + 4]
            else:
                date = date or then.isalpha()  # "14-Mar-2022"
        elif after == "/":
            if size <= 2:
                at["date_short"].append(start)
            date = date or "/" in text[end + 2 : end + 4]  # "3/14/1961", "2023/6/4"
        elif after == "." and text[end + 1 : end + 2].isdigit():
            if size == 3 or word == "1":
                at["phone"].append(start)
            if size <= 3 and "." in text[end + 2 : end + 5]:
                at["ipv4"].append(start)  # not "12.3": an address has three dots
            if "." in text[end + 2 : end + 4]:
                date = True  # 14.03.1961
        if size <= 3:
            if before == " " and start >= 2 and text[start - 2] in ",an":
                at["story"].append(start)  # "Maria, 45," "Maria, a 45-year-old"
        elif size == 10:
            at["phone"].append(start)
        elif size == 17:
            at["vin"].append(start)
        if date:
            at["date"].append(start)
        if (
            word[0] in "91"
            and 2 <= size <= 6
            and word[1].isdigit()
            and not (
                digits_only and size > 3  # "1000 mg": no age is four digits long
            )
            # "92-year-old", "92 y/o", "92 F": a number alone needs its unit within 4 characters
            and not (digits_only and _AGE_UNIT_LETTERS.isdisjoint(text[end : end + 4]))
        ):
            number = int(word[:3] if word[:3].isdigit() else word[:2])
            if 90 <= number <= 119:
                at["age"].append(start)
        if size >= 4 and not digits_only and word[1].isalpha():
            at["mbi"].append(start)  # "1EG4-TE5-MK73"

    def matches(self, family: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        positions = self.at.get(family)
        if not positions:
            return []
        match, text = pattern.match, self.text
        return [found for start in positions if (found := match(text, start))]

    def events_within(self, lo: int, hi: int) -> bool:
        """Whether a patient's event ("admitted", "clinic", "her") is named in [lo, hi)."""
        return self._flag_within(_EVENT, lo, hi)

    def conferences_within(self, lo: int, hi: int) -> bool:
        """Whether a meeting ("#ASH23", "talk", "abstract") is named in [lo, hi)."""
        return self._flag_within(_MEETING, lo, hi)

    def _flag_within(self, flag: int, lo: int, hi: int) -> bool:
        text, actions, spellings = self.text, _actions(), _spellings()
        pattern, reach = _flagged()
        # A word that starts before `hi` ends before `hi + reach`: the search stops there.
        for m in pattern.finditer(self.padded, max(0, lo), hi + reach):
            start = m.start()
            if start >= hi:
                return False
            word = m.group(1)
            written = text[start : start + len(word)]
            if actions[word][2] & flag and (written == word or written in spellings):
                return True
        return False


@cache
def _allowed(domains: tuple[str, ...]) -> frozenset[str]:
    return frozenset(d.lower().strip().lstrip(".") for d in domains if d.strip())


@lru_cache(maxsize=4096)
def _host_allowed(host: str, domains: frozenset[str]) -> bool:
    """Whether `host` is one of `domains` or a subdomain of one (the same hosts come back in
    text after text: the answer is kept)."""
    labels = host.lower().rstrip(".").split(".")
    return any(".".join(labels[index:]) in domains for index in range(len(labels)))


def _host_of(url: str) -> str:
    rest = url.split("://", 1)[1] if "://" in url else url
    for stop in "/?#":
        rest = rest.split(stop, 1)[0]
    return rest.rsplit("@", 1)[-1].split(":", 1)[0]


def _strip_url(url: str) -> str:
    while url and url[-1] in ".,;:!?'\"”’*_":
        url = url[:-1]
    for opening, closing in ("()", "[]", "{}"):
        while url.endswith(closing) and url.count(closing) > url.count(opening):
            url = url[:-1]
    return url


def _line(text: str, start: int, end: int, reach: int = 160) -> tuple[int, int]:
    """The stretch of the same line around [start, end), at most `reach` each way."""
    left = text.rfind("\n", max(0, start - reach), start)
    right = text.find("\n", end, end + reach)
    return (left + 1 if left != -1 else max(0, start - reach)), (
        right if right != -1 else min(len(text), end + reach)
    )


_NUMBER_FAMILIES = frozenset(
    ["phone", "ssn", "ipv4", "labelled", "mbi", "vin", "state", "zip4", "address"]
)
_DATE_FAMILIES = frozenset(["month", "date", "date_short", "age", "age_word"])
_PLACE_FAMILIES = frozenset(["place", "state", "county"])
_NAME_FAMILIES = frozenset(
    [
        "honorific",
        "kin",
        "initials_label",
        "patient",
        "relative",
        "named",
        "story",
        "patient_verb",
        "initials",
    ]
)


def candidates(text: str, domains: frozenset[str], handles: frozenset[str]) -> list[Candidate]:
    """Every (start, end, kind) a family proposes, shields included (kind "shield"); only the
    families whose words the index found are run. Shields only take candidates away, so they
    are looked for only once some family proposed something: most texts end before that."""
    index = _Index(text)
    present = index.at.keys()
    found: list[Candidate] = []
    if "@" in text or "." in text or ":" in text:
        found.extend(_internet(text, index, domains, handles))
    if present:
        if not _NUMBER_FAMILIES.isdisjoint(present):
            found.extend(_numbers(text, index))
        if not _DATE_FAMILIES.isdisjoint(present):
            found.extend(_dates(text, index))
        if not _PLACE_FAMILIES.isdisjoint(present):
            found.extend(_places(text, index))
        if not _NAME_FAMILIES.isdisjoint(present):
            found.extend(_names(text, index))
    for candidate in found:
        if candidate[2] != SHIELD:
            break
    else:
        return []  # nothing proposed, nothing to shield
    if present or "#" in text or "10." in text:
        found.extend(_shields(text, index))
    return found


def _shields(text: str, index: _Index) -> Iterator[Candidate]:
    if "10." in text:
        for m in _DOI.finditer(text):
            if _word_start(text, m.start()):
                yield m.start(), m.end(), SHIELD
    for m in _REGISTRY.finditer(text):
        if _word_start(text, m.start()):
            yield m.start(), m.end(), SHIELD
    if "#" in text:
        for m in _HASHTAG.finditer(text):
            if _word_start(text, m.start(), "&"):
                yield m.start(), m.end(), SHIELD
    if "reference" in index.at:
        for m in index.matches("reference", _REFERENCE):
            yield m.start(), m.end(), SHIELD
    if "clinician" in index.at:
        for m in index.matches("clinician", _CLINICIAN):
            start = m.start()
            if m.group().startswith("Dr ") and _ADDRESS_BEFORE.search(
                text, max(0, start - 60), start
            ):
                continue  # "12 Oak Dr Lubbock": a street, not a doctor
            yield start, m.end(), SHIELD
    if "credential" in index.at:
        for m in index.matches("credential", _CREDENTIAL):
            found = _NAME_BEFORE_CREDENTIAL.search(text, max(0, m.start() - 80), m.start())
            if found:
                yield found.start(), m.end(), SHIELD


def _internet(
    text: str, index: _Index, domains: frozenset[str], handles: frozenset[str]
) -> Iterator[Candidate]:
    if "@" in text:
        for m in _AT.finditer(text):
            at = m.start()
            if at and (text[at - 1].isalnum() or text[at - 1] in "_.+%-"):
                local = _LOCAL_PART.search(text, max(0, at - 64), at)
                domain = _DOMAIN.match(text, at + 1)
            else:
                local = domain = None  # "h/t @doctor": no local part, a handle
            if local and domain and _word_start(text, local.start(), ".+%-"):
                allowed = _host_allowed(domain.group(), domains)
                yield local.start(), domain.end(), SHIELD if allowed else "email"
                continue
            handle = _HANDLE.match(text, at + 1)
            if not handle or not _word_start(text, at, "@./"):
                continue
            if handle.group().lower() in handles:
                yield at, handle.end(), SHIELD
            elif _HANDLE_WORDS.intersection(before := _last_words(text, at, 6)) and (
                _CREDIT_WORDS.isdisjoint(before)
            ):
                yield at, handle.end(), "other_id"
    if "::" in text or (":" in text and _IPV6_HINT.search(text)):
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
    links: list[tuple[int, int]] = []  # links with a scheme: what they hold is not looked at again
    if "url" in index.at:
        for m in index.matches("url", _SCHEME_URL):
            if _word_start(text, m.start(), "@.%/-"):
                url = _strip_url(m.group())
                links.append((m.start(), m.start() + len(url)))
                yield from _url(text, m.start(), url, domains, bare=False)
    for m in _BARE_TLD.finditer(text):
        dot = start = m.start()
        if links and any(a < dot < b for a, b in links):
            continue
        lowest = max(0, dot - 253)
        while start > lowest and text[start - 1] in _HOST_CHARS:
            start -= 1
        if start == dot or not _word_start(text, start, "@.%/-:"):
            continue  # no host, or inside a link or an address already seen
        if not _HOST.fullmatch(text, start, dot):
            continue
        url = _strip_url(text[start:dot] + m.group())
        yield from _url(text, start, url, domains, bare=True)


def _url(
    text: str, start: int, url: str, domains: frozenset[str], *, bare: bool
) -> Iterator[Candidate]:
    if len(url) < 4:
        return
    host_part = url.split("/", 1)[0]
    risky = host_part.rsplit(".", 1)[-1] in _RISKY_TLDS and host_part.count(".") < 2
    if bare and risky and "/" not in url:
        return  # "patients.in" is a typo, "bit.ly/x" a link
    host = _host_of(url)
    yield start, start + len(url), SHIELD if host and _host_allowed(host, domains) else "url"


def _numbers(text: str, index: _Index) -> Iterator[Candidate]:
    if "phone" in index.at:
        for m in index.matches("phone", _PHONE):
            start, end = m.start(), m.end()
            if not _word_start(text, start, "+/.$€£-") or not _word_end(text, end, "/"):
                continue
            if end < len(text) - 1 and text[end] in ".,-" and text[end + 1].isdigit():
                continue
            value = m.group()
            digits = sum(c.isdigit() for c in value)
            if not 10 <= digits <= 18:
                continue
            before = _last_words(text, start, 4, 40)
            if value.isdigit() and not _PHONE_WORDS.intersection(before[-3:]):
                continue
            extension = _EXTENSION.match(text, end)
            if extension and _word_end(text, extension.end()):
                end = extension.end()
            yield start, end, "fax" if _FAX_WORDS.intersection(before) else "phone"
    if "ssn" in index.at:
        for m in index.matches("ssn", _SSN):
            value = m.group()
            if value[:3] in {"000", "666"} or value[0] == "9" or value[4:6] == "00":
                continue
            if _word_start(text, m.start(), "-") and _word_end(text, m.end(), "-"):
                yield m.start(), m.end(), "ssn"
    if "ipv4" in index.at:
        for m in index.matches("ipv4", _IPV4):
            if _word_start(text, m.start(), ".") and all(
                int(p) < 256 for p in m.group().split(".")
            ):
                yield m.start(), m.end(), "ip"
    if "labelled" in index.at:
        for m in index.matches("labelled", _LABELLED):
            label = " ".join(m.group("label").lower().split())
            kind = _LABEL_KIND.get(label)
            if kind is None:
                continue
            value = m.group("value").rstrip("./-")
            digits = sum(c.isdigit() for c in value)
            if digits < 2 or len(value) < 4:
                continue
            if value.isdigit() and len(value) == 4 and value[:2] in {"19", "20"}:
                continue  # a year
            if kind == "zip" and not _ZIP_VALUE.fullmatch(value):
                continue
            if kind == "ssn" and digits != 9:
                continue
            if kind in {"other_id", "device", "health_plan", "mrn"} and digits < 3:
                continue
            start = m.start("value")
            yield start, start + len(value), kind
    if "mbi" in index.at:
        for m in index.matches("mbi", _MBI):
            yield m.start(), m.end(), "health_plan"
    if "vin" in index.at:
        for m in index.matches("vin", _VIN):
            value = m.group()
            if sum(c.isdigit() for c in value) >= 3 and sum(c.isalpha() for c in value) >= 3:
                yield m.start(), m.end(), "vehicle"
    if "state" in index.at:
        for m in index.matches("state", _ZIP_STATE):
            yield m.start(1), m.end(1), "zip"
    if "zip4" in index.at:
        for m in index.matches("zip4", _ZIP_PLUS4):
            if _word_start(text, m.start(), "-"):
                yield m.start(), m.end(), "zip"
    if "address" in index.at:
        for m in index.matches("address", _ADDRESS):
            if _word_start(text, m.start(), ".,/-"):
                yield m.start(), m.end(), "address"


def _patient_date_words(text: str, start: int) -> bool:
    return bool(_DATE_WORDS.intersection(_last_words(text, start, 4, 40)))


def _dates(text: str, index: _Index) -> Iterator[Candidate]:
    for family, pattern in (("month", _DATE_MONTH_FIRST), ("date", _DATE_DIGIT_FIRST)):
        if family in index.at:
            for m in index.matches(family, pattern):
                start, end = m.start(), m.end()
                if not _word_start(text, start, "/.-"):
                    continue
                # A month first is never an impossible day ("June 31" is left to the reader).
                numeric = family == "date" and not any(c.isalpha() for c in m.group())
                if numeric and not _plausible_numeric_date(m.group()):
                    continue
                if (
                    not numeric
                    and index.conferences_within(start - 60, end + 20)
                    and not _patient_date_words(text, start)
                    and not _EVENT_AFTER_DATE.intersection(_next_words(text, end, 4))
                ):
                    continue  # "#ASH23 opens December 9": a meeting's date
                yield start, end, "date"
    for family, pattern in (("month", _DATE_MONTH_YEAR), ("date_short", _DATE_SHORT)):
        if family in index.at:
            for m in index.matches(family, pattern):
                start = m.start()
                if not _word_start(text, start, "/.-"):
                    continue
                if family == "date_short" and _FRACTION_NEXT.match(text, m.end()):
                    continue  # "6/14 responded", "12/20 patients": a fraction
                before = _last_words(text, start, 3, 40)
                if before and before[-1] in _NOT_DATE_WORDS:
                    continue
                if _DATE_WORDS.intersection(before) or (
                    before
                    and before[-1] in _DATE_WEAK_WORDS
                    and index.events_within(start - 80, start)
                ):
                    yield start, m.end(), "date"
    if "age" in index.at:
        for m in index.matches("age", _AGE_NUMBER_FIRST):
            start = m.start()
            if not _word_start(text, start, ".,-"):
                continue
            if m.group()[-1] in "MF":
                before = _last_words(text, start, 1, 20)
                if before and before[-1] in _TEMPERATURE_WORDS:
                    continue  # "Tmax 101 F"
            yield start, m.end(), "age"
    if "age_word" in index.at:
        for m in index.matches("age_word", _AGE_WORD_FIRST):
            yield m.start(), m.end(), "age"


def _plausible_numeric_date(value: str) -> bool:
    parts = _DATE_SEPARATORS.split(value)
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
        or " ".join(tokens) in regions
        or first in _US_STATE_NAMES
        or first in words.MONTHS
        or first in words.WEEKDAYS
    )


def _places(text: str, index: _Index) -> Iterator[Candidate]:
    towns, regions = words.places(), words.regions()
    if "place" in index.at:
        for m in index.matches("place", _PLACE):
            trigger = " ".join(m.group("trigger").lower().split())
            tokens = (m.group("place") + (m.group("more") or "")).split()
            if _not_a_place(tokens, regions):
                continue
            # The longest run of words that is a known town, else the whole capitalised phrase.
            known = next((n for n in range(len(tokens), 0, -1) if " ".join(tokens[:n]) in towns), 0)
            start = m.start("place")
            lo, hi = _line(text, start, m.end())
            state = m.group("state")
            state = state if state and (state[2:] in _STATE_CODES or state[2:] in regions) else None
            weak = trigger in _WEAK_PLACE_TRIGGERS
            person = compound = False
            if weak and trigger != "in":
                before = _last_words(text, m.start(), 2)
                # "a farmer from Muleshoe", "a rancher near ...": where a person lives
                person = bool(_PERSON_WORDS.intersection(before))
                # "from outside ...", "from near ...": the patient's home, unless at a meeting
                compound = trigger != "from" and bool(before) and before[-1] in _COMPOUND_BEFORE
            if (
                weak
                and not person
                and not compound
                and not state
                and index.conferences_within(m.start() - 60, m.end() + 20)
            ):
                continue  # "greetings from San Diego at #ASH22"
            person = person or compound
            if known:
                count = known
            elif (
                (state and (state[2:] in words.US_STATE_CODES or state[2:] in regions))
                or not weak
                or person
                or (
                    trigger == "from"
                    and tokens[0] not in words.first_names()
                    and index.events_within(lo, hi)
                )
            ):
                count = len(tokens)
            else:
                continue
            if trigger == "in" and not state and not index.events_within(lo, hi):
                continue
            end = start + len(" ".join(tokens[:count]))
            yield start, end, "location"
    if "state" in index.at:
        for m in index.matches("state", _STATE_AFTER_CODE):
            comma = m.start() - 2
            if comma < 1 or text[comma : m.start()] != ", ":
                continue
            found = _NAMES_BEFORE.search(text, max(0, comma - 80), comma)
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
            yield comma - len(town), comma, "location"
    if "county" in index.at:
        for m in index.matches("county", _COUNTY):
            found = _ONE_OR_TWO_NAMES_BEFORE.search(text, max(0, m.start() - 70), m.start())
            if found and found.group().split()[0] not in words.NOT_PLACES:
                yield found.start(), m.end(), "location"


def _names(text: str, index: _Index) -> Iterator[Candidate]:
    firsts, lasts = words.first_names(), words.last_names()
    if "honorific" in index.at:
        for m in index.matches("honorific", _HONORIFIC):
            yield m.start(1), m.end(1), "name"
    if "kin" in index.at:
        for m in index.matches("kin", _KIN_TITLE):
            tokens = m.group(1).split()
            if tokens[0] in words.NOT_PLACES or tokens[0] in words.MONTHS:
                continue
            if len(tokens) == 2 and tokens[1] in words.NOT_PLACES:
                yield m.start(1), m.start(1) + len(tokens[0]), "name"
            else:
                yield m.start(1), m.end(1), "name"
    if "initials_label" in index.at:
        for m in index.matches("initials_label", _INITIALS_LABEL):
            value = m.group(1)
            if value.replace(" ", "") not in _INITIALS_NOT_NAMES:  # labelled: "initials PO" too
                yield m.start(1), m.end(1), "name"
    if "patient" in index.at:
        for m in index.matches("patient", _PATIENT_NAME):
            value = m.group(1)
            if value.isupper() and "." not in value:
                if value in words.MEDICAL_CAPITALS:
                    continue
            elif "." not in value:
                first = value.split()[0]
                if first in _NOT_AFTER_PATIENT or first in words.NOT_PLACES:
                    continue
                if first not in firsts and first not in lasts and _NEXT_DIGIT.match(text, m.end(1)):
                    continue  # "pt Hgb 7.2": a lab value
            elif value.replace(" ", "") in _INITIALS_NOT_NAMES:
                continue
            yield m.start(1), m.end(1), "name"
    if "relative" in index.at:
        for m in index.matches("relative", _RELATIVE):
            if m.group(1).split()[0] not in words.NOT_PLACES:
                yield m.start(1), m.end(1), "name"
    if "named" in index.at:
        for m in index.matches("named", _NAMED):
            first = m.group(1).split()[0]
            if first in firsts or first in lasts:
                yield m.start(1), m.end(1), "name"
    yield from _story_names(text, index, firsts, lasts)
    if "patient_verb" in index.at:
        for m in index.matches("patient_verb", _PATIENT_VERB):
            found = _NAME_BEFORE_VERB.search(text, max(0, m.start() - 60), m.start())
            if not found:
                continue
            tokens = found.group(1).split()
            if tokens[0] in words.NOT_PLACES or tokens[0] in _NOT_AFTER_PATIENT:
                continue
            if len(tokens) == 2 or found.group(2) or tokens[0] in firsts or tokens[0] in lasts:
                yield found.start(1), found.end(1), "name"
    if "initials" in index.at:
        for m in index.matches("initials", _INITIALS_STORY):
            if (
                _word_start(text, m.start(), ".")
                and m.group(1).replace(" ", "") not in _INITIALS_NOT_NAMES
            ):
                yield m.start(1), m.end(1), "name"


def _story_names(
    text: str, index: _Index, firsts: frozenset[str], lasts: frozenset[str]
) -> Iterator[Candidate]:
    """Names before a story cue: "Maria presented", "Alvarez underwent", "Maria's family",
    "Maria, 45,". A listed first name (or a listed surname before a patient's verb) is enough;
    before an age ("Kwame, a 45-year-old", "Kwame is a 45 y/o") any capitalised name is."""
    positions = index.at.get("story")
    if not positions:
        return
    seen: set[tuple[int, int]] = set()
    for cue in positions:
        found = _NAME_BEFORE_CUE.search(text, max(0, cue - 70), cue)
        if found is None or found.span() in seen:
            continue
        seen.add(found.span())
        before = _last_words(text, found.start(), 1, 20)
        if before and before[-1] in _PLACE_PREPOSITIONS:
            continue  # "in Orlando, a 51-year-old": a place
        for group in (1, 2):
            word = found.group(group)
            if word is None or (word not in firsts and word not in lasts):
                continue
            m = _STORY_NAME.match(text, found.start(group))
            if m is None:
                continue
            verb = _NEXT_WORD.match(text, m.end(1))
            if m.group(1).split()[0] in firsts or (verb and verb.group(1) in _PATIENT_VERBS):
                yield m.start(1), m.end(1), "name"
                break
        else:
            sep = found.group("sep")
            if sep[-2:] not in ("a ", "n ") or not text[cue].isdigit():
                continue
            digits = _DIGITS_AT.match(text, cue)
            if digits is None or not _AGE_UNIT.match(text, digits.end()):
                continue
            start, name = found.start(1), found.group(1)
            if name in _NOT_STORY_NAMES:
                if found.group(2) is None:
                    continue
                start, name = found.start(2), found.group(2)
            elif found.group(2):
                name += " " + found.group(2)
            if name.split()[0] in words.NOT_PLACES:
                continue
            yield start, start + len(name), "name"


def resolve(found: Iterable[Candidate], length: int) -> list[Candidate]:
    """One finding per stretch of text: shields win, then the longest, then the most specific."""
    if not found:
        return []
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
