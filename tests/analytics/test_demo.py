"""The demo network's report reproduces every figure of the published abstract."""

from __future__ import annotations

import io

from django.core.management import call_command


def test_demo_report_reproduces_the_abstract(db):
    call_command("demo", "--public-demo", stdout=io.StringIO())
    call_command("demo", "--public-demo", stdout=io.StringIO())  # idempotent
    out = io.StringIO()

    call_command("report", "--format", "md", stdout=out)

    text = out.getvalue()
    for phrase in [
        "grown to more than 3,400 followers",
        "The highest impressions per month have been 93.4K, with a mean of 263 impressions "
        "per post in the month of July 2022.",
        "The mean engagement per post was 3.4%.",
        "22 live sessions were held between July 2021 and June 2022",
        "The average attendance was 49.6 persons per session (range 22-187).",
        "121 people subscribed to the newsletter.",
        "53% of subscribers were male.",
        "34% were internal medicine residents, 31% hematology-oncology fellows, 9% attendings, "
        "5% advanced fellows and 5% medical students.",
        "Subscribers were from 21 different countries.",
    ]:
        assert phrase in text
