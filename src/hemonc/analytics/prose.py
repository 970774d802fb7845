"""Numbers as a paper writes them, and the "Results" paragraph built from a report.

Thousands as 93.4K; means of impressions as whole numbers (263); attendance means to one
decimal (49.6); rates under 10% to one decimal (3.4%), other percentages whole (53%). Shares
of people out of fewer than 1,000 are whole percentages at any size (9%, not 9.1%): a tenth
of a percent of 121 people is less than one person, so the decimal would be false precision.
Beyond organizers, counts of people under 5 read "<5" and their shares are left out.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from hemonc.core.privacy import SMALL_GROUP, count_for_display
from hemonc.members.enums import Gender
from hemonc.taxonomy.enums import Specialty, Stage


def thousands(value: int | float) -> str:
    """93365 -> '93.4K'; 1250000 -> '1.3M'; under 1,000 as a whole number."""
    if abs(value) >= 999_950:
        return f"{_half_up(value / 1_000_000, 1):.1f}M"
    if abs(value) >= 1_000:
        return f"{_half_up(value / 1_000, 1):.1f}K"
    return f"{round(value):,}"


def whole(value: float) -> str:
    """A mean of impressions: 263.4 -> '263' (half away from zero, as papers do)."""
    return f"{int(value + 0.5) if value >= 0 else -int(-value + 0.5):,}"


def one_decimal(value: float) -> str:
    return f"{_half_up(value, 1):.1f}"


def _half_up(value: float, places: int) -> float:
    factor = 10**places
    # A tiny nudge so 0.0345 stored as 0.034499999... still rounds the way it reads.
    return int(value * factor + 0.5 + 1e-9) / factor if value >= 0 else -_half_up(-value, places)


def percent(fraction: float, *, people_of: int | None = None) -> str:
    """0.034 -> '3.4%'; 0.528 -> '53%'. `people_of`: the share is of that many people."""
    value = 100 * fraction
    if value < 10 and (people_of is None or people_of >= 1000):
        return f"{_half_up(value, 1):.1f}%"
    return f"{_half_up(value, 0):.0f}%"


def count(value: int | None, *, exact: bool) -> str:
    """A count of people: under 5 reads '<5' unless exact."""
    if value is None:
        return "—"
    shown = count_for_display(value, exact=exact)
    return shown if isinstance(shown, str) else f"{shown:,}"


def followers_phrase(value: int) -> str:
    """3412 -> 'more than 3,400'; 3400 -> '3,400'."""
    if value < 1000:
        return f"{value:,}"
    floor = value // 100 * 100
    return f"{floor:,}" if floor == value else f"more than {floor:,}"


def month_name(month: str) -> str:
    """'2022-07' -> 'July 2022'."""
    year, number = month.split("-")
    return f"{calendar.month_name[int(number)]} {year}"


def day_month(day: date) -> str:
    return f"{calendar.month_name[day.month]} {day.year}"


STAGE_PLURALS = {
    Stage.MEDICAL_STUDENT: "medical students",
    Stage.RESIDENT: "residents",
    Stage.FELLOW: "fellows",
    Stage.ADVANCED_FELLOW: "advanced fellows",
    Stage.ATTENDING: "attendings",
    Stage.PHD_TRAINEE: "PhD trainees",
}
SPECIALTY_ADJECTIVES = {
    Specialty.INTERNAL_MEDICINE: "internal medicine",
    Specialty.PEDIATRICS: "pediatrics",
    Specialty.HEMATOLOGY: "hematology",
    Specialty.ONCOLOGY: "oncology",
    Specialty.HEMATOLOGY_ONCOLOGY: "hematology-oncology",
    Specialty.PATHOLOGY: "pathology",
    Specialty.RADIATION_ONCOLOGY: "radiation oncology",
}


def stage_phrase(stage: str, specialty: str | None) -> str:
    """'resident' + internal medicine -> 'internal medicine residents'."""
    plural = STAGE_PLURALS.get(Stage(stage), stage) if stage in Stage.values else stage
    if specialty and specialty in SPECIALTY_ADJECTIVES:
        return f"{SPECIALTY_ADJECTIVES[Specialty(specialty)]} {plural}"
    return plural


def results_paragraph(report: dict[str, Any], *, exact: bool) -> str:
    """The "Results" paragraph of an abstract, in the style of the Hem-Onc Fellows Network's."""
    sentences: list[str] = []
    outreach = report["outreach"]
    if outreach["followers"] is not None:
        sentences.append(
            f"Since its inception, the network has grown to "
            f"{followers_phrase(outreach['followers'])} followers."
        )
    peak = outreach["peak_month"]
    if peak:
        sentences.append(
            f"The highest impressions per month have been {thousands(peak['impressions'])}, "
            f"with a mean of {whole(peak['mean_impressions_per_post'])} impressions per post "
            f"in the month of {month_name(peak['month'])}."
        )
    if outreach["posts"]:
        sentences.append(
            f"The mean engagement per post was {percent(outreach['mean_engagement_rate'])}."
        )
    for season in report["sessions"]["seasons"]:
        if not season["count"]:
            continue
        span = season.get("first_session") and season.get("last_session")
        when = (
            f" between {day_month(date.fromisoformat(season['first_session']))} and "
            f"{day_month(date.fromisoformat(season['last_session']))}"
            if span
            else ""
        )
        held = (
            "1 live session was"
            if season["count"] == 1
            else f"{season['count']} live sessions were"
        )
        sentences.append(f"{held} held{when} ({season['name']}).")
        if season["attendance_mean"] is not None:
            sentences.append(
                f"The average attendance was {one_decimal(season['attendance_mean'])} persons "
                f"per session (range {count(season['attendance_min'], exact=exact)}-"
                f"{count(season['attendance_max'], exact=exact)})."
            )
    newsletter = report["newsletter"]
    total = newsletter["subscribers"]
    if total:
        sentences.append(f"{count(total, exact=exact)} people subscribed to the newsletter.")
        gender = newsletter["gender"]
        leading = max(
            (key for key in gender if key in (Gender.MALE, Gender.FEMALE)),
            key=lambda key: gender[key],
            default=None,
        )
        if leading and (exact or gender[leading] >= SMALL_GROUP):
            sentences.append(
                f"{percent(gender[leading] / total, people_of=total)} of subscribers were "
                f"{Gender(leading).label.lower()}."
            )
        shares = [
            f"{percent(group['subscribers'] / total, people_of=total)} "
            f"{stage_phrase(group['stage'], group['specialty'])}"
            for group in newsletter.get("stage_groups", [])
            if exact or group["subscribers"] >= SMALL_GROUP
        ][:5]
        if shares:
            listed = (
                shares[0] if len(shares) == 1 else ", ".join(shares[:-1]) + f" and {shares[-1]}"
            )
            sentences.append(f"{listed[0].upper()}{listed[1:]}.".replace("% ", "% were ", 1))
        if newsletter["countries"]:
            sentences.append(
                f"Subscribers were from {count(newsletter['countries'], exact=exact)} "
                "different countries."
            )
    return " ".join(sentences)
