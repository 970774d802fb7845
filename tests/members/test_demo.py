import random
import unicodedata
from datetime import UTC, datetime
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from hemonc.core.countries import country_name
from hemonc.core.models import AuditEntry
from hemonc.core.timezones import is_time_zone
from hemonc.members.demo import DEMO_DOMAIN, SYNTHETIC_NOTE, demo_orcid, demo_people
from hemonc.members.enums import Gender, Visibility
from hemonc.members.models import Block, Profile, User
from hemonc.members.selectors import DirectoryFilters, directory_search, user_ids_hidden_from
from hemonc.members.validators import validate_orcid
from hemonc.taxonomy.enums import Stage

# The demo is built once for this module (tests/conftest.py); every test here only reads it.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


def _run_demo(**options) -> str:
    out = StringIO()
    call_command("demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def demo(demo_network: str) -> str:
    return demo_network


def _demo_profiles():
    return Profile.objects.filter(user__email__endswith=f"@{DEMO_DOMAIN}")


def test_demo_creates_about_300_members_at_every_stage(demo):
    profiles = _demo_profiles()
    stages = list(profiles.values_list("stage", flat=True))

    assert 290 <= User.objects.count() <= 310
    assert profiles.count() == User.objects.count()
    assert set(stages) == set(Stage.values)
    residents_and_fellows = stages.count(Stage.RESIDENT) + stages.count(Stage.FELLOW)
    assert residents_and_fellows > len(stages) / 2
    assert profiles.exclude(specialty="").values("specialty").distinct().count() >= 5
    assert "Created the demo network" in demo
    assert "organizer@demo.hemonc.example" in demo


def test_demo_members_come_from_20_countries_in_their_own_time_zones(demo):
    profiles = _demo_profiles()
    countries = set(profiles.values_list("country", flat=True))

    assert len(countries) >= 20
    assert all(country_name(code) for code in countries)
    assert profiles.filter(country="US").count() > profiles.filter(country="NG").count() > 0
    assert all(is_time_zone(zone) for zone in profiles.values_list("time_zone", flat=True))
    assert set(profiles.filter(country="JP").values_list("time_zone", flat=True)) == {"Asia/Tokyo"}
    assert set(profiles.filter(country="KE").values_list("time_zone", flat=True)) == {
        "Africa/Nairobi"
    }
    us_zones = set(profiles.filter(country="US").values_list("time_zone", flat=True))
    assert {"America/New_York", "America/Los_Angeles"} <= us_zones
    assert all(zone.startswith("America/") for zone in us_zones)


def test_demo_profiles_are_valid_synthetic_and_varied(demo):
    profiles = list(_demo_profiles().prefetch_related("interests", "career_paths"))

    for profile in profiles:
        profile.full_clean()  # the validators of the profile form: ORCID check digit, handles
        assert profile.bio.endswith(SYNTHETIC_NOTE)
        assert profile.display_name
        assert profile.interests.all()
    assert all(user.email.endswith(f"@{DEMO_DOMAIN}") for user in User.objects.all())
    assert sum(bool(p.orcid) for p in profiles) >= 30
    assert sum(bool(p.x_handle) for p in profiles) >= 50
    assert sum(bool(p.pronouns) for p in profiles) >= 30
    assert sum(bool(p.career_paths.all()) for p in profiles) >= 250
    hashtags = {topic.hashtag for p in profiles for topic in p.interests.all()}
    assert {"bcsm", "mmsm", "leusm", "lymsm", "hemetwitter"} <= hashtags
    assert len({p.bio for p in profiles}) == len(profiles)


def test_demo_names_come_from_many_cultures_and_read_in_latin_script(demo):
    names = [
        name.removeprefix("Dr. ")
        for name in _demo_profiles().values_list("display_name", flat=True)
    ]
    family_names = {name.rsplit(" ", 1)[-1] for name in names}

    assert len(family_names) >= 200
    assert sum(not name.isascii() for name in names) >= 10  # Lucía, Müller, Trần, ...
    letters = {char for name in names for char in name if char.isalpha()}
    assert all(unicodedata.name(char).startswith("LATIN") for char in letters)
    emails = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").values_list("email", flat=True)
    assert all(email.isascii() for email in emails)


def test_demo_mixes_visibilities_and_optional_demographics(demo):
    profiles = _demo_profiles()
    visibilities = list(profiles.values_list("institution_visibility", flat=True))
    genders = list(profiles.values_list("gender", flat=True))

    assert visibilities.count(Visibility.MEMBERS) > len(visibilities) / 2
    assert visibilities.count(Visibility.PUBLIC) >= 10
    assert 0 < visibilities.count(Visibility.ORGANIZERS) < len(visibilities) / 5
    assert genders.count(Gender.PREFER_NOT_TO_SAY) > 0
    assert genders.count("") > 0
    assert sum(bool(c) for c in profiles.values_list("identity_communities", flat=True)) >= 30


def test_demo_has_mentors_and_members_looking_for_one(demo):
    attendings = _demo_profiles().filter(stage=Stage.ATTENDING)
    trainees = _demo_profiles().exclude(stage__in=[Stage.ATTENDING, Stage.OTHER])

    assert attendings.filter(open_to_mentoring=True).count() > attendings.count() / 2
    assert trainees.filter(looking_for_mentor=True).count() >= 50
    assert Block.objects.count() >= 1


def test_demo_sign_ins_work_and_carry_their_roles(demo, client):
    organizer = User.objects.get(email=f"organizer@{DEMO_DOMAIN}")
    moderator = User.objects.get(email=f"moderator@{DEMO_DOMAIN}")
    member = User.objects.get(email=f"member@{DEMO_DOMAIN}")

    response = client.post(
        reverse("account_login"), {"login": organizer.email, "password": "demo-organizer"}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(organizer.pk)
    assert organizer.check_password("demo-organizer")
    assert moderator.check_password("demo-moderator")
    assert member.check_password("demo-member")
    assert (organizer.is_organizer, organizer.is_staff, organizer.profile.display_name) == (
        True,
        True,
        "Demo Organizer",
    )
    assert (moderator.is_moderator, moderator.is_organizer) == (True, False)
    assert (member.is_organizer, member.is_moderator, member.profile.stage) == (
        False,
        False,
        Stage.FELLOW,
    )
    assert User.objects.filter(groups__name="organizer").count() >= 2
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == User.objects.count()
    attending = User.objects.get(email=f"attending@{DEMO_DOMAIN}")
    blocked = User.objects.get(email=f"blocked@{DEMO_DOMAIN}")
    assert attending.check_password("demo-attending")
    assert blocked.check_password("demo-blocked")
    assert attending.profile.stage == Stage.ATTENDING
    assert blocked.profile.stage == Stage.FELLOW
    assert member.blocks_made.filter(blocked=blocked).exists()
    sign_ins = [organizer, moderator, member, attending, blocked]
    others = User.objects.exclude(pk__in=[user.pk for user in sign_ins])
    assert not any(user.has_usable_password() for user in others)


def test_directory_search_finds_demo_members(demo):
    member = User.objects.get(email=f"member@{DEMO_DOMAIN}")
    # The demo member has blocked one fellow (blocked@): hidden from their directory.
    hidden = user_ids_hidden_from(viewer=member) or frozenset()
    listed = _demo_profiles().filter(listed_in_directory=True).exclude(user_id__in=hidden).count()

    def search(**filters):
        return directory_search(viewer=member, filters=DirectoryFilters(**filters))

    assert search(query="synthetic").count() == listed
    assert search(query="myeloma").count() >= 3
    assert search(query="Demo Organizer").get().display_name == "Demo Organizer"
    assert search(country="NG").count() >= 1
    assert search(stage=Stage.MEDICAL_STUDENT).count() >= 10
    assert search(interest="bcsm").count() >= 5
    assert search(open_to_mentoring=True).count() >= 20


def test_demo_join_dates_spread_from_february_2021_to_now(demo):
    joined = list(User.objects.values_list("date_joined", flat=True))
    years = {moment.year for moment in joined}

    assert min(joined) >= datetime(2021, 2, 1, tzinfo=UTC)
    assert max(joined) <= timezone.now()
    assert set(range(2021, timezone.now().year + 1)) <= years


def test_demo_run_twice_changes_nothing(demo):
    counts = (
        User.objects.count(),
        Profile.objects.count(),
        EmailAddress.objects.count(),
        Block.objects.count(),
        Profile.interests.through.objects.count(),
        AuditEntry.objects.count(),
    )

    second = _run_demo()

    assert "already here" in second
    assert "organizer@demo.hemonc.example" in second
    assert counts == (
        User.objects.count(),
        Profile.objects.count(),
        EmailAddress.objects.count(),
        Block.objects.count(),
        Profile.interests.through.objects.count(),
        AuditEntry.objects.count(),
    )


def test_demo_people_are_the_same_for_the_same_seed():
    now = datetime(2025, 6, 1, tzinfo=UTC)

    first = demo_people(rng=random.Random(2021), count=40, now=now)
    second = demo_people(rng=random.Random(2021), count=40, now=now)

    assert [(p.email, p.fields, p.interests) for p in first] == [
        (p.email, p.fields, p.interests) for p in second
    ]


def test_demo_orcid_passes_the_check_digit():
    rng = random.Random(7)

    for _ in range(200):
        validate_orcid(demo_orcid(rng))
