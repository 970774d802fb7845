import pytest

from hemonc.core.forms import MAX_ID, parse_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (" 40 ", 40),
        (7, 7),
        ("٣", 3),
        (str(MAX_ID), MAX_ID),
        ("²³", None),
        ("99999999999999999999", None),
        (str(MAX_ID + 1), None),
        ("0", None),
        ("-1", None),
        ("1e3", None),
        ("", None),
        (None, None),
        ("a\x00b", None),
    ],
)
def test_parse_id_takes_only_ids_a_database_can_hold(value, expected):
    assert parse_id(value) == expected
