"""The member pages as people read them: the profile form keeps a chosen photo, and the
profile, the cards and the directory say things in whole, tidy phrases."""

import io
import re

import pytest
from django.urls import reverse
from PIL import Image

from hemonc.members.enums import Visibility
from tests.factories import make_member

pytestmark = pytest.mark.django_db

PROFILE_FORM = {
    "display_name": "Ana Lopez", "stage": "fellow", "stage_visibility": "members",
    "specialty_visibility": "members", "training_year_visibility": "members",
    "institution_visibility": "members", "country_visibility": "members",
    "listed_in_directory": "on",
}  # fmt: skip


def _png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), (10, 120, 200)).save(buffer, format="PNG")
    buffer.name = "photo.png"
    buffer.seek(0)
    return buffer


def _text(html: str) -> str:
    """The page's words as a reader sees them: tags out, runs of white space as one space."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


def test_save_profile_keeps_the_photo_chosen_on_the_same_page(signed_in, member):
    response = signed_in.post(
        reverse("members:profile_edit"), {**PROFILE_FORM, "photo": _png()}, follow=True
    )
    assert "Your profile is saved." in response.content.decode()
    member.profile.refresh_from_db()
    assert member.profile.avatar
    assert member.profile.avatar.url in response.content.decode()


def test_save_profile_with_remove_photo_takes_it_off(signed_in, member):
    signed_in.post(reverse("members:profile_edit"), {**PROFILE_FORM, "photo": _png()})
    member.profile.refresh_from_db()
    assert member.profile.avatar
    page = signed_in.get(reverse("members:profile_edit")).content.decode()
    assert "Remove my photo" in page
    signed_in.post(reverse("members:profile_edit"), {**PROFILE_FORM, "remove_photo": "on"})
    member.profile.refresh_from_db()
    assert not member.profile.avatar


def test_save_profile_with_an_unreadable_photo_saves_nothing_and_says_why(signed_in, member):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40)).save(buffer, format="BMP")
    buffer.name = "photo.bmp"
    buffer.seek(0)
    response = signed_in.post(
        reverse("members:profile_edit"),
        {**PROFILE_FORM, "display_name": "Renamed", "photo": buffer},
    )
    html = response.content.decode()
    assert "The photo must be a JPEG, PNG, WebP or GIF image." in html
    assert "Your profile is saved." not in html
    member.profile.refresh_from_db()
    assert member.profile.display_name != "Renamed"
    assert not member.profile.avatar


def test_the_profile_edit_page_has_one_form_for_the_photo_and_the_profile(signed_in):
    html = signed_in.get(reverse("members:profile_edit")).content.decode()
    assert html.count('enctype="multipart/form-data"') == 1
    assert 'name="photo"' in html
    assert "Upload photo" not in html


def test_profile_says_stage_and_year_with_no_space_before_the_comma(client, member):
    other = make_member(display_name="Year Two B", stage="fellow", training_year=2)
    client.force_login(member)
    text = _text(client.get(reverse("members:profile", args=[other.pk])).content.decode())
    assert "Fellow, year 2" in text
    assert "Fellow , year 2" not in text


def test_profile_and_card_show_no_dangling_separator_when_a_part_is_hidden(client, member):
    other = make_member(
        display_name="Only Specialty", stage="", specialty="hematology_oncology",
        institution="", country="US", training_year=3,
    )  # fmt: skip
    client.force_login(member)
    profile = client.get(reverse("members:profile", args=[other.pk])).content.decode()
    directory = client.get(reverse("members:directory")).content.decode()
    for html in (profile, directory):
        assert "Hematology-oncology" in html
        assert not _dangling(html)
    assert "Year 3 · Hematology-oncology" in _text(profile)
    assert "Only Specialty" in directory


def _dangling(html: str) -> list[str]:
    """Separators with nothing on one side, in the pages' meta lines."""
    lines = re.findall(r'class="member-meta">(.*?)</p>', html, flags=re.DOTALL)
    return [
        line for line in lines
        if re.match(r"\s*[·,]", _text(line)) or re.search(r"[·,]\s*$", _text(line))
    ]  # fmt: skip


def test_visitors_see_no_separator_for_members_only_parts(client):
    make_member(
        display_name="Public Stage", stage="fellow", stage_visibility=Visibility.PUBLIC,
        specialty="hematology_oncology", specialty_visibility=Visibility.MEMBERS,
    )  # fmt: skip
    html = client.get("/").content.decode()
    assert "Public Stage" in html
    assert not _dangling(html)


def test_home_and_directory_give_the_same_member_count(client, member):
    from allauth.account.models import EmailAddress

    from hemonc.members.services import block_create

    make_member(display_name="Listed One")
    make_member(display_name="Unlisted", listed_in_directory=False)
    gone = make_member(display_name="Deactivated")
    type(gone).objects.filter(pk=gone.pk).update(is_active=False)
    unconfirmed = make_member(display_name="Never Confirmed")
    EmailAddress.objects.filter(user=unconfirmed).update(verified=False)
    blocked = make_member(display_name="Blocked One")
    block_create(blocker=member, blocked=blocked)
    client.force_login(member)
    home = _text(client.get("/").content.decode())
    directory = _text(client.get(reverse("members:directory")).content.decode())
    # The member and "Listed One": not the unlisted, deactivated, unconfirmed or blocked.
    assert "2 members in the directory" in directory
    assert "2 members in the directory" in home
    assert "Never Confirmed" not in directory


def test_visitors_home_counts_the_listed_members(client):
    make_member(display_name="Listed One")
    make_member(display_name="Unlisted", listed_in_directory=False)
    assert "Members in the directory 1 " in _text(client.get("/").content.decode())


def test_mentor_finder_names_the_stage_filter_plainly(client, member):
    client.force_login(member)
    html = client.get(reverse("mentorship:finder")).content.decode()
    assert "Mentors my stage" not in html
    assert "Stage they mentor" in html


def test_a_profile_without_badges_has_no_empty_badge_line(client, member):
    other = make_member(display_name="No Badges")
    client.force_login(member)
    html = client.get(reverse("members:profile", args=[other.pk])).content.decode()
    assert not re.search(r'<p class="badges">\s*</p>', html)
