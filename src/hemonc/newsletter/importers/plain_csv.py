"""Any CSV file with an `email` column (and optionally `name` and demographic columns).

Rows are subscribed, with the import's time as consent time and "import" as the source.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from hemonc.newsletter.enums import ConsentSource, SubscriberStatus
from hemonc.newsletter.importers import (
    NAME_MAX,
    ImportFailure,
    InputFile,
    Row,
    apply_demographics,
    clean_cell,
    clean_email,
    csv_records,
    demographic_columns,
    find_column,
)


def parse_csv(source: InputFile, *, fields: dict[str, str], imported_at: datetime) -> Iterator[Row]:
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
            name_column = find_column(header, "name")
            columns = demographic_columns(file=source.name, header=header, fields=fields)
        row = Row(
            file=source.name,
            line=line,
            email=clean_email(
                file=source.name, line=line, field="email", value=record[email_column]
            ),
            status=SubscriberStatus.SUBSCRIBED,
            consent_source=ConsentSource.IMPORT,
            consented_at=imported_at,
            name=clean_cell(
                file=source.name, line=line, field=name_column or "name",
                value=record.get(name_column) if name_column else "", max_length=NAME_MAX,
            ),
        )  # fmt: skip
        yield apply_demographics(
            row,
            **{key: record.get(column) if column else None for key, column in columns.items()},
            labels=columns,
        )
