"""The synthetic demo network that `hemonc demo` creates: about 300 invented members.

Nobody here is a real person: names are drawn at random by Faker (in the locale of the member's
country where a culture has one) or combined at random from first- and family-name lists,
institutions are invented, and every address, Bluesky and Mastodon handle is under the reserved
domain demo.hemonc.example. Every bio says it is a synthetic demo profile. The tables it is made
from are in data/demo_*.json.
"""

from __future__ import annotations

import json
import random
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from faker import Faker

from hemonc.core.audit import audit
from hemonc.core.errors import DomainError
from hemonc.core.permissions import OPERATOR
from hemonc.core.versions import data_version_bump
from hemonc.members.enums import Gender, IdentityCommunity, Role, Visibility
from hemonc.members.models import Block, Profile, User
from hemonc.members.selectors import DIRECTORY_VERSION
from hemonc.members.services import (
    _block_create,
    _member_set_role,
    _profile_update,
    profile_search_document,
)
from hemonc.members.validators import orcid_check_character
from hemonc.taxonomy.enums import Specialty, Stage
from hemonc.taxonomy.models import CareerPath, Topic

DEMO_DOMAIN = "demo.hemonc.example"
SEED = 2021
MEMBER_COUNT = 300
SYNTHETIC_NOTE = "_(Synthetic demo profile.)_"
NETWORK_FOUNDED = datetime(2021, 2, 1, 15, 0, tzinfo=UTC)


class SignIn(NamedTuple):
    email: str
    password: str
    role: str


SIGN_INS = (
    SignIn(f"organizer@{DEMO_DOMAIN}", "demo-organizer", "organizer"),
    SignIn(f"moderator@{DEMO_DOMAIN}", "demo-moderator", "moderator"),
    SignIn(f"member@{DEMO_DOMAIN}", "demo-member", "member (a fellow)"),
    SignIn(f"attending@{DEMO_DOMAIN}", "demo-attending", "member (an attending)"),
    SignIn(f"blocked@{DEMO_DOMAIN}", "demo-blocked", "member (a fellow blocked by member@)"),
)

# The tables the demo is made from live in data/demo_*.json, shipped with the package.
_DATA = Path(__file__).resolve().parent / "data"


def _load(name: str) -> Any:
    return json.loads((_DATA / f"demo_{name}.json").read_text(encoding="utf-8"))


# The accounts people sign in with; their passwords are public, in SIGN_INS.
_FIXED_PROFILES: dict[str, dict[str, Any]] = _load("accounts")["accounts"]


class Culture(NamedTuple):
    """Where a culture's names come from: Faker locales, else lists combined at random."""

    locales: tuple[str, ...]
    romanized: bool
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]


def _culture(spec: dict[str, Any]) -> Culture:
    names = spec.get("names", {})
    return Culture(
        tuple(spec.get("locales", ())),
        spec.get("romanized", False),
        *(tuple(names.get(key, ())) for key in ("female", "male", "family")),
    )


CULTURES: dict[str, Culture] = {
    name: _culture(spec) for name, spec in _load("cultures")["cultures"].items()
}


class CountryPlan(NamedTuple):
    code: str
    weight: int
    cultures: tuple[tuple[str, int], ...]
    institutions: tuple[tuple[str, str], ...]  # (invented name, IANA time zone)


# Weighted toward the United States, as the network's audience is; the rest spans the world.
COUNTRIES: tuple[CountryPlan, ...] = tuple(
    CountryPlan(
        country["code"],
        country["weight"],
        tuple(country["cultures"].items()),
        tuple((name, zone) for name, zone in country["institutions"]),
    )
    for country in _load("countries")["countries"]
)


_BRITISH_USAGE = {"GB", "IE", "AU", "NZ", "ZA", "IN", "PK", "NG", "GH", "KE", "SG", "AE"}

# How the network splits by stage: mostly residents and fellows.
STAGE_SHARES = {
    Stage.MEDICAL_STUDENT: 10,
    Stage.RESIDENT: 24,
    Stage.FELLOW: 36,
    Stage.ADVANCED_FELLOW: 7,
    Stage.ATTENDING: 13,
    Stage.PHD_TRAINEE: 7,
    Stage.OTHER: 3,
}

_SPECIALTIES_BY_STAGE: dict[Stage, tuple[tuple[str, int], ...]] = {
    Stage.MEDICAL_STUDENT: (("", 1),),
    Stage.RESIDENT: (
        (Specialty.INTERNAL_MEDICINE, 74),
        (Specialty.PEDIATRICS, 14),
        (Specialty.PATHOLOGY, 6),
        (Specialty.RADIATION_ONCOLOGY, 6),
    ),
    Stage.FELLOW: (
        (Specialty.HEMATOLOGY_ONCOLOGY, 62),
        (Specialty.HEMATOLOGY, 12),
        (Specialty.ONCOLOGY, 14),
        (Specialty.PEDIATRICS, 8),
        (Specialty.PATHOLOGY, 4),
    ),
    Stage.ADVANCED_FELLOW: (
        (Specialty.HEMATOLOGY, 5),
        (Specialty.HEMATOLOGY_ONCOLOGY, 3),
        (Specialty.ONCOLOGY, 3),
    ),
    Stage.ATTENDING: (
        (Specialty.HEMATOLOGY_ONCOLOGY, 40),
        (Specialty.HEMATOLOGY, 20),
        (Specialty.ONCOLOGY, 20),
        (Specialty.PEDIATRICS, 8),
        (Specialty.RADIATION_ONCOLOGY, 6),
        (Specialty.PATHOLOGY, 6),
    ),
    Stage.PHD_TRAINEE: (("", 6), (Specialty.OTHER, 3), (Specialty.ONCOLOGY, 1)),
    Stage.OTHER: (("", 1),),  # set by the role in _OTHER_ROLES
}

_BIOS: dict[str, Any] = _load("bios")
_PHD_ROLES: tuple[str, ...] = tuple(_BIOS["phd_roles"])
_OTHER_ROLES = tuple((role, Specialty(specialty)) for role, specialty in _BIOS["other_roles"])
# An advanced fellowship's field, from the topic the member's bio is about.
_ADVANCED_AREAS: dict[str, str] = _BIOS["advanced_areas"]


_HEME = ("leusm", "lymsm", "mmsm", "mpnsm", "sicklecellawarenessmonth", "hemetwitter",
         "bmttandem")  # fmt: skip
_ONC = ("bcsm", "lcsm", "crcsm", "gyncsm", "pcsm", "melsm", "hncsm", "kcsm", "pancsm", "gencsm",
        "scmsm", "btsm", "esocsm", "cardioonc", "pallonc", "supponc", "hsronc")  # fmt: skip
# The topic a member's bio is about, by specialty; more interests are added around it.
_PRIMARY_TOPICS: dict[str, tuple[str, ...]] = {
    Specialty.HEMATOLOGY: _HEME,
    Specialty.ONCOLOGY: _ONC,
    Specialty.HEMATOLOGY_ONCOLOGY: _HEME + _ONC,
    Specialty.INTERNAL_MEDICINE: _HEME + _ONC,
    Specialty.PEDIATRICS: ("pedcsm", "ayacsm", "leusm", "sicklecellawarenessmonth", "btsm"),
    Specialty.PATHOLOGY: ("hemepath", "leusm", "lymsm"),
    Specialty.RADIATION_ONCOLOGY: ("radonc", "lcsm", "bcsm", "hncsm", "pcsm"),
    Specialty.OTHER: _HEME + _ONC,
    "": _HEME + _ONC,
}
_HEME_COMMUNITY = ("hemetwitter", "ash25", "ash24", "eha", "ashtrainee")
_ONC_COMMUNITY = ("onctwitter", "asco25", "asco24", "esmo")
_COMMUNITY = ("hofellows", "hojournalclub", "meded", "foamed", "tweetorial", "medtwitter")

_FOCUS: dict[str, list[str]] = _BIOS["focus"]
_FOCUS_SENTENCES: tuple[str, ...] = tuple(_BIOS["focus_sentences"])
_STUDENT_FOCUS_SENTENCES: tuple[str, ...] = tuple(_BIOS["student_focus_sentences"])
_CLOSING_SENTENCES: tuple[str, ...] = tuple(_BIOS["closing_sentences"])

_HEMATOLOGY_PATHS = {
    "sicklecellawarenessmonth": "classical-hematology",
    "hemetwitter": "classical-hematology",
    "bmttandem": "transplant-cell-therapy",
    "leusm": "malignant-hematology",
    "lymsm": "malignant-hematology",
    "mmsm": "malignant-hematology",
    "mpnsm": "malignant-hematology",
}
_GENERAL_PATHS = (
    "academic-clinical-investigator", "physician-scientist", "medical-education",
    "systems-based-hematology", "private-practice", "industry-pharma", "government-regulatory",
)  # fmt: skip
_ORDINALS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth")
_ASIAN_CULTURES = {"chinese", "korean", "japanese", "vietnamese", "filipino", "south_asian",
                   "pakistani"}  # fmt: skip
_AFRICAN_CULTURES = {"nigerian", "ghanaian", "east_african", "ethiopian", "south_african"}
_TRANSLITERATION = str.maketrans(
    {"\u0131": "i", "ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ł": "l", "Ł": "L",
     "đ": "d", "Đ": "D", "ð": "d", "þ": "th"}
)  # fmt: skip


@dataclass
class DemoPerson:
    """One invented member, before it is written."""

    email: str
    date_joined: datetime
    fields: dict[str, Any]
    interests: list[str] = field(default_factory=list)
    career_paths: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DemoSummary:
    members: int
    countries: int
    stages: list[tuple[str, int]]
    specialties: int
    open_to_mentoring: int
    looking_for_mentor: int
    organizers: int
    moderators: int
    blocks: int
    sign_ins: tuple[SignIn, ...] = SIGN_INS


def _demo_users() -> QuerySet[User]:
    return User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")


def demo_network_exists() -> bool:
    return _demo_users().exists()


def demo_network_summary() -> DemoSummary:
    """What the demo network holds now, read from the database."""
    users = _demo_users()
    profiles = Profile.objects.filter(user__in=users)
    stages = Counter(profiles.values_list("stage", flat=True))
    return DemoSummary(
        members=users.count(),
        countries=profiles.exclude(country="").values("country").distinct().count(),
        stages=[(stage.label, stages[stage.value]) for stage in Stage if stages[stage.value]],
        specialties=profiles.exclude(specialty="").values("specialty").distinct().count(),
        open_to_mentoring=profiles.filter(open_to_mentoring=True).count(),
        looking_for_mentor=profiles.filter(looking_for_mentor=True).count(),
        organizers=users.filter(groups__name=Role.ORGANIZER.value).count(),
        moderators=users.filter(groups__name=Role.MODERATOR.value).count(),
        blocks=Block.objects.filter(blocker__in=users).count(),
    )


@transaction.atomic(durable=True)
def demo_network_create(*, members: int = MEMBER_COUNT, seed: int = SEED) -> DemoSummary:
    """Create the demo network: the sign-ins, then `members` in all, in bulk.

    All of it is one transaction: a failure anywhere leaves no demo row behind. The sign-ins'
    profiles, the roles and two blocks go through the services' own steps, so they are
    audited as usual; the operator building the demo needs no permission check.
    """
    if demo_network_exists():
        raise DomainError("The demo network already exists.")
    rng = random.Random(seed)
    now = timezone.now()
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    paths = {path.slug: path for path in CareerPath.objects.all()}

    fixed = _create_sign_in_accounts()
    people = demo_people(rng=rng, count=max(members - len(fixed), 0), now=now)
    users = _bulk_create_people(people=people, topics=topics, paths=paths)
    _set_up_sign_in_accounts(fixed, topics=topics, paths=paths)

    organizer = fixed["organizer"]
    # The demo member has blocked one fellow, to show what a block hides on every page.
    _block_create(blocker=fixed["member"], blocked=fixed["blocked"])
    attendings = [
        u for u, p in zip(users, people, strict=True) if p.fields["stage"] == Stage.ATTENDING
    ]
    fellows = [u for u, p in zip(users, people, strict=True) if p.fields["stage"] == Stage.FELLOW]
    for user in rng.sample(attendings, min(2, len(attendings))):
        _member_set_role(user=user, role=Role.ORGANIZER, enabled=True, actor=organizer)
    for user in rng.sample(fellows, min(1, len(fellows))):
        _member_set_role(user=user, role=Role.MODERATOR, enabled=True, actor=organizer)
    if len(users) >= 4:
        first, second, third, fourth = rng.sample(users, 4)
        _block_create(blocker=first, blocked=second)
        _block_create(blocker=third, blocked=fourth)
    audit(actor=OPERATOR, action="demo.create", changes={"members": len(fixed) + len(users)})
    return demo_network_summary()


def _create_sign_in_accounts() -> dict[str, User]:
    """The demo sign-in accounts (SIGN_INS), with their public passwords."""
    accounts: dict[str, User] = {}
    for sign_in in SIGN_INS:
        key = sign_in.email.split("@", 1)[0]
        joined = datetime.fromisoformat(_FIXED_PROFILES[key]["joined"])
        user = User.objects.create_user(sign_in.email, sign_in.password, date_joined=joined)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        accounts[key] = user
    return accounts


def _set_up_sign_in_accounts(
    accounts: dict[str, User], *, topics: dict[str, Topic], paths: dict[str, CareerPath]
) -> None:
    """Their profiles and roles, through the services' steps."""
    for key, user in accounts.items():
        plan = _FIXED_PROFILES[key]
        _profile_update(
            profile=user.profile,
            actor=user,
            interests=[topics[slug] for slug in plan["interests"] if slug in topics],
            career_paths=[paths[slug] for slug in plan["career_paths"] if slug in paths],
            fields=plan["fields"],
        )
        if plan["role"] is not None:
            _member_set_role(user=user, role=Role(plan["role"]), enabled=True, actor=OPERATOR)


def _bulk_create_people(
    *, people: list[DemoPerson], topics: dict[str, Topic], paths: dict[str, CareerPath]
) -> list[User]:
    """Write the invented members in a handful of queries; no password hashing for them."""
    User.objects.bulk_create(
        User(email=p.email, password=make_password(None), date_joined=p.date_joined) for p in people
    )
    by_email = User.objects.in_bulk([p.email for p in people], field_name="email")
    users = [by_email[p.email] for p in people]
    # bulk_create sends no post_save, so the profiles the signal would make are made here.
    # They have been members for a while: their welcome is behind them. (The sign-in
    # accounts are welcomed on their first demo sign-in, to show it.)
    Profile.objects.bulk_create(
        Profile(user=user, welcomed_at=person.date_joined, **person.fields)
        for user, person in zip(users, people, strict=True)
    )
    profile_ids = dict(Profile.objects.filter(user__in=users).values_list("user_id", "id"))
    Profile.interests.through.objects.bulk_create(
        Profile.interests.through(profile_id=profile_ids[user.pk], topic_id=topics[slug].pk)
        for user, person in zip(users, people, strict=True)
        for slug in person.interests
        if slug in topics
    )
    Profile.career_paths.through.objects.bulk_create(
        Profile.career_paths.through(profile_id=profile_ids[user.pk], careerpath_id=paths[slug].pk)
        for user, person in zip(users, people, strict=True)
        for slug in person.career_paths
        if slug in paths
    )
    profiles = list(
        Profile.objects.filter(pk__in=profile_ids.values()).prefetch_related(
            "interests", "career_paths"
        )
    )
    for profile in profiles:
        profile.search_document = profile_search_document(profile)
    Profile.objects.bulk_update(profiles, ["search_document"], batch_size=500)
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    data_version_bump(name=DIRECTORY_VERSION)  # bulk writes send no signals
    return users


def demo_people(*, rng: random.Random, count: int, now: datetime) -> list[DemoPerson]:
    """`count` invented members, oldest first; the same for the same seed."""
    stages = _quota(rng, STAGE_SHARES, count)
    plans = _country_plans(rng, count)
    start = NETWORK_FOUNDED + timedelta(days=1)
    span = (now - timedelta(hours=2) - start).total_seconds()
    people = []
    for number, (stage, plan) in enumerate(zip(stages, plans, strict=True), start=1):
        # A third joined in the first months after the launch, the rest over the years since.
        share = rng.random() * min(1.0, 180 * 86400 / span) if rng.random() < 0.3 else rng.random()
        joined = start + timedelta(seconds=int(share * span))
        people.append(_invent_person(rng, number=number, stage=stage, plan=plan, joined=joined))
    people.sort(key=lambda person: person.date_joined)
    return people


def _quota(rng: random.Random, shares: dict[Stage, int], count: int) -> list[Stage]:
    """Stages in the proportions of `shares`, each present when `count` allows, shuffled."""
    total = sum(shares.values())
    stages = [s for s, share in shares.items() for _ in range(max(1, round(share * count / total)))]
    while len(stages) > count:
        stages.remove(Stage.FELLOW if Stage.FELLOW in stages else stages[-1])
    while len(stages) < count:
        stages.append(Stage.FELLOW)
    rng.shuffle(stages)
    return stages


def _country_plans(rng: random.Random, count: int) -> list[CountryPlan]:
    """Every country once (as far as `count` goes), the rest drawn by weight."""
    plans = list(COUNTRIES[:count])
    plans += rng.choices(COUNTRIES, weights=[c.weight for c in COUNTRIES], k=count - len(plans))
    rng.shuffle(plans)
    return plans


def _weighted(rng: random.Random, pairs: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([value for value, _ in pairs], weights=[w for _, w in pairs])[0]


@cache
def _faker(locale: str) -> Faker:
    return Faker(locale)


def _name(rng: random.Random, *, culture: Culture, country: str, feminine: bool) -> tuple[str, str]:
    """A first and a family name: from Faker in the member's country's locale when the culture
    has one there (else one of the culture's), seeded from `rng` so the demo stays the same."""
    if not culture.locales:
        first = rng.choice(culture.female if feminine else culture.male)
        return first, rng.choice(culture.family)
    here = [locale for locale in culture.locales if locale.endswith(f"_{country}")]
    fake = _faker(rng.choice(here or culture.locales))
    fake.seed_instance(rng.getrandbits(32))
    if culture.romanized:  # Latin script; not every locale has names by gender
        gendered = f"first_romanized_name_{'female' if feminine else 'male'}"
        first = getattr(fake, gendered, fake.first_romanized_name)()
        return first, fake.last_romanized_name()
    first = fake.first_name_female() if feminine else fake.first_name_male()
    return first, fake.last_name()


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATION))
    return "".join(char for char in plain if char.isascii() and char.isalnum()).lower() or "demo"


def _invent_person(
    rng: random.Random, *, number: int, stage: Stage, plan: CountryPlan, joined: datetime
) -> DemoPerson:
    culture = _weighted(rng, plan.cultures)
    gender = _weighted(
        rng,
        (
            (Gender.FEMALE, 50), (Gender.MALE, 40), (Gender.NON_BINARY, 3),
            (Gender.PREFER_NOT_TO_SAY, 4), (Gender.OTHER, 1), ("", 4),
        ),
    )  # fmt: skip
    feminine = gender == Gender.FEMALE or (gender != Gender.MALE and rng.random() < 0.5)
    first, last = _name(rng, culture=CULTURES[culture], country=plan.code, feminine=feminine)
    institution, time_zone = rng.choice(plan.institutions)
    british = plan.code in _BRITISH_USAGE

    specialty = _weighted(rng, _SPECIALTIES_BY_STAGE[stage])
    role = ""
    if stage == Stage.OTHER:
        role, specialty = rng.choice(_OTHER_ROLES)
    elif stage == Stage.PHD_TRAINEE:
        role = rng.choice(_PHD_ROLES)
    training_year = _training_year(rng, stage=stage, specialty=specialty, country=plan.code)

    primary = rng.choice(_PRIMARY_TOPICS[specialty])
    interests = _interests(rng, primary=primary, specialty=specialty, stage=stage)
    career_paths = _career_paths(rng, primary=primary, stage=stage)
    communities = _communities(rng, culture=culture, country=plan.code, gender=gender)

    mentoring = {
        Stage.ATTENDING: 0.8, Stage.ADVANCED_FELLOW: 0.45, Stage.FELLOW: 0.15,
        Stage.RESIDENT: 0.04, Stage.PHD_TRAINEE: 0.1, Stage.OTHER: 0.3,
    }  # fmt: skip
    seeking = {
        Stage.MEDICAL_STUDENT: 0.6, Stage.RESIDENT: 0.45, Stage.FELLOW: 0.35,
        Stage.ADVANCED_FELLOW: 0.2, Stage.ATTENDING: 0.05, Stage.PHD_TRAINEE: 0.4,
    }  # fmt: skip
    open_to_mentoring = rng.random() < mentoring.get(stage, 0)
    looking_for_mentor = rng.random() < seeking.get(stage, 0)

    display_name = f"{first} {last}"
    if stage == Stage.ATTENDING and rng.random() < 0.25:
        display_name = f"Dr. {display_name}"
    bio = _bio(
        rng,
        stage=stage,
        specialty=specialty,
        role=role,
        training_year=training_year,
        institution=institution,
        country=plan.code,
        primary=primary,
        focus=rng.choice(_FOCUS.get(primary, ("hematology and oncology",))),
        open_to_mentoring=open_to_mentoring,
        communities=communities,
    )
    fields: dict[str, Any] = {
        "display_name": display_name,
        "pronouns": _pronouns(rng, gender),
        "stage": stage.value,
        "specialty": str(specialty),
        "training_year": training_year,
        "institution": institution,
        "country": plan.code,
        "time_zone": time_zone,
        "bio": _british(bio) if british else bio,
        "open_to_mentoring": open_to_mentoring,
        "looking_for_mentor": looking_for_mentor,
        "listed_in_directory": rng.random() > 0.03,
        "gender": str(gender),
        "gender_self_description": rng.choice(("Genderfluid", "Agender", "Genderqueer"))
        if gender == Gender.OTHER
        else "",
        "identity_communities": communities,
        "share_communities_with_matcher": bool(communities) and rng.random() < 0.5,
        **_visibilities(rng),
        **_handles(rng, first=first, last=last, stage=stage, number=number),
    }
    return DemoPerson(
        email=f"{_ascii(first)}.{_ascii(last)}.{number}@{DEMO_DOMAIN}",
        date_joined=joined,
        fields=fields,
        interests=interests,
        career_paths=career_paths,
    )


def _training_year(rng: random.Random, *, stage: Stage, specialty: str, country: str) -> int | None:
    if stage == Stage.MEDICAL_STUDENT:
        return rng.randint(1, 4 if country in {"US", "CA"} else 6)
    if stage == Stage.RESIDENT:
        longest = {"pathology": 4, "radiation_oncology": 5}.get(specialty, 3)
        return rng.randint(1, longest)
    if stage == Stage.FELLOW:
        return 1 if specialty == Specialty.PATHOLOGY else rng.choice((1, 1, 2, 2, 3))
    if stage == Stage.ADVANCED_FELLOW:
        return rng.choice((1, 1, 1, 2))
    if stage == Stage.PHD_TRAINEE:
        return rng.randint(1, 5)
    return None


def _interests(rng: random.Random, *, primary: str, specialty: str, stage: Stage) -> list[str]:
    nearby = [slug for slug in _PRIMARY_TOPICS[specialty] if slug != primary]
    community = list(_COMMUNITY)
    if primary in _HEME or specialty in {Specialty.HEMATOLOGY, Specialty.PATHOLOGY}:
        community += _HEME_COMMUNITY
    if primary in _ONC or specialty in {Specialty.ONCOLOGY, Specialty.RADIATION_ONCOLOGY}:
        community += _ONC_COMMUNITY
    if specialty == Specialty.PATHOLOGY:
        community += ["pathtwitter", "hemepathjc"]
    if stage == Stage.MEDICAL_STUDENT:
        community += ["medstudent", "medstudent"]
    chosen = [primary]
    chosen += rng.sample(nearby, min(len(nearby), rng.randint(0, 2)))
    chosen += rng.sample(community, rng.randint(1, 3))
    return list(dict.fromkeys(chosen))


def _career_paths(rng: random.Random, *, primary: str, stage: Stage) -> list[str]:
    if stage == Stage.PHD_TRAINEE:
        return ["phd-careers", *rng.sample(("industry-pharma", "government-regulatory"), 1)]
    chosen = [_HEMATOLOGY_PATHS[primary]] if primary in _HEMATOLOGY_PATHS else []
    low = 0 if stage == Stage.MEDICAL_STUDENT else 1
    chosen += rng.sample(_GENERAL_PATHS, rng.randint(low, 2))
    return list(dict.fromkeys(chosen))


def _communities(rng: random.Random, *, culture: str, country: str, gender: str) -> list[str]:
    """Identity communities for some members, plausible for name and country, never most."""
    chosen = []
    minority_setting = country in {"US", "CA", "GB", "AU", "NZ", "IE"}
    odds = [
        (IdentityCommunity.WOMEN_IN_MEDICINE, 0.3 if gender == Gender.FEMALE else 0),
        (IdentityCommunity.BLACK_IN_MEDICINE,
         0.45 if culture in _AFRICAN_CULTURES and minority_setting else 0),
        (IdentityCommunity.LATINX_IN_MEDICINE,
         0.5 if culture in {"hispanic", "portuguese"} and minority_setting else 0),
        (IdentityCommunity.ASIAN_IN_MEDICINE,
         0.3 if culture in _ASIAN_CULTURES and minority_setting else 0),
        (IdentityCommunity.INTERNATIONAL_MEDICAL_GRADUATE,
         0.3 if culture not in {"english", "irish"} and minority_setting else 0),
        (IdentityCommunity.INDIGENOUS_IN_MEDICINE, 0.01),
        (IdentityCommunity.LGBTQ_IN_MEDICINE, 0.06),
        (IdentityCommunity.DOCS_WITH_DISABILITIES, 0.03),
        (IdentityCommunity.FIRST_GENERATION, 0.1),
    ]  # fmt: skip
    for community, chance in odds:
        if rng.random() < chance:
            chosen.append(community.value)
    return chosen


def _pronouns(rng: random.Random, gender: str) -> str:
    if gender == Gender.NON_BINARY:
        return "they/them" if rng.random() < 0.9 else ""
    if rng.random() > 0.35:
        return ""
    if gender == Gender.FEMALE:
        return rng.choice(("she/her", "she/her", "she/her", "she/they"))
    if gender == Gender.MALE:
        return rng.choice(("he/him", "he/him", "he/him", "he/they"))
    return ""


def _visibilities(rng: random.Random) -> dict[str, str]:
    """Most show everything to members; some to everyone; a few keep fields to organizers."""
    names = ("stage", "specialty", "training_year", "institution", "country")
    style = rng.choices(("members", "public", "mixed", "private"), weights=(68, 17, 11, 4))[0]
    if style in {"members", "public"}:
        level = Visibility.MEMBERS if style == "members" else Visibility.PUBLIC
        return {f"{name}_visibility": level.value for name in names}
    if style == "private":
        return {f"{name}_visibility": Visibility.ORGANIZERS.value for name in names}
    shown = {f"{name}_visibility": Visibility.MEMBERS.value for name in names}
    for name in rng.sample(("training_year", "institution", "country"), rng.randint(1, 2)):
        shown[f"{name}_visibility"] = Visibility.ORGANIZERS.value
    if rng.random() < 0.5:
        shown["stage_visibility"] = Visibility.PUBLIC.value
    return shown


def demo_orcid(rng: random.Random) -> str:
    """An ORCID iD with a correct check digit (ISO 7064 MOD 11-2).

    Drawn from 0009-0099-..., outside both ranges ORCID assigns iDs from (0000-0001-5000-0007
    to 0000-0003-5000-0001, and 0009-0000-0000-0000 to 0009-0010-0000-0000), so no demo iD
    is a real researcher's.
    """
    digits = "00090099" + f"{rng.randrange(10**7):07d}"
    digits += orcid_check_character(digits)
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def _handles(
    rng: random.Random, *, first: str, last: str, stage: Stage, number: int
) -> dict[str, str]:
    """Social handles for some; X handles end in "_demo", the rest live under the demo domain."""
    first_ascii, last_ascii = _ascii(first), _ascii(last)
    handles = {}
    if rng.random() < 0.45:
        stem = rng.choice(
            (
                first_ascii.capitalize() + last_ascii.capitalize(),
                "Dr" + last_ascii.capitalize(),
                first_ascii.capitalize() + "Heme",
                first_ascii[0].upper() + last_ascii.capitalize() + "MD",
            )
        )
        handles["x_handle"] = stem[:10] + "_demo"
    if rng.random() < 0.15:
        handles["bluesky_handle"] = f"{first_ascii}-{last_ascii}.{DEMO_DOMAIN}"
    if rng.random() < 0.08:
        handles["mastodon_handle"] = f"@{first_ascii}_{last_ascii}@social.{DEMO_DOMAIN}"
    orcid_odds = {
        Stage.ATTENDING: 0.6, Stage.PHD_TRAINEE: 0.7, Stage.ADVANCED_FELLOW: 0.5,
        Stage.FELLOW: 0.3, Stage.RESIDENT: 0.1, Stage.MEDICAL_STUDENT: 0.05, Stage.OTHER: 0.1,
    }  # fmt: skip
    if rng.random() < orcid_odds[stage]:
        handles["orcid"] = demo_orcid(rng)
    return handles


def _british(text: str) -> str:
    return (
        text.replace("hematolog", "haematolog")
        .replace("Hematolog", "Haematolog")
        .replace("hematopath", "haematopath")
        .replace("Hematopath", "Haematopath")
        .replace("pediatric", "paediatric")
        .replace("Pediatric", "Paediatric")
        .replace("anemia", "anaemia")
    )


_FELLOW_LABELS: dict[str, str] = _BIOS["fellow_labels"]
_RESIDENT_LABELS: dict[str, str] = _BIOS["resident_labels"]
_ATTENDING_LABELS: dict[str, str] = _BIOS["attending_labels"]


def _bio(
    rng: random.Random,
    *,
    stage: Stage,
    specialty: str,
    role: str,
    training_year: int | None,
    institution: str,
    country: str,
    primary: str,
    focus: str,
    open_to_mentoring: bool,
    communities: list[str],
) -> str:
    """One to three sentences in Markdown, then the note that the profile is synthetic."""
    year = _ORDINALS[(training_year or 1) - 1]
    if stage == Stage.MEDICAL_STUDENT:
        intro = f"{year}-year medical student at {institution}."
    elif stage == Stage.RESIDENT:
        label = _RESIDENT_LABELS[Specialty(specialty)]
        intro = (
            f"PGY-{training_year} {label} at {institution}."
            if country in {"US", "CA"}
            else f"{year}-year {label} at {institution}."
        )
    elif stage == Stage.FELLOW:
        intro = f"{year}-year {_FELLOW_LABELS[Specialty(specialty)]} at {institution}."
    elif stage == Stage.ADVANCED_FELLOW:
        area = _ADVANCED_AREAS.get(primary, "early-phase drug development")
        intro = f"Advanced fellow in {area} at {institution}."
    elif stage == Stage.ATTENDING:
        label = _ATTENDING_LABELS[Specialty(specialty)]
        title = "Consultant" if country in _BRITISH_USAGE else "Assistant professor and"
        intro = rng.choice(
            (
                f"{label[0].upper()}{label[1:]} at {institution}.",
                f"{title} {label} at {institution}.",
                f"Early-career {label} at {institution}.",
            )
        )
    else:
        intro = f"{role} at {institution}."
    if rng.random() < 0.3:
        focus = f"**{focus}**"
    templates = _STUDENT_FOCUS_SENTENCES if stage == Stage.MEDICAL_STUDENT else _FOCUS_SENTENCES
    sentences = [intro, rng.choice(templates).format(focus=focus)]
    if rng.random() < 0.55:
        closings = list(_CLOSING_SENTENCES)
        if open_to_mentoring:
            closings += ["Happy to mentor students and residents thinking about hem-onc."] * 3
        if IdentityCommunity.INTERNATIONAL_MEDICAL_GRADUATE in communities:
            closings += ["Happy to talk with international graduates about the match."] * 3
        if IdentityCommunity.FIRST_GENERATION in communities:
            closings += ["Proud first-generation physician."] * 2
        if stage == Stage.RESIDENT:
            closings += ["Applying to fellowship soon: tips welcome."] * 2
        if stage == Stage.MEDICAL_STUDENT:
            closings += ["Looking for a research project in hem-onc."] * 2
        sentences.append(rng.choice(closings))
    return " ".join([*sentences, SYNTHETIC_NOTE])
