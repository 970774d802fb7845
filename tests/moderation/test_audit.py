"""One audit list for moderators and organizers: filters, the CSV, and nothing to change."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hemonc.core.audit import audit
from hemonc.core.models import AuditEntry
from hemonc.core.permissions import OPERATOR
from hemonc.members.enums import Role
from hemonc.members.services import member_set_role
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    return make_member(display_name="Mo Moderator", role=Role.MODERATOR)


def _listed(response) -> list[str]:
    """The actions in the page's table (not its filter's choices)."""
    return re.findall(r'<th scope="row" class="action">([^<]+)</th>', response.content.decode())


def _rows(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))


def test_role_changes_and_data_downloads_are_in_the_list(client, member, moderator):
    member_set_role(user=member, role=Role.MODERATOR, enabled=True, actor=OPERATOR)
    client.force_login(member)
    assert client.get(reverse("members:data_export")).status_code == 200
    client.force_login(moderator)
    page = client.get(reverse("moderation:audit"), {"person": member.pk})
    assert {"member.role_grant", "member.data_export"} <= set(_listed(page))
    assert "Ana Lopez" in page.content.decode()


def test_filters_by_action_area_item_and_days(client, member, other_member, moderator):
    audit(actor=member, action="conduct.accept", target=other_member)
    old = audit(actor=member, action="question.hide", target=other_member)
    AuditEntry.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    client.force_login(moderator)
    url = reverse("moderation:audit")

    assert _listed(client.get(url, {"action": "conduct."})) == ["conduct.accept"]
    item = {"target_type": "members.user", "target_id": str(other_member.pk)}
    assert "question.hide" in _listed(client.get(url, item))
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    recent = _listed(client.get(url, {"since": since, "person": member.pk}))
    assert "conduct.accept" in recent and "question.hide" not in recent


def test_bad_filters_answer_400_with_the_reason(client, moderator):
    client.force_login(moderator)
    url = reverse("moderation:audit")
    response = client.get(url, {"since": "2026-05-02", "until": "2026-05-01"})
    assert response.status_code == 400
    assert "The end comes before the start." in response.content.decode()
    response = client.get(url, {"target_id": "7"})
    assert "Choose the kind of item" in response.content.decode()
    assert client.get(url, {"person": "99999999999999999999999"}).status_code == 400
    assert client.get(url, {"page": "x" * 5000}).status_code == 200


def test_the_csv_holds_what_the_filters_find_and_is_spreadsheet_safe(client, member, moderator):
    audit(actor=member, action="conduct.accept", changes={"note": "=HYPERLINK(1)\nx"})
    audit(actor=member, action="question.hide")
    client.force_login(moderator)
    response = client.get(reverse("moderation:audit_export"), {"action": "conduct.accept"})
    rows = _rows(response)
    assert [row["action"] for row in rows] == ["conduct.accept"]
    assert rows[0]["actor"] == "Ana Lopez"
    assert not rows[0]["changes"].startswith("=")
    assert "attachment;" in response["Content-Disposition"]


def test_only_moderators_and_organizers_read_it(client, member):
    client.force_login(member)
    assert client.get(reverse("moderation:audit")).status_code == 403
    assert client.get(reverse("moderation:audit_export")).status_code == 403


def test_nothing_in_it_can_be_changed_from_the_site(client):
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    entry = AuditEntry.objects.latest("id")
    client.force_login(organizer)
    change = reverse("admin:core_auditentry_change", args=[entry.pk])
    delete = reverse("admin:core_auditentry_delete", args=[entry.pk])
    client.post(change, {"action": "forged"})
    client.post(delete, {"post": "yes"})
    assert AuditEntry.objects.get(pk=entry.pk).action == entry.action
