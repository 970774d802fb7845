"""`hemonc outreach SUBCOMMAND ...`: the publishing desk from the command line.

- `hemonc outreach thread --platform x|bluesky|mastodon [FILE]`: the thread a text becomes
  (stdin when no FILE), as JSON: `{"platform": "x", "posts": [{"text": ..., "length": ...}]}`.
  Exit 1 when a word cannot fit in a post, 2 when FILE cannot be read or is not UTF-8.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hemonc.outreach.desk.text import LIMITS, ThreadError, length, split_thread


def read_text(path: str | None) -> str:
    """The text of FILE, or of stdin when FILE is None or "-"; CommandError when unreadable."""
    name = "standard input" if path in (None, "-") else path
    try:
        if path in (None, "-"):
            data = sys.stdin.buffer.read()
        else:
            data = Path(str(path)).read_bytes()
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
