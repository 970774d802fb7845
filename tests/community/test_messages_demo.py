"""The demo's conversations: coherent with the demo sign-ins."""

from __future__ import annotations

import pytest
from django.test import Client

from hemonc.community import selectors_messages as selectors
from hemonc.community.models import DigestSubscription
from hemonc.members.models import User


@pytest.mark.django_db
def test_the_demo_member_has_conversations_a_request_and_an_ended_one(demo_network):
    member = User.objects.get(email="member@demo.hemonc.example")
    lines = selectors.conversation_lines(user=member)
    assert len(lines) >= 3
    assert any(line.ended for line in lines)  # the fellow the member blocked
    assert len(selectors.conversation_lines(user=member, status="requested")) == 1
    assert selectors.unread_total(user=member) >= 1
    assert DigestSubscription.objects.get(user=member).weekly
    # The attending's conversation with the member is theirs; the organizer reads no other.
    attending = User.objects.get(email="attending@demo.hemonc.example")
    conversation = selectors.conversation_direct_with(user=member, other=attending)
    client = Client()
    client.force_login(User.objects.get(email="organizer@demo.hemonc.example"))
    assert client.get(conversation.get_absolute_url()).status_code == 404
    client.force_login(member)
    page = client.get(conversation.get_absolute_url()).content.decode()
    assert "Synthetic demo message" in page
