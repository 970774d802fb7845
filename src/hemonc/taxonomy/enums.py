"""The fixed vocabularies of the domain (../reference/career_paths.md)."""

from django.db import models


class Stage(models.TextChoices):
    MEDICAL_STUDENT = "medical_student", "Medical student"
    RESIDENT = "resident", "Resident"
    FELLOW = "fellow", "Fellow"
    ADVANCED_FELLOW = "advanced_fellow", "Advanced fellow"
    ATTENDING = "attending", "Attending / faculty"
    PHD_TRAINEE = "phd_trainee", "PhD trainee / postdoc"
    OTHER = "other", "Other"


class Specialty(models.TextChoices):
    INTERNAL_MEDICINE = "internal_medicine", "Internal medicine"
    PEDIATRICS = "pediatrics", "Pediatrics"
    HEMATOLOGY = "hematology", "Hematology"
    ONCOLOGY = "oncology", "Oncology"
    HEMATOLOGY_ONCOLOGY = "hematology_oncology", "Hematology-oncology"
    PATHOLOGY = "pathology", "Pathology"
    RADIATION_ONCOLOGY = "radiation_oncology", "Radiation oncology"
    OTHER = "other", "Other"


class TopicKind(models.TextChoices):
    TUMOR = "tumor", "Tumor-specific"
    PROVIDER = "provider", "Provider"
    COMMUNITY = "community", "Community"
    IDENTITY = "identity", "Identity community"
    AWARENESS = "awareness", "Awareness"
    CONFERENCE = "conference", "Conference"
    CHAT = "chat", "Chat"
    OTHER = "other", "Other"
