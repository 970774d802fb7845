"""Career round tables: seats hold, nobody sits at a table twice, the exact optimum is reached."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings

from hemonc.mentorship.round_tables import RoundTable, Trainee, round_tables, satisfaction
from tests.mentorship.strategies import brute_force_round_tables, round_table_instances


@settings(max_examples=80, deadline=None)
@given(round_table_instances())
def test_round_tables_reach_the_exact_optimum_and_keep_every_rule(instance) -> None:  # type: ignore[no-untyped-def]
    tables, trainees, rotations = instance
    seats = {t.id: t.seats for t in tables}
    by_id = {t.id: t for t in trainees}

    seating = round_tables(tables, trainees, rotations=rotations)

    assert all(1 <= s.rotation <= rotations for s in seating)
    per_table = Counter((s.rotation, s.table_id) for s in seating)
    assert all(count <= seats[table] for (_, table), count in per_table.items())
    assert len({(s.trainee_id, s.table_id) for s in seating}) == len(seating)
    assert len({(s.trainee_id, s.rotation) for s in seating}) == len(seating)
    points = sum(satisfaction(by_id[s.trainee_id], s.table_id) for s in seating)
    assert (len(seating), points) == brute_force_round_tables(tables, trainees, rotations)


def test_round_tables_seat_everyone_in_every_rotation_when_seats_allow() -> None:
    tables = [RoundTable(id=str(k), topic=f"Path {k}", seats=4) for k in range(1, 11)]
    trainees = [Trainee(id=f"t{n}", choices=("1", "2", "3")) for n in range(30)]

    seating = round_tables(tables, trainees, rotations=3)

    assert Counter(s.trainee_id for s in seating) == {t.id: 3 for t in trainees}
    # Tables 1-3 have 12 seats over the rotations for 90 wishes: all 36 are used.
    assert sum(1 for s in seating if s.table_id in {"1", "2", "3"}) == 36


def test_round_tables_give_first_choices_first() -> None:
    tables = [RoundTable("A", "Transplant and cell therapy", 1), RoundTable("B", "Industry", 1)]
    trainees = [Trainee("1", ("A", "B")), Trainee("2", ("B", "A"))]

    seating = round_tables(tables, trainees, rotations=1)

    assert {(s.table_id, s.trainee_id) for s in seating} == {("A", "1"), ("B", "2")}


def test_round_tables_reject_zero_rotations() -> None:
    with pytest.raises(ValueError, match="at least one rotation"):
        round_tables([], [], rotations=0)


def test_round_tables_seat_nobody_at_a_table_without_seats() -> None:
    tables = [
        RoundTable(id="a", topic="Myeloma", seats=0),
        RoundTable(id="b", topic="CAR-T", seats=2),
    ]
    trainees = [Trainee(id="1", choices=("a", "b")), Trainee(id="2", choices=("a",))]

    seating = round_tables(tables, trainees, rotations=2)

    # Nobody visits a table twice: with table a closed, one rotation is all there is.
    assert [(s.rotation, s.table_id, s.trainee_id) for s in seating] == [
        (1, "b", "1"),
        (1, "b", "2"),
    ]
