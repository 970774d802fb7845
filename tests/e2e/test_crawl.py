"""Every page a visitor, a member and an organizer reach from the home page, on a phone and a
desktop: none wider than the screen, no word broken across lines, a short header on the
phone, no serious accessibility finding, and times in the reader's zone.

The crawl follows same-site links breadth-first through the demo network, a few pages per kind
of page (route), and skips what changes state or is not a page (sign-out, the admin, files,
feeds, links that carry tokens). Every problem of every page is collected and reported in one
failure, so one run shows them all.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable
from io import StringIO
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import Resolver404, resolve
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import DESKTOP, PHONE, TIMEOUT_MS, axe_check

READER_ZONE = "America/Chicago"  # the browser's zone: not the server's (UTC)
MAX_PAGES = 40  # per role; each is checked at two widths
PER_ROUTE = 2  # pages of one kind (e.g. two profiles, two sessions)
HEADER_MAX_PX = 100

SKIP_PREFIXES = ("/admin/", "/media/", "/static/", "/accounts/logout/", "/healthz")
# Links that act on a GET (tokens in mail, check-in, tracking) or are files and feeds.
SKIP_PATTERNS = re.compile(
    r"\.(ics|csv|pdf|json|atom|rss|xml|gif|png|jpe?g|svg|webp|zip|md|txt)$"
    r"|/(confirm|unsubscribe|preferences|manage|check-in|c|o|webhooks)/[^/]+"
    r"|/check-in/|/download|/export|/feed"
)

ROLES = {
    "visitor": None,
    "member": ("member@demo.hemonc.example", "demo-member"),
    "organizer": ("organizer@demo.hemonc.example", "demo-organizer"),
}

# Words whose letters land on different lines, in the text people read and click. A word is
# split at spaces and hyphens (a break after a hyphen is fine); addresses and links may wrap,
# so words with @ or / and words over 30 letters are left out.
BROKEN_WORDS_JS = """
() => {
  const selector = "h1, h2, h3, h4, a, button, summary, label, legend, th, td, dt, dd, .badge, .tag";
  const broken = [];
  const seen = new Set();
  let checked = 0;
  for (const element of document.querySelectorAll(selector)) {
    if (!element.getClientRects().length) continue;
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (seen.has(node)) continue;
      seen.add(node);
      const text = node.textContent;
      const word = /[^\\s\\-\\u2010-\\u2014]+/g;
      for (let match = word.exec(text); match; match = word.exec(text)) {
        const value = match[0];
        if (value.length < 2 || value.length > 30 || /[@\\/]/.test(value)) continue;
        if (++checked > 6000) return broken;
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + value.length);
        const tops = new Set();
        for (const rect of range.getClientRects()) {
          if (rect.width > 0) tops.add(Math.round(rect.top / 4));
        }
        if (tops.size > 1) broken.push(value);
      }
    }
  }
  return broken;
}
"""

LAYOUT_JS = """
() => ({
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  header: (document.querySelector(".site-header") || {getBoundingClientRect: () => ({height: 0})})
    .getBoundingClientRect().height,
})
"""

LINKS_JS = """
() => Array.from(document.querySelectorAll("a[href]"))
  .filter((a) => !a.hasAttribute("download") && !a.closest("form"))
  .map((a) => a.href)
"""


@pytest.fixture
def demo(transactional_db: None) -> None:
    """The demo network, built as `hemonc demo` does (its members sign in with its passwords)."""
    with override_settings(DEBUG=True):
        call_command("demo", stdout=StringIO())


def _route(path: str) -> str:
    try:
        match = resolve(path)
    except Resolver404:
        return path
    return match.route or match.view_name


def _worth_visiting(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return False
    path = parts.path
    return not path.startswith(SKIP_PREFIXES) and not SKIP_PATTERNS.search(path)


def _problems(page: Page, *, width: str) -> list[str]:
    found = []
    layout = page.evaluate(LAYOUT_JS)
    if layout["scrollWidth"] > layout["innerWidth"]:
        found.append(
            f"{width}: page is {layout['scrollWidth']} px wide on a {layout['innerWidth']} px screen"
        )
    if width == "phone" and layout["header"] > HEADER_MAX_PX:
        found.append(f"phone: header is {round(layout['header'])} px tall")
    broken = page.evaluate(BROKEN_WORDS_JS)
    if broken:
        found.append(f"{width}: words broken across lines: {', '.join(sorted(set(broken))[:10])}")
    try:
        axe_check(page)
    except AssertionError as error:
        found.append(f"{width}: {str(error).splitlines()[-1]}")
    return found


def _zone_problem(page: Page) -> str | None:
    """On a session's page, the first time shown is in the reader's zone and says so."""
    zones = page.locator("main .zone")
    if not zones.count():
        return None
    first = zones.first.inner_text().strip()
    if first != READER_ZONE.replace("_", " "):
        return f"times shown in {first!r} first, not the browser's {READER_ZONE}"
    return None


def _crawl(page: Page, origin: str) -> tuple[dict[str, list[str]], list[str]]:
    """Visit pages breadth-first from the home page; problems by URL, and the zone problems."""
    queue = deque([f"{origin}/"])
    queued = {f"{origin}/"}
    per_route: Counter[str] = Counter()
    problems: dict[str, list[str]] = {}
    zone_problems: list[str] = []
    visited = 0
    while queue and visited < MAX_PAGES:
        url = queue.popleft()
        path = urlsplit(url).path
        route = _route(path)
        if per_route[route] >= PER_ROUTE:
            continue
        per_route[route] += 1
        visited += 1
        page.set_viewport_size(PHONE)
        response = page.goto(url)
        status = response.status if response else 0
        found = [] if status < 400 else [f"answers {status}"]
        if status < 400:
            found += _problems(page, width="phone")
            page.set_viewport_size(DESKTOP)
            found += _problems(page, width="desktop")
            if route == "sessions/<int:pk>/" and (zone := _zone_problem(page)):
                zone_problems.append(f"{url}: {zone}")
        if found:
            problems[url] = found
        for href in page.evaluate(LINKS_JS):
            link = urldefrag(href).url
            if link not in queued and _worth_visiting(link, origin):
                queued.add(link)
                queue.append(link)
    assert visited > 5, f"the crawl reached only {visited} pages"
    return problems, zone_problems


def _report(problems: dict[str, list[str]]) -> str:
    return "\n".join(
        f"{url}\n" + "\n".join(f"    {problem}" for problem in found)
        for url, found in problems.items()
    )


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_fits_the_phone_and_the_desktop(
    role: str, demo: None, live_server, new_context: Callable[..., BrowserContext]
) -> None:
    page = new_context(timezone_id=READER_ZONE).new_page()
    page.set_viewport_size(PHONE)
    page.set_default_timeout(TIMEOUT_MS)
    credentials = ROLES[role]
    if credentials:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email").fill(credentials[0])
        page.get_by_label(re.compile(r"^Password:?$")).fill(credentials[1])
        page.get_by_role("button", name="Sign In").click()
        expect(page.get_by_role("button", name="Menu")).to_be_visible()
    else:
        # The first page sets the browser's zone in a cookie; pages after it use it.
        page.goto(f"{live_server.url}/")

    problems, zone_problems = _crawl(page, live_server.url)

    assert not problems, f"{len(problems)} pages with problems for the {role}:\n" + _report(
        problems
    )
    if role == "visitor":
        assert not zone_problems, "\n".join(zone_problems)
