"""The organizers' preview of an issue: the mail's own HTML, served apart under its own
policy and framed in a sandbox on the issue page; what the reader gets, byte for byte."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from hemonc.core.permissions import OPERATOR
from hemonc.members.enums import Role
from hemonc.newsletter import services
from hemonc.newsletter.mail import subscriber_token
from hemonc.newsletter.models import ConsentText, Issue, Subscriber
from tests.factories import make_member
from tests.mailcheck import OWN_TAGS, _Tags, parts
from tests.newsletter.conftest import make_subscriber

pytestmark = pytest.mark.django_db

HEADINGS = "\n\n".join(f"{'#' * level} Heading level {level}" for level in range(1, 7))
HOSTILE = (
    "Hello <script>alert('x')</script> and <img src=x onerror=alert(1)>\n\n"
    '[a link](javascript:alert(1)) and <a href="javascript:alert(2)">raw</a>\n\n'
    "<style>body{display:none}</style><iframe src=https://evil.example></iframe>"
)


@pytest.fixture
def organizer(client: Any) -> Any:
    user = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    client.force_login(user)
    return user


def _preview(client: Any, issue: Issue) -> Any:
    return client.get(reverse("newsletter:issue_mail_preview", args=[issue.pk]))


def _sent_html(issue: Issue, django_capture_on_commit_callbacks: Any, mailbox: Any) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_send_now(issue=issue, actor=OPERATOR)
    (message,) = mailbox.wait_for(1)
    return parts(message)[1]


def _as_previewed(sent: str, subscriber: Subscriber) -> str:
    """The sent HTML with the reader's own links as the preview shows them."""
    token = subscriber_token(subscriber.pk)
    for name in ("unsubscribe", "preferences"):
        own = settings.SITE_URL + reverse(f"newsletter:{name}", args=[token])
        shown = settings.SITE_URL + reverse(f"newsletter:{name}", args=["preview"])
        sent = sent.replace(html_lib.escape(own), html_lib.escape(shown))
    return sent


def test_preview_is_the_sent_mail_under_its_own_policy(
    client: Any, organizer: Any, mailbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    reader = make_subscriber("reader@example.org")
    issue = services.issue_create(
        subject="November & more", preheader="Five sessions", actor=OPERATOR,
        body="Hello **fellows**.\n\nSee [the schedule](https://example.org/ash?a=1&b=2).",
        phi_attested=True,
    )  # fmt: skip

    preview = _preview(client, issue)
    sent = _sent_html(issue, django_capture_on_commit_callbacks, mailbox)

    assert preview.status_code == 200
    assert preview.content.decode() == _as_previewed(sent, reader)
    policy = preview["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "style-src 'unsafe-inline'" in policy
    assert "frame-ancestors 'self'" in policy and "script-src" not in policy
    assert "sandbox" in policy
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    # The preview's links unsubscribe nobody.
    client.post(reverse("newsletter:unsubscribe", args=["preview"]))
    assert Subscriber.objects.get().status == "subscribed"


def test_issue_page_frames_the_preview_in_a_sandbox(client: Any, organizer: Any) -> None:
    issue = services.issue_create(
        subject="November", body="Embargoed trial results", actor=OPERATOR
    )

    page = client.get(reverse("newsletter:issue_detail", args=[issue.pk]))

    html = page.content.decode()
    frame = re.search(r"<iframe[^>]*>", html).group(0)  # type: ignore[union-attr]
    assert 'sandbox=""' in frame
    assert f'src="{reverse("newsletter:issue_mail_preview", args=[issue.pk])}"' in frame
    assert "srcdoc" not in frame
    # The page itself may not be framed, and still forbids inline styles.
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert "Phone" in html


def test_only_organizers_fetch_the_preview(client: Any) -> None:
    issue = services.issue_create(
        subject="November", body="Embargoed trial results", actor=OPERATOR
    )

    visitor = _preview(client, issue)
    client.force_login(make_member(display_name="Mia Member"))
    member = _preview(client, issue)

    assert visitor.status_code == 302
    assert member.status_code == 403
    assert "Embargoed trial results" not in member.content.decode()


def test_hostile_markdown_stays_inert_in_the_preview(
    client: Any, organizer: Any, mailbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    reader = make_subscriber("reader@example.org")
    issue = services.issue_create(
        subject="<b>Hi</b>", body=HOSTILE, actor=OPERATOR, phi_attested=True
    )

    preview = _preview(client, issue).content.decode()
    sent = _sent_html(issue, django_capture_on_commit_callbacks, mailbox)

    assert preview == _as_previewed(sent, reader)
    parser = _Tags()
    parser.feed(preview)
    assert {tag for tag, _ in parser.tags} <= OWN_TAGS  # no script, style, iframe, img of theirs
    for _, attrs in parser.tags:
        assert not [name for name, _ in attrs if name.startswith("on")]
        for name, url in attrs:
            if name in {"href", "src"}:
                assert url and url.startswith(settings.SITE_URL + "/"), url
    assert "&lt;script&gt;" in preview  # the raw HTML is shown as text
    assert "&lt;b&gt;Hi&lt;/b&gt;" in preview


def test_counted_issue_preview_counts_no_open(client: Any, organizer: Any) -> None:
    issue = services.issue_create(
        subject="November", body="See [it](https://example.org/a).", count_engagement=True,
        actor=OPERATOR, phi_attested=True,
    )  # fmt: skip

    preview = _preview(client, issue).content.decode()

    assert reverse("newsletter:open_pixel", args=[issue.pk]) not in preview
    assert reverse("newsletter:click", args=[issue.pk, 1]) in preview  # as it will be sent
    issue.refresh_from_db()
    assert issue.opens == 0


def test_every_heading_level_reaches_page_feed_preview_and_mail(
    client: Any, organizer: Any, mailbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_subscriber("reader@example.org")
    issue = services.issue_create(subject="Headings", body=HEADINGS, actor=OPERATOR)
    preview = _preview(client, issue).content.decode()
    sent = _sent_html(issue, django_capture_on_commit_callbacks, mailbox)

    page = client.get(reverse("newsletter:archive_issue", args=[issue.pk])).content.decode()
    feed = html_lib.unescape(client.get(reverse("newsletter:feed")).content.decode())

    for level in range(1, 7):
        heading = f"<h{level}>Heading level {level}</h{level}>"
        assert heading in page, level
        assert heading in feed, level
        assert heading in preview, level
        assert heading in sent, level


def test_newsletter_home_without_a_consent_text_says_sign_up_is_closed(client: Any) -> None:
    ConsentText.objects.all().delete()

    page = client.get(reverse("newsletter:home"))
    posted = client.post(reverse("newsletter:home"), {"email": "rosa@example.org", "consent": "on"})
    client.force_login(make_member(display_name="Mia Member"))
    member_page = client.get(reverse("newsletter:home"))
    one_click = client.post(reverse("newsletter:subscribe_member"), follow=True)
    profile = client.get(reverse("members:profile_edit"))

    assert page.status_code == 200 and "Sign-up is closed for now" in page.content.decode()
    assert posted.status_code == 200 and "Sign-up is closed for now" in posted.content.decode()
    assert member_page.status_code == 200
    assert "Sign-up is closed for now" in one_click.content.decode()
    assert profile.status_code == 200 and "closed for now" in profile.content.decode()
    assert Subscriber.objects.count() == 0


def test_progress_refreshes_itself_while_sending_and_stops_when_done(
    client: Any, organizer: Any, dummy_tasks: Any
) -> None:
    make_subscriber("a@example.org")
    make_subscriber("b@example.org")
    issue = services.issue_create(
        subject="November", body="Embargoed trial results", actor=OPERATOR
    )
    services.issue_send_now(issue=issue, actor=OPERATOR)  # the worker waits
    progress_url = reverse("newsletter:issue_progress", args=[issue.pk])

    page = client.get(reverse("newsletter:issue_detail", args=[issue.pk])).content.decode()
    polled = client.get(progress_url).content.decode()
    services.outbox_send(issue=issue)  # the worker sends (to the test mail backend)
    done = client.get(progress_url).content.decode()

    assert f'data-hx-get="{progress_url}"' in page and 'data-hx-trigger="every 2s"' in page
    assert 'role="status"' in page and "Sending: 0 of 2 done." in page
    assert 'data-hx-trigger="every 2s"' in polled and "Sending: 0 of 2 done." in polled
    assert 'data-hx-swap-oob="innerHTML:#progress-status"' in polled
    assert "data-hx-trigger" not in done  # polling stops
    assert "Sending is finished: 2 of 2 delivered." in done


def test_editor_preview_in_a_new_tab_is_the_mail_itself(client: Any, organizer: Any) -> None:
    empty = client.get(reverse("newsletter:issue_draft_mail"))
    response = client.post(
        reverse("newsletter:issue_preview"),
        {"subject": "Hi\nthere", "body": "## Heading two\n\n<script>x()</script>"},
    )
    mail = client.get(response.url)

    assert "The preview appears as you type." in empty.content.decode()
    assert response.url.startswith(reverse("newsletter:issue_draft_mail"))
    html = mail.content.decode()
    assert "<h2>Heading two</h2>" in html and "<script" not in html
    assert "<title>Hi there</title>" in html  # one line, as the issue will be stored
    assert "sandbox" in mail["Content-Security-Policy"]
    assert mail["X-Frame-Options"] == "SAMEORIGIN"
