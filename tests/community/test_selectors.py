from __future__ import annotations

import pytest

from hemonc.community import selectors
from hemonc.community.services import spaces as space_services
from hemonc.core.permissions import OPERATOR
from hemonc.taxonomy.enums import Stage
from tests.community.conftest import World, fresh

# Who sees which space: slug -> the members (by fixture name) who see it.
SEES = {
    "general": {"fellow", "student", "attending", "organizer", "moderator", "mentee", "invited"},
    "trainees": {"fellow", "student"},
    "organizers": {"organizer"},
    "spring": {"mentee"},
    "writing": {"invited"},
}
PEOPLE = ("fellow", "student", "attending", "organizer", "moderator", "mentee", "invited")


@pytest.mark.parametrize("person", PEOPLE)
def test_spaces_visible_to_each_kind_by_stage_and_role(world: World, person: str) -> None:
    user = getattr(world, person)
    visible = set(selectors.spaces_visible_to(user).values_list("slug", flat=True))
    assert visible == {slug for slug, people in SEES.items() if person in people}
    for space in (
        world.everyone,
        world.trainees,
        world.organizers,
        world.program,
        world.invited_space,
    ):
        assert selectors.space_is_visible(user, space) == (person in SEES[space.slug])


def test_user_is_trainee_by_stage_then_verified_stage(world: World) -> None:
    assert selectors.user_is_trainee(world.fellow)
    assert not selectors.user_is_trainee(world.attending)
    # An attending who says "fellow" on the profile is taken back out by the verified stage.
    space_services.stage_verify(actor=OPERATOR, user=world.fellow, stage=Stage.ATTENDING)
    assert not selectors.user_is_trainee(fresh(world.fellow))
    assert "trainees" not in selectors.spaces_visible_to(fresh(world.fellow)).values_list(
        "slug", flat=True
    )


def test_verified_stage_only_space_admits_verified_trainees(world: World) -> None:
    space_services.space_update(
        actor=OPERATOR,
        space=world.trainees,
        name="Trainees",
        description="",
        visibility="trainees",
        verified_stage_only=True,
    )
    assert not selectors.space_is_visible(world.fellow, world.trainees)
    space_services.stage_verify(actor=OPERATOR, user=world.fellow, stage=Stage.FELLOW)
    assert selectors.space_is_visible(fresh(world.fellow), world.trainees)


def test_users_share_space_only_for_close_spaces(world: World) -> None:
    # Everyone sees "general" and both trainees see "trainees": that is not sharing a space.
    assert not selectors.users_share_space(world.fellow, world.student)
    space_services.space_invite(actor=OPERATOR, space=world.invited_space, user=world.fellow)
    assert selectors.users_share_space(world.fellow, world.invited)


def test_visitors_see_no_space(world: World) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not selectors.spaces_visible_to(AnonymousUser()).exists()
