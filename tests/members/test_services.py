import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from hemonc.core.errors import DomainError, PermissionDenied
from hemonc.core.models import AuditEntry
from hemonc.core.permissions import OPERATOR
from hemonc.members.enums import Role
from hemonc.members.models import Block, Mute, Profile, User
from hemonc.members.selectors import member_data_export
from hemonc.members.services import (
    block_create,
    block_delete,
    member_erase,
    member_set_role,
    member_update,
    mute_create,
    mute_delete,
    profile_remove_avatar,
    profile_set_avatar,
    profile_update,
)
from hemonc.members.validators import orcid_checksum_ok
from tests.factories import make_member
from tests.members.test_views import _huge_png

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


def test_profile_set_avatar_resizes_square_and_strips_metadata():
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
def test_profile_set_avatar_rejects_files_that_are_not_images(content, message):
    member = make_member()
    upload = SimpleUploadedFile("x.png", content, content_type="image/png")
    with pytest.raises(DomainError, match=message):
        profile_set_avatar(profile=member.profile, actor=member, upload=upload)
    member.profile.refresh_from_db()
    assert not member.profile.avatar


def test_profile_set_avatar_refuses_huge_dimensions_before_decoding():
    member = make_member()
    upload = SimpleUploadedFile("x.png", _huge_png(6000, 6000), content_type="image/png")

    with pytest.raises(DomainError, match="at most 4096 x 4096 pixels"):
        profile_set_avatar(profile=member.profile, actor=member, upload=upload)

    member.profile.refresh_from_db()
    assert not member.profile.avatar


def test_block_create_is_idempotent_and_replaces_a_mute():
    a, b = make_member(display_name="A"), make_member(display_name="B")
    mute_create(muter=a, muted=b)
    block_create(blocker=a, blocked=b)
    block_create(blocker=a, blocked=b)
    assert Block.objects.filter(blocker=a, blocked=b).count() == 1
    assert not a.mutes_made.exists()


def test_block_create_refuses_self():
    a = make_member()
    with pytest.raises(DomainError, match="yourself"):
        block_create(blocker=a, blocked=a)


def test_member_set_role_grants_the_admin_to_organizers_only():
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


def test_member_erase_deletes_personal_data_and_keeps_an_anonymous_trail(
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


def test_profile_update_refuses_a_member_with_permission_denied():
    member, other = make_member(), make_member(display_name="Other")
    with pytest.raises(PermissionDenied):
        profile_update(profile=other.profile, actor=member, display_name="Taken")
    other.profile.refresh_from_db()
    assert other.profile.display_name == "Other"


def test_profile_update_by_an_organizer_rebuilds_the_search_document():
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    member = make_member(display_name="Ana Lopez")
    profile_update(profile=member.profile, actor=organizer, institution="Harbor Medical School")
    member.profile.refresh_from_db()
    assert "Harbor Medical School" in member.profile.search_document
    entry = AuditEntry.objects.filter(action="profile.update").latest("id")
    assert (entry.actor, entry.changes) == (organizer, {"fields": ["institution"]})


def test_profile_remove_avatar_deletes_the_photo(django_capture_on_commit_callbacks):
    member = make_member()
    profile_set_avatar(profile=member.profile, actor=member, upload=_photo_with_gps())
    path = Path(member.profile.avatar.path)
    with django_capture_on_commit_callbacks(execute=True):
        profile_remove_avatar(profile=member.profile, actor=member)
    member.profile.refresh_from_db()
    assert not member.profile.avatar
    assert not path.exists()
    assert AuditEntry.objects.filter(action="profile.avatar_remove", actor=member).exists()


def test_profile_remove_avatar_refuses_another_member():
    member, other = make_member(), make_member(display_name="Other")
    profile_set_avatar(profile=other.profile, actor=other, upload=_photo_with_gps())
    with pytest.raises(PermissionDenied):
        profile_remove_avatar(profile=other.profile, actor=member)
    other.profile.refresh_from_db()
    assert other.profile.avatar


def test_member_set_role_refuses_a_member_who_is_no_organizer():
    member, other = make_member(), make_member(display_name="Other")
    with pytest.raises(PermissionDenied, match="Only organizers"):
        member_set_role(user=other, role=Role.MODERATOR, enabled=True, actor=member)
    assert not User.objects.get(pk=other.pk).is_moderator


def test_member_set_role_by_an_organizer_is_audited_with_them():
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    member = make_member()
    member_set_role(user=member, role=Role.MODERATOR, enabled=True, actor=organizer)
    entry = AuditEntry.objects.filter(action="member.role_grant").latest("id")
    assert (entry.actor, entry.target_id, entry.changes["role"]) == (
        organizer, str(member.pk), "moderator",
    )  # fmt: skip


def test_member_update_deactivates_a_member_and_audits_the_field_name():
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    member = make_member()
    member_update(user=member, actor=organizer, is_active=False)
    assert not User.objects.get(pk=member.pk).is_active
    entry = AuditEntry.objects.filter(action="member.update").latest("id")
    assert (entry.actor, entry.changes) == (organizer, {"fields": ["is_active"]})


def test_member_update_refuses_members_and_organizers_changing_organizers():
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    other = make_member(display_name="Other Organizer", role=Role.ORGANIZER)
    member = make_member()
    with pytest.raises(PermissionDenied):
        member_update(user=organizer, actor=member, is_active=False)
    with pytest.raises(PermissionDenied, match="Only a superuser"):
        member_update(user=other, actor=organizer, is_active=False)
    with pytest.raises(PermissionDenied, match="sign-in address"):
        member_update(user=member, actor=organizer, email="attacker@example.org")
    assert User.objects.filter(is_active=True).count() == 3


def test_block_delete_unblocks_and_is_audited():
    a, b = make_member(display_name="A"), make_member(display_name="B")
    block_create(blocker=a, blocked=b)
    block_delete(blocker=a, blocked=b)
    assert not Block.objects.exists()
    assert AuditEntry.objects.filter(action="member.unblock", actor=a).exists()


def test_mute_create_refuses_self_and_is_audited():
    a, b = make_member(display_name="A"), make_member(display_name="B")
    with pytest.raises(DomainError, match="yourself"):
        mute_create(muter=a, muted=a)
    mute_create(muter=a, muted=b)
    assert Mute.objects.filter(muter=a, muted=b).exists()
    assert AuditEntry.objects.filter(action="member.mute", actor=a).exists()


def test_mute_delete_unmutes():
    a, b = make_member(display_name="A"), make_member(display_name="B")
    mute_create(muter=a, muted=b)
    mute_delete(muter=a, muted=b)
    assert not Mute.objects.exists()
    assert AuditEntry.objects.filter(action="member.unmute", actor=a).exists()


def test_member_erase_refuses_another_member():
    member, other = make_member(), make_member(display_name="Other")
    with pytest.raises(PermissionDenied, match="Only the member or an organizer"):
        member_erase(user=other, actor=member)
    assert User.objects.filter(pk=other.pk).exists()


def test_profile_update_refuses_unknown_fields_by_name():
    member = make_member(display_name="Ana Lopez")
    with pytest.raises(DomainError, match=r"Unknown profile fields: email, shoe_size\."):
        profile_update(profile=member.profile, actor=member, shoe_size=44, email="x@y.org")
    assert AuditEntry.objects.filter(action="profile.update", actor=member).count() == 1


def test_member_update_creates_an_account_without_a_usable_password():
    user = member_update(user=User(), actor=OPERATOR, email="  New.Member@Example.ORG ")

    created = User.objects.get(pk=user.pk)
    assert created.email == "new.member@example.org"
    assert not created.has_usable_password()
    entry = AuditEntry.objects.get(action="member.create")
    assert (entry.target_id, entry.changes) == (str(user.pk), {"fields": ["email"]})


def test_member_update_refuses_unknown_account_fields_by_name():
    member = make_member()
    with pytest.raises(DomainError, match=r"Unknown account fields: is_superuser\."):
        member_update(user=member, actor=OPERATOR, is_superuser=True)
    assert not User.objects.get(pk=member.pk).is_superuser


def test_profile_set_avatar_refuses_a_file_over_5_mb():
    member = make_member()
    upload = SimpleUploadedFile("big.jpg", b"\xff" * (5 * 1024 * 1024 + 1), "image/jpeg")
    with pytest.raises(DomainError, match="larger than 5 MB"):
        profile_set_avatar(profile=member.profile, actor=member, upload=upload)
    member.profile.refresh_from_db()
    assert not member.profile.avatar


def test_profile_set_avatar_deletes_the_replaced_photo(django_capture_on_commit_callbacks):
    member = make_member()
    profile_set_avatar(profile=member.profile, actor=member, upload=_photo_with_gps())
    first = Path(member.profile.avatar.path)
    with django_capture_on_commit_callbacks(execute=True):
        profile_set_avatar(profile=member.profile, actor=member, upload=_photo_with_gps())
    member.profile.refresh_from_db()
    assert Path(member.profile.avatar.path).exists()
    assert Path(member.profile.avatar.path) != first
    assert not first.exists()


def test_profile_remove_avatar_without_a_photo_changes_nothing():
    member = make_member()
    profile_remove_avatar(profile=member.profile, actor=member)
    assert not AuditEntry.objects.filter(action="profile.avatar_remove").exists()


def test_member_set_role_revoking_organizer_takes_the_admin_away_once():
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    superuser = User.objects.create_superuser("root@example.org", "a-long-password-1")
    assert User.objects.get(pk=organizer.pk).is_staff

    member_set_role(user=organizer, role=Role.ORGANIZER, enabled=False, actor=superuser)
    member_set_role(user=organizer, role=Role.ORGANIZER, enabled=False, actor=superuser)

    assert not User.objects.get(pk=organizer.pk).is_staff
    revokes = AuditEntry.objects.filter(action="member.role_revoke").order_by("id")
    assert [entry.changes["fields"] for entry in revokes] == [["groups", "is_staff"], ["groups"]]


def test_unblocking_unmuting_and_muting_again_write_no_more_audit_rows():
    a, b = make_member(display_name="A"), make_member(display_name="B")
    block_delete(blocker=a, blocked=b)
    mute_delete(muter=a, muted=b)
    mute_create(muter=a, muted=b)
    mute_create(muter=a, muted=b)

    assert Mute.objects.filter(muter=a, muted=b).count() == 1
    actions = list(AuditEntry.objects.filter(actor=a).values_list("action", flat=True))
    assert actions.count("member.mute") == 1
    assert "member.unblock" not in actions
    assert "member.unmute" not in actions


@pytest.mark.parametrize(
    ("orcid", "valid"),
    [("0000-0002-1825-0097", True), ("0000-0001-5109-3700", True), ("0000-0002-1694-233X", True),
     ("0000-0002-1825-0098", False), ("0000-0001-5109-3701", False)],
)  # fmt: skip
def test_orcid_checksum(orcid, valid):
    assert orcid_checksum_ok(orcid) is valid
