"""Sponsorship: faculty and mentors nominate trainees, who accept or decline; organizers see
nominations per opportunity; nobody else ever does. Notifications of suggestions' review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hemonc.community.models import Notification
from hemonc.community.models.opportunities import Nomination, NominationStatus
from hemonc.community.services.opportunities import (
    nomination_answer,
    nomination_create,
    nomination_withdraw,
    opportunity_approve,
    opportunity_reject,
    opportunity_suggest,
)
from hemonc.core.errors import DomainError, PermissionDenied
from hemonc.members.services import block_create
from hemonc.mentorship.services import offer_save
from tests.factories import make_member

pytestmark = pytest.mark.django_db

STATEMENT = "She led our lymphoma quality project and presents with great clarity."


def _client(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def attending(db):  # type: ignore[no-untyped-def]
    return make_member(display_name="Dr. Ada Faculty", stage="attending")


@pytest.fixture
def mentor(db):  # type: ignore[no-untyped-def]
    """A fellow who offers mentoring (to students and residents): a mentor, not faculty."""
    user = make_member(display_name="Femi Senior Fellow", stage="advanced_fellow")
    offer_save(user=user, actor=user, capacity=2, about="Residents' research.")
    return user


@pytest.fixture
def trainee(db):  # type: ignore[no-untyped-def]
    return make_member(display_name="Tara Trainee", stage="resident")


def test_nomination_create_by_faculty_and_by_mentors(
    attending, mentor, trainee, make_opportunity
) -> None:
    opportunity = make_opportunity()
    first = nomination_create(
        actor=attending, nominee=trainee, opportunity=opportunity, statement=STATEMENT
    )
    second = nomination_create(
        actor=mentor, nominee=trainee, role="Panelist, #HOFellows career chat", statement=STATEMENT
    )
    assert first.what == opportunity.title
    assert second.what == "Panelist, #HOFellows career chat"
    assert {n.kind for n in Notification.objects.filter(recipient=trainee)} == {"nomination"}
    assert Notification.objects.filter(recipient=trainee).count() == 2


def test_nomination_create_refused_to_a_fellow_who_is_no_mentor(trainee, member) -> None:
    with pytest.raises(PermissionDenied, match="faculty members and mentors"):
        nomination_create(actor=member, nominee=trainee, role="A talk", statement=STATEMENT)
    response = _client(member).get(reverse("community:nominate"))
    assert response.status_code == 403


def test_nomination_create_only_of_trainees_and_never_oneself(attending, mentor) -> None:
    other_faculty = make_member(display_name="Dr. Bo Faculty", stage="attending")
    with pytest.raises(DomainError, match="Only trainees"):
        nomination_create(actor=attending, nominee=other_faculty, role="A talk", statement="Yes.")
    with pytest.raises(DomainError, match="yourself"):
        nomination_create(actor=mentor, nominee=mentor, role="A talk", statement="Yes.")


def test_nomination_create_needs_an_opportunity_or_a_role_and_a_statement(
    attending, trainee, make_opportunity
) -> None:
    with pytest.raises(DomainError, match="opportunity or describe"):
        nomination_create(actor=attending, nominee=trainee, statement=STATEMENT)
    with pytest.raises(DomainError, match="statement"):
        nomination_create(actor=attending, nominee=trainee, role="A talk", statement="  ")
    closed = make_opportunity(deadline=timezone.now() - timedelta(days=1))
    with pytest.raises(DomainError, match="passed"):
        nomination_create(actor=attending, nominee=trainee, opportunity=closed, statement="Yes.")


def test_nomination_create_refused_when_the_trainee_blocked_the_sponsor(attending, trainee) -> None:
    block_create(blocker=trainee, blocked=attending)
    with pytest.raises(DomainError, match="cannot nominate"):
        nomination_create(actor=attending, nominee=trainee, role="A talk", statement=STATEMENT)
    assert not Nomination.objects.exists()


def test_nomination_create_refused_when_the_sponsor_blocked_the_trainee(attending, trainee) -> None:
    block_create(blocker=attending, blocked=trainee)
    with pytest.raises(DomainError, match="cannot nominate"):
        nomination_create(actor=attending, nominee=trainee, role="A talk", statement=STATEMENT)


def test_nomination_statement_checked_for_patient_identifiers(attending, trainee) -> None:
    text = "She cared for Mr. John Smith (MRN 12345678) admirably."
    with pytest.raises(DomainError, match="may identify a patient"):
        nomination_create(actor=attending, nominee=trainee, role="An award", statement=text)
    nomination = nomination_create(
        actor=attending, nominee=trainee, role="An award", statement=text, phi_attested=True
    )
    assert nomination.statement == text


def test_nomination_answer_by_the_trainee_only(attending, trainee, member) -> None:
    nomination = nomination_create(
        actor=attending, nominee=trainee, role="A talk", statement=STATEMENT
    )
    with pytest.raises(PermissionDenied):
        nomination_answer(nomination=nomination, actor=attending, accept=True)
    with pytest.raises(PermissionDenied):
        nomination_answer(nomination=nomination, actor=member, accept=True)
    nomination_answer(nomination=nomination, actor=trainee, accept=True)
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.ACCEPTED
    told = Notification.objects.get(recipient=attending)
    assert told.kind == "nomination" and "accepted" in told.text
    with pytest.raises(DomainError, match="already"):
        nomination_answer(nomination=nomination, actor=trainee, accept=False)


def test_nomination_withdraw_by_the_sponsor(attending, trainee) -> None:
    nomination = nomination_create(
        actor=attending, nominee=trainee, role="A talk", statement=STATEMENT
    )
    with pytest.raises(PermissionDenied):
        nomination_withdraw(nomination=nomination, actor=trainee)
    nomination_withdraw(nomination=nomination, actor=attending)
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.WITHDRAWN


def test_nomination_flow_through_the_pages(attending, trainee, organizer, make_opportunity) -> None:
    opportunity = make_opportunity(title="Lymphoma travel award")
    sponsor = _client(attending)
    page = sponsor.get(reverse("community:nominate"), {"opportunity": opportunity.pk})
    assert page.status_code == 200
    response = sponsor.post(
        reverse("community:nominate"),
        {"nominee": trainee.pk, "opportunity": opportunity.pk, "statement": STATEMENT},
    )
    nomination = Nomination.objects.get()
    assert response.status_code == 302 and response["Location"] == nomination.get_absolute_url()

    nominee = _client(trainee)
    listing = nominee.get(reverse("community:nominations")).content.decode()
    assert "Lymphoma travel award" in listing and "Dr. Ada Faculty" in listing
    assert STATEMENT in nominee.get(nomination.get_absolute_url()).content.decode()
    nominee.post(reverse("community:nomination_accept", args=[nomination.pk]))
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.ACCEPTED

    per_opportunity = _client(organizer).get(
        reverse("community:opportunity_nominations", args=[opportunity.pk])
    )
    assert "Tara Trainee" in per_opportunity.content.decode()
    overview = _client(organizer).get(reverse("community:opportunity_nominations_overview"))
    assert "Lymphoma travel award" in overview.content.decode()


def test_nomination_never_published(
    attending, trainee, member, organizer, make_opportunity
) -> None:
    opportunity = make_opportunity(title="Lymphoma travel award")
    nomination = nomination_create(
        actor=attending, nominee=trainee, opportunity=opportunity, statement=STATEMENT
    )
    outsider = _client(member)
    assert outsider.get(nomination.get_absolute_url()).status_code == 404
    for url in (
        opportunity.get_absolute_url(),
        reverse("community:opportunities"),
        reverse("community:nominations"),
        reverse("members:profile", args=[trainee.pk]),
    ):
        page = outsider.get(url).content.decode()
        assert STATEMENT not in page
        assert "nominated" not in page.lower()
    assert (
        outsider.get(
            reverse("community:opportunity_nominations", args=[opportunity.pk])
        ).status_code
        == 403
    )
    assert (
        outsider.post(reverse("community:nomination_accept", args=[nomination.pk])).status_code
        == 404
    )
    assert _client(organizer).get(nomination.get_absolute_url()).status_code == 200
    # A block after the fact hides it from both sides.
    block_create(blocker=trainee, blocked=attending)
    assert _client(trainee).get(nomination.get_absolute_url()).status_code == 404
    assert (
        "Lymphoma travel award"
        not in _client(trainee).get(reverse("community:nominations")).content.decode()
    )


def test_nomination_pages_escape_hostile_text(attending, trainee) -> None:
    nomination = nomination_create(
        actor=attending,
        nominee=trainee,
        role="<script>alert(1)</script>",
        statement="<img src=x onerror=alert(2)> great",
    )
    page = _client(trainee).get(nomination.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_suggester_notified_of_approval_and_of_rejection_with_reason(member, organizer) -> None:
    def suggest(title: str):  # type: ignore[no-untyped-def]
        return opportunity_suggest(
            actor=member,
            title=title,
            kind="award",
            organization="Society",
            deadline=timezone.now() + timedelta(days=9),
            time_zone="UTC",
            url="https://example.org/",
        )

    opportunity_approve(opportunity=suggest("Good one"), actor=organizer)
    opportunity_reject(opportunity=suggest("Old one"), actor=organizer, reason="Closed in May.")
    texts = sorted(n.text for n in Notification.objects.filter(recipient=member))
    assert texts == [
        "Your suggestion “Good one” is on the opportunities board.",
        "Your suggestion “Old one” was not approved: Closed in May.",
    ]
    assert set(Notification.objects.values_list("kind", flat=True)) == {"opportunity_approved"}
