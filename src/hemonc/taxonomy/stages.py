"""`stage_from_label`: the one mapping from a free-text role label to a training stage.

Every importer uses it ("Internal Medicine Resident" -> resident + internal medicine), so
that a subscriber list, a spreadsheet and a profile all speak the same vocabulary.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from hemonc.taxonomy.enums import Specialty, Stage


class StageLabel(NamedTuple):
    stage: Stage
    specialty: Specialty | None


def _normalize(label: str) -> str:
    text = label.lower().replace("-", " ").replace("/", " ").replace("&", " ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return f" {' '.join(text.split())} "


def _has(text: str, *phrases: str) -> bool:
    return any(f" {phrase} " in text for phrase in phrases)


# Order matters: the most specific specialty is tried first.
_SPECIALTIES: list[tuple[Specialty, tuple[str, ...]]] = [
    (Specialty.RADIATION_ONCOLOGY, ("radiation oncology", "rad onc", "radonc")),
    (
        Specialty.HEMATOLOGY_ONCOLOGY,
        (
            "hematology oncology", "haematology oncology", "heme onc", "hem onc", "hemeonc",
            "hemonc", "heme oncology", "hematology and oncology", "haem onc", "h o",
        ),
    ),
    (Specialty.INTERNAL_MEDICINE, ("internal medicine", "im", "medicine")),
    (Specialty.PEDIATRICS, ("pediatrics", "pediatric", "paediatric", "paediatrics", "peds")),
    (Specialty.PATHOLOGY, ("pathology", "hematopathology", "hemepath")),
    (Specialty.HEMATOLOGY, ("hematology", "haematology", "heme", "haem")),
    (Specialty.ONCOLOGY, ("oncology", "medical oncology", "onc")),
]  # fmt: skip

_PHD = ("phd student", "phd candidate", "phd trainee", "phd", "graduate student",
        "grad student", "postdoc", "post doc", "postdoctoral", "postdoctoral fellow",
        "postdoctoral researcher", "research fellow phd")  # fmt: skip
_MEDICAL_STUDENT = ("medical student", "med student", "medstudent", "medical school student",
                    "ms1", "ms2", "ms3", "ms4", "ms 1", "ms 2", "ms 3", "ms 4", "m1", "m2",
                    "m3", "m4", "student")  # fmt: skip
_ATTENDING = ("attending", "faculty", "early career faculty", "consultant", "attending physician",
              "assistant professor", "associate professor", "professor", "staff physician",
              "junior faculty", "instructor")  # fmt: skip
_RESIDENT = ("resident", "residency", "intern", "house officer", "pgy", "chief resident")
_OTHER = ("other", "pharmacist", "nurse", "nurse practitioner", "np", "pa",
          "physician assistant", "industry", "researcher", "scientist")  # fmt: skip


def _stage(text: str) -> Stage | None:
    if _has(text, "postdoc", "post doc", "postdoctoral"):
        return Stage.PHD_TRAINEE
    if _has(text, "advanced") and _has(text, "fellow", "fellowship"):
        return Stage.ADVANCED_FELLOW
    if _has(text, "fellow", "fellowship", "fellows"):
        return Stage.FELLOW
    if _has(text, *_RESIDENT) or re.search(r" pgy ?\d+ ", text):
        return Stage.RESIDENT
    if _has(text, *_ATTENDING):
        return Stage.ATTENDING
    if _has(text, *_PHD):
        return Stage.PHD_TRAINEE
    if _has(text, *_MEDICAL_STUDENT):
        return Stage.MEDICAL_STUDENT
    if _has(text, *_OTHER):
        return Stage.OTHER
    return None


def _specialty(text: str) -> Specialty | None:
    for specialty, phrases in _SPECIALTIES:
        if _has(text, *phrases):
            return specialty
    return None


def stage_from_label(label: str | None) -> StageLabel | None:
    """Map a label to (stage, specialty or None); None when the label names no stage.

    Case, spaces and punctuation do not matter. Stage names themselves
    ("advanced_fellow") are recognized too.
    """
    if not label or not label.strip():
        return None
    raw = label.strip().lower()
    if raw in Stage.values:
        return StageLabel(Stage(raw), None)
    text = _normalize(label)
    stage = _stage(text)
    if stage is None:
        return None
    specialty = _specialty(text)
    # "Medical student" mentions medicine without being internal medicine.
    if stage == Stage.MEDICAL_STUDENT and specialty == Specialty.INTERNAL_MEDICINE:
        specialty = None
    if stage == Stage.PHD_TRAINEE and specialty == Specialty.INTERNAL_MEDICINE:
        specialty = None
    return StageLabel(stage, specialty)
