import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from hemonc.core.errors import DomainError
from hemonc.core.models import AuditEntry
from hemonc.core.permissions import OPERATOR
from hemonc.members.enums import Role
from hemonc.members.models import Block, Profile, User
from hemonc.members.selectors import member_data_export
from hemonc.members.services import (
    block_create,
    member_erase,
    member_set_role,
    mute_create,
    profile_set_avatar,
    profile_update,
)
from hemonc.members.validators import orcid_checksum_ok
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _photo_with_gps(fmt: str = "JPEG", size=(1200, 800)) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 30, 60))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (40.0, 26.0, 46.0)  # latitude
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, exif=exif)
    assert Image.open(io.BytesIO(buffer.getvalue())).getexif().get_ifd(0x8825)
    return SimpleUploadedFile("me.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_profile_update_writes_an_audit_row_without_personal_values():
    member = make_member(display_name="Ana Lopez")
    profile_update(profile=member.profile, actor=member, institution="Harbor Medical School")

    entry = AuditEntry.objects.filter(action="profile.update").latest("id")
    assert entry.actor == member
    assert entry.changes == {"fields": ["institution"]}
    assert "Harbor" not in json.dumps(entry.changes)


def test_profile_update_refuses_another_members_profile():
    member, other = make_member(), make_member(display_name="Other")
    with pytest.raises(DomainError, match="your own profile"):
        profile_update(profile=other.profile, actor=member, bio="hacked")


def test_avatar_is_resized_square_and_stripped_of_metadata():
    member = make_member()
    profile_set_avatar(profile=member.profile, actor=member, upload=_photo_with_gps())

    member.profile.refresh_from_db()
    with member.profile.avatar.open("rb") as stored, Image.open(stored) as image:
        assert image.size == (512, 512)
        assert image.format == "WEBP"
        assert not image.getexif()
        assert "exif" not in image.info


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"%PDF-1.4 not an image", "not an image"), (b"GIF87a" + b"\x00" * 10, "not an image")],
)
def test_avatar_rejects_files_that_are_not_images(content, message):
    member = make_member()
    upload = SimpleUploadedFile("x.png", content, content_type="image/png")
    with pytest.raises(DomainError, match=message):
        profile_set_avatar(profile=member.profile, actor=member, upload=upload)
    member.profile.refresh_from_db()
    assert not member.profile.avatar


def test_block_is_idempotent_and_replaces_a_mute():
    a, b = make_member(display_name="A"), make_member(display_name="B")
    mute_create(muter=a, muted=b)
    block_create(blocker=a, blocked=b)
    block_create(blocker=a, blocked=b)
    assert Block.objects.filter(blocker=a, blocked=b).count() == 1
    assert not a.mutes_made.exists()


def test_block_refuses_self():
    a = make_member()
    with pytest.raises(DomainError, match="yourself"):
        block_create(blocker=a, blocked=a)


def test_roles_grant_the_admin_to_organizers_only():
    member = make_member()
    member_set_role(user=member, role=Role.MODERATOR, enabled=True, actor=OPERATOR)
    member = User.objects.get(pk=member.pk)
    assert member.is_moderator and not member.is_organizer and not member.is_staff

    member_set_role(user=member, role=Role.ORGANIZER, enabled=True, actor=OPERATOR)
    member = User.objects.get(pk=member.pk)
    assert member.is_organizer and member.is_staff
    assert member.has_perm("members.change_profile")
    assert not member.has_perm("auth.change_group")

    member_set_role(user=member, role=Role.ORGANIZER, enabled=False, actor=OPERATOR)
    member = User.objects.get(pk=member.pk)
    assert not member.is_organizer and not member.is_staff
    assert not member.has_perm("members.change_profile")


def test_data_export_holds_the_members_own_data():
    member = make_member(display_name="Ana Lopez", gender="female", orcid="0000-0002-1825-0097")
    other = make_member(display_name="Other")
    block_create(blocker=member, blocked=other)

    export = member_data_export(user=member)

    assert export["account"]["email"] == member.email
    assert export["profile"]["display_name"] == "Ana Lopez"
    assert export["profile"]["gender"] == "female"
    assert export["profile"]["orcid"] == "0000-0002-1825-0097"
    assert export["blocked_members"] == [other.pk]
    assert any(row["action"] == "profile.update" for row in export["activity"])
    json.dumps(export)  # serializable as is


def test_erasure_deletes_personal_data_and_keeps_an_anonymous_trail(
    django_capture_on_commit_callbacks,
):
    member = make_member(display_name="Ana Lopez", institution="Harbor Medical School")
    profile_set_avatar(profile=member.profile, actor=member, upload=_photo_with_gps())
    avatar_path = member.profile.avatar.path
    member_pk = member.pk

    with django_capture_on_commit_callbacks(execute=True):
        member_erase(user=member, actor=member)

    assert not User.objects.filter(pk=member_pk).exists()
    assert not Profile.objects.filter(user_id=member_pk).exists()
    trail = AuditEntry.objects.filter(target_id=str(member_pk), target_type="members.user")
    assert trail.filter(action="member.erase").exists()
    assert AuditEntry.objects.filter(action="profile.update", actor__isnull=True).exists()
    assert "Ana" not in json.dumps(list(AuditEntry.objects.values("changes")))
    assert not Path(avatar_path).exists()


@pytest.mark.parametrize(
    ("orcid", "valid"),
    [("0000-0002-1825-0097", True), ("0000-0001-5109-3700", True), ("0000-0002-1694-233X", True),
     ("0000-0002-1825-0098", False), ("0000-0001-5109-3701", False)],
)  # fmt: skip
def test_orcid_checksum(orcid, valid):
    assert orcid_checksum_ok(orcid) is valid
