"""The synthetic demo network that `hemonc demo` creates: about 300 invented members.

Nobody here is a real person: names are combined at random from first- and family-name lists,
institutions are invented, and every address, Bluesky and Mastodon handle is under the reserved
domain demo.hemonc.example. Every bio says it is a synthetic demo profile.
"""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from hemonc.core.audit import audit
from hemonc.core.errors import DomainError
from hemonc.core.versions import data_version_bump
from hemonc.members.enums import Gender, IdentityCommunity, Role, Visibility
from hemonc.members.models import Block, Profile, User
from hemonc.members.selectors import DIRECTORY_VERSION
from hemonc.members.services import (
    block_create,
    member_set_role,
    profile_search_document,
    profile_update,
)
from hemonc.members.validators import orcid_check_character
from hemonc.taxonomy.enums import Specialty, Stage
from hemonc.taxonomy.models import CareerPath, Topic

DEMO_DOMAIN = "demo.hemonc.example"
SEED = 2021
MEMBER_COUNT = 300
SYNTHETIC_NOTE = "_(Synthetic demo profile.)_"
NETWORK_FOUNDED = datetime(2021, 2, 1, 15, 0, tzinfo=UTC)


class SignIn(NamedTuple):
    email: str
    password: str
    role: str


SIGN_INS = (
    SignIn(f"organizer@{DEMO_DOMAIN}", "demo-organizer", "organizer"),
    SignIn(f"moderator@{DEMO_DOMAIN}", "demo-moderator", "moderator"),
    SignIn(f"member@{DEMO_DOMAIN}", "demo-member", "member (a fellow)"),
)

# The three accounts people sign in with; their passwords are public, in SIGN_INS.
_FIXED_PROFILES: dict[str, dict[str, Any]] = {
    "organizer": {
        "joined": NETWORK_FOUNDED,
        "role": Role.ORGANIZER,
        "interests": ["hofellows", "hemetwitter", "onctwitter", "meded", "ash25", "asco25"],
        "career_paths": ["medical-education", "academic-clinical-investigator"],
        "fields": {
            "display_name": "Demo Organizer",
            "pronouns": "she/her",
            "stage": Stage.ATTENDING,
            "specialty": Specialty.HEMATOLOGY_ONCOLOGY,
            "institution": "Lakeside University Medical Center",
            "country": "US",
            "time_zone": "America/New_York",
            "bio": "Early-career hematologist-oncologist and one of the network's organizers: "
            "I plan the **live sessions** and the newsletter. Happy to talk about building a "
            f"career in medical education. {SYNTHETIC_NOTE}",
            "open_to_mentoring": True,
            "gender": Gender.FEMALE,
        },
    },
    "moderator": {
        "joined": NETWORK_FOUNDED + timedelta(days=12, hours=3),
        "role": Role.MODERATOR,
        "interests": ["mmsm", "lymsm", "bmttandem", "hemetwitter", "ash25"],
        "career_paths": ["transplant-cell-therapy"],
        "fields": {
            "display_name": "Demo Moderator",
            "pronouns": "he/him",
            "stage": Stage.ADVANCED_FELLOW,
            "specialty": Specialty.HEMATOLOGY,
            "training_year": 1,
            "institution": "Thameside University Hospitals",
            "country": "GB",
            "time_zone": "Europe/London",
            "bio": "Advanced fellow in transplant and cellular therapy, and a moderator here: "
            "if something feels off, report it and I will look at it. "
            f"{SYNTHETIC_NOTE}",
            "open_to_mentoring": True,
            "gender": Gender.MALE,
        },
    },
    "member": {
        "joined": datetime(2023, 7, 3, 14, 30, tzinfo=UTC),
        "role": None,
        "interests": ["leusm", "lymsm", "bcsm", "hofellows", "hojournalclub"],
        "career_paths": ["malignant-hematology", "academic-clinical-investigator"],
        "fields": {
            "display_name": "Demo Member",
            "pronouns": "they/them",
            "stage": Stage.FELLOW,
            "specialty": Specialty.HEMATOLOGY_ONCOLOGY,
            "training_year": 2,
            "institution": "Great Plains University Hospital",
            "country": "US",
            "time_zone": "America/Chicago",
            "bio": "Second-year hematology-oncology fellow interested in *acute leukemia* "
            f"and clinical trials. Looking for a research mentor. {SYNTHETIC_NOTE}",
            "looking_for_mentor": True,
            "gender": Gender.NON_BINARY,
        },
    },
}


class NamePool(NamedTuple):
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]


def _names(female: str, male: str, family: str) -> NamePool:
    return NamePool(tuple(female.split(", ")), tuple(male.split(", ")), tuple(family.split(", ")))


# First names and family names are combined at random, so no pair names a real person on purpose.
NAME_POOLS: dict[str, NamePool] = {
    "english": _names(
        "Emily, Sarah, Hannah, Megan, Olivia, Rachel, Katherine, Lauren, Abigail, Claire, "
        "Grace, Molly, Natalie, Rebecca",
        "James, Michael, Daniel, Ryan, Matthew, Andrew, Benjamin, Nathan, Samuel, Thomas, "
        "Connor, Owen, Jacob, William",
        "Brooks, Carter, Bennett, Hayes, Foster, Morgan, Reed, Sullivan, Turner, Parker, "
        "Mitchell, Campbell, Hughes, Ellis, Palmer, Whitaker, Chambers, Holloway",
    ),
    "irish": _names(
        "Aoife, Siobhán, Niamh, Ciara, Saoirse, Róisín, Orla, Clodagh",
        "Cian, Oisín, Seán, Darragh, Eoin, Ronan, Colm, Fiachra",
        "Murphy, Kelly, O'Connor, Byrne, Doyle, Gallagher, Kavanagh, Fitzgerald, Brennan, Nolan",
    ),
    "hispanic": _names(
        "María, Sofía, Valentina, Camila, Lucía, Daniela, Gabriela, Ximena, Isabel, Paula, "
        "Carolina, Andrea, Renata, Mariana",
        "José, Carlos, Alejandro, Diego, Mateo, Santiago, Javier, Andrés, Miguel, Luis, Pablo, "
        "Sebastián, Emilio, Tomás",
        "García, Rodríguez, Martínez, Hernández, López, González, Pérez, Sánchez, Ramírez, "
        "Torres, Flores, Rivera, Morales, Castillo, Vargas, Mendoza, Ortiz, Jiménez, Navarro",
    ),
    "portuguese": _names(
        "Ana, Beatriz, Juliana, Mariana, Larissa, Fernanda, Letícia, Camila, Inês, Raquel",
        "João, Pedro, Lucas, Gabriel, Rafael, Thiago, Felipe, Gustavo, Rodrigo, Vinícius",
        "Silva, Santos, Oliveira, Souza, Costa, Pereira, Almeida, Carvalho, Ribeiro, Ferreira, "
        "Lima, Barbosa, Araújo, Moura",
    ),
    "french": _names(
        "Camille, Chloé, Manon, Léa, Inès, Juliette, Élise, Margaux, Clémence, Amélie",
        "Louis, Hugo, Théo, Antoine, Julien, Maxime, Baptiste, Mathieu, Étienne, Romain",
        "Martin, Bernard, Dubois, Moreau, Laurent, Lefèvre, Roux, Fournier, Girard, Bonnet, "
        "Mercier, Lambert, Gauthier, Tremblay",
    ),
    "german": _names(
        "Anna, Lena, Laura, Katharina, Julia, Sophie, Johanna, Franziska, Miriam",
        "Lukas, Felix, Jonas, Maximilian, Tobias, Florian, Moritz, Jan, Niklas",
        "Müller, Schmidt, Schneider, Fischer, Weber, Wagner, Becker, Hoffmann, Schäfer, Koch, "
        "Richter, Krüger, Zimmermann, Brandt",
    ),
    "italian": _names(
        "Giulia, Chiara, Francesca, Martina, Sara, Alessia, Elena, Federica, Beatrice",
        "Marco, Luca, Alessandro, Matteo, Lorenzo, Davide, Giovanni, Riccardo, Stefano",
        "Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, "
        "Bruno, Conti, De Luca, Galli",
    ),
    "dutch": _names(
        "Anouk, Sanne, Fleur, Lotte, Femke, Iris, Maaike, Noor",
        "Daan, Sem, Bram, Thijs, Ruben, Joris, Pieter, Wouter",
        "de Vries, Jansen, van den Berg, Bakker, Visser, Smit, Meijer, de Boer, Mulder, Bos",
    ),
    "scandinavian": _names(
        "Astrid, Elin, Freja, Ingrid, Maja, Saga, Sigrid",
        "Erik, Lars, Oskar, Nils, Anders, Henrik, Magnus",
        "Andersson, Johansson, Lindqvist, Nilsson, Berg, Eriksson, Lindberg, Holm, Sandberg",
    ),
    "turkish": _names(
        "Elif, Zeynep, Defne, Ece, Selin, Deniz, Ayşe",
        "Emre, Mert, Burak, Can, Kerem, Onur, Serkan",
        "Kaya, Demir, Şahin, Çelik, Öztürk, Arslan, Doğan, Koç, Kurt, Aksoy",
    ),
    "nigerian": _names(
        "Adaeze, Chiamaka, Funmilayo, Ngozi, Aisha, Folake, Temitope, Amina, Ifeoma, Yetunde",
        "Chukwuemeka, Tunde, Emeka, Ibrahim, Obinna, Ayodele, Babatunde, Usman, Kelechi, Segun",
        "Okafor, Adeyemi, Okonkwo, Balogun, Eze, Nwosu, Adebayo, Abubakar, Olawale, Chukwu, "
        "Ogunleye, Bello, Nnamdi, Afolabi",
    ),
    "ghanaian": _names(
        "Ama, Akosua, Efua, Abena, Adwoa, Esi",
        "Kwame, Kofi, Kwabena, Yaw, Kojo, Kwesi",
        "Mensah, Boateng, Owusu, Asante, Agyeman, Osei, Appiah, Darko",
    ),
    "east_african": _names(
        "Wanjiru, Achieng, Njeri, Akinyi, Wambui, Nafula, Chebet, Zawadi",
        "Kamau, Otieno, Mwangi, Kiprono, Omondi, Baraka, Juma, Kibet",
        "Kariuki, Ochieng, Wafula, Njoroge, Kiprotich, Odhiambo, Mutua, Chege, Wanjala, Kimani",
    ),
    "ethiopian": _names(
        "Selam, Hiwot, Meron, Bethlehem, Tigist, Mahlet",
        "Dawit, Abebe, Yonas, Tesfaye, Henok, Biruk",
        "Tadesse, Bekele, Haile, Girma, Kebede, Alemu, Mekonnen, Assefa",
    ),
    "arabic": _names(
        "Fatima, Mariam, Nour, Salma, Yasmin, Hana, Layla, Reem, Aya, Dina, Rana, Lina",
        "Mohamed, Ahmed, Omar, Youssef, Khaled, Karim, Tarek, Mostafa, Abdullah, Faisal, Hassan, "
        "Fahad",
        "Hassan, Ibrahim, Mahmoud, Abdelrahman, El-Sayed, Mostafa, Al-Harbi, Al-Qahtani, "
        "Al-Mansouri, Haddad, Nasser, Saleh, Farouk, Al-Shamsi, Khalil",
    ),
    "south_african": _names(
        "Thandiwe, Nomvula, Lerato, Zanele, Anika, Naledi, Palesa, Refilwe",
        "Sipho, Thabo, Lwazi, Mandla, Pieter, Kagiso, Tshepo, Johan",
        "Dlamini, Nkosi, Ndlovu, Mokoena, Khumalo, van der Merwe, Botha, Mahlangu, Naidoo, "
        "Pillay, Molefe",
    ),
    "south_asian": _names(
        "Priya, Ananya, Kavya, Divya, Sneha, Meera, Aishwarya, Lakshmi, Nandini, Pooja, Shreya, "
        "Ritika, Anjali",
        "Arjun, Rahul, Vikram, Aditya, Karthik, Rohan, Siddharth, Anil, Pranav, Nikhil, Sanjay, "
        "Varun, Harish",
        "Sharma, Patel, Iyer, Reddy, Nair, Gupta, Krishnan, Banerjee, Chatterjee, Mehta, Rao, "
        "Menon, Desai, Kulkarni, Singh, Subramanian, Bhatt",
    ),
    "pakistani": _names(
        "Ayesha, Hira, Zainab, Sana, Mahnoor, Maryam, Sadia, Nida",
        "Ali, Hamza, Usman, Bilal, Zain, Faraz, Imran, Saad",
        "Khan, Qureshi, Malik, Siddiqui, Chaudhry, Butt, Rana, Javed, Sheikh, Mirza",
    ),
    "japanese": _names(
        "Yui, Haruka, Aoi, Sakura, Misaki, Yuna, Nanami, Rina",
        "Haruto, Ren, Takumi, Daiki, Kenta, Shota, Yuto, Kazuki",
        "Sato, Suzuki, Takahashi, Tanaka, Watanabe, Ito, Yamamoto, Nakamura, Kobayashi, Kato, "
        "Yoshida, Yamada",
    ),
    "korean": _names(
        "Ji-woo, Seo-yeon, Min-ji, Ha-eun, Soo-ah, Yu-na, Eun-ji",
        "Min-jun, Seo-jun, Ji-ho, Hyun-woo, Do-yoon, Jae-won, Sung-min",
        "Kim, Lee, Park, Choi, Jung, Kang, Cho, Yoon, Jang, Lim, Han, Shin",
    ),
    "chinese": _names(
        "Mei, Xinyi, Yue, Jing, Wen, Lin, Yuxuan, Jiayi, Shu",
        "Wei, Hao, Jun, Yichen, Zhiwei, Tianyu, Jian, Ming, Kai",
        "Wang, Li, Zhang, Liu, Chen, Yang, Huang, Zhao, Wu, Zhou, Xu, Sun, Tan, Lim",
    ),
    "filipino": _names(
        "Angelica, Kristine, Bea, Patricia, Jasmine, Camille, Joy",
        "Joshua, Mark, Paolo, Miguel, Rafael, Carlo, Jerome",
        "Santos, Reyes, Cruz, Bautista, Ocampo, Garcia, Mendoza, Villanueva, Dela Cruz, Aquino",
    ),
    "vietnamese": _names(
        "Linh, Thao, Ngoc, Trang, Huong, Mai",
        "Minh, Duc, Quang, Huy, Tuan, Khoa",
        "Nguyen, Tran, Le, Pham, Hoang, Vo, Dang, Bui",
    ),
}


class CountryPlan(NamedTuple):
    code: str
    weight: int
    cultures: tuple[tuple[str, int], ...]
    institutions: tuple[tuple[str, str], ...]  # (invented name, IANA time zone)


_US = (
    "english 30, hispanic 12, south_asian 12, chinese 6, korean 4, nigerian 4, arabic 4, "
    "irish 3, vietnamese 3, filipino 3, italian 3, german 2, ghanaian 2, ethiopian 2, "
    "japanese 2, pakistani 2, east_african 1, portuguese 1, turkish 1"
)


def _country(code: str, weight: int, cultures: str, *places: str) -> CountryPlan:
    """`cultures` is "name weight, ..."; each place is "Invented institution @ IANA/Zone"."""
    mix = tuple(
        (name, int(share)) for name, share in (part.split() for part in cultures.split(", "))
    )
    institutions = tuple((name, zone) for name, zone in (p.split(" @ ") for p in places))
    return CountryPlan(code, weight, mix, institutions)


# Weighted toward the United States, as the network's audience is; the rest spans the world.
# fmt: off
COUNTRIES: tuple[CountryPlan, ...] = (
    _country("US", 110, _US,
             "Lakeside University Medical Center @ America/Chicago",
             "Great Plains University Hospital @ America/Chicago",
             "Cedar Ridge Cancer Institute @ America/New_York",
             "Bayshore Comprehensive Cancer Center @ America/New_York",
             "Northfield Academic Medical Center @ America/New_York",
             "Magnolia State University Hospital @ America/Chicago",
             "Red Mesa University Health @ America/Denver",
             "Pacific Crest Medical Center @ America/Los_Angeles",
             "Golden Valley University Hospital @ America/Los_Angeles",
             "Sonoran Desert Cancer Center @ America/Phoenix",
             "Pinecrest Children's Hospital @ America/New_York",
             "Blue Ridge Veterans Medical Center @ America/New_York"),
    _country("CA", 12, "english 5, french 3, chinese 2, south_asian 2, italian 1, arabic 1",
             "Maple Lake Health Sciences Centre @ America/Toronto",
             "Centre hospitalier universitaire des Érables @ America/Toronto",
             "Coastal Range University Hospital @ America/Vancouver",
             "Prairie Lights Cancer Centre @ America/Edmonton",
             "Harbourfront Health Sciences @ America/Halifax"),
    _country("MX", 8, "hispanic 1",
             "Hospital Universitario del Valle Central @ America/Mexico_City",
             "Instituto de Oncología del Norte @ America/Monterrey",
             "Centro Médico Universitario de los Volcanes @ America/Mexico_City"),
    _country("BR", 9, "portuguese 8, italian 1, japanese 1",
             "Hospital Universitário Serra Azul @ America/Sao_Paulo",
             "Instituto do Câncer do Litoral @ America/Sao_Paulo",
             "Hospital de Clínicas do Planalto @ America/Sao_Paulo",
             "Centro de Hematologia do Nordeste @ America/Recife"),
    _country("AR", 5, "hispanic 4, italian 1",
             "Hospital Universitario del Río de la Plata @ America/Argentina/Buenos_Aires",
             "Instituto de Hematología de la Pampa @ America/Argentina/Cordoba"),
    _country("CO", 4, "hispanic 1",
             "Hospital Universitario de los Andes Centrales @ America/Bogota",
             "Instituto de Cancerología del Caribe @ America/Bogota"),
    _country("CL", 3, "hispanic 1",
             "Hospital Clínico Cordillera @ America/Santiago"),
    _country("PE", 2, "hispanic 1",
             "Clínica Oncológica del Pacífico @ America/Lima"),
    _country("GB", 14, "english 6, south_asian 3, pakistani 2, irish 1, nigerian 1, chinese 1",
             "Thameside University Hospitals @ Europe/London",
             "Pennine Moors Cancer Centre @ Europe/London",
             "Lochside University Hospital @ Europe/London",
             "Severn Valley Teaching Hospitals @ Europe/London"),
    _country("IE", 5, "irish 4, english 1",
             "Liffeyside University Hospital @ Europe/Dublin",
             "Western Shore University Hospital @ Europe/Dublin"),
    _country("ES", 7, "hispanic 1",
             "Hospital Universitario Sierra Norte @ Europe/Madrid",
             "Institut d'Oncologia de la Costa @ Europe/Madrid",
             "Hospital Clínico del Guadalquivir @ Europe/Madrid"),
    _country("PT", 3, "portuguese 1",
             "Centro Hospitalar Universitário do Tejo @ Europe/Lisbon"),
    _country("FR", 7, "french 5, arabic 1",
             "Centre hospitalier universitaire des Trois Rivières @ Europe/Paris",
             "Institut de cancérologie du Val de Loire @ Europe/Paris",
             "Hôpital universitaire des Calanques @ Europe/Paris"),
    _country("DE", 7, "german 6, turkish 1",
             "Universitätsklinikum Lindental @ Europe/Berlin",
             "Tumorzentrum am Rheinufer @ Europe/Berlin",
             "Klinikum Heidesee @ Europe/Berlin"),
    _country("IT", 7, "italian 1",
             "Policlinico Universitario delle Colline @ Europe/Rome",
             "Istituto Oncologico della Laguna @ Europe/Rome",
             "Azienda Ospedaliera Universitaria del Golfo @ Europe/Rome"),
    _country("NL", 5, "dutch 5, turkish 1",
             "Universitair Medisch Centrum Polderland @ Europe/Amsterdam",
             "Kankercentrum aan de Maas @ Europe/Amsterdam"),
    _country("SE", 3, "scandinavian 1",
             "Norrsken University Hospital @ Europe/Stockholm"),
    _country("CH", 2, "german 2, french 1, italian 1",
             "Universitätsspital am See @ Europe/Zurich"),
    _country("TR", 4, "turkish 1",
             "Golden Horn University Hospital @ Europe/Istanbul",
             "Anatolian Plateau Oncology Institute @ Europe/Istanbul"),
    _country("NG", 10, "nigerian 1",
             "Lagoon City University Teaching Hospital @ Africa/Lagos",
             "Riverine Federal Teaching Hospital @ Africa/Lagos",
             "Savannah Federal Medical Centre @ Africa/Lagos"),
    _country("GH", 3, "ghanaian 1",
             "Volta Lake Teaching Hospital @ Africa/Accra"),
    _country("KE", 5, "east_african 1",
             "Acacia Ridge University Hospital @ Africa/Nairobi",
             "Highlands Cancer Centre @ Africa/Nairobi"),
    _country("ET", 2, "ethiopian 1",
             "Entoto Hills University Hospital @ Africa/Addis_Ababa"),
    _country("EG", 6, "arabic 1",
             "Nile Delta University Hospitals @ Africa/Cairo",
             "Pyramids Oncology Institute @ Africa/Cairo"),
    _country("ZA", 5, "south_african 4, south_asian 1, english 1",
             "Highveld Academic Hospital @ Africa/Johannesburg",
             "Table Mountain University Hospital @ Africa/Johannesburg"),
    _country("IN", 16, "south_asian 1",
             "Deccan Plateau Medical College Hospital @ Asia/Kolkata",
             "Western Ghats Cancer Institute @ Asia/Kolkata",
             "Ganges Valley Medical College Hospital @ Asia/Kolkata",
             "Coromandel Coast Cancer Centre @ Asia/Kolkata"),
    _country("PK", 7, "pakistani 1",
             "Five Rivers University Hospital @ Asia/Karachi",
             "Cedar Valley Cancer Hospital @ Asia/Karachi"),
    _country("SA", 5, "arabic 4, south_asian 1",
             "Red Sea University Medical City @ Asia/Riyadh",
             "Najd Oncology Centre @ Asia/Riyadh"),
    _country("AE", 4, "arabic 3, south_asian 2, pakistani 1, filipino 1",
             "Gulf Coast University Hospital @ Asia/Dubai",
             "Desert Rose Cancer Centre @ Asia/Dubai"),
    _country("JP", 6, "japanese 1",
             "Seaside Prefectural University Hospital @ Asia/Tokyo",
             "Cherry Hill Cancer Institute @ Asia/Tokyo"),
    _country("KR", 5, "korean 1",
             "Han River University Hospital @ Asia/Seoul",
             "Southern Coast Cancer Center @ Asia/Seoul"),
    _country("SG", 2, "chinese 3, south_asian 1",
             "Straits University Hospital @ Asia/Singapore"),
    _country("PH", 5, "filipino 1",
             "Manila Bay University Medical Center @ Asia/Manila",
             "Visayas Regional Cancer Center @ Asia/Manila"),
    _country("VN", 2, "vietnamese 1",
             "Mekong Delta University Hospital @ Asia/Ho_Chi_Minh"),
    _country("AU", 7, "english 4, chinese 1, vietnamese 1, south_asian 1, italian 1",
             "Harbourside University Hospital @ Australia/Sydney",
             "Yarra Bend Cancer Centre @ Australia/Melbourne",
             "Swan River Teaching Hospital @ Australia/Perth"),
    _country("NZ", 2, "english 1",
             "Kauri Coast University Hospital @ Pacific/Auckland"),
)
# fmt: on

# Where the training language spells it "haematology" and says "consultant".
_BRITISH_USAGE = {"GB", "IE", "AU", "NZ", "ZA", "IN", "PK", "NG", "GH", "KE", "SG", "AE"}

# How the network splits by stage: mostly residents and fellows.
STAGE_SHARES = {
    Stage.MEDICAL_STUDENT: 10,
    Stage.RESIDENT: 24,
    Stage.FELLOW: 36,
    Stage.ADVANCED_FELLOW: 7,
    Stage.ATTENDING: 13,
    Stage.PHD_TRAINEE: 7,
    Stage.OTHER: 3,
}

_SPECIALTIES_BY_STAGE: dict[Stage, tuple[tuple[str, int], ...]] = {
    Stage.MEDICAL_STUDENT: (("", 1),),
    Stage.RESIDENT: (
        (Specialty.INTERNAL_MEDICINE, 74),
        (Specialty.PEDIATRICS, 14),
        (Specialty.PATHOLOGY, 6),
        (Specialty.RADIATION_ONCOLOGY, 6),
    ),
    Stage.FELLOW: (
        (Specialty.HEMATOLOGY_ONCOLOGY, 62),
        (Specialty.HEMATOLOGY, 12),
        (Specialty.ONCOLOGY, 14),
        (Specialty.PEDIATRICS, 8),
        (Specialty.PATHOLOGY, 4),
    ),
    Stage.ADVANCED_FELLOW: (
        (Specialty.HEMATOLOGY, 5),
        (Specialty.HEMATOLOGY_ONCOLOGY, 3),
        (Specialty.ONCOLOGY, 3),
    ),
    Stage.ATTENDING: (
        (Specialty.HEMATOLOGY_ONCOLOGY, 40),
        (Specialty.HEMATOLOGY, 20),
        (Specialty.ONCOLOGY, 20),
        (Specialty.PEDIATRICS, 8),
        (Specialty.RADIATION_ONCOLOGY, 6),
        (Specialty.PATHOLOGY, 6),
    ),
    Stage.PHD_TRAINEE: (("", 6), (Specialty.OTHER, 3), (Specialty.ONCOLOGY, 1)),
    Stage.OTHER: (("", 1),),  # set by the role in _OTHER_ROLES
}

_PHD_ROLES = (
    "PhD candidate in cancer biology",
    "PhD student in tumor immunology",
    "PhD candidate in biostatistics",
    "Postdoctoral researcher in hematopoiesis and stem cell biology",
    "Postdoctoral fellow in cancer genomics",
    "PhD student in health services research",
    "Postdoc in translational hematology",
)
_OTHER_ROLES = (
    ("Oncology pharmacist", Specialty.ONCOLOGY),
    ("Nurse practitioner on a stem cell transplant unit", Specialty.HEMATOLOGY),
    ("Clinical research coordinator for early-phase oncology trials", Specialty.ONCOLOGY),
    ("Genetic counselor in a hereditary cancer clinic", Specialty.OTHER),
    ("Physician assistant in malignant hematology", Specialty.HEMATOLOGY),
    ("Hospitalist with a soft spot for hematology", Specialty.INTERNAL_MEDICINE),
)
# An advanced fellowship's field, from the topic the member's bio is about.
_ADVANCED_AREAS = {
    "leusm": "leukemia", "lymsm": "lymphoma", "mmsm": "myeloma and plasma cell disorders",
    "mpnsm": "myeloid neoplasms", "sicklecellawarenessmonth": "classical hematology",
    "hemetwitter": "hemostasis and thrombosis", "bmttandem": "transplant and cellular therapy",
    "bcsm": "breast oncology", "lcsm": "thoracic oncology", "crcsm": "GI oncology",
    "pancsm": "GI oncology", "esocsm": "GI oncology", "gencsm": "cancer genetics",
    "gyncsm": "gynecologic oncology", "pcsm": "genitourinary oncology",
    "kcsm": "genitourinary oncology", "cardioonc": "cardio-oncology",
    "pallonc": "hospice and palliative medicine", "supponc": "supportive oncology",
    "hsronc": "health services research", "melsm": "melanoma and immunotherapy",
    "hncsm": "head and neck oncology", "scmsm": "sarcoma", "btsm": "neuro-oncology",
}  # fmt: skip

_HEME = ("leusm", "lymsm", "mmsm", "mpnsm", "sicklecellawarenessmonth", "hemetwitter",
         "bmttandem")  # fmt: skip
_ONC = ("bcsm", "lcsm", "crcsm", "gyncsm", "pcsm", "melsm", "hncsm", "kcsm", "pancsm", "gencsm",
        "scmsm", "btsm", "esocsm", "cardioonc", "pallonc", "supponc", "hsronc")  # fmt: skip
# The topic a member's bio is about, by specialty; more interests are added around it.
_PRIMARY_TOPICS: dict[str, tuple[str, ...]] = {
    Specialty.HEMATOLOGY: _HEME,
    Specialty.ONCOLOGY: _ONC,
    Specialty.HEMATOLOGY_ONCOLOGY: _HEME + _ONC,
    Specialty.INTERNAL_MEDICINE: _HEME + _ONC,
    Specialty.PEDIATRICS: ("pedcsm", "ayacsm", "leusm", "sicklecellawarenessmonth", "btsm"),
    Specialty.PATHOLOGY: ("hemepath", "leusm", "lymsm"),
    Specialty.RADIATION_ONCOLOGY: ("radonc", "lcsm", "bcsm", "hncsm", "pcsm"),
    Specialty.OTHER: _HEME + _ONC,
    "": _HEME + _ONC,
}
_HEME_COMMUNITY = ("hemetwitter", "ash25", "ash24", "eha", "ashtrainee")
_ONC_COMMUNITY = ("onctwitter", "asco25", "asco24", "esmo")
_COMMUNITY = ("hofellows", "hojournalclub", "meded", "foamed", "tweetorial", "medtwitter")

_FOCUS: dict[str, tuple[str, ...]] = {
    "bcsm": ("hormone receptor-positive breast cancer", "HER2-targeted therapy",
             "survivorship care after breast cancer"),
    "lcsm": ("EGFR-mutant lung cancer", "access to lung cancer screening",
             "immunotherapy in non-small cell lung cancer"),
    "crcsm": ("early-onset colorectal cancer", "ctDNA-guided therapy in colon cancer"),
    "gyncsm": ("PARP inhibitors in ovarian cancer", "cervical cancer prevention"),
    "pcsm": ("PSMA-targeted radioligand therapy", "disparities in prostate cancer outcomes"),
    "melsm": ("immune-related adverse events", "adjuvant therapy in melanoma"),
    "hncsm": ("HPV-associated head and neck cancer",),
    "kcsm": ("immunotherapy in renal cell carcinoma",),
    "pancsm": ("early detection of pancreatic cancer",),
    "gencsm": ("hereditary cancer syndromes and cascade testing", "access to germline testing"),
    "scmsm": ("sarcoma clinical trials", "soft tissue sarcoma in young adults"),
    "btsm": ("glioma biology", "pediatric brain tumors"),
    "esocsm": ("esophagogastric cancers",),
    "leusm": ("measurable residual disease in AML", "ALL in adolescents and young adults",
              "targeted therapy in CLL"),
    "lymsm": ("CAR T-cell therapy for lymphoma", "Hodgkin lymphoma survivorship",
              "T-cell lymphomas"),
    "mmsm": ("bispecific antibodies in multiple myeloma", "smoldering myeloma",
             "disparities in myeloma care"),
    "mpnsm": ("myelofibrosis and JAK inhibitors", "clonal hematopoiesis"),
    "sicklecellawarenessmonth": ("sickle cell disease and gene therapy",
                                 "pain care in sickle cell disease"),
    "hemetwitter": ("thrombosis and anticoagulation", "hemophilia care",
                    "iron deficiency and anemia", "immune thrombocytopenia"),
    "hemepath": ("bone marrow morphology", "flow cytometry in acute leukemia"),
    "pedcsm": ("outcomes in pediatric ALL", "childhood cancer survivorship"),
    "ayacsm": ("fertility preservation for adolescents and young adults with cancer",),
    "cardioonc": ("cardio-oncology",),
    "pallonc": ("early palliative care in oncology",),
    "supponc": ("symptom management and supportive care",),
    "hsronc": ("financial toxicity and access to clinical trials", "rural cancer care delivery"),
    "radonc": ("stereotactic radiotherapy", "radiotherapy for oligometastatic disease"),
    "bmttandem": ("transplant and cellular therapy", "graft-versus-host disease"),
}  # fmt: skip

_FOCUS_SENTENCES = (
    "Interested in {focus}.",
    "My research focuses on {focus}.",
    "Clinical focus: {focus}.",
    "Working on a project on {focus}.",
    "Most excited about {focus} and how we teach it.",
    "Spending my research time on {focus}.",
)
_STUDENT_FOCUS_SENTENCES = (
    "Hoping to match into hem-onc; curious about {focus}.",
    "Doing a summer project on {focus}.",
    "Drawn to hem-onc by a rotation on {focus}.",
)
_CLOSING_SENTENCES = (
    "Always up for a journal club.",
    "Outside work: running, coffee and too many podcasts.",
    "Outside the hospital: hiking, baking and learning a new language.",
    "Part of the Spaces crowd: see you at the next pre-ASH special.",
    "Looking for collaborators on a multi-site quality improvement project.",
    "Parent of two; happy to talk about training with kids.",
    "Trying to read one trial a week and write about it.",
    "Ask me about research years and protected time.",
)
_HEMATOLOGY_PATHS = {
    "sicklecellawarenessmonth": "classical-hematology",
    "hemetwitter": "classical-hematology",
    "bmttandem": "transplant-cell-therapy",
    "leusm": "malignant-hematology",
    "lymsm": "malignant-hematology",
    "mmsm": "malignant-hematology",
    "mpnsm": "malignant-hematology",
}
_GENERAL_PATHS = (
    "academic-clinical-investigator", "physician-scientist", "medical-education",
    "systems-based-hematology", "private-practice", "industry-pharma", "government-regulatory",
)  # fmt: skip
_ORDINALS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth")
_ASIAN_CULTURES = {"chinese", "korean", "japanese", "vietnamese", "filipino", "south_asian",
                   "pakistani"}  # fmt: skip
_AFRICAN_CULTURES = {"nigerian", "ghanaian", "east_african", "ethiopian", "south_african"}
_TRANSLITERATION = str.maketrans({"\u0131": "i", "ß": "ss", "ø": "o", "æ": "ae", "ł": "l"})


@dataclass
class DemoPerson:
    """One invented member, before it is written."""

    email: str
    date_joined: datetime
    fields: dict[str, Any]
    interests: list[str] = field(default_factory=list)
    career_paths: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DemoSummary:
    members: int
    countries: int
    stages: list[tuple[str, int]]
    specialties: int
    open_to_mentoring: int
    looking_for_mentor: int
    organizers: int
    moderators: int
    blocks: int
    sign_ins: tuple[SignIn, ...] = SIGN_INS


def _demo_users() -> QuerySet[User]:
    return User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")


def demo_network_exists() -> bool:
    return _demo_users().exists()


def demo_network_summary() -> DemoSummary:
    """What the demo network holds now, read from the database."""
    users = _demo_users()
    profiles = Profile.objects.filter(user__in=users)
    stages = Counter(profiles.values_list("stage", flat=True))
    return DemoSummary(
        members=users.count(),
        countries=profiles.exclude(country="").values("country").distinct().count(),
        stages=[(stage.label, stages[stage.value]) for stage in Stage if stages[stage.value]],
        specialties=profiles.exclude(specialty="").values("specialty").distinct().count(),
        open_to_mentoring=profiles.filter(open_to_mentoring=True).count(),
        looking_for_mentor=profiles.filter(looking_for_mentor=True).count(),
        organizers=users.filter(groups__name=Role.ORGANIZER.value).count(),
        moderators=users.filter(groups__name=Role.MODERATOR.value).count(),
        blocks=Block.objects.filter(blocker__in=users).count(),
    )


@transaction.atomic
def demo_network_create(*, members: int = MEMBER_COUNT, seed: int = SEED) -> DemoSummary:
    """Create the demo network: the three sign-ins, then `members` in all, in bulk."""
    if demo_network_exists():
        raise DomainError("The demo network already exists.")
    rng = random.Random(seed)
    now = timezone.now()
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    paths = {path.slug: path for path in CareerPath.objects.all()}

    fixed = _create_sign_in_accounts(topics=topics, paths=paths)
    people = demo_people(rng=rng, count=max(members - len(fixed), 0), now=now)
    users = _bulk_create_people(people=people, topics=topics, paths=paths)

    organizer = fixed["organizer"]
    attendings = [
        u for u, p in zip(users, people, strict=True) if p.fields["stage"] == Stage.ATTENDING
    ]
    fellows = [u for u, p in zip(users, people, strict=True) if p.fields["stage"] == Stage.FELLOW]
    for user in rng.sample(attendings, min(2, len(attendings))):
        member_set_role(user=user, role=Role.ORGANIZER, enabled=True, actor=organizer)
    for user in rng.sample(fellows, min(1, len(fellows))):
        member_set_role(user=user, role=Role.MODERATOR, enabled=True, actor=organizer)
    if len(users) >= 4:
        first, second, third, fourth = rng.sample(users, 4)
        block_create(blocker=first, blocked=second)
        block_create(blocker=third, blocked=fourth)
    audit(actor=None, action="demo.create", changes={"members": len(fixed) + len(users)})
    return demo_network_summary()


def _create_sign_in_accounts(
    *, topics: dict[str, Topic], paths: dict[str, CareerPath]
) -> dict[str, User]:
    """The organizer, moderator and member accounts, set up through the usual services."""
    accounts: dict[str, User] = {}
    for sign_in in SIGN_INS:
        key = sign_in.email.split("@", 1)[0]
        plan = _FIXED_PROFILES[key]
        user = User.objects.create_user(sign_in.email, sign_in.password, date_joined=plan["joined"])
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        profile_update(
            profile=user.profile,
            actor=user,
            interests=[topics[slug] for slug in plan["interests"] if slug in topics],
            career_paths=[paths[slug] for slug in plan["career_paths"] if slug in paths],
            **plan["fields"],
        )
        if plan["role"] is not None:
            member_set_role(user=user, role=plan["role"], enabled=True, actor=None)
        accounts[key] = user
    return accounts


def _bulk_create_people(
    *, people: list[DemoPerson], topics: dict[str, Topic], paths: dict[str, CareerPath]
) -> list[User]:
    """Write the invented members in a handful of queries; no password hashing for them."""
    User.objects.bulk_create(
        User(email=p.email, password=make_password(None), date_joined=p.date_joined) for p in people
    )
    by_email = User.objects.in_bulk([p.email for p in people], field_name="email")
    users = [by_email[p.email] for p in people]
    # bulk_create sends no post_save, so the profiles the signal would make are made here.
    Profile.objects.bulk_create(
        Profile(user=user, **person.fields) for user, person in zip(users, people, strict=True)
    )
    profile_ids = dict(Profile.objects.filter(user__in=users).values_list("user_id", "id"))
    Profile.interests.through.objects.bulk_create(
        Profile.interests.through(profile_id=profile_ids[user.pk], topic_id=topics[slug].pk)
        for user, person in zip(users, people, strict=True)
        for slug in person.interests
        if slug in topics
    )
    Profile.career_paths.through.objects.bulk_create(
        Profile.career_paths.through(profile_id=profile_ids[user.pk], careerpath_id=paths[slug].pk)
        for user, person in zip(users, people, strict=True)
        for slug in person.career_paths
        if slug in paths
    )
    profiles = list(
        Profile.objects.filter(pk__in=profile_ids.values()).prefetch_related(
            "interests", "career_paths"
        )
    )
    for profile in profiles:
        profile.search_document = profile_search_document(profile)
    Profile.objects.bulk_update(profiles, ["search_document"], batch_size=500)
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    data_version_bump(name=DIRECTORY_VERSION)  # bulk writes send no signals
    return users


def demo_people(*, rng: random.Random, count: int, now: datetime) -> list[DemoPerson]:
    """`count` invented members, oldest first; the same for the same seed."""
    stages = _quota(rng, STAGE_SHARES, count)
    plans = _country_plans(rng, count)
    start = NETWORK_FOUNDED + timedelta(days=1)
    span = (now - timedelta(hours=2) - start).total_seconds()
    people = []
    for number, (stage, plan) in enumerate(zip(stages, plans, strict=True), start=1):
        # A third joined in the first months after the launch, the rest over the years since.
        share = rng.random() * min(1.0, 180 * 86400 / span) if rng.random() < 0.3 else rng.random()
        joined = start + timedelta(seconds=int(share * span))
        people.append(_invent_person(rng, number=number, stage=stage, plan=plan, joined=joined))
    people.sort(key=lambda person: person.date_joined)
    return people


def _quota(rng: random.Random, shares: dict[Stage, int], count: int) -> list[Stage]:
    """Stages in the proportions of `shares`, each present when `count` allows, shuffled."""
    total = sum(shares.values())
    stages = [s for s, share in shares.items() for _ in range(max(1, round(share * count / total)))]
    while len(stages) > count:
        stages.remove(Stage.FELLOW if Stage.FELLOW in stages else stages[-1])
    while len(stages) < count:
        stages.append(Stage.FELLOW)
    rng.shuffle(stages)
    return stages


def _country_plans(rng: random.Random, count: int) -> list[CountryPlan]:
    """Every country once (as far as `count` goes), the rest drawn by weight."""
    plans = list(COUNTRIES[:count])
    plans += rng.choices(COUNTRIES, weights=[c.weight for c in COUNTRIES], k=count - len(plans))
    rng.shuffle(plans)
    return plans


def _weighted(rng: random.Random, pairs: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([value for value, _ in pairs], weights=[w for _, w in pairs])[0]


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATION))
    return "".join(char for char in plain if char.isascii() and char.isalnum()).lower()


def _invent_person(
    rng: random.Random, *, number: int, stage: Stage, plan: CountryPlan, joined: datetime
) -> DemoPerson:
    culture = _weighted(rng, plan.cultures)
    names = NAME_POOLS[culture]
    gender = _weighted(
        rng,
        (
            (Gender.FEMALE, 50), (Gender.MALE, 40), (Gender.NON_BINARY, 3),
            (Gender.PREFER_NOT_TO_SAY, 4), (Gender.OTHER, 1), ("", 4),
        ),
    )  # fmt: skip
    feminine = gender == Gender.FEMALE or (gender != Gender.MALE and rng.random() < 0.5)
    first = rng.choice(names.female if feminine else names.male)
    last = rng.choice(names.family)
    institution, time_zone = rng.choice(plan.institutions)
    british = plan.code in _BRITISH_USAGE

    specialty = _weighted(rng, _SPECIALTIES_BY_STAGE[stage])
    role = ""
    if stage == Stage.OTHER:
        role, specialty = rng.choice(_OTHER_ROLES)
    elif stage == Stage.PHD_TRAINEE:
        role = rng.choice(_PHD_ROLES)
    training_year = _training_year(rng, stage=stage, specialty=specialty, country=plan.code)

    primary = rng.choice(_PRIMARY_TOPICS[specialty])
    interests = _interests(rng, primary=primary, specialty=specialty, stage=stage)
    career_paths = _career_paths(rng, primary=primary, stage=stage)
    communities = _communities(rng, culture=culture, country=plan.code, gender=gender)

    mentoring = {
        Stage.ATTENDING: 0.8, Stage.ADVANCED_FELLOW: 0.45, Stage.FELLOW: 0.15,
        Stage.RESIDENT: 0.04, Stage.PHD_TRAINEE: 0.1, Stage.OTHER: 0.3,
    }  # fmt: skip
    seeking = {
        Stage.MEDICAL_STUDENT: 0.6, Stage.RESIDENT: 0.45, Stage.FELLOW: 0.35,
        Stage.ADVANCED_FELLOW: 0.2, Stage.ATTENDING: 0.05, Stage.PHD_TRAINEE: 0.4,
    }  # fmt: skip
    open_to_mentoring = rng.random() < mentoring.get(stage, 0)
    looking_for_mentor = rng.random() < seeking.get(stage, 0)

    display_name = f"{first} {last}"
    if stage == Stage.ATTENDING and rng.random() < 0.25:
        display_name = f"Dr. {display_name}"
    bio = _bio(
        rng,
        stage=stage,
        specialty=specialty,
        role=role,
        training_year=training_year,
        institution=institution,
        country=plan.code,
        primary=primary,
        focus=rng.choice(_FOCUS.get(primary, ("hematology and oncology",))),
        open_to_mentoring=open_to_mentoring,
        communities=communities,
    )
    fields: dict[str, Any] = {
        "display_name": display_name,
        "pronouns": _pronouns(rng, gender),
        "stage": stage.value,
        "specialty": str(specialty),
        "training_year": training_year,
        "institution": institution,
        "country": plan.code,
        "time_zone": time_zone,
        "bio": _british(bio) if british else bio,
        "open_to_mentoring": open_to_mentoring,
        "looking_for_mentor": looking_for_mentor,
        "listed_in_directory": rng.random() > 0.03,
        "gender": str(gender),
        "gender_self_description": rng.choice(("Genderfluid", "Agender", "Genderqueer"))
        if gender == Gender.OTHER
        else "",
        "identity_communities": communities,
        "share_communities_with_matcher": bool(communities) and rng.random() < 0.5,
        **_visibilities(rng),
        **_handles(rng, first=first, last=last, stage=stage, number=number),
    }
    return DemoPerson(
        email=f"{_ascii(first)}.{_ascii(last)}.{number}@{DEMO_DOMAIN}",
        date_joined=joined,
        fields=fields,
        interests=interests,
        career_paths=career_paths,
    )


def _training_year(rng: random.Random, *, stage: Stage, specialty: str, country: str) -> int | None:
    if stage == Stage.MEDICAL_STUDENT:
        return rng.randint(1, 4 if country in {"US", "CA"} else 6)
    if stage == Stage.RESIDENT:
        longest = {"pathology": 4, "radiation_oncology": 5}.get(specialty, 3)
        return rng.randint(1, longest)
    if stage == Stage.FELLOW:
        return 1 if specialty == Specialty.PATHOLOGY else rng.choice((1, 1, 2, 2, 3))
    if stage == Stage.ADVANCED_FELLOW:
        return rng.choice((1, 1, 1, 2))
    if stage == Stage.PHD_TRAINEE:
        return rng.randint(1, 5)
    return None


def _interests(rng: random.Random, *, primary: str, specialty: str, stage: Stage) -> list[str]:
    nearby = [slug for slug in _PRIMARY_TOPICS[specialty] if slug != primary]
    community = list(_COMMUNITY)
    if primary in _HEME or specialty in {Specialty.HEMATOLOGY, Specialty.PATHOLOGY}:
        community += _HEME_COMMUNITY
    if primary in _ONC or specialty in {Specialty.ONCOLOGY, Specialty.RADIATION_ONCOLOGY}:
        community += _ONC_COMMUNITY
    if specialty == Specialty.PATHOLOGY:
        community += ["pathtwitter", "hemepathjc"]
    if stage == Stage.MEDICAL_STUDENT:
        community += ["medstudent", "medstudent"]
    chosen = [primary]
    chosen += rng.sample(nearby, min(len(nearby), rng.randint(0, 2)))
    chosen += rng.sample(community, rng.randint(1, 3))
    return list(dict.fromkeys(chosen))


def _career_paths(rng: random.Random, *, primary: str, stage: Stage) -> list[str]:
    if stage == Stage.PHD_TRAINEE:
        return ["phd-careers", *rng.sample(("industry-pharma", "government-regulatory"), 1)]
    chosen = [_HEMATOLOGY_PATHS[primary]] if primary in _HEMATOLOGY_PATHS else []
    low = 0 if stage == Stage.MEDICAL_STUDENT else 1
    chosen += rng.sample(_GENERAL_PATHS, rng.randint(low, 2))
    return list(dict.fromkeys(chosen))


def _communities(rng: random.Random, *, culture: str, country: str, gender: str) -> list[str]:
    """Identity communities for some members, plausible for name and country, never most."""
    chosen = []
    minority_setting = country in {"US", "CA", "GB", "AU", "NZ", "IE"}
    odds = [
        (IdentityCommunity.WOMEN_IN_MEDICINE, 0.3 if gender == Gender.FEMALE else 0),
        (IdentityCommunity.BLACK_IN_MEDICINE,
         0.45 if culture in _AFRICAN_CULTURES and minority_setting else 0),
        (IdentityCommunity.LATINX_IN_MEDICINE,
         0.5 if culture in {"hispanic", "portuguese"} and minority_setting else 0),
        (IdentityCommunity.ASIAN_IN_MEDICINE,
         0.3 if culture in _ASIAN_CULTURES and minority_setting else 0),
        (IdentityCommunity.INTERNATIONAL_MEDICAL_GRADUATE,
         0.3 if culture not in {"english", "irish"} and minority_setting else 0),
        (IdentityCommunity.INDIGENOUS_IN_MEDICINE, 0.01),
        (IdentityCommunity.LGBTQ_IN_MEDICINE, 0.06),
        (IdentityCommunity.DOCS_WITH_DISABILITIES, 0.03),
        (IdentityCommunity.FIRST_GENERATION, 0.1),
    ]  # fmt: skip
    for community, chance in odds:
        if rng.random() < chance:
            chosen.append(community.value)
    return chosen


def _pronouns(rng: random.Random, gender: str) -> str:
    if gender == Gender.NON_BINARY:
        return "they/them" if rng.random() < 0.9 else ""
    if rng.random() > 0.35:
        return ""
    if gender == Gender.FEMALE:
        return rng.choice(("she/her", "she/her", "she/her", "she/they"))
    if gender == Gender.MALE:
        return rng.choice(("he/him", "he/him", "he/him", "he/they"))
    return ""


def _visibilities(rng: random.Random) -> dict[str, str]:
    """Most show everything to members; some to everyone; a few keep fields to organizers."""
    names = ("stage", "specialty", "training_year", "institution", "country")
    style = rng.choices(("members", "public", "mixed", "private"), weights=(68, 17, 11, 4))[0]
    if style in {"members", "public"}:
        level = Visibility.MEMBERS if style == "members" else Visibility.PUBLIC
        return {f"{name}_visibility": level.value for name in names}
    if style == "private":
        return {f"{name}_visibility": Visibility.ORGANIZERS.value for name in names}
    shown = {f"{name}_visibility": Visibility.MEMBERS.value for name in names}
    for name in rng.sample(("training_year", "institution", "country"), rng.randint(1, 2)):
        shown[f"{name}_visibility"] = Visibility.ORGANIZERS.value
    if rng.random() < 0.5:
        shown["stage_visibility"] = Visibility.PUBLIC.value
    return shown


def demo_orcid(rng: random.Random) -> str:
    """An ORCID iD with a correct check digit (ISO 7064 MOD 11-2).

    Drawn from 0009-0099-..., outside both ranges ORCID assigns iDs from (0000-0001-5000-0007
    to 0000-0003-5000-0001, and 0009-0000-0000-0000 to 0009-0010-0000-0000), so no demo iD
    is a real researcher's.
    """
    digits = "00090099" + f"{rng.randrange(10**7):07d}"
    digits += orcid_check_character(digits)
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def _handles(
    rng: random.Random, *, first: str, last: str, stage: Stage, number: int
) -> dict[str, str]:
    """Social handles for some; X handles end in "_demo", the rest live under the demo domain."""
    first_ascii, last_ascii = _ascii(first), _ascii(last)
    handles = {}
    if rng.random() < 0.45:
        stem = rng.choice(
            (
                first_ascii.capitalize() + last_ascii.capitalize(),
                "Dr" + last_ascii.capitalize(),
                first_ascii.capitalize() + "Heme",
                first_ascii[0].upper() + last_ascii.capitalize() + "MD",
            )
        )
        handles["x_handle"] = stem[:10] + "_demo"
    if rng.random() < 0.15:
        handles["bluesky_handle"] = f"{first_ascii}-{last_ascii}.{DEMO_DOMAIN}"
    if rng.random() < 0.08:
        handles["mastodon_handle"] = f"@{first_ascii}_{last_ascii}@social.{DEMO_DOMAIN}"
    orcid_odds = {
        Stage.ATTENDING: 0.6, Stage.PHD_TRAINEE: 0.7, Stage.ADVANCED_FELLOW: 0.5,
        Stage.FELLOW: 0.3, Stage.RESIDENT: 0.1, Stage.MEDICAL_STUDENT: 0.05, Stage.OTHER: 0.1,
    }  # fmt: skip
    if rng.random() < orcid_odds[stage]:
        handles["orcid"] = demo_orcid(rng)
    return handles


def _british(text: str) -> str:
    return (
        text.replace("hematolog", "haematolog")
        .replace("Hematolog", "Haematolog")
        .replace("hematopath", "haematopath")
        .replace("Hematopath", "Haematopath")
        .replace("pediatric", "paediatric")
        .replace("Pediatric", "Paediatric")
        .replace("anemia", "anaemia")
    )


_FELLOW_LABELS = {
    Specialty.HEMATOLOGY_ONCOLOGY: "hematology-oncology fellow",
    Specialty.HEMATOLOGY: "hematology fellow",
    Specialty.ONCOLOGY: "medical oncology fellow",
    Specialty.PEDIATRICS: "pediatric hematology-oncology fellow",
    Specialty.PATHOLOGY: "hematopathology fellow",
}
_RESIDENT_LABELS = {
    Specialty.INTERNAL_MEDICINE: "internal medicine resident",
    Specialty.PEDIATRICS: "pediatrics resident",
    Specialty.PATHOLOGY: "pathology resident",
    Specialty.RADIATION_ONCOLOGY: "radiation oncology resident",
}
_ATTENDING_LABELS = {
    Specialty.HEMATOLOGY_ONCOLOGY: "hematologist-oncologist",
    Specialty.HEMATOLOGY: "hematologist",
    Specialty.ONCOLOGY: "medical oncologist",
    Specialty.PEDIATRICS: "pediatric hematologist-oncologist",
    Specialty.RADIATION_ONCOLOGY: "radiation oncologist",
    Specialty.PATHOLOGY: "hematopathologist",
}


def _bio(
    rng: random.Random,
    *,
    stage: Stage,
    specialty: str,
    role: str,
    training_year: int | None,
    institution: str,
    country: str,
    primary: str,
    focus: str,
    open_to_mentoring: bool,
    communities: list[str],
) -> str:
    """One to three sentences in Markdown, then the note that the profile is synthetic."""
    year = _ORDINALS[(training_year or 1) - 1]
    if stage == Stage.MEDICAL_STUDENT:
        intro = f"{year}-year medical student at {institution}."
    elif stage == Stage.RESIDENT:
        label = _RESIDENT_LABELS[Specialty(specialty)]
        intro = (
            f"PGY-{training_year} {label} at {institution}."
            if country in {"US", "CA"}
            else f"{year}-year {label} at {institution}."
        )
    elif stage == Stage.FELLOW:
        intro = f"{year}-year {_FELLOW_LABELS[Specialty(specialty)]} at {institution}."
    elif stage == Stage.ADVANCED_FELLOW:
        area = _ADVANCED_AREAS.get(primary, "early-phase drug development")
        intro = f"Advanced fellow in {area} at {institution}."
    elif stage == Stage.ATTENDING:
        label = _ATTENDING_LABELS[Specialty(specialty)]
        title = "Consultant" if country in _BRITISH_USAGE else "Assistant professor and"
        intro = rng.choice(
            (
                f"{label[0].upper()}{label[1:]} at {institution}.",
                f"{title} {label} at {institution}.",
                f"Early-career {label} at {institution}.",
            )
        )
    else:
        intro = f"{role} at {institution}."
    if rng.random() < 0.3:
        focus = f"**{focus}**"
    templates = _STUDENT_FOCUS_SENTENCES if stage == Stage.MEDICAL_STUDENT else _FOCUS_SENTENCES
    sentences = [intro, rng.choice(templates).format(focus=focus)]
    if rng.random() < 0.55:
        closings = list(_CLOSING_SENTENCES)
        if open_to_mentoring:
            closings += ["Happy to mentor students and residents thinking about hem-onc."] * 3
        if IdentityCommunity.INTERNATIONAL_MEDICAL_GRADUATE in communities:
            closings += ["Happy to talk with international graduates about the match."] * 3
        if IdentityCommunity.FIRST_GENERATION in communities:
            closings += ["Proud first-generation physician."] * 2
        if stage == Stage.RESIDENT:
            closings += ["Applying to fellowship soon: tips welcome."] * 2
        if stage == Stage.MEDICAL_STUDENT:
            closings += ["Looking for a research project in hem-onc."] * 2
        sentences.append(rng.choice(closings))
    return " ".join([*sentences, SYNTHETIC_NOTE])
