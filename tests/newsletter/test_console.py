"""The organizers' console: issues by status, the subscribers list with its search, export
and actions, and subscriber imports uploaded in the page and run in the background."""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail as django_mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hemonc.core.errors import DomainError
from hemonc.core.models import AuditEntry
from hemonc.core.permissions import OPERATOR
from hemonc.members.enums import Role
from hemonc.members.services import member_set_role
from hemonc.newsletter import imports, services
from hemonc.newsletter.imports import run_import
from hemonc.newsletter.models import ConsentText, Issue, Subscriber, SubscriberImport
from tests.factories import make_member
from tests.newsletter.conftest import FIXTURES, make_subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer(client: Any) -> Any:
    user = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    client.force_login(user)
    return user


def test_issues_are_listed_by_status(client: Any, organizer: Any, dummy_tasks: Any) -> None:
    services.issue_create(subject="A draft", body="News", actor=OPERATOR)
    scheduled = services.issue_create(subject="Next month", body="News", actor=OPERATOR)
    services.issue_schedule(
        issue=scheduled, actor=OPERATOR, when=timezone.now() + timezone.timedelta(days=3),
    )  # fmt: skip
    sending = services.issue_create(subject="Going out", body="News", actor=OPERATOR)
    services.issue_send_now(issue=sending, actor=OPERATOR)
    sent = services.issue_create(subject="Last month", body="News", actor=OPERATOR)
    Issue.objects.filter(pk=sent.pk).update(status="sent", sent_at=timezone.now())

    page = client.get(reverse("newsletter:manage")).content.decode()

    sections = re.findall(r'<h2 id="(\w+)-heading">', page)
    assert sections == ["drafts", "scheduled", "sending", "sent"]
    order = [page.index(s) for s in ("A draft", "Next month", "Going out", "Last month")]
    assert order == sorted(order)
    assert page.count("(1)") == 4
    assert 'aria-current="page"' in page and "Import subscribers" in page


def test_subscribers_search_filter_count_and_pages(client: Any, organizer: Any) -> None:
    for number in range(55):
        make_subscriber(f"reader{number:02d}@example.org")
    make_subscriber("rosa@example.org", name="Rosa Diaz", institution="Hospital del Valle")
    make_subscriber("left@example.org", status="unsubscribed")
    url = reverse("newsletter:subscribers")

    everyone = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    found = client.get(url, {"q": "valle"}).content.decode()
    gone = client.get(url, {"status": "unsubscribed"}).content.decode()
    nobody = client.get(url, {"q": "nobody-here"}).content.decode()
    bad = client.get(url, {"status": "astronaut", "page": "x" * 50})

    assert "57 people on the list, whatever their status." in everyone and "Page 1 of 2" in everyone
    assert "reader00@example.org" in everyone and "rosa@example.org" in second
    assert "1 person matches." in found and "rosa@example.org" in found
    assert "reader00@example.org" not in found
    assert "1 person matches." in gone and "left@example.org" in gone
    assert "Ask to resubscribe" in gone
    assert "0 people match." in nobody and "Nobody matches this search." in nobody
    assert bad.status_code == 200


def test_subscribers_export_is_the_search_as_a_safe_csv(client: Any, organizer: Any) -> None:
    make_subscriber("rosa@example.org", name='=HYPERLINK("https://evil.example","x")')
    make_subscriber("left@example.org", status="unsubscribed")

    response = client.get(reverse("newsletter:subscribers_export"), {"status": "subscribed"})

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["email", "name", "status"]
    assert [row[0] for row in rows[1:]] == ["rosa@example.org"]
    assert rows[1][1].startswith("'=")  # a spreadsheet shows it as text


def test_organizer_unsubscribes_someone_and_returns_to_the_same_search(
    client: Any, organizer: Any
) -> None:
    reader = make_subscriber("rosa@example.org")
    back = reverse("newsletter:subscribers") + "?q=rosa&page=1"

    response = client.post(
        reverse("newsletter:subscriber_unsubscribe", args=[reader.pk]), {"next": back}
    )
    again = client.post(
        reverse("newsletter:subscriber_unsubscribe", args=[reader.pk]),
        {"next": "https://evil.example/"},
        follow=True,
    )

    assert response.url == back
    reader.refresh_from_db()
    assert reader.status == "unsubscribed"
    entry = AuditEntry.objects.filter(action="newsletter.unsubscribe").get()
    assert entry.actor == organizer
    assert again.redirect_chain[0][0] == reverse("newsletter:subscribers")
    assert "rosa@example.org does not receive the newsletter." in again.content.decode()


def test_resubscribing_takes_the_readers_own_confirmation(
    client: Any, organizer: Any, mailbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    reader = make_subscriber("rosa@example.org", status="unsubscribed")
    angry = make_subscriber("angry@example.org", status="complained")

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            reverse("newsletter:subscriber_invite", args=[reader.pk]), follow=True
        ).content.decode()
        refused = client.post(
            reverse("newsletter:subscriber_invite", args=[angry.pk]), follow=True
        ).content.decode()

    assert "A confirmation link is on its way to rosa@example.org" in page
    assert "marked an issue as spam" in refused
    (message,) = mailbox.wait_for(1)
    assert message["To"] == "rosa@example.org"
    reader.refresh_from_db()
    assert reader.status == "unsubscribed"  # until they follow the link
    text = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+/newsletter/confirm/\S+/", text).group(0)  # type: ignore[union-attr]
    client.post(urlsplit(link).path)
    reader.refresh_from_db()
    assert reader.status == "subscribed"


def _upload(client: Any, source: str, *paths: str, **columns: str) -> Any:
    files = [
        SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type="text/csv")
        for name in paths
    ]
    return client.post(
        reverse("newsletter:imports"), {"source": source, "uploads": files, **columns}
    )


def test_uploaded_mailchimp_export_is_imported_in_the_background(
    client: Any, organizer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, "mailchimp", "members_export_3f9a1c2b7e.zip")
    job = SubscriberImport.objects.get()

    page = client.get(response.url).content.decode()
    again = client.get(reverse("newsletter:import_progress", args=[job.pk])).content.decode()

    assert response.url == reverse("newsletter:import_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "done" and job.created == Subscriber.objects.count() > 0
    assert f"Imported: {job.created} new subscribers, 0 updated, 0 unchanged." in page
    assert "data-hx-trigger" not in again  # done: no more polling
    assert {bytes(f.content) for f in job.files.all()} == {b""}  # the upload is not kept
    listing = client.get(reverse("newsletter:imports")).content.decode()
    assert "Mailchimp" in listing and f"{job.created} new" in listing


def test_import_with_a_bad_value_writes_nothing_and_names_file_line_field(
    client: Any, organizer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(
            client,
            "mailchimp",
            "subscribed_members_export_3f9a1c2b7e.csv",
            "broken_members_export.csv",
        )

    page = client.get(response.url).content.decode()

    assert Subscriber.objects.count() == 0
    assert "Nothing was imported." in page
    assert "broken_members_export.csv, line 4, field “OPTIN_TIME”" in page
    assert SubscriberImport.objects.get().status == "failed"


def test_import_page_refreshes_itself_until_the_worker_ran(
    client: Any, organizer: Any, dummy_tasks: Any
) -> None:
    response = _upload(client, "csv", "plain_subscribers.csv")
    job = SubscriberImport.objects.get()
    waiting = client.get(response.url).content.decode()
    polled = client.get(reverse("newsletter:import_progress", args=[job.pk])).content.decode()

    run_import(job.pk)
    run_import(job.pk)  # a second run finds it taken and does nothing
    done = client.get(reverse("newsletter:import_progress", args=[job.pk])).content.decode()

    assert 'data-hx-trigger="every 2s"' in waiting and 'role="status"' in waiting
    assert "waiting for the task worker" in waiting
    assert 'data-hx-swap-oob="innerHTML:#import-status"' in polled
    assert "data-hx-trigger" not in done and "Imported: 2 new subscribers" in done


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"source": "csv"}, "Please correct the fields marked below."),
        ({"source": "nowhere"}, "Please correct the fields marked below."),
    ],
)
def test_import_form_refuses_what_it_cannot_take(
    client: Any, organizer: Any, data: dict[str, Any], message: str
) -> None:
    response = client.post(reverse("newsletter:imports"), data)

    assert response.status_code == 200 and message in response.content.decode()
    assert SubscriberImport.objects.count() == 0


def test_import_refuses_too_many_files(client: Any, organizer: Any) -> None:
    files = [SimpleUploadedFile(f"f{n}.csv", b"email\na@example.org\n") for n in range(6)]

    response = client.post(reverse("newsletter:imports"), {"source": "csv", "uploads": files})

    assert "Import at most 5 files at once." in response.content.decode()
    assert SubscriberImport.objects.count() == 0
    assert not django_mail.outbox


def test_import_of_an_organizer_no_longer_one_stops_with_nothing_written(
    client: Any, organizer: Any, dummy_tasks: Any
) -> None:
    _upload(client, "csv", "plain_subscribers.csv")
    job = SubscriberImport.objects.get()
    member_set_role(user=organizer, role=Role.ORGANIZER, enabled=False, actor=OPERATOR)
    job.created_by.refresh_from_db()

    run_import(job.pk)

    job.refresh_from_db()
    assert job.status == "failed" and "may no longer" in job.error_problem
    assert Subscriber.objects.count() == 0


def test_import_stopped_by_an_unexpected_error_does_not_stay_running(
    client: Any, organizer: Any, dummy_tasks: Any, monkeypatch: Any
) -> None:
    _upload(client, "csv", "plain_subscribers.csv")
    job = SubscriberImport.objects.get()

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(imports, "parse_inputs", broken)
    with pytest.raises(RuntimeError):
        imports.run_import(job.pk)

    job.refresh_from_db()
    assert job.status == "failed" and job.error_problem == "an unexpected error stopped it"
    page = client.get(reverse("newsletter:import_detail", args=[job.pk])).content.decode()
    assert "The import stopped: an unexpected error stopped it." in page


def test_import_start_refuses_a_bad_source_or_a_huge_file(organizer: Any) -> None:
    with pytest.raises(DomainError, match=r"Choose where the files come from\."):
        services.subscriber_import_start(actor=organizer, source="aol", files=[("a.csv", b"x")])
    with pytest.raises(DomainError, match="at least one file"):
        services.subscriber_import_start(actor=organizer, source="csv", files=[])
    huge = b"x" * (services.IMPORT_FILE_MAX_BYTES + 1)
    with pytest.raises(DomainError, match=r"big\.csv is larger than 20 MB\."):
        services.subscriber_import_start(actor=organizer, source="csv", files=[("big.csv", huge)])
    assert SubscriberImport.objects.count() == 0


def test_asking_back_twice_within_ten_minutes_or_someone_subscribed_is_refused(
    client: Any, organizer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    reader = make_subscriber("rosa@example.org", status="unsubscribed")
    here = make_subscriber("here@example.org")
    url = reverse("newsletter:subscriber_invite", args=[reader.pk])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
        again = client.post(url, follow=True).content.decode()
    subscribed = client.post(
        reverse("newsletter:subscriber_invite", args=[here.pk]), follow=True
    ).content.decode()

    assert "less than 10 minutes ago" in again
    assert "here@example.org is subscribed already." in subscribed
    assert len(django_mail.outbox) == 1


def test_asking_back_without_a_consent_text_is_refused(client: Any, organizer: Any) -> None:
    ConsentText.objects.all().delete()
    reader = make_subscriber("rosa@example.org", status="unsubscribed")

    page = client.post(
        reverse("newsletter:subscriber_invite", args=[reader.pk]), follow=True
    ).content.decode()

    assert "Sign-up is closed for now" in page
    assert not django_mail.outbox
