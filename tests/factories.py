"""factory_boy factories for the models tests need."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

from hemonc.core.permissions import OPERATOR
from hemonc.members.enums import Role
from hemonc.members.models import User
from hemonc.members.services import member_set_role, profile_update
from hemonc.taxonomy.enums import Specialty, Stage

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    """An account with a verified email address and an empty profile."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.org")

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        obj.set_password(extracted or PASSWORD)
        obj.save()
        EmailAddress.objects.get_or_create(
            user=obj, email=obj.email, defaults={"verified": True, "primary": True}
        )


def make_member(
    *,
    display_name: str = "Ana Lopez",
    role: Role | None = None,
    **profile_fields,  # type: ignore[no-untyped-def]
) -> User:
    """A member with a profile set through the same service the pages use."""
    user = UserFactory()
    fields = {
        "display_name": display_name,
        "stage": Stage.FELLOW,
        "specialty": Specialty.HEMATOLOGY_ONCOLOGY,
        "institution": "Example University Hospital",
        "country": "US",
    }
    interests = profile_fields.pop("interests", None)
    career_paths = profile_fields.pop("career_paths", None)
    fields.update(profile_fields)
    profile_update(
        profile=user.profile,
        actor=user,
        interests=interests,
        career_paths=career_paths,
        **fields,
    )
    if role is not None:
        member_set_role(user=user, role=role, enabled=True, actor=OPERATOR)
    return user
