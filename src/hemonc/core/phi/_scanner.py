"""The families of patterns of the PHI guard and the pass that resolves their overlaps.

Each family is one precompiled regular expression run once over the text (`finditer`), with
bounded repetitions only, so a hostile text costs linear time. A family yields candidates
(start, end, kind); "shields" mark what is known not to be an identifier (a DOI, a trial id,
a hashtag, a clinician named with a title, an allowed link or handle) and remove every
candidate they overlap. Of overlapping candidates the longest wins, then the most specific
kind (KIND_ORDER).
"""

from __future__ import annotations

import ipaddress
import re
from bisect import bisect_left
from collections.abc import Iterator
from functools import cache
from urllib.parse import urlsplit

from hemonc.core.phi import _words as words

UP = "A-ZÀ-ÖØ-Þ"
LO = "a-zß-öø-ÿ"
# Alvarez, O'Neil, McDonald, Smith-Jones, José; never all capitals.
NAME = rf"[{UP}](?:['’][{UP}])?[{LO}]{{1,30}}(?:[{UP}][{LO}]{{1,30}})?(?:-[{UP}][{LO}]{{1,30}})?"
NAMES = rf"{NAME}(?:\s{NAME}){{0,2}}"
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
MONTH_NUMBER = r"(?:1[0-2]|0?[1-9])"

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
_RANK[SHIELD] = -1

Candidate = tuple[int, int, str]

# --------------------------------------------------------------------------------------------
# Shields: never identifiers.

_SHIELD = re.compile(
    r"""
    (?:\b(?:doi:\s?)?10\.\d{4,9}/[^\s"<>]{1,300})                   # a DOI
  | \bNCT\d{8}\b | \bISRCTN\d{6,10}\b | \b\d{4}-\d{6}-\d{2}\b        # trial registries
  | \bPMID:?\s?\d{5,9}\b | \bPMC\d{5,9}\b | \bISBN(?:-1[03])?:?\s?[\d-]{10,17}X?
  | (?<![\w&])\#[^\W\d_][\w]{0,60}                                     # a hashtag
  | \b(?:[Aa]bstracts?|[Pp]osters?|LBA|[Ss]essions?|[Ss]lides?|[Tt]ables?|[Ff]ig(?:ure)?s?)
      \.?\s?[#]?\s?[A-Z]?\d{1,6}\b                                   # abstract 11004
  | \b(?:Drs?|Prof|Professor|Doctor|Dra)\.?\s"""
    + rf"(?:{NAME}|[{UP}]\.)(?:\s(?:{NAME}|[{UP}]\.)){{0,3}}(?:['’]s)?"
    + rf"""
  | {NAME}(?:\s[{UP}]\.)?(?:\s{NAME}){{1,2}},?\s(?:MD|DO|PhD|MBBS|MBChB|MPH|MSc|FACP|FRCP|FRCPath|
      PharmD|BCOP|RN|NP|PA-C|APRN|DNP)\b                             # a clinician's credentials
    """,
    re.VERBOSE,
)
_ADDRESS_BEFORE = re.compile(r"\d{1,6}\s(?:\S{1,30}\s){1,3}$")

# --------------------------------------------------------------------------------------------
# Structured identifiers.

_EMAIL = re.compile(
    r"(?<![\w.+%-])[\w.+%-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}"
    r"[A-Za-z]{2,24}\b"
)
_TLDS = (
    "com|org|net|edu|gov|mil|int|io|co|info|biz|me|us|uk|ca|au|de|fr|es|it|nl|ch|in|app|dev|"
    "blog|site|page|health|care|fund|link|ly|tv|online|world"
)
_URL = re.compile(
    rf"""
    (?<![\w@.%/-])
    (?:
        (?:https?|ftp)://[^\s<>"'`]{{1,2000}}
      | www\.[^\s<>"'`]{{1,2000}}
      | (?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.){{1,6}}(?:{_TLDS})\b(?![@-])(?:/[^\s<>"'`]{{0,2000}})?
    )
    """,
    re.VERBOSE,
)
_RISKY_TLDS = frozenset("in it me us co es de fr nl ch ca au ly tv uk app dev page site link".split())
_IPV4 = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
    r"(?![\w]|\.\d)"
)
_IPV6 = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{1,4}:){2,7}(?::|[0-9A-Fa-f]{1,4})(?::?[0-9A-Fa-f]{1,4}){0,6}"
    r"(?![\w:])"
)
_PHONE = re.compile(
    r"""
    (?<![\w+/.$€£-])
    (?:
        \+\d{1,3}[ .-]?(?:\(0\)[ .-]?)?\(?\d{1,4}\)?(?:[ .-]?\d){5,12}   # +44 20 7946 0958
      | (?:1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}       # (806) 555-0134
      | \d{10}                                                          # 8065550134, labelled
    )
    (?:\s?(?:ext\.?|x)\s?\d{1,5})?
    (?![\w/]|[.,-]\d)
    """,
    re.VERBOSE,
)
_PHONE_LABEL = re.compile(
    r"(?i:\b(?:phone|ph|tel|telephone|cell|cellphone|mobile|call|text|whatsapp|pager|contact|"
    r"reach|number|fax|facsimile|f|c|h|w|m|p))\b\W{0,4}(?:\w+\W{1,3}){0,2}$"
)
_FAX_LABEL = re.compile(r"(?i:\b(?:fax|facsimile|f)\b)\W{0,4}(?:(?:number|no|#)\W{0,3})?$")
_SSN = re.compile(r"(?<![\w-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\w-])")

# "MRN 00123456", "member ID W123456789", "pump serial number PX-20934-A"
_LABELS = {
    "mrn": r"MRN|MR\#?|medical\srecord|med\srec|chart|hospital\s(?:number|no)|patient\sID|"
    r"pt\sID|unit\s(?:number|no)|NHS\s(?:number|no)|health\srecord|record",
    "ssn": r"SSN|SS\#|social\ssecurity|social\ssec|SIN",
    "health_plan": r"member|subscriber|policy|insurance|insurer|Medicare|Medicaid|MBI|HICN|"
    r"beneficiary|health\splan|plan|group|BCBS|Aetna|Cigna|Humana|UnitedHealthcare|Kaiser",
    "account": r"account|acct|a/c|billing|invoice|claim|credit\scard|card|bank|routing|IBAN",
    "vehicle": r"licen[cs]e\splate|plate|VIN|vehicle(?:\sID)?|registration\splate",
    "license": r"driver['’]?s\slicen[cs]e|licen[cs]e|DL|passport|certificate|permit",
    "device": r"serial|S/N|SN|device|pump|pacemaker|ICD|defibrillator|implant|port|IMEI|UDI|"
    r"stimulator|monitor|CGM|LVAD|hearing\said",
    "zip": r"ZIP(?:\s?code)?|postal\scode|postcode",
    "other_id": r"ID|identifier|case\s(?:number|no|\#)|accession|specimen|encounter|CSN|FIN|"
    r"visit\s(?:number|no)|study\sID|subject\sID|biobank|sample\sID|lab\sID|path(?:ology)?\s"
    r"(?:number|no)|room|bed",
}
_LABELLED = re.compile(
    r"(?<![\w/-])(?i:"
    + "|".join(f"(?P<{kind}>{pattern})" for kind, pattern in _LABELS.items())
    + r")(?i:\s(?:serial|identification|identifier|ID|number|num|no\.?|code))?"
    r"(?i:\s(?:number|num|no\.?|code))?\s?(?:[:#=]|\bis\b|\bwas\b)?\s?\#?\s?"
    r"(?P<value>[A-Z0-9](?:[A-Z0-9]|[-./](?=[A-Z0-9])| (?=\d)){3,29})(?![\w-])"
)
_MBI = re.compile(
    r"\b[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?"
    r"[AC-HJKMNP-RT-Y]{2}\d{2}\b"
)
_VIN = re.compile(r"\b[A-HJ-NPR-Z0-9]{17}\b")

# --------------------------------------------------------------------------------------------
# Dates and ages (letter C).

_DATE = re.compile(
    rf"""
    \b{MONTH}\s{DAY}{ORDINAL}\b(?:,?\s{YEAR}\b)?                   # March 3rd, June 4, 2023
  | \b{DAY}{ORDINAL}\s(?:of\s)?{MONTH}(?![a-z])(?:,?\s{YEAR}\b)?     # 3rd of March, 14 March 2022
  | \b{DAY}-{MONTH}-(?:{YEAR}|\d{{2}})\b                            # 14-Mar-2022
  | \b\d{{1,2}}/\d{{1,2}}/(?:{YEAR}|\d{{2}})(?![/\d])                # 3/14/1961, 14/03/61
  | \b\d{{1,2}}-\d{{1,2}}-{YEAR}\b                                  # 3-14-1961
  | \b\d{{1,2}}\.\d{{1,2}}\.{YEAR}\b                                # 14.03.1961
  | \b{YEAR}-(?:1[0-2]|0[1-9])-(?:[12]\d|3[01]|0[1-9])\b           # 2023-06-04
  | \b{YEAR}/(?:1[0-2]|0?[1-9])/(?:[12]\d|3[01]|0?[1-9])\b         # 2023/6/4
    """,
    re.VERBOSE,
)
# Dates that need a patient event right before them ("admitted 3/4", "diagnosed in March 2023").
_DATE_IN_CONTEXT = re.compile(
    rf"""
    (?<![\w/.-]){MONTH_NUMBER}/{DAY}(?![\w/]|\.\d)                  # 3/4
  | \b{MONTH}\s(?:of\s)?{YEAR}\b                                    # March 2023
  | (?<![\w/.-]){MONTH_NUMBER}/{YEAR}\b                             # 3/2023
    """,
    re.VERBOSE,
)
_DATE_WEAK_TRIGGER = re.compile(
    r"(?i:\b(?:on|since|from|until|till|through|thru|by|before|after|in|of|last|next))\W{1,3}$"
)
_DATE_TRIGGER = re.compile(
    r"(?i:\b(?:admitted|admission|"
    r"discharged|discharge|d/c|dob|d\.o\.b\.?|born|birthday|died|death|deceased|passed|seen|"
    r"visit|presented|presentation|diagnosed|diagnosis|dx|surgery|transplant|transplanted|"
    r"biopsy|readmitted|started|began|last|next|scheduled|follow-up|f/u|appointment|appt|"
    r"dated|date|dos|lmp|relapsed|relapse|infused|infusion|day\s0|c1d1|treated|expired|"
    r"delivered|consented|enrolled|transferred|scan|pet|ct|mri))\W{1,3}(?:\w+\W{1,3})?$"
)
_NOT_DATE_BEFORE = re.compile(r"(?i:\b(?:v|version|grade|gr|g|ratio|score|x|dose|cycles?))\W{0,2}$")
_PATIENT_EVENT = re.compile(
    r"(?i:\b(?:admitted|admission|discharged|discharge|dob|d\.o\.b|born|birthday|died|death|"
    r"deceased|passed|seen|presented|diagnosed|dx|surgery|transplant|biopsy|readmitted|pt|"
    r"patient|her|his|she|he|their|visit|clinic|infusion|relapsed|started))\b"
)
_CONFERENCE = re.compile(
    r"(?i:(?<![\w])\#?(?:"
    + "|".join(re.escape(w) for w in words.CONFERENCE_WORDS)
    + r")(?:\d{2,4})?\b|\b(?:annual\smeeting|meeting|congress|conference|symposium|abstracts?|"
    r"posters?|sessions?|webinar|deadline|registration|journal\sclub|plenary|keynote|"
    r"grand\srounds|summit|workshop|livestream|tweetchat|chat|published|publication|"
    r"approved|approval|FDA|launch)\b)"
)
_AGE_NUMBER = r"(?:9\d|1[01]\d)"
_AGE = re.compile(
    rf"""
    \b{_AGE_NUMBER}(?:\s?-?\s?(?:years?|yrs?|y)\.?\s?-?\s?(?:old\b|o\b|/o\b|\.o\.))   # 92-year-old
  | \b{_AGE_NUMBER}\s?(?:yo|y/o|y\.o\.)(?=\W|[MF]\b)                          # 92yo, 92 y/o
  | \b{_AGE_NUMBER}\s?(?:years?|yrs?)\s(?:of\sage|young)\b                   # 92 years of age
  | \b(?i:aged?|age:)\s?(?:of\s)?{_AGE_NUMBER}\b(?!\s?(?:%|mg|kg|days?|months?|weeks?|-\d))
  | \b{_AGE_NUMBER}\s?(?:yo|y/o|y)?\s?[MF]\b(?![-'’])                        # 92M, 92 F
  | \b(?i:turned|turning|turns)\s{_AGE_NUMBER}\b
  | \b{_AGE_NUMBER}(?:st|nd|rd|th)\sbirthday\b
  | \b(?i:ninety(?:[-\s](?:one|two|three|four|five|six|seven|eight|nine))?|one\shundred)
      [-\s](?i:years?)[-\s](?i:old)\b
    """,
    re.VERBOSE,
)
_TEMPERATURE_BEFORE = re.compile(r"(?i:\b(?:t|temp|temperature|tmax|fever|febrile|to)\b)\W{0,3}$")

# --------------------------------------------------------------------------------------------
# Places (letter B).

_STATES = "|".join(words.US_STATE_CODES)
_ZIP = re.compile(rf"\b(?:{_STATES})\.?,?\s(\d{{5}}(?:-\d{{4}})?)\b|\b(\d{{5}}-\d{{4}})\b")
_SUFFIXES = "|".join(sorted(set(words.STREET_SUFFIXES), key=len, reverse=True))
_ADDRESS = re.compile(
    rf"""
    \b\d{{1,6}}[A-Z]?\s(?:(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?\s)?
    (?:(?:{NAME}|\d{{1,3}}(?:st|nd|rd|th))\s){{1,3}}(?:{_SUFFIXES})\b\.?
    (?:,?\s(?:Apt|Apartment|Unit|Suite|Ste|\#)\.?\s?[A-Z0-9-]{{1,6}}\b)?
  | \bP\.?\s?O\.?\s(?i:box)\s\d{{1,6}}\b
    """,
    re.VERBOSE,
)
_PLACE = re.compile(
    rf"""
    (?P<trigger>\b(?i:lives\sin|living\sin|lived\sin|resident\sof|resides\sin|native\sof|
        born\sin|grew\sup\sin|moved\s(?:here\s)?(?:from|to)|hometown(?:\sof)?|home\sin|
        farm\s(?:in|near|outside)|town\sof|city\sof|village\sof|travel(?:s|ed|led)?\sfrom|
        drove\s(?:in\s)?from|flew\s(?:in\s)?from|transferred\sfrom|outside(?:\sof)?|near)
      | \b(?:from|in|From|In))
    \s(?P<place>{NAME}|St\.\s{NAME}|Ft\.\s{NAME})(?P<more>(?:\s(?:{NAME}|de|del|da|do)){{0,3}})
    (?P<state>,\s(?:{_STATES}|[{UP}][{LO}]+(?:\s[{UP}][{LO}]+)?)\b)?
    """,
    re.VERBOSE,
)
_CITY_STATE = re.compile(rf"\b({NAMES}),\s(?:{_STATES})\b(?!-)")
_COUNTY = re.compile(rf"\b({NAME}(?:\s{NAME})?\s(?:County|Parish|Township|Borough))\b")

# --------------------------------------------------------------------------------------------
# Names (letter A), only in a patient context.

_HONORIFIC = re.compile(
    rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Sra|Srta|Señor|Señora|Mme|Mlle|Herr|Frau)\.?\s"
    rf"({NAME}(?:\s{NAME})?|[{UP}]\.(?:\s?[{UP}]\.)?)"
)
_PATIENT_NAME = re.compile(
    rf"\b(?:pt|Pt|PT|pts|patient|Patient|PATIENT|client|Client)\.?\s(?:named\s)?"
    rf"({INITIALS}|[{UP}]{{2,3}}\b(?!-)|{NAME}(?:\s{NAME})?)"
)
_RELATIVE = re.compile(
    r"\b(?i:his|her|their|my|our|the\spatient['’]s|the\spt['’]s|patient['’]s|pt['’]s)\s"
    r"(?i:" + "|".join(re.escape(w) for w in words.RELATIVES) + r")s?,?\s"
    rf"({NAME}(?:\s{NAME})?)"
)
_NAMED = re.compile(
    rf"\b(?:named|name\sis|names\sare|called|nicknamed|goes\sby|known\sas|"
    rf"in\smemory\sof|RIP|rest\sin\speace,?)\s({NAME}(?:\s{NAME})?)"
)
_VERBS = "|".join(words.STORY_VERBS)
_STORY_NAME = re.compile(
    rf"\b({NAME}(?:\s{NAME})?)(?=,?\s(?:{_VERBS})\b|,\s(?:a|an)\s\d|,\s\d{{1,3}}\s?(?:,|y|-year|M\b|F\b)"
    rf"|['’]s\s(?:family|mom|mother|dad|father|wife|husband|daughter|son|sister|brother|"
    rf"scan|biopsy|counts|marrow|diagnosis|chemo|journey|story|fundraiser|gofundme))"
)
_INITIALS_STORY = re.compile(
    rf"(?<![\w.])({INITIALS})(?=,?\s(?:(?:a|an)\s\d|\d{{1,3}}|{_VERBS})\b)"
)
_HANDLE = re.compile(r"(?<![\w@./])@([A-Za-z0-9_]{2,30})\b(?!\.\w)")
_HANDLE_CONTEXT = re.compile(
    r"(?i:\b(?:pt|patient|patients|family|daughter|son|wife|husband|mom|dad|mother|father|sister|"
    r"brother|caregiver)\b)"
)
_INITIALS_NOT_NAMES = frozenset(
    "U.S. U.K. D.C. M.D. D.O. R.N. N.P. P.A. B.S. M.S. A.M. P.M. E.U. U.N. L.A. N.Y.".split()
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


def _line_window(text: str, start: int, end: int, reach: int = 160) -> str:
    left = text.rfind("\n", max(0, start - reach), start) + 1 or max(0, start - reach)
    right = text.find("\n", end, end + reach)
    return text[max(left, start - reach) : right if right != -1 else end + reach]


def _before(text: str, start: int, reach: int = 30) -> str:
    return text[max(0, start - reach) : start]


def candidates(
    text: str, domains: tuple[str, ...], handles: frozenset[str]
) -> Iterator[Candidate]:
    """Every (start, end, kind) a family proposes, shields included (kind "shield")."""
    has = text.__contains__
    # Shields ----------------------------------------------------------------------------
    for m in _SHIELD.finditer(text):
        start = m.start()
        if m.group().startswith("Dr ") and _ADDRESS_BEFORE.search(_before(text, start, 60)):
            continue  # "12 Oak Dr Lubbock": a street, not a doctor
        yield start, m.end(), SHIELD
    # Links and addresses on the internet --------------------------------------------------
    if has("@"):
        for m in _EMAIL.finditer(text):
            domain = m.group().rpartition("@")[2]
            allowed = _host_allowed(domain, domains)
            yield m.start(), m.end(), SHIELD if allowed else "email"
        for m in _HANDLE.finditer(text):
            handle = m.group(1).lower()
            if handle in handles:
                yield m.start(), m.end(), SHIELD
            elif _HANDLE_CONTEXT.search(_before(text, m.start(), 40)):
                yield m.start(), m.end(), "other_id"
    if has("."):
        for m in _URL.finditer(text):
            url = _strip_url(m.group())
            if len(url) < 4:
                continue
            if "://" not in url and not url.startswith("www."):
                host_part = url.split("/", 1)[0]
                if host_part.rsplit(".", 1)[-1] in _RISKY_TLDS and "/" not in url:
                    if host_part.count(".") < 2:
                        continue  # "patients.in" is a typo, "bit.ly/x" a link
            end = m.start() + len(url)
            try:
                host = urlsplit(url if "://" in url else "http://" + url).hostname or ""
            except ValueError:
                host = ""
            kind = SHIELD if host and _host_allowed(host, domains) else "url"
            yield m.start(), end, kind
        for m in _IPV4.finditer(text):
            yield m.start(), m.end(), "ip"
    if has(":"):
        for m in _IPV6.finditer(text):
            try:
                ipaddress.IPv6Address(m.group())
            except ValueError:
                continue
            yield m.start(), m.end(), "ip"
    # Numbers ------------------------------------------------------------------------------
    for m in _PHONE.finditer(text):
        value = m.group()
        digits = sum(c.isdigit() for c in value)
        before = _before(text, m.start())
        if value.isdigit() and not _PHONE_LABEL.search(before):
            continue
        if not 10 <= digits <= 18:
            continue
        yield m.start(), m.end(), "fax" if _FAX_LABEL.search(before) else "phone"
    for m in _SSN.finditer(text):
        yield m.start(), m.end(), "ssn"
    for m in _LABELLED.finditer(text):
        kind = next(k for k in _LABELS if m.group(k) is not None)
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
        yield m.start(), m.end(), "health_plan"
    for m in _VIN.finditer(text):
        value = m.group()
        if sum(c.isdigit() for c in value) >= 3 and sum(c.isalpha() for c in value) >= 3:
            yield m.start(), m.end(), "vehicle"
    # Dates and ages -----------------------------------------------------------------------
    for m in _DATE.finditer(text):
        if not _plausible_numeric_date(m.group()):
            continue
        if m.group()[:1].isalpha() or m.group()[:1].isdigit() and _has_month_word(m.group()):
            if not _PATIENT_EVENT.search(_before(text, m.start(), 60)) and _CONFERENCE.search(
                _line_window(text, m.start(), m.end())
            ):
                continue
        yield m.start(), m.end(), "date"
    for m in _DATE_IN_CONTEXT.finditer(text):
        before = _before(text, m.start())
        if _NOT_DATE_BEFORE.search(before):
            continue
        if _DATE_TRIGGER.search(before) or (
            _DATE_WEAK_TRIGGER.search(before)
            and _PATIENT_EVENT.search(_before(text, m.start(), 80))
        ):
            yield m.start(), m.end(), "date"
    for m in _AGE.finditer(text):
        value = m.group()
        if value[-1] in "MF" and _TEMPERATURE_BEFORE.search(_before(text, m.start(), 20)):
            continue
        yield m.start(), m.end(), "age"
    # Places -------------------------------------------------------------------------------
    for m in _ZIP.finditer(text):
        group = 1 if m.group(1) else 2
        yield m.start(group), m.end(group), "zip"
    for m in _ADDRESS.finditer(text):
        yield m.start(), m.end(), "address"
    yield from _places(text)
    # Names --------------------------------------------------------------------------------
    yield from _names(text)


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


def _has_month_word(value: str) -> bool:
    return any(c.isalpha() for c in value)


def _places(text: str) -> Iterator[Candidate]:
    towns, regions = words.places(), words.regions()
    for m in _PLACE.finditer(text):
        trigger = m.group("trigger")
        phrase = m.group("place") + (m.group("more") or "")
        tokens = phrase.split()
        # The longest run of words that is a known town, else the whole capitalised phrase.
        known = next(
            (n for n in range(len(tokens), 0, -1) if " ".join(tokens[:n]) in towns), 0
        )
        strong = trigger.lower() not in {"from", "in", "near", "outside", "outside of"}
        first = tokens[0].rstrip(".")
        if first in words.NOT_PLACES or first in regions or " ".join(tokens) in regions:
            continue
        if first in words.MONTHS or first in words.WEEKDAYS:
            continue
        start = m.start("place")
        if known:
            length = len(" ".join(tokens[:known]))
        elif m.group("state") and _state_like(m.group("state")[2:], regions):
            length = len(phrase)
        elif strong or (
            trigger.lower() == "from"
            and first not in words.first_names()
            and _PATIENT_EVENT.search(_line_window(text, m.start(), m.end()))
            and not _CONFERENCE.search(_line_window(text, m.start(), m.end()))
        ):
            length = len(phrase)
        else:
            continue
        end = start + length
        weak = trigger.lower() in {"from", "in"}
        if weak and not m.group("state"):
            window = _line_window(text, start, end)
            if _CONFERENCE.search(window) and not _PATIENT_EVENT.search(window):
                continue
            if trigger.lower() == "in" and not _PATIENT_EVENT.search(window):
                continue
        yield start, end, "location"
    for m in _CITY_STATE.finditer(text):
        tokens = m.group(1).split()
        # Keep the words that make the town ("admitted in Lubbock, TX" -> "Lubbock").
        while tokens and (tokens[0] in words.NOT_PLACES or tokens[0] in words.MONTHS):
            tokens.pop(0)
        if not tokens or " ".join(tokens) in regions:
            continue
        town = " ".join(tokens)
        yield m.end(1) - len(town), m.end(1), "location"
    for m in _COUNTY.finditer(text):
        if m.group(1).split()[0] in words.NOT_PLACES:
            continue
        yield m.start(1), m.end(1), "location"


def _state_like(value: str, regions: frozenset[str]) -> bool:
    return value in words.US_STATE_CODES or value in regions


def _names(text: str) -> Iterator[Candidate]:
    firsts, lasts = words.first_names(), words.last_names()
    for m in _HONORIFIC.finditer(text):
        yield m.start(1), m.end(1), "name"
    for m in _PATIENT_NAME.finditer(text):
        value = m.group(1)
        if value.isupper() and "." not in value:
            if value in words.MEDICAL_CAPITALS or len(value) > 3:
                continue
        elif "." not in value:
            first = value.split()[0]
            if first not in firsts and first not in lasts:
                continue
        elif value.replace(" ", "") in _INITIALS_NOT_NAMES:
            continue
        yield m.start(1), m.end(1), "name"
    for m in _RELATIVE.finditer(text):
        if m.group(1).split()[0] in words.NOT_PLACES:
            continue
        yield m.start(1), m.end(1), "name"
    for m in _NAMED.finditer(text):
        first = m.group(1).split()[0]
        if first in firsts or first in lasts:
            yield m.start(1), m.end(1), "name"
    for m in _STORY_NAME.finditer(text):
        tokens = m.group(1).split()
        if tokens[0] in firsts:
            yield m.start(1), m.end(1), "name"
        elif len(tokens) == 2 and tokens[1] in firsts:
            # "Yesterday Maria presented": the name is the second word.
            yield m.end(1) - len(tokens[1]), m.end(1), "name"
    for m in _INITIALS_STORY.finditer(text):
        if m.group(1).replace(" ", "") not in _INITIALS_NOT_NAMES:
            yield m.start(1), m.end(1), "name"


def resolve(found: Iterator[Candidate]) -> list[Candidate]:
    """One finding per stretch of text: shields win, then the longest, then the most specific."""
    shields: list[tuple[int, int]] = []
    others: list[Candidate] = []
    for start, end, kind in found:
        if end <= start:
            continue
        (shields.append((start, end)) if kind == SHIELD else others.append((start, end, kind)))
    shields.sort()
    merged: list[tuple[int, int]] = []
    for start, end in shields:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    starts = [start for start, _ in merged]

    def shielded(start: int, end: int) -> bool:
        index = bisect_left(starts, end) - 1
        return index >= 0 and merged[index][1] > start

    others.sort(key=lambda c: (c[0] - c[1], _RANK[c[2]], c[0]))
    kept: list[Candidate] = []
    kept_starts: list[int] = []
    for candidate in others:
        start, end, _ = candidate
        if shielded(start, end):
            continue
        index = bisect_left(kept_starts, start)
        if index > 0 and kept[index - 1][1] > start:
            continue
        if index < len(kept) and kept[index][0] < end:
            continue
        kept.insert(index, candidate)
        kept_starts.insert(index, start)
    return kept
