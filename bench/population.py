"""A realistic population of members for the benchmarks, written fast with bulk_create.

Needs Django set up on the benchmark's database (see bench/directory.py, `seed`).
"""

from __future__ import annotations

import random
import sqlite3
from datetime import timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection, transaction
from django.utils import timezone

from hemonc.members.models import Block, Mute, Profile, User
from hemonc.members.selectors import _full_text_condition
from hemonc.members.services import profile_search_document
from hemonc.taxonomy.models import CareerPath, Topic


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words("""
Ana Maria Jose Juan Carlos Luis Sofia Valentina Camila Mateo Diego Lucia Isabel Gabriel
Priya Rahul Ananya Arjun Deepa Vikram Sanjay Aisha Fatima Omar Ahmed Yusuf Layla Hassan Mariam
Wei Jing Li Min Hui Xin Yan Chen Hiroshi Yuki Haruto Sakura Minji Jiwoo Seo-yeon Hyun
Chidi Ngozi Emeka Adaeze Oluwaseun Kwame Ama Kofi Amara Zainab Thandiwe Sipho
Emma Olivia Liam Noah James Mary Sarah David Michael Elizabeth Thomas Hannah Daniel Laura
Anna Lukas Felix Leonie Marie Pierre Camille Louis Chloe Giulia Marco Francesca Luca
Anastasia Dmitri Olga Elena Ivan Katarzyna Piotr Anand Rosa Pedro Joao Beatriz Rafael
""")
LAST_NAMES = _words("""
Garcia Lopez Martinez Rodriguez Hernandez Gonzalez Perez Sanchez Ramirez Torres Flores Rivera
Gomez Diaz Morales Ortiz Castillo Silva Santos Oliveira Souza Costa Pereira Almeida
Patel Shah Singh Kumar Sharma Gupta Reddy Iyer Nair Rao Mehta Desai Chatterjee Banerjee
Khan Ali Hussain Ahmed Rahman Haddad Nasser Farouk Mansour Aziz
Nguyen Tran Le Pham Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Kim Lee Park Choi Jung
Tanaka Suzuki Sato Takahashi Watanabe Ito Yamamoto
Okafor Adeyemi Okonkwo Mensah Owusu Nwosu Balogun Mwangi Dlamini Abebe
Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Jackson
White Harris Clark Lewis Walker Young Allen King Wright Scott Green Baker Adams Nelson
Mueller Schmidt Schneider Fischer Weber Wagner Martin Bernard Dubois Moreau Laurent Rossi
Russo Ferrari Esposito Bianchi Romano Kowalski Nowak Ivanova Petrov Murphy Kelly OBrien
""")
# (country, weight, time zone, institutions)
COUNTRIES: list[tuple[str, float, str, list[str]]] = [
    (
        "US",
        42,
        "America/New_York",
        [
            "Memorial Sloan Kettering Cancer Center",
            "MD Anderson Cancer Center",
            "Dana-Farber Cancer Institute",
            "Mayo Clinic",
            "Johns Hopkins Hospital",
            "Stanford Health Care",
            "Fred Hutchinson Cancer Center",
            "Massachusetts General Hospital",
            "University of Michigan Health",
            "Vanderbilt University Medical Center",
            "Northwestern Memorial Hospital",
            "Cleveland Clinic",
            "UCSF Medical Center",
            "Mount Sinai Hospital",
            "Emory University Hospital",
            "Duke University Hospital",
            "University of Chicago Medicine",
            "Moffitt Cancer Center",
            "City of Hope",
            "Memorial Hermann Hospital",
            "St. Jude Children's Research Hospital",
            "Siteman Cancer Center",
            "Huntsman Cancer Institute",
            "Yale New Haven Hospital",
        ],
    ),
    (
        "IN",
        8,
        "Asia/Kolkata",
        [
            "Tata Memorial Hospital",
            "AIIMS New Delhi",
            "Christian Medical College Vellore",
            "PGIMER Chandigarh",
            "Kidwai Memorial Institute of Oncology",
            "Adyar Cancer Institute",
        ],
    ),
    (
        "GB",
        7,
        "Europe/London",
        [
            "The Royal Marsden",
            "University College London Hospitals",
            "The Christie",
            "Oxford University Hospitals",
            "Guy's and St Thomas'",
            "Leeds Teaching Hospitals",
        ],
    ),
    (
        "CA",
        6,
        "America/Toronto",
        [
            "Princess Margaret Cancer Centre",
            "BC Cancer",
            "Jewish General Hospital",
            "Sunnybrook Health Sciences Centre",
            "Tom Baker Cancer Centre",
        ],
    ),
    (
        "ES",
        4,
        "Europe/Madrid",
        [
            "Hospital Clínic de Barcelona",
            "Vall d'Hebron University Hospital",
            "Hospital Universitario La Paz",
            "Clínica Universidad de Navarra",
        ],
    ),
    (
        "BR",
        4,
        "America/Sao_Paulo",
        [
            "Hospital Israelita Albert Einstein",
            "Instituto Nacional de Câncer",
            "Hospital Sírio-Libanês",
            "A.C.Camargo Cancer Center",
        ],
    ),
    (
        "MX",
        4,
        "America/Mexico_City",
        [
            "Instituto Nacional de Cancerología",
            "Hospital Universitario de Monterrey",
            "Centro Médico Nacional Siglo XXI",
        ],
    ),
    (
        "DE",
        3,
        "Europe/Berlin",
        [
            "Charité Universitätsmedizin Berlin",
            "Universitätsklinikum Heidelberg",
            "LMU Klinikum München",
            "Universitätsklinikum Hamburg-Eppendorf",
        ],
    ),
    ("FR", 3, "Europe/Paris", ["Gustave Roussy", "Institut Curie", "Hôpital Saint-Louis"]),
    (
        "IT",
        3,
        "Europe/Rome",
        [
            "Istituto Nazionale dei Tumori",
            "Policlinico Gemelli",
            "Ospedale San Raffaele",
        ],
    ),
    (
        "AU",
        3,
        "Australia/Sydney",
        [
            "Peter MacCallum Cancer Centre",
            "Royal Prince Alfred Hospital",
            "Royal Melbourne Hospital",
        ],
    ),
    (
        "NG",
        3,
        "Africa/Lagos",
        [
            "Lagos University Teaching Hospital",
            "University College Hospital Ibadan",
        ],
    ),
    (
        "EG",
        2,
        "Africa/Cairo",
        ["National Cancer Institute Cairo", "Ain Shams University Hospitals"],
    ),
    ("JP", 2, "Asia/Tokyo", ["National Cancer Center Hospital", "Kyoto University Hospital"]),
    ("KR", 2, "Asia/Seoul", ["Seoul National University Hospital", "Samsung Medical Center"]),
    (
        "PK",
        2,
        "Asia/Karachi",
        [
            "Shaukat Khanum Memorial Cancer Hospital",
            "Aga Khan University Hospital",
        ],
    ),
    ("PH", 1, "Asia/Manila", ["Philippine General Hospital", "St. Luke's Medical Center"]),
    ("SA", 1, "Asia/Riyadh", ["King Faisal Specialist Hospital"]),
]
STAGES = [  # (stage, weight, share open to mentoring, share looking for a mentor)
    ("medical_student", 15, 0.0, 0.5),
    ("resident", 28, 0.03, 0.45),
    ("fellow", 28, 0.08, 0.35),
    ("advanced_fellow", 5, 0.25, 0.2),
    ("attending", 16, 0.5, 0.03),
    ("phd_trainee", 5, 0.1, 0.3),
    ("other", 3, 0.1, 0.1),
]
SPECIALTIES = {
    "medical_student": [("", 6), ("internal_medicine", 2), ("pediatrics", 1)],
    "resident": [("internal_medicine", 8), ("pediatrics", 2), ("pathology", 1)],
    "phd_trainee": [("", 3), ("hematology", 1), ("oncology", 1)],
    "": [
        ("hematology_oncology", 10),
        ("hematology", 4),
        ("oncology", 5),
        ("pathology", 1),
        ("radiation_oncology", 1),
        ("pediatrics", 1),
        ("other", 1),
    ],
}
BIO_SENTENCES = [
    "Interested in {topic} and clinical trials.",
    "Working on outcomes research in {topic}.",
    "I enjoy teaching residents and writing tweetorials.",
    "Looking for collaborators on a retrospective study of {topic}.",
    "Transplant and cellular therapy, especially CAR-T toxicities.",
    "Bench research on clonal hematopoiesis and aging.",
    "Advocate for equity in access to cancer care.",
    "Planning a career in academic medicine with a focus on {topic}.",
    "Former engineer, now into data science for oncology.",
    "Happy to talk about applying to fellowship.",
]


def _weighted(rng: Any, pairs: list[tuple[Any, float]]) -> Any:
    return rng.choices([value for value, _ in pairs], weights=[w for _, w in pairs])[0]


def _visibility(rng: Any) -> str:
    return _weighted(rng, [("members", 70), ("public", 25), ("organizers", 5)])


def populate(*, members: int, reader_email: str, seed: int = 20_000) -> User:
    """Add `members` members to an empty, migrated database; the reader is one more member.

    The reader, whose pages the benchmarks load, blocks a few members, is blocked by a few
    and mutes some, as a real member would; other members block and mute each other too.
    """
    rng = random.Random(seed)
    topics = list(Topic.objects.order_by("slug"))
    rng.shuffle(topics)
    # A few topics are everyone's; most have a handful of followers (a Zipf-like spread).
    topic_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(topics))]
    career_paths = list(CareerPath.objects.all())
    now = timezone.now()
    users, profiles, interests, paths = [], [], [], []
    for number in range(members):
        country, _, time_zone, institutions = _weighted(rng, [(c, c[1]) for c in COUNTRIES])
        stage, _, mentoring, mentee = _weighted(rng, [(s, s[1]) for s in STAGES])
        specialty = _weighted(rng, SPECIALTIES.get(stage, SPECIALTIES[""]))
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        title = "Dr. " if stage in {"attending", "advanced_fellow"} and rng.random() < 0.3 else ""
        chosen = {
            id(t): t
            for t in rng.choices(topics, topic_weights, k=rng.choice([0, 1, 2, 2, 3, 3, 4, 5, 7]))
        }.values()
        users.append(
            User(
                email=f"{first}.{last}.{number}@bench.invalid".lower(),
                password=f"!{rng.getrandbits(160):040x}",  # unusable, like set_unusable_password
                is_active=rng.random() > 0.02,
                date_joined=now - timedelta(minutes=rng.randrange(3 * 365 * 24 * 60)),
            )
        )
        topic_names = [t.name for t in chosen]
        profile = Profile(
            display_name="" if rng.random() < 0.02 else f"{title}{first} {last}",
            stage=stage,
            stage_visibility=_visibility(rng),
            specialty=specialty,
            specialty_visibility=_visibility(rng),
            training_year=rng.randint(1, 6) if stage in {"resident", "fellow"} else None,
            institution=rng.choice(institutions) if rng.random() > 0.05 else "",
            institution_visibility=_visibility(rng),
            country=country,
            country_visibility=_visibility(rng),
            time_zone=time_zone,
            bio=" ".join(
                rng.choice(BIO_SENTENCES).format(
                    topic=rng.choice(topic_names or ["lymphoma"]).lower()
                )
                for _ in range(rng.choice([0, 0, 1, 2, 3]))
            ),
            open_to_mentoring=rng.random() < mentoring,
            looking_for_mentor=rng.random() < mentee,
            listed_in_directory=rng.random() > 0.06,
        )
        chosen_paths = rng.sample(career_paths, k=rng.choice([0, 0, 1, 1, 2]))
        # What profile_search_document adds from the M2M fields once the profile is saved.
        extra = [part for t in chosen for part in (t.name, t.hashtag)] + [
            p.name for p in chosen_paths
        ]
        profile.search_document = " ".join(
            part for part in [profile_search_document(profile), *extra] if part
        )
        profiles.append(profile)
        interests.append([t.pk for t in chosen])
        paths.append([p.pk for p in chosen_paths])

    with transaction.atomic():
        User.objects.bulk_create(users, batch_size=2000)
        for user, profile in zip(users, profiles, strict=True):
            profile.user_id = user.pk
        Profile.objects.bulk_create(profiles, batch_size=2000)
        Profile.interests.through.objects.bulk_create(
            [
                Profile.interests.through(profile_id=profile.pk, topic_id=topic_id)
                for profile, topic_ids in zip(profiles, interests, strict=True)
                for topic_id in topic_ids
            ],
            batch_size=5000,
        )
        Profile.career_paths.through.objects.bulk_create(
            [
                Profile.career_paths.through(profile_id=profile.pk, careerpath_id=path_id)
                for profile, path_ids in zip(profiles, paths, strict=True)
                for path_id in path_ids
            ],
            batch_size=5000,
        )
        reader = User(email=reader_email)
        reader.set_unusable_password()
        reader.save()
        reader_profile = Profile.objects.get(user=reader)  # made by the post_save signal
        reader_profile.display_name = "Bench Reader"
        reader_profile.stage = "fellow"
        reader_profile.specialty = "hematology_oncology"
        reader_profile.institution = "Mayo Clinic"
        reader_profile.country = "US"
        reader_profile.time_zone = "America/Chicago"
        reader_profile.search_document = profile_search_document(reader_profile)
        reader_profile.save()
        others = rng.sample(users, 618)
        Block.objects.bulk_create(
            [Block(blocker=reader, blocked=u) for u in others[:5]]
            + [Block(blocker=u, blocked=reader) for u in others[5:8]]
            + [
                Block(blocker=a, blocked=b)
                for a, b in zip(others[8:308], others[18:318], strict=True)
            ]
        )
        Mute.objects.bulk_create(
            [Mute(muter=reader, muted=u) for u in others[318:328]]
            + [Mute(muter=a, muted=b) for a, b in zip(others[328:618], others[8:298], strict=True)]
        )
    if connection.vendor == "postgresql":
        # A running site's autovacuum would have analyzed the tables; a bulk load has not.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return reader


def session_for(user: User) -> str:
    """The key of a new signed-in session of `user`, as logging in would create it."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    # RoleBackend has no get_user(): the session names the backend that loads the user.
    session[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def database_version() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0].split()[0]
    return sqlite3.sqlite_version


def check_full_text_index() -> dict[str, Any]:
    """The index finds what a plain scan finds: on SQLite, proof that the triggers filled it."""
    checks: dict[str, Any] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "INSERT INTO members_profile_fts(members_profile_fts) VALUES ('integrity-check')"
            )
            cursor.execute("SELECT count(*) FROM members_profile_fts_docsize")
            checks["indexed_rows"] = cursor.fetchone()[0]
            checks["profiles"] = Profile.objects.count()
            if checks["indexed_rows"] != checks["profiles"]:
                raise RuntimeError(f"The FTS5 index is incomplete: {checks}")
        for token in ("garcia", "memorial", "lymphoma"):
            sql, params = _full_text_condition([token])
            cursor.execute(f"SELECT count(*) FROM members_profile WHERE {sql}", params)  # noqa: S608
            indexed = cursor.fetchone()[0]
            # Every token here starts a word, so a case-blind substring scan finds the same rows.
            scanned = Profile.objects.filter(search_document__icontains=token).count()
            if indexed != scanned or not indexed:
                raise RuntimeError(f"{token!r}: the index finds {indexed}, a scan {scanned}")
            checks[token] = indexed
    return checks
