"""The patient-identifier guard where members write for others: newsletter issues, session
descriptions and notes, bios (highlighted, then edited or attested, the attestation audited),
questions in a live session (held for the host), and the organizers' list of both."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hemonc.core.models import AuditEntry
from hemonc.core.permissions import OPERATOR
from hemonc.core.phi_guard import ATTEST_LABEL
from hemonc.events.models import LiveSession, Question
from hemonc.events.services import question_create, session_create
from hemonc.members.enums import Role
from hemonc.newsletter import services as newsletter
from hemonc.newsletter.models import Issue
from tests.factories import make_member

pytestmark = pytest.mark.django_db

DOB = "Seen today, DOB 3/14/1961, doing well."
TRAPS = "R-CHOP x6, NCCN v2.2023, #ASH21"
HOSTILE = '<script>alert(1)</script> pt J.D. <img src=x onerror="alert(2)">'


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _signed_in(role: Role | None = None, name: str = "Olu Organizer") -> tuple[Client, Any]:
    client = Client()
    user = make_member(display_name=name, role=role)
    client.force_login(user)
    return client, user


def _attestations() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="phi.attest").order_by("id"))


# ---------------------------------------------------------------------------------------------
# Newsletter issues

ISSUE = {"subject": "November", "preheader": "", "body": "News."}


def test_issue_with_a_date_of_birth_is_highlighted_and_not_saved() -> None:
    client, _ = _signed_in(Role.ORGANIZER)

    response = client.post(reverse("newsletter:issue_new"), {**ISSUE, "body": DOB})

    page = response.content.decode()
    assert response.status_code == 200
    assert "This text may identify a patient: 1 date, marked here." in _text(page)
    assert '<mark class="phi" data-kind="date"' in page
    assert ">3/14/1961</mark>" in page
    assert ATTEST_LABEL in page
    assert not Issue.objects.exists()


def test_attested_issue_is_saved_sent_and_the_attestation_keeps_what_it_overrode(
    django_capture_on_commit_callbacks: Any,
) -> None:
    client, organizer = _signed_in(Role.ORGANIZER)

    response = client.post(
        reverse("newsletter:issue_new"), {**ISSUE, "body": DOB, "phi_attest": "on"}
    )

    issue = Issue.objects.get()
    assert response.status_code == 302
    assert (issue.body, issue.phi_attested_by) == (DOB, organizer)
    (entry,) = _attestations()
    assert (entry.actor, entry.target_type, entry.target_id) == (
        organizer,
        "newsletter.issue",
        str(issue.pk),
    )
    assert entry.changes["findings"] == [{"kind": "date", "start": 16, "end": 25, "field": "body"}]
    assert "1961" not in str(entry.changes)  # the log keeps where, never the identifier
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("newsletter:issue_send", args=[issue.pk]))
    issue.refresh_from_db()
    assert issue.status in {"sending", "sent"}


def test_issue_edited_clean_is_saved_without_attesting_and_sends() -> None:
    client, _ = _signed_in(Role.ORGANIZER)
    client.post(reverse("newsletter:issue_new"), {**ISSUE, "body": DOB})

    response = client.post(
        reverse("newsletter:issue_new"), {**ISSUE, "body": "Seen today, doing well."}
    )

    assert response.status_code == 302
    assert Issue.objects.get().phi_attested_at is None
    assert _attestations() == []
    page = client.get(response.url).content.decode()
    assert "patient identifiers" not in page  # no attestation asked to send


def test_trap_only_issue_is_no_finding() -> None:
    client, _ = _signed_in(Role.ORGANIZER)

    response = client.post(reverse("newsletter:issue_new"), {**ISSUE, "body": TRAPS})

    assert response.status_code == 302
    assert Issue.objects.get().body == TRAPS


def test_editing_an_attested_issue_to_a_new_finding_asks_again() -> None:
    client, _ = _signed_in(Role.ORGANIZER)
    client.post(reverse("newsletter:issue_new"), {**ISSUE, "body": DOB, "phi_attest": "on"})
    issue = Issue.objects.get()
    edit = reverse("newsletter:issue_edit", args=[issue.pk])

    refused = client.post(edit, {**ISSUE, "body": "MRN 00123456, DOB 3/14/1961."})
    kept = client.post(edit, {**ISSUE, "body": "Doing well."})

    assert refused.status_code == 200 and "1 medical record number" in _text(
        refused.content.decode()
    )
    issue.refresh_from_db()
    assert (kept.status_code, issue.body, issue.phi_attested_at) == (302, "Doing well.", None)


def test_hostile_text_is_escaped_inside_the_highlight() -> None:
    client, _ = _signed_in(Role.ORGANIZER)

    page = client.post(reverse("newsletter:issue_new"), {**ISSUE, "body": HOSTILE}).content.decode()

    marked = page.split('class="phi-text">')[1].split("</div>")[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in marked
    assert "<script>" not in marked and "<img" not in marked
    assert '<mark class="phi" data-kind="name"' in marked


def test_service_refuses_an_unattested_finding_and_sending_checks_again() -> None:
    with pytest.raises(newsletter.DomainError, match="may identify a patient"):
        newsletter.issue_create(subject="Hi", body=DOB, actor=OPERATOR)
    issue = newsletter.issue_create(subject="Hi", body="News.", actor=OPERATOR)
    with pytest.raises(newsletter.DomainError, match="may identify a patient"):
        newsletter.issue_update(issue=issue, actor=OPERATOR, body=DOB)
    # Unchanged text needs no new attestation.
    attested = newsletter.issue_create(subject="Hi", body=DOB, actor=OPERATOR, phi_attested=True)
    newsletter.issue_update(issue=attested, actor=OPERATOR, subject="Hello", body=DOB)
    assert len(_attestations()) == 1


# ---------------------------------------------------------------------------------------------
# Session descriptions and notes

SESSION = {
    "title": "Journal club night", "kind": "regular", "duration_minutes": "60",
    "starts_at_local": "2030-01-10T20:00", "time_zone": "America/New_York",
    "status": "scheduled",
}  # fmt: skip


def test_session_description_with_a_name_is_highlighted_then_attested() -> None:
    client, organizer = _signed_in(Role.ORGANIZER)
    description = "We discuss the case of Mrs. Alvarez and her daughter Maria."

    refused = client.post(reverse("events:session_create"), {**SESSION, "description": description})
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "This text may identify a patient: 2 names, marked here." in _text(page)
    assert page.count('<mark class="phi" data-kind="name"') == 2
    assert not LiveSession.objects.exists()

    saved = client.post(
        reverse("events:session_create"),
        {**SESSION, "description": description, "phi_attest": "on"},
    )
    session = LiveSession.objects.get()
    assert saved.status_code == 302 and session.description == description
    (entry,) = _attestations()
    assert (entry.actor, entry.target_id) == (organizer, str(session.pk))
    assert [f["kind"] for f in entry.changes["findings"]] == ["name", "name"]


def test_session_notes_edited_clean_pass_without_attesting() -> None:
    client, organizer = _signed_in(Role.ORGANIZER)
    session = session_create(
        actor=organizer, title="Myeloma", starts_at=timezone.now() - timedelta(days=2)
    )
    edit = reverse("events:session_edit", args=[session.pk])
    form = {**SESSION, "title": "Myeloma", "status": "ended"}

    refused = client.post(edit, {**form, "show_notes": "Thanks to pt J.D. for joining."})
    clean = client.post(edit, {**form, "show_notes": "Thanks to everyone for joining."})

    assert '<mark class="phi" data-kind="name"' in refused.content.decode()
    session.refresh_from_db()
    assert (clean.status_code, session.show_notes) == (302, "Thanks to everyone for joining.")
    assert _attestations() == []


# ---------------------------------------------------------------------------------------------
# Member bios

PROFILE = {
    "display_name": "Ana Lopez", "stage": "fellow", "stage_visibility": "members",
    "specialty_visibility": "members", "training_year_visibility": "members",
    "institution_visibility": "members", "country_visibility": "members",
}  # fmt: skip


def test_bio_with_an_age_over_89_is_highlighted_attested_or_edited() -> None:
    client, member = _signed_in(name="Ana Lopez")
    bio = "I still think of a 92-year-old I met as an intern."

    refused = client.post(reverse("members:profile_edit"), {**PROFILE, "bio": bio})
    assert '<mark class="phi" data-kind="age"' in refused.content.decode()
    assert "1 age over 89" in _text(refused.content.decode())
    member.profile.refresh_from_db()
    assert member.profile.bio == ""

    client.post(reverse("members:profile_edit"), {**PROFILE, "bio": bio, "phi_attest": "on"})
    member.profile.refresh_from_db()
    assert member.profile.bio == bio
    (entry,) = _attestations()
    assert (entry.actor, entry.target_type) == (member, "members.profile")

    client.post(reverse("members:profile_edit"), {**PROFILE, "bio": "Fellow in Lyon."})
    member.profile.refresh_from_db()
    assert member.profile.bio == "Fellow in Lyon." and len(_attestations()) == 1


def test_saving_other_profile_fields_keeps_an_attested_bio_without_asking_again() -> None:
    client, member = _signed_in(name="Ana Lopez")
    bio = "I still think of a 92-year-old I met as an intern."
    client.post(reverse("members:profile_edit"), {**PROFILE, "bio": bio, "phi_attest": "on"})

    response = client.post(
        reverse("members:profile_edit"), {**PROFILE, "bio": bio, "pronouns": "she/her"}
    )

    assert response.status_code == 302
    member.profile.refresh_from_db()
    assert member.profile.pronouns == "she/her"


# ---------------------------------------------------------------------------------------------
# Questions in a live session


@pytest.fixture
def live() -> LiveSession:
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    host = make_member(display_name="Hana Host")
    return session_create(
        actor=organizer,
        title="Myeloma in 2026",
        starts_at=timezone.now() + timedelta(days=2),
        hosts=[host],
    )


def _host_client(session: LiveSession) -> Client:
    client = Client()
    client.force_login(session.hosts.get())
    return client


def test_question_with_a_finding_waits_for_the_host(live: LiveSession) -> None:
    asker, _ = _signed_in(name="Asa Asker")
    other, _ = _signed_in(name="Otto Other")
    text = "My patient, MRN 00123456, relapsed: CAR-T now?"

    asked = asker.post(reverse("events:questions", args=[live.pk]), {"text": text}, follow=True)

    assert "Your question waits for the host: it may contain patient details." in _text(
        asked.content.decode()
    )
    assert "Waits for the host" in asked.content.decode()  # the asker still sees it
    assert "00123456" not in other.get(live.get_absolute_url()).content.decode()
    host_page = _host_client(live).get(live.get_absolute_url()).content.decode()
    assert '<mark class="phi" data-kind="mrn"' in host_page
    assert "Held: it may contain patient details" in host_page
    assert Question.objects.get().is_held
    assert (
        AuditEntry.objects.filter(action="phi.hold").get().changes["findings"][0]["kind"] == "mrn"
    )


def test_htmx_asker_is_told_the_question_waits(live: LiveSession) -> None:
    asker, _ = _signed_in(name="Asa Asker")

    board = asker.post(
        reverse("events:questions", args=[live.pk]),
        {"text": "Mrs. Alvarez asked me this: is MRD enough?"},
        headers={"HX-Request": "true"},
    ).content.decode()

    assert "Your question waits for the host: it may contain patient details." in board


def test_host_releases_a_held_question_and_members_then_see_it(live: LiveSession) -> None:
    author = make_member(display_name="Asa Asker")
    question = question_create(session=live, author=author, text="Pt J.D. asked: MRD?")
    other, _ = _signed_in(name="Otto Other")
    host = _host_client(live)

    released = host.post(
        reverse("events:question_moderate", args=[question.pk, "show"]), follow=True
    )

    assert released.status_code == 200
    question.refresh_from_db()
    assert (question.is_held, question.is_hidden) == (False, False)
    assert "Pt J.D. asked: MRD?" in other.get(live.get_absolute_url()).content.decode()


def test_host_hides_a_held_question_for_good(live: LiveSession) -> None:
    question = question_create(
        session=live, author=make_member(display_name="Asa"), text="DOB 3/14/1961: dose?"
    )

    _host_client(live).post(reverse("events:question_moderate", args=[question.pk, "hide"]))

    question.refresh_from_db()
    assert (question.is_held, question.is_hidden) == (False, True)


def test_clean_question_is_shown_at_once(live: LiveSession) -> None:
    question = question_create(
        session=live, author=make_member(display_name="Asa"), text=f"{TRAPS}: still standard?"
    )

    assert (question.is_held, question.is_hidden) == (False, False)


def test_held_questions_are_in_needs_you(live: LiveSession) -> None:
    question_create(session=live, author=make_member(display_name="Asa"), text="DOB 3/14/1961?")
    moderator, _ = _signed_in(Role.MODERATOR, name="Mo Moderator")

    home = _text(moderator.get(reverse("home")).content.decode())

    assert "Myeloma in 2026 : 1 held for you: it may contain patient details." in home


# ---------------------------------------------------------------------------------------------
# The organizers' list


def test_organizers_list_what_was_held_and_attested(live: LiveSession) -> None:
    author = make_member(display_name="Asa Asker")
    question_create(session=live, author=author, text="<b>Mrs. Alvarez</b> asked: MRD?")
    client, _ = _signed_in(Role.ORGANIZER)
    client.post(reverse("newsletter:issue_new"), {**ISSUE, "body": DOB, "phi_attest": "on"})
    issue = Issue.objects.get()

    page = client.get(reverse("console_phi")).content.decode()
    text = _text(page)

    assert "Questions held now" in text
    assert "&lt;b&gt;" in page and '<mark class="phi" data-kind="name"' in page
    assert "Held A question in “Myeloma in 2026”" in text
    assert "Asked by Asa Asker" in text and "Found: 1 name. Still held." in text
    assert "Attested Newsletter issue “November”" in text
    assert "Attested by Olu Organizer" in text and "Found: 1 date." in text
    assert reverse("newsletter:issue_detail", args=[issue.pk]) in page
    console = client.get(reverse("console")).content.decode()
    assert reverse("console_phi") in console


def test_the_organizers_list_says_when_nothing_was_held() -> None:
    client, _ = _signed_in(Role.ORGANIZER)

    text = _text(client.get(reverse("console_phi")).content.decode())

    assert "No question is held." in text and "Nothing was held or attested yet." in text


def test_the_command_creates_a_draft_that_may_identify_a_patient_only_with_attest(
    tmp_path: Any,
) -> None:
    from django.core.management import CommandError, call_command

    body = tmp_path / "issue.md"
    body.write_text(DOB, encoding="utf-8")

    with pytest.raises(CommandError, match="may identify a patient"):
        call_command("newsletter", "create", "--subject", "Hi", "--body-file", str(body))
    call_command("newsletter", "create", "--subject", "Hi", "--body-file", str(body), "--attest")

    assert Issue.objects.get().body == DOB
    assert _attestations()[0].actor is None


def test_a_stored_draft_with_a_finding_is_marked_and_attested_unchanged(
    django_capture_on_commit_callbacks: Any,
) -> None:
    client, organizer = _signed_in(Role.ORGANIZER)
    issue = newsletter.issue_create(subject="November", body="News.", actor=OPERATOR)
    Issue.objects.filter(pk=issue.pk).update(body=DOB)  # as an import or the demo writes it
    detail = reverse("newsletter:issue_detail", args=[issue.pk])
    edit = reverse("newsletter:issue_edit", args=[issue.pk])

    assert "This issue may identify a patient (1 date)" in _text(
        client.get(detail).content.decode()
    )
    shown = client.get(edit).content.decode()
    assert '<mark class="phi" data-kind="date"' in shown and ATTEST_LABEL in shown
    refused = client.post(edit, {**ISSUE, "body": DOB})
    assert refused.status_code == 200
    client.post(edit, {**ISSUE, "body": DOB, "phi_attest": "on"})

    issue.refresh_from_db()
    assert issue.phi_attested_by == organizer
    assert "may identify a patient" not in client.get(detail).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("newsletter:issue_send", args=[issue.pk]))
    issue.refresh_from_db()
    assert issue.status in {"sending", "sent"}


def test_organizers_list_names_each_kind_of_place_and_what_became_of_questions(
    live: LiveSession,
) -> None:
    from hemonc.events.services import question_moderate
    from hemonc.members.services import profile_update

    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    host = live.hosts.get()
    released = question_create(session=live, author=host, text="Pt J.D. asked: MRD?")
    hidden = question_create(session=live, author=host, text="DOB 3/14/1961: dose?")
    question_moderate(question=released, actor=host, action="show")
    question_moderate(question=hidden, actor=host, action="hide")
    session_create(
        actor=organizer, title="Case night", starts_at=timezone.now() + timedelta(days=9),
        description="With pt J.D.", phi_attested=True,
    )  # fmt: skip
    profile_update(
        profile=host.profile, actor=host, bio="A 92-year-old taught me.", phi_attested=True
    )
    gone = newsletter.issue_create(subject="Gone", body=DOB, actor=OPERATOR, phi_attested=True)
    Issue.objects.filter(pk=gone.pk).delete()
    client = Client()
    client.force_login(organizer)

    text = _text(client.get(reverse("console_phi")).content.decode())

    assert "Released: shown to members." in text and "Hidden." in text
    assert "Attested Session “Case night”" in text
    assert "Attested The bio of Hana Host" in text
    assert "Something since deleted" in text
    assert "Attested by the operator or an erased account" in text
