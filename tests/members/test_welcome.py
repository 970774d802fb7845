"""The first-sign-in welcome: shown once, skippable, each step saved through the profile
service; the time zone comes from the browser's cookie when it names a real zone."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from PIL import Image

from hemonc.members.models import Profile
from hemonc.taxonomy.models import Topic
from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.django_db


def _sign_in(client, user, next_url: str = ""):  # type: ignore[no-untyped-def]
    url = reverse("account_login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"login": user.email, "password": PASSWORD})


def test_first_sign_in_leads_to_the_welcome_once_then_home(client, member):
    assert member.profile.welcomed_at is None
    response = _sign_in(client, member)
    assert response["Location"] == reverse("members:welcome")
    page = client.get(response["Location"]).content.decode()
    assert "Welcome, Ana Lopez!" in page
    assert "Skip for now" in page
    client.logout()
    assert _sign_in(client, member)["Location"] == reverse("home")


def test_sign_in_honours_next_before_the_welcome(client, member):
    target = reverse("members:directory")
    assert _sign_in(client, member, target)["Location"] == target


def test_members_who_joined_before_the_welcome_go_home():
    # The migration marks profiles already there as welcomed; a profile so marked goes home.
    user = make_member(display_name="Old Timer")
    Profile.objects.filter(user=user).update(welcomed_at=user.date_joined)
    from django.test import Client

    client = Client()
    assert _sign_in(client, user)["Location"] == reverse("home")


def test_each_step_saves_and_leads_to_the_next(client, member):
    client.force_login(member)
    response = client.post(
        reverse("members:welcome_step", args=["training"]),
        {"stage": "resident", "training_year": "2", "specialty": "internal_medicine"},
    )
    assert response["Location"] == reverse("members:welcome_step", args=["interests"])
    topic = Topic.objects.get(slug="mmsm")
    client.post(reverse("members:welcome_step", args=["interests"]), {"interests": [topic.pk]})
    client.post(
        reverse("members:welcome_step", args=["privacy"]),
        {
            "institution": "Harbor Hospital", "country": "MX",
            "stage_visibility": "public", "specialty_visibility": "members",
            "training_year_visibility": "organizers", "institution_visibility": "members",
            "country_visibility": "public", "listed_in_directory": "on",
        },
    )  # fmt: skip
    photo = io.BytesIO()
    Image.new("RGB", (200, 200), (200, 20, 20)).save(photo, format="PNG")
    photo.name = "me.png"
    photo.seek(0)
    client.post(reverse("members:welcome_step", args=["photo"]), {"photo": photo})
    response = client.post(
        reverse("members:welcome_step", args=["time-zone"]), {"time_zone": "Europe/Madrid"},
        follow=True,
    )  # fmt: skip
    assert "Your profile is set up. Welcome to the network!" in response.content.decode()
    profile = Profile.objects.get(user=member)
    assert (profile.stage, profile.training_year, profile.specialty) == (
        "resident", 2, "internal_medicine"
    )  # fmt: skip
    assert list(profile.interests.all()) == [topic]
    assert profile.institution == "Harbor Hospital"
    assert profile.training_year_visibility == "organizers"
    assert profile.avatar
    assert profile.time_zone == "Europe/Madrid"


def test_a_step_with_a_bad_value_says_so_and_stays(client, member):
    client.force_login(member)
    response = client.post(
        reverse("members:welcome_step", args=["training"]), {"training_year": "40"}
    )
    assert response.status_code == 200
    assert "Please correct the fields marked below." in response.content.decode()


def test_an_unknown_step_is_not_found(client, member):
    client.force_login(member)
    assert client.get("/welcome/no-such-step/").status_code == 404


def test_the_time_zone_step_takes_the_browsers_zone(client, member):
    client.force_login(member)
    client.cookies["tz"] = "America%2FArgentina%2FBuenos_Aires"  # as site.js writes it
    html = client.get(reverse("members:welcome_step", args=["time-zone"])).content.decode()
    assert re.search(r'<option value="America/Argentina/Buenos_Aires" selected>', html)


@pytest.mark.parametrize(
    "cookie", ["Mars%2FOlympus", "..%2F..%2Fetc%2Fpasswd", "<script>", "Etc%2FGMT%2B5", "x" * 500]
)
def test_the_time_zone_step_ignores_a_cookie_that_is_no_zone(client, member, cookie):
    client.force_login(member)
    client.cookies["tz"] = cookie
    response = client.get(reverse("members:welcome_step", args=["time-zone"]))
    assert response.status_code == 200
    select = response.content.decode().split('name="time_zone"', 1)[1].split("</select>", 1)[0]
    assert re.findall(r'<option value="([^"]*)" selected>', select) == [""]


def test_the_time_zone_step_keeps_a_zone_already_chosen(client):
    user = make_member(display_name="Has Zone", time_zone="Asia/Tokyo")
    client.force_login(user)
    client.cookies["tz"] = "Europe%2FParis"
    html = client.get(reverse("members:welcome_step", args=["time-zone"])).content.decode()
    assert '<option value="Asia/Tokyo" selected>' in html


def test_sign_up_takes_the_time_zone_from_the_browser(client, mailoutbox):
    client.cookies["tz"] = "Africa%2FNairobi"
    client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": "a-long-pass-phrase-9",
         "password2": "a-long-pass-phrase-9", "display_name": "New Member"},
    )  # fmt: skip
    assert Profile.objects.get(user__email="new@example.org").time_zone == "Africa/Nairobi"


def test_sign_up_with_a_bad_time_zone_cookie_leaves_it_empty(client):
    client.cookies["tz"] = "Not%2FA_Zone"
    client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": "a-long-pass-phrase-9",
         "password2": "a-long-pass-phrase-9", "display_name": "New Member"},
    )  # fmt: skip
    assert Profile.objects.get(user__email="new@example.org").time_zone == ""


def test_the_browser_zone_as_site_js_writes_it_sets_the_zone_of_pages(rf):
    """site.js writes the cookie URL-encoded; pages for visitors show times in that zone."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.utils import timezone

    from hemonc.core.middleware import TimezoneMiddleware

    seen = []

    def page(request):  # type: ignore[no-untyped-def]
        seen.append(timezone.get_current_timezone_name())
        return HttpResponse()

    request = rf.get("/")
    request.user = AnonymousUser()
    request.COOKIES["tz"] = "Asia%2FKolkata"
    TimezoneMiddleware(page)(request)
    request.COOKIES["tz"] = "Nowhere%2FAtAll"
    TimezoneMiddleware(page)(request)
    timezone.deactivate()
    assert seen[0] == "Asia/Kolkata"
    assert seen[1] != "Nowhere/AtAll"
