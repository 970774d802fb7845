"""The code of conduct: versions, acceptance at sign-up and again when it changes, and the
posting it holds back until then."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hemonc.core.errors import DomainError, PermissionDenied
from hemonc.core.models import AuditEntry
from hemonc.events.models import Question
from hemonc.events.services import season_create, session_create
from hemonc.members.enums import Role
from hemonc.members.models import User
from hemonc.moderation import services
from hemonc.moderation.models import Case, ConductAcceptance, ConductVersion
from hemonc.moderation.selectors import conduct_current, conduct_pending_for
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer():
    return make_member(display_name="Olu Organizer", role=Role.ORGANIZER)


def _publish(organizer, body="## Be kind\n\nNo patient data.", changes=""):
    draft = services.conduct_draft_create(actor=organizer, body=body, changes=changes)
    return services.conduct_publish(version=draft, actor=organizer)


def test_only_organizers_write_and_publish_versions(member, organizer):
    with pytest.raises(PermissionDenied):
        services.conduct_draft_create(actor=member, body="Mine")
    draft = services.conduct_draft_create(actor=organizer, body="Be kind.")
    with pytest.raises(PermissionDenied):
        services.conduct_publish(version=draft, actor=member)
    assert draft.number == 1 and not draft.is_published


def test_a_published_version_is_never_edited(organizer):
    version = _publish(organizer)
    with pytest.raises(DomainError, match="write a new one"):
        services.conduct_draft_update(version=version, actor=organizer, body="Changed")
    with pytest.raises(DomainError, match="already published"):
        services.conduct_publish(version=version, actor=organizer)
    assert ConductVersion.objects.get(pk=version.pk).body.startswith("## Be kind")


def test_an_empty_draft_cannot_be_published(organizer):
    draft = services.conduct_draft_create(actor=organizer, body="   ")
    with pytest.raises(DomainError, match="empty"):
        services.conduct_publish(version=draft, actor=organizer)


def test_publishing_a_new_version_asks_everyone_again(member, organizer):
    first = _publish(organizer)
    services.conduct_accept(user=member, version=first)
    assert not conduct_pending_for(member)
    second = _publish(organizer, body="## Be kind\n\nAnd fair.", changes="Fairness")
    assert conduct_current() == second
    assert conduct_pending_for(member)
    # The organizer who published it accepted it by doing so.
    assert not conduct_pending_for(organizer)
    with pytest.raises(DomainError, match="replaced"):
        services.conduct_accept(user=member, version=first)
    services.conduct_accept(user=member, version=second)
    services.conduct_accept(user=member, version=second)  # twice changes nothing
    assert ConductAcceptance.objects.filter(user=member, version=second).count() == 1
    assert AuditEntry.objects.filter(action="conduct.accept", actor=member).count() == 2


def test_with_no_code_nothing_waits(member):
    assert not conduct_pending_for(member)


def test_every_page_asks_in_one_query_without_reading_the_code(member, organizer):
    services.conduct_accept(user=member, version=_publish(organizer, body="Be kind. " * 5000))
    _publish(organizer, body="Be fair. " * 5000, changes="Fairness")
    with CaptureQueriesContext(connection) as asked:
        assert conduct_pending_for(member)
    [query] = asked.captured_queries
    assert "body" not in query["sql"]


def test_sign_up_asks_to_accept_the_current_version(client, organizer):
    version = _publish(organizer)
    form = {
        "email": "nia@example.org",
        "display_name": "Nia Mensah",
        "password1": "a-long-unusual-passphrase",
        "password2": "a-long-unusual-passphrase",
    }
    refused = client.post(reverse("account_signup"), form)
    assert refused.status_code == 200
    assert "Accept the code of conduct to join." in refused.content.decode()
    assert not User.objects.filter(email="nia@example.org").exists()
    assert (
        client.post(reverse("account_signup"), form | {"accept_conduct": "on"}).status_code == 302
    )
    user = User.objects.get(email="nia@example.org")
    assert ConductAcceptance.objects.filter(user=user, version=version).exists()


def test_sign_up_without_a_code_has_no_checkbox(client):
    page = client.get(reverse("account_signup")).content.decode()
    assert "accept_conduct" not in page


def test_posting_waits_for_the_new_version_and_says_why(client, member, organizer, other_member):
    now = timezone.now()
    season = season_create(
        actor=organizer, name="S", starts_on=now.date(), ends_on=(now + timedelta(days=9)).date()
    )
    session = session_create(
        actor=organizer, title="Myeloma", starts_at=now + timedelta(minutes=5), season=season
    )
    version = _publish(organizer, changes="A section on hierarchy")
    client.force_login(member)
    page = client.get(reverse("home")).content.decode()
    assert "The code of conduct has a new version." in page

    ask = reverse("events:questions", args=[session.pk])
    held = client.post(ask, {"text": "What about MRD?"}, HTTP_REFERER=session.get_absolute_url())
    assert held.status_code == 302
    assert held["Location"].startswith(reverse("moderation:conduct") + "?next=")
    assert not Question.objects.exists()
    conduct_page = client.get(held["Location"]).content.decode()
    assert "Accept the code of conduct first" in conduct_page
    assert "What changed: A section on hierarchy" in conduct_page

    # Blocking someone is never held back.
    blocked = client.post(reverse("members:block", args=[other_member.pk]))
    assert blocked.status_code == 302 and "conduct" not in blocked["Location"]

    accepted = client.post(
        reverse("moderation:conduct_accept"),
        {"version": version.pk, "next": session.get_absolute_url()},
    )
    assert accepted["Location"] == session.get_absolute_url()
    client.post(ask, {"text": "What about MRD?"})
    assert Question.objects.count() == 1
    assert "The code of conduct has a new version." not in client.get("/").content.decode()


def test_an_htmx_post_is_sent_to_the_code(client, member, organizer):
    _publish(organizer)
    client.force_login(member)
    response = client.post(reverse("mentorship:offer"), {"capacity": 2}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("moderation:conduct"))


def test_accepting_a_version_replaced_meanwhile_asks_to_read_again(client, member, organizer):
    first = _publish(organizer)
    _publish(organizer, body="New text")
    client.force_login(member)
    response = client.post(reverse("moderation:conduct_accept"), {"version": first.pk}, follow=True)
    assert "changed while you read it" in response.content.decode()
    assert conduct_pending_for(member)


def test_the_accept_form_never_redirects_off_site(client, member, organizer):
    version = _publish(organizer)
    client.force_login(member)
    response = client.post(
        reverse("moderation:conduct_accept"),
        {"version": version.pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("home")


def test_organizers_write_preview_and_publish_through_the_pages(client, organizer):
    client.force_login(organizer)
    body = "## Respect\n\n<script>alert(1)</script> Be <b>kind</b>."
    created = client.post(reverse("moderation:conduct_new"), {"body": body, "changes": "First"})
    version = ConductVersion.objects.get()
    assert created["Location"] == reverse("moderation:conduct_edit", args=[version.pk])
    preview = client.get(created["Location"]).content.decode()
    assert "<h2>Respect</h2>" in preview and "<script>alert(1)</script>" not in preview
    client.post(reverse("moderation:conduct_publish", args=[version.pk]))
    listing = client.get(reverse("moderation:conduct_versions")).content.decode()
    assert "In force since" in listing and "1 member" in listing
    assert client.get(reverse("moderation:conduct_edit", args=[version.pk])).status_code == 404
    public = client.get(reverse("moderation:conduct_version", args=[1]))
    assert public.status_code == 200


def test_drafts_are_not_public(client, organizer):
    services.conduct_draft_create(actor=organizer, body="Draft text")
    assert client.get(reverse("moderation:conduct_version", args=[1])).status_code == 404
    assert "Draft text" not in client.get(reverse("moderation:conduct")).content.decode()


def test_the_demo_has_the_code_cases_and_a_suspended_member(demo_network):
    assert ConductVersion.objects.filter(published_at__isnull=False).count() == 2
    member = User.objects.get(email="member@demo.hemonc.example")
    assert not conduct_pending_for(member)
    assert Case.objects.filter(status="open").count() == 2
    patient = Case.objects.get(patient_data=True)
    assert Question.objects.get(pk=patient.item_id).is_hidden
    assert set(Case.objects.exclude(status="open").values_list("outcome", flat=True)) == {
        "suspended",
        "hidden",
        "dismissed",
    }
    suspended = User.objects.get(cases_about__outcome="suspended")
    assert suspended.is_suspended
    assert AuditEntry.objects.filter(action="case.suspended").exists()


def test_the_demo_has_a_new_member_whose_first_reply_waits(demo_network):
    from io import StringIO

    from hemonc.community.models import Reply
    from hemonc.moderation.demo import NEWCOMER_EMAIL, demo_new_account_create

    waiting = Reply.objects.filter(review_state="waiting")
    assert [reply.author.email for reply in waiting] == [NEWCOMER_EMAIL]
    assert "Synthetic demo profile" in waiting.get().author.profile.bio
    demo_new_account_create(stdout=StringIO())  # a second run adds nothing
    assert waiting.count() == 1
    # Everything else the demo's members wrote is published.
    assert not Reply.objects.exclude(review_state__isnull=True).exclude(pk=waiting.get().pk)


def test_taking_part_too_often_gets_a_clear_page(client, member, settings):
    from hemonc.moderation.middleware import TAKING_PART_LIMIT

    client.force_login(member)
    url = reverse("mentorship:offer")
    for _ in range(TAKING_PART_LIMIT.count):
        assert client.post(url, {"capacity": 2}).status_code != 429
    refused = client.post(url, {"capacity": 2})
    assert refused.status_code == 429
    assert "Wait five minutes" in refused.content.decode()
    htmx = client.post(url, {"capacity": 2}, HTTP_HX_REQUEST="true")
    assert htmx["HX-Refresh"] == "true"
    assert "Wait five minutes" in client.get(reverse("home")).content.decode()


def test_the_limit_holds_across_two_processes_sharing_redis(tmp_path):
    """Two processes on one Redis: a limit of one lets only one of them through."""
    import os
    import subprocess
    import sys
    import uuid

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        {"DJANGO_DEBUG": "true", "HEMONC_VAR_DIR": str(tmp_path),
         "CACHE_URL": "redis://127.0.0.1:6379/15"}
    )  # fmt: skip
    key = uuid.uuid4().hex
    take = (
        "from hemonc.core.ratelimit import Limit, limit_take;"
        f"print('allowed' if limit_take(Limit(name='t', count=1, seconds=60), {key!r})"
        " else 'refused')"
    )

    def run() -> str:
        done = subprocess.run(
            [sys.executable, "-m", "hemonc", "shell", "-v", "0", "-c", take],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert [run(), run()] == ["allowed", "refused"]
