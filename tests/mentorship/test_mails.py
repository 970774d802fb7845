"""Every mentorship mail carries what members typed (names, notes, messages) as text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hemonc.members.models import Profile
from hemonc.mentorship import services
from hemonc.mentorship.mails import SUBJECTS, send_mentorship_mail
from hemonc.mentorship.models import MentorshipMessage, Program
from tests.mailcheck import ATTACK_LINK, FORMULA, PIXEL, assert_carried_as_text, parts
from tests.smtp import Mailbox

HUGE = "Zoë " * 2000


@pytest.fixture
def sent(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.mark.parametrize("note", [PIXEL, ATTACK_LINK, FORMULA, f"Line one\n{PIXEL}", HUGE])
def test_request_note_reaches_the_mentor_as_text(
    mentor, mentee, mailbox: Mailbox, sent, note
) -> None:
    with sent():
        services.request_create(mentee=mentee, actor=mentee, mentor=mentor, note=note)

    (message,) = mailbox.wait_for(1)
    for line in note.strip().splitlines():
        assert_carried_as_text(line.strip(), message)
    assert message["Auto-Submitted"] == "auto-generated"


def test_a_hostile_display_name_is_text_in_subject_and_body(
    mentor, mentee, mailbox: Mailbox, sent
) -> None:
    Profile.objects.filter(user=mentee).update(display_name=ATTACK_LINK)
    mentee.refresh_from_db()

    with sent():
        services.request_create(mentee=mentee, actor=mentee, mentor=mentor, note="Hello")

    (message,) = mailbox.wait_for(1)
    assert message["Subject"].endswith(f"{ATTACK_LINK} asks you to be their mentor")
    assert_carried_as_text(ATTACK_LINK, message)


def test_a_display_name_stored_with_a_line_break_does_not_stop_the_mails(
    mentor, mentee, mailbox: Mailbox, sent
) -> None:
    # A row written before display names were kept to one line.
    Profile.objects.filter(user=mentee).update(display_name="Ana\r\nBcc: victim@example.org")
    mentee.refresh_from_db()

    with sent():
        services.request_create(mentee=mentee, actor=mentee, mentor=mentor, note="Hello")

    (message,) = mailbox.wait_for(1)
    assert message["Subject"].endswith("Ana Bcc: victim@example.org asks you to be their mentor")
    assert message["Bcc"] is None
    assert message["To"] == mentor.email


@pytest.mark.parametrize("kind", sorted(SUBJECTS))
def test_every_mentorship_mail_carries_hostile_input_as_text(
    mentor, mentee, mailbox: Mailbox, sent, kind
) -> None:
    Profile.objects.filter(user=mentee).update(display_name=ATTACK_LINK)
    mentee.refresh_from_db()
    request = services.request_create(mentee=mentee, actor=mentee, mentor=mentor, note=PIXEL)
    request.response = f"{FORMULA}\n{PIXEL}"
    mentorship = services.request_accept(request=request, actor=mentor)
    now = timezone.now()
    program = Program.objects.create(
        name=PIXEL,
        applications_open_at=now,
        applications_close_at=now + timedelta(days=1),
        matching_date=(now + timedelta(days=2)).date(),
    )
    message = MentorshipMessage(mentorship=mentorship, author=mentee, body=ATTACK_LINK)
    context = {
        "mentee": mentee,
        "mentor": mentee,
        "author": mentee,
        "other": mentee,
        "actor": mentee,
        "request": request,
        "mentorship": mentorship,
        "message": message,
        "program": program,
        "role": "mentee",
    }

    with sent():
        send_mentorship_mail(to=mentor, kind=kind, context=context)

    (received,) = mailbox.wait_for(1)
    text, _ = parts(received)
    assert ATTACK_LINK in text or PIXEL in text
    for value in (ATTACK_LINK, PIXEL, FORMULA):
        if value in text:
            assert_carried_as_text(value, received)
    assert "\n" not in received["Subject"]
    assert received["Auto-Submitted"] == "auto-generated"


def test_display_names_and_program_names_are_kept_to_one_line(mentor, mentee) -> None:
    from hemonc.members.enums import Role
    from hemonc.members.forms import ProfileForm, SignupForm
    from hemonc.members.services import member_set_role, profile_update
    from hemonc.mentorship.forms import ProgramForm, SpeedEventForm

    profile = profile_update(
        profile=mentee.profile, actor=mentee, display_name="Ana\r\nBcc: x@example.org"
    )
    assert profile.display_name == "Ana Bcc: x@example.org"
    signup = SignupForm(data={"display_name": "Ana\nLopez"})
    assert signup.is_valid() and signup.cleaned_data["display_name"] == "Ana Lopez"
    form = ProfileForm(data={"display_name": "Ana\u2028Lopez", "institution": "A\tB"})
    form.is_valid()
    assert (form.cleaned_data["display_name"], form.cleaned_data["institution"]) == (
        "Ana Lopez",
        "A B",
    )
    for form_class, field in ((ProgramForm, "name"), (SpeedEventForm, "title")):
        program_form = form_class(data={field: "Spring\r\n2026"})
        program_form.is_valid()
        assert program_form.cleaned_data[field] == "Spring 2026"

    member_set_role(user=mentor, role=Role.ORGANIZER, enabled=True, actor=None)
    now = timezone.now()
    program = services.program_create(
        actor=mentor,
        name="Spring\n2026",
        applications_open_at=now,
        applications_close_at=now + timedelta(days=1),
        matching_date=(now + timedelta(days=2)).date(),
    )
    assert program.name == "Spring 2026"
