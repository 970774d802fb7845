"""The newsletter's pages as readers and organizers use them."""

from __future__ import annotations

import base64
import json
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
import time_machine
from django.core import mail as django_mail
from django.urls import reverse
from django.utils import timezone

from hemonc.core.models import AuditEntry
from hemonc.core.permissions import OPERATOR
from hemonc.events.models import LiveSession
from hemonc.members.enums import Role
from hemonc.newsletter import services
from hemonc.newsletter.mail import subscriber_token
from hemonc.newsletter.models import Issue, Subscriber
from tests.factories import make_member
from tests.newsletter.conftest import make_subscriber

SIGNUP = {
    "email": "  Rosa.Diaz@Example.org ",
    "name": "Rosa Diaz",
    "stage": "resident",
    "specialty": "internal_medicine",
    "country": "MX",
    "institution": "Hospital del Valle",
    "gender": "female",
    "consent": "on",
}


def _link(message: Any) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return urlsplit(re.search(r"https?://\S+/newsletter/confirm/\S+/", text).group(0)).path


@pytest.mark.django_db
def test_double_opt_in_subscribes_only_after_the_mailed_link(
    client: Any, mailbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("newsletter:home"), SIGNUP, REMOTE_ADDR="198.51.100.4")
    subscriber = Subscriber.objects.get()
    assert response.url == reverse("newsletter:check_inbox")
    assert (subscriber.email, subscriber.status) == ("rosa.diaz@example.org", "pending")
    confirm_path = _link(mailbox.wait_for(1)[0])

    page = client.get(confirm_path)
    assert "Confirm" in page.content.decode()
    assert Subscriber.objects.get().status == "pending"  # a link scanner's GET does nothing
    client.post(confirm_path, REMOTE_ADDR="198.51.100.9")

    subscriber.refresh_from_db()
    assert subscriber.status == "subscribed"
    assert (subscriber.stage, subscriber.country, subscriber.gender) == ("resident", "MX", "female")
    assert subscriber.consent_text.version == 1
    assert subscriber.consent_ip == "198.51.100.9"
    assert subscriber.consent_source == "signup"


@pytest.mark.django_db
def test_confirmation_link_expires(client: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("newsletter:home"), SIGNUP)
    path = _link(django_mail.outbox[0].message())

    with time_machine.travel(timezone.now() + timedelta(days=8)):
        page = client.post(path)

    assert "expired" in page.content.decode()
    assert Subscriber.objects.get().status == "pending"


@pytest.mark.django_db
def test_signup_without_consent_shows_the_error(client: Any) -> None:
    response = client.post(reverse("newsletter:home"), {**SIGNUP, "consent": ""})

    assert "Please agree to the terms" in response.content.decode()
    assert Subscriber.objects.count() == 0


@pytest.mark.django_db
def test_someone_who_left_is_back_only_by_confirming_anew(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_subscriber("rosa.diaz@example.org", status="unsubscribed")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("newsletter:home"), SIGNUP)
    assert Subscriber.objects.get().status == "unsubscribed"
    client.post(_link(django_mail.outbox[0].message()))

    assert Subscriber.objects.get().status == "subscribed"


@pytest.mark.django_db
def test_preferences_change_details_and_unsubscribe(client: Any) -> None:
    subscriber = make_subscriber("sam@example.org", stage="fellow")
    path = reverse("newsletter:preferences", args=[subscriber_token(subscriber.pk)])

    client.post(path, {"stage": "attending", "country": "CA", "gender": "", "name": "Sam"})
    client.post(reverse("newsletter:unsubscribe", args=[subscriber_token(subscriber.pk)]))

    subscriber.refresh_from_db()
    assert (subscriber.stage, subscriber.country, subscriber.name) == ("attending", "CA", "Sam")
    assert subscriber.status == "unsubscribed"


@pytest.mark.django_db
def test_forged_preference_link_is_not_found(client: Any) -> None:
    subscriber = make_subscriber("sam@example.org")

    response = client.get(reverse("newsletter:preferences", args=[f"{subscriber.pk}:forged"]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_member_subscribes_in_one_click(client: Any) -> None:
    member = make_member(display_name="Tariq Nasser", stage="fellow", country="EG")
    client.force_login(member)

    client.post(reverse("newsletter:subscribe_member"))

    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.status, subscriber.user) == (
        member.email,
        "subscribed",
        member,
    )
    assert (subscriber.stage, subscriber.country, subscriber.consent_source) == (
        "fellow",
        "EG",
        "profile",
    )


@pytest.mark.django_db
def test_demographics_page_is_for_organizers_with_chart_and_exact_counts(client: Any) -> None:
    for number in range(3):
        make_subscriber(f"f{number}@example.org", stage="fellow", country="US", gender="male")
    make_subscriber("r@example.org", stage="resident", country="BR", gender="female")
    client.force_login(make_member(display_name="Just Member"))
    assert client.get(reverse("newsletter:demographics")).status_code == 403

    client.force_login(make_member(display_name="Org", role=Role.ORGANIZER))
    page = client.get(reverse("newsletter:demographics")).content.decode()

    assert '<svg class="bar-chart" role="img"' in page
    assert "Fellow: 3 (75%)" in page  # the chart's description
    assert '<td class="number">3</td>' in page and "75.0%" in page


@pytest.mark.django_db
def test_public_page_shows_small_groups_as_less_than_five(client: Any) -> None:
    make_subscriber("a@example.org", country="US")
    make_subscriber("b@example.org", country="FR")

    page = client.get(reverse("newsletter:home")).content.decode()

    assert "Read by &lt;5 subscribers in &lt;5 countries" in page


@pytest.mark.django_db
def test_archive_and_atom_feed_list_sent_issues_only(client: Any) -> None:
    sent = services.issue_create(
        subject="October: ASH abstracts", body="All **news**.", actor=OPERATOR
    )
    Issue.objects.filter(pk=sent.pk).update(status="sent", sent_at=timezone.now())
    services.issue_create(subject="Draft in progress", body="Not yet.", actor=OPERATOR)

    archive = client.get(reverse("newsletter:archive")).content.decode()
    issue_page = client.get(reverse("newsletter:archive_issue", args=[sent.pk])).content.decode()
    feed = client.get(reverse("newsletter:feed")).content.decode()

    assert "October: ASH abstracts" in archive and "Draft in progress" not in archive
    assert "<strong>news</strong>" in issue_page
    assert "<title>October: ASH abstracts</title>" in feed and "Draft" not in feed


ATOM = "{http://www.w3.org/2005/Atom}"


def _sent_issue(subject: str) -> Issue:
    issue = services.issue_create(subject=subject, body="# Headline\n\nNews.", actor=OPERATOR)
    Issue.objects.filter(pk=issue.pk).update(
        status="sent", sent_at=timezone.now(), finished_at=timezone.now()
    )
    return issue


@pytest.mark.django_db
def test_atom_feed_names_its_author_as_rfc_4287_requires(client: Any) -> None:
    _sent_issue("October: ASH abstracts")

    body = client.get(reverse("newsletter:feed")).content
    feed = ElementTree.fromstring(body)  # noqa: S314 (our own feed)

    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Hem-Onc Network"
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "October: ASH abstracts"
    assert feed.findtext(f"{ATOM}updated") and entry.findtext(f"{ATOM}updated")


@pytest.mark.django_db
def test_atom_feed_answers_304_until_an_issue_is_sent(client: Any, time_machine: Any) -> None:
    time_machine.move_to(timezone.now().replace(microsecond=0))
    _sent_issue("October")
    url = reverse("newsletter:feed")
    first = client.get(url)

    def revalidated() -> tuple[int, int]:
        by_etag = client.get(url, headers={"If-None-Match": first["ETag"]})
        by_date = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
        return by_etag.status_code, by_date.status_code

    unchanged = revalidated()
    time_machine.shift(timedelta(days=30))
    _sent_issue("November")

    assert unchanged == (304, 304)
    assert revalidated() == (200, 200)
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).content.count(b"<entry>") == 2


@pytest.mark.django_db
@pytest.mark.parametrize("issue_id", [99999999999999999999, 2**63])
def test_click_link_with_an_id_no_database_holds_is_not_found(client: Any, issue_id: int) -> None:
    response = client.get(reverse("newsletter:click", args=[issue_id, 1]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_organizer_composes_previews_and_sends_a_test(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    organizer = make_member(display_name="Org", role=Role.ORGANIZER)
    client.force_login(organizer)

    preview = client.post(
        reverse("newsletter:issue_preview"),
        {"subject": "Hi", "body": "**Bold** news"},
        headers={"HX-Request": "true"},
    ).content.decode()
    mail_url = re.search(r'<iframe[^>]*src="([^"]+)"', preview).group(1)  # type: ignore[union-attr]
    framed = client.get(mail_url.replace("&amp;", "&"))
    response = client.post(
        reverse("newsletter:issue_new"),
        {"subject": "November", "body": "**Bold** news", "stage": "fellow", "country": "US"},
    )
    issue = Issue.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("newsletter:issue_test", args=[issue.pk]))

    assert "**Bold** news" in preview  # the plain-text part
    assert "<strong>Bold</strong>" in framed.content.decode()  # the HTML part, framed
    assert "style-src 'unsafe-inline'" in framed["Content-Security-Policy"]
    assert "srcdoc" not in preview
    assert response.url == reverse("newsletter:issue_detail", args=[issue.pk])
    assert issue.segment == {"stage": "fellow", "country": "US"}
    assert [m.subject for m in django_mail.outbox] == ["[Test] November"]
    assert Subscriber.objects.count() == 0


@pytest.mark.django_db
def test_organizer_sends_a_clean_issue_without_any_attestation(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(make_member(display_name="Org", role=Role.ORGANIZER))
    make_subscriber("reader@example.org")
    issue = services.issue_create(subject="November", body="News", actor=OPERATOR)

    page = client.get(reverse("newsletter:issue_detail", args=[issue.pk])).content.decode()
    assert "patient identifiers" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("newsletter:issue_send", args=[issue.pk]))

    issue.refresh_from_db()
    assert issue.status == "sent"  # the immediate test backend sent it at once
    assert [m.to for m in django_mail.outbox] == [["reader@example.org"]]


@pytest.mark.django_db
def test_bad_segment_shows_an_error_not_a_crash(client: Any) -> None:
    client.force_login(make_member(display_name="Org", role=Role.ORGANIZER))

    response = client.post(
        reverse("newsletter:issue_new"), {"subject": "S", "body": "B", "attended": "0"}
    )

    assert response.status_code == 200
    assert Issue.objects.count() == 0


def _postmark(client: Any, payload: dict[str, Any]) -> Any:
    auth = base64.b64encode(b"hook:secret").decode()
    return client.post(
        "/newsletter/webhooks/postmark/tracking/",
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


@pytest.mark.django_db
def test_provider_webhooks_mark_bounces_and_complaints(client: Any, settings: Any) -> None:
    settings.ANYMAIL = {"WEBHOOK_SECRET": ["hook:secret"]}
    make_subscriber("hard@example.org")
    make_subscriber("angry@example.org")

    _postmark(
        client,
        {"RecordType": "Bounce", "Type": "HardBounce", "ID": 1, "Email": "Hard@example.org",
         "BouncedAt": "2026-11-01T10:00:00Z", "Description": "Mailbox does not exist"},
    )  # fmt: skip
    _postmark(
        client,
        {"RecordType": "SpamComplaint", "Type": "SpamComplaint", "ID": 2,
         "Email": "angry@example.org", "BouncedAt": "2026-11-01T10:00:00Z"},
    )  # fmt: skip

    statuses = dict(Subscriber.objects.values_list("email", "status"))
    assert statuses == {"hard@example.org": "bounced", "angry@example.org": "complained"}


@pytest.mark.django_db
def test_webhook_without_the_secret_changes_nothing(client: Any, settings: Any) -> None:
    settings.ANYMAIL = {"WEBHOOK_SECRET": ["hook:other"]}
    make_subscriber("hard@example.org")

    response = _postmark(
        client, {"RecordType": "Bounce", "Type": "HardBounce", "ID": 1, "Email": "hard@example.org"}
    )

    assert response.status_code == 400
    assert Subscriber.objects.get().status == "subscribed"


@pytest.mark.django_db
def test_repeated_signups_for_one_address_mail_it_once_per_ten_minutes(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    now = timezone.now()
    with (
        time_machine.travel(now, tick=False),  # within one window of the limit
        django_capture_on_commit_callbacks(execute=True),
    ):
        responses = [client.post(reverse("newsletter:home"), SIGNUP) for _ in range(20)]
        other = client.post(reverse("newsletter:home"), {**SIGNUP, "email": "ben@example.org"})

    # Every sign-up sees the same page, so the form tells nobody whether a mail went out.
    assert {r.url for r in [*responses, other]} == {reverse("newsletter:check_inbox")}
    assert [m.to for m in django_mail.outbox] == [["rosa.diaz@example.org"], ["ben@example.org"]]

    later = now + timedelta(minutes=11)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("newsletter:home"), SIGNUP)
    assert len(django_mail.outbox) == 3


@pytest.mark.django_db
def test_provider_webhooks_are_not_there_without_a_secret(client: Any, settings: Any) -> None:
    settings.ANYMAIL = {"WEBHOOK_SECRET": []}
    make_subscriber("hard@example.org")

    response = _postmark(
        client, {"RecordType": "Bounce", "Type": "HardBounce", "ID": 1, "Email": "hard@example.org"}
    )

    assert response.status_code == 404
    assert Subscriber.objects.get().status == "subscribed"


@pytest.mark.django_db
def test_provider_webhooks_take_posts_only_and_no_inbound_mail(client: Any, settings: Any) -> None:
    settings.ANYMAIL = {"WEBHOOK_SECRET": ["hook:secret"]}

    assert client.get("/newsletter/webhooks/postmark/tracking/").status_code == 405
    assert client.post("/newsletter/webhooks/postmark/inbound/").status_code == 404
    # A provider whose package is not installed (Amazon SES needs boto3) is not there.
    assert client.post("/newsletter/webhooks/amazon_ses/tracking/", "{}",
                       content_type="application/json").status_code == 404  # fmt: skip


@pytest.mark.django_db
def test_check_inbox_and_unsubscribe_pages_ask_before_acting(client: Any) -> None:
    subscriber = make_subscriber("sam@example.org")

    inbox = client.get(reverse("newsletter:check_inbox"))
    page = client.get(reverse("newsletter:unsubscribe", args=[subscriber_token(subscriber.pk)]))

    assert inbox.status_code == 200 and page.status_code == 200
    assert "sam@example.org" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == "subscribed"  # a GET (a mail scanner) unsubscribes nobody


@pytest.mark.django_db
def test_preferences_with_a_bad_choice_show_the_error_and_keep_the_details(client: Any) -> None:
    subscriber = make_subscriber("sam@example.org", stage="fellow")
    path = reverse("newsletter:preferences", args=[subscriber_token(subscriber.pk)])

    response = client.post(path, {"stage": "astronaut", "name": "Sam"})

    assert "Please correct the fields marked below." in response.content.decode()
    subscriber.refresh_from_db()
    assert (subscriber.stage, subscriber.name) == ("fellow", "")


@pytest.mark.django_db
def test_open_pixel_and_tracked_link_count_engagement(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_subscriber("reader@example.org")
    issue = services.issue_create(
        subject="November",
        body="See [the schedule](https://example.org/ash).",
        count_engagement=True,
        actor=OPERATOR,
        phi_attested=True,
    )
    issue.phi_attested_at = timezone.now()
    issue.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_start_sending(issue=issue, actor=OPERATOR)

    pixel = client.get(reverse("newsletter:open_pixel", args=[issue.pk]))
    link = client.get(reverse("newsletter:click", args=[issue.pk, 1]))
    missing = client.get(reverse("newsletter:click", args=[issue.pk, 2]))

    assert (pixel["Content-Type"], pixel["Cache-Control"]) == ("image/gif", "no-store")
    assert link.status_code == 302 and link.url == "https://example.org/ash"
    assert missing.status_code == 404
    issue.refresh_from_db()
    assert issue.opens == 1
    assert list(issue.links.values_list("url", "clicks")) == [("https://example.org/ash", 1)]


@pytest.mark.django_db
def test_organizer_edits_a_draft_but_not_a_sent_issue(client: Any) -> None:
    client.force_login(make_member(display_name="Org", role=Role.ORGANIZER))
    issue = services.issue_create(subject="November", body="News", actor=OPERATOR)
    edit = reverse("newsletter:issue_edit", args=[issue.pk])

    form = client.get(edit).content.decode()
    invalid = client.post(edit, {"subject": "", "body": "News"}).content.decode()
    client.post(edit, {"subject": "December", "body": "Winter news", "country": "CA"})
    manage = client.get(reverse("newsletter:manage")).content.decode()

    assert 'value="November"' in form
    assert "Please correct the fields marked below." in invalid
    issue.refresh_from_db()
    assert (issue.subject, issue.body, issue.segment) == (
        "December",
        "Winter news",
        {"country": "CA"},
    )
    assert "December" in manage
    Issue.objects.filter(pk=issue.pk).update(status="sent")
    assert client.get(edit).url == reverse("newsletter:issue_detail", args=[issue.pk])


@pytest.mark.django_db
def test_issue_page_names_an_audience_it_cannot_count(client: Any) -> None:
    client.force_login(make_member(display_name="Org", role=Role.ORGANIZER))
    issue = services.issue_create(subject="November", body="News", actor=OPERATOR)
    Issue.objects.filter(pk=issue.pk).update(segment={"attended": "999999"})

    response = client.get(reverse("newsletter:issue_detail", args=[issue.pk]))

    assert response.status_code == 200
    assert "no such session" in response.content.decode()


@pytest.mark.django_db
def test_test_send_goes_to_the_organizers_own_address_only(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    organizer = make_member(display_name="Org", role=Role.ORGANIZER)
    client.force_login(organizer)
    issue = services.issue_create(subject="November", body="News", actor=OPERATOR)

    page = client.get(reverse("newsletter:issue_detail", args=[issue.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            reverse("newsletter:issue_test", args=[issue.pk]),
            {"email": "someone-else@example.org"},
            follow=True,
        )

    assert 'name="email"' not in page  # nobody types an address
    assert f"A test is on its way to {organizer.email}." in sent.content.decode()
    assert [m.to for m in django_mail.outbox] == [[organizer.email]]


@pytest.mark.django_db
def test_organizer_schedules_unschedules_and_cannot_resend(client: Any, dummy_tasks: Any) -> None:
    client.force_login(make_member(display_name="Org", role=Role.ORGANIZER))
    issue = services.issue_create(subject="November", body="News", actor=OPERATOR)
    send = reverse("newsletter:issue_send", args=[issue.pk])
    unschedule = reverse("newsletter:issue_unschedule", args=[issue.pk])
    later = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")

    scheduled = client.post(send, {"send_at": later}, follow=True)
    issue.refresh_from_db()
    assert "The issue is scheduled." in scheduled.content.decode()
    assert issue.status == "scheduled"

    back = client.post(unschedule, follow=True).content.decode()
    again = client.post(unschedule, follow=True).content.decode()
    assert "The issue is back to draft." in back
    assert "This issue is not scheduled." in again

    Issue.objects.filter(pk=issue.pk).update(status="sending")
    refused = client.post(send, follow=True).content.decode()
    assert "This issue is already being sent." in refused


@pytest.mark.django_db
def test_provider_webhook_delivery_and_open_events_change_no_subscriber(
    client: Any, settings: Any
) -> None:
    settings.ANYMAIL = {"WEBHOOK_SECRET": ["hook:secret"]}
    make_subscriber("reader@example.org")

    delivered = _postmark(
        client,
        {"RecordType": "Delivery", "MessageID": "m-1", "Recipient": "reader@example.org",
         "DeliveredAt": "2026-11-01T10:00:00Z", "Details": "Accepted"},
    )  # fmt: skip
    opened = _postmark(
        client,
        {"RecordType": "Open", "MessageID": "m-1", "Recipient": "reader@example.org",
         "ReceivedAt": "2026-11-01T10:05:00Z"},
    )  # fmt: skip

    assert (delivered.status_code, opened.status_code) == (200, 200)
    assert Subscriber.objects.get().status == "subscribed"
    assert not AuditEntry.objects.exists()  # no change of status to audit


@pytest.mark.django_db
def test_preferences_page_shows_the_details_held(client: Any) -> None:
    subscriber = make_subscriber("sam@example.org", stage="fellow", institution="Lakeside")

    page = client.get(reverse("newsletter:preferences", args=[subscriber_token(subscriber.pk)]))

    html = page.content.decode()
    assert 'value="Lakeside"' in html
    assert re.search(r'<option value="fellow"[^>]*selected', html)


@pytest.mark.django_db
def test_audience_session_is_picked_by_name_never_by_id(client: Any) -> None:
    client.force_login(make_member(display_name="Org", role=Role.ORGANIZER))
    session = LiveSession.objects.create(
        title="Myeloma in 2026", starts_at=timezone.now(), time_zone="UTC"
    )

    blank = client.get(reverse("newsletter:issue_new")).content.decode()
    client.post(
        reverse("newsletter:issue_new"),
        {"subject": "For those who came", "body": "Thanks", "attended": str(session.pk)},
    )
    issue = Issue.objects.get()
    edit = client.get(reverse("newsletter:issue_edit", args=[issue.pk])).content.decode()
    detail = client.get(reverse("newsletter:issue_detail", args=[issue.pk])).content.decode()

    assert "(id)" not in blank and "data-picker" in blank
    assert f'data-url="{reverse("events:pick")}"' in blank
    assert issue.segment == {"attended": str(session.pk)}
    assert "Myeloma in 2026" in edit  # the chosen session shows by its title
    assert "attended “Myeloma in 2026”" in detail
    assert f"session #{session.pk}" not in detail
