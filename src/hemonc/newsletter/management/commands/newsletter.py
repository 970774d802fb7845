"""`hemonc newsletter stats|create|send|status`: the newsletter from the command line."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hemonc.core.errors import DomainError
from hemonc.core.permissions import OPERATOR
from hemonc.newsletter import selectors, services
from hemonc.newsletter.enums import IssueStatus
from hemonc.newsletter.models import Issue

# How long `send --wait` sleeps at most before looking at the outbox again.
POLL_SECONDS = 1.0


class Command(BaseCommand):
    help = "Newsletter statistics, and creating, sending and following issues."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        stats = commands.add_parser("stats", help="Subscribers by status, gender, stage, country.")
        stats.add_argument("--json", action="store_true", help="Exact counts as JSON.")
        create = commands.add_parser("create", help="Create a draft issue; prints its id.")
        create.add_argument("--subject", required=True)
        create.add_argument("--body-file", required=True, metavar="FILE.md")
        create.add_argument(
            "--segment",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="stage=fellow, country=US, members=true, attended=<session id>; all must hold.",
        )
        create.add_argument(
            "--attest",
            action="store_true",
            help="No patient identifiers; consent obtained where needed: store the issue even "
            "if the check for patient identifiers finds something (recorded in the audit log).",
        )
        send = commands.add_parser(
            "send",
            help="Send an issue now (one that may identify a patient was attested when saved).",
        )
        send.add_argument("issue_id", type=int, metavar="ID")
        send.add_argument(
            "--wait",
            action="store_true",
            help="Work through the outbox here until every delivery is done; exit 1 if any failed.",
        )
        status = commands.add_parser("status", help="How far the sending of an issue got.")
        status.add_argument("issue_id", type=int, metavar="ID")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as error:
            raise CommandError(str(error)) from None

    def _issue(self, issue_id: int) -> Issue:
        issue = Issue.objects.filter(pk=issue_id).first()
        if issue is None:
            raise CommandError(f"There is no issue {issue_id}.")
        return issue

    def _stats(self, options: dict[str, Any]) -> None:
        stats = selectors.subscriber_stats()
        if options["json"]:
            self.stdout.write(json.dumps(stats, indent=2))
            return
        self.stdout.write("Subscribers by status:")
        for name, count in stats["status"].items():
            self.stdout.write(f"  {name:<14}{count:>7}")
        subscribed = stats["status"]["subscribed"]
        for dimension in ("gender", "stage", "country"):
            self.stdout.write(f"Subscribed, by {dimension}:")
            for key, count in stats[dimension].items():
                share = 100 * count / subscribed if subscribed else 0
                self.stdout.write(f"  {key:<20}{count:>7}  {share:5.1f}%")
        self.stdout.write(f"Countries: {stats['countries']}")

    def _create(self, options: dict[str, Any]) -> None:
        path = Path(options["body_file"])
        try:
            body = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{path}: cannot read it ({error}).") from None
        segment: dict[str, str] = {}
        for item in options["segment"]:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--segment {item!r}: write KEY=VALUE.")
            segment[key.strip()] = value.strip()
        issue = services.issue_create(
            subject=options["subject"],
            body=body,
            segment=segment,
            actor=OPERATOR,
            phi_attested=options["attest"],
        )
        self.stdout.write(str(issue.pk))

    def _send(self, options: dict[str, Any]) -> None:
        issue = self._issue(options["issue_id"])
        if issue.status in {IssueStatus.DRAFT, IssueStatus.SCHEDULED}:
            issue = services.issue_send_now(issue=issue, actor=OPERATOR)
            self.stderr.write(
                f"Sending issue {issue.pk} to {issue.deliveries.count()} recipient(s)."
            )
        if not options["wait"]:
            return
        while True:
            issue.refresh_from_db()
            if issue.status == IssueStatus.SENT:
                break
            run = services.outbox_send(issue=issue)
            if run.done:
                break
            if run.sent == 0 and run.skipped == 0 and run.bounced == 0:
                due = run.retry_at or selectors.outbox_next_due(issue=issue)
                wait = (due - timezone.now()).total_seconds() if due else POLL_SECONDS
                time.sleep(min(max(wait, 0.05), POLL_SECONDS))
        self._status({"issue_id": issue.pk})
        progress = selectors.issue_progress(issue=issue)
        if progress.failures:
            raise CommandError(f"{progress.failures} delivery(ies) failed.")

    def _status(self, options: dict[str, Any]) -> None:
        issue = self._issue(options["issue_id"])
        progress = selectors.issue_progress(issue=issue)
        self.stdout.write(f"Issue {issue.pk}: {issue.subject}")
        self.stdout.write(f"  status: {issue.status}")
        self.stdout.write(f"  audience: {selectors.segment_label(issue.segment)}")
        self.stdout.write(
            f"  deliveries: {progress.total} (sent {progress.sent}, waiting {progress.pending}, "
            f"retrying {progress.retrying}, bounced {progress.bounced}, failed {progress.failed}, "
            f"skipped {progress.skipped})"
        )
