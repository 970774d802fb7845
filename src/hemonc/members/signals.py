"""Every account has a profile from the moment it exists."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from hemonc.members.models import Profile, User


@receiver(post_save, sender=User, dispatch_uid="members_profile_for_new_user")
def create_profile_for_new_user(
    sender: type[User], instance: User, created: bool, **kwargs: Any
) -> None:
    if created and not kwargs.get("raw"):
        Profile.objects.get_or_create(user=instance)
