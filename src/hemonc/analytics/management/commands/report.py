"""`hemonc report [--from DATE] [--to DATE] [--account HANDLE] [--format json|md|html|pdf]
[--output PATH] [--exact]`: the network report."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hemonc.analytics.render import report_html, report_markdown, report_pdf
from hemonc.analytics.report import network_report
from hemonc.core.errors import DomainError


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date like 2022-06-30.") from None


class Command(BaseCommand):
    help = (
        "The network report: outreach, sessions per season, newsletter, members and "
        "mentorship, with a Results paragraph ready for an abstract. Both dates are "
        "inclusive; without them the period runs from the first to the last day with data. "
        "md, html and pdf show counts of people under 5 as '<5' unless --exact; json is exact."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", metavar="DATE", help="First day (YYYY-MM-DD).")
        parser.add_argument("--to", dest="end", metavar="DATE", help="Last day (YYYY-MM-DD).")
        parser.add_argument("--account", metavar="HANDLE", help="Outreach of this account only.")
        parser.add_argument(
            "--format", choices=["json", "md", "html", "pdf"], default="json", help="Default: json."
        )
        parser.add_argument("--output", type=Path, metavar="PATH", help="Default: standard output.")
        parser.add_argument(
            "--exact", action="store_true", help="Exact counts in md, html and pdf too."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start = _day(options["start"]) if options["start"] else None
        end = _day(options["end"]) if options["end"] else None
        try:
            report = network_report(start=start, end=end, account=options["account"])
        except DomainError as error:
            raise CommandError(str(error)) from None
        fmt, exact = options["format"], options["exact"]
        if fmt == "json":
            content: str | bytes = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
        elif fmt == "md":
            content = report_markdown(report, exact=exact)
        elif fmt == "html":
            content = report_html(report, exact=exact)
        else:
            content = report_pdf(report, exact=exact)
        output: Path | None = options["output"]
        if output is None:
            if isinstance(content, bytes):
                if sys.stdout.isatty():
                    raise CommandError("A PDF goes to a file: give --output PATH.")
                self.stdout.flush()
                sys.stdout.buffer.write(content)
            else:
                self.stdout.write(content, ending="")
            return
        try:
            if isinstance(content, bytes):
                output.write_bytes(content)
            else:
                output.write_text(content, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{output}: {error.strerror or error}") from None
        self.stderr.write(f"Wrote {output}.")
