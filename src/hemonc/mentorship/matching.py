"""The mentor matcher: an exact, deterministic b-matching of mentees to mentors (no database).

First the largest number of matched mentees, then the largest total score. Pairs are scored
with numpy in blocks (no Python loop over every pair) and the matching is an exact
maximum-flow-of-minimum-cost problem solved by OR-Tools' network solver.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

FORMATS = ("video", "messages", "in_person")
DEFAULT_LANGUAGES = frozenset({"en"})

TOPICS_WEIGHT = 40.0
CAREER_PATHS_WEIGHT = 25.0
TIME_ZONE_WEIGHT = 15.0
RANK_WEIGHT = 20.0
COMMUNITY_BONUS = 10.0

# Scores go to the solver in units of 1/SCALE: an error of at most 0.00005 per pair, far
# inside the 0.01% the issue allows for the total.
SCALE = 10_000
MAX_SCORE_UNITS = int(
    (TOPICS_WEIGHT + CAREER_PATHS_WEIGHT + TIME_ZONE_WEIGHT + RANK_WEIGHT + COMMUNITY_BONUS) * SCALE
)
BLOCK_PAIRS = 2_000_000  # pairs scored at once; bounds memory at a few hundred MB


def _values(items: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip().casefold() for v in items if v and v.strip())


def id_key(value: str) -> tuple[int, int, str]:
    """Order of ids for tie-breaking: numbers by value, then other ids alphabetically."""
    stripped = value.strip()
    if stripped.isdecimal():
        return (0, int(stripped), stripped)
    return (1, 0, stripped.casefold())


@dataclass(frozen=True)
class Mentor:
    id: str
    capacity: int
    stages: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    career_paths: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    formats: frozenset[str] = frozenset()
    utc_offset: float = 0.0
    institution: str = ""
    communities: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # Every value is compared case-insensitively: keep one spelling.
        for name in ("stages", "topics", "career_paths", "languages", "formats", "communities"):
            object.__setattr__(self, name, _values(getattr(self, name)))
        object.__setattr__(self, "institution", self.institution.strip().casefold())
        object.__setattr__(self, "id", str(self.id).strip())


@dataclass(frozen=True)
class Mentee:
    id: str
    stage: str = ""
    topics: frozenset[str] = frozenset()
    career_paths: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    formats: frozenset[str] = frozenset()
    utc_offset: float = 0.0
    institution: str = ""
    avoid_own_institution: bool = False
    communities: frozenset[str] = frozenset()
    prefers_shared_community: bool = False
    ranked_mentors: tuple[str, ...] = ()
    excluded_mentors: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name in ("topics", "career_paths", "languages", "formats", "communities"):
            object.__setattr__(self, name, _values(getattr(self, name)))
        object.__setattr__(self, "stage", self.stage.strip().casefold())
        object.__setattr__(self, "institution", self.institution.strip().casefold())
        object.__setattr__(self, "id", str(self.id).strip())
        object.__setattr__(
            self, "ranked_mentors", tuple(str(v).strip().casefold() for v in self.ranked_mentors)
        )
        object.__setattr__(self, "excluded_mentors", _values(self.excluded_mentors))


@dataclass(frozen=True)
class ScoreTerms:
    """The score of an eligible pair, term by term, as organizers see it."""

    topics: float
    career_paths: float
    time_zone: float
    rank: float
    community: float

    @property
    def total(self) -> float:
        return self.topics + self.career_paths + self.time_zone + self.rank + self.community


@dataclass(frozen=True)
class MatchRow:
    """One mentee's outcome: a mentor and the score, or None and the reason."""

    mentee_id: str
    mentor_id: str | None
    score: float | None
    terms: ScoreTerms | None
    reason: str


@dataclass
class MatchResult:
    rows: list[MatchRow]
    eligible_pairs: int = 0
    matched: int = field(init=False)
    total_score: float = field(init=False)

    def __post_init__(self) -> None:
        self.matched = sum(1 for row in self.rows if row.mentor_id is not None)
        self.total_score = sum(row.score or 0.0 for row in self.rows)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def ineligibility(mentor: Mentor, mentee: Mentee) -> str | None:
    """Why this pair may not be matched (the first rule broken), or None when it may."""
    if mentor.capacity < 1:
        return "capacity"
    if mentor.stages and mentee.stage not in mentor.stages:
        return "stage"
    if not (mentor.languages or DEFAULT_LANGUAGES) & (mentee.languages or DEFAULT_LANGUAGES):
        return "languages"
    if mentor.formats and mentee.formats and not mentor.formats & mentee.formats:
        return "formats"
    if mentor.id.casefold() in mentee.excluded_mentors:
        return "excluded"
    if (
        mentee.avoid_own_institution
        and mentee.institution
        and (mentee.institution == mentor.institution)
    ):
        return "institution"
    return None


def rank_term(mentor_id: str, ranked: Sequence[str]) -> float:
    key = mentor_id.casefold()
    if key not in ranked:
        return 0.0
    n = len(ranked)
    r = ranked.index(key) + 1
    return RANK_WEIGHT * (n - r + 1) / n


def score_terms(mentor: Mentor, mentee: Mentee) -> ScoreTerms | None:
    """The score of a pair term by term; None when the pair is not eligible."""
    if ineligibility(mentor, mentee) is not None:
        return None
    shares_community = bool(mentee.communities & mentor.communities)
    return ScoreTerms(
        topics=TOPICS_WEIGHT * jaccard(mentor.topics, mentee.topics),
        career_paths=CAREER_PATHS_WEIGHT * jaccard(mentor.career_paths, mentee.career_paths),
        time_zone=TIME_ZONE_WEIGHT * max(0.0, 1 - abs(mentor.utc_offset - mentee.utc_offset) / 12),
        rank=rank_term(mentor.id, mentee.ranked_mentors),
        community=COMMUNITY_BONUS if mentee.prefers_shared_community and shares_community else 0.0,
    )


# ---------------------------------------------------------------------------------------------
# Scoring every pair at once.


class _Vocabulary:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def codes(self, values: Iterable[str]) -> list[int]:
        return [self.index.setdefault(v, len(self.index)) for v in values]


def _incidence(rows: list[list[int]], width: int) -> np.ndarray:
    """A 0/1 float32 matrix with a 1 where row i holds value j (counts stay exact)."""
    matrix = np.zeros((len(rows), max(width, 1)), dtype=np.float32)
    for i, codes in enumerate(rows):
        if codes:
            matrix[i, codes] = 1.0
    return matrix


class PairScorer:
    """Eligibility and scores of every mentee-mentor pair, computed block by block."""

    def __init__(self, mentors: Sequence[Mentor], mentees: Sequence[Mentee]) -> None:
        self.mentors, self.mentees = mentors, mentees
        vocab = {name: _Vocabulary() for name in ("topics", "paths", "lang", "fmt", "comm", "inst")}

        def sets(people: Sequence[Mentor] | Sequence[Mentee], attr: str, name: str) -> list:
            return [vocab[name].codes(sorted(getattr(p, attr))) for p in people]

        lang = lambda p: sorted(p.languages or DEFAULT_LANGUAGES)  # noqa: E731
        mentor_sets = {
            "topics": sets(mentors, "topics", "topics"),
            "paths": sets(mentors, "career_paths", "paths"),
            "lang": [vocab["lang"].codes(lang(m)) for m in mentors],
            "fmt": sets(mentors, "formats", "fmt"),
            "comm": sets(mentors, "communities", "comm"),
        }
        mentee_sets = {
            "topics": sets(mentees, "topics", "topics"),
            "paths": sets(mentees, "career_paths", "paths"),
            "lang": [vocab["lang"].codes(lang(m)) for m in mentees],
            "fmt": sets(mentees, "formats", "fmt"),
            "comm": sets(mentees, "communities", "comm"),
        }
        self.a = {k: _incidence(v, len(vocab[k].index)) for k, v in mentee_sets.items()}
        self.b = {k: _incidence(v, len(vocab[k].index)).T.copy() for k, v in mentor_sets.items()}
        self.a_size = {k: self.a[k].sum(axis=1) for k in ("topics", "paths")}
        self.b_size = {k: self.b[k].sum(axis=0) for k in ("topics", "paths")}
        self.a_any_format = self.a["fmt"].sum(axis=1) == 0
        self.b_any_format = self.b["fmt"].sum(axis=0) == 0

        # Stages: mentor x stage table; a mentor with no stages takes every stage.
        stage_codes = _Vocabulary()
        mentee_stage = np.array(stage_codes.codes(m.stage for m in mentees), dtype=np.int64)
        for mentor in mentors:
            stage_codes.codes(sorted(mentor.stages))
        self.stage_ok = np.zeros((max(len(stage_codes.index), 1), len(mentors)), dtype=bool)
        for j, mentor in enumerate(mentors):
            if mentor.stages:
                self.stage_ok[[stage_codes.index[s] for s in mentor.stages], j] = True
            else:
                self.stage_ok[:, j] = True
        self.mentee_stage = mentee_stage

        inst = vocab["inst"]
        self.a_inst = np.array(
            [inst.codes([m.institution])[0] if m.institution else -1 for m in mentees],
            dtype=np.int64,
        )
        self.b_inst = np.array(
            [inst.codes([m.institution])[0] if m.institution else -2 for m in mentors],
            dtype=np.int64,
        )
        self.avoid = np.array([m.avoid_own_institution for m in mentees], dtype=bool)
        self.prefers = np.array([m.prefers_shared_community for m in mentees], dtype=bool)
        self.a_utc = np.array([m.utc_offset for m in mentees], dtype=np.float64)
        self.b_utc = np.array([m.utc_offset for m in mentors], dtype=np.float64)
        self.has_capacity = np.array([m.capacity >= 1 for m in mentors], dtype=bool)

        # The sparse parts: rankings and exclusions, as (mentee, mentor) index lists.
        by_id = {m.id.casefold(): j for j, m in enumerate(mentors)}
        self.rank_pairs: dict[int, list[tuple[int, float]]] = {}
        self.excluded: dict[int, list[int]] = {}
        for i, mentee in enumerate(mentees):
            n = len(mentee.ranked_mentors)
            seen: dict[int, float] = {}
            for position, mentor_id in enumerate(mentee.ranked_mentors, start=1):
                ranked = by_id.get(mentor_id)
                if ranked is not None and ranked not in seen:
                    seen[ranked] = RANK_WEIGHT * (n - position + 1) / n
            if seen:
                self.rank_pairs[i] = list(seen.items())
            excluded = [by_id[e] for e in mentee.excluded_mentors if e in by_id]
            if excluded:
                self.excluded[i] = excluded

    def block(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """(eligible, score) matrices for mentees start..stop-1 against every mentor."""
        a, b = self.a, self.b
        rows = slice(start, stop)
        eligible = self.stage_ok[self.mentee_stage[rows]]
        eligible &= self.has_capacity[None, :]
        eligible &= (a["lang"][rows] @ b["lang"]) > 0
        formats_meet = (a["fmt"][rows] @ b["fmt"]) > 0
        formats_meet |= self.a_any_format[rows, None]
        formats_meet |= self.b_any_format[None, :]
        eligible &= formats_meet
        eligible &= ~(self.avoid[rows, None] & (self.a_inst[rows, None] == self.b_inst[None, :]))
        for i in range(start, stop):
            if i in self.excluded:
                eligible[i - start, self.excluded[i]] = False

        score = np.zeros(eligible.shape, dtype=np.float64)
        for key, weight in (("topics", TOPICS_WEIGHT), ("paths", CAREER_PATHS_WEIGHT)):
            inter = (a[key][rows] @ b[key]).astype(np.float64)
            union = self.a_size[key][rows, None] + self.b_size[key][None, :] - inter
            with np.errstate(invalid="ignore", divide="ignore"):
                score += weight * np.where(union > 0, inter / union, 0.0)
        distance = np.abs(self.a_utc[rows, None] - self.b_utc[None, :])
        score += TIME_ZONE_WEIGHT * np.maximum(0.0, 1.0 - distance / 12.0)
        shared = (a["comm"][rows] @ b["comm"]) > 0
        score += COMMUNITY_BONUS * (shared & self.prefers[rows, None])
        for i in range(start, stop):
            for j, value in self.rank_pairs.get(i, ()):
                score[i - start, j] += value
        return eligible, score

    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every eligible pair: mentee indexes, mentor indexes, scores (three flat arrays)."""
        step = max(1, BLOCK_PAIRS // max(len(self.mentors), 1))
        parts_i, parts_j, parts_s = [], [], []
        for start in range(0, len(self.mentees), step):
            stop = min(start + step, len(self.mentees))
            eligible, score = self.block(start, stop)
            ii, jj = np.nonzero(eligible)
            parts_i.append((ii + start).astype(np.int32))
            parts_j.append(jj.astype(np.int32))
            parts_s.append(score[ii, jj])
        if not parts_i:
            empty = np.zeros(0, dtype=np.int32)
            return empty, empty.copy(), np.zeros(0, dtype=np.float64)
        return np.concatenate(parts_i), np.concatenate(parts_j), np.concatenate(parts_s)


# ---------------------------------------------------------------------------------------------
# The exact matching.


def _check_ids(people: Sequence[Mentor] | Sequence[Mentee], kind: str) -> None:
    seen: set[str] = set()
    for person in people:
        key = person.id.casefold()
        if not key:
            raise ValueError(f"A {kind} has no id.")
        if key in seen:
            raise ValueError(f"The {kind} id {person.id!r} appears twice.")
        seen.add(key)


def solve_assignment(
    *,
    mentee_index: np.ndarray,
    mentor_index: np.ndarray,
    scores: np.ndarray,
    capacities: Sequence[int],
    mentee_count: int,
) -> np.ndarray:
    """Mentor index per mentee (-1 when unmatched): maximum count, then maximum total score.

    A maximum flow of minimum cost: source -> mentee (1) -> mentor (1 per pair) -> sink
    (capacity). Pair costs are (best possible - score), so among maximum flows the cheapest
    has the largest total; a tiny extra cost by mentor position (never larger than one score
    unit in total) breaks remaining ties towards mentors earlier in id order.
    """
    # OR-Tools loads a large native library: only when a solver runs, not with every page.
    from ortools.graph.python import min_cost_flow

    n, m = mentee_count, len(capacities)
    result = np.full(n, -1, dtype=np.int64)
    if n == 0 or m == 0 or len(scores) == 0:
        return result
    source, sink = n + m, n + m + 1
    tie_weight = n * m + 1  # larger than any sum of mentor positions over a matching
    units = np.rint(scores * SCALE).astype(np.int64)
    costs = (MAX_SCORE_UNITS - units) * tie_weight + mentor_index.astype(np.int64)
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        mentee_index.astype(np.int32),
        (mentor_index + n).astype(np.int32),
        np.ones(len(scores), dtype=np.int64),
        costs,
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.full(n, source, dtype=np.int32),
        np.arange(n, dtype=np.int32),
        np.ones(n, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(n, n + m, dtype=np.int32),
        np.full(m, sink, dtype=np.int32),
        np.asarray([max(0, c) for c in capacities], dtype=np.int64),
        np.zeros(m, dtype=np.int64),
    )
    flow.set_node_supply(source, n)
    flow.set_node_supply(sink, -n)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"The network solver stopped with status {status}.")
    used = flow.flows(arcs) > 0
    result[mentee_index[used]] = mentor_index[used]
    return result


def _unmatched_reason(mentee: Mentee, mentors: Sequence[Mentor], eligible_count: int) -> str:
    if not mentors:
        return "no mentors"
    if eligible_count:
        noun = "mentor is" if eligible_count == 1 else "mentors are"
        return f"all {eligible_count} eligible {noun} full"
    counts: dict[str, int] = {}
    for mentor in mentors:
        rule = ineligibility(mentor, mentee)
        if rule is not None:
            counts[rule] = counts.get(rule, 0) + 1
    labels = {
        "capacity": "no capacity",
        "stage": "stage",
        "languages": "languages",
        "formats": "formats",
        "excluded": "excluded",
        "institution": "own institution",
    }
    parts = [f"{labels[rule]} {count}" for rule, count in sorted(counts.items(), key=_by_count)]
    return "no eligible mentor (" + ", ".join(parts) + ")"


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


def match(mentors: Sequence[Mentor], mentees: Sequence[Mentee]) -> MatchResult:
    """Match mentees to mentors; rows come back in the mentees' input order.

    The same input gives the same output whatever the order of the rows: both sides are put
    in id order before solving.
    """
    _check_ids(mentors, "mentor")
    _check_ids(mentees, "mentee")
    mentor_order = sorted(mentors, key=lambda m: id_key(m.id))
    mentee_order = sorted(mentees, key=lambda m: id_key(m.id))
    scorer = PairScorer(mentor_order, mentee_order)
    ii, jj, ss = scorer.pairs()
    assigned = solve_assignment(
        mentee_index=ii,
        mentor_index=jj,
        scores=ss,
        capacities=[m.capacity for m in mentor_order],
        mentee_count=len(mentee_order),
    )
    eligible_counts = np.bincount(ii, minlength=len(mentee_order))
    outcome: dict[str, MatchRow] = {}
    for i, mentee in enumerate(mentee_order):
        j = int(assigned[i])
        if j >= 0:
            mentor = mentor_order[j]
            terms = score_terms(mentor, mentee)
            assert terms is not None
            outcome[mentee.id] = MatchRow(mentee.id, mentor.id, terms.total, terms, "")
        else:
            reason = _unmatched_reason(mentee, mentor_order, int(eligible_counts[i]))
            outcome[mentee.id] = MatchRow(mentee.id, None, None, None, reason)
    return MatchResult(rows=[outcome[m.id] for m in mentees], eligible_pairs=len(ss))


def match_greedy(mentors: Sequence[Mentor], mentees: Sequence[Mentee]) -> MatchResult:
    """The baseline the benchmark compares with: best-scoring pairs first, while seats last."""
    mentor_order = sorted(mentors, key=lambda m: id_key(m.id))
    mentee_order = sorted(mentees, key=lambda m: id_key(m.id))
    ii, jj, ss = PairScorer(mentor_order, mentee_order).pairs()
    seats = np.asarray([max(0, m.capacity) for m in mentor_order], dtype=np.int64)
    taken = np.zeros(len(mentee_order), dtype=bool)
    assigned = np.full(len(mentee_order), -1, dtype=np.int64)
    for k in np.lexsort((jj, ii, -ss)):
        i, j = ii[k], jj[k]
        if not taken[i] and seats[j] > 0:
            taken[i], assigned[i] = True, j
            seats[j] -= 1
    rows = []
    for i, mentee in enumerate(mentee_order):
        j = int(assigned[i])
        if j >= 0:
            terms = score_terms(mentor_order[j], mentee)
            assert terms is not None
            rows.append(MatchRow(mentee.id, mentor_order[j].id, terms.total, terms, ""))
        else:
            rows.append(MatchRow(mentee.id, None, None, None, "greedy"))
    by_id = {row.mentee_id: row for row in rows}
    return MatchResult(rows=[by_id[m.id] for m in mentees], eligible_pairs=len(ss))
