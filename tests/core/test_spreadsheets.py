"""core.spreadsheets: formula cells quoted and read back, the BOM, the bad byte's place."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from hemonc.core.spreadsheets import (
    CsvWriter,
    OutputError,
    csv_download,
    neutralise,
    undecodable_cell,
    unneutralise,
    write_csv_atomically,
)


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


def test_csv_download_is_an_attachment_with_a_bom_and_quoted_formulas() -> None:
    response, writer = csv_download("members.csv")
    writer.writerows([["name", "note"], ["Ana", "=HYPERLINK(1)"]])

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="members.csv"'
    assert response.content.decode("utf-8") == "\ufeffname,note\r\nAna,'=HYPERLINK(1)\r\n"


def test_write_csv_atomically_writes_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"

    write_csv_atomically(path, ["email", "count"], [["a@example.org", 3], ["-b", -4]])

    assert path.read_bytes().decode("utf-8") == "\ufeffemail,count\r\na@example.org,3\r\n'-b,-4\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_write_csv_atomically_into_a_missing_folder_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "out.csv"

    with pytest.raises(OutputError, match=r"missing/out\.csv: cannot write there \(No such file"):
        write_csv_atomically(path, ["email"], [])
    assert not (tmp_path / "missing").exists()


def test_write_csv_atomically_over_a_folder_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.mkdir()

    with pytest.raises(OutputError, match=r"out\.csv: cannot write there .*nothing was written"):
        write_csv_atomically(path, ["email"], [["a@example.org"]])
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    assert path.is_dir()


def test_write_csv_atomically_failing_midway_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("old\r\n", encoding="utf-8")

    def rows():  # type: ignore[no-untyped-def]
        yield ["a@example.org"]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_csv_atomically(path, ["email"], rows())
    assert path.read_bytes().decode("utf-8") == "old\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
