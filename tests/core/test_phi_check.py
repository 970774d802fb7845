"""`hemonc phi-check`: linter-style output, JSON lines, exit codes, unreadable input."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

REPOSITORY = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: bytes = b"") -> tuple[int, str, str]:
    """call_command with the exit status a shell would see."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("phi-check", *args, stdout=out, stderr=err, stdin=io.BytesIO(stdin))
        status = 0
    except SystemExit as exit:
        status = int(exit.code or 0)
    except CommandError as error:
        status = error.returncode
        err.write(f"CommandError: {error}\n")
    return status, out.getvalue(), err.getvalue()


def cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "hemonc", "phi-check", *args],
        cwd=REPOSITORY,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONWARNINGS": "ignore"},
        input=stdin,
        capture_output=True,
        check=False,
    )


def test_phi_check_reports_each_finding_with_path_line_and_column(tmp_path):
    note = tmp_path / "case.md"
    note.write_text("Case 🧵 from clinic\npt J.D., DOB 3/14/1961\n\nseen June 4, 2023\n")

    status, out, _ = run(str(note))

    assert status == 1
    assert out.splitlines() == [
        f'{note}:2:4: name: "J.D."',
        f'{note}:2:14: date: "3/14/1961"',
        f'{note}:4:6: date: "June 4, 2023"',
    ]


def test_phi_check_counts_columns_in_characters_not_bytes(tmp_path):
    note = tmp_path / "emoji.txt"
    note.write_text("🩸🩸 café MRN 00123456", encoding="utf-8")

    _, out, _ = run(str(note))

    assert out == f'{note}:1:13: mrn: "00123456"\n'


def test_phi_check_quotes_the_text_as_json(tmp_path):
    note = tmp_path / "quote.txt"
    note.write_text('Mrs. O\'Neil said "hi"')

    _, out, _ = run(str(note))

    assert out == f'{note}:1:6: name: "O\'Neil"\n'


def test_phi_check_exits_0_and_prints_nothing_for_a_clean_file(tmp_path):
    note = tmp_path / "clean.txt"
    note.write_text("R-CHOP x6, NCCN v2.2023, #ASH21, JAK2 V617F, NCT04222595, ASH 2021\n")

    assert run(str(note)) == (0, "", "")


def test_phi_check_reads_standard_input_when_no_file_is_given():
    status, out, _ = run(stdin=b"Mrs. Alvarez\n")

    assert status == 1
    assert out == '-:1:6: name: "Alvarez"\n'


def test_phi_check_reads_standard_input_for_a_dash_among_files(tmp_path):
    note = tmp_path / "a.txt"
    note.write_text("ZIP 79401")

    status, out, _ = run(str(note), "-", stdin=b"MRN 00123456")

    assert status == 1
    assert out.splitlines() == [f'{note}:1:5: zip: "79401"', '-:1:5: mrn: "00123456"']


def test_phi_check_names_a_missing_file_checks_the_others_and_exits_2(tmp_path):
    missing = tmp_path / "missing.txt"
    note = tmp_path / "note.txt"
    note.write_text("DOB 3/14/1961")

    status, out, err = run(str(missing), str(note))

    assert status == 2
    assert f"phi-check: {missing}: no such file." in err
    assert "1 file could not be read." in err
    assert out == f'{note}:1:5: date: "3/14/1961"\n'


def test_phi_check_names_a_directory(tmp_path):
    status, _, err = run(str(tmp_path))

    assert status == 2
    assert f"{tmp_path}: is a directory, not a file." in err


def test_phi_check_names_the_line_of_invalid_utf8(tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("fine\nJosé\n".encode("latin-1"))

    status, out, err = run(str(bad))

    assert status == 2
    assert out == ""
    assert f"{bad}: line 2 is not UTF-8 text (byte 0xe9 at offset 8)." in err


def test_phi_check_handles_nul_bytes_and_a_huge_line(tmp_path):
    note = tmp_path / "huge.txt"
    note.write_bytes(b"\x00" * 1000 + b"x" * 500_000 + b" MRN 00123456 " + b"7" * 200_000)

    status, out, _ = run(str(note))

    assert status == 1
    assert out == f'{note}:1:501006: mrn: "00123456"\n'


def test_phi_check_jsonl_answers_each_line_in_order_and_exits_0():
    lines = [
        {"id": "post-1", "text": "Mrs. Alvarez, DOB 3/14/1961"},
        {"id": 2, "text": "R-CHOP x6, NCCN v2.2023"},
        {"id": "post-3", "text": "🧵 MRN 00123456"},
    ]
    stdin = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n\n"

    status, out, _ = run("--jsonl", stdin=stdin.encode())

    assert status == 0
    assert [json.loads(line) for line in out.splitlines()] == [
        {
            "id": "post-1",
            "findings": [
                {"kind": "name", "start": 5, "end": 12, "text": "Alvarez"},
                {"kind": "date", "start": 18, "end": 27, "text": "3/14/1961"},
            ],
        },
        {"id": 2, "findings": []},
        {"id": "post-3", "findings": [{"kind": "mrn", "start": 6, "end": 14, "text": "00123456"}]},
    ]


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", "not JSON"),
        ('["id", "text"]', 'expected an object {"id": ..., "text": "..."}'),
        ('{"id": "x"}', 'expected an object {"id": ..., "text": "..."}'),
        ('{"id": "x", "text": 5}', '"text" must be a string'),
        ('{"id": null, "text": "x"}', '"id" must be a string or a number'),
        ('{"id": true, "text": "x"}', '"id" must be a string or a number'),
    ],
)
def test_phi_check_jsonl_names_the_malformed_line_and_writes_nothing(bad_line, message):
    stdin = '{"id": "ok", "text": "MRN 00123456"}\n\n' + bad_line + "\n"

    status, out, err = run("--jsonl", stdin=stdin.encode())

    assert status == 2
    assert out == ""
    assert f"-, line 3: {message}" in err
    assert "nothing was written" in err


def test_phi_check_jsonl_names_a_file_that_is_not_utf8(tmp_path):
    bad = tmp_path / "posts.jsonl"
    bad.write_bytes(b'{"id": "a", "text": "ok"}\n{"id": "b", "text": "\xff"}\n')

    status, out, err = run("--jsonl", str(bad))

    assert status == 2
    assert out == ""
    assert f"{bad}: line 2 is not UTF-8 text" in err


def test_phi_check_exit_codes_from_the_shell(tmp_path):
    clean = tmp_path / "clean.txt"
    clean.write_text("ASH 2021, 375 mg/m2\n")
    dirty = tmp_path / "dirty.txt"
    dirty.write_text("call 806-555-0134\n")

    assert cli(str(clean)).returncode == 0
    found = cli(str(dirty))
    assert found.returncode == 1
    assert found.stdout.decode() == f'{dirty}:1:6: phone: "806-555-0134"\n'
    missing = cli(str(tmp_path / "nope.txt"))
    assert missing.returncode == 2
    assert b"Traceback" not in missing.stderr
    assert b"nope.txt: no such file." in missing.stderr


def test_phi_check_from_the_shell_reads_standard_input():
    result = cli(stdin=b"her daughter Maria\n")

    assert result.returncode == 1
    assert result.stdout == b'-:1:14: name: "Maria"\n'


def test_phi_check_jsonl_from_the_shell():
    ok = cli("--jsonl", stdin=b'{"id": "a", "text": "pt J.D."}\n')
    bad = cli("--jsonl", stdin=b'{"id": "a", "text": "pt J.D."}\nnot json\n')

    assert ok.returncode == 0
    assert json.loads(ok.stdout) == {
        "id": "a",
        "findings": [{"kind": "name", "start": 3, "end": 7, "text": "J.D."}],
    }
    assert bad.returncode == 2
    assert bad.stdout == b""
    assert b"-, line 2: not JSON" in bad.stderr
    assert b"Traceback" not in bad.stderr


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (PermissionError(13, "Permission denied"), "permission denied."),
        (OSError(5, "Input/output error"), "cannot be read (Input/output error)."),
    ],
)
def test_phi_check_names_a_file_it_may_not_read(tmp_path, monkeypatch, error, message):
    note = tmp_path / "locked.txt"
    note.write_text("MRN 00123456")

    def refuse(self):
        raise error

    monkeypatch.setattr(Path, "read_bytes", refuse)

    status, out, err = run(str(note))

    assert status == 2
    assert out == ""
    assert f"phi-check: {note}: {message}" in err
