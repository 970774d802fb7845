"""Hypothesis strategies for small mentorship instances, and brute-force optima to check against."""

from __future__ import annotations

import itertools

from hypothesis import strategies as st

from hemonc.mentorship.matching import Mentee, Mentor, score_terms
from hemonc.mentorship.round_tables import RoundTable, Trainee, satisfaction

STAGES = ("fellow", "resident", "medical_student")
TOPICS = ("mmsm", "lymsm", "bcsm", "leusm")
PATHS = ("malignant-hematology", "medical-education", "industry-pharma")
LANGUAGES = ("en", "es", "EN")
FORMATS = ("video", "messages", "in_person")
OFFSETS = (-8.0, -5.0, -3.5, 0.0, 1.0, 5.5, 9.0)
INSTITUTIONS = ("", "Lakeside", "lakeside ", "Thameside")
COMMUNITIES = ("women_in_medicine", "first_generation")


def subsets(values: tuple[str, ...]) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(values), max_size=len(values))


@st.composite
def instances(draw, max_mentors: int = 3, max_mentees: int = 6):  # type: ignore[no-untyped-def]
    mentor_count = draw(st.integers(1, max_mentors))
    mentor_ids = [str(n) for n in draw(st.permutations(range(1, mentor_count + 1)))]
    mentors = [
        Mentor(
            id=mentor_id,
            capacity=draw(st.integers(0, 2)),
            stages=draw(subsets(STAGES)),
            topics=draw(subsets(TOPICS)),
            career_paths=draw(subsets(PATHS)),
            languages=draw(subsets(LANGUAGES)),
            formats=draw(subsets(FORMATS)),
            utc_offset=draw(st.sampled_from(OFFSETS)),
            institution=draw(st.sampled_from(INSTITUTIONS)),
            communities=draw(subsets(COMMUNITIES)),
        )
        for mentor_id in mentor_ids
    ]
    mentee_count = draw(st.integers(0, max_mentees))
    known = [*mentor_ids, "99"]
    mentees = [
        Mentee(
            id=str(100 + n),
            stage=draw(st.sampled_from(("", *STAGES))),
            topics=draw(subsets(TOPICS)),
            career_paths=draw(subsets(PATHS)),
            languages=draw(subsets(LANGUAGES)),
            formats=draw(subsets(FORMATS)),
            utc_offset=draw(st.sampled_from(OFFSETS)),
            institution=draw(st.sampled_from(INSTITUTIONS)),
            avoid_own_institution=draw(st.booleans()),
            communities=draw(subsets(COMMUNITIES)),
            prefers_shared_community=draw(st.booleans()),
            ranked_mentors=tuple(draw(st.lists(st.sampled_from(known), max_size=3))),
            excluded_mentors=draw(st.frozensets(st.sampled_from(known), max_size=2)),
        )
        for n in range(mentee_count)
    ]
    return mentors, mentees


def brute_force_match(mentors: list[Mentor], mentees: list[Mentee]) -> tuple[int, float]:
    """The best (count, total score) over every assignment that keeps the rules."""
    options = []
    for mentee in mentees:
        choices: list[tuple[int, float] | None] = [None]
        for j, mentor in enumerate(mentors):
            terms = score_terms(mentor, mentee)
            if terms is not None:
                choices.append((j, terms.total))
        options.append(choices)
    best = (0, 0.0)
    for combination in itertools.product(*options):
        load = [0] * len(mentors)
        count, total = 0, 0.0
        for choice in combination:
            if choice is not None:
                load[choice[0]] += 1
                count += 1
                total += choice[1]
        fits = all(load[j] <= mentors[j].capacity for j in range(len(mentors)))
        if fits and (count > best[0] or (count == best[0] and total > best[1] + 1e-9)):
            best = (count, total)
    return best


@st.composite
def round_table_instances(draw):  # type: ignore[no-untyped-def]
    table_count = draw(st.integers(1, 3))
    tables = [
        RoundTable(id=f"T{k}", topic=f"Topic {k}", seats=draw(st.integers(1, 2)))
        for k in range(table_count)
    ]
    ids = [t.id for t in tables]
    trainees = [
        Trainee(
            id=str(n),
            choices=tuple(
                draw(st.lists(st.sampled_from(ids), unique=True, max_size=min(3, len(ids))))
            ),
        )
        for n in range(draw(st.integers(0, 3)))
    ]
    return tables, trainees, draw(st.integers(1, 2))


def brute_force_round_tables(
    tables: list[RoundTable], trainees: list[Trainee], rotations: int
) -> tuple[int, int]:
    """The best (seats filled, satisfaction) of the rotation-by-rotation formulation."""
    slots = [(trainee, rotation) for trainee in trainees for rotation in range(rotations)]
    best = (0, 0)
    for combination in itertools.product([None, *range(len(tables))], repeat=len(slots)):
        load: dict[tuple[int, int], int] = {}
        visited: set[tuple[str, int]] = set()
        ok = True
        for (trainee, rotation), table in zip(slots, combination, strict=True):
            if table is None:
                continue
            if (trainee.id, table) in visited:
                ok = False
                break
            visited.add((trainee.id, table))
            load[(table, rotation)] = load.get((table, rotation), 0) + 1
            if load[(table, rotation)] > tables[table].seats:
                ok = False
                break
        if not ok:
            continue
        seated = sum(1 for t in combination if t is not None)
        points = sum(
            satisfaction(trainee, tables[table].id)
            for (trainee, _), table in zip(slots, combination, strict=True)
            if table is not None
        )
        best = max(best, (seated, points))
    return best
