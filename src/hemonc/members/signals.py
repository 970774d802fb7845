"""Every account has a profile from the moment it exists; every change a directory page can
show gives the directory a new version (see selectors.DIRECTORY_VERSION)."""

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

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


@receiver(m2m_changed, sender=Profile.interests.through, dispatch_uid="members_directory_interests")
def interests_changed(action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        _bump(**kwargs)


# A topic's deletion removes its members' interests without m2m_changed. (A receiver on the
# through model would instead bump once per removed row, and stop Django's fast delete.)
post_delete.connect(_bump, sender=Topic, dispatch_uid="members_directory_topic_deleted")
