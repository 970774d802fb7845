"""Seed the topics (hashtags of hem-onc social media) and the career paths."""

from django.db import migrations

TUMOR = [
    ("adcsm", "Adrenal cancer"), ("amsm", "Advanced / metastatic cancer"),
    ("ancsm", "Anal cancer"), ("ayacsm", "Adolescent and young adult cancer"),
    ("bcsm", "Breast cancer"), ("blcsm", "Bladder cancer"), ("btsm", "Brain tumors"),
    ("btcsm", "Biliary tract cancer"), ("crcsm", "Colorectal cancer"),
    ("esocsm", "Esophageal cancer"), ("gencsm", "Genetic / hereditary cancer"),
    ("gyncsm", "Gynecologic cancer"), ("hncsm", "Head and neck cancer"),
    ("hpbcsm", "Hepatobiliary cancer"), ("kcsm", "Kidney cancer"), ("lcsm", "Lung cancer"),
    ("leusm", "Leukemia"), ("lymsm", "Lymphoma"), ("melsm", "Melanoma"),
    ("mmsm", "Multiple myeloma"), ("mpnsm", "Myeloproliferative neoplasms"),
    ("netsm", "Neuroendocrine tumors"), ("pancsm", "Pancreatic cancer"),
    ("pcsm", "Prostate cancer"), ("pedcsm", "Pediatric cancer"), ("scmsm", "Sarcoma"),
    ("skcsm", "Skin cancer"), ("stcsm", "Stomach cancer"),
    ("thmcsm", "Thymoma / thymic carcinoma"), ("thycsm", "Thyroid cancer"),
    ("tscsm", "Testicular cancer"), ("bpdcn", "Blastic plasmacytoid dendritic cell neoplasm"),
]
PROVIDER = [
    ("cardioonc", "Cardio-oncology"), ("pallonc", "Palliative oncology"),
    ("hsronc", "Health services research in oncology"), ("supponc", "Supportive oncology"),
    ("radonc", "Radiation oncology"),
]
COMMUNITY = [
    ("medtwitter", "Physicians on social media"), ("hemetwitter", "Hematology community"),
    ("onctwitter", "Oncology community"), ("pathtwitter", "Pathology community"),
    ("hemepath", "Hematopathology"), ("HemepathJC", "Hematopathology journal club"),
    ("HOJournalClub", "Hem-onc journal club"), ("HOFellows", "Hem-Onc Fellows Network"),
    ("ASHTrainee", "ASH trainees"), ("meded", "Medical education"),
    ("medstudent", "Medical students"), ("foamed", "Free open-access medical education"),
    ("tweetorial", "Tweetorials"),
]
IDENTITY = [
    ("WomenInMedicine", "Women in medicine"), ("LatinasInMedicine", "Latinas in medicine"),
    ("BlackMenInMedicine", "Black men in medicine"),
    ("ILookLikeASurgeon", "I look like a surgeon"),
    ("DocsWithDisabilities", "Clinicians with disabilities"),
]
AWARENESS = [
    ("SickleCellAwarenessMonth", "Sickle cell awareness month"),
    ("LCAM", "Lung cancer awareness month"),
]
CONFERENCE = [("EHA", "European Hematology Association congress"),
              ("BMTTandem", "Tandem Meetings: transplantation and cellular therapy"),
              ("ESMO", "European Society for Medical Oncology congress")]
CONFERENCE += [(f"ASH{y}", f"ASH annual meeting 20{y}") for y in range(19, 26)]
CONFERENCE += [(f"ASCO{y}", f"ASCO annual meeting 20{y}") for y in range(20, 27)]

CAREER_PATHS = [
    ("classical-hematology", "Classical hematology", "Non-malignant hematology (ASH's term)."),
    ("malignant-hematology", "Malignant hematology", ""),
    ("transplant-cell-therapy", "Transplant and cell therapy", ""),
    ("academic-clinical-investigator", "Academic clinical investigator", ""),
    ("physician-scientist", "Physician-scientist", "Laboratory research."),
    ("medical-education", "Medical education", "Physician educator."),
    ("systems-based-hematology", "Systems-based hematology and quality improvement", ""),
    ("private-practice", "Private practice", ""),
    ("industry-pharma", "Industry and pharma", ""),
    ("government-regulatory", "Government and regulatory", ""),
    ("phd-careers", "PhD careers", ""),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("taxonomy", "Topic")
    CareerPath = apps.get_model("taxonomy", "CareerPath")
    groups = [("tumor", TUMOR), ("provider", PROVIDER), ("community", COMMUNITY),
              ("identity", IDENTITY), ("awareness", AWARENESS), ("conference", CONFERENCE)]
    for kind, rows in groups:
        for hashtag, name in rows:
            Topic.objects.get_or_create(
                slug=hashtag.lower(), defaults={"hashtag": hashtag, "name": name, "kind": kind}
            )
    Topic.objects.get_or_create(
        slug="bcsm-chat",
        defaults={"name": "#BCSM chat", "kind": "chat",
                  "description": "Mondays 9 pm US Eastern, since July 2011."},
    )
    Topic.objects.get_or_create(
        slug="lcsm-chat",
        defaults={"name": "#LCSM chat", "kind": "chat",
                  "description": "Thursdays 8 pm US Eastern, since July 2013."},
    )
    for position, (slug, name, description) in enumerate(CAREER_PATHS, start=1):
        CareerPath.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("taxonomy", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
