"""The invented people the benchmarks fill their databases with: names, countries and
institutions, stages, bios. Plain data: usable before Django is set up."""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words("""
Ana Maria Jose Juan Carlos Luis Sofia Valentina Camila Mateo Diego Lucia Isabel Gabriel
Priya Rahul Ananya Arjun Deepa Vikram Sanjay Aisha Fatima Omar Ahmed Yusuf Layla Hassan Mariam
Wei Jing Li Min Hui Xin Yan Chen Hiroshi Yuki Haruto Sakura Minji Jiwoo Seo-yeon Hyun
Chidi Ngozi Emeka Adaeze Oluwaseun Kwame Ama Kofi Amara Zainab Thandiwe Sipho
Emma Olivia Liam Noah James Mary Sarah David Michael Elizabeth Thomas Hannah Daniel Laura
Anna Lukas Felix Leonie Marie Pierre Camille Louis Chloe Giulia Marco Francesca Luca
Anastasia Dmitri Olga Elena Ivan Katarzyna Piotr Anand Rosa Pedro Joao Beatriz Rafael
""")
LAST_NAMES = _words("""
Garcia Lopez Martinez Rodriguez Hernandez Gonzalez Perez Sanchez Ramirez Torres Flores Rivera
Gomez Diaz Morales Ortiz Castillo Silva Santos Oliveira Souza Costa Pereira Almeida
Patel Shah Singh Kumar Sharma Gupta Reddy Iyer Nair Rao Mehta Desai Chatterjee Banerjee
Khan Ali Hussain Ahmed Rahman Haddad Nasser Farouk Mansour Aziz
Nguyen Tran Le Pham Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Kim Lee Park Choi Jung
Tanaka Suzuki Sato Takahashi Watanabe Ito Yamamoto
Okafor Adeyemi Okonkwo Mensah Owusu Nwosu Balogun Mwangi Dlamini Abebe
Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Jackson
White Harris Clark Lewis Walker Young Allen King Wright Scott Green Baker Adams Nelson
Mueller Schmidt Schneider Fischer Weber Wagner Martin Bernard Dubois Moreau Laurent Rossi
Russo Ferrari Esposito Bianchi Romano Kowalski Nowak Ivanova Petrov Murphy Kelly OBrien
""")
# (country, weight, time zone, institutions)
COUNTRIES: list[tuple[str, float, str, list[str]]] = [
    (
        "US",
        42,
        "America/New_York",
        [
            "Memorial Sloan Kettering Cancer Center",
            "MD Anderson Cancer Center",
            "Dana-Farber Cancer Institute",
            "Mayo Clinic",
            "Johns Hopkins Hospital",
            "Stanford Health Care",
            "Fred Hutchinson Cancer Center",
            "Massachusetts General Hospital",
            "University of Michigan Health",
            "Vanderbilt University Medical Center",
            "Northwestern Memorial Hospital",
            "Cleveland Clinic",
            "UCSF Medical Center",
            "Mount Sinai Hospital",
            "Emory University Hospital",
            "Duke University Hospital",
            "University of Chicago Medicine",
            "Moffitt Cancer Center",
            "City of Hope",
            "Memorial Hermann Hospital",
            "St. Jude Children's Research Hospital",
            "Siteman Cancer Center",
            "Huntsman Cancer Institute",
            "Yale New Haven Hospital",
        ],
    ),
    (
        "IN",
        8,
        "Asia/Kolkata",
        [
            "Tata Memorial Hospital",
            "AIIMS New Delhi",
            "Christian Medical College Vellore",
            "PGIMER Chandigarh",
            "Kidwai Memorial Institute of Oncology",
            "Adyar Cancer Institute",
        ],
    ),
    (
        "GB",
        7,
        "Europe/London",
        [
            "The Royal Marsden",
            "University College London Hospitals",
            "The Christie",
            "Oxford University Hospitals",
            "Guy's and St Thomas'",
            "Leeds Teaching Hospitals",
        ],
    ),
    (
        "CA",
        6,
        "America/Toronto",
        [
            "Princess Margaret Cancer Centre",
            "BC Cancer",
            "Jewish General Hospital",
            "Sunnybrook Health Sciences Centre",
            "Tom Baker Cancer Centre",
        ],
    ),
    (
        "ES",
        4,
        "Europe/Madrid",
        [
            "Hospital Clínic de Barcelona",
            "Vall d'Hebron University Hospital",
            "Hospital Universitario La Paz",
            "Clínica Universidad de Navarra",
        ],
    ),
    (
        "BR",
        4,
        "America/Sao_Paulo",
        [
            "Hospital Israelita Albert Einstein",
            "Instituto Nacional de Câncer",
            "Hospital Sírio-Libanês",
            "A.C.Camargo Cancer Center",
        ],
    ),
    (
        "MX",
        4,
        "America/Mexico_City",
        [
            "Instituto Nacional de Cancerología",
            "Hospital Universitario de Monterrey",
            "Centro Médico Nacional Siglo XXI",
        ],
    ),
    (
        "DE",
        3,
        "Europe/Berlin",
        [
            "Charité Universitätsmedizin Berlin",
            "Universitätsklinikum Heidelberg",
            "LMU Klinikum München",
            "Universitätsklinikum Hamburg-Eppendorf",
        ],
    ),
    ("FR", 3, "Europe/Paris", ["Gustave Roussy", "Institut Curie", "Hôpital Saint-Louis"]),
    (
        "IT",
        3,
        "Europe/Rome",
        [
            "Istituto Nazionale dei Tumori",
            "Policlinico Gemelli",
            "Ospedale San Raffaele",
        ],
    ),
    (
        "AU",
        3,
        "Australia/Sydney",
        [
            "Peter MacCallum Cancer Centre",
            "Royal Prince Alfred Hospital",
            "Royal Melbourne Hospital",
        ],
    ),
    (
        "NG",
        3,
        "Africa/Lagos",
        [
            "Lagos University Teaching Hospital",
            "University College Hospital Ibadan",
        ],
    ),
    (
        "EG",
        2,
        "Africa/Cairo",
        ["National Cancer Institute Cairo", "Ain Shams University Hospitals"],
    ),
    ("JP", 2, "Asia/Tokyo", ["National Cancer Center Hospital", "Kyoto University Hospital"]),
    ("KR", 2, "Asia/Seoul", ["Seoul National University Hospital", "Samsung Medical Center"]),
    (
        "PK",
        2,
        "Asia/Karachi",
        [
            "Shaukat Khanum Memorial Cancer Hospital",
            "Aga Khan University Hospital",
        ],
    ),
    ("PH", 1, "Asia/Manila", ["Philippine General Hospital", "St. Luke's Medical Center"]),
    ("SA", 1, "Asia/Riyadh", ["King Faisal Specialist Hospital"]),
]
STAGES = [  # (stage, weight, share open to mentoring, share looking for a mentor)
    ("medical_student", 15, 0.0, 0.5),
    ("resident", 28, 0.03, 0.45),
    ("fellow", 28, 0.08, 0.35),
    ("advanced_fellow", 5, 0.25, 0.2),
    ("attending", 16, 0.5, 0.03),
    ("phd_trainee", 5, 0.1, 0.3),
    ("other", 3, 0.1, 0.1),
]
SPECIALTIES = {
    "medical_student": [("", 6), ("internal_medicine", 2), ("pediatrics", 1)],
    "resident": [("internal_medicine", 8), ("pediatrics", 2), ("pathology", 1)],
    "phd_trainee": [("", 3), ("hematology", 1), ("oncology", 1)],
    "": [
        ("hematology_oncology", 10),
        ("hematology", 4),
        ("oncology", 5),
        ("pathology", 1),
        ("radiation_oncology", 1),
        ("pediatrics", 1),
        ("other", 1),
    ],
}
BIO_SENTENCES = [
    "Interested in {topic} and clinical trials.",
    "Working on outcomes research in {topic}.",
    "I enjoy teaching residents and writing tweetorials.",
    "Looking for collaborators on a retrospective study of {topic}.",
    "Transplant and cellular therapy, especially CAR-T toxicities.",
    "Bench research on clonal hematopoiesis and aging.",
    "Advocate for equity in access to cancer care.",
    "Planning a career in academic medicine with a focus on {topic}.",
    "Former engineer, now into data science for oncology.",
    "Happy to talk about applying to fellowship.",
]
