"""The opportunities board: suggestions and review, eligibility and filters, saved, archive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hemonc.community import selectors
from hemonc.community.models.opportunities import OpportunityStatus
from hemonc.community.selectors import BoardFilters, opportunities_fitting, opportunity_board
from hemonc.community.services.opportunities import (
    opportunity_approve,
    opportunity_reject,
    opportunity_save,
    opportunity_suggest,
    opportunity_unsave,
    opportunity_update,
)
from hemonc.core.errors import DomainError, PermissionDenied
from hemonc.core.models import AuditEntry
from hemonc.members.services import profile_update
from hemonc.taxonomy.models import Topic
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _suggest(member, **fields):  # type: ignore[no-untyped-def]
    values = {
        "title": "Myeloma summer school",
        "kind": "funding",
        "organization": "Alpine Academy",
        "deadline": timezone.now() + timedelta(days=20),
        "time_zone": "Europe/Zurich",
        "url": "https://example.org/summer",
    }
    values.update(fields)
    return opportunity_suggest(actor=member, **values)


# ---- suggestions and review


def test_opportunity_suggest_by_member_waits_for_review(member, organizer) -> None:
    opportunity = _suggest(member)
    assert opportunity.status == OpportunityStatus.PENDING
    assert opportunity not in selectors.opportunities_open()
    assert list(selectors.opportunities_pending()) == [opportunity]
    client_member = _client(make_member(display_name="Someone Else"))
    assert client_member.get(opportunity.get_absolute_url()).status_code == 404
    assert _client(member).get(opportunity.get_absolute_url()).status_code == 200
    assert _client(organizer).get(opportunity.get_absolute_url()).status_code == 200


def test_opportunity_suggest_by_organizer_is_on_the_board_at_once(make_opportunity) -> None:
    opportunity = make_opportunity()
    assert opportunity.status == OpportunityStatus.APPROVED
    assert opportunity.approved_at is not None
    assert list(selectors.opportunities_open()) == [opportunity]


def test_opportunity_suggest_refuses_patient_identifiers_unless_attested(member) -> None:
    with pytest.raises(DomainError, match="may identify a patient"):
        _suggest(member, how_to_apply="Our patient John Smith, MRN 12345678, born 03/04/1961.")
    opportunity = _suggest(
        member,
        how_to_apply="Our patient John Smith, MRN 12345678, born 03/04/1961.",
        phi_attested=True,
    )
    assert AuditEntry.objects.filter(action="phi.attest", target_id=str(opportunity.pk)).exists()


def test_opportunity_suggest_refuses_a_link_that_is_not_http(member) -> None:
    with pytest.raises(DomainError):
        _suggest(member, url="javascript:alert(1)")
    with pytest.raises(DomainError):
        _suggest(member, url="ftp://example.org/file")


def test_opportunity_approve_shows_it_and_refuses_members(member, organizer) -> None:
    opportunity = _suggest(member)
    with pytest.raises(PermissionDenied):
        opportunity_approve(opportunity=opportunity, actor=member)
    opportunity_approve(opportunity=opportunity, actor=organizer)
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.APPROVED
    assert opportunity.reviewed_by == organizer
    assert list(selectors.opportunities_open()) == [opportunity]
    with pytest.raises(DomainError, match="already"):
        opportunity_approve(opportunity=opportunity, actor=organizer)


def test_opportunity_reject_needs_a_reason_and_keeps_it_off_the_board(member, organizer) -> None:
    opportunity = _suggest(member)
    with pytest.raises(DomainError, match="Say why"):
        opportunity_reject(opportunity=opportunity, actor=organizer, reason="  ")
    with pytest.raises(PermissionDenied):
        opportunity_reject(opportunity=opportunity, actor=member, reason="No")
    opportunity_reject(opportunity=opportunity, actor=organizer, reason="The call is closed.")
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.REJECTED
    assert opportunity.rejection_reason == "The call is closed."
    assert not selectors.opportunities_open().exists()
    page = _client(member).get(reverse("community:opportunity_saved")).content.decode()
    assert "The call is closed." in page


def test_opportunity_update_by_organizer_only(member, organizer, make_opportunity) -> None:
    opportunity = make_opportunity()
    with pytest.raises(PermissionDenied):
        opportunity_update(opportunity=opportunity, actor=member, title="Mine now")
    opportunity_update(opportunity=opportunity, actor=organizer, title="A better title")
    opportunity.refresh_from_db()
    assert opportunity.title == "A better title"


def test_review_pages_are_for_organizers(member, organizer) -> None:
    opportunity = _suggest(member)
    assert _client(member).get(reverse("community:opportunity_review")).status_code == 403
    page = _client(organizer).get(reverse("community:opportunity_review"))
    assert opportunity.title in page.content.decode()
    response = _client(member).post(reverse("community:opportunity_approve", args=[opportunity.pk]))
    assert response.status_code == 403
    _client(organizer).post(
        reverse("community:opportunity_reject", args=[opportunity.pk]), {"reason": "Duplicate"}
    )
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.REJECTED


# ---- eligibility and filters


def test_opportunities_fitting_by_stage_and_country(make_opportunity) -> None:
    anyone = make_opportunity(title="Anyone")
    fellows_us = make_opportunity(title="Fellows in the US", stages=["fellow"], countries=["US"])
    residents = make_opportunity(title="Residents", stages=["resident"])
    fellows_ng = make_opportunity(title="Fellows in Nigeria", stages=["fellow"], countries=["NG"])
    make_opportunity(title="Closed", deadline=timezone.now() - timedelta(days=1))
    us_fellow = make_member(display_name="US Fellow", stage="fellow", country="US")
    ng_resident = make_member(display_name="NG Resident", stage="resident", country="NG")
    no_stage = make_member(display_name="No Stage", stage="", country="")
    assert set(opportunities_fitting(us_fellow)) == {anyone, fellows_us}
    assert set(opportunities_fitting(ng_resident)) == {anyone, residents}
    assert set(opportunities_fitting(no_stage)) == {anyone}
    assert fellows_ng not in opportunities_fitting(us_fellow)


def test_opportunities_fitting_since(make_opportunity) -> None:
    with time_machine.travel(datetime(2026, 1, 5, tzinfo=UTC)):
        old = make_opportunity(title="Old", deadline=datetime(2026, 12, 1, tzinfo=UTC))
    with time_machine.travel(datetime(2026, 1, 20, tzinfo=UTC)):
        new = make_opportunity(title="New", deadline=datetime(2026, 12, 1, tzinfo=UTC))
        member = make_member(display_name="Reader")
        assert list(opportunities_fitting(member)) == [old, new]
        since = datetime(2026, 1, 10, tzinfo=UTC)
        assert list(opportunities_fitting(member, since=since)) == [new]


def test_opportunity_board_filters(member, make_opportunity) -> None:
    bcsm = Topic.objects.get(slug="bcsm")
    grant = make_opportunity(title="Grant", kind="funding", tags=[bcsm])
    job = make_opportunity(title="Job", kind="job", stages=["attending"], countries=["GB"])
    soon = make_opportunity(title="Soon", kind="award", deadline=timezone.now() + timedelta(days=3))

    def board(**filters):  # type: ignore[no-untyped-def]
        return set(opportunity_board(viewer=member, filters=BoardFilters(**filters)))

    assert board() == {grant, job, soon}
    assert board(kind="job") == {job}
    assert board(stage="fellow") == {grant, soon}
    assert board(country="GB") == {grant, job, soon}
    assert board(country="US") == {grant, soon}
    assert board(tag="bcsm") == {grant}
    assert board(soon=True) == {soon}
    assert board(fits_me=True) == {grant, soon}  # a fellow in the US


def test_board_page_filters_with_htmx_partial(member, make_opportunity) -> None:
    make_opportunity(title="A research grant", kind="funding")
    make_opportunity(title="A lymphoma job", kind="job")
    client = _client(member)
    page = client.get(reverse("community:opportunities"), {"kind": "job"}).content.decode()
    assert "A lymphoma job" in page and "A research grant" not in page
    assert "filters-toggle" in page
    partial = client.get(
        reverse("community:opportunities"), {"kind": "funding"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "A research grant" in partial and "A lymphoma job" not in partial
    assert "<html" not in partial
    # Nonsense filters are ignored, never a server error.
    assert client.get(reverse("community:opportunities"), {"kind": "x" * 500}).status_code == 200


def test_deadline_shown_in_reader_zone_and_its_own(member, make_opportunity) -> None:
    opportunity = make_opportunity(
        deadline=datetime(2026, 12, 18, 23, 59, tzinfo=ZoneInfo("America/New_York"))
    )
    profile_update(profile=member.profile, actor=member, time_zone="Europe/Paris")
    with time_machine.travel(datetime(2026, 12, 1, tzinfo=UTC)):
        page = _client(member).get(opportunity.get_absolute_url()).content.decode()
    assert "Sat 19 Dec 2026, 5:59 AM CET" in page
    assert "11:59 PM EST (New York)" in page


# ---- saved, archive


def test_opportunity_save_and_saved_list(member, make_opportunity) -> None:
    opportunity = make_opportunity()
    assert opportunity_save(opportunity=opportunity, user=member, actor=member) is True
    assert opportunity_save(opportunity=opportunity, user=member, actor=member) is False
    assert list(selectors.opportunities_saved(user=member)) == [opportunity]
    page = _client(member).get(reverse("community:opportunity_saved")).content.decode()
    assert opportunity.title in page
    assert opportunity_unsave(opportunity=opportunity, user=member, actor=member) is True
    assert not selectors.opportunities_saved(user=member).exists()


def test_opportunity_save_refuses_pending_and_closed(member, make_opportunity) -> None:
    with pytest.raises(DomainError, match="not on the board"):
        opportunity_save(opportunity=_suggest(member), user=member, actor=member)
    closed = make_opportunity(deadline=timezone.now() - timedelta(hours=1))
    with pytest.raises(DomainError, match="passed"):
        opportunity_save(opportunity=closed, user=member, actor=member)


def test_save_toggle_page_and_htmx(member, make_opportunity) -> None:
    opportunity = make_opportunity()
    client = _client(member)
    url = reverse("community:opportunity_save", args=[opportunity.pk])
    response = client.post(url, {"save": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Saved" in response.content.decode()
    assert opportunity.saves.filter(user=member).exists()
    response = client.post(url, {"save": "0", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == opportunity.get_absolute_url()
    assert not opportunity.saves.filter(user=member).exists()


def test_expired_opportunities_move_to_the_archive(member, make_opportunity) -> None:
    with time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=UTC)):
        opportunity = make_opportunity(deadline=datetime(2026, 3, 10, 4, 59, tzinfo=UTC))
        opportunity_save(opportunity=opportunity, user=member, actor=member)
    client = _client(member)
    with time_machine.travel(datetime(2026, 3, 10, 4, 58, tzinfo=UTC)):
        assert opportunity.title in client.get(reverse("community:opportunities")).content.decode()
        assert (
            opportunity.title
            not in client.get(reverse("community:opportunity_archive")).content.decode()
        )
    with time_machine.travel(datetime(2026, 3, 10, 5, 0, tzinfo=UTC)):
        assert (
            opportunity.title not in client.get(reverse("community:opportunities")).content.decode()
        )
        archive = client.get(reverse("community:opportunity_archive")).content.decode()
        assert opportunity.title in archive
        saved = client.get(reverse("community:opportunity_saved")).content.decode()
        assert "Closed" in saved and opportunity.title in saved
        assert not opportunities_fitting(member).exists()


def test_hostile_text_is_escaped_on_pages(member, organizer) -> None:
    opportunity = _suggest(
        member,
        title="<script>alert(1)</script> grant",
        organization="<img src=x onerror=alert(2)>",
        how_to_apply="<script>alert(3)</script> [link](javascript:alert(4))",
    )
    opportunity_approve(opportunity=opportunity, actor=organizer)
    client = _client(member)
    for url in (
        opportunity.get_absolute_url(),
        reverse("community:opportunities"),
    ):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert 'href="javascript' not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; grant" in page


def _client(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_suggestions_wait_in_needs_you_for_organizers(member, organizer) -> None:
    _suggest(member, title="A suggestion to review")
    home = _client(organizer).get("/").content.decode()
    needs = home.split("Needs you", 1)[1]
    assert "A suggestion to review" in needs and "waiting for review" in needs
    assert "A suggestion to review" not in _client(member).get("/").content.decode()
    console = _client(organizer).get(reverse("console")).content.decode()
    assert "Suggested opportunities" in console and "A suggestion to review" in console
