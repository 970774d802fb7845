"""Word lists of the PHI guard: what names, places and medical writing look like.

Names come from the installed Faker package, countries and states from pycountry, towns from
data/places.txt (see data/README.md for sources and licences). They are loaded once, on first
use; nothing is downloaded.
"""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def _words_in(text: str) -> list[str]:
    """The words of a block of text, in order: the lists below are written as prose."""
    return text.split()


def _phrases(text: str) -> list[str]:
    """The comma-separated phrases of a block of text, in order."""
    return [phrase.strip() for phrase in text.split(",") if phrase.strip()]


NAME_LOCALES = tuple(
    _words_in(
        """
    en_US en_GB en_IN es_MX es_ES pt_BR fr_FR it_IT de_DE hi_IN
    """
    )
)

MONTHS = _words_in(
    """
    January February March April May June July August September October November December Jan
    Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
    """
)
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Words that are first names in some list but mostly something else in medical writing.
NOT_FIRST_NAMES = frozenset(
    _words_in(
        """
    Will May June April August Hope Faith Grace Joy Mark Bill Rose Iris Ruby Amber Summer Dawn
    Art Guy Sage Chance Patience Precious Destiny Miracle Major King Royal Star Sky Rich Early
    Young Long Low High Case Page Stage Day Dean Chase Cash Price Sterling Justice Honor Glory
    Noble Golden Blue Gray Grey Green Brown White Black Penny Angel Love Mercy Trinity Harmony
    Patient Doctor Nurse Stable Clear Normal Bone Marrow Blood Lane Court Way Park Field Wood
    Ward Rush Baker Cook Turner Carter Mason Hunter Cole Drew Ray Max Van Don Del Jan Mar Jun
    Jul Sept Oct Nov Dec Mon Tue Wed Thu Fri Sat Sun Pat Sol Ana Pet Ly Ty Al Ed Em Jo Lu Mo
    Crystal Jade Jewel Pearl Ivory Coral Ginger Brandy Sherry Candy Cherry Honey Olive Hazel
    Heather Holly Ivy Laurel Myrtle Poppy Daisy Violet Willow Autumn Winter Spring Rain Storm
    Story Bliss Blessing Gift Unique Empress Princess Prince Duke Earl Baron Lord Lady Sir
    Abstract Table Figure Cycle Grade Score Dose Arm Trial Study Session Poster Panel Christian
    Maxwell Sunday Monday Tuesday Friday Memory Paris London Florence Austin Houston Dallas
    Jackson Lincoln Madison Phoenix Aurora Savannah Sydney Jordan Israel Chad India Georgia
    Virginia Carolina Dakota Montana Nevada Florida Brooklyn Chelsea Devon Kent
    """
    )
)

RELATIVES = _words_in(
    """
    wife husband spouse partner son daughter child kid mother father mom mum dad mama papa
    sister brother sibling grandson granddaughter grandmother grandfather grandma grandpa
    grandchild aunt uncle niece nephew cousin caregiver fiancé fiancée fiance fiancee boyfriend
    girlfriend friend neighbor neighbour stepson stepdaughter stepmother stepfather son-in-law
    daughter-in-law mother-in-law father-in-law sister-in-law brother-in-law twin baby infant
    toddler teenager widow widower roommate employer boss coworker colleague
    """
)

# Verbs after a first name that make it a person in a story ("Maria presented with ...").
STORY_VERBS = _words_in(
    """
    presented presents was is has had developed develops underwent undergoes received receives
    reports reported complained complains died passed came comes returned returns started starts
    finished completed relapsed relapses remains remained told asked said shared wants wanted
    lives lived works worked got went rang celebrated turned continues continued tolerated
    tolerates declined chose agreed needed needs required requires felt feels noticed noted
    denies denied endorsed endorses arrived showed shows went spent underwent became becomes
    enrolled achieved achieves
    """
)

# Two- and three-letter capitals that follow "pt"/"patient" but are medicine, not initials.
MEDICAL_CAPITALS = frozenset(
    _words_in(
        """
    CR PR PD SD NR MR VGPR SCR ORR OS PFS EFS DFS RFS TTP TTF DOR MRD NED AWD DOD AE SAE AML ALL
    CLL CML MDS MM MPN MGUS SLL DLBCL FL MCL MZL HL NHL PTCL CTCL BPDCN APL JMML CMML HLH TTP
    ITP DIC TLS CRS ICANS GVHD VOD SOS PRES TMA HUS PNH SCD VTE DVT PE MI CHF CKD AKI ED ER ICU
    OR PACU BMT SCT HCT ASCT CAR CART TKI IVIG IV PO SQ SC IM PRN BID TID QID QD QOD CT MRI PET
    EKG ECG ECHO LP BM BMB FNA US XR CXR CBC CMP LFT LDH INR PT PTT ANC ALC WBC RBC HGB HCT PLT
    MCV TX DX HX RX SX FX FHX SHX PMH PSH ROS HPI ECOG KPS HIV HBV HCV CMV EBV HSV VZV RSV COVID
    TB UTI URI PNA SOB CP ABD BP HR RR SAT TEMP NPO DNR DNI POLST CODE FULL US UK EU USA NIH NCI
    FDA EMA WHO CDC NCCN ASH ASCO EHA ESMO AACR ASTCT MD DO RN NP PA OK OT SLP SW CM PCP GI ID
    ENT OB GYN PICC PORT HLA ABO RH IGG IGM IGA FISH NGS PCR
    """
    )
)

# Capitalised words after "from"/"in" that are not places.
NOT_PLACES = frozenset(
    _words_in(
        """
    The A An This That These Those Our My His Her Their Its Your We I He She They It Dr Prof
    Table Figure Fig Panel Cycle Day Week Month Year Grade Stage Arm Cohort Trial Study Phase
    Part Session Abstract Poster Slide Chapter Section Page Baseline Diagnosis Induction
    Consolidation Maintenance Transplant Relapse Remission Hospital Clinic Center Hall Ballroom
    Booth Auditorium Pavilion Centre University Institute School College Department Division
    Memorial Medical Health Cancer Oncology Hematology Haematology Sloan Kettering Mayo Anderson
    Dana Farber Hopkins Cleveland Clinic Fred Hutch Hutchinson Moffitt Penn Yale Stanford
    Harvard Duke Emory Vanderbilt Northwestern Columbia Cornell Mount Sinai Johns Methodist
    Baptist Presbyterian Mercy Children Kaiser Permanente Veterans VA Massachusetts General
    Brigham MSK MDACC Twitter X Bluesky Mastodon Instagram Facebook LinkedIn YouTube TikTok
    Threads Reddit Part Twitter PubMed Google NEJM JCO JAMA Blood Lancet Nature Science Cell
    Leukemia Haematologica Journal Annals Medicine Guidelines Guideline NCCN ASH ASCO EHA ESMO
    Hodgkin Waldenström Waldenstrom Burkitt Castleman Richter Sézary Sezary Philadelphia Fanconi
    Diamond Blackfan Gaucher Wilms Ewing Kaposi Evans Felty Sjögren Sjogren Crohn Down Turner
    Klinefelter Li Fraumeni Lynch Cowden Bloom Wiskott Aldrich Chediak Higashi English Spanish
    French German Portuguese Chinese Arabic Hindi Christmas Thanksgiving Easter Ramadan Diwali
    Hanukkah New Year Eve Medicare Medicaid Tricare
    """
    )
)

CONFERENCE_WORDS = _words_in(
    """
    BMTTandem HOJournalClub HemeOncJC ASH ASCO EHA ESMO AACR SABCS ASTCT ISTH SOHO iwCLL IMS
    EBMT Tandem BMT ASCO-GI GU-ASCO ASHRC ASPHO MASCC SNMMI ASTRO ESH
    """
)

STREET_SUFFIXES = _words_in(
    """
    Street St Avenue Ave Road Rd Boulevard Blvd Lane Ln Drive Dr Court Ct Way Place Pl Terrace
    Ter Circle Cir Parkway Pkwy Highway Hwy Trail Trl Square Sq Loop Alley Crescent Close Pike
    Run Path Ridge Street
    """
)

US_STATE_CODES = _words_in(
    """
    AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM
    NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR
    """
)

# Domains whose links are public literature, registries, societies and meetings: never PHI.
DEFAULT_ALLOWED_DOMAINS = tuple(
    _words_in(
        """
    doi.org pubmed.ncbi.nlm.nih.gov ncbi.nlm.nih.gov nih.gov europepmc.org scholar.google.com
    biorxiv.org medrxiv.org arxiv.org ssrn.com cochranelibrary.com clinicaltrials.gov
    clinicaltrialsregister.eu euclinicaltrials.eu isrctn.com who.int anzctr.org.au ctri.nic.in
    nejm.org thelancet.com jamanetwork.com ascopubs.org ashpublications.org bloodjournal.org
    haematologica.org nature.com cell.com sciencedirect.com elsevier.com wiley.com springer.com
    bmj.com acpjournals.org annals.org science.org oup.com tandfonline.com frontiersin.org
    plos.org mdpi.com aacrjournals.org jnccn.org karger.com thieme-connect.com ahajournals.org
    esmoopen.com annalsofoncology.org jto.org ejcancer.com astctjournal.org tctjournal.org
    bloodadvances.org hemasphere.org hematology.org asco.org ehaweb.org esmo.org aacr.org
    astct.org isth.org nccn.org cancer.gov cancer.org cdc.gov fda.gov ema.europa.eu nice.org.uk
    lls.org sabcs.org ebmt.org soho.world myeloma.org lymphoma.org mpnresearchfoundation.org
    uptodate.com medscape.com cancernetwork.com onclive.com ascopost.com hemonc.org
    """
    )
)

# The network's own accounts and those of societies, journals and meetings.
DEFAULT_ALLOWED_HANDLES = tuple(
    _words_in(
        """
    ASH_hematology ASHClinicalNews ASHPublications BloodAdvances ASCO JCO_ASCO ASCOPost
    EHA_Hematology HemaSphereJ myESMO AACR ASTCT ISTH_Team NCCN theNCI NCIprevention US_FDA
    FDAOncology NEJM TheLancet LancetHaem TheLancetOncol JAMAOnc Haematologica NatureMedicine
    LLSusa EBMTsociety SOHOworld MMRFoundation hemoncnetwork
    """
    )
)


@cache
def first_names() -> frozenset[str]:
    names: set[str] = set()
    for locale in NAME_LOCALES:
        provider = _person_provider(locale)
        for attribute in ("first_names", "first_names_female", "first_names_male"):
            names.update(_words(getattr(provider, attribute, ())))
    return frozenset(names - NOT_FIRST_NAMES - set(MONTHS) - set(WEEKDAYS))


@cache
def last_names() -> frozenset[str]:
    names: set[str] = set()
    for locale in NAME_LOCALES:
        names.update(_words(getattr(_person_provider(locale), "last_names", ())))
    return frozenset(names - NOT_FIRST_NAMES - set(MONTHS) - set(WEEKDAYS))


@cache
def places() -> frozenset[str]:
    lines = (DATA_DIR / "places.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@cache
def regions() -> frozenset[str]:
    """Countries and first-level subdivisions (US states, provinces): never identifiers."""
    import pycountry

    names = {getattr(c, "common_name", c.name) for c in pycountry.countries}
    names |= {c.name for c in pycountry.countries}
    names |= {s.name for s in pycountry.subdivisions if s.parent_code is None}
    names |= {"America", "United States", "Europe", "Africa", "Asia", "Latin America", "UK"}
    return frozenset(names)


def _person_provider(locale: str) -> type:
    try:
        return importlib.import_module(f"faker.providers.person.{locale}").Provider
    except ImportError:  # pragma: no cover - a locale Faker dropped
        return type("Empty", (), {})


def _words(values: object) -> set[str]:
    """Title-case single words of a Faker list (a tuple or a weighted dict)."""
    return {
        value
        for value in values  # type: ignore[attr-defined]
        if isinstance(value, str)
        and value[:1].isupper()
        and value.isalpha()
        and len(value) > 2
        and not value.isupper()
    }
