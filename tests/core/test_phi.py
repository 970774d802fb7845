"""The PHI guard: what it flags, what it leaves alone, offsets, overlaps, highlighting."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from django.test import override_settings

from hemonc.core import phi
from hemonc.core.phi import _scanner


def kinds_and_texts(text: str, **options) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in phi.scan(text, **options)]


# Every identifier of the specification, and more, with what the guard must report.
IDENTIFIERS = [
    ("DOB 3/14/1961", "date", "3/14/1961"),
    ("MRN 00123456", "mrn", "00123456"),
    ("a 92-year-old", "age", "92-year-old"),
    ("admitted on March 3rd", "date", "March 3rd"),
    ("seen June 4, 2023", "date", "June 4, 2023"),
    ("Mrs. Alvarez", "name", "Alvarez"),
    ("pt J.D.", "name", "J.D."),
    ("her daughter Maria", "name", "Maria"),
    ("from Lubbock", "location", "Lubbock"),
    ("ZIP 79401", "zip", "79401"),
    ("lives at 12 Oak Street", "address", "12 Oak Street"),
    ("call 806-555-0134 tonight", "phone", "806-555-0134"),
    ("her cell (806) 555-0134", "phone", "(806) 555-0134"),
    ("reach her at +44 20 7946 0958", "phone", "+44 20 7946 0958"),
    ("phone 8065550134", "phone", "8065550134"),
    ("fax (806) 555-0199", "fax", "(806) 555-0199"),
    ("Fax: 806.555.0177", "fax", "806.555.0177"),
    ("write to maria.alvarez77@gmail.com", "email", "maria.alvarez77@gmail.com"),
    ("SSN 123-45-6789", "ssn", "123-45-6789"),
    ("social security number 123 45 6789", "ssn", "123 45 6789"),
    ("member ID W123456789", "health_plan", "W123456789"),
    ("Medicare number 1EG4-TE5-MK73", "health_plan", "1EG4-TE5-MK73"),
    ("pump serial number PX-20934-A", "device", "PX-20934-A"),
    ("pacemaker SN MDT-88731-K", "device", "MDT-88731-K"),
    ("logged in from 192.168.1.20", "ip", "192.168.1.20"),
    ("her portal showed 2001:db8::7334", "ip", "2001:db8::7334"),
    ("please share gofundme.com/f/help-maria-alvarez", "url", "gofundme.com/f/help-maria-alvarez"),
    (
        "updates at https://www.caringbridge.org/visit/luisgarcia.",
        "url",
        "https://www.caringbridge.org/visit/luisgarcia",
    ),
    ("account number 4485-2231-99", "account", "4485-2231-99"),
    ("driver's license D1234567", "license", "D1234567"),
    ("VIN 1HGCM82633A004352", "vehicle", "1HGCM82633A004352"),
    ("specimen ID S23-45678", "other_id", "S23-45678"),
    ("her son @luis_alv posts updates", "other_id", "@luis_alv"),
    ("94 yo with MDS", "age", "94 yo"),
    ("a 91F on anticoagulation", "age", "91F"),
    ("aged 96 at diagnosis", "age", "aged 96"),
    ("a ninety-three-year-old", "age", "ninety-three-year-old"),
    ("born 14-Mar-1961", "date", "14-Mar-1961"),
    ("relapsed on 2023-06-04", "date", "2023-06-04"),
    ("the 3rd of March", "date", "3rd of March"),
    ("discharged 11/2", "date", "11/2"),
    ("diagnosed in March 2023", "date", "March 2023"),
    ("Mr. O'Neil", "name", "O'Neil"),
    ("patient Maria", "name", "Maria"),
    ("pt Cletus, with CML", "name", "Cletus"),
    ("Maria, 45, presented with fatigue", "name", "Maria"),
    ("Kwame Szymanski was admitted overnight", "name", "Kwame Szymanski"),
    ("J.D., a 45-year-old", "name", "J.D."),
    ("his wife, Rosa Delgado, asked", "name", "Rosa Delgado"),
    ("lives in Muleshoe", "location", "Muleshoe"),
    ("a farmer from Hibbing", "location", "Hibbing"),
    ("from rural Hale County", "location", "Hale County"),
    ("transferred from Lamesa, TX", "location", "Lamesa"),
    ("Lubbock, TX 79401", "zip", "79401"),
    ("ZIP 79401-1234", "zip", "79401-1234"),
    ("mail to P.O. Box 112", "address", "P.O. Box 112"),
    ("home at 4236 Juniper St, Apt 4B", "address", "4236 Juniper St, Apt 4B"),
    ("patient ID 1234567", "mrn", "1234567"),
    ("pt ID 7654321", "mrn", "7654321"),
    ("NHS number 943 476 5919", "mrn", "943 476 5919"),
    ("SSN 123456789", "ssn", "123456789"),
    ("Medicaid ID 123456789", "health_plan", "123456789"),
    ("a baby named Rosa", "name", "Rosa"),
    ("invoice 12345678", "account", "12345678"),
    ("plate ABC 1234", "vehicle", "ABC 1234"),
    ("passport 123456789", "license", "123456789"),
    ("accession S23-45678", "other_id", "S23-45678"),
]

# Medical and professional writing the guard must leave alone.
TRAPS = [
    "ASH 2021",
    "#ASH21",
    "NCCN v2.2023",
    "R-CHOP x6",
    "375 mg/m2",
    "JAK2 V617F",
    "t(9;22)",
    "CD34+",
    "stage IV",
    "day +100",
    "ECOG 1",
    "HScore > 169",
    "NCT04222595",
    "abstract 11004",
    "WBC 2.3, Hgb 7.8, plt 12k, ANC 0.4, LDH 1,200 U/L, ferritin 45,000",
    "K 3.4, Cr 1.2, INR 1.1",
    "in 2021",
    "doi:10.1056/NEJMoa2034577",
    "https://doi.org/10.1182/blood.2023021234",
    "https://pubmed.ncbi.nlm.nih.gov/31234567/",
    "https://www.nejm.org/doi/full/10.1056/NEJMoa2034577",
    "https://ashpublications.org/blood/article/142/1/1/495600",
    "https://clinicaltrials.gov/study/NCT04222595",
    "https://www.hematology.org/meetings/annual-meeting",
    "see asco.org for the program",
    "@ASH_hematology",
    "h/t @ASH_hematology and @NCCN",
    "great thread by @doctorpemm on MPN",
    "Dr. Pemmaraju's tweetorial",
    "Prof. Ayesha Rahman presented the data",
    "Sarah Lee, MD presented the data",
    "a 62-year-old",
    "an 89-year-old",
    "age 85",
    "grade 3/4 neutropenia",
    "Tmax 101 F",
    "BP 120/80, HR 110",
    "a 90-day mortality of 4%",
    "median OS 24.3 months (HR 0.62, 95% CI 0.48-0.80)",
    "n=1,234, p=0.003",
    "C1D1 venetoclax 400 mg",
    "#ASH23 opens December 9 in San Diego",
    "Live from #ASCO24 in Chicago",
    "published in March 2023",
    "BCR::ABL1 and del(17p)",
    "et al.In this trial",
    "PT INR 1.2",
    "from Texas",
    "patients in the US and Canada",
    "join #HemeOncJC Thursday 9 pm ET",
]


@pytest.mark.parametrize(("text", "kind", "expected"), IDENTIFIERS)
def test_scan_flags_the_identifier(text, kind, expected):
    found = phi.scan(text)

    assert (kind, expected) in [(f.kind, f.text) for f in found]
    finding = next(f for f in found if f.text == expected)
    assert finding.start == text.index(expected)
    assert finding.end == finding.start + len(expected)
    assert finding.letter == phi.LETTERS[kind]


@pytest.mark.parametrize("text", TRAPS)
def test_scan_leaves_medical_and_professional_writing_alone(text):
    assert phi.scan(text) == []


@pytest.mark.parametrize("age", [90, 95, 99, 104, 119])
def test_scan_flags_ages_over_89(age):
    assert kinds_and_texts(f"a {age}-year-old woman") == [("age", f"{age}-year-old")]


@pytest.mark.parametrize("age", [18, 45, 62, 80, 89])
def test_scan_leaves_ages_of_89_and_under_alone(age):
    assert phi.scan(f"a {age}-year-old woman") == []


def test_scan_offsets_are_python_string_indices_after_emoji_and_accents():
    text = "🩸🧵 Señora Muñoz — café ☕ DOB 3/14/1961, MRN 00123456 🎗️"

    found = phi.scan(text)

    assert [(f.kind, f.text) for f in found] == [
        ("name", "Muñoz"),
        ("date", "3/14/1961"),
        ("mrn", "00123456"),
    ]
    for finding in found:
        assert text[finding.start : finding.end] == finding.text
    assert found[1].start == text.index("3/14/1961")


def test_scan_reports_one_finding_for_overlapping_patterns():
    # "SSN 123-45-6789" is both a labelled number and the shape of an SSN; "ZIP 79401-1234"
    # both a labelled ZIP and a ZIP+4; the fax number also looks like a phone number.
    text = "SSN 123-45-6789; ZIP 79401-1234; fax (806) 555-0199"

    assert kinds_and_texts(text) == [
        ("ssn", "123-45-6789"),
        ("zip", "79401-1234"),
        ("fax", "(806) 555-0199"),
    ]


def test_resolve_keeps_the_longest_then_the_most_specific_and_lets_shields_win():
    found = _scanner.resolve(
        iter(
            [
                (0, 5, "name"),
                (0, 9, "date"),  # longest wins over the name
                (20, 30, "phone"),
                (20, 30, "ssn"),  # same stretch: the more specific kind
                (40, 50, "url"),
                (38, 45, _scanner.SHIELD),  # overlaps the link: nothing is reported there
            ]
        ),
        60,
    )

    assert found == [(0, 9, "date"), (20, 30, "ssn")]


def test_scan_findings_are_sorted_and_never_overlap():
    text = " ".join(item[0] for item in IDENTIFIERS)

    found = phi.scan(text)

    assert len(found) >= len(IDENTIFIERS) - 3
    for before, after in itertools.pairwise(found):
        assert before.end <= after.start


def test_scan_a_100_kb_text_finds_every_planted_identifier():
    paragraph = (
        "Tweetorial 🧵 on #MPNsm: JAK2 V617F, CALR, NCCN v2.2023, ruxolitinib 15 mg BID, "
        "R-CHOP x6, NCT04222595, doi:10.1056/NEJMoa2034577, Dr. Pemmaraju's slides at #ASH23. "
        "Case: pt J.D., MRN 00123456, DOB 3/14/1961, a 92-year-old from Lubbock, call "
        "806-555-0134.\n"
    )
    text = paragraph * (100_000 // len(paragraph) + 1)

    found = phi.scan(text)

    assert len(text) > 100_000
    copies = text.count(paragraph)
    assert [f.kind for f in found] == ["name", "mrn", "date", "age", "location", "phone"] * copies
    assert all(text[f.start : f.end] == f.text for f in found)


@pytest.mark.parametrize(
    "text",
    [
        "\x00" * 100_000,
        "1" * 200_000,
        "A" * 200_000,
        "Mrs. " * 20_000,
        "@" * 100_000,
        "http://" + "a" * 100_000,
        "a." * 100_000,
        "1/" * 100_000,
        ":" * 100_000,
        "\ud800 lone surrogate, DOB 3/14/1961",
        "\u2028\u2029\x0b\x0c" * 1000 + "MRN 00123456",
    ],
    ids=[
        "nul",
        "digits",
        "capitals",
        "honorifics",
        "ats",
        "long-url",
        "dots",
        "slashes",
        "colons",
        "surrogate",
        "separators",
    ],
)
def test_scan_survives_hostile_text(text):
    found = phi.scan(text)

    assert all(text[f.start : f.end] == f.text for f in found)
    assert all(f.kind in phi.KINDS for f in found)


def test_scan_of_nothing_is_nothing():
    assert phi.scan("") == []


def test_scan_allowed_domains_and_handles_replace_the_configured_lists():
    text = "see https://intranet.example.org/case/7 and her daughter @maria_a"

    assert kinds_and_texts(text) == [
        ("url", "https://intranet.example.org/case/7"),
        ("other_id", "@maria_a"),
    ]
    assert phi.scan(text, allowed_domains=["example.org"], allowed_handles=["@Maria_A"]) == []


@override_settings(
    PHI_ALLOWED_DOMAINS=["tumorboard.example"],
    PHI_ALLOWED_HANDLES=["maria_a"],
    SITE_URL="https://network.example",
)
def test_scan_uses_the_domains_and_handles_organizers_added_and_the_site_itself():
    text = (
        "slides at https://tumorboard.example/2023 and https://network.example/sessions/4 — "
        "her daughter @maria_a"
    )

    assert phi.scan(text) == []
    assert "tumorboard.example" in phi.allowed_domains()
    assert "network.example" in phi.allowed_domains()
    assert "maria_a" in phi.allowed_handles()


def test_scan_without_django_settings_uses_the_defaults(monkeypatch, request):
    class Unconfigured:
        configured = False

    monkeypatch.setattr(phi, "settings", Unconfigured())
    phi._settings.cache_clear()
    request.addfinalizer(phi._settings.cache_clear)

    assert phi.allowed_domains() == phi.DEFAULT_ALLOWED_DOMAINS
    assert phi.allowed_handles() == phi.DEFAULT_ALLOWED_HANDLES
    assert kinds_and_texts("https://doi.org/10.1/x and MRN 00123456") == [("mrn", "00123456")]


def test_scan_a_subdomain_of_an_allowed_domain_is_allowed_but_a_lookalike_is_not():
    assert phi.scan("https://onlinelibrary.wiley.com/doi/10.1002/ajh.27000") == []
    assert kinds_and_texts("https://nejm.org.evil.example/maria") == [
        ("url", "https://nejm.org.evil.example/maria")
    ]


def test_scan_personal_email_is_flagged_but_a_society_address_is_not():
    assert kinds_and_texts("mail luis@yahoo.com") == [("email", "luis@yahoo.com")]
    assert phi.scan("abstracts@hematology.org") == []


def test_finding_is_frozen_and_serializes_without_its_letter():
    finding = phi.scan("MRN 00123456")[0]

    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.kind = "date"  # type: ignore[misc]
    assert finding.as_dict() == {"kind": "mrn", "start": 4, "end": 12, "text": "00123456"}


def test_every_kind_has_a_safe_harbor_letter_and_a_label():
    assert set(phi.KINDS) == set(phi.LABELS)
    assert set(phi.LETTERS.values()) <= set("ABCDEFGHIJKLMNOPQR")
    assert phi.KINDS == (
        "name",
        "location",
        "address",
        "zip",
        "date",
        "age",
        "phone",
        "fax",
        "email",
        "ssn",
        "mrn",
        "health_plan",
        "account",
        "license",
        "vehicle",
        "device",
        "url",
        "ip",
        "other_id",
    )


def test_highlight_marks_each_finding_in_escaped_text():
    text = '<b>Mrs. Alvarez</b> & "DOB 3/14/1961"'

    html = phi.highlight(text, phi.scan(text))

    assert str(html) == (
        "&lt;b&gt;Mrs. "
        '<mark class="phi" data-kind="name" title="Possible patient identifier: name '
        '(Safe Harbor A)">Alvarez</mark>&lt;/b&gt; &amp; &quot;DOB '
        '<mark class="phi" data-kind="date" title="Possible patient identifier: date '
        '(Safe Harbor C)">3/14/1961</mark>&quot;'
    )


def test_highlight_of_hostile_text_and_findings_stays_well_formed():
    text = "<script>alert(1)</script> MRN 00123456"
    good = phi.scan(text)[0]
    hostile = [
        good,
        phi.Finding("date", 2, 1, "", "C"),  # ends before it starts
        phi.Finding("date", 30, 500, "", "C"),  # past the end
        phi.Finding("name", good.start + 1, good.end, "", "A"),  # overlaps the first
        phi.Finding('x" onmouseover="alert(1)', 0, 3, "<sc", "R"),  # not a kind
    ]

    html = str(phi.highlight(text, hostile))

    assert "<script>" not in html
    assert html.count("<mark") == 1
    assert "onmouseover" not in html
    assert html.startswith("&lt;script&gt;alert(1)&lt;/script&gt; MRN <mark")


def test_highlight_without_findings_is_the_escaped_text():
    assert str(phi.highlight("a < b", [])) == "a &lt; b"


def test_describe_counts_findings_by_kind_in_whole_words():
    found = phi.scan("Mrs. Alvarez and her daughter Maria, DOB 3/14/1961")

    assert phi.describe(found) == "2 names and 1 date"
    assert phi.describe(phi.scan("a 92-year-old")) == "1 age over 89"
    assert phi.describe([]) == ""


# Edges of each family: what is found, and what is left alone, exactly.
EDGES = [
    ("VIN JH4KA8260MC000000 on file", [("vehicle", "JH4KA8260MC000000")]),
    ("ABCDEFGHJKLMNPRST", []),
    ("(see https://x.example/a)", [("url", "https://x.example/a")]),
    ("x-https://example.net/p", []),
    ("patients.in today", []),
    ("gofundme.com", [("url", "gofundme.com")]),
    ("t.co/abc", [("url", "t.co/abc")]),
    ("C#minor and x#tag", []),
    ("12 Oak Dr Lubbock", [("address", "12 Oak Dr")]),
    ("Dr Smith saw her", []),
    ("an MD degree", []),
    ("x@@y and a@b", []),
    ("a::b::c", []),
    ("2001:db8:0:0:0:0:2:1", [("ip", "2001:db8:0:0:0:0:2:1")]),
    ("999.1.1.1", []),
    ("1.192.168.1.1", []),
    ("x806-555-0134", []),
    ("806-555-0134.5", []),
    ("+1 23 45", []),
    ("8065550134", []),
    ("call 806-555-0134 ext. 12", [("phone", "806-555-0134 ext. 12")]),
    ("000-12-3456 and 666-12-3456 and 900-12-3456", []),
    ("MRN ABCD1", []),
    ("policy 2023", []),
    ("ZIP 1234A", []),
    ("SSN 12345678", []),
    ("ID AB12C", []),
    ("x-79401-1234", []),
    ("/12 Oak Street", []),
    ("PO Box 12", [("address", "PO Box 12")]),
    ("13/13/2020", []),
    ("0/12/2020", []),
    ("seen 3/4", [("date", "3/4")]),
    ("born in 1961", []),
    ("temp 98 F", []),
    ("aged 95 mg", []),
    ("a 92-year-old (LBA3)", [("age", "92-year-old")]),
    ("in Houston", []),
    ("Sloan Kettering, NY", []),
    ("Presented New Haven, CT", [("location", "New Haven")]),
    ("Memorial County", []),
    ("pt CR", []),
    ("patient Education", []),
    ("pt Xyzzy 7", []),
    ("pt U.S.", []),
    ("U.S. was", []),
    ("his son Hospital", []),
    ("a trial called Polarix", []),
    ("The Patient presented", []),
    ("Xyzzy presented", []),
]


@pytest.mark.parametrize(("text", "expected"), EDGES)
def test_scan_edges(text, expected):
    assert kinds_and_texts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Thrilled to share our paper in Blood Advances! Huge thanks to my mentor Ana Lopez and "
        "the whole team at Mayo Clinic Rochester.",
        "Join us Monday, Dec 11 at 7 PM EST for #HemeOncJC discussing the VIALE-A trial "
        "(DiNardo et al, NEJM 2020).",
        "My patient asked me today whether she could still travel to Mexico after CAR-T.",
        "A 34-year-old woman presented with fatigue, Hb 6.2 g/dL, MCV 112 fL, and LDH 2,300.",
        "Congrats to Dr. Maria Gonzalez on her ASH Scholar Award! So well deserved.",
        "Fellows: apply by January 15 for the ASH Clinical Research Training Institute.",
        "Tumor board Tuesday 7:30 am, conference room B. Cases from Dr. Khan and Dr. Lee.",
        "Dose: venetoclax 400 mg daily days 1-28 with azacitidine 75 mg/m2 days 1-7, q28 days.",
        "Grateful to present our poster #1234 at #ASH23 in San Diego on Saturday, December 9.",
        "Listen to the latest episode of the HemOnc Pulse podcast with Sarah Johnson, MD.",
        "Read the guideline at nccn.org and the update at ascopubs.org/doi/10.1200/JCO.22.02807",
        "New FDA approval (Nov 2023): pirtobrutinib for R/R CLL after BTKi and BCL2i.",
        "Pt is a 67 yo M with h/o CAD, DM2, presented with 2 wk of night sweats; WBC 87k.",
        "Visiting professor lecture at UCSF on June 5: 'Advances in myeloma' by Prof. Rajkumar.",
        "Follow @ASH_hematology and @theNCI for updates. DM me for slides!",
        "Server CPU, PostgreSQL CPU and Client CPU are shares of the machine.",
    ],
)
def test_scan_leaves_everyday_professional_posts_alone(text):
    assert phi.scan(text) == []


def test_scan_flags_a_relative_and_a_patient_named_in_a_reflection():
    text = "The patient's husband John was at the bedside. Ms. Smith from our clinic taught me."

    assert kinds_and_texts(text) == [("name", "John"), ("name", "Smith")]
