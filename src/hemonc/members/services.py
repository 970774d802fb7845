"""Writes about members: profiles, avatars, roles, blocks and mutes, export and erasure."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any, TypedDict, Unpack

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from hemonc.core.audit import audit
from hemonc.core.countries import country_name
from hemonc.core.errors import DomainError, PermissionDenied
from hemonc.core.permissions import Operator, require
from hemonc.core.phi_guard import changed_texts, phi_check
from hemonc.core.text import one_line
from hemonc.core.updates import model_update
from hemonc.members.enums import Role, Visibility
from hemonc.members.models import Block, Mute, Profile, User
from hemonc.members.selectors import HIDDEN_CACHE, member_data_export
from hemonc.members.signals import privileges_audited_by_service
from hemonc.members.validators import normalize_orcid, validate_image_dimensions
from hemonc.taxonomy.models import CareerPath, Topic

AVATAR_MAX_BYTES = 5 * 1024 * 1024
AVATAR_SIZE = 512
AVATAR_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}

Actor = User | Operator


class ProfileChanges(TypedDict, total=False):
    """The fields of a profile `profile_update` changes; those not given stay as they are."""

    display_name: str
    pronouns: str
    stage: str
    stage_visibility: str
    specialty: str
    specialty_visibility: str
    training_year: int | None
    training_year_visibility: str
    institution: str
    institution_visibility: str
    country: str
    country_visibility: str
    time_zone: str
    bio: str
    x_handle: str
    bluesky_handle: str
    mastodon_handle: str
    linkedin_url: str
    orcid: str
    open_to_mentoring: bool
    looking_for_mentor: bool
    listed_in_directory: bool
    gender: str
    gender_self_description: str
    identity_communities: list[str]
    share_communities_with_matcher: bool


PROFILE_FIELDS = frozenset(ProfileChanges.__annotations__)


class AccountChanges(TypedDict, total=False):
    """What of an account the admin changes. Privileges are not here: roles go through
    `member_set_role`; the admin shows organizers no sign-in address to change."""

    email: str
    is_active: bool


def profile_search_document(profile: Profile) -> str:
    """The text the directory searches: only what every member may see of this profile."""
    shared = {Visibility.PUBLIC, Visibility.MEMBERS}
    parts = [profile.display_name, "" if profile.bio_hidden else profile.bio]
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


@transaction.atomic(durable=True)
def profile_update(
    *,
    profile: Profile,
    actor: Actor,
    interests: Iterable[Topic] | None = None,
    career_paths: Iterable[CareerPath] | None = None,
    avatar: UploadedFile | None = None,
    remove_avatar: bool = False,
    phi_attested: bool = False,
    **fields: Unpack[ProfileChanges],
) -> Profile:
    """Change a profile. Only the names of changed fields go into the audit log.

    A changed bio that may identify a patient is stored only with `phi_attested`, the
    member's attestation, audited with what was found (core/phi_guard.py).

    A photo chosen on the same form (`avatar`) is stored with the rest, or none of it is:
    a photo that cannot be read leaves the profile as it was. `remove_avatar` takes the
    photo off unless a new one is given.
    """
    require(actor, "members.edit_profile", profile, message="You can only edit your own profile.")
    phi_check(
        actor=actor,
        target=profile,
        texts=changed_texts(profile, fields, PROFILE_PHI_FIELDS),
        attested=phi_attested,
    )
    _profile_update(
        profile=profile, actor=actor, interests=interests, career_paths=career_paths, fields=fields
    )
    if avatar is not None:
        _profile_set_avatar(profile=profile, actor=actor, upload=avatar)
    elif remove_avatar:
        _profile_remove_avatar(profile=profile, actor=actor)
    return profile


# What others read of a profile, checked for patient identifiers.
PROFILE_PHI_FIELDS = ("bio",)


def _profile_update(
    *,
    profile: Profile,
    actor: Actor,
    interests: Iterable[Topic] | None,
    career_paths: Iterable[CareerPath] | None,
    fields: Mapping[str, Any],
) -> Profile:
    """The work of `profile_update`, inside the caller's transaction and permission check (the
    admin's change page already runs in a transaction, where a durable service cannot)."""
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise DomainError(f"Unknown profile fields: {', '.join(sorted(unknown))}.")
    values: dict[str, Any] = dict(fields)
    for name in PROFILE_ONE_LINE_FIELDS:
        if isinstance(values.get(name), str):
            values[name] = one_line(values[name])
    if values.get("orcid"):
        values["orcid"] = normalize_orcid(values["orcid"])
    for handle in ("x_handle", "bluesky_handle"):
        if values.get(handle):
            values[handle] = values[handle].lstrip("@")
    if values.get("country"):
        values["country"] = str(values["country"]).upper()
    changed = model_update(profile, values)
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


@transaction.atomic(durable=True)
def profile_welcome_shown(*, profile: Profile, actor: Actor) -> bool:
    """Record that the member saw the first-sign-in welcome, so sign-in no longer leads
    there. True the first time, False after."""
    require(actor, "members.edit_profile", profile, message="You can only edit your own profile.")
    updated = Profile.objects.filter(pk=profile.pk, welcomed_at__isnull=True).update(
        welcomed_at=timezone.now()
    )
    profile.refresh_from_db(fields=["welcomed_at"])
    if updated:
        audit(actor=actor, action="profile.welcomed", target=profile)
    return bool(updated)


@transaction.atomic(durable=True)
def member_update(*, user: User, actor: Actor, **fields: Unpack[AccountChanges]) -> User:
    """Change an account (organizers, in the admin): the audit row names the changed fields."""
    require(actor, "members.edit_account", user, message="Only organizers change accounts.")
    refusal = _account_change_refused(user=user, actor=actor, fields=fields)
    if refusal:
        raise PermissionDenied(refusal)
    return _member_update(user=user, actor=actor, fields=fields)


def _account_change_refused(*, user: User, actor: Actor, fields: AccountChanges) -> str | None:
    """Why `actor` may not make this change, or None. The operator and superusers may make any.

    Organizers change no sign-in address (a password reset mails the new one: a way into the
    account) and leave the accounts of organizers and superusers alone.
    """
    if isinstance(actor, Operator) or actor.is_superuser or user.pk is None:
        return None
    if user.is_superuser or user.is_staff:
        return "Only a superuser changes the accounts of organizers and superusers."
    if "email" in fields and fields["email"].strip().lower() != user.email:
        return "Only a superuser changes a sign-in address."
    return None


def _member_update(*, user: User, actor: Actor, fields: Mapping[str, Any]) -> User:
    """The work of `member_update`, inside the caller's transaction and permission check.

    A `user` not saved yet is created: every field given counts as changed, and it gets no
    usable password unless the caller set one (the member sets one through a password reset).
    """
    unknown = set(fields) - set(AccountChanges.__annotations__)
    if unknown:
        raise DomainError(f"Unknown account fields: {', '.join(sorted(unknown))}.")
    values: dict[str, Any] = dict(fields)
    if values.get("email"):
        values["email"] = values["email"].strip().lower()
    created = user.pk is None
    changed = model_update(user, values)
    if created:
        changed = sorted(values)
        if not user.password:
            user.set_unusable_password()
    user.save()
    audit(
        actor=actor,
        action="member.create" if created else "member.update",
        target=user,
        changes={"fields": changed},
    )
    return user


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
    return image  # at most AVATAR_MAX_SIDE pixels a side: validate_image_dimensions saw to it


@transaction.atomic(durable=True)
def profile_set_avatar(*, profile: Profile, actor: Actor, upload: UploadedFile) -> Profile:
    """Store a square, resized copy of the photo, re-encoded so no metadata (EXIF, GPS) stays."""
    require(actor, "members.edit_profile", profile, message="You can only edit your own profile.")
    return _profile_set_avatar(profile=profile, actor=actor, upload=upload)


def _profile_set_avatar(*, profile: Profile, actor: Actor, upload: UploadedFile) -> Profile:
    """The work of `profile_set_avatar`, inside the caller's transaction and permission check."""
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


@transaction.atomic(durable=True)
def profile_remove_avatar(*, profile: Profile, actor: Actor) -> Profile:
    require(actor, "members.edit_profile", profile, message="You can only edit your own profile.")
    return _profile_remove_avatar(profile=profile, actor=actor)


def _profile_remove_avatar(*, profile: Profile, actor: Actor) -> Profile:
    """The work of `profile_remove_avatar`, inside the caller's transaction and permission
    check."""
    old = profile.avatar.name
    if old:
        profile.avatar = ""
        profile.save(update_fields=["avatar", "updated_at"])
        transaction.on_commit(partial(default_storage.delete, old))
        audit(actor=actor, action="profile.avatar_remove", target=profile)
    return profile


def _role_change_refused(*, user: User, actor: Actor) -> str | None:
    """Why `actor` may not make this role change, or None. The operator and superusers may
    make any; an organizer (who holds every role) changes those of members only."""
    if isinstance(actor, Operator) or actor.is_superuser:
        return None
    if user.is_superuser or user.is_staff:
        return "Only a superuser changes the roles of organizers and superusers."
    return None


@transaction.atomic(durable=True)
def member_set_role(*, user: User, role: Role, enabled: bool, actor: Actor) -> User:
    """Grant or take away a role. Organizers also get the admin (is_staff).

    Commands and the platform itself act as `OPERATOR`. Only organizers change roles, and
    only a superuser touches the roles of organizers and superusers.
    """
    require(actor, "members.set_role", user, message="Only organizers change members' roles.")
    refusal = _role_change_refused(user=user, actor=actor)
    if refusal:
        raise PermissionDenied(refusal)
    return _member_set_role(user=user, role=role, enabled=enabled, actor=actor)


def _member_set_role(*, user: User, role: Role, enabled: bool, actor: Actor) -> User:
    """The work of `member_set_role`, inside the caller's transaction and permission check."""
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


# Blocks and mutes are a member's own: the blocker (muter) is the actor.


@transaction.atomic(durable=True)
def block_create(*, blocker: User, blocked: User) -> Block:
    require(blocker, "members.block_member", blocked)
    return _block_create(blocker=blocker, blocked=blocked)


def _block_create(*, blocker: User, blocked: User) -> Block:
    """The work of `block_create`, inside the caller's transaction and permission check."""
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


@transaction.atomic(durable=True)
def block_delete(*, blocker: User, blocked: User) -> None:
    require(blocker, "members.block_member", blocked)
    blocker.__dict__.pop(HIDDEN_CACHE, None)
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    if deleted:
        audit(actor=blocker, action="member.unblock", target=blocked)


@transaction.atomic(durable=True)
def mute_create(*, muter: User, muted: User) -> Mute:
    require(muter, "members.mute_member", muted)
    muter.__dict__.pop(HIDDEN_CACHE, None)
    if muter.pk == muted.pk:
        raise DomainError("You cannot mute yourself.")
    mute, created = Mute.objects.get_or_create(muter=muter, muted=muted)
    if created:
        audit(actor=muter, action="member.mute", target=muted)
    return mute


@transaction.atomic(durable=True)
def mute_delete(*, muter: User, muted: User) -> None:
    require(muter, "members.mute_member", muted)
    muter.__dict__.pop(HIDDEN_CACHE, None)
    deleted, _ = Mute.objects.filter(muter=muter, muted=muted).delete()
    if deleted:
        audit(actor=muter, action="member.unmute", target=muted)


@transaction.atomic(durable=True)
def member_data_download(*, user: User) -> dict[str, Any]:
    """Everything the platform holds about `user`, for their own download; the download is
    audited (who, when; never what it held)."""
    payload = member_data_export(user=user)
    audit(actor=user, action="member.data_export", target=user)
    return payload


@transaction.atomic(durable=True)
def member_erase(*, user: User, actor: Actor) -> None:
    """Delete the account and everything personal; the audit trail stays, without the name.

    Audit rows the member wrote lose their actor (SET_NULL); rows about them keep only
    the bare id of a row that no longer exists.
    """
    require(
        actor,
        "members.erase_account",
        user,
        message="Only the member or an organizer can erase an account.",
    )
    _member_erase(user=user, actor=actor)


def _member_erase(*, user: User, actor: Actor) -> None:
    """The work of `member_erase`, inside the caller's transaction and permission check."""
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
