"""Writes about members: profiles, avatars, roles, blocks and mutes, export and erasure."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from hemonc.core.audit import audit
from hemonc.core.countries import country_name
from hemonc.core.errors import DomainError
from hemonc.core.text import one_line
from hemonc.members.enums import Role, Visibility
from hemonc.members.models import Block, Mute, Profile, User
from hemonc.members.selectors import HIDDEN_CACHE
from hemonc.members.signals import privileges_audited_by_service
from hemonc.members.validators import normalize_orcid, validate_image_dimensions
from hemonc.taxonomy.models import CareerPath, Topic

AVATAR_MAX_BYTES = 5 * 1024 * 1024
AVATAR_SIZE = 512
AVATAR_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}

PROFILE_FIELDS = {
    "display_name", "pronouns", "stage", "stage_visibility", "specialty",
    "specialty_visibility", "training_year", "training_year_visibility", "institution",
    "institution_visibility", "country", "country_visibility", "time_zone", "bio",
    "x_handle", "bluesky_handle", "mastodon_handle", "linkedin_url", "orcid",
    "open_to_mentoring", "looking_for_mentor", "listed_in_directory", "gender",
    "gender_self_description", "identity_communities", "share_communities_with_matcher",
}  # fmt: skip


def profile_search_document(profile: Profile) -> str:
    """The text the directory searches: only what every member may see of this profile."""
    shared = {Visibility.PUBLIC, Visibility.MEMBERS}
    parts = [profile.display_name, profile.bio]
    if profile.institution_visibility in shared:
        parts.append(profile.institution)
    if profile.country_visibility in shared and profile.country:
        parts.append(country_name(profile.country))
    if profile.stage_visibility in shared and profile.stage:
        parts.append(profile.get_stage_display())
    if profile.specialty_visibility in shared and profile.specialty:
        parts.append(profile.get_specialty_display())
    if profile.pk:
        for topic in profile.interests.all():
            parts.extend([topic.name, topic.hashtag])
        parts.extend(path.name for path in profile.career_paths.all())
    return " ".join(part for part in parts if part)


# A line break in these would reach mail subjects and every page that shows the name.
PROFILE_ONE_LINE_FIELDS = (
    "display_name", "pronouns", "institution", "gender_self_description",
    "x_handle", "bluesky_handle", "mastodon_handle",
)  # fmt: skip


@transaction.atomic
def profile_update(
    *,
    profile: Profile,
    actor: User,
    interests: Iterable[Topic] | None = None,
    career_paths: Iterable[CareerPath] | None = None,
    **fields: Any,
) -> Profile:
    """Change a profile. Only the names of changed fields go into the audit log."""
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise DomainError(f"Unknown profile fields: {', '.join(sorted(unknown))}.")
    if actor.pk != profile.user_id and not actor.is_organizer:
        raise DomainError("You can only edit your own profile.")
    for name in PROFILE_ONE_LINE_FIELDS:
        if isinstance(fields.get(name), str):
            fields[name] = one_line(fields[name])
    if fields.get("orcid"):
        fields["orcid"] = normalize_orcid(fields["orcid"])
    for handle in ("x_handle", "bluesky_handle"):
        if fields.get(handle):
            fields[handle] = fields[handle].lstrip("@")
    if fields.get("country"):
        fields["country"] = fields["country"].upper()
    changed = sorted(name for name, value in fields.items() if getattr(profile, name) != value)
    for name, value in fields.items():
        setattr(profile, name, value)
    if interests is not None:
        profile.interests.set(interests)
        changed.append("interests")
    if career_paths is not None:
        profile.career_paths.set(career_paths)
        changed.append("career_paths")
    profile.search_document = profile_search_document(profile)
    profile.save()
    audit(actor=actor, action="profile.update", target=profile, changes={"fields": changed})
    return profile


def _avatar_image(upload: UploadedFile) -> Image.Image:
    if upload.size is not None and upload.size > AVATAR_MAX_BYTES:
        raise DomainError("The photo is larger than 5 MB.")
    try:
        validate_image_dimensions(upload)  # before any pixel is decoded
    except ValidationError as error:
        raise DomainError(error.messages[0]) from None
    try:
        with Image.open(upload) as probe:
            image_format = probe.format
            probe.verify()
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise DomainError(
            "The file is not an image we can read (JPEG, PNG, WebP or GIF)."
        ) from None
    if image_format not in AVATAR_FORMATS:
        raise DomainError("The photo must be a JPEG, PNG, WebP or GIF image.")
    if image.width * image.height > 40_000_000:
        raise DomainError("The photo has too many pixels.")
    return image


@transaction.atomic
def profile_set_avatar(*, profile: Profile, actor: User, upload: UploadedFile) -> Profile:
    """Store a square, resized copy of the photo, re-encoded so no metadata (EXIF, GPS) stays."""
    image = _avatar_image(upload)
    image = ImageOps.exif_transpose(image).convert("RGB")
    image = ImageOps.fit(image, (AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS)
    clean = Image.new("RGB", image.size)
    clean.paste(image)  # a fresh image carries no info, EXIF or ICC data of the upload
    buffer = io.BytesIO()
    clean.save(buffer, format="WEBP", quality=85)
    old = profile.avatar.name
    # A random name: avatar URLs cannot be guessed from member ids, and caches never serve
    # an old photo under a new one's name.
    profile.avatar.save(f"{uuid.uuid4().hex}.webp", ContentFile(buffer.getvalue()), save=False)
    profile.save(update_fields=["avatar", "updated_at"])
    if old and old != profile.avatar.name:
        transaction.on_commit(partial(default_storage.delete, old))
    audit(actor=actor, action="profile.avatar_set", target=profile)
    return profile


@transaction.atomic
def profile_remove_avatar(*, profile: Profile, actor: User) -> Profile:
    old = profile.avatar.name
    if old:
        profile.avatar = ""
        profile.save(update_fields=["avatar", "updated_at"])
        transaction.on_commit(partial(default_storage.delete, old))
        audit(actor=actor, action="profile.avatar_remove", target=profile)
    return profile


def _role_change_refused(*, user: User, role: Role, enabled: bool, actor: User) -> str | None:
    """Why `actor` may not make this role change, or None. Superusers may make any."""
    if actor.is_superuser:
        return None
    if not actor.is_organizer:
        return "Only organizers change members' roles."
    if user.is_superuser or user.is_staff:
        return "Only a superuser changes the roles of organizers and superusers."
    holds = actor.has_role(role) or role == Role.MODERATOR  # organizers moderate too
    if enabled and not holds:
        return "You can only grant a role you hold yourself."
    return None


@transaction.atomic
def member_set_role(*, user: User, role: Role, enabled: bool, actor: User | None) -> User:
    """Grant or take away a role. Organizers also get the admin (is_staff).

    `actor=None` is the platform itself (a command, the demo). A member grants no more than
    they hold, and only a superuser touches the roles of organizers and superusers.
    """
    if actor is not None:
        refusal = _role_change_refused(user=user, role=role, enabled=enabled, actor=actor)
        if refusal:
            raise DomainError(refusal)
    group, _ = Group.objects.get_or_create(name=role.value)
    fields = ["groups"]
    with privileges_audited_by_service():
        if enabled:
            user.groups.add(group)
        else:
            user.groups.remove(group)
        user.__dict__.pop("_role_cache", None)
        if role == Role.ORGANIZER:
            is_staff = enabled or user.is_superuser
            if user.is_staff != is_staff:
                fields.append("is_staff")
            user.is_staff = is_staff
            user.save(update_fields=["is_staff"])
    audit(
        actor=actor,
        action="member.role_grant" if enabled else "member.role_revoke",
        target=user,
        changes={"role": role.value, "fields": fields},
    )
    return user


@transaction.atomic
def block_create(*, blocker: User, blocked: User) -> Block:
    blocker.__dict__.pop(HIDDEN_CACHE, None)
    if blocker.pk == blocked.pk:
        raise DomainError("You cannot block yourself.")
    try:
        with transaction.atomic():
            block = Block.objects.create(blocker=blocker, blocked=blocked)
    except IntegrityError:
        return Block.objects.get(blocker=blocker, blocked=blocked)
    # A block includes a mute; keep no separate mute around.
    Mute.objects.filter(muter=blocker, muted=blocked).delete()
    audit(actor=blocker, action="member.block", target=blocked)
    return block


@transaction.atomic
def block_delete(*, blocker: User, blocked: User) -> None:
    blocker.__dict__.pop(HIDDEN_CACHE, None)
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    if deleted:
        audit(actor=blocker, action="member.unblock", target=blocked)


@transaction.atomic
def mute_create(*, muter: User, muted: User) -> Mute:
    muter.__dict__.pop(HIDDEN_CACHE, None)
    if muter.pk == muted.pk:
        raise DomainError("You cannot mute yourself.")
    mute, created = Mute.objects.get_or_create(muter=muter, muted=muted)
    if created:
        audit(actor=muter, action="member.mute", target=muted)
    return mute


@transaction.atomic
def mute_delete(*, muter: User, muted: User) -> None:
    muter.__dict__.pop(HIDDEN_CACHE, None)
    deleted, _ = Mute.objects.filter(muter=muter, muted=muted).delete()
    if deleted:
        audit(actor=muter, action="member.unmute", target=muted)


@transaction.atomic
def member_erase(*, user: User, actor: User) -> None:
    """Delete the account and everything personal; the audit trail stays, without the name.

    Audit rows the member wrote lose their actor (SET_NULL); rows about them keep only
    the bare id of a row that no longer exists.
    """
    if actor.pk != user.pk and not actor.is_organizer:
        raise DomainError("Only the member or an organizer can erase an account.")
    avatar = user.profile.avatar.name if hasattr(user, "profile") else ""
    user_id = user.pk
    # Apps keep some rows past an account (a guest appearance, a message in a shared thread);
    # each may erase what is personal first, through `erase_member_data(user)` on its AppConfig.
    for config in apps.get_app_configs():
        erase = getattr(config, "erase_member_data", None)
        if erase is not None:
            erase(user)
    audit(actor=None if actor.pk == user.pk else actor, action="member.erase", target=user)
    user.delete()
    if avatar:
        transaction.on_commit(partial(default_storage.delete, avatar))
    assert not User.objects.filter(pk=user_id).exists()
