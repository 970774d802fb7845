"""Run an import: read the files, parse every row (nothing is written on a bad file), write."""

from __future__ import annotations

from django.utils import timezone

from hemonc.core.permissions import Operator
from hemonc.members.models import User
from hemonc.newsletter.importers import ImportFailure, Row, read_inputs
from hemonc.newsletter.importers.listmonk import parse_listmonk
from hemonc.newsletter.importers.mailchimp import parse_mailchimp
from hemonc.newsletter.importers.plain_csv import parse_csv
from hemonc.newsletter.importers.substack import parse_substack
from hemonc.newsletter.services import ImportSummary, subscribers_import


def parse_files(paths: list[str], *, source: str, fields: dict[str, str]) -> list[Row]:
    now = timezone.now()
    rows: list[Row] = []
    for input_file in read_inputs(paths):
        if source == "mailchimp":
            rows.extend(parse_mailchimp(input_file, fields=fields))
        elif source == "substack":
            rows.extend(parse_substack(input_file, fields=fields))
        elif source == "listmonk":
            rows.extend(parse_listmonk(input_file, fields=fields, imported_at=now))
        elif source == "csv":
            rows.extend(parse_csv(input_file, fields=fields, imported_at=now))
        else:
            raise ImportFailure(
                file=input_file.name, line=0, field="", problem=f"unknown source {source}"
            )
    return rows


def import_files(
    paths: list[str], *, source: str, fields: dict[str, str], actor: User | Operator
) -> ImportSummary:
    return subscribers_import(rows=parse_files(paths, source=source, fields=fields), actor=actor)
