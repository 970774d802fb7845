"""Mailchimp audience export: the subscribed, unsubscribed and cleaned member files.

The audience's merge fields come first (headers are their display names), then the fixed
columns (`Email Address`, ..., `OPTIN_TIME`, `CONFIRM_TIME`, `CC`, ...). The unsubscribed
file adds `UNSUB_TIME`, the cleaned file (bounced addresses) `CLEAN_TIME`.
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
    clean_ip,
    csv_records,
    demographic_columns,
    find_column,
    parse_time,
)

EMAIL = "Email Address"


def _status(source: InputFile, header: list[str]) -> tuple[SubscriberStatus, str | None]:
    """Which of the three files this is: by its columns, else by its name."""
    if find_column(header, "CLEAN_TIME"):
        return SubscriberStatus.BOUNCED, find_column(header, "CLEAN_TIME")
    if find_column(header, "UNSUB_TIME"):
        return SubscriberStatus.UNSUBSCRIBED, find_column(header, "UNSUB_TIME")
    name = source.name.rsplit(":", 1)[-1].rsplit("/", 1)[-1].lower()
    if name.startswith("cleaned"):
        return SubscriberStatus.BOUNCED, None
    if name.startswith("unsubscribed"):
        return SubscriberStatus.UNSUBSCRIBED, None
    return SubscriberStatus.SUBSCRIBED, None


def _time(
    source: InputFile, line: int, record: dict[str, str], column: str | None
) -> datetime | None:
    if column is None:
        return None
    return parse_time(file=source.name, line=line, field=column, value=record.get(column))


def parse_mailchimp(source: InputFile, *, fields: dict[str, str]) -> Iterator[Row]:
    header: list[str] = []
    email_column = ""
    for line, record in csv_records(source):
        if not header:
            header = list(record)
            found = find_column(header, EMAIL)
            if found is None:
                raise ImportFailure(file=source.name, line=1, field=EMAIL, problem="missing column")
            email_column = found
            status, left_column = _status(source, header)
            columns = demographic_columns(file=source.name, header=header, fields=fields)
            first, last = find_column(header, "First Name"), find_column(header, "Last Name")
            optin_column, confirm_column = (
                find_column(header, "OPTIN_TIME"),
                find_column(header, "CONFIRM_TIME"),
            )
            optin_ip_column = find_column(header, "OPTIN_IP")
            confirm_ip_column = find_column(header, "CONFIRM_IP")
            cc = find_column(header, "CC")
        optin = _time(source, line, record, optin_column)
        confirm = _time(source, line, record, confirm_column)
        optin_ip = clean_ip(
            file=source.name, line=line, field=optin_ip_column or "", value=record.get(
                optin_ip_column or "")
        )  # fmt: skip
        confirm_ip = clean_ip(
            file=source.name, line=line, field=confirm_ip_column or "", value=record.get(
                confirm_ip_column or "")
        )  # fmt: skip
        name = " ".join(
            clean_cell(file=source.name, line=line, field=column, value=record.get(column),
                       max_length=NAME_MAX)
            for column in (first, last)
            if column and (record.get(column) or "").strip()
        )  # fmt: skip
        if len(name) > NAME_MAX:
            raise ImportFailure(
                file=source.name, line=line, field=first or "", problem=f"the name is "
                f"{len(name)} characters long; at most {NAME_MAX} fit"
            )  # fmt: skip
        row = Row(
            file=source.name,
            line=line,
            email=clean_email(file=source.name, line=line, field=EMAIL, value=record[email_column]),
            status=status,
            consent_source=ConsentSource.MAILCHIMP,
            consented_at=confirm or optin,
            consent_ip=(confirm_ip if confirm else optin_ip) or None,
            left_at=_time(source, line, record, left_column),
            name=name,
        )
        yield apply_demographics(
            row,
            **{key: record.get(column) if column else None for key, column in columns.items()},
            fallback_country=record.get(cc) if cc else None,
            labels={**columns, "CC": cc},
        )
