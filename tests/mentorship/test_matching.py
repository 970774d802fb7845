"""The matcher: the rules, the score, and the optimum against brute force."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings

from hemonc.mentorship.matching import (
    Mentee,
    Mentor,
    PairScorer,
    ineligibility,
    match,
    match_greedy,
    score_terms,
)
from tests.mentorship.strategies import brute_force_match, instances


def test_score_terms_follow_the_formula() -> None:
    mentor = Mentor(
        id="7",
        capacity=1,
        topics={"mmsm", "lymsm"},
        career_paths={"a"},
        utc_offset=-5,
        communities={"latinx_in_medicine"},
    )
    mentee = Mentee(
        id="1",
        topics={"MMSM"},
        career_paths={"a", "b"},
        utc_offset=-2,
        communities={"latinx_in_medicine"},
        prefers_shared_community=True,
        ranked_mentors=("3", "7", "99"),
    )

    terms = score_terms(mentor, mentee)

    assert terms is not None
    assert terms.topics == pytest.approx(40 * 1 / 2)
    assert terms.career_paths == pytest.approx(25 * 1 / 2)
    assert terms.time_zone == pytest.approx(15 * (1 - 3 / 12))
    assert terms.rank == pytest.approx(20 * (3 - 2 + 1) / 3)  # every listed id counts
    assert terms.community == 10
    assert terms.total == pytest.approx(20 + 12.5 + 11.25 + 40 / 3 + 10)


def test_score_terms_are_zero_for_empty_sets_and_far_time_zones() -> None:
    terms = score_terms(
        Mentor(id="1", capacity=1, utc_offset=-12),
        Mentee(id="2", utc_offset=14, prefers_shared_community=True),
    )

    assert terms is not None
    assert terms.total == 0


@pytest.mark.parametrize(
    ("mentor", "mentee", "rule"),
    [
        (Mentor(id="1", capacity=0), Mentee(id="a"), "capacity"),
        (Mentor(id="1", capacity=1, stages={"fellow"}), Mentee(id="a", stage="resident"), "stage"),
        (Mentor(id="1", capacity=1, stages={"Fellow"}), Mentee(id="a", stage="fellow"), None),
        (Mentor(id="1", capacity=1, languages={"es"}), Mentee(id="a"), "languages"),
        (Mentor(id="1", capacity=1), Mentee(id="a", languages={"EN", "fr"}), None),
        (
            Mentor(id="1", capacity=1, formats={"video"}),
            Mentee(id="a", formats={"messages"}),
            "formats",
        ),
        (Mentor(id="1", capacity=1, formats={"video"}), Mentee(id="a"), None),
        (Mentor(id="M1", capacity=1), Mentee(id="a", excluded_mentors={"m1"}), "excluded"),
        (
            Mentor(id="1", capacity=1, institution="Lakeside"),
            Mentee(id="a", institution="LAKESIDE ", avoid_own_institution=True),
            "institution",
        ),
        (
            Mentor(id="1", capacity=1, institution="Lakeside"),
            Mentee(id="a", institution="Lakeside"),
            None,
        ),
        (
            Mentor(id="1", capacity=1, institution=""),
            Mentee(id="a", institution="", avoid_own_institution=True),
            None,
        ),
    ],
)
def test_ineligibility_names_the_rule_broken(
    mentor: Mentor, mentee: Mentee, rule: str | None
) -> None:
    assert ineligibility(mentor, mentee) == rule


@settings(max_examples=120, deadline=None)
@given(instances())
def test_match_reaches_the_brute_force_optimum_and_keeps_every_rule(instance) -> None:  # type: ignore[no-untyped-def]
    mentors, mentees = instance
    by_id = {m.id: m for m in mentors}

    result = match(mentors, mentees)

    best_count, best_total = brute_force_match(mentors, mentees)
    assert result.matched == best_count
    assert result.total_score == pytest.approx(best_total, rel=1e-4, abs=1e-3)
    assert [row.mentee_id for row in result.rows] == [m.id for m in mentees]
    load: dict[str, int] = {}
    for mentee, row in zip(mentees, result.rows, strict=True):
        if row.mentor_id is None:
            assert row.reason
            continue
        mentor = by_id[row.mentor_id]
        assert ineligibility(mentor, mentee) is None
        assert row.score == pytest.approx(score_terms(mentor, mentee).total)  # type: ignore[union-attr]
        load[mentor.id] = load.get(mentor.id, 0) + 1
    assert all(load[i] <= by_id[i].capacity for i in load)


@settings(max_examples=60, deadline=None)
@given(instances(max_mentors=4, max_mentees=5))
def test_vectorized_scores_equal_the_pairwise_formula(instance) -> None:  # type: ignore[no-untyped-def]
    mentors, mentees = instance

    ii, jj, scores = PairScorer(mentors, mentees).pairs()

    vectorized = {(int(i), int(j)): float(s) for i, j, s in zip(ii, jj, scores, strict=True)}
    expected = {
        (i, j): terms.total
        for i, mentee in enumerate(mentees)
        for j, mentor in enumerate(mentors)
        if (terms := score_terms(mentor, mentee)) is not None
    }
    assert vectorized.keys() == expected.keys()
    for key, value in expected.items():
        assert vectorized[key] == pytest.approx(value)


@settings(max_examples=30, deadline=None)
@given(instances())
def test_match_is_the_same_whatever_the_row_order(instance) -> None:  # type: ignore[no-untyped-def]
    mentors, mentees = instance
    shuffled_mentors, shuffled_mentees = list(mentors), list(mentees)
    random.Random(1).shuffle(shuffled_mentors)
    random.Random(2).shuffle(shuffled_mentees)

    first = {row.mentee_id: row.mentor_id for row in match(mentors, mentees).rows}
    second = {
        row.mentee_id: row.mentor_id for row in match(shuffled_mentors, shuffled_mentees).rows
    }

    assert first == second


def test_match_prefers_more_matches_over_a_higher_score() -> None:
    # One seat-rich pairing scores high for one mentee; the exact matcher seats both instead.
    mentors = [
        Mentor(id="1", capacity=1, topics={"a"}),
        Mentor(id="2", capacity=1, stages={"fellow"}),
    ]
    mentees = [Mentee(id="10", stage="fellow", topics={"a"}), Mentee(id="11", stage="resident")]

    result = match(mentors, mentees)

    assert [(r.mentee_id, r.mentor_id) for r in result.rows] == [("10", "2"), ("11", "1")]


def test_match_breaks_ties_towards_lower_mentor_ids() -> None:
    mentors = [Mentor(id="20", capacity=1), Mentor(id="3", capacity=1)]

    result = match(mentors, [Mentee(id="1")])

    assert result.rows[0].mentor_id == "3"


def test_unmatched_reason_says_when_eligible_mentors_are_full() -> None:
    mentors = [Mentor(id="1", capacity=1)]
    mentees = [Mentee(id="1", ranked_mentors=("1",)), Mentee(id="2")]

    rows = match(mentors, mentees).rows

    assert rows[1].mentor_id is None
    assert rows[1].reason == "all 1 eligible mentor is full"


def test_match_rejects_duplicate_ids() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        match([Mentor(id="A", capacity=1), Mentor(id="a", capacity=1)], [])


def test_greedy_baseline_never_beats_the_exact_matcher() -> None:
    rng = random.Random(4)
    mentors = [
        Mentor(id=str(j), capacity=rng.randint(1, 2), topics=set(rng.sample("abcdef", 2)))
        for j in range(10)
    ]
    mentees = [
        Mentee(
            id=str(100 + i), topics=set(rng.sample("abcdef", 2)), utc_offset=rng.choice((-5, 0, 5))
        )
        for i in range(30)
    ]

    exact, greedy = match(mentors, mentees), match_greedy(mentors, mentees)

    assert exact.matched >= greedy.matched
    assert exact.total_score >= greedy.total_score - 1e-6


def test_match_rejects_a_person_without_an_id() -> None:
    with pytest.raises(ValueError, match="A mentee has no id"):
        match([Mentor(id="1", capacity=1)], [Mentee(id="")])


def test_match_without_mentors_says_so_for_every_mentee() -> None:
    result = match([], [Mentee(id="10"), Mentee(id="11")])

    assert [(r.mentee_id, r.mentor_id, r.reason) for r in result.rows] == [
        ("10", None, "no mentors"),
        ("11", None, "no mentors"),
    ]
    assert result.matched == 0
