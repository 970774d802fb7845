"""The checks of values read from import files: the clean value, or a message saying what
is wrong (the importers put it after the file, line and field)."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from hemonc.core import values
from hemonc.core.values import BadValue


def test_text_with_a_nul_or_control_character_is_refused_naming_it():
    with pytest.raises(BadValue, match="contains a NUL character"):
        values.text("Ana\x00Lopez")
    with pytest.raises(BadValue, match=r"contains the control character '\\x07'"):
        values.text("bell\x07")
    assert values.text("tab\tand\r\nnew line") == "tab\tand\r\nnew line"


def test_text_longer_than_its_column_is_refused_with_both_lengths():
    with pytest.raises(BadValue, match="is 1,001 characters long; at most 1000 fit"):
        values.text("x" * 1001, max_length=1000)
    assert values.text("x" * 1000, max_length=1000) == "x" * 1000


def test_whole_number_outside_its_range_is_refused_with_the_range():
    with pytest.raises(BadValue, match="-1 is not between 0 and 2,147,483,647"):
        values.whole_number(-1, high=values.INTEGER_MAX)
    with pytest.raises(BadValue, match="is not between 0 and 9,223,372,036,854,775,807"):
        values.whole_number(2**63)
    assert values.whole_number(values.BIGINT_MAX) == values.BIGINT_MAX


def test_moment_is_kept_in_utc():
    paris = timezone(timedelta(hours=2))
    assert values.moment(datetime(2026, 6, 1, 12, 0, tzinfo=paris)) == datetime(
        2026, 6, 1, 10, 0, tzinfo=UTC
    )


def test_moment_without_an_offset_or_out_of_range_is_refused():
    with pytest.raises(BadValue, match="the time has no UTC offset"):
        values.moment(datetime(2026, 6, 1, 12, 0))  # noqa: DTZ001  (naive on purpose)
    with pytest.raises(BadValue, match=r"0001-01-01T00:00:00.* is out of range"):
        values.moment(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))))
    with pytest.raises(BadValue, match=r"9999-12-31T23:00:00\+00:00 is out of range"):
        values.moment(datetime(9999, 12, 31, 23, 0, tzinfo=UTC))


def test_day_out_of_range_is_refused():
    with pytest.raises(BadValue, match="0001-01-01 is out of range"):
        values.day(date(1, 1, 1))
    assert values.day(date(2026, 2, 1)) == date(2026, 2, 1)


def test_email_is_lowercased_or_refused_with_a_short_quote():
    assert values.email("  Ana.Lopez@Example.ORG ") == "ana.lopez@example.org"
    with pytest.raises(BadValue, match="'not an address' is not an email address"):
        values.email("not an address")
    with pytest.raises(BadValue, match=r"'xxxxx.*\.\.\.' is not an email address"):
        values.email("x" * 100)
    long_address = "a" * 250 + "@example.org"
    with pytest.raises(BadValue, match="the address is 262 characters long; at most 254 fit"):
        values.email(long_address)


def test_ip_address_is_normalized_or_refused():
    assert values.ip_address(" 2001:DB8::0001 ") == "2001:db8::1"
    with pytest.raises(BadValue, match=r"'10\.0\.0\.300' is not an IP address"):
        values.ip_address("10.0.0.300")
