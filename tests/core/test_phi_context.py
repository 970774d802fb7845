"""The PHI guard's patient-context cues: a name or place known by what surrounds it, not by
a list (names and towns here are in none of the guard's lists)."""

from __future__ import annotations

import pytest

from hemonc.core import phi


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in phi.scan(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A relative named with a family title, no possessive needed.
        ("Grandma Zeferina made it to the wedding", [("name", "Zeferina")]),
        ("grandpa Obadiah rang the bell", [("name", "Obadiah")]),
        ("Auntie Wenonah drove her to every cycle", [("name", "Wenonah")]),
        ("Abuela Xochitl Quiroga-Lenz brought tamales", [("name", "Xochitl Quiroga-Lenz")]),
        # Initials given as such, even when they spell a medical abbreviation.
        ("initials QZ on the consent", [("name", "QZ")]),
        ("pt initials: T.W. in the chart", [("name", "T.W.")]),
        ("initials PO on the form", [("name", "PO")]),
        # Any capitalised name before an age description.
        ("Zebulon is a 47 y/o with new pancytopenia", [("name", "Zebulon")]),
        ("Ottoline, a 52-year-old, presented with bruising", [("name", "Ottoline")]),
        ("Wendeline was a 61 yo teacher", [("name", "Wendeline")]),
        # Where someone lives, from the person or the phrasing around the place.
        ("a rancher near Quitaque asked about IVIG", [("location", "Quitaque")]),
        ("a welder outside Wink, TX", [("location", "Wink")]),
        ("she drives in from outside Notrees every week", [("location", "Notrees")]),
        ("he comes from just outside Goldsmith", [("location", "Goldsmith")]),
        # A date with the patient's event right after it, even near a meeting.
        ("#ASH23 week — on the 9th of May she was readmitted", [("date", "9th of May")]),
    ],
)
def test_scan_flags_a_patient_known_by_context(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # Ages and places around meetings, talks and studies stay quiet.
        "great talk in Orlando, a 51-year-old man with MDS was the index case",
        "This is a 45-year-old man with ITP",
        "She is a 60 yo with CLL",
        "#ASH24 opens June 1 in Barcelona, C1D1 data at the plenary",
        "Live from #ASH23: from outside Hall B the line is long",
        "the center near Building C, then the session in Ballroom 20",
        # Titles and labels that are not people.
        "grandma's recipe for iron-rich stew",
        "initials only, no names in the consent template",
        "the uncle of all trials: NCT04222595",
        # Public accounts credited next to a family word.
        "her family thanked the team, h/t @ASH_hematology and @hemedoc_lisa",
        "surrounded by family, h/t @AmaMensahMD",
        # Fractions of responders are not dates.
        "Sarah Lee, MD presented the data, 6/14 responded",
        "presented: 12/20 patients achieved CR",
    ],
)
def test_scan_leaves_context_look_alikes_alone(text):
    assert found(text) == []


def test_scan_flags_the_family_handle_but_not_the_credited_accounts():
    text = "his daughter tweets as @wenzel77, h/t @hemedoc_lisa and @EHA_Hematology"
    assert found(text) == [("other_id", "@wenzel77")]


def test_scan_of_a_short_clean_text_takes_the_fast_path():
    assert phi.scan("Great thread, thanks!") == []
    assert phi.scan("ok") == []
