"""Links to a list's other pages keep the list's filters and say where they lead."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template.loader import render_to_string


def _links(**context: object) -> str:
    return render_to_string("core/_pagination.html", context)


def test_one_page_has_no_links() -> None:
    assert _links(page=Paginator(range(3), 10).get_page(1)).strip() == ""


def test_middle_page_links_both_ways_keeping_the_filters() -> None:
    html = _links(page=Paginator(range(30), 10).get_page(2), query="q=lee&stage=fellow")
    assert 'href="?q=lee&amp;stage=fellow&amp;page=1"' in html
    assert 'href="?q=lee&amp;stage=fellow&amp;page=3"' in html
    assert ">Previous</a>" in html and ">Next</a>" in html
    assert "Page 2 of 3" in html
    assert 'aria-label="Pages"' in html


def test_newest_first_lists_say_newer_and_older() -> None:
    html = _links(page=Paginator(range(30), 10).get_page(2), newest_first=True, label="Log")
    assert ">Newer</a>" in html and ">Older</a>" in html
    assert 'aria-label="Log"' in html


def test_hostile_filters_stay_text() -> None:
    html = _links(page=Paginator(range(30), 10).get_page(1), query='q="><script>x</script>')
    assert "<script>" not in html
