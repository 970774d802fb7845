import pytest

from hemonc.taxonomy.enums import Specialty, Stage
from hemonc.taxonomy.stages import StageLabel, stage_from_label


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Internal Medicine Resident", StageLabel(Stage.RESIDENT, Specialty.INTERNAL_MEDICINE)),
        ("IM resident", StageLabel(Stage.RESIDENT, Specialty.INTERNAL_MEDICINE)),
        ("Resident", StageLabel(Stage.RESIDENT, None)),
        ("PGY-2", StageLabel(Stage.RESIDENT, None)),
        ("pediatrics resident", StageLabel(Stage.RESIDENT, Specialty.PEDIATRICS)),
        ("Pathology Resident", StageLabel(Stage.RESIDENT, Specialty.PATHOLOGY)),
        ("Medical Student", StageLabel(Stage.MEDICAL_STUDENT, None)),
        ("Med student", StageLabel(Stage.MEDICAL_STUDENT, None)),
        ("MS3", StageLabel(Stage.MEDICAL_STUDENT, None)),
        ("Hematology/Oncology Fellow", StageLabel(Stage.FELLOW, Specialty.HEMATOLOGY_ONCOLOGY)),
        ("Heme/Onc Fellow", StageLabel(Stage.FELLOW, Specialty.HEMATOLOGY_ONCOLOGY)),
        ("Hem-Onc fellow", StageLabel(Stage.FELLOW, Specialty.HEMATOLOGY_ONCOLOGY)),
        ("Fellow", StageLabel(Stage.FELLOW, None)),
        ("Radiation Oncology Fellow", StageLabel(Stage.FELLOW, Specialty.RADIATION_ONCOLOGY)),
        (
            "Advanced Hematology-Oncology Fellow",
            StageLabel(Stage.ADVANCED_FELLOW, Specialty.HEMATOLOGY_ONCOLOGY),
        ),
        ("Advanced fellow", StageLabel(Stage.ADVANCED_FELLOW, None)),
        ("Attending", StageLabel(Stage.ATTENDING, None)),
        ("Faculty", StageLabel(Stage.ATTENDING, None)),
        ("Early-career faculty", StageLabel(Stage.ATTENDING, None)),
        ("Consultant", StageLabel(Stage.ATTENDING, None)),
        ("PhD Student", StageLabel(Stage.PHD_TRAINEE, None)),
        ("Graduate student", StageLabel(Stage.PHD_TRAINEE, None)),
        ("Postdoc", StageLabel(Stage.PHD_TRAINEE, None)),
        ("Other", StageLabel(Stage.OTHER, None)),
        ("advanced_fellow", StageLabel(Stage.ADVANCED_FELLOW, None)),
    ],
)
def test_stage_from_label_maps_reference_labels(label, expected):
    assert stage_from_label(label) == expected


@pytest.mark.parametrize(
    "label",
    ["  internal   MEDICINE resident ", "internal-medicine.resident", "INTERNAL_MEDICINE RESIDENT"],
)
def test_stage_from_label_ignores_case_space_and_punctuation(label):
    assert stage_from_label(label) == StageLabel(Stage.RESIDENT, Specialty.INTERNAL_MEDICINE)


@pytest.mark.parametrize("label", ["", "   ", None, "Astronaut", "Internal Medicine", "42"])
def test_stage_from_label_returns_none_for_unknown_labels(label):
    assert stage_from_label(label) is None


@pytest.mark.parametrize("label", ["Medical student (internal medicine)", "PhD trainee, medicine"])
def test_stage_from_label_of_students_names_no_internal_medicine(label):
    found = stage_from_label(label)
    assert found is not None
    assert found.specialty is None


@pytest.mark.parametrize("label", ["Clinical pharmacist", "Oncology nurse practitioner"])
def test_stage_from_label_of_other_professions_is_other(label):
    found = stage_from_label(label)
    assert found is not None
    assert found.stage == Stage.OTHER
