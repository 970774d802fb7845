"""`hemonc outreach SUBCOMMAND ...`: the publishing desk from the command line.

- `hemonc outreach thread --platform x|bluesky|mastodon [FILE]`: the thread a text becomes
  (stdin when no FILE), as JSON: `{"platform": "x", "posts": [{"text": ..., "length": ...}]}`.
  Exit 1 when a word cannot fit in a post, 2 when FILE cannot be read or is not UTF-8.
- `hemonc outreach account-add --platform bluesky|mastodon|x --handle HANDLE --service URL`:
  adds or updates an account the desk publishes from; its secret (app password, access
  token) is read from the environment variable HEMONC_ACCOUNT_SECRET, never from the command
  line.
- `hemonc outreach post --account HANDLE [--account HANDLE ...] --text-file FILE [--kind KIND]
  [--at ISO-8601] [--attest]`: an approved post (running the command approves it), scheduled
  at --at or now; prints its id. Exit 1 with the findings when the PHI guard finds something
  and --attest is not given (a case post always needs --attest).
- `hemonc outreach publish-due`: publishes everything due in this process, as the worker does,
  retrying temporary failures within the run; one line per platform post
  (`PLATFORM HANDLE i/n URL-OR-URI`). Exit 0 when all were published, 1 when any failed.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hemonc.outreach.desk.text import LIMITS, ThreadError, length, split_thread

SECRET_ENV = "HEMONC_ACCOUNT_SECRET"  # noqa: S105 - the variable's name


def _read_stdin() -> bytes:
    stream = sys.stdin
    if hasattr(stream, "buffer"):
        return stream.buffer.read()
    return stream.read().encode("utf-8", "surrogateescape")  # a text stream (tests)


def read_text(path: str | None) -> str:
    """The text of FILE, or of stdin when FILE is None or "-"; CommandError when unreadable."""
    name = "standard input" if path in (None, "-") else path
    try:
        data = _read_stdin() if path in (None, "-") else Path(str(path)).read_bytes()
    except OSError as error:
        raise CommandError(
            f"Cannot read {name}: {error.strerror or error}.", returncode=2
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CommandError(
            f"{name} is not UTF-8 text (byte {error.start} cannot be read); save it as UTF-8.",
            returncode=2,
        ) from None


class Command(BaseCommand):
    help = "The publishing desk: see the subcommands (hemonc outreach SUBCOMMAND --help)."
    # Checked in handle() instead: the subcommands that work on text alone need no
    # configuration (no database, no secret key).
    requires_system_checks: list[str] = []
    text_only = frozenset({"thread"})

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
        commands.required = True
        thread = commands.add_parser(
            "thread",
            help="Print the thread a text becomes on a platform, as JSON.",
            description=(
                "Split a text into posts exactly as they would be posted on the platform, "
                "each with its length as the platform counts it. A text that fits is one "
                "post; a longer one gets ' i/n' at the end of each post. Exit 1 when a word "
                "is longer than a post."
            ),
        )
        thread.add_argument("--platform", required=True, choices=list(LIMITS))
        thread.add_argument(
            "file", nargs="?", metavar="FILE", help="A UTF-8 text file (default: stdin)."
        )
        self.add_subcommands(commands)

    def add_subcommands(self, commands: Any) -> None:
        """More subcommands register here (each with a handle_<name> method)."""
        from hemonc.outreach.enums import DeskKind, Platform

        account = commands.add_parser(
            "account-add",
            help="Add or update an account the desk publishes from.",
            description=(
                f"Add an account, or update its service and secret. The secret (app password "
                f"or access token) is read from the environment variable {SECRET_ENV}."
            ),
        )
        account.add_argument("--platform", required=True, choices=Platform.values)
        account.add_argument("--handle", required=True)
        account.add_argument(
            "--service", required=True, help="Bluesky PDS, Mastodon instance or X API address."
        )
        account.add_argument("--time-zone", help="The zone of its queue slots (IANA name).")
        post = commands.add_parser(
            "post",
            help="Schedule an approved post (now, or at --at).",
            description=(
                "Create a post approved by whoever runs the command and schedule it at --at "
                "(ISO 8601; without an offset, in the server's time zone) or now. It leaves "
                "once the undo window passed. Prints the post's id."
            ),
        )
        post.add_argument(
            "--account", action="append", required=True, metavar="HANDLE", dest="accounts"
        )
        post.add_argument("--text-file", required=True, metavar="FILE")
        post.add_argument(
            "--kind",
            default=DeskKind.ANNOUNCEMENT.value,
            choices=[*DeskKind.values, *(v.replace("_", "-") for v in DeskKind.values if "_" in v)],
        )
        post.add_argument("--at", metavar="ISO-8601")
        post.add_argument(
            "--attest",
            action="store_true",
            help="No patient identifiers; consent obtained where needed.",
        )
        commands.add_parser(
            "publish-due",
            help="Publish everything due now, as the worker does.",
            description=(
                "Publish every due post in this process, retrying temporary failures within "
                "the run. One line per platform post: PLATFORM HANDLE i/n URL-OR-URI. Exit 0 "
                "when all were published, 1 when any failed."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand not in self.text_only and not options.get("skip_checks"):
            self.check()
        getattr(self, f"handle_{subcommand.replace('-', '_')}")(**options)

    def handle_thread(self, *, platform: str, file: str | None, **options: Any) -> None:
        text = read_text(file)
        try:
            posts = split_thread(platform, text)
        except ThreadError as error:
            raise CommandError(str(error), returncode=1) from None
        payload = {
            "platform": platform,
            "posts": [{"text": post, "length": length(platform, post)} for post in posts],
        }
        self.stdout.write(json.dumps(payload))

    # -- the desk ------------------------------------------------------------------------------

    def handle_account_add(
        self, *, platform: str, handle: str, service: str, time_zone: str | None, **options: Any
    ) -> None:
        from hemonc.core.errors import DomainError
        from hemonc.core.permissions import OPERATOR
        from hemonc.outreach.desk import services

        secret = os.environ.get(SECRET_ENV, "")
        if not secret.strip():
            raise CommandError(
                f"Set {SECRET_ENV} to the account's app password or access token.", returncode=2
            )
        try:
            account, created = services.account_save(
                platform=platform,
                handle=handle,
                service=service,
                secret=secret,
                time_zone=time_zone,
                actor=OPERATOR,
            )
        except DomainError as error:
            raise CommandError(str(error), returncode=2) from None
        self.stdout.write(f"{'Added' if created else 'Updated'} {account} at {account.service}.")

    def handle_post(
        self,
        *,
        accounts: list[str],
        text_file: str,
        kind: str,
        at: str | None,
        attest: bool,
        **options: Any,
    ) -> None:
        from hemonc.core import phi
        from hemonc.core.errors import DomainError
        from hemonc.core.permissions import OPERATOR
        from hemonc.outreach.desk import services

        text = read_text(text_file)
        kind = kind.replace("-", "_")
        when = _parse_time(at) if at else None
        chosen = [_account(handle) for handle in accounts]
        if not attest:
            findings = phi.scan(text)
            if findings:
                self.stderr.write(
                    f"The text may identify a patient ({phi.describe(findings)}); edit it, or "
                    "give --attest (no patient identifiers; consent obtained where needed):"
                )
                for finding in findings:
                    line = text.count("\n", 0, finding.start) + 1
                    column = finding.start - (text.rfind("\n", 0, finding.start) + 1) + 1
                    self.stderr.write(
                        f"  line {line}, column {column}: {finding.kind} {finding.text!r}"
                    )
                raise CommandError("Nothing was posted.", returncode=1)
        try:
            post = services.post_publish_as_operator(
                accounts=chosen, text=text, kind=kind, when=when, attested=attest, actor=OPERATOR
            )
        except DomainError as error:
            raise CommandError(str(error), returncode=1) from None
        self.stdout.write(str(post.pk))

    def handle_publish_due(self, **options: Any) -> None:
        from hemonc.outreach.desk import publishing

        wait = float(getattr(settings, "OUTREACH_COMMAND_WAIT_SECONDS", 600))
        run = publishing.publish_due(wait_seconds=wait)
        for outcome in run.published:
            self.stdout.write(outcome.line())
        for outcome in run.failed:
            self.stderr.write(outcome.line())
        waiting = publishing.waiting_parts()
        for part in waiting:
            self.stderr.write(
                f"{part.account.platform} {part.account.handle} {part.position}/{part.count} "
                f"waits until {part.next_attempt_at:%Y-%m-%d %H:%M:%S %Z}: "
                f"{publishing.one_line(part.last_error)}"
            )
        if run.failed or waiting:
            raise CommandError(
                f"{len(run.published)} published, {len(run.failed)} failed, "
                f"{len(waiting)} waiting.",
                returncode=1,
            )


def _parse_time(value: str) -> datetime:
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(
            f"--at {value!r} is not an ISO 8601 time (e.g. 2026-12-08T20:00-05:00).", returncode=2
        ) from None
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when


def _account(handle: str) -> Any:
    from hemonc.outreach.models import SocialAccount

    platform, sep, name = handle.partition(":")
    if not sep or "." in platform or "@" in platform:
        platform, name = "", handle
    name = name.strip().removeprefix("@")
    found = SocialAccount.objects.filter(handle__iexact=name, active=True)
    if platform:
        found = found.filter(platform=platform)
    accounts = list(found)
    if not accounts:
        raise CommandError(
            f"No account {handle!r} to publish from: add it with account-add.", returncode=2
        )
    if len(accounts) > 1:
        raise CommandError(
            f"{handle!r} names accounts on {len(accounts)} platforms: write PLATFORM:HANDLE.",
            returncode=2,
        )
    return accounts[0]
