"""core.spreadsheets: formula cells quoted and read back, the BOM, the bad byte's place."""

from __future__ import annotations

import io

import pytest

from hemonc.core.spreadsheets import CsvWriter, neutralise, undecodable_cell, unneutralise


@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-x", "@me", "\tTab", "\rCR", "'=already quoted", "plain", "-12.5"]
)
def test_neutralised_text_reads_back_unchanged(text: str) -> None:
    assert unneutralise(str(neutralise(text))) == text


def test_writer_starts_with_a_bom_and_quotes_formulas_but_not_numbers() -> None:
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(['=HYPERLINK("x")', "-5", -5, "Zoë"])

    assert out.getvalue() == '\ufeff"\'=HYPERLINK(""x"")",-5,-5,Zoë\r\n'


def _error(data: bytes) -> UnicodeDecodeError:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return error
    raise AssertionError("decodes")


def test_undecodable_cell_names_the_line_and_the_column() -> None:
    data = b"email,name\na@example.org,Ana\nb@example.org,Zo\xeb\n"

    assert undecodable_cell(data, _error(data)) == (3, "name")


def test_undecodable_cell_of_a_line_that_is_no_csv_names_the_line() -> None:
    data = b'email,name\na@example.org,\r"x\xff\n'

    assert undecodable_cell(data, _error(data)) == (2, "encoding")
