from django.db import models


class Visibility(models.TextChoices):
    PUBLIC = "public", "Everyone"
    MEMBERS = "members", "Signed-in members"
    ORGANIZERS = "organizers", "Organizers only"


class Role(models.TextChoices):
    ORGANIZER = "organizer", "Organizer"
    MODERATOR = "moderator", "Moderator"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "Self-described"
    PREFER_NOT_TO_SAY = "prefer_not_to_say", "Prefer not to say"


class IdentityCommunity(models.TextChoices):
    WOMEN_IN_MEDICINE = "women_in_medicine", "Women in medicine"
    BLACK_IN_MEDICINE = "black_in_medicine", "Black in medicine"
    LATINX_IN_MEDICINE = "latinx_in_medicine", "Latinx / Hispanic in medicine"
    INDIGENOUS_IN_MEDICINE = "indigenous_in_medicine", "Indigenous in medicine"
    ASIAN_IN_MEDICINE = "asian_in_medicine", "Asian in medicine"
    LGBTQ_IN_MEDICINE = "lgbtq_in_medicine", "LGBTQ+ in medicine"
    DOCS_WITH_DISABILITIES = "docs_with_disabilities", "Clinicians with disabilities"
    FIRST_GENERATION = "first_generation", "First-generation physician or scientist"
    INTERNATIONAL_MEDICAL_GRADUATE = "international_medical_graduate", "International graduate"
