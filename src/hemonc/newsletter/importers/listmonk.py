"""listmonk subscriber export: `email,name,attributes`, attributes a JSON object.

`--field NAME=KEY` names a key of the attributes; rows are subscribed, consent at import time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from hemonc.newsletter.enums import ConsentSource, SubscriberStatus
from hemonc.newsletter.importers import (
    DEFAULT_COLUMNS,
    FIELD_NAMES,
    NAME_MAX,
    ImportFailure,
    InputFile,
    Row,
    apply_demographics,
    clean_cell,
    clean_email,
    csv_records,
    find_column,
)


def _attribute(attributes: dict[str, object], key: str) -> str | None:
    for name, value in attributes.items():
        if name.strip().lower() == key.strip().lower() and value is not None:
            return str(value)
    return None


def parse_listmonk(
    source: InputFile, *, fields: dict[str, str], imported_at: datetime
) -> Iterator[Row]:
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
            attributes_column = find_column(header, "attributes")
        raw = (record.get(attributes_column) or "").strip() if attributes_column else ""
        try:
            attributes = json.loads(raw) if raw else {}
        except json.JSONDecodeError as error:
            raise ImportFailure(
                file=source.name,
                line=line,
                field="attributes",
                problem=f"invalid JSON ({error.msg})",
            ) from None
        except RecursionError:
            raise ImportFailure(
                file=source.name,
                line=line,
                field="attributes",
                problem="the JSON is nested too deeply",
            ) from None
        except ValueError as error:  # a number of thousands of digits
            raise ImportFailure(
                file=source.name, line=line, field="attributes", problem=f"invalid JSON ({error})"
            ) from None
        if not isinstance(attributes, dict):
            raise ImportFailure(
                file=source.name, line=line, field="attributes", problem="not a JSON object"
            )
        values = {}
        for key in FIELD_NAMES:
            if key in fields:
                values[key] = _attribute(attributes, fields[key])
            else:
                values[key] = next(
                    (v for v in (_attribute(attributes, d) for d in DEFAULT_COLUMNS[key]) if v),
                    None,
                )
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
                file=source.name,
                line=line,
                field=name_column or "name",
                value=record.get(name_column) if name_column else "",
                max_length=NAME_MAX,
            ),
        )
        yield apply_demographics(
            row,
            stage=values["stage"],
            gender=values["gender"],
            country=values["country"],
            institution=values["institution"],
        )
