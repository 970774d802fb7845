"""Every account has a profile from the moment it exists; every change a directory page can
show gives the directory a new version (see selectors.DIRECTORY_VERSION); every change of an
account's privileges is in the audit log, whoever makes it and however."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from hemonc.core.audit import audit, current_actor
from hemonc.core.versions import data_version_bump
from hemonc.members.models import Profile, User
from hemonc.members.selectors import DIRECTORY_VERSION
from hemonc.taxonomy.models import Topic


@receiver(post_save, sender=User, dispatch_uid="members_profile_for_new_user")
def create_profile_for_new_user(
    sender: type[User], instance: User, created: bool, **kwargs: Any
) -> None:
    if created and not kwargs.get("raw"):
        Profile.objects.get_or_create(user=instance)


# What of an account the directory does not show: saving only these leaves its version.
_UNSHOWN_USER_FIELDS = frozenset({"last_login", "password"})


def _bump(**kwargs: Any) -> None:
    if not kwargs.get("raw"):
        data_version_bump(name=DIRECTORY_VERSION)


@receiver(post_save, sender=User, dispatch_uid="members_directory_user_saved")
def user_saved(sender: type[User], update_fields: Any = None, **kwargs: Any) -> None:
    if update_fields is None or not set(update_fields) <= _UNSHOWN_USER_FIELDS:
        _bump(**kwargs)


post_save.connect(_bump, sender=Profile, dispatch_uid="members_directory_profile_saved")
post_delete.connect(_bump, sender=Profile, dispatch_uid="members_directory_profile_deleted")
post_delete.connect(_bump, sender=User, dispatch_uid="members_directory_user_deleted")
# A confirmed address brings a new member into the directory.
post_save.connect(_bump, sender=EmailAddress, dispatch_uid="members_directory_address_saved")
post_delete.connect(_bump, sender=EmailAddress, dispatch_uid="members_directory_address_deleted")


@receiver(m2m_changed, sender=Profile.interests.through, dispatch_uid="members_directory_interests")
def interests_changed(action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        _bump(**kwargs)


# A topic's deletion removes its members' interests without m2m_changed. (A receiver on the
# through model would instead bump once per removed row, and stop Django's fast delete.)
post_delete.connect(_bump, sender=Topic, dispatch_uid="members_directory_topic_deleted")


# Privileges: roles are groups; is_staff opens the admin; is_superuser and permissions
# grant everything or a part. A change of any of them, from the admin, a service, a command
# or a shell, writes an audit row naming the fields (never their values).
PRIVILEGE_FLAGS = ("is_staff", "is_superuser")
_SERVICE_AUDITS: ContextVar[bool] = ContextVar("members_service_audits", default=False)


@contextmanager
def privileges_audited_by_service() -> Iterator[None]:
    """A service that writes its own, more precise audit row turns the generic one off."""
    token = _SERVICE_AUDITS.set(True)
    try:
        yield
    finally:
        _SERVICE_AUDITS.reset(token)


def _audit_privileges(target: Any, fields: list[str]) -> None:
    if fields and not _SERVICE_AUDITS.get():
        audit(
            actor=current_actor(),
            action="member.privileges_change",
            target=target,
            changes={"fields": fields},
        )


@receiver(pre_save, sender=User, dispatch_uid="members_privileges_before_save")
def remember_privileges(sender: type[User], instance: User, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if kwargs.get("raw") or (
        update_fields is not None and not set(update_fields) & set(PRIVILEGE_FLAGS)
    ):
        return
    before = None
    if instance.pk is not None:
        before = User.objects.filter(pk=instance.pk).values(*PRIVILEGE_FLAGS).first()
    if before is None:
        before = dict.fromkeys(PRIVILEGE_FLAGS, False)
    instance.__dict__["_privileges_before"] = before


@receiver(post_save, sender=User, dispatch_uid="members_privileges_after_save")
def audit_privilege_flags(sender: type[User], instance: User, **kwargs: Any) -> None:
    before = instance.__dict__.pop("_privileges_before", None)
    if before is not None:
        _audit_privileges(
            instance, [name for name in PRIVILEGE_FLAGS if getattr(instance, name) != before[name]]
        )


def _privilege_relation_changed(field: str) -> Any:
    def changed(
        instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
    ) -> None:
        if action == "pre_clear" and reverse:
            # Clearing from the other side names no users afterwards: note them now.
            instance.__dict__[f"_cleared_{field}"] = list(instance.user_set.all())
            return
        if action not in {"post_add", "post_remove", "post_clear"}:
            return
        if action != "post_clear" and not pk_set:
            return
        if not reverse:
            _audit_privileges(instance, [field])
            return
        users = (
            instance.__dict__.pop(f"_cleared_{field}", [])
            if action == "post_clear"
            else User.objects.filter(pk__in=pk_set or ())
        )
        for user in users:
            _audit_privileges(user, [field])

    return changed


m2m_changed.connect(
    _privilege_relation_changed("groups"),
    sender=User.groups.through,
    dispatch_uid="members_privileges_groups",
    weak=False,
)
m2m_changed.connect(
    _privilege_relation_changed("user_permissions"),
    sender=User.user_permissions.through,
    dispatch_uid="members_privileges_permissions",
    weak=False,
)


@receiver(m2m_changed, sender=Group.permissions.through, dispatch_uid="members_group_permissions")
def audit_group_permissions(
    instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    """A group's permissions are every member's of it: their change is a privilege change."""
    changed = action == "post_clear" or (action in {"post_add", "post_remove"} and pk_set)
    if changed and not reverse:
        _audit_privileges(instance, ["permissions"])
