"""Discussions and replies are reported, hidden, edited and restored like every other item."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hemonc.community.models import Reply
from hemonc.community.services import spaces as space_services
from hemonc.members.enums import Role
from hemonc.moderation import services
from hemonc.moderation.models import Case, Outcome, Reason
from tests.factories import make_member

pytestmark = pytest.mark.django_db

IDENTIFIER = "Mrs. Alvarez, DOB 3/14/1961, relapsed after R-CHOP x6."


@pytest.fixture
def reply(member, other_member):
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    space = space_services.space_create(actor=organizer, slug="general", name="General")
    discussion = space_services.discussion_create(
        actor=member, space=space, title="CAR-T after R-CHOP?", body="When do you refer?"
    )
    return space_services.reply_create(
        actor=other_member, discussion=discussion, body=IDENTIFIER, phi_attested=True
    )


def test_a_reply_reported_for_patient_data_disappears_then_comes_back_edited(
    client, reply, member, dummy_tasks
):
    moderator = make_member(display_name="Mo Moderator", role=Role.MODERATOR)
    url = reply.discussion.get_absolute_url()
    client.force_login(member)
    assert "Mrs. Alvarez" in client.get(url).content.decode()
    report = reverse("moderation:report", args=["community.reply", reply.pk])
    assert client.get(url).content.decode().count(report) == 1
    client.post(report, {"reason": Reason.PATIENT_DATA})
    assert "Mrs. Alvarez" not in client.get(url).content.decode()

    case = Case.objects.get()
    services.case_decide(
        case=case,
        actor=moderator,
        outcome=Outcome.REDACTED,
        reason="A name and a date of birth.",
        text="A patient relapsed after R-CHOP x6.",
    )
    page = client.get(url).content.decode()
    assert "A patient relapsed after R-CHOP x6." in page and "Mrs. Alvarez" not in page
    assert Reply.objects.get(pk=reply.pk).body_html.startswith("<p>A patient")
    mine = client.get(reverse("moderation:my_reports")).content.decode()
    assert "Reviewed: the item was edited" in mine


def test_a_discussion_can_be_reported_and_hidden(client, reply, other_member):
    moderator = make_member(display_name="Mo Moderator", role=Role.MODERATOR)
    discussion = reply.discussion
    services.report_create(
        reporter=other_member,
        item_type="community.discussion",
        item_id=str(discussion.pk),
        reason=Reason.SPAM,
    )
    case = Case.objects.get()
    client.force_login(moderator)
    detail = client.get(reverse("moderation:case", args=[case.pk])).content.decode()
    assert "When do you refer?" in detail
    services.case_decide(case=case, actor=moderator, outcome=Outcome.HIDDEN, reason="Spam")
    client.force_login(other_member)
    assert client.get(discussion.get_absolute_url()).status_code == 404
