"""Bulk mail: one prepared message, personal copies as raw MIME bytes or Django messages."""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser

import pytest
from django.core import mail as django_mail
from hypothesis import given, settings
from hypothesis import strategies as st

from hemonc.core.bulkmail import (
    AddressNeedsSmtpUtf8,
    BulkSender,
    PreparedMail,
    QuotedPrintableTemplate,
    quoted_printable,
)

TEXT = "Grüße, Zoë — read the issue: %%LINK%%\nLeave: %%UNSUBSCRIBE%%\n" + "ß" * 120
HTML = '<p>Grüße, Zoë</p><a href="%%LINK%%">read</a> <a href="%%UNSUBSCRIBE%%">leave</a>'


@pytest.fixture
def prepared(settings) -> PreparedMail:  # type: ignore[no-untyped-def]
    settings.SITE_URL = "https://hemonc.example"
    return PreparedMail(
        from_email="Hem-Onc Network <news@hemonc.example>",
        subject="Myélome : les nouveautés",
        text=TEXT,
        html=HTML,
        headers={"List-Id": "News <news.hemonc.example>", "Precedence": "bulk"},
    )


def _copy(prepared: PreparedMail, **overrides: str):  # type: ignore[no-untyped-def]
    arguments = {
        "to": "ana@example.org",
        "message_id": prepared.new_message_id(7, 42),
        "substitutions": {
            "%%LINK%%": "https://hemonc.example/i/1/?a=1&b=2",
            "%%UNSUBSCRIBE%%": "https://hemonc.example/u/tok:en/",
        },
        "list_unsubscribe": "https://hemonc.example/u/tok:en/",
        **overrides,
    }
    return prepared.raw_for(**arguments)  # type: ignore[arg-type]


def test_raw_for_writes_headers_both_parts_and_substitutions(prepared) -> None:  # type: ignore[no-untyped-def]
    outgoing = _copy(prepared)

    message = BytesParser(policy=policy.default).parsebytes(outgoing.raw)

    assert outgoing.recipient == "ana@example.org"
    assert message["From"] == "Hem-Onc Network <news@hemonc.example>"
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == "Myélome : les nouveautés"
    assert message["Message-ID"] == outgoing.message_id
    assert outgoing.message_id.startswith("<7.42.")
    assert outgoing.message_id.endswith("@hemonc.example>")
    assert message["Date"]
    assert message["List-Unsubscribe"] == "<https://hemonc.example/u/tok:en/>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"] == "News <news.hemonc.example>"
    assert message["Precedence"] == "bulk"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    expected = TEXT.replace("%%LINK%%", "https://hemonc.example/i/1/?a=1&b=2").replace(
        "%%UNSUBSCRIBE%%", "https://hemonc.example/u/tok:en/"
    )
    assert text.replace("\r\n", "\n").rstrip("\n") == expected
    assert "ß" * 120 in text  # quoted-printable soft line breaks undone
    assert '<a href="https://hemonc.example/i/1/?a=1&amp;b=2">read</a>' in html
    assert '<a href="https://hemonc.example/u/tok:en/">leave</a>' in html
    assert "Grüße, Zoë" in html


def test_raw_for_encodes_parts_as_quoted_printable_ascii(prepared) -> None:  # type: ignore[no-untyped-def]
    outgoing = _copy(prepared)

    message = BytesParser(policy=policy.default).parsebytes(outgoing.raw)

    assert outgoing.raw.isascii()
    for part in message.iter_parts():
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
        assert part.get_content_charset() == "utf-8"
        assert all(len(line) <= 76 for line in part.get_payload().splitlines())


def test_each_copy_gets_its_own_message_id(prepared) -> None:  # type: ignore[no-untyped-def]
    ids = {prepared.new_message_id(1) for _ in range(100)}

    assert len(ids) == 100


def test_raw_for_without_unsubscribe_has_no_list_unsubscribe(prepared) -> None:  # type: ignore[no-untyped-def]
    outgoing = _copy(prepared, list_unsubscribe="")

    message = BytesParser(policy=policy.default).parsebytes(outgoing.raw)

    assert message["List-Unsubscribe"] is None
    assert message["List-Unsubscribe-Post"] is None


def test_raw_for_converts_an_idn_domain_and_refuses_a_non_ascii_local_part(prepared) -> None:  # type: ignore[no-untyped-def]
    assert _copy(prepared, to="ana@bücher.example").recipient == "ana@xn--bcher-kva.example"

    with pytest.raises(AddressNeedsSmtpUtf8):
        _copy(prepared, to="zoë@example.org")
    # A domain IDNA cannot encode (a label past 63 characters) cannot travel as ASCII either.
    with pytest.raises(AddressNeedsSmtpUtf8):
        _copy(prepared, to="ana@" + "ü" * 70 + ".example")


def test_sender_delivers_raw_bytes_over_smtp(prepared, mailbox) -> None:  # type: ignore[no-untyped-def]
    with BulkSender() as sender:
        assert sender.raw_smtp
        for address in ("ana@example.org", "ben@example.org"):
            sender.send(
                prepared,
                to=address,
                message_id=prepared.new_message_id(address),
                substitutions={
                    "%%LINK%%": f"https://hemonc.example/{address}",
                    "%%UNSUBSCRIBE%%": "x",
                },
                list_unsubscribe=f"https://hemonc.example/u/{address}/",
            )

    received = mailbox.wait_for(2)
    assert [m["To"] for m in received] == ["ana@example.org", "ben@example.org"]
    assert received[1]["List-Unsubscribe"] == "<https://hemonc.example/u/ben@example.org/>"
    text = received[0].get_body(preferencelist=("plain",)).get_content()
    assert "Grüße, Zoë — read the issue: https://hemonc.example/ana@example.org" in text
    assert "ß" * 120 in text


def test_sender_falls_back_to_django_messages_on_other_backends(prepared, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

    with BulkSender() as sender:
        message_id = sender.send(
            prepared,
            to="zoë@example.org",
            message_id=prepared.new_message_id(3),
            substitutions={"%%LINK%%": "https://hemonc.example/a", "%%UNSUBSCRIBE%%": "u"},
            list_unsubscribe="https://hemonc.example/u/",
        )

    (sent,) = django_mail.outbox
    assert sent.to == ["zoë@example.org"]
    assert sent.subject == "Myélome : les nouveautés"
    assert sent.extra_headers["Message-ID"] == message_id
    assert sent.extra_headers["List-Unsubscribe"] == "<https://hemonc.example/u/>"
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent.extra_headers["Precedence"] == "bulk"
    assert "read the issue: https://hemonc.example/a" in sent.body
    assert sent.alternatives[0].content.startswith("<p>Grüße, Zoë</p>")


_PIECES = st.sampled_from(
    [*"ab .=\t\r\n%ßé-", "%%A%%", "%%B%%", "x" * 80, " \n", ".\n", "\r\n", "Zoë " * 12]
)


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(_PIECES, max_size=40).map("".join),
    first=st.text(st.sampled_from([*"ab .=\t\r\n%ßé"]), max_size=90),
    second=st.text(max_size=20),
)
def test_quoted_printable_template_matches_encoding_the_filled_in_text(
    text: str, first: str, second: str
) -> None:
    pairs = (("%%A%%", first), ("%%B%%", second))
    filled = text.replace("%%A%%", first).replace("%%B%%", second)

    encoded = QuotedPrintableTemplate(text, ("%%A%%", "%%B%%")).render(pairs)

    assert encoded == quoted_printable(filled)


def test_long_list_unsubscribe_stays_a_plain_url_on_the_django_path(mailbox):
    from django.core import mail

    from hemonc.core.bulkmail import MailMessage

    url = "https://network.example.org/newsletter/unsubscribe/" + "T" * 90 + "/"
    message = MailMessage(
        subject="Issue", body="Hello", to=["reader@example.org"],
        headers={"List-Unsubscribe": f"<{url}>"},
    )  # fmt: skip
    assert f"List-Unsubscribe: <{url}>" in message.message().as_string()

    mail.mailers.default.send_messages([message])
    received = mailbox.wait_for(1)[0]
    raw = dict(received.raw_items())["List-Unsubscribe"]
    assert raw.replace("\r\n", "").replace("\n", "").strip() == f"<{url}>"


FOLDING_SUBJECT = (
    "news - " + "x" * 70 + " é 🎉 ASH25 « " + "x" * 70 + " ASH25   🎉"
)  # where the email package's own folding writes an empty encoded word


def _raw_header(message, name: str) -> str:  # type: ignore[no-untyped-def]
    return dict(message.raw_items())[name]


@pytest.mark.parametrize(
    "subject", [FOLDING_SUBJECT, "Myélome : les nouveautés", "=?utf-8?q?looks_encoded?= no"]
)
def test_raw_subject_has_no_empty_encoded_word_and_reads_back(subject, mailbox) -> None:  # type: ignore[no-untyped-def]
    mail = PreparedMail(from_email="n@hemonc.example", subject=subject, text="t", html="<p>t</p>")

    with BulkSender() as sender:
        sender.send(mail, to="ana@example.org", message_id=mail.new_message_id(1))

    (received,) = mailbox.wait_for(1)
    raw = _raw_header(received, "Subject")
    assert "?q??=" not in raw and "?b??=" not in raw
    assert all(len(line) <= 78 for line in f"Subject: {raw}".splitlines())
    assert received["Subject"] == " ".join(subject.split())  # runs of spaces made one


def test_every_copy_dates_itself_with_a_numeric_zone(prepared, mailbox) -> None:  # type: ignore[no-untyped-def]
    from django.core import mail

    from hemonc.core.bulkmail import MailMessage

    with BulkSender() as sender:
        sender.send(prepared, to="ana@example.org", message_id=prepared.new_message_id(1))
    mail.mailers.default.send_messages(
        [MailMessage(subject="One", body="b", to=["ben@example.org"])]
    )

    for received in mailbox.wait_for(2):
        assert re.fullmatch(
            r"\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000", _raw_header(received, "Date")
        )


@pytest.mark.parametrize("raw_smtp", [True, False])
def test_a_subject_with_a_line_break_or_a_huge_one_still_goes_out_on_one_line(  # type: ignore[no-untyped-def]
    raw_smtp, mailbox
) -> None:
    from django.core import mail

    from hemonc.core.bulkmail import MailMessage

    subjects = ["Issue\r\nBcc: victim@example.org", "Zoë\u2028" + "y" * 5000]
    for subject in subjects:
        if raw_smtp:
            prepared = PreparedMail(
                from_email="n@hemonc.example",
                subject=subject,
                text="t",
                html="<p>t</p>",
                headers={"List-Id": "News\n<news.hemonc.example>"},
            )
            with BulkSender() as sender:
                sender.send(prepared, to="ana@example.org", message_id=prepared.new_message_id(1))
        else:
            message = MailMessage(
                subject=subject, body="b", to=["ana@example.org"], headers={"X-Note": "a\nb"}
            )
            mail.mailers.default.send_messages([message])

    first, huge = mailbox.wait_for(2)
    assert first["Subject"] == "Issue Bcc: victim@example.org"
    assert first["Bcc"] is None
    assert huge["Subject"].startswith("Zoë yyy")
    assert len(huge["Subject"]) <= 250 and huge["Subject"].endswith("…")
    assert all(len(line) <= 78 for line in _raw_header(huge, "Subject").splitlines())


@settings(max_examples=300, deadline=None)
@given(
    subject=st.lists(
        st.sampled_from(["é", "🎉", "«", "news", "x" * 60, " ", "=?", "?=", "_", "\n", "日本"]),
        max_size=30,
    ).map("".join)
    | st.text(max_size=120)
)
def test_encoded_subjects_read_back_and_never_hold_an_empty_word(subject: str) -> None:
    from hemonc.core.bulkmail import encode_header_text, header_text

    encoded = encode_header_text("Subject", subject)

    assert encoded.isascii()
    assert "?q??=" not in encoded and "?b??=" not in encoded
    parsed = BytesParser(policy=policy.default).parsebytes(
        f"Subject: {encoded}\r\n\r\n".encode("ascii")
    )
    assert parsed["Subject"] == header_text(subject)
