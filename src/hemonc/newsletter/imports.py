"""Run an import: read the files, parse every row (nothing is written on a bad file), write."""

from __future__ import annotations

from django.utils import timezone

from hemonc.core.errors import DomainError
from hemonc.core.permissions import Operator
from hemonc.members.models import User
from hemonc.newsletter.importers import ImportFailure, InputFile, Row, expand_input, read_inputs
from hemonc.newsletter.importers.listmonk import parse_listmonk
from hemonc.newsletter.importers.mailchimp import parse_mailchimp
from hemonc.newsletter.importers.plain_csv import parse_csv
from hemonc.newsletter.importers.substack import parse_substack
from hemonc.newsletter.models import SubscriberImport
from hemonc.newsletter.services import (
    ImportSummary,
    subscriber_import_claim,
    subscriber_import_fail,
    subscriber_import_finish,
    subscribers_import,
)


def parse_files(paths: list[str], *, source: str, fields: dict[str, str]) -> list[Row]:
    return parse_inputs(read_inputs(paths), source=source, fields=fields)


def parse_inputs(inputs: list[InputFile], *, source: str, fields: dict[str, str]) -> list[Row]:
    now = timezone.now()
    rows: list[Row] = []
    for input_file in inputs:
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


def run_import(import_id: int) -> SubscriberImport | None:
    """Run an uploaded import (the task worker): read and check every file first, then write
    all rows in one transaction; a file that does not fit stops it with nothing written."""
    job = subscriber_import_claim(import_id=import_id)
    if job is None:
        return None  # unknown, or another run took it
    try:
        return _run(job)
    except Exception:
        # The page must not say "running" for ever; the error itself goes to the log.
        subscriber_import_fail(
            job=job, file="", line=0, field="", problem="an unexpected error stopped it"
        )
        raise


def _run(job: SubscriberImport) -> SubscriberImport:
    try:
        inputs = [
            piece
            for upload in job.files.order_by("id")
            for piece in expand_input(upload.name, bytes(upload.content))
        ]
        rows = parse_inputs(inputs, source=job.source, fields=dict(job.fields or {}))
    except ImportFailure as failure:
        return subscriber_import_fail(
            job=job,
            file=failure.file,
            line=failure.line,
            field=failure.field,
            problem=failure.problem,
        )
    try:
        return subscriber_import_finish(job=job, rows=rows)
    except DomainError as error:  # whoever started it is no longer an organizer
        return subscriber_import_fail(job=job, file="", line=0, field="", problem=str(error))
