"""Mail to many people, rendered once and made personal per recipient in microseconds.

A `PreparedMail` holds what every copy shares (From, Subject, extra headers, the text and HTML
bodies with placeholders such as `%%UNSUBSCRIBE_URL%%`); `raw_for` writes one recipient's
copy as MIME bytes (quoted-printable parts, its own To, Date, Message-ID and
`List-Unsubscribe` with `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, RFC 8058).

A `BulkSender` sends those bytes over the default mailer's SMTP connection (`sendmail`);
other mail backends (locmem in tests, the file backend) get the same message as a regular
`EmailMultiAlternatives`.

Why this writer and not Django's mail classes: bench/newsletter.py (20,000 readers, target
>= 0.5x the bare smtplib loop at the sink) measured the plain version, one
`EmailMultiAlternatives` prepared per issue and copied per reader (their To, bodies with their
links, Message-ID and List-Unsubscribe), serialised by `message()` and sent over the same one
connection, back to back with this writer on a loaded 2-CPU machine: 130 messages/s, 0.03x
the bare loop's 4,564; this writer 1,876 messages/s, 0.41x of 4,557. In process, a copy takes
about 1.9 ms through Django's classes (2.4 ms copying a built `email.message` and setting its
bodies) against 0.012 ms here.
"""

from __future__ import annotations

import binascii
import email.policy
import html
import itertools
import secrets
import smtplib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP, Policy
from email.utils import format_datetime, parseaddr
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

from hemonc.core.text import one_line

# A subject longer than this is cut (with "…"): a title or a name pasted a thousand times
# over makes no subject, and a header line has a hard limit (RFC 5322: 998 characters).
HEADER_TEXT_LIMIT = 250


def header_text(value: object, *, limit: int = HEADER_TEXT_LIMIT) -> str:
    """The text of a header (a subject): one line, at most `limit` characters.

    A line break in a title or a name would otherwise end the header (the email package
    refuses it, so the mail would never go), and a control character has no place there.
    """
    text = one_line(str(value))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def encode_header_text(name: str, value: object, *, limit: int = HEADER_TEXT_LIMIT) -> str:
    """`value` as it travels in header `name`: ASCII words as they are, anything else as
    RFC 2047 encoded words (UTF-8, each at most 75 characters), folded to 78 characters.

    The email package's own folding (policy SMTP or default) can write an empty encoded
    word (`=?utf-8?q??=`) where a non-ASCII word meets a fold, which strict readers score
    as a malformed header; `email.header.Header` never does.
    """
    text = header_text(value, limit=limit)
    if text.isascii() and "=?" not in text:
        return _fold_at_spaces(text, first=len(name) + 2)
    return Header(text, "utf-8", maxlinelen=78, header_name=name).encode(linesep="\r\n")


def _fold_at_spaces(text: str, *, first: int) -> str:
    """ASCII words folded before 78 characters where a space allows (a CRLF before the
    space, which unfolding removes again); a longer word keeps its line (at most 998)."""
    lines: list[str] = []
    line, used = "", first
    for word in text.split(" "):
        if line and used + len(line) + 1 + len(word) > 78:
            lines.append(line)
            line, used = word, 1
        else:
            line = f"{line} {word}" if line else word
    return "\r\n ".join([*lines, line])


def mail_date(timestamp: float | None = None) -> str:
    """A Date header's value with the numeric zone RFC 5322 asks for (`+0000`, not `GMT`)."""
    moment = datetime.now(UTC) if timestamp is None else datetime.fromtimestamp(timestamp, UTC)
    return format_datetime(moment)


class AddressNeedsSmtpUtf8(ValueError):
    """The recipient's address cannot travel as ASCII (a non-ASCII local part)."""


def ascii_address(address: str) -> str | None:
    """The address as it can travel without SMTPUTF8 (IDNA domain), or None."""
    local, _, domain = address.rpartition("@")
    if not local.isascii():
        return None
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return None


def mail_domain(from_email: str) -> str:
    """The domain of the sender's address (else the site's host), for Message-IDs and List-Id."""
    return (
        parseaddr(from_email)[1].rpartition("@")[2]
        or urlsplit(settings.SITE_URL).hostname
        or "localhost"
    )


def quoted_printable(text: str) -> bytes:
    """UTF-8 text as a quoted-printable body with CRLF line ends."""
    data = text.replace("\r\n", "\n").encode("utf-8")
    return binascii.b2a_qp(data, istext=True).replace(b"\n", b"\r\n")


# Filled-in lines at least this long are kept encoded (at most LONG_PIECES_KEPT of them).
LONG_PIECE = 512
LONG_PIECES_KEPT = 512


class QuotedPrintableTemplate:
    """A body with placeholders, encoded as quoted-printable once.

    Quoted-printable encodes each line on its own (soft breaks and trailing blanks depend on
    that line only), so the lines without placeholders are encoded here, once, and each copy
    only fills in and encodes the few lines that hold one: `render(pairs)` gives exactly
    `quoted_printable(text)` with the placeholders replaced in order. A carriage return
    left after the CRLF normalization (in the text or a value) makes the encoder's line
    handling depend on more than one line: such a copy is encoded whole, as before.
    """

    def __init__(self, text: str, placeholders: tuple[str, ...]) -> None:
        self.text = text
        self.pieces: list[bytes | str] | None = None
        self._long: dict[str, bytes] = {}
        lines = text.replace("\r\n", "\n")
        if "\r" in lines or any("\n" in p or "\r" in p for p in placeholders):
            return
        self.pieces = []
        ready: list[str] = []
        for line in _lines(lines):
            if any(placeholder in line for placeholder in placeholders):
                if ready:
                    self.pieces.append(quoted_printable("".join(ready)))
                    ready = []
                self.pieces.append(line)
            else:
                ready.append(line)
        if ready:
            self.pieces.append(quoted_printable("".join(ready)))

    def render(self, pairs: tuple[tuple[str, str], ...]) -> bytes:
        if self.pieces is None or any("\r" in value for _, value in pairs):
            text = self.text
            for placeholder, value in pairs:
                text = text.replace(placeholder, value)
            return quoted_printable(text)
        encoded = []
        for piece in self.pieces:
            if isinstance(piece, str):
                for placeholder, value in pairs:
                    piece = piece.replace(placeholder, value)
                if len(piece) < LONG_PIECE:
                    piece = quoted_printable(piece)
                else:
                    piece = self._long_piece(piece)
            encoded.append(piece)
        return b"".join(encoded)

    def _long_piece(self, text: str) -> bytes:
        """A long filled-in line (a list made per reader, which many readers share) encoded
        once: a digest's copies differ by a few such lists."""
        found = self._long.get(text)
        if found is None:
            if len(self._long) >= LONG_PIECES_KEPT:
                self._long.clear()
            found = self._long[text] = quoted_printable(text)
        return found


def _lines(text: str) -> list[str]:
    """The lines of `text`, each with its "\\n" (the last one may have none)."""
    lines = [f"{line}\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines


@dataclass(frozen=True)
class OutgoingMessage:
    """One recipient's copy: the envelope recipient, its Message-ID and the MIME bytes."""

    recipient: str
    message_id: str
    raw: bytes


class PreparedMail:
    """A message for many recipients; each copy differs by its substitutions and headers.

    Substitutions replace placeholders in both bodies: verbatim in the text part, HTML-escaped
    in the HTML part (a URL of URL-safe characters reads the same in both). With
    `escape_html=False` they go verbatim into both: the caller gives each part its own
    placeholders and escapes what the HTML ones hold (a digest's list made per reader).
    """

    def __init__(
        self,
        *,
        from_email: str,
        subject: str,
        text: str,
        html: str,
        headers: Mapping[str, str] | None = None,
        escape_html: bool = True,
    ) -> None:
        self.from_email = from_email
        self.escape_html = escape_html
        self.subject = subject
        self.text = text
        self.html = html
        self.headers = dict(headers or {})
        self.envelope_from = parseaddr(from_email)[1]
        self.domain = mail_domain(from_email)
        head = EmailMessage(policy=SMTP)
        head["From"] = from_email
        head.set_raw("Subject", encode_header_text("Subject", subject))
        head["MIME-Version"] = "1.0"
        for name, value in self.headers.items():
            head.set_raw(name, encode_header_text(name, value, limit=900))
        # Encoded once (RFC 2047 words, folding); each copy appends its own headers.
        self.head = head.as_bytes().rstrip(b"\r\n") + b"\r\n"
        # Random once, then counted: unique Message-IDs without a system call per message.
        self._nonce = secrets.token_hex(6)
        self._serial = itertools.count(1)
        # "=_" never occurs in quoted-printable text, so one boundary serves every copy.
        self.boundary = f"=_hemonc_{secrets.token_hex(12)}"
        # The encoded bodies, per set of placeholders (made on first use).
        self._templates: dict[
            tuple[str, ...], tuple[QuotedPrintableTemplate, QuotedPrintableTemplate]
        ] = {}
        self._date_second = -1
        self._date = ""

    def _encoded_bodies(self, substitutions: Mapping[str, str] | None) -> tuple[bytes, bytes]:
        """The text and HTML parts as quoted-printable, with the placeholders filled in."""
        pairs = tuple((substitutions or {}).items())
        placeholders = tuple(placeholder for placeholder, _ in pairs)
        templates = self._templates.get(placeholders)
        if templates is None:
            templates = self._templates[placeholders] = (
                QuotedPrintableTemplate(self.text, placeholders),
                QuotedPrintableTemplate(self.html, placeholders),
            )
        text, body = templates
        if not self.escape_html:
            return text.render(pairs), body.render(pairs)
        escaped = tuple(
            (placeholder, html.escape(value, quote=True)) for placeholder, value in pairs
        )
        return text.render(pairs), body.render(escaped)

    def _date_header(self) -> str:
        """The Date header's value, formatted once per second."""
        second = int(time.time())
        if second != self._date_second:
            self._date = mail_date(second)
            self._date_second = second
        return self._date

    def new_message_id(self, *parts: object) -> str:
        """A unique Message-ID naming `parts` (e.g. the issue and delivery ids)."""
        local = ".".join(str(part) for part in (*parts, f"{self._nonce}{next(self._serial)}"))
        return f"<{local}@{self.domain}>"

    def bodies_for(self, substitutions: Mapping[str, str] | None = None) -> tuple[str, str]:
        """The text and HTML bodies with the placeholders filled in."""
        text, body = self.text, self.html
        for placeholder, value in (substitutions or {}).items():
            text = text.replace(placeholder, value)
            body = body.replace(
                placeholder, html.escape(value, quote=True) if self.escape_html else value
            )
        return text, body

    def _personal_headers(self, message_id: str, list_unsubscribe: str | None) -> str:
        lines = f"Date: {self._date_header()}\r\nMessage-ID: {message_id}\r\n"
        if list_unsubscribe:
            lines += (
                f"List-Unsubscribe: <{list_unsubscribe}>\r\n"
                "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
            )
        return lines

    def raw_for(
        self,
        *,
        to: str,
        message_id: str,
        substitutions: Mapping[str, str] | None = None,
        list_unsubscribe: str | None = None,
    ) -> OutgoingMessage:
        """One recipient's MIME bytes; AddressNeedsSmtpUtf8 when `to` cannot travel as ASCII.

        `list_unsubscribe` (a URL) adds the one-click `List-Unsubscribe` headers.
        """
        recipient = ascii_address(to)
        if recipient is None:
            raise AddressNeedsSmtpUtf8(to)
        text, body = self._encoded_bodies(substitutions)
        boundary = self.boundary
        raw = b"".join(
            (
                self.head,
                f"To: {recipient}\r\n{self._personal_headers(message_id, list_unsubscribe)}"
                f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
                f"--{boundary}\r\n"
                'Content-Type: text/plain; charset="utf-8"\r\n'
                "Content-Transfer-Encoding: quoted-printable\r\n\r\n".encode("ascii"),
                text,
                f"\r\n--{boundary}\r\n"
                'Content-Type: text/html; charset="utf-8"\r\n'
                "Content-Transfer-Encoding: quoted-printable\r\n\r\n".encode("ascii"),
                body,
                f"\r\n--{boundary}--\r\n".encode("ascii"),
            )
        )
        return OutgoingMessage(recipient=recipient, message_id=message_id, raw=raw)

    def email_for(
        self,
        *,
        to: str,
        message_id: str,
        substitutions: Mapping[str, str] | None = None,
        list_unsubscribe: str | None = None,
    ) -> EmailMultiAlternatives:
        """The same copy as a Django EmailMultiAlternatives, for non-SMTP mail backends."""
        text, body = self.bodies_for(substitutions)
        headers = {"Message-ID": message_id}
        if list_unsubscribe:
            headers["List-Unsubscribe"] = f"<{list_unsubscribe}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message = MailMessage(
            subject=self.subject,
            body=text,
            from_email=self.from_email,
            to=[to],
            headers={**headers, **self.headers},
        )
        message.attach_alternative(body, "text/html")
        return message


class MailMessage(EmailMultiAlternatives):
    """A Django message whose long header values are written as they are.

    The email package folds a header longer than 78 characters, and a value with no space
    to fold at (a List-Unsubscribe URL with its token) becomes RFC 2047 encoded words,
    which mail clients do not read as a URL. RFC 5322's hard limit, 998, applies instead.

    Header values are kept to one line (a title or a name with a line break would make the
    email package refuse the whole message) and the subject is encoded by
    `encode_header_text`.
    """

    def message(self, *, policy: Policy[Any] | None = email.policy.default) -> Any:
        self.subject = header_text(self.subject)
        self.extra_headers = {
            name: one_line(str(value)) for name, value in self.extra_headers.items()
        }
        message = super().message(
            policy=(policy or email.policy.default).clone(max_line_length=998)
        )
        del message["Subject"]
        message.set_raw("Subject", encode_header_text("Subject", self.subject))
        return message


class BulkSender:
    """Sends prepared mails one by one over one connection of a mailer (the default one).

    With Django's SMTP backend the bytes go straight to `sendmail` on its open connection;
    SMTP errors (`smtplib.SMTPException`, `OSError`) reach the caller, who decides what a
    refusal means. Use it as a context manager, or call `close()`.
    """

    def __init__(self, mailer: Any = None) -> None:
        self.mailer: Any = mailers.default if mailer is None else mailer
        self.raw_smtp = isinstance(self.mailer, SmtpBackend)

    def send(
        self,
        mail: PreparedMail,
        *,
        to: str,
        message_id: str,
        substitutions: Mapping[str, str] | None = None,
        list_unsubscribe: str | None = None,
    ) -> str:
        """Send one copy; returns its Message-ID once the server (or backend) took it."""
        if self.raw_smtp:
            outgoing = mail.raw_for(
                to=to,
                message_id=message_id,
                substitutions=substitutions,
                list_unsubscribe=list_unsubscribe,
            )
            self.mailer.open()
            self.mailer.connection.sendmail(mail.envelope_from, [outgoing.recipient], outgoing.raw)
        else:
            message = mail.email_for(
                to=to,
                message_id=message_id,
                substitutions=substitutions,
                list_unsubscribe=list_unsubscribe,
            )
            self.mailer.send_messages([message])
        return message_id

    @property
    def connected(self) -> bool:
        """Whether the mailer's connection is open: False after the server dropped it or
        refused to talk (always True for backends without a connection)."""
        if not self.raw_smtp:
            return True
        smtp = getattr(self.mailer, "connection", None)
        return smtp is not None and getattr(smtp, "sock", None) is not None

    def close(self) -> None:
        """Close the connection; a server that already went away is no error here."""
        try:
            self.mailer.close()
        except (smtplib.SMTPException, OSError):
            if getattr(self.mailer, "connection", None) is not None:
                self.mailer.connection = None

    def __enter__(self) -> BulkSender:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
