"""One-line values and mail text shown as HTML."""

from __future__ import annotations

from typing import Any

from hemonc.core.text import OneLineField, has_line_break, one_line, text_as_html


def test_one_line_turns_breaks_and_control_characters_into_single_spaces() -> None:
    assert one_line(" Ana\r\n\tLopez\u2028\u2029\x00\x85 MD \x1b[31m ") == "Ana Lopez MD [31m"
    assert one_line("") == ""
    assert OneLineField(required=False).clean("Hem\nOnc") == "Hem Onc"


def test_text_as_html_escapes_everything_and_links_only_the_sites_addresses(
    settings: Any,
) -> None:
    settings.SITE_URL = "https://hemonc.example"
    text = (
        'Hi <a href="//evil.example">x</a>,\n'
        "Page: https://hemonc.example/sessions/3/.\n"
        "Lookalike: https://hemonc.example.evil.example/a https://evil.example/b\n"
        "Join: https://zoom.example/j/1"
    )

    html = text_as_html(text, links=["https://zoom.example/j/1"])

    assert "Hi &lt;a href=&quot;//evil.example&quot;&gt;x&lt;/a&gt;," in html
    assert (
        '<a href="https://hemonc.example/sessions/3/">https://hemonc.example/sessions/3/</a>.'
        in html
    )
    assert '<a href="https://zoom.example/j/1">' in html
    assert html.count("<a ") == 2
    assert html.startswith("<p>") and "<br>" in html


def test_has_line_break_sees_breaks_and_control_characters() -> None:
    assert has_line_break("Ana\nLopez")
    assert has_line_break("Ana\u2028Lopez")
    assert not has_line_break("Ana Lopez")
    assert not has_line_break("")
