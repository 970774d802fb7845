"""Speed-mentoring rounds: no pair repeats, tables stay balanced, as many seated as possible."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hemonc.mentorship.matching import Mentee, Mentor
from hemonc.mentorship.speed_rounds import speed_rounds


def _most_seated(
    mentor_ids: list[str], mentee_ids: list[str], history: set, table_size: int
) -> int:
    """Brute force: the most mentees one round can seat with new pairs and balanced tables."""
    best = 0
    for combination in itertools.product([None, *mentor_ids], repeat=len(mentee_ids)):
        if any(
            m is not None and (m, e) in history
            for e, m in zip(mentee_ids, combination, strict=True)
        ):
            continue
        load = Counter(m for m in combination if m is not None)
        loads = [load.get(m, 0) for m in mentor_ids]
        if max(loads) <= table_size and max(loads) - min(loads) <= 1:
            best = max(best, sum(loads))
    return best


@st.composite
def events(draw):  # type: ignore[no-untyped-def]
    topics = ("mmsm", "lymsm", "bcsm")
    mentors = [
        Mentor(id=str(j), capacity=1, topics=draw(st.frozensets(st.sampled_from(topics))))
        for j in range(1, draw(st.integers(1, 3)) + 1)
    ]
    mentees = [
        Mentee(id=str(100 + i), topics=draw(st.frozensets(st.sampled_from(topics))))
        for i in range(draw(st.integers(0, 5)))
    ]
    return mentors, mentees, draw(st.integers(1, 4)), draw(st.integers(1, 2))


@settings(max_examples=60, deadline=None)
@given(events())
def test_speed_rounds_keep_every_rule_and_seat_the_most(event) -> None:  # type: ignore[no-untyped-def]
    mentors, mentees, rounds, table_size = event
    mentor_ids = [m.id for m in mentors]
    mentee_ids = [m.id for m in mentees]

    schedule = speed_rounds(mentors, mentees, rounds=rounds, table_size=table_size)

    pairs = [(s.mentor_id, s.mentee_id) for s in schedule]
    assert len(pairs) == len(set(pairs)), "a mentee met the same mentor twice"
    history: set[tuple[str, str]] = set()
    for number in range(1, rounds + 1):
        seats = [s for s in schedule if s.round == number]
        seated = [s.mentee_id for s in seats]
        assert len(seated) == len(set(seated)), "a mentee sits at two tables at once"
        load = Counter(s.mentor_id for s in seats)
        loads = [load.get(m, 0) for m in mentor_ids]
        assert max(loads) <= table_size
        assert max(loads) - min(loads) <= 1
        assert len(seats) == _most_seated(mentor_ids, mentee_ids, history, table_size)
        history |= {(s.mentor_id, s.mentee_id) for s in seats}


def test_speed_rounds_seat_everyone_every_round_when_seats_allow() -> None:
    mentors = [Mentor(id=str(j), capacity=1) for j in range(1, 5)]
    mentees = [Mentee(id=f"m{i}") for i in range(8)]

    schedule = speed_rounds(mentors, mentees, rounds=4, table_size=2)

    for number in range(1, 5):
        assert sorted(s.mentee_id for s in schedule if s.round == number) == sorted(
            m.id for m in mentees
        )


def test_speed_rounds_put_shared_topics_together_first() -> None:
    mentors = [
        Mentor(id="1", capacity=1, topics={"mmsm"}),
        Mentor(id="2", capacity=1, topics={"bcsm"}),
    ]
    mentees = [Mentee(id="10", topics={"bcsm"}), Mentee(id="11", topics={"mmsm"})]

    schedule = speed_rounds(mentors, mentees, rounds=2, table_size=1)

    assert [(s.round, s.mentor_id, s.mentee_id) for s in schedule] == [
        (1, "1", "11"),
        (1, "2", "10"),
        (2, "1", "10"),
        (2, "2", "11"),
    ]


def test_speed_rounds_let_those_who_sat_out_sit_first() -> None:
    mentors = [Mentor(id="1", capacity=1), Mentor(id="2", capacity=1)]
    mentees = [Mentee(id=str(i)) for i in range(10, 13)]

    schedule = speed_rounds(mentors, mentees, rounds=3, table_size=1)

    rounds_per_mentee = Counter(s.mentee_id for s in schedule)
    assert sorted(rounds_per_mentee.values()) == [2, 2, 2]


def test_speed_rounds_reject_zero_rounds() -> None:
    with pytest.raises(ValueError, match="at least one round"):
        speed_rounds([], [], rounds=0, table_size=2)


def test_speed_rounds_reject_an_empty_table() -> None:
    with pytest.raises(ValueError, match="A table seats at least one mentee"):
        speed_rounds([Mentor(id="1", capacity=1)], [Mentee(id="10")], rounds=1, table_size=0)


def test_speed_rounds_keep_tables_balanced_when_exclusions_leave_a_mentor_alone() -> None:
    # Both mentees exclude mentor 2: seating both at mentor 1 would leave mentor 2's table
    # empty beside a table of two, so one mentee sits each round out.
    mentors = [Mentor(id="1", capacity=1), Mentor(id="2", capacity=1)]
    mentees = [Mentee(id=str(i), excluded_mentors=frozenset({"2"})) for i in (10, 11)]

    schedule = speed_rounds(mentors, mentees, rounds=2, table_size=2)

    assert [(s.round, s.mentor_id) for s in schedule] == [(1, "1"), (2, "1")]
    assert sorted(s.mentee_id for s in schedule) == ["10", "11"]
