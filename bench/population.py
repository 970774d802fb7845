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

from bench.people import (
    BIO_SENTENCES,
    COUNTRIES,
    FIRST_NAMES,
    LAST_NAMES,
    SPECIALTIES,
    STAGES,
)
from hemonc.members.models import Block, Mute, Profile, User
from hemonc.members.selectors import _full_text_condition
from hemonc.members.services import profile_search_document
from hemonc.taxonomy.models import CareerPath, Topic


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
