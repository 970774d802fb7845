"""The PHI guard on a labeled corpus: recall per kind, precision, MB/s, against scrubadub and
Presidio's pattern recognizers on the same posts in the same run.

The corpus is generated here with a fixed seed: tweetorials, case posts, live posts from
meetings and journal-club threads, written with their own word lists (never the guard's, so
the benchmark does not measure the guard against itself). Patient identifiers are the gold
spans; clinicians, meetings, drugs, genes, doses, lab values, trial ids, DOIs and journal
links are the traps. `python -m bench.phi sample` prints a few posts with their gold spans.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from bench import REPO_ROOT, target

TITLE = "PHI guard: patient identifiers in posts"
SEED = 20261203
POSTS = 2400
TARGET_MB_PER_S = 2.0
TARGET_PRECISION = 0.85
STRUCTURED = (
    "date",
    "age",
    "phone",
    "fax",
    "email",
    "ssn",
    "mrn",
    "health_plan",
    "url",
    "ip",
    "zip",
    "address",
    "device",
)
TARGET_RECALL = {**dict.fromkeys(STRUCTURED, 0.95), "name": 0.90, "location": 0.90}

# ---------------------------------------------------------------------------------------------
# The generator's own vocabulary (patients are invented; clinicians are made-up names too).

PATIENT_FIRST = [
    "Maria",
    "Luis",
    "Rosa",
    "Ahmed",
    "Fatima",
    "Wei",
    "Mei",
    "Priya",
    "Ravi",
    "Chinedu",
    "Ngozi",
    "Kwame",
    "Ama",
    "Olga",
    "Dmitri",
    "Sofia",
    "Mateo",
    "Camila",
    "Diego",
    "Valentina",
    "Jamal",
    "Aisha",
    "Tyrone",
    "Keisha",
    "Brandon",
    "Tiffany",
    "Dustin",
    "Crystal",
    "Hector",
    "Lupe",
    "Guadalupe",
    "Esperanza",
    "Ignacio",
    "Consuelo",
    "Thanh",
    "Minh",
    "Hoa",
    "Kenji",
    "Yuki",
    "Hiroshi",
    "Sunita",
    "Arjun",
    "Deepak",
    "Lakshmi",
    "Mohammed",
    "Yusuf",
    "Layla",
    "Omar",
    "Noor",
    "Samir",
    "Ingrid",
    "Lars",
    "Astrid",
    "Bjorn",
    "Siobhan",
    "Declan",
    "Niamh",
    "Colm",
    "Marisol",
    "Rogelio",
    "Yolanda",
    "Everett",
    "Loretta",
    "Wilbur",
    "Mabel",
    "Clarence",
    "Edna",
    "Harold",
    "Dolores",
    "Ernest",
    "Bernice",
    "Earl",
    "Gladys",
    "Vernon",
    "Opal",
    "Delbert",
    "Imogene",
    "Rufus",
    "Velma",
    "Cletus",
    "Ruthie",
    "Dwayne",
    "Shonda",
]
PATIENT_LAST = [
    "Alvarez",
    "Okafor",
    "Nguyen",
    "Haddad",
    "Kowalski",
    "Fitzgerald",
    "Delgado",
    "Oyelaran",
    "Takahashi",
    "Petrov",
    "Lindqvist",
    "Mahmoud",
    "Castellanos",
    "Villarreal",
    "Boateng",
    "Chakraborty",
    "Iyer",
    "Whitfield",
    "Pruitt",
    "Hollingsworth",
    "Begay",
    "Tsosie",
    "Yazzie",
    "Kealoha",
    "Fonoti",
    "Brannigan",
    "Szymanski",
    "Novak",
    "Horvath",
    "Gallagher",
    "Quispe",
    "Mamani",
    "Huerta",
    "Zamora",
    "Ochoa",
    "Barajas",
    "Trujillo",
    "Benavides",
    "Escobedo",
    "Mwangi",
    "Otieno",
    "Achterberg",
    "Vasquez",
    "Oduya",
]
RELATIVES = ["daughter", "son", "husband", "wife", "sister", "brother", "granddaughter", "nephew"]
TOWNS = """
Lubbock Muleshoe Lamesa Levelland Plainview Brownfield Snyder Post Littlefield Dimmitt Odessa
Midland Amarillo Abilene Hobbs Clovis Roswell Tucumcari Alpine Pecos Marfa Uvalde Eagle\u00a0Pass
Del\u00a0Rio Laredo Harlingen Weslaco Edinburg Kingsville Alice Beeville Victoria Bay\u00a0City
El\u00a0Campo Wharton Conroe Huntsville Lufkin Nacogdoches Tyler Longview Texarkana Paris
Sherman Denison Gainesville Decatur Weatherford Stephenville Brownwood Kerrville Fredericksburg
Boerne Seguin Lockhart Bastrop Elgin Taylor Temple Killeen Waco Corsicana Athens Palestine
Bemidji Hibbing Ely Grand\u00a0Marais Ashland Rhinelander Wausau Marquette Escanaba Houghton
Kalispell Havre Glasgow Miles\u00a0City Sheridan Gillette Casper Rawlins Moab Blanding
""".replace("\u00a0", "_").split()
TOWNS = [town.replace("_", " ") for town in TOWNS]
COUNTIES = ["Hale", "Lynn", "Terry", "Hockley", "Cochran", "Yoakum", "Gaines", "Dawson", "Garza"]
STATES = ["TX", "NM", "OK", "MN", "WI", "MI", "MT", "WY", "UT"]
STREET_NAMES = ["Oak", "Pecan", "Mesquite", "Cedar", "Juniper", "Maple", "Elm", "Quaker", "Slide"]
STREET_TYPES = ["Street", "St", "Avenue", "Ave", "Road", "Rd", "Drive", "Lane", "Ln", "Court"]
MAIL_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "aol.com"]
FUNDRAISERS = [
    "gofundme.com/f/help-{first}-{last}",
    "https://www.gofundme.com/f/{first}-{last}-leukemia-fund",
    "https://www.caringbridge.org/visit/{first}{last}",
    "mealtrain.com/trains/{code}",
    "https://www.instagram.com/{first}_fights_aml",
    "https://{first}{last}strong.blogspot.com",
    "https://www.facebook.com/groups/team{first}{last}",
]

CLINICIANS = [
    "Dr. Pemmaraju",
    "Dr. Naveen Okonkwo",
    "Prof. Ayesha Rahman",
    "Dr. Lisa Chen",
    "Dr. Tomás Ribeiro",
    "Dr. Helen Marsh",
    "Prof. Klaus Brenner",
    "Dr. Ama Mensah",
    "Dr. Sam Patel",
    "Dr. Ruth Goldberg",
]
CREDENTIALED = ["Sarah Lee, MD", "Omar Haddad, MD, PhD", "Julia Weiss, PharmD", "Ken Ito, DO"]
CLINICIAN_HANDLES = ["@doctorpemm", "@hemedoc_lisa", "@MarshHeme", "@AmaMensahMD", "@onc_sam"]
SOCIETY_HANDLES = ["@ASH_hematology", "@ASCO", "@EHA_Hematology", "@NCCN", "@JCO_ASCO"]
MEETINGS = ["#ASH23", "#ASH24", "#ASCO24", "#ASCO25", "#EHA2025", "#BMTTandem", "#ESMO24"]
MEETING_CITIES = ["San Diego", "Chicago", "Madrid", "Orlando", "Barcelona", "Milan"]
MEETING_DAYS = ["December 9", "Dec 7", "June 1", "May 31", "June 13", "February 21"]
DRUGS = [
    "venetoclax",
    "azacitidine",
    "ruxolitinib",
    "fedratinib",
    "momelotinib",
    "imatinib",
    "dasatinib",
    "ponatinib",
    "asciminib",
    "ibrutinib",
    "acalabrutinib",
    "zanubrutinib",
    "daratumumab",
    "teclistamab",
    "talquetamab",
    "blinatumomab",
    "inotuzumab",
    "gilteritinib",
    "midostaurin",
    "ivosidenib",
    "olutasidenib",
    "luspatercept",
    "emicizumab",
    "caplacizumab",
]
REGIMENS = ["R-CHOP x6", "Pola-R-CHP", "7+3", "VRd", "Dara-VRd", "HyperCVAD", "FLAG-Ida", "ABVD"]
GENES = ["JAK2 V617F", "CALR type 1", "MPL W515L", "FLT3-ITD", "NPM1", "TP53", "IDH1 R132H"]
GENES += ["BCR::ABL1", "t(9;22)", "t(15;17)", "del(17p)", "CD34+", "CD19", "BCMA", "GPRC5D"]
JOURNALS = [
    "https://www.nejm.org/doi/full/10.1056/NEJMoa{n}",
    "https://ashpublications.org/blood/article/{n}",
    "https://ascopubs.org/doi/10.1200/JCO.23.{n}",
    "https://pubmed.ncbi.nlm.nih.gov/{n}/",
    "https://doi.org/10.1016/S1470-2045(24){n}-5",
    "https://clinicaltrials.gov/study/NCT0{n}",
    "https://www.thelancet.com/journals/lanhae/article/PIIS2352-3026(24){n}/fulltext",
    "https://www.hematology.org/meetings/annual-meeting",
    "https://www.nccn.org/guidelines/category_1",
]


@dataclass
class Post:
    kind: str
    text: str = ""
    gold: list[tuple[int, int, str]] = field(default_factory=list)

    def add(self, piece: str, kind: str | None = None) -> None:
        if kind:
            self.gold.append((len(self.text), len(self.text) + len(piece), kind))
        self.text += piece


class Writer:
    """Pieces of posts: each method returns (text, gold kind or None) pieces."""

    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    def pick(self, items: list[str]) -> str:
        return self.r.choice(items)

    # traps -------------------------------------------------------------------------------
    def trap(self) -> str:
        r = self.r
        options: list[Callable[[], str]] = [
            lambda: f"{self.pick(DRUGS)} {r.choice([50, 100, 200, 400])} mg daily",
            lambda: f"{self.pick(REGIMENS)} then ASCT on day +{r.choice([30, 100, 180])}",
            lambda: f"{self.pick(GENES)} positive",
            lambda: f"ECOG {r.randint(0, 2)}, HScore > {r.randint(150, 250)}",
            lambda: f"{r.choice([375, 750, 1000])} mg/m2 on D1",
            lambda: f"NCCN v{r.randint(1, 4)}.{r.randint(2019, 2025)}",
            lambda: f"NCT0{r.randint(1000000, 6999999)}",
            lambda: f"abstract {r.randint(100, 12000)}",
            lambda: f"ASH {r.randint(2015, 2025)}",
            lambda: f"in {r.randint(2012, 2025)}",
            lambda: (
                f"doi:10.{r.randint(1000, 9999)}/blood.{r.randint(2019, 2025)}{r.randint(10000, 99999)}"
            ),
            lambda: self.pick(JOURNALS).format(n=r.randint(10000000, 39999999)),
            lambda: (
                f"WBC {r.randint(1, 90)}.{r.randint(0, 9)}, Hgb {r.randint(6, 15)}.{r.randint(0, 9)}, plt {r.randint(8, 900)}k"
            ),
            lambda: f"LDH {r.randint(200, 4000):,} U/L, ferritin {r.randint(300, 90000):,}",
            lambda: (
                f"grade {r.choice(['3/4', '3', '2'])} {r.choice(['neutropenia', 'CRS', 'ICANS'])}"
            ),
            lambda: (
                f"median OS {r.randint(8, 60)}.{r.randint(0, 9)} months (HR 0.{r.randint(40, 90)}, 95% CI 0.{r.randint(30, 60)}-0.{r.randint(61, 99)})"
            ),
            lambda: f"n={r.randint(40, 1500):,}, p=0.0{r.randint(1, 49)}",
            lambda: f"a {r.randint(19, 89)}-year-old",
            lambda: f"stage {self.pick(['I', 'II', 'III', 'IV', 'IVB'])}",
            lambda: f"{self.pick(CLINICIANS)}'s tweetorial",
            lambda: f"great talk by {self.pick(CLINICIANS)}",
            lambda: f"h/t {self.pick(CLINICIAN_HANDLES)} and {self.pick(SOCIETY_HANDLES)}",
            lambda: f"{self.pick(CREDENTIALED)} presented the data",
            lambda: (
                f"{self.pick(MEETINGS)} opens {self.pick(MEETING_DAYS)} in {self.pick(MEETING_CITIES)}"
            ),
            lambda: f"C{r.randint(1, 6)}D{r.choice([1, 8, 15])}",
            lambda: f"BP {r.randint(90, 160)}/{r.randint(50, 95)}, HR {r.randint(60, 130)}",
            lambda: f"Tmax {r.choice(['101.2', '102', '100.9'])} F",
            lambda: f"{r.randint(2, 6)}/{r.randint(7, 20)} responded",
            lambda: f"the {self.pick(['phase 3', 'phase 2', 'randomized'])} trial",
            lambda: f"join #HemeOncJC {self.pick(['Thursday', 'Monday'])} 9 pm ET",
        ]
        return r.choice(options)()

    def held_out(self, post: Post, kind: str) -> None:
        before, value, after = self.r.choice(HELD_OUT[kind])(self)
        post.add(before)
        post.add(value, kind)
        post.add(after)

    # identifiers -------------------------------------------------------------------------
    def identifier(self, post: Post, kind: str) -> None:
        r = self.r
        first, last = self.pick(PATIENT_FIRST), self.pick(PATIENT_LAST)
        digits = lambda n: "".join(str(r.randint(0, 9)) for _ in range(n))  # noqa: E731
        area = str(r.randint(201, 989))
        if kind == "name":
            form = r.randint(0, 6)
            if form == 0:
                post.add(f"{self.pick(['Mrs.', 'Mr.', 'Ms.', 'Mrs', 'Mr'])} ")
                post.add(last, "name")
            elif form == 1:
                post.add(f"{self.pick(['pt', 'patient', 'Pt'])} ")
                post.add(f"{first[0]}.{last[0]}.", "name")
            elif form == 2:
                post.add(f"{self.pick(['her', 'his', 'their'])} {self.pick(RELATIVES)} ")
                post.add(self.pick(PATIENT_FIRST), "name")
            elif form == 3:
                post.add(first, "name")
                post.add(f", {r.randint(20, 80)}, presented with")
            elif form == 4:
                post.add(f"{first} {last}", "name")
                post.add(f" {self.pick(['was admitted', 'underwent', 'received', 'developed'])}")
            elif form == 5:
                post.add(f"{self.pick(['patient', 'pt'])} ")
                post.add(first, "name")
            else:
                post.add(f"{first[0]}.{last[0]}.", "name")
                post.add(f", a {r.randint(20, 80)}-year-old")
        elif kind == "date":
            month = self.pick(["March", "June", "Sept", "Oct", "January", "Aug"])
            form = r.randint(0, 6)
            if form == 0:
                post.add("DOB ")
                post.add(f"{r.randint(1, 12)}/{r.randint(1, 28)}/{r.randint(1930, 1999)}", "date")
            elif form == 1:
                post.add(f"{self.pick(['admitted', 'admitted on', 'discharged'])} ")
                post.add(f"{month} {r.randint(1, 28)}{self.pick(['', 'th', ''])}", "date")
            elif form == 2:
                post.add(f"{self.pick(['seen', 'biopsied', 'transplanted'])} ")
                post.add(f"{month} {r.randint(1, 28)}, {r.randint(2019, 2025)}", "date")
            elif form == 3:
                post.add("born ")
                post.add(f"{r.randint(1, 28)}-{month[:3]}-{r.randint(1930, 1999)}", "date")
            elif form == 4:
                post.add(f"{self.pick(['diagnosed', 'relapsed', 'admitted'])} on ")
                post.add(
                    f"{r.randint(2019, 2025)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}", "date"
                )
            elif form == 5:
                post.add(f"{self.pick(['discharged', 'readmitted', 'seen in clinic'])} ")
                post.add(f"{r.randint(1, 12)}/{r.randint(1, 28)}", "date")
            else:
                post.add("diagnosed in ")
                post.add(f"{month} {r.randint(2015, 2025)}", "date")
        elif kind == "age":
            n = r.randint(90, 104)
            form = r.randint(0, 4)
            post.add("a " if form in (0, 4) else "")
            piece = [
                f"{n}-year-old",
                f"{n} yo",
                f"{n}{self.pick(['F', 'M'])}",
                f"aged {n}",
                f"{n} year old",
            ][form]
            post.add(piece, "age")
            post.add(
                f" {self.pick(['with AML', 'woman', 'man', 'with MDS', 'on VTE prophylaxis'])}"
            )
        elif kind == "phone":
            form = r.randint(0, 3)
            number = [
                f"{area}-555-{digits(4)}",
                f"({area}) 555-{digits(4)}",
                f"{area}.555.{digits(4)}",
                f"+1 {area} 555 {digits(4)}",
            ][form]
            post.add(f"{self.pick(['call', 'her cell', 'his number is', 'reach the family at'])} ")
            post.add(number, "phone")
        elif kind == "fax":
            post.add(f"{self.pick(['fax records to', 'Fax:', 'F:', 'fax'])} ")
            post.add(f"({area}) 555-{digits(4)}", "fax")
        elif kind == "email":
            post.add(f"{self.pick(['email', 'her son wrote from', 'contact'])} ")
            post.add(
                f"{first.lower()}.{last.lower()}{r.randint(1, 99)}@{self.pick(MAIL_DOMAINS)}",
                "email",
            )
        elif kind == "ssn":
            post.add(f"{self.pick(['SSN', 'SSN:', 'social security number'])} ")
            post.add(f"{r.randint(100, 665)}-{r.randint(10, 99)}-{digits(4)}", "ssn")
        elif kind == "mrn":
            post.add(f"{self.pick(['MRN', 'MRN:', 'MRN#', 'medical record number'])} ")
            post.add(f"{self.pick(['', '00', 'E'])}{digits(7)}", "mrn")
        elif kind == "health_plan":
            label = self.pick(["member ID", "Medicaid ID", "policy number", "Medicare number"])
            post.add(f"{label} ")
            value = (
                f"{r.randint(1, 9)}EG4-TE5-MK{digits(2)}"
                if "Medicare" in label
                else f"{self.pick(['W', 'XKJ', 'MBR', ''])}{digits(9)}"
            )
            post.add(value, "health_plan")
        elif kind == "device":
            post.add(
                f"{self.pick(['pump serial number', 'pacemaker SN', 'port serial #', 'CGM serial'])} "
            )
            post.add(
                f"{self.pick(['PX', 'MDT', 'A'])}-{digits(5)}-{self.pick(['A', 'K', '7'])}",
                "device",
            )
        elif kind == "url":
            template = self.pick(FUNDRAISERS)
            post.add(f"{self.pick(['please share', 'donate:', 'updates at', 'their page'])} ")
            post.add(template.format(first=first.lower(), last=last.lower(), code=digits(6)), "url")
        elif kind == "ip":
            post.add(f"{self.pick(['logged in from', 'IP address', 'her portal showed IP'])} ")
            post.add(
                f"{r.randint(11, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
                "ip",
            )
        elif kind == "zip":
            post.add(f"{self.pick(['ZIP', 'ZIP code', 'zip'])} ")
            post.add(f"{r.randint(10000, 99999)}", "zip")
        elif kind == "address":
            post.add(f"{self.pick(['lives at', 'home at', 'mail to'])} ")
            post.add(
                f"{r.randint(2, 9999)} {self.pick(STREET_NAMES)} {self.pick(STREET_TYPES)}",
                "address",
            )
        elif kind == "location":
            form = r.randint(0, 4)
            town = self.pick(TOWNS)
            if form == 0:
                post.add("a farmer from ")
                post.add(town, "location")
            elif form == 1:
                post.add(f"{self.pick(['lives in', 'lives near', 'drove in from'])} ")
                post.add(town, "location")
            elif form == 2:
                post.add("from ")
                post.add(town, "location")
                post.add(f", {self.pick(STATES)}")
            elif form == 3:
                post.add("from rural ")
                post.add(f"{self.pick(COUNTIES)} County", "location")
            else:
                post.add("transferred from ")
                post.add(town, "location")
        elif kind == "other_id":
            post.add(f"{self.pick(['her daughter', 'his son', 'the family'])} posts as ")
            post.add(f"@{first.lower()}_{last.lower()[:4]}{r.randint(1, 99)}", "other_id")


KINDS = [*TARGET_RECALL, "other_id"]


def _d(w: Writer, n: int) -> str:
    return "".join(str(w.r.randint(0, 9)) for _ in range(n))


# Other phrasings of each kind, written after the guard was tuned and never tuned against.
HELD_OUT: dict[str, list[Callable[[Writer], tuple[str, str, str]]]] = {
    "name": [
        lambda w: ("our patient, Mrs ", w.pick(PATIENT_LAST), ", asked to share her story"),
        lambda w: ("my patient ", w.pick(PATIENT_FIRST), " rang the bell today"),
        lambda w: ("", w.pick(PATIENT_FIRST), " is a 45 y/o with new pancytopenia"),
        lambda w: ("Grandma ", w.pick(PATIENT_FIRST), " made it to her granddaughter's wedding"),
        lambda w: (
            "initials ",
            f"{w.pick(PATIENT_FIRST)[0]}{w.pick(PATIENT_LAST)[0]}",
            " on the consent",
        ),
        lambda w: ("", f"Mr {w.pick(PATIENT_LAST)}", "'s wife brought cookies to the unit"),
    ],
    "date": [
        lambda w: (
            "DOB: ",
            f"{w.r.randint(1, 12):02d}-{w.r.randint(1, 28):02d}-{w.r.randint(1930, 1999)}",
            "",
        ),
        lambda w: (
            "on the ",
            f"{w.r.randint(4, 20)}th of {w.pick(['May', 'July', 'November'])}",
            " she was readmitted",
        ),
        lambda w: (
            "admitted ",
            f"{w.r.randint(1, 12)}/{w.r.randint(1, 28)}/{w.r.randint(19, 25)}",
            " with neutropenic fever",
        ),
        lambda w: (
            "passed away ",
            f"{w.pick(['Feb', 'Apr', 'Nov'])}. {w.r.randint(1, 28)}",
            " surrounded by family",
        ),
        lambda w: (
            "last seen in clinic ",
            f"{w.pick(['July', 'Sept'])} {w.r.randint(2019, 2024)}",
            "",
        ),
    ],
    "age": [
        lambda w: ("a ", f"{w.r.randint(90, 103)} y/o", " with AML"),
        lambda w: ("at ", f"{w.r.randint(90, 103)} years old", " she still gardens"),
        lambda w: ("", f"{w.r.randint(90, 103)}yo", " F with ITP"),
        lambda w: ("who just turned ", f"{w.r.randint(90, 103)}", ""),
    ],
    "phone": [
        lambda w: ("her number ", f"{w.r.randint(201, 989)} 555 {_d(w, 4)}", ""),
        lambda w: ("text me at ", f"({w.r.randint(201, 989)})555-{_d(w, 4)}", ""),
        lambda w: ("tel. ", f"+1-{w.r.randint(201, 989)}-555-{_d(w, 4)}", ""),
    ],
    "fax": [
        lambda w: ("records by fax to ", f"{w.r.randint(201, 989)}-555-{_d(w, 4)}", ""),
        lambda w: ("fax # ", f"{w.r.randint(201, 989)}.555.{_d(w, 4)}", ""),
    ],
    "email": [
        lambda w: (
            "her email is ",
            f"{w.pick(PATIENT_FIRST).lower()}_{_d(w, 3)}@{w.pick(MAIL_DOMAINS)}",
            "",
        ),
    ],
    "ssn": [
        lambda w: ("SS# ", f"{w.r.randint(100, 665)}-{w.r.randint(10, 99)}-{_d(w, 4)}", ""),
        lambda w: ("social ", f"{w.r.randint(100, 665)} {w.r.randint(10, 99)} {_d(w, 4)}", ""),
    ],
    "mrn": [
        lambda w: ("MR# ", _d(w, 8), ""),
        lambda w: ("chart #", _d(w, 7), ""),
        lambda w: ("hospital number ", f"H{_d(w, 7)}", ""),
    ],
    "health_plan": [
        lambda w: ("insurance ID ", f"{w.pick(['ZGP', 'YLX'])}{_d(w, 9)}", ""),
        lambda w: ("Medicaid # ", _d(w, 10), ""),
    ],
    "url": [
        lambda w: (
            "venmo for her meds: ",
            f"venmo.com/u/{w.pick(PATIENT_FIRST)}-{w.pick(PATIENT_LAST)}",
            "",
        ),
        lambda w: (
            "her blog ",
            f"https://{w.pick(PATIENT_FIRST).lower()}vsleukemia.wordpress.com",
            "",
        ),
        lambda w: ("donate ", f"https://gofund.me/{_d(w, 8)}", ""),
    ],
    "ip": [
        lambda w: (
            "from IP ",
            f"{w.r.randint(11, 223)}.{w.r.randint(0, 255)}.{w.r.randint(0, 255)}.{w.r.randint(1, 254)}",
            "",
        )
    ],
    "zip": [
        lambda w: ("zip code ", f"{w.r.randint(10000, 99999)}", ""),
        lambda w: ("Lubbock TX ", f"{w.r.randint(79401, 79499)}", ""),
    ],
    "address": [
        lambda w: ("she lives on ", f"{w.r.randint(100, 999)} W {w.pick(STREET_NAMES)} Ave", ""),
        lambda w: ("home: ", f"{w.r.randint(2, 99)} {w.pick(STREET_NAMES)} Lane", ""),
    ],
    "device": [
        lambda w: ("her LVAD serial ", f"HM{_d(w, 6)}", ""),
        lambda w: ("insulin pump S/N ", f"{w.pick(['NG', 'TX'])}{_d(w, 7)}", ""),
    ],
    "location": [
        lambda w: ("a rancher near ", w.pick(TOWNS), ""),
        lambda w: ("back home in ", w.pick(TOWNS), ""),
        lambda w: ("from outside ", w.pick(TOWNS), ""),
        lambda w: ("grew up in ", w.pick(TOWNS), ""),
    ],
    "other_id": [
        lambda w: ("his daughter tweets as ", f"@{w.pick(PATIENT_FIRST).lower()}{_d(w, 2)}", "")
    ],
}


def corpus(posts: int = POSTS, seed: int = SEED, *, held_out: bool = False) -> list[Post]:
    rng = random.Random(seed)
    writer = Writer(rng)
    styles = ["tweetorial", "case", "live", "journal_club"]
    out = []
    for number in range(posts):
        style = styles[number % len(styles)]
        post = Post(style)
        opener = {
            "tweetorial": f"1/ A #tweetorial on {writer.pick(DRUGS)} in {writer.pick(['MPN', 'AML', 'CLL', 'myeloma', 'ITP'])} #hemetwitter: ",
            "case": f"Case from clinic ({writer.pick(['#MedEd', '#HemeCase', '#OncTwitter'])}): ",
            "live": f"Live from {writer.pick(MEETINGS)}: ",
            "journal_club": f"#HOJournalClub this week: {writer.pick(JOURNALS).format(n=rng.randint(10000000, 39999999))} — ",
        }[style]
        post.add(opener)
        # Case posts carry most identifiers; the others mostly traps.
        count = rng.choice([0, 1, 1, 2, 3]) if style == "case" else rng.choice([0, 0, 0, 1])
        pieces: list[str | None] = [None] * count + ["trap"] * rng.randint(3, 7)
        rng.shuffle(pieces)
        for index, piece in enumerate(pieces):
            if index:
                post.add(rng.choice(["; ", ". ", ", ", " — ", ". Also "]))
            if piece is None:
                kind = rng.choice(KINDS)
                (writer.held_out if held_out else writer.identifier)(post, kind)
            else:
                post.add(writer.trap())
        post.add(rng.choice([".", "!", " 🧵", ". Thoughts?", " #MedTwitter"]))
        out.append(post)
    return out


# ---------------------------------------------------------------------------------------------
# The tools compared.


def _ours() -> Callable[[str], list[tuple[int, int, str]]]:
    from hemonc.core import phi

    def detect(text: str) -> list[tuple[int, int, str]]:
        return [(f.start, f.end, f.kind) for f in phi.scan(text)]

    return detect


def _scrubadub() -> Callable[[str], list[tuple[int, int, str]]]:
    import scrubadub

    scrubber = scrubadub.Scrubber()

    def detect(text: str) -> list[tuple[int, int, str]]:
        return [(f.beg, f.end, f.type) for f in scrubber.iter_filth(text)]

    return detect


def _presidio() -> Callable[[str], list[tuple[int, int, str]]]:
    # The URL and email recognizers ask tldextract, which would fetch the public suffix list:
    # use the copy it ships instead (nothing is downloaded).
    import tldextract
    import tldextract.tldextract

    tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    from presidio_analyzer import predefined_recognizers as p

    recognizers = [
        p.EmailRecognizer(),
        p.PhoneRecognizer(),
        p.IpRecognizer(),
        p.UrlRecognizer(),
        p.UsSsnRecognizer(),
        p.DateRecognizer(),
        p.CreditCardRecognizer(),
        p.UsBankRecognizer(),
        p.UsLicenseRecognizer(),
        p.UsPassportRecognizer(),
        p.UsItinRecognizer(),
        p.UsMbiRecognizer(),
        p.MedicalLicenseRecognizer(),
        p.IbanRecognizer(),
    ]

    def detect(text: str) -> list[tuple[int, int, str]]:
        found = []
        for recognizer in recognizers:
            for result in (
                recognizer.analyze(text, entities=recognizer.supported_entities, nlp_artifacts=None)
                or []
            ):
                found.append((result.start, result.end, result.entity_type))
        return found

    return detect


TOOLS: list[tuple[str, str, Callable[[], Callable[[str], list[tuple[int, int, str]]]]]] = [
    ("hemonc.core.phi", "hemonc", _ours),
    ("scrubadub", "scrubadub", _scrubadub),
    ("Presidio pattern recognizers", "presidio-analyzer", _presidio),
]


def _package_version(name: str) -> str:
    if name == "hemonc":
        return "this checkout"
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def evaluate(
    posts: list[Post], detect: Callable[[str], list[tuple[int, int, str]]]
) -> dict[str, Any]:
    """Recall per gold kind (caught: any finding overlaps it), precision, CPU MB/s."""
    found_all: list[list[tuple[int, int, str]]] = []
    started = time.process_time()
    wall = time.perf_counter()
    for post in posts:
        found_all.append(detect(post.text))
    cpu = time.process_time() - started
    wall = time.perf_counter() - wall
    # The machine is shared: the fastest of up to three passes (one only for slow tools).
    for _ in range(2 if cpu < 5 else 0):
        again = time.process_time()
        for post in posts:
            detect(post.text)
        cpu = min(cpu, time.process_time() - again)
    size = sum(len(post.text.encode()) for post in posts)
    gold_total: Counter[str] = Counter()
    gold_caught: Counter[str] = Counter()
    gold_same_kind: Counter[str] = Counter()
    predicted = correct = 0
    false_positives: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    for post, found in zip(posts, found_all, strict=True):
        for start, end, kind in post.gold:
            gold_total[kind] += 1
            overlapping = [f for f in found if f[0] < end and start < f[1]]
            if overlapping:
                gold_caught[kind] += 1
                if any(f[2] == kind for f in overlapping):
                    gold_same_kind[kind] += 1
            elif len(examples[f"missed {kind}"]) < 3:
                examples[f"missed {kind}"].append(post.text[max(0, start - 30) : end + 10])
        for start, end, kind in found:
            predicted += 1
            if any(g[0] < end and start < g[1] for g in post.gold):
                correct += 1
            else:
                false_positives[kind] += 1
                if len(examples[f"false {kind}"]) < 3:
                    examples[f"false {kind}"].append(post.text[max(0, start - 30) : end + 10])
    return {
        "recall": {k: gold_caught[k] / gold_total[k] for k in gold_total},
        "recall_same_kind": {k: gold_same_kind[k] / gold_total[k] for k in gold_total},
        "gold": dict(gold_total),
        "caught": sum(gold_caught.values()),
        "gold_total": sum(gold_total.values()),
        "predicted": predicted,
        "precision": correct / predicted if predicted else None,
        "cpu_seconds": cpu,
        "wall_seconds": wall,
        "bytes": size,
        "mb_per_s": size / cpu / 1e6 if cpu else None,
        "false_positives": dict(false_positives.most_common()),
        "examples": dict(examples),
    }


def _python_speed(posts: list[Post]) -> float:
    """MB/s of the least a word-level scan does in Python: split, one look-up per word."""
    lookup: dict[str, int] = {}
    size = sum(len(post.text.encode()) for post in posts)
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for post in posts:
            for word in post.text.split():
                lookup.get(word.lower())
        best = min(best, time.process_time() - started)
    return size / best / 1e6 if best else 0.0


def _log(message: str) -> None:
    print(f"   {time.strftime('%H:%M:%S')} {message}", flush=True)


def run(*, posts: int = POSTS) -> dict[str, Any]:
    # This checkout's guard, whatever copy of the package the virtualenv points at.
    source = str(REPO_ROOT / "src")
    if sys.path[0] != source:
        sys.path.insert(0, source)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hemonc.settings")
    import django

    django.setup()
    data = corpus(posts)
    held_out = corpus(posts // 2, SEED + 1, held_out=True)
    size = sum(len(p.text.encode()) for p in data)
    _log(f"{len(data):,} posts, {size / 1e6:.2f} MB, {sum(len(p.gold) for p in data):,} gold spans")
    results: dict[str, dict[str, Any]] = {}
    skipped: dict[str, str] = {}
    for label, package, factory in TOOLS:
        try:
            detect = factory()
            detect("warm up: Maria from Lubbock, DOB 3/14/1961")
        except Exception as error:  # a tool that does not install or start is reported
            skipped[label] = f"{error.__class__.__name__}: {error}"
            _log(f"{label}: skipped ({skipped[label]})")
            continue
        results[label] = evaluate(data, detect)
        results[label]["version"] = _package_version(package)
        results[label]["held_out"] = evaluate(held_out, detect)
        figures = results[label]
        _log(
            f"{label}: recall {figures['caught'] / figures['gold_total']:.3f}, "
            f"precision {figures['precision'] or 0:.3f}, {figures['mb_per_s'] or 0:.2f} MB/s"
        )
    ours = results["hemonc.core.phi"]
    python_mb_per_s = _python_speed(data)
    _log(f"a bare Python pass over the words: {python_mb_per_s:.1f} MB/s")
    labels = list(results)
    kinds = [k for k in KINDS if k in ours["gold"]]

    def cell(label: str, kind: str) -> str | None:
        value = results[label]["recall"].get(kind)
        return f"{value:.3f}" if value is not None else None

    recall_rows = [
        {
            "kind": kind,
            "gold": ours["gold"][kind],
            "target": TARGET_RECALL.get(kind),
            **{f"r{i}": cell(label, kind) for i, label in enumerate(labels)},
            "same_kind": f"{ours['recall_same_kind'][kind]:.3f}",
        }
        for kind in kinds
    ]
    summary_rows = [
        {
            "tool": label,
            "version": results[label]["version"],
            "recall": f"{results[label]['caught'] / results[label]['gold_total']:.3f}",
            "precision": f"{results[label]['precision']:.3f}"
            if results[label]["precision"] is not None
            else None,
            "findings": results[label]["predicted"],
            "mb_per_s": round(results[label]["mb_per_s"], 2),
            "cpu_seconds": round(results[label]["cpu_seconds"], 2),
        }
        for label in labels
    ]
    held_rows = [
        {
            "kind": kind,
            "gold": ours["held_out"]["gold"].get(kind, 0),
            **{
                f"r{i}": f"{results[label]['held_out']['recall'][kind]:.3f}"
                if kind in results[label]["held_out"]["recall"]
                else None
                for i, label in enumerate(labels)
            },
        }
        for kind in KINDS
        if kind in ours["held_out"]["gold"]
    ]
    held_rows.append(
        {
            "kind": "precision (all kinds)",
            "gold": None,
            **{
                f"r{i}": f"{results[label]['held_out']['precision']:.3f}"
                if results[label]["held_out"]["precision"] is not None
                else None
                for i, label in enumerate(labels)
            },
        }
    )
    targets = [
        target(
            subject="hemonc.core.phi",
            name=f"recall {kind}",
            measured=round(ours["recall"].get(kind, 0.0), 3),
            op=">=",
            limit=limit,
        )
        for kind, limit in TARGET_RECALL.items()
    ]
    targets.append(
        target(
            subject="hemonc.core.phi",
            name="precision (all kinds)",
            measured=round(ours["precision"], 3),
            op=">=",
            limit=TARGET_PRECISION,
        )
    )
    targets.append(
        target(
            subject="hemonc.core.phi",
            name="MB of text per CPU second",
            measured=round(ours["mb_per_s"], 2),
            op=">=",
            limit=TARGET_MB_PER_S,
        )
    )
    notes = [
        "A gold identifier counts as caught when any finding of the tool overlaps it, whatever "
        "kind the tool calls it (a guard only has to stop it); `Same kind` is the share the "
        "guard also named correctly. A finding counts as correct when it overlaps a gold "
        "identifier; every other finding is a false alarm, which precision counts.",
        f"The corpus: {len(data):,} posts ({size / 1e6:.2f} MB, seed {SEED}) generated by "
        "bench/phi.py with its own word lists (patients, towns, clinicians, meetings, drugs, "
        "genes), never the guard's: tweetorials, case posts, live posts from meetings and "
        "journal-club threads, a quarter of each; case posts carry most identifiers.",
        "MB/s: UTF-8 bytes of all posts divided by the CPU time (process time) of the tool's "
        "calls, one call per post, in this process, the fastest of three passes for a tool "
        "that takes under 5 s (one pass for the others); the machine is shared, so wall time "
        "is kept in the JSON only. For scale, a bare Python pass over the same posts (split into "
        f"words, one dict look-up per word) ran at {python_mb_per_s:.1f} MB/s in this run: "
        f"the guard runs at {ours['mb_per_s'] / python_mb_per_s:.2f} of that.",
        "The guard's patterns were tuned while this corpus was being written, so its figures "
        "here are optimistic: the corpus shows that each kind is caught in the forms listed "
        "in docs/phi.md and that the traps stay quiet, not how it fares on posts written by "
        "others. scrubadub and Presidio were not tuned at all. The held-out table is a "
        f"second corpus ({len(held_out):,} posts, seed {SEED + 1}) whose identifiers are "
        "phrased differently (bench/phi.py `HELD_OUT`), written after the tuning and never "
        "tuned against: a fairer view of what the guard misses.",
        "scrubadub runs with its default detectors (no name detector: those need spaCy or "
        "Stanford models). Presidio: only its pattern recognizers (email, phone, IP, URL, US "
        "SSN, date, credit card, US bank, US licence, US passport, ITIN, MBI, medical licence, "
        "IBAN) called directly, without `AnalyzerEngine`, which would load a spaCy model; "
        "tldextract is pointed at the public suffix list it ships, so nothing is downloaded. "
        "Neither tool finds names or places in this setting: their zeros there are expected.",
    ]
    for label, reason in skipped.items():
        notes.append(f"{label} was skipped in this run: {reason}.")
    columns = [["kind", "Kind"], ["gold", "Gold spans"], ["target", "Target"]]
    columns += [[f"r{i}", f"Recall: {label}"] for i, label in enumerate(labels)]
    columns += [["same_kind", "Same kind (hemonc)"]]
    return {
        "summary": f"Patient identifiers in {len(data):,} generated posts ({size / 1e6:.2f} MB): "
        "recall per Safe Harbor kind, precision and speed of `hemonc.core.phi.scan`, compared "
        "in the same run on the same posts with scrubadub and Presidio's pattern recognizers.",
        "command": ".venv/bin/python -m bench phi",
        "tables": [
            {
                "title": "Overall",
                "columns": [
                    ["tool", "Tool"],
                    ["version", "Version"],
                    ["recall", "Recall (all kinds)"],
                    ["precision", "Precision"],
                    ["findings", "Findings"],
                    ["mb_per_s", "MB/s (CPU)"],
                    ["cpu_seconds", "CPU s"],
                ],
                "rows": summary_rows,
            },
            {"title": "Recall per kind", "columns": columns, "rows": recall_rows},
            {
                "title": "Held-out phrasings (recall per kind, then precision)",
                "columns": [["kind", "Kind"], ["gold", "Gold spans"]]
                + [[f"r{i}", label] for i, label in enumerate(labels)],
                "rows": held_rows,
            },
            {
                "title": "False alarms of hemonc.core.phi by kind",
                "columns": [["kind", "Kind"], ["count", "False alarms"]],
                "rows": [
                    {"kind": kind, "count": count}
                    for kind, count in ours["false_positives"].items()
                ]
                or [{"kind": "none", "count": 0}],
            },
        ],
        "targets": targets,
        "notes": notes,
        "details": {"python_word_pass_mb_per_s": round(python_mb_per_s, 2)}
        | {
            label: {k: v for k, v in figures.items() if k != "examples"}
            | {"examples": figures["examples"]}
            for label, figures in results.items()
        }
        | {"skipped": skipped},
    }


def _sample(count: int) -> None:
    for post in corpus(count):
        print(f"[{post.kind}] {post.text}")
        for start, end, kind in post.gold:
            print(f"    {kind}: {post.text[start:end]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.phi")
    commands = parser.add_subparsers(dest="command", required=True)
    sample = commands.add_parser("sample", help="print generated posts with their gold spans")
    sample.add_argument("--count", type=int, default=8)
    check = commands.add_parser("run", help="run the benchmark without writing results")
    check.add_argument("--posts", type=int, default=POSTS)
    arguments = parser.parse_args()
    if arguments.command == "sample":
        _sample(arguments.count)
    else:
        result = run(posts=arguments.posts)
        for table in result["tables"]:
            print(table["title"])
            for row in table["rows"]:
                print("  ", row)
        for label, figures in result["details"].items():
            if isinstance(figures, dict) and "examples" in figures and label.startswith("hemonc"):
                for key, values in figures["examples"].items():
                    print(key, values)


if __name__ == "__main__":
    sys.exit(main())
