"""The mentor matcher on program-sized instances: exact matching against a greedy baseline.

Two synthetic instances with about 40% of pairs eligible, as in real programs: 2,000 mentees
and 400 mentors (capacities 1-5), and 10,000 mentees and 2,000 mentors. Each size runs in its
own process (`python -m bench.mentorship one MENTEES MENTORS`) so its peak memory is its own;
the greedy baseline (best pairs first while seats last) runs in the same process, on the same
instance, right after.
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import time
from typing import Any

from bench import REPO_ROOT, target

TITLE = "Mentor matching: exact vs greedy"
SIZES = ((2_000, 400, 5.0), (10_000, 2_000, 120.0))
MEMORY_LIMIT_MB = 4096.0
SEED = 6

STAGES = ("medical_student", "resident", "fellow", "advanced_fellow", "phd_trainee", "attending")
TOPICS = [f"topic{n}" for n in range(60)]
PATHS = [
    "classical-hematology",
    "malignant-hematology",
    "transplant-cell-therapy",
    "academic-clinical-investigator",
    "physician-scientist",
    "medical-education",
    "private-practice",
    "industry-pharma",
    "government-regulatory",
    "phd-careers",
]
LANGUAGE_MIX = (("en",), ("en",), ("en",), ("en", "es"), ("en", "fr"), ("es",), ("pt", "en"))
FORMATS = ("video", "messages", "in_person")
INSTITUTIONS = [f"Institution {n}" for n in range(150)]
COMMUNITIES = ["women_in_medicine", "black_in_medicine", "latinx_in_medicine", "first_generation"]
OFFSETS = (-8, -7, -6, -5, -4, -3, 0, 1, 2, 3, 5.5, 8, 9, 10)


def instance(mentee_count: int, mentor_count: int, seed: int = SEED) -> tuple[list, list]:
    """Synthetic mentors and mentees; stages and languages leave about 40% of pairs eligible."""
    from hemonc.mentorship.matching import Mentee, Mentor

    rng = random.Random(seed)
    mentors = []
    for n in range(mentor_count):
        mentors.append(
            Mentor(
                id=str(n + 1),
                capacity=rng.randint(1, 5),
                stages=frozenset(rng.sample(STAGES, rng.choice((3, 4)))),
                topics=frozenset(rng.sample(TOPICS, rng.randint(2, 6))),
                career_paths=frozenset(rng.sample(PATHS, rng.randint(1, 3))),
                languages=frozenset(rng.choice(LANGUAGE_MIX)),
                formats=frozenset(rng.sample(FORMATS, rng.randint(1, 3))),
                utc_offset=rng.choice(OFFSETS),
                institution=rng.choice(INSTITUTIONS),
                communities=frozenset(rng.sample(COMMUNITIES, rng.randint(0, 1))),
            )
        )
    mentees = []
    for n in range(mentee_count):
        ranked = rng.sample(range(1, mentor_count + 1), rng.choice((0, 0, 1, 3, 5)))
        mentees.append(
            Mentee(
                id=str(n + 1),
                stage=rng.choice(STAGES),
                topics=frozenset(rng.sample(TOPICS, rng.randint(1, 5))),
                career_paths=frozenset(rng.sample(PATHS, rng.randint(1, 2))),
                languages=frozenset(rng.choice(LANGUAGE_MIX)),
                formats=frozenset(rng.sample(FORMATS, rng.randint(1, 3))),
                utc_offset=rng.choice(OFFSETS),
                institution=rng.choice(INSTITUTIONS),
                avoid_own_institution=rng.random() < 0.3,
                communities=frozenset(rng.sample(COMMUNITIES, rng.randint(0, 1))),
                prefers_shared_community=rng.random() < 0.2,
                ranked_mentors=tuple(str(r) for r in ranked),
                excluded_mentors=frozenset(
                    str(r) for r in rng.sample(range(1, mentor_count + 1), rng.randint(0, 1))
                ),
            )
        )
    return mentors, mentees


def measure_one(mentee_count: int, mentor_count: int) -> dict[str, Any]:
    """Run exact then greedy matching on one instance in this process."""
    from hemonc.mentorship.matching import match, match_greedy

    mentors, mentees = instance(mentee_count, mentor_count)
    clock = time.perf_counter()
    exact = match(mentors, mentees)
    exact_seconds = time.perf_counter() - clock
    clock = time.perf_counter()
    greedy = match_greedy(mentors, mentees)
    greedy_seconds = time.perf_counter() - clock
    pairs = mentee_count * mentor_count
    return {
        "mentees": mentee_count,
        "mentors": mentor_count,
        "seats": sum(m.capacity for m in mentors),
        "eligible_share": round(exact.eligible_pairs / pairs, 3),
        "exact_seconds": round(exact_seconds, 2),
        "exact_matched": exact.matched,
        "exact_total": round(exact.total_score, 2),
        "greedy_seconds": round(greedy_seconds, 2),
        "greedy_matched": greedy.matched,
        "greedy_total": round(greedy.total_score, 2),
        "score_ratio": round(exact.total_score / greedy.total_score, 4)
        if greedy.total_score
        else None,
        "time_ratio": round(exact_seconds / greedy_seconds, 2) if greedy_seconds else None,
        # ru_maxrss is in kilobytes on Linux.
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def run() -> dict[str, Any]:
    rows, targets = [], []
    for mentee_count, mentor_count, limit in SIZES:
        completed = subprocess.run(
            [sys.executable, "-m", "bench.mentorship", "one", str(mentee_count), str(mentor_count)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=900,
        )
        row = json.loads(completed.stdout.strip().splitlines()[-1])
        rows.append(row)
        subject = f"{mentee_count:,} x {mentor_count:,}"
        targets.append(
            target(
                subject=subject,
                name="exact matching",
                measured=row["exact_seconds"],
                op="<",
                limit=limit,
                unit=" s",
            )
        )
        targets.append(
            target(
                subject=subject,
                name="peak memory",
                measured=row["peak_memory_mb"],
                op="<",
                limit=MEMORY_LIMIT_MB,
                unit=" MB",
            )
        )
        targets.append(
            target(
                subject=subject,
                name="matched vs greedy",
                measured=row["exact_matched"],
                op=">=",
                limit=row["greedy_matched"],
            )
        )
    columns = [
        ["mentees", "Mentees"],
        ["mentors", "Mentors"],
        ["seats", "Seats"],
        ["eligible_share", "Eligible pairs"],
        ["exact_seconds", "Exact (s)"],
        ["greedy_seconds", "Greedy (s)"],
        ["time_ratio", "Time ratio"],
        ["exact_matched", "Matched (exact)"],
        ["greedy_matched", "Matched (greedy)"],
        ["exact_total", "Total score (exact)"],
        ["greedy_total", "Total score (greedy)"],
        ["score_ratio", "Score ratio"],
        ["peak_memory_mb", "Peak memory (MB)"],
    ]
    return {
        "summary": "`hemonc mentorship match`'s matcher (maximum count, then maximum total "
        "score, by a minimum-cost flow) on two synthetic programs, each against a greedy "
        "baseline (best-scoring pairs first while seats last) on the same instance in the same "
        "process. Times include scoring every pair; peak memory is the process's.",
        "command": ".venv/bin/python -m bench mentorship",
        "tables": [{"title": "Exact matching vs greedy", "columns": columns, "rows": rows}],
        "targets": targets,
        "notes": [
            "Score ratio = exact total / greedy total on the same instance; above 1 means the "
            "exact matcher found a better program (it never matches fewer mentees).",
            "Instances: seeded synthetic data (bench/mentorship.py `instance`); each mentor "
            "takes 3 of 6 stages and languages mostly overlap, so about 40% of pairs are "
            "eligible.",
        ],
    }


def _main(argv: list[str]) -> None:
    if len(argv) == 3 and argv[0] == "one":
        # The matcher is a pure module: no Django set-up, no database.
        print(json.dumps(measure_one(int(argv[1]), int(argv[2]))))
        return
    print(json.dumps(run(), indent=2))


if __name__ == "__main__":
    _main(sys.argv[1:])
