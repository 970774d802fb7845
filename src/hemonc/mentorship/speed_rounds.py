"""Speed mentoring ("Blood Buddies"): who sits at which mentor's table in each round (no database).

Round by round: no mentee-mentor pair ever repeats, each mentor's table has up to K mentees
and tables differ by at most one mentee within a round, as many mentees as possible are
seated (those who sat out more rounds first), and among such rounds the total topic overlap
(Jaccard) is the largest. Each round is an exact minimum-cost flow with lower bounds on the
tables; the rounds follow one another, so the whole schedule is very good, not proven optimal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hemonc.mentorship.matching import Mentee, Mentor, id_key, jaccard

OVERLAP_SCALE = 1_000


@dataclass(frozen=True, order=True)
class SpeedSeat:
    round: int
    mentor_id: str
    mentee_id: str


def _round_flow(
    *,
    allowed: list[list[int]],
    weights: dict[tuple[int, int], int],
    priority: list[int],
    mentor_count: int,
    seated: int,
    with_costs: bool,
) -> list[tuple[int, int]] | None:
    """Seat exactly `seated` mentees with balanced tables, or None when that is impossible."""
    # OR-Tools loads a large native library: only when a solver runs, not with every page.
    from ortools.graph.python import min_cost_flow

    n, m = len(allowed), mentor_count
    low = seated // m
    high = low + (1 if seated % m else 0)  # the caller seats at most m * table_size
    source, sink = n + m, n + m + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    # Mentees who sat out more rounds are seated first: a bonus larger than any round's overlap.
    bonus = OVERLAP_SCALE * (n + 1)
    for i in range(n):
        cost = -priority[i] * bonus if with_costs else 0
        flow.add_arc_with_capacity_and_unit_cost(source, i, 1, cost)
    pair_arcs = []
    for i, mentors in enumerate(allowed):
        for j in mentors:
            cost = -weights[(i, j)] if with_costs else 0
            pair_arcs.append((flow.add_arc_with_capacity_and_unit_cost(i, n + j, 1, cost), i, j))
    for j in range(m):
        if high > low:
            flow.add_arc_with_capacity_and_unit_cost(n + j, sink, high - low, 0)
        flow.set_node_supply(n + j, -low)
    flow.set_node_supply(source, seated)
    flow.set_node_supply(sink, -(seated - low * m))
    if flow.solve() != flow.OPTIMAL:
        return None
    return [(i, j) for arc, i, j in pair_arcs if flow.flow(arc) > 0]


def speed_rounds(
    mentors: Sequence[Mentor], mentees: Sequence[Mentee], *, rounds: int, table_size: int
) -> list[SpeedSeat]:
    """The schedule, ordered by round, mentor id and mentee id.

    A mentee's excluded mentors are honored here too; a mentee with no new mentor left sits
    the round out.
    """
    if rounds < 1:
        raise ValueError("There must be at least one round.")
    if table_size < 1:
        raise ValueError("A table seats at least one mentee.")
    mentor_order = sorted(mentors, key=lambda p: id_key(p.id))
    mentee_order = sorted(mentees, key=lambda p: id_key(p.id))
    n, m = len(mentee_order), len(mentor_order)
    if n == 0 or m == 0:
        return []
    weights = {
        (i, j): round(OVERLAP_SCALE * jaccard(mentee.topics, mentor.topics))
        for i, mentee in enumerate(mentee_order)
        for j, mentor in enumerate(mentor_order)
    }
    open_pairs = [
        {
            j
            for j, mentor in enumerate(mentor_order)
            if mentor.id.casefold() not in mentee.excluded_mentors
        }
        for mentee in mentee_order
    ]
    sat_out = [0] * n
    schedule: list[SpeedSeat] = []
    for number in range(1, rounds + 1):
        allowed = [sorted(pairs) for pairs in open_pairs]
        # The largest number seated with balanced tables: feasibility only shrinks with it.
        low, high = 0, min(sum(1 for a in allowed if a), m * table_size)
        while low < high:
            middle = (low + high + 1) // 2
            if (
                _round_flow(
                    allowed=allowed,
                    weights=weights,
                    priority=sat_out,
                    mentor_count=m,
                    seated=middle,
                    with_costs=False,
                )
                is None
            ):
                high = middle - 1
            else:
                low = middle
        pairs = (
            _round_flow(
                allowed=allowed,
                weights=weights,
                priority=sat_out,
                mentor_count=m,
                seated=low,
                with_costs=True,
            )
            or []
        )
        seated = {i for i, _ in pairs}
        for i in range(n):
            if i not in seated:
                sat_out[i] += 1
        for i, j in pairs:
            open_pairs[i].discard(j)
            schedule.append(SpeedSeat(number, mentor_order[j].id, mentee_order[i].id))
    mentor_rank = {p.id: k for k, p in enumerate(mentor_order)}
    mentee_rank = {p.id: k for k, p in enumerate(mentee_order)}
    schedule.sort(key=lambda s: (s.round, mentor_rank[s.mentor_id], mentee_rank[s.mentee_id]))
    return schedule
