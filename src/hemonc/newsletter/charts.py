"""A horizontal bar chart as accessible SVG, drawn on the server (no JavaScript)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR_HEIGHT = 26
GAP = 8
LABEL_WIDTH = 190
CHART_WIDTH = 640
VALUE_WIDTH = 90


def bar_chart(*, title: str, bars: list[tuple[str, int, str]]) -> SafeString:
    """`bars` are (label, value, value as shown). The table beside it carries the same figures
    for screen readers; the SVG says so in its description."""
    if not bars:
        return mark_safe("")
    largest = max(value for _, value, _ in bars) or 1
    span = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = len(bars) * (BAR_HEIGHT + GAP) + GAP
    description = "; ".join(f"{label}: {shown}" for label, _, shown in bars)
    parts = [
        f'<svg class="bar-chart" role="img" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
    ]
    for index, (label, value, shown) in enumerate(bars):
        y = GAP + index * (BAR_HEIGHT + GAP)
        width = max(2, round(span * value / largest))
        text_y = y + BAR_HEIGHT / 2 + 5
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{text_y}" text-anchor="end" '
            f'font-size="14" fill="#1f2937">{escape(label[:28])}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR_HEIGHT}" rx="4" '
            f'fill="#9f1239"></rect>'
            f'<text x="{LABEL_WIDTH + width + 6}" y="{text_y}" font-size="14" '
            f'fill="#1f2937">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every interpolated text is escaped above
