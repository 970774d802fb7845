"""An issue as mail: rendered once per issue, then made personal per recipient in microseconds.

Each message has a text and an HTML part, the reader's own unsubscribe and preference links,
`List-Unsubscribe` with `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058) and a
Message-ID. The copies are made and sent by hemonc.core.bulkmail: MIME bytes written straight
to the SMTP connection, or a regular `EmailMultiAlternatives` for other mail backends.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes

from hemonc.core.bulkmail import BulkSender, PreparedMail, mail_domain
from hemonc.core.markdown import render_markdown
from hemonc.newsletter.models import Issue, IssueLink

UNSUBSCRIBE = "%%UNSUBSCRIBE_URL%%"
PREFERENCES = "%%PREFERENCES_URL%%"
SUBSCRIBER_SALT = "newsletter.subscriber"
# The preview's personal links: like a test's, they lead to a page saying the link is not
# valid, so nobody is unsubscribed from a preview.
PREVIEW_TOKEN = "preview"  # noqa: S105 - not a secret
# An open-counting image in a preview would count the organizer's look as an open.
BLANK_GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
_TOKEN = "TOKEN-PLACEHOLDER"  # noqa: S105 - replaced by each reader's signed id
_HREF = re.compile(r'href="(https?://[^"]+)"')
_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")


def subscriber_token(subscriber_id: int) -> str:
    """The signed id in every reader's preference and unsubscribe links; it does not expire."""
    return signing.Signer(salt=SUBSCRIBER_SALT).sign(str(subscriber_id))


def subscriber_token_maker() -> Callable[[int], str]:
    """`subscriber_token` for a whole send: the same tokens, with the signing key derived once
    (Django's Signer derives it from the salt and SECRET_KEY on every call); one HMAC each."""
    signer = signing.Signer(salt=SUBSCRIBER_SALT)
    hasher = getattr(hashlib, signer.algorithm)
    # As django.utils.crypto.salted_hmac(salt + "signer", value, signer.key).
    key = hasher(force_bytes(SUBSCRIBER_SALT + "signer") + force_bytes(signer.key)).digest()
    keyed = hmac.new(key, digestmod=hasher)
    sep = signer.sep

    def token(subscriber_id: int) -> str:
        value = str(subscriber_id)
        mac = keyed.copy()
        mac.update(value.encode())
        return f"{value}{sep}{signing.b64_encode(mac.digest()).decode()}"

    return token


def subscriber_id_from_token(token: str) -> int | None:
    try:
        return int(signing.Signer(salt=SUBSCRIBER_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def personal_urls(token: str) -> dict[str, str]:
    return {
        UNSUBSCRIBE: absolute(reverse("newsletter:unsubscribe", args=[token])),
        PREFERENCES: absolute(reverse("newsletter:preferences", args=[token])),
    }


def from_email() -> str:
    return str(getattr(settings, "NEWSLETTER_FROM_EMAIL", "") or settings.DEFAULT_FROM_EMAIL)


def issue_text(issue: Issue) -> str:
    """The plain-text part: the Markdown itself, which reads well as text, links spelled out."""
    body = _MARKDOWN_LINK.sub(r"\1 (\2)", issue.body.replace("\r\n", "\n")).strip()
    return render_to_string(
        "newsletter/email/issue.txt",
        {
            "issue": issue,
            "body": body,
            "archive_url": absolute(issue.get_absolute_url()),
            "unsubscribe_url": UNSUBSCRIBE,
            "preferences_url": PREFERENCES,
        },
    )


def issue_html(issue: Issue, *, links: list[IssueLink] | None = None) -> str:
    """The HTML part. With counting on, links go through the click counter (`links` in order)."""
    content = render_markdown(issue.body)
    pixel = ""
    if issue.count_engagement and links is not None:
        by_url = {link.url: link for link in links}

        def counted(match: re.Match[str]) -> str:
            link = by_url.get(match.group(1).replace("&amp;", "&"))
            if link is None:
                return match.group(0)
            return f'href="{absolute(reverse("newsletter:click", args=[issue.pk, link.position]))}"'

        content = _HREF.sub(counted, content)
        pixel = absolute(reverse("newsletter:open_pixel", args=[issue.pk]))
    return render_to_string(
        "newsletter/email/issue.html",
        {
            "issue": issue,
            "content": content,
            "archive_url": absolute(issue.get_absolute_url()),
            "unsubscribe_url": UNSUBSCRIBE,
            "preferences_url": PREFERENCES,
            "pixel_url": pixel,
        },
    )


def issue_link_urls(issue: Issue) -> list[str]:
    """The distinct web links of an issue in order of appearance, for click counting."""
    seen: dict[str, None] = {}
    for url in _HREF.findall(render_markdown(issue.body)):
        seen.setdefault(url.replace("&amp;", "&"), None)
    return list(seen)


def issue_links_for_mail(issue: Issue) -> list[IssueLink] | None:
    """The counted links the mail carries: the issue's own once sending started, else the
    ones sending will make (unsaved), so a draft's preview shows the links as they will go."""
    if not issue.count_engagement:
        return None
    links = list(issue.links.all()) if issue.pk else []
    return links or [
        IssueLink(issue=issue, position=position, url=url)
        for position, url in enumerate(issue_link_urls(issue), start=1)
    ]


def issue_preview_html(issue: Issue) -> str:
    """The HTML part exactly as a reader gets it, with the preview's harmless personal links
    (and a blank image instead of the open counter)."""
    prepared = PreparedIssue(issue, links=issue_links_for_mail(issue))
    html = prepared.personal(PREVIEW_TOKEN)[1]
    if issue.count_engagement:
        html = html.replace(absolute(reverse("newsletter:open_pixel", args=[issue.pk])), BLANK_GIF)
    # Mail carries CRLF line ends (hemonc.core.bulkmail.quoted_printable).
    return html.replace("\r\n", "\n").replace("\n", "\r\n")


class PreparedIssue:
    """One issue's mail, rendered once; each reader's copy gets their own links."""

    def __init__(self, issue: Issue, *, links: list[IssueLink] | None = None) -> None:
        self.issue = issue
        sender = from_email()
        domain = mail_domain(sender)
        self.mail = PreparedMail(
            from_email=sender,
            subject=issue.subject,
            text=issue_text(issue),
            html=issue_html(issue, links=links),
            headers={
                "List-Id": f"Hem-Onc Network newsletter <newsletter.{domain}>",
                "Precedence": "bulk",
            },
        )
        self.from_email = sender
        # URL reversing costs more than the rest of a message: once here, then a replace.
        self.urls = personal_urls(_TOKEN)

    def substitutions(self, token: str) -> dict[str, str]:
        return {placeholder: url.replace(_TOKEN, token) for placeholder, url in self.urls.items()}

    def personal(self, token: str) -> tuple[str, str, str]:
        """The reader's text and HTML and their unsubscribe link."""
        urls = self.substitutions(token)
        text, html = self.mail.bodies_for(urls)
        return text, html, urls[UNSUBSCRIBE]

    def send(self, sender: BulkSender, *, email: str, token: str, delivery_id: int) -> str:
        """Send one reader's copy; returns its Message-ID (AddressNeedsSmtpUtf8 over SMTP
        for an address that cannot travel as ASCII)."""
        urls = self.substitutions(token)
        return sender.send(
            self.mail,
            to=email,
            message_id=self.mail.new_message_id(self.issue.pk, delivery_id),
            substitutions=urls,
            list_unsubscribe=urls[UNSUBSCRIBE],
        )
