"""`hemonc community post`: the community from the command line.

    hemonc community post --space SLUG --author EMAIL --title TITLE --body-file FILE

Posts a discussion as the member with that address (organizers post announcements, or move
content over from another forum), with the rules of the page: the author must be able to see
the space (one they cannot see does not exist for them), and the title and text go through
the patient-identifier check. Prints the discussion's URL path.

Exit status: 0 when posted; 1 when the text may identify a patient (each finding on standard
error, `where:line:col: kind: "text"` as `hemonc phi-check` reports them; nothing is posted);
2 when anything else stops it (no such member or space, a file that cannot be read, a title
or text the page would refuse).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hemonc.community.models import Space
from hemonc.community.services import spaces as services
from hemonc.core import phi
from hemonc.core.errors import DomainError
from hemonc.core.permissions import OPERATOR
from hemonc.members.models import User


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of `offset` in `text`."""
    before = text[:offset]
    line = before.count("\n") + 1
    return line, offset - (before.rfind("\n") + 1) + 1


class Command(BaseCommand):
    help = (
        "The community from the command line. `post`: post a discussion as a member, with the "
        "page's rules (the author sees the space; the patient-identifier check); prints its "
        "URL path. Exit 1 with the findings when the text may identify a patient, 2 on any "
        "other refusal."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        # ---- spaces ----
        post = actions.add_parser("post", help="Post a discussion in a space as a member.")
        post.add_argument("--space", required=True, help="The space's slug, e.g. general.")
        post.add_argument("--author", required=True, help="The author's sign-in address.")
        post.add_argument("--title", required=True, help="The discussion's title (one line).")
        post.add_argument(
            "--body-file", required=True, type=Path, help="Its text (Markdown, UTF-8); - for stdin."
        )
        # ---- end spaces ----

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"].replace("-", "_"))(options)

    # ---- spaces ----

    def _post(self, options: dict[str, Any]) -> None:
        body_file: Path = options["body_file"]
        body = self._read(body_file)
        author = User.objects.filter(
            email__iexact=options["author"].strip(), is_active=True
        ).first()
        if author is None:
            raise CommandError(f"No active member signs in as {options['author']}.", returncode=2)
        space = Space.objects.filter(slug=options["space"]).first()
        title = options["title"]
        found = {
            where: findings
            for where, text in (("title", title), (str(body_file), body))
            if (findings := phi.scan(text))
        }
        if found:
            for where, findings in found.items():
                text = title if where == "title" else body
                for finding in findings:
                    line, column = _position(text, finding.start)
                    quoted = json.dumps(finding.text, ensure_ascii=False)
                    self.stderr.write(f"{where}:{line}:{column}: {finding.kind}: {quoted}")
            count = sum(len(findings) for findings in found.values())
            self.stderr.write(
                f"Not posted: the text may identify a patient ({count} finding"
                f"{'s' if count != 1 else ''}). Edit it and run again."
            )
            sys.exit(1)
        if space is None:
            raise CommandError(f"There is no space “{options['space']}”.", returncode=2)
        try:
            discussion = services.discussion_create(
                actor=OPERATOR, author=author, space=space, title=title, body=body
            )
        except DomainError as error:
            # A space the author cannot see answers as if it did not exist, like the page.
            raise CommandError(f"Not posted: {error}", returncode=2) from None
        self.stdout.write(discussion.get_absolute_url())

    def _read(self, path: Path) -> str:
        try:
            data = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file.", returncode=2) from None
        except IsADirectoryError:
            raise CommandError(f"{path}: is a directory, not a file.", returncode=2) from None
        except OSError as error:
            raise CommandError(
                f"{path}: cannot be read ({error.strerror}).", returncode=2
            ) from None
        try:
            return data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not UTF-8 text.", returncode=2) from None

    # ---- end spaces ----
