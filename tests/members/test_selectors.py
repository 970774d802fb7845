import pytest
from django.contrib.auth.models import AnonymousUser

from hemonc.members.enums import Role, Visibility
from hemonc.members.selectors import (
    DirectoryFilters,
    directory_search,
    profile_view,
    user_may_see,
)
from hemonc.members.services import block_create, mute_create, profile_update
from hemonc.taxonomy.enums import Stage
from hemonc.taxonomy.models import Topic
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _names(viewer, **filters):
    return [
        p.display_name for p in directory_search(viewer=viewer, filters=DirectoryFilters(**filters))
    ]


def test_profile_view_shows_each_field_only_to_the_audience_chosen():
    owner = make_member(
        display_name="Chen Wei",
        stage_visibility=Visibility.PUBLIC,
        institution_visibility=Visibility.MEMBERS,
        country_visibility=Visibility.ORGANIZERS,
    )
    member = make_member(display_name="Viewer")
    organizer = make_member(display_name="Organizer", role=Role.ORGANIZER)

    visitor_view = profile_view(profile=owner.profile, viewer=AnonymousUser())
    member_view = profile_view(profile=owner.profile, viewer=member)
    organizer_view = profile_view(profile=owner.profile, viewer=organizer)
    own_view = profile_view(profile=owner.profile, viewer=owner)

    assert (visitor_view.stage, visitor_view.institution, visitor_view.country) == (
        "fellow",
        None,
        None,
    )
    assert (member_view.institution, member_view.country) == ("Example University Hospital", None)
    assert organizer_view.country == "US"
    assert own_view.country == "US" and own_view.is_self


def test_directory_finds_members_by_name_institution_bio_and_interest_prefix():
    myeloma = Topic.objects.get(hashtag="mmsm")
    make_member(display_name="Amara Nwosu", institution="Riverside Cancer Institute",
                bio="Studying **CAR-T** toxicity.", interests=[myeloma])  # fmt: skip
    make_member(display_name="Lukas Brandt", institution="Northfield Clinic")
    viewer = make_member(display_name="Viewer")

    assert _names(viewer, query="amara") == ["Amara Nwosu"]
    assert _names(viewer, query="river") == ["Amara Nwosu"]
    assert _names(viewer, query="toxicity") == ["Amara Nwosu"]
    assert _names(viewer, query="myeloma") == ["Amara Nwosu"]
    assert _names(viewer, query="mmsm") == ["Amara Nwosu"]
    assert _names(viewer, query="Nwosu Riverside") == ["Amara Nwosu"]
    assert _names(viewer, query="nwosu northfield") == []


def test_directory_search_ignores_fields_hidden_from_members():
    make_member(display_name="Private Person", institution="Secretive Institute",
                institution_visibility=Visibility.ORGANIZERS)  # fmt: skip
    viewer = make_member(display_name="Viewer")
    assert _names(viewer, query="secretive") == []


def test_directory_filters_match_only_visible_values():
    make_member(display_name="Open Fellow", stage=Stage.FELLOW, country="BR")
    make_member(display_name="Hidden Fellow", stage=Stage.FELLOW, country="BR",
                stage_visibility=Visibility.ORGANIZERS, country_visibility=Visibility.ORGANIZERS)  # fmt: skip
    make_member(display_name="Resident", stage=Stage.RESIDENT, country="BR")
    viewer = make_member(display_name="Viewer", country="US")
    organizer = make_member(display_name="Organizer", role=Role.ORGANIZER, country="US")

    assert _names(viewer, stage=Stage.FELLOW, country="BR") == ["Open Fellow"]
    assert _names(organizer, stage=Stage.FELLOW, country="br") == ["Hidden Fellow", "Open Fellow"]


def test_directory_filters_by_interest_and_mentoring_flags():
    leukemia = Topic.objects.get(hashtag="leusm")
    make_member(display_name="Mentor A", open_to_mentoring=True, interests=[leukemia])
    make_member(display_name="Mentor B", open_to_mentoring=True)
    make_member(display_name="Mentee", looking_for_mentor=True, interests=[leukemia])
    viewer = make_member(display_name="Viewer")

    assert _names(viewer, interest="leusm", open_to_mentoring=True) == ["Mentor A"]
    assert _names(viewer, looking_for_mentor=True) == ["Mentee"]


def test_directory_leaves_out_unlisted_members():
    make_member(display_name="Quiet Member", listed_in_directory=False)
    viewer = make_member(display_name="Viewer")
    assert "Quiet Member" not in _names(viewer)


def test_block_hides_both_members_from_each_other():
    blocker = make_member(display_name="Blocker")
    blocked = make_member(display_name="Blocked")
    bystander = make_member(display_name="Bystander")

    block_create(blocker=blocker, blocked=blocked)

    assert "Blocked" not in _names(blocker)
    assert "Blocker" not in _names(blocked)
    assert not user_may_see(viewer=blocker, other=blocked)
    assert not user_may_see(viewer=blocked, other=blocker)
    assert {"Blocker", "Blocked"} <= set(_names(bystander))


def test_mute_hides_only_from_the_member_who_muted():
    muter = make_member(display_name="Muter")
    muted = make_member(display_name="Muted")

    mute_create(muter=muter, muted=muted)

    assert "Muted" not in _names(muter)
    assert "Muter" in _names(muted)
    assert user_may_see(viewer=muted, other=muter)


def test_search_index_follows_profile_changes():
    member = make_member(display_name="Sofia Rossi", institution="Old Hospital")
    viewer = make_member(display_name="Viewer")
    profile_update(profile=member.profile, actor=member, institution="New Institute")

    assert _names(viewer, query="new institute") == ["Sofia Rossi"]
    assert _names(viewer, query="old hospital") == []
