"""The directory's pages come from caches that follow every change at once."""

import pytest
from django.urls import reverse
from django.utils import timezone

from hemonc.core.versions import data_version
from hemonc.members import selectors
from hemonc.members.enums import Visibility
from hemonc.members.selectors import DIRECTORY_VERSION
from hemonc.members.services import block_create, member_erase, profile_update
from hemonc.taxonomy.models import Topic
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _page(client, **query):  # type: ignore[no-untyped-def]
    return client.get(reverse("members:directory"), query).content.decode()


def _cards(client, **query):  # type: ignore[no-untyped-def]
    html = _page(client, **query)
    start = html.find('<ul class="member-grid">')
    return html[start : html.index("</ul>", start)] if start >= 0 else ""


@pytest.fixture
def reader(client):  # type: ignore[no-untyped-def]
    user = make_member(display_name="Reader Person", country="GB")
    client.force_login(user)
    return user


def test_a_hidden_country_stops_matching_and_showing_at_once(client, reader):
    other = make_member(display_name="Dana Sousa", country="PT")
    make_member(display_name="Eva Costa", country="PT")
    assert "Dana Sousa" in _cards(client, country="PT")
    assert "Portugal" in _cards(client, q="dana")

    profile_update(profile=other.profile, actor=other, country_visibility=Visibility.ORGANIZERS)

    in_portugal = _cards(client, country="PT")
    assert "Eva Costa" in in_portugal and "Dana Sousa" not in in_portugal
    searched = _cards(client, q="dana")
    assert "Dana Sousa" in searched and "Portugal" not in searched


def test_the_country_list_forgets_a_country_no_one_shows_any_more(client, reader):
    other = make_member(display_name="Dana Sousa", country="PT")
    assert '<option value="PT">Portugal</option>' in _page(client)
    profile_update(profile=other.profile, actor=other, country_visibility=Visibility.ORGANIZERS)
    assert "Portugal" not in _page(client)


def test_a_renamed_member_shows_the_new_name_at_once(client, reader):
    other = make_member(display_name="Dana Sousa")
    assert "Dana Sousa" in _page(client, q="sousa")
    profile_update(profile=other.profile, actor=other, display_name="Dana Sousa-Reis")
    assert "Dana Sousa-Reis" in _page(client, q="sousa")


def test_new_interests_match_the_interest_filter_at_once(client, reader):
    other = make_member(display_name="Dana Sousa")
    assert "Dana Sousa" not in _page(client, interest="mmsm")
    profile_update(profile=other.profile, actor=other, interests=[Topic.objects.get(slug="mmsm")])
    assert "Dana Sousa" in _page(client, interest="mmsm")


def test_a_deleted_topic_stops_matching_its_cached_interest_search(reader):
    topic = Topic.objects.create(name="Rare cytopenias", hashtag="rarecyto", slug="rarecyto")
    make_member(display_name="Dana Sousa", interests=[topic])

    def found():  # type: ignore[no-untyped-def]
        filters = selectors.DirectoryFilters(interest="rarecyto")
        version = selectors.directory_version()
        return selectors.directory_members(viewer=reader, filters=filters, limit=5, version=version)

    assert len(found()) == 1
    topic.delete()
    assert found() == []


def test_deactivated_and_erased_members_leave_the_directory_at_once(client, reader):
    leaving = make_member(display_name="Dana Sousa")
    erased = make_member(display_name="Eli Sousa")
    assert "Dana Sousa" in _page(client, q="sousa") and "Eli Sousa" in _page(client, q="sousa")

    leaving.is_active = False
    leaving.save()
    member_erase(user=erased, actor=erased)

    html = _page(client, q="sousa")
    assert "Dana Sousa" not in html and "Eli Sousa" not in html
    assert "0 members" in html


def test_a_block_hides_both_members_from_a_cached_search(client, reader):
    other = make_member(display_name="Dana Sousa")
    assert "Dana Sousa" in _page(client, q="sousa")
    block_create(blocker=other, blocked=reader)
    assert "Dana Sousa" not in _page(client, q="sousa")
    client.force_login(other)
    assert "Reader Person" not in _page(client, q="reader")


def test_own_card_shows_own_private_fields_and_others_never_see_them(client, reader):
    profile_update(profile=reader.profile, actor=reader, institution="Hidden Institute",
                   institution_visibility=Visibility.ORGANIZERS)  # fmt: skip
    assert "Hidden Institute" in _page(client, q="reader")
    client.force_login(make_member(display_name="Someone Else"))
    assert "Reader Person" in _page(client, q="reader")
    assert "Hidden Institute" not in _page(client, q="reader")


def test_signing_in_leaves_the_directory_version(reader):
    before = data_version(DIRECTORY_VERSION)
    reader.last_login = timezone.now()
    reader.save(update_fields=["last_login"])
    assert data_version(DIRECTORY_VERSION) == before


def test_a_member_who_hides_many_still_gets_full_pages(client, reader, monkeypatch):
    monkeypatch.setattr(selectors, "HIDDEN_MARGIN", 1)
    names = [f"Sousa {letter}" for letter in "ABCDE"]
    members = [make_member(display_name=name) for name in names]
    for blocked in members[:3]:
        block_create(blocker=reader, blocked=blocked)
    found = selectors.directory_members(
        viewer=reader,
        filters=selectors.DirectoryFilters(query="sousa"),
        limit=2,
        version=selectors.directory_version(),
    )
    assert [user_id for _, user_id in found] == [m.pk for m in members[3:]]
