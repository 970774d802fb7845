"""Substack subscriber export: `email,active_subscription,expiry,plan,email_disabled,created_at`.

Rows are subscribers with `created_at` as their consent time, except `email_disabled=true`.
"""

from __future__ import annotations

from collections.abc import Iterator

from hemonc.newsletter.enums import ConsentSource, SubscriberStatus
from hemonc.newsletter.importers import (
    ImportFailure,
    InputFile,
    Row,
    apply_demographics,
    clean_email,
    csv_records,
    demographic_columns,
    find_column,
    parse_time,
)

TRUE = {"true", "1", "yes", "t"}
FALSE = {"false", "0", "no", "f", ""}


def parse_substack(source: InputFile, *, fields: dict[str, str]) -> Iterator[Row]:
    header: list[str] | None = None
    email_column = ""
    for line, record in csv_records(source):
        if header is None:
            header = list(record)
            found = find_column(header, "email")
            if found is None:
                raise ImportFailure(
                    file=source.name, line=1, field="email", problem="missing column"
                )
            email_column = found
            disabled_column = find_column(header, "email_disabled")
            created_column = find_column(header, "created_at")
            columns = demographic_columns(file=source.name, header=header, fields=fields)
        disabled = (record.get(disabled_column) or "").strip().lower() if disabled_column else ""
        if disabled not in TRUE | FALSE:
            raise ImportFailure(
                file=source.name, line=line, field="email_disabled",
                problem=f"{disabled[:60]!r} is not true or false",
            )  # fmt: skip
        row = Row(
            file=source.name,
            line=line,
            email=clean_email(
                file=source.name, line=line, field="email", value=record[email_column]
            ),
            status=SubscriberStatus.UNSUBSCRIBED
            if disabled in TRUE
            else SubscriberStatus.SUBSCRIBED,
            consent_source=ConsentSource.SUBSTACK,
            consented_at=parse_time(
                file=source.name,
                line=line,
                field="created_at",
                value=record.get(created_column) if created_column else None,
            ),
        )
        yield apply_demographics(
            row,
            **{key: record.get(column) if column else None for key, column in columns.items()},
            labels=columns,
        )
