"""The search-as-you-type picker: its markup, what it submits, and the sources it asks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django import forms
from django.test import Client
from django.utils import timezone

from hemonc.core.forms import ModelMultipleChoiceField
from hemonc.core.widgets import SearchSelect
from hemonc.events.services import session_create
from hemonc.members.enums import Role, Visibility
from hemonc.members.models import User
from hemonc.members.services import block_create
from tests.factories import make_member

pytestmark = pytest.mark.django_db


class _HostsForm(forms.Form):
    hosts = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True),
        widget=SearchSelect(source="members", multiple=True),
    )
    lead = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        widget=SearchSelect(source="members"),
        required=False,
    )


def test_the_chosen_people_show_by_name_and_are_submitted_by_id() -> None:
    ana = make_member(display_name="Ana <b>Lopez</b>")
    ben = make_member(display_name="Ben Okafor")
    html = str(_HostsForm(initial={"hosts": [ben, ana]})["hosts"])
    assert "Ana &lt;b&gt;Lopez&lt;/b&gt;" in html and "<b>" not in html
    assert html.index("Ben Okafor") < html.index("Ana &lt;b&gt;")  # in the order chosen
    assert f'<input type="hidden" name="hosts" value="{ana.pk}">' in html
    assert 'aria-label="Remove Ben Okafor"' in html
    # The label points to the search box, which submits nothing of its own.
    assert 'id="id_hosts" role="combobox"' in html
    assert 'data-url="/members/pick/"' in html

    form = _HostsForm({"hosts": [str(ana.pk), str(ben.pk)], "lead": str(ben.pk)})
    assert form.is_valid(), form.errors
    assert set(form.cleaned_data["hosts"]) == {ana, ben}
    assert form.cleaned_data["lead"] == ben


def test_an_empty_or_unknown_choice_is_refused_with_the_fields_message() -> None:
    assert _HostsForm({}).errors["hosts"] == ["This field is required."]
    form = _HostsForm({"hosts": ["999999"]})
    assert not form.is_valid() and "999999" in form.errors["hosts"][0]
    # A bound form shows only what exists of what was sent.
    assert "999999" not in str(form["hosts"])


def test_only_the_chosen_records_are_read(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    for n in range(30):
        make_member(display_name=f"Member {n}")
    form = _HostsForm(initial={"hosts": []})
    with django_assert_num_queries(0):
        str(form["hosts"])


def test_an_unknown_source_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="Unknown picker source 'people'"):
        SearchSelect(source="people")


def _pick(client: Client, url: str, q: str) -> list[dict[str, object]]:
    response = client.get(url, {"q": q})
    assert response.status_code == 200
    return response.json()["results"]  # type: ignore[no-any-return]


def test_members_are_found_by_any_words_of_their_name_and_blocks_hide_both_ways() -> None:
    reader = make_member(display_name="Rae Reader")
    ana = make_member(display_name="Ana María Lopez", stage_visibility=Visibility.MEMBERS)
    make_member(display_name="Ana Secret", stage_visibility=Visibility.ORGANIZERS)
    blocker = make_member(display_name="Ana Blocker")
    make_member(display_name="Ana Unlisted", listed_in_directory=False)
    block_create(blocker=blocker, blocked=reader)
    client = Client()
    client.force_login(reader)

    results = _pick(client, "/members/pick/", "ana")
    assert [r["label"] for r in results] == ["Ana María Lopez", "Ana Secret"]
    assert results[0] == {"id": ana.pk, "label": "Ana María Lopez", "detail": "Fellow"}
    assert results[1]["detail"] == ""  # the stage is for organizers only
    assert [r["label"] for r in _pick(client, "/members/pick/", "lopez MAR")] == ["Ana María Lopez"]
    assert _pick(client, "/members/pick/", "  ") == []

    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    client.force_login(organizer)
    labels = [r["label"] for r in _pick(client, "/members/pick/", "ana")]
    assert labels == ["Ana Blocker", "Ana María Lopez", "Ana Secret", "Ana Unlisted"]


def test_sessions_are_found_by_title_newest_first() -> None:
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    soon = timezone.now().replace(second=0, microsecond=0) + timedelta(days=3)
    older = session_create(
        actor=organizer, title="Myeloma basics", starts_at=soon - timedelta(days=60)
    )
    newer = session_create(actor=organizer, title="Myeloma <now>", starts_at=soon)
    session_create(actor=organizer, title="Lymphoma", starts_at=soon)
    client = Client()
    client.force_login(organizer)
    results = _pick(client, "/sessions/pick/", "myeloma")
    assert [r["id"] for r in results] == [newer.pk, older.pk]
    assert results[0]["label"] == "Myeloma <now>"  # JSON: the page's script writes it as text
    assert str(soon.year) in str(results[0]["detail"])


class _SafeHostsForm(forms.Form):
    hosts = ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True),
        widget=SearchSelect(source="members", multiple=True),
    )


@pytest.mark.parametrize("value", ["²³", "99999999999999999999", "-1", "x"])
def test_a_value_that_is_no_id_is_dropped_not_a_server_error(value) -> None:
    ana = make_member(display_name="Ana Lopez")
    form = _SafeHostsForm(data={"hosts": [value, str(ana.pk)]})

    assert not form.is_valid()
    html = str(form["hosts"])  # the chips of the values given, read back from the database
    assert "Ana Lopez" in html
    assert f'value="{value}"' not in html
