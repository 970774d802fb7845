from hemonc.core.markdown import render_markdown


def test_markdown_renders_formatting_links_and_lists():
    html = render_markdown("**Myeloma** and _MRD_\n\n- one\n- [ASH](https://www.hematology.org)")
    assert "<strong>Myeloma</strong>" in html
    assert "<em>MRD</em>" in html
    assert '<a href="https://www.hematology.org" rel="nofollow noopener ugc">ASH</a>' in html


def test_markdown_shows_raw_html_as_text_and_drops_dangerous_links():
    html = render_markdown('<img src=x onerror="alert(1)"> [click](javascript:alert(1))')
    assert "<img" not in html
    assert "&lt;img" in html
    assert 'href="javascript' not in html


def test_markdown_drops_images():
    html = render_markdown("![photo](https://example.org/p.png)")
    assert "<img" not in html


def test_markdown_keeps_every_heading_level():
    html = render_markdown("\n\n".join(f"{'#' * level} Level {level}" for level in range(1, 7)))
    for level in range(1, 7):
        assert f"<h{level}>Level {level}</h{level}>" in html
