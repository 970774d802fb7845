"""Career round tables: who sits at which table in each rotation (no database).

Exact in two steps. Which tables each trainee visits is a maximum flow of minimum cost
(trainee -> table at most once; a trainee visits at most T tables; a table takes at most
T x seats visits): first the most seats filled, then the most satisfaction (3 for a first
choice, 2 for a second, 1 for a third). Any such choice fits into T rotations with the seats
holding in each (Konig's edge-colouring theorem), and an alternating-path colouring finds the
rotations; so the schedule reaches the optimum of the full rotation-by-rotation formulation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hemonc.mentorship.matching import id_key

CHOICE_POINTS = (3, 2, 1)


@dataclass(frozen=True)
class RoundTable:
    id: str
    topic: str
    seats: int


@dataclass(frozen=True)
class Trainee:
    id: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Seating:
    rotation: int
    table_id: str
    trainee_id: str


def satisfaction(trainee: Trainee, table_id: str) -> int:
    keys = [c.casefold() for c in trainee.choices]
    key = table_id.casefold()
    return CHOICE_POINTS[keys.index(key)] if key in keys[:3] else 0


def _visits(
    tables: list[RoundTable], trainees: list[Trainee], rotations: int
) -> list[tuple[int, int]]:
    """(trainee, table) index pairs: the most visits, then the most satisfaction."""
    # OR-Tools loads a large native library: only when a solver runs, not with every page.
    from ortools.graph.python import min_cost_flow

    n, t = len(trainees), len(tables)
    source, sink = n + t, n + t + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    tie_weight = n * t + 1  # remaining ties go to tables earlier in id order
    tails, heads, costs = [], [], []
    for i, trainee in enumerate(trainees):
        for k, table in enumerate(tables):
            if table.seats > 0:
                tails.append(i)
                heads.append(n + k)
                costs.append((3 - satisfaction(trainee, table.id)) * tie_weight + k)
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        np.asarray(tails, dtype=np.int32),
        np.asarray(heads, dtype=np.int32),
        np.ones(len(tails), dtype=np.int64),
        np.asarray(costs, dtype=np.int64),
    )
    for i in range(n):
        flow.add_arc_with_capacity_and_unit_cost(source, i, rotations, 0)
    for k, table in enumerate(tables):
        flow.add_arc_with_capacity_and_unit_cost(n + k, sink, rotations * max(0, table.seats), 0)
    flow.set_node_supply(source, n * rotations)
    flow.set_node_supply(sink, -n * rotations)
    if flow.solve_max_flow_with_min_cost() != flow.OPTIMAL:
        raise RuntimeError("The network solver found no seating.")
    used = flow.flows(arcs) > 0
    return [(tails[a], heads[a] - n) for a in np.flatnonzero(used)]


def _colour(edges: list[tuple[int, int]], colours: int) -> list[int]:
    """A proper edge colouring of a bipartite graph whose degrees are at most `colours`.

    Nodes are ("L", i) and ("R", j); for each edge, a colour a free at its left end and b free
    at its right end; if a is taken on the right, the a/b alternating path from the right end
    is swapped first (it cannot reach the left end in a bipartite graph).
    """
    at: dict[tuple[str, int], dict[int, int]] = {}  # node -> colour -> edge index
    result = [-1] * len(edges)

    def ends(e: int) -> tuple[tuple[str, int], tuple[str, int]]:
        return ("L", edges[e][0]), ("R", edges[e][1])

    for e in range(len(edges)):
        left, right = ends(e)
        used_left, used_right = at.setdefault(left, {}), at.setdefault(right, {})
        a = next(c for c in range(colours) if c not in used_left)
        if a in used_right:
            b = next(c for c in range(colours) if c not in used_right)
            path, node, colour = [], right, a
            while colour in at.get(node, {}):
                edge = at[node][colour]
                path.append(edge)
                first, second = ends(edge)
                node = second if node == first else first
                colour = b if colour == a else a
            for edge in path:
                for end in ends(edge):
                    at[end].pop(result[edge], None)
            for edge in path:
                result[edge] = b if result[edge] == a else a
                for end in ends(edge):
                    at[end][result[edge]] = edge
        result[e] = a
        used_left[a] = e
        used_right[a] = e
    return result


def round_tables(
    tables: Sequence[RoundTable], trainees: Sequence[Trainee], *, rotations: int
) -> list[Seating]:
    """The seating, ordered by rotation, table id and trainee id."""
    if rotations < 1:
        raise ValueError("There must be at least one rotation.")
    table_order = sorted(tables, key=lambda x: id_key(x.id))
    trainee_order = sorted(trainees, key=lambda x: id_key(x.id))
    if not table_order or not trainee_order:
        return []
    visits = sorted(_visits(table_order, trainee_order, rotations), key=lambda v: (v[1], v[0]))
    # Each table becomes `seats` seat nodes of degree <= rotations; then colours are rotations.
    seat_nodes: dict[int, int] = {}
    seat_base, base = {}, 0
    for k, table in enumerate(table_order):
        seat_base[k] = base
        base += max(table.seats, 1)
    edges = []
    for trainee_index, table_index in visits:
        count = seat_nodes.get(table_index, 0)
        seat_nodes[table_index] = count + 1
        seat = seat_base[table_index] + count % table_order[table_index].seats
        edges.append((trainee_index, seat))
    colours = _colour(edges, rotations)
    seating = [
        Seating(colour + 1, table_order[table_index].id, trainee_order[trainee_index].id)
        for (trainee_index, table_index), colour in zip(visits, colours, strict=True)
    ]
    rank_table = {x.id: k for k, x in enumerate(table_order)}
    rank_trainee = {x.id: k for k, x in enumerate(trainee_order)}
    seating.sort(key=lambda s: (s.rotation, rank_table[s.table_id], rank_trainee[s.trainee_id]))
    return seating
