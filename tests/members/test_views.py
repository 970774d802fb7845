import io
import json
import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image

from hemonc.core.pagination import CappedPaginator
from hemonc.members.enums import Role, Visibility
from hemonc.members.models import User
from hemonc.members.services import block_create, profile_update
from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


def test_home_shows_member_count_and_newest_members_public_fields_only(client):
    make_member(display_name="Visible Fellow", institution="Hidden From Visitors",
                stage_visibility=Visibility.PUBLIC)  # fmt: skip
    response = client.get("/")
    html = response.content.decode()
    assert "Visible Fellow" in html
    assert "Fellow · Hematology-oncology" not in html  # specialty is members-only
    assert ">Fellow" in html or "Fellow\n" in html
    assert "Hidden From Visitors" not in html
    assert re.search(r"<dd>\s*1\s*</dd>", html)


def test_directory_asks_visitors_to_sign_in(client):
    response = client.get(reverse("members:directory"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_directory_search_page_and_htmx_partial(signed_in, other_member):
    page = signed_in.get(reverse("members:directory"), {"q": "okafor", "country": "NG"})
    partial = signed_in.get(
        reverse("members:directory"), {"q": "okafor"}, headers={"HX-Request": "true"}
    )
    assert "Ben Okafor" in page.content.decode()
    assert "<html" in page.content.decode()
    assert "Ben Okafor" in partial.content.decode()
    assert "<html" not in partial.content.decode()
    assert "1 member" in partial.content.decode()


@pytest.mark.parametrize("query", ["", "a' OR 1=1 --", '"unbalanced', "NEAR(", "*", "€∑"])
def test_directory_survives_any_search_text(signed_in, query):
    response = signed_in.get(reverse("members:directory"), {"q": query, "page": "x"})
    assert response.status_code == 200
    assert "member" in response.content.decode()


def test_directory_ignores_a_bad_filter_value_without_error(signed_in):
    response = signed_in.get(reverse("members:directory"), {"stage": "astronaut"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_blocked_members_profiles_are_not_found_both_ways(client, member, other_member):
    block_create(blocker=member, blocked=other_member)
    client.force_login(member)
    assert client.get(reverse("members:profile", args=[other_member.pk])).status_code == 404
    client.force_login(other_member)
    assert client.get(reverse("members:profile", args=[member.pk])).status_code == 404


def test_block_button_blocks_and_lists_the_member(signed_in, other_member):
    response = signed_in.post(reverse("members:block", args=[other_member.pk]), follow=True)
    html = response.content.decode()
    assert "You blocked Ben Okafor" in html
    assert "Unblock" in html


def test_profile_edit_saves_and_shows_on_the_profile(signed_in, member):
    form = {
        "display_name": "Dr. Ana Lopez", "pronouns": "she/her", "bio": "Myeloma **research**.",
        "stage": "advanced_fellow", "stage_visibility": "public", "specialty": "hematology_oncology",
        "specialty_visibility": "members", "training_year": "4", "training_year_visibility": "members",
        "institution": "Harbor Medical School", "institution_visibility": "members", "country": "MX",
        "country_visibility": "public", "time_zone": "America/Mexico_City",
        "orcid": "https://orcid.org/0000-0002-1825-0097", "x_handle": "@ana_lopez_md",
        "open_to_mentoring": "on", "listed_in_directory": "on",
    }  # fmt: skip
    response = signed_in.post(reverse("members:profile_edit"), form, follow=True)
    html = response.content.decode()
    assert "Your profile is saved." in html
    assert "Advanced fellow" in html
    assert "<strong>research</strong>" in html
    assert "Mexico" in html
    assert "0000-0002-1825-0097" in html
    member.profile.refresh_from_db()
    assert member.profile.x_handle == "ana_lopez_md"
    assert member.profile.time_zone == "America/Mexico_City"


def test_profile_edit_reports_a_bad_orcid_without_saving(signed_in, member):
    response = signed_in.post(
        reverse("members:profile_edit"),
        {"display_name": "Ana", "orcid": "0000-0002-1825-0098", "stage_visibility": "members",
         "specialty_visibility": "members", "training_year_visibility": "members",
         "institution_visibility": "members", "country_visibility": "members"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "check digit is wrong" in response.content.decode()
    member.profile.refresh_from_db()
    assert member.profile.orcid == ""


def test_bio_markdown_is_sanitized(client, member):
    member.profile.bio = "<script>alert(1)</script>[x](javascript:alert(1)) **ok**"
    member.profile.save()
    html = client.get(reverse("members:profile", args=[member.pk])).content.decode()
    assert "<script>alert" not in html
    assert 'href="javascript' not in html
    assert "<strong>ok</strong>" in html


def test_avatar_upload_rejects_non_images_with_a_message(signed_in):
    response = signed_in.post(
        reverse("members:avatar"),
        {"avatar": io.BytesIO(b"not an image at all")},
        follow=True,
    )
    assert response.status_code == 200
    assert "Upload a valid image" in response.content.decode()


def _huge_png(width: int, height: int) -> bytes:
    """A real, valid PNG of one grey: its header claims width x height, the file is small
    (the pixels compress to almost nothing) but decoding it takes width*height bytes."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x80" * width  # filter "none", then one grey byte per pixel
    rows_per_piece = max(1, 4_000_000 // len(row))
    pieces = []
    for start in range(0, height, rows_per_piece):
        pieces.append(compressor.compress(row * min(rows_per_piece, height - start)))
    pieces.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"".join(pieces))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(("width", "height"), [(6000, 6000), (4097, 100), (20000, 20000)])
def test_avatar_upload_refuses_huge_dimensions_before_decoding(signed_in, member, width, height):
    data = _huge_png(width, height)
    assert len(data) < 1_000_000
    upload = io.BytesIO(data)
    upload.name = "huge.png"

    response = signed_in.post(reverse("members:avatar"), {"avatar": upload}, follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert "at most 4096 x 4096 pixels" in page
    member.profile.refresh_from_db()
    assert not member.profile.avatar


def test_avatar_upload_shows_the_new_photo(signed_in, member):
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), (10, 120, 200)).save(buffer, format="PNG")
    buffer.name = "photo.png"
    buffer.seek(0)
    response = signed_in.post(reverse("members:avatar"), {"avatar": buffer}, follow=True)
    member.profile.refresh_from_db()
    assert "Your photo is updated." in response.content.decode()
    assert member.profile.avatar.url in response.content.decode()


def test_data_export_downloads_json(signed_in, member):
    response = signed_in.get(reverse("members:data_export"))
    assert response["Content-Disposition"].startswith('attachment; filename="hemonc-my-data-')
    assert json.loads(response.content)["account"]["email"] == member.email


def test_account_delete_needs_the_password_then_erases(client, member):
    client.force_login(member)
    wrong = client.post(reverse("members:account_delete"), {"password": "nope", "confirm": "on"})
    assert "That is not your password." in wrong.content.decode()
    assert User.objects.filter(pk=member.pk).exists()

    done = client.post(
        reverse("members:account_delete"), {"password": PASSWORD, "confirm": "on"}, follow=True
    )
    assert "Your account and your personal data are deleted." in done.content.decode()
    assert not User.objects.filter(pk=member.pk).exists()


def test_signup_creates_a_profile_and_sends_a_verification_mail(
    client, django_capture_on_commit_callbacks
):
    form = {
        "email": "New.Fellow@Example.org",
        "display_name": "Nia Mensah",
        "password1": "a-long-unusual-passphrase",
        "password2": "a-long-unusual-passphrase",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), form)
    assert response.status_code == 302
    user = User.objects.get(email__iexact="new.fellow@example.org")
    assert user.profile.display_name == "Nia Mensah"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert mail.outbox[0].subject == "[Hem-Onc Network] Please Confirm Your Email Address"
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_sign_in_is_rate_limited_after_repeated_failures(client, member, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/5m/ip"}
    cache.clear()
    for _ in range(3):
        client.post(reverse("account_login"), {"login": member.email, "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    cache.clear()


def test_sign_up_is_rate_limited(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"signup": "2/h/ip"}
    cache.clear()
    statuses = [
        client.post(
            reverse("account_signup"),
            {"email": f"n{i}@example.org", "display_name": f"N {i}",
             "password1": "a-long-unusual-passphrase", "password2": "a-long-unusual-passphrase"},
        ).status_code
        for i in range(3)
    ]  # fmt: skip
    assert statuses[-1] == 429
    cache.clear()


def test_admin_is_for_organizers_and_shows_the_audit_log(client, member):
    client.force_login(member)
    assert client.get("/admin/").status_code == 302
    organizer = make_member(display_name="Org", role=Role.ORGANIZER)
    client.force_login(organizer)
    audit_page = client.get("/admin/core/auditentry/")
    users_page = client.get("/admin/members/user/", {"q": "Ana"})
    assert audit_page.status_code == 200
    assert "member.role_grant" in audit_page.content.decode()
    assert member.email in users_page.content.decode()


def test_healthz_tells_visitors_only_that_it_is_up(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_reports_database_and_queue_to_a_token_or_an_organizer(client, settings):
    settings.HEALTHZ_TOKEN = "monitor-secret-0123456789"

    with_token = client.get(
        "/healthz", headers={"Authorization": "Bearer monitor-secret-0123456789"}
    )
    wrong_token = client.get("/healthz", headers={"Authorization": "Bearer guess"})
    client.force_login(make_member(display_name="Org", role=Role.ORGANIZER))
    organizer = client.get("/healthz")

    for response in (with_token, organizer):
        body = response.json()
        assert response.status_code == 200
        assert body["checks"]["database"]["status"] == "ok"
        assert body["checks"]["tasks"] == {"status": "ok", "ready": 0, "oldest_wait_seconds": 0.0}
    assert wrong_token.json() == {"status": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update({
        "DJANGO_DEBUG": "true", "HEMONC_VAR_DIR": str(tmp_path), "CACHE_URL": "locmem://",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nothing?connect_timeout=2",
    })  # fmt: skip
    probe = (
        "from django.test import Client;"
        "r = Client(SERVER_NAME='localhost').get('/healthz', headers={'Cookie': 'sessionid=x'});"
        "print(r.status_code, r.content.decode())"
    )
    result = subprocess.run(
        [sys.executable, "-m", "hemonc", "shell", "-v", "0", "-c", probe],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip

    assert result.stdout.strip().splitlines()[-1] == '503 {"status": "error"}', result.stderr


def test_healthz_fails_when_tasks_wait_too_long(client, settings):
    settings.HEALTHZ_TOKEN = "monitor-secret-0123456789"
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}}, priority=0, task_path="hemonc.nothing",
        queue_name="default", backend_name="default",
        run_after=timezone.now() - timedelta(hours=1),
    )  # fmt: skip
    public = client.get("/healthz")
    response = client.get("/healthz", headers={"X-Healthz-Token": "monitor-secret-0123456789"})

    assert (public.status_code, public.json()) == (503, {"status": "error"})
    assert response.status_code == 503
    assert response.json()["checks"]["tasks"]["status"] == "stalled"


def test_directory_says_more_than_when_results_pass_the_counting_cap(signed_in, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 2)
    for name in ("Cara One", "Cara Two", "Cara Three"):
        make_member(display_name=name)
    html = signed_in.get(reverse("members:directory"), {"q": "cara"}).content.decode()
    assert "More than 2 members" in html


def test_directory_country_filter_learns_a_new_country_at_once(
    signed_in, member, django_capture_on_commit_callbacks
):
    assert "Portugal" not in signed_in.get(reverse("members:directory")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        profile_update(profile=member.profile, actor=member, country="PT")
    assert "Portugal" in signed_in.get(reverse("members:directory")).content.decode()


def test_only_organizers_see_the_analytics_link(client, member):
    client.force_login(member)
    assert ">Analytics<" not in client.get("/").content.decode()
    client.force_login(make_member(display_name="Org", role=Role.ORGANIZER))
    assert ">Analytics<" in client.get("/").content.decode()


def test_an_account_without_a_display_name_is_never_named_by_its_email(signed_in, member):
    root = User.objects.create_superuser("root-admin@example.org", "a-long-root-passphrase")
    assert str(root) == f"Member #{root.pk}"
    block_create(blocker=member, blocked=root)
    response = signed_in.post(reverse("members:unblock", args=[root.pk]), follow=True)
    assert f"You unblocked Member #{root.pk}." in response.content.decode()
    assert "root-admin" not in response.content.decode()


def test_unblocking_someone_not_blocked_reveals_nothing(signed_in, other_member):
    known = signed_in.post(reverse("members:unblock", args=[other_member.pk]), follow=True)
    unknown = signed_in.post(reverse("members:unblock", args=[999_999]), follow=True)
    for response in (known, unknown):
        html = response.content.decode()
        assert response.status_code == 200
        assert "Ben Okafor" not in html and other_member.email not in html
        assert "That member was not blocked." in html


def test_unlisted_members_profiles_are_not_found_by_visitors(client, member, other_member):
    unlisted = make_member(display_name="Una Listed", listed_in_directory=False)
    url = reverse("members:profile", args=[unlisted.pk])

    assert client.get(url).status_code == 404
    assert client.get(reverse("members:profile", args=[other_member.pk])).status_code == 200
    client.force_login(member)
    assert "Una Listed" in client.get(url).content.decode()
    client.force_login(unlisted)
    assert "Una Listed" in client.get(url).content.decode()


def _png(name: str = "photo.png") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), (10, 120, 200)).save(buffer, format="PNG")
    buffer.name = name
    buffer.seek(0)
    return buffer


def test_avatar_remove_takes_the_photo_off_the_profile(signed_in, member):
    signed_in.post(reverse("members:avatar"), {"avatar": _png()})
    member.profile.refresh_from_db()
    photo_url = member.profile.avatar.url

    response = signed_in.post(reverse("members:avatar"), {"remove": "1"}, follow=True)

    member.profile.refresh_from_db()
    assert "Your photo is removed." in response.content.decode()
    assert photo_url not in response.content.decode()
    assert not member.profile.avatar


def test_avatar_upload_of_a_bitmap_is_refused_naming_the_formats(signed_in, member):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 0, 0)).save(buffer, format="BMP")
    buffer.name = "photo.bmp"
    buffer.seek(0)

    response = signed_in.post(reverse("members:avatar"), {"avatar": buffer}, follow=True)

    member.profile.refresh_from_db()
    assert "The photo must be a JPEG, PNG, WebP or GIF image." in response.content.decode()
    assert not member.profile.avatar


def test_block_of_oneself_is_refused_with_a_message(signed_in, member):
    response = signed_in.post(reverse("members:block", args=[member.pk]), follow=True)

    assert "You cannot block yourself." in response.content.decode()
    assert not member.blocks_made.exists()


def test_unblock_of_a_member_not_blocked_says_so(signed_in, other_member):
    response = signed_in.post(reverse("members:unblock", args=[other_member.pk]), follow=True)

    assert "That member was not blocked." in response.content.decode()
    assert "Ben Okafor" not in response.content.decode()


def test_mute_then_unmute_from_the_profile(signed_in, member, other_member):
    muted = signed_in.post(reverse("members:mute", args=[other_member.pk]), follow=True)
    assert "You muted Ben Okafor. They are not told." in muted.content.decode()
    assert muted.redirect_chain[-1][0] == reverse("members:profile", args=[other_member.pk])

    unmuted = signed_in.post(reverse("members:unmute", args=[other_member.pk]), follow=True)
    assert "You unmuted Ben Okafor." in unmuted.content.decode()
    assert unmuted.redirect_chain[-1][0] == reverse("members:profile", args=[other_member.pk])

    again = signed_in.post(
        reverse("members:unmute", args=[other_member.pk]), {"from": "blocked"}, follow=True
    )
    assert "That member was not muted." in again.content.decode()
    assert again.redirect_chain[-1][0] == reverse("members:blocked")


def test_mute_of_oneself_is_refused_with_a_message(signed_in, member):
    response = signed_in.post(reverse("members:mute", args=[member.pk]), follow=True)

    assert "You cannot mute yourself." in response.content.decode()
    assert "You muted" not in response.content.decode()
    assert not member.mutes_made.exists()


def test_healthz_answers_503_naming_the_error_when_the_task_queue_cannot_be_read(client, settings):
    settings.HEALTHZ_TOKEN = "monitor-secret-0123456789"
    table = DBTaskResult._meta.db_table
    with connection.cursor() as cursor:  # as before `hemonc migrate` made the queue's table
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_away")

    response = client.get("/healthz", headers={"X-Healthz-Token": "monitor-secret-0123456789"})

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["tasks"]["status"] == "error"
    assert body["checks"]["tasks"]["error"] in {"OperationalError", "ProgrammingError"}
