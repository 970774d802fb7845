"""`hemonc import-sessions` and `hemonc export-sessions`: idempotent, all or nothing."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hemonc.events.enums import SessionKind
from hemonc.events.models import Guest, LiveSession, Season
from tests.factories import make_member

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "events"


def _import(name: str, *extra: str) -> str:
    out = io.StringIO()
    call_command("import-sessions", str(FIXTURES / name), *extra, stdout=out)
    return out.getvalue()


def test_import_creates_the_season_sessions_and_guests(db) -> None:
    grace = make_member(display_name="Dr. Grace Mensah")

    output = _import("season1.csv", "--season", "Season 1", "--time-zone", "America/New_York")

    assert "4 session(s) created, 0 updated" in output
    season = Season.objects.get(name="Season 1")
    assert (season.starts_on, season.ends_on) == (date(2021, 7, 8), date(2021, 12, 2))
    assert season.time_zone == "America/New_York"
    special = LiveSession.objects.get(title="Pre-ASH special: what to see in Atlanta")
    assert special.kind == SessionKind.SPECIAL
    assert special.peak_listeners == 187
    assert special.starts_at == datetime(2021, 11, 19, 1, 0, tzinfo=ZoneInfo("UTC"))
    assert sorted(g.name for g in special.guests.all()) == ["Dr. Priya Raman", "Dr. Tomas Silva"]
    # A display name is the member's to choose: a guest's name never links a member.
    assert Guest.objects.get(name="Dr. Grace Mensah").member is None
    assert not Guest.objects.filter(member=grace).exists()
    assert LiveSession.objects.get(title__startswith="Choosing").title == (
        "Choosing a fellowship: heme, onc, or both?"
    )


def test_import_again_updates_and_creates_nothing_new(db, tmp_path: Path) -> None:
    _import("season1.csv", "--season", "Season 1")
    changed = (FIXTURES / "season1.csv").read_bytes().replace(b",187,", b",190,")
    (tmp_path / "again.csv").write_bytes(changed)

    out = io.StringIO()
    call_command("import-sessions", str(tmp_path / "again.csv"), "--season", "Season 1", stdout=out)

    assert "0 session(s) created, 4 updated" in out.getvalue()
    assert LiveSession.objects.count() == 4
    assert Guest.objects.count() == 4
    assert LiveSession.objects.get(title__startswith="Pre-ASH").peak_listeners == 190


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("bad_attendance.csv", "line 3, field attendance: 'forty' is not a whole number"),
        ("naive_time.csv", "line 3, field starts_at: the time has no UTC offset"),
    ],
)
def test_import_bad_row_fails_with_line_and_field_and_writes_nothing(
    db, name: str, message: str
) -> None:
    with pytest.raises(CommandError) as failure:
        _import(name, "--season", "Season 1")

    assert message in str(failure.value)
    assert str(FIXTURES / name) in str(failure.value)
    assert not Season.objects.exists()
    assert not LiveSession.objects.exists()


def test_import_reports_line_of_a_row_after_a_quoted_newline(db, tmp_path: Path) -> None:
    path = tmp_path / "multi.csv"
    path.write_text(
        "starts_at,title,kind,guests,attendance,recording_url\n"
        '2021-07-08T20:00:00-04:00,"Two\nlines",regular,,41,\n'
        "2021-07-22T20:00:00-04:00,Bad kind,webinar,,30,\n"
    )

    with pytest.raises(CommandError, match="line 4, field kind: 'webinar' is not one of"):
        call_command("import-sessions", str(path), "--season", "S")


def test_import_missing_column_names_the_header(db, tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("starts_at,title\n2021-07-08T20:00:00-04:00,Welcome\n")

    with pytest.raises(CommandError, match="line 1, field header: missing column"):
        call_command("import-sessions", str(path), "--season", "S")


def test_export_writes_the_import_format_in_the_season_zone(db) -> None:
    _import("season1.csv", "--season", "Season 1", "--time-zone", "America/New_York")
    out = io.StringIO()

    call_command("export-sessions", "--season", "Season 1", stdout=out)

    lines = out.getvalue().removeprefix("\ufeff").splitlines()
    assert lines[0] == "starts_at,title,kind,guests,attendance,recording_url"
    assert lines[1] == (
        "2021-07-08T20:00:00-04:00,Welcome to the Hem-Onc Fellows Network,regular,"
        "Ana Lopez;Dr. Grace Mensah,41,https://x.com/i/spaces/1kvJpAAAAAA"
    )
    assert lines[3].startswith("2021-11-18T20:00:00-05:00,Pre-ASH special")
    assert lines[4] == "2021-12-02T20:00:00-05:00,#hojournalclub: the MAIA trial,journal_club,,22,"


def test_export_then_import_changes_nothing(db, tmp_path: Path) -> None:
    _import("season1.csv", "--season", "Season 1", "--time-zone", "America/New_York")
    out = io.StringIO()
    call_command("export-sessions", "--season", "Season 1", stdout=out)
    (tmp_path / "round.csv").write_text(out.getvalue())

    again = io.StringIO()
    call_command(
        "import-sessions", str(tmp_path / "round.csv"), "--season", "Season 1", stdout=again
    )

    assert "0 session(s) created, 4 updated" in again.getvalue()


def test_export_of_an_unknown_season_fails(db) -> None:
    with pytest.raises(CommandError, match="no season called 'Nope'"):
        call_command("export-sessions", "--season", "Nope")


# ---------------------------------------------------------------------------------------------
# Hostile files, guests at scale, and the export's round trip.

HEADER = "starts_at,title,kind,guests,attendance,recording_url\n"
GOOD = "2021-07-08T20:00:00-04:00,Welcome,regular,Ana Lopez,41,\n"

HOSTILE_SESSION_ROWS = [
    # (third line of the file, field named)
    ("2021-07-22T20:00:00-04:00,Ti\x00tle,regular,,,\n", "title"),
    ("2021-07-22T20:00:00-04:00,Title,regular,Ana\x1b[31m,,\n", "guests"),
    ("2021-07-22T20:00:00-04:00,Title,regular,,99999999999,\n", "attendance"),
    (f"2021-07-22T20:00:00-04:00,Title,regular,,{'9' * 5000},\n", "attendance"),
    ("9999-12-31T23:00:00-05:00,Title,regular,,,\n", "starts_at"),
    ("0001-01-01T00:00:00+01:00,Title,regular,,,\n", "starts_at"),
    (f"2021-07-22T20:00:00-04:00,Title,regular,,,https://x.example/{'a' * 500}\n",
     "recording_url"),
    (f"2021-07-22T20:00:00-04:00,{'T' * 200_000},regular,,,\n", "row"),
    ('2021-07-22T20:00:00-04:00,"Title,regular,,,\n', "row"),
    ("next thursday,Title,regular,,,\n", "starts_at"),
    ("2021-07-22T20:00:00-04:00, ,regular,,,\n", "title"),
    (f"2021-07-22T20:00:00-04:00,{'T' * 201},regular,,,\n", "title"),
    ("2021-07-22T20:00:00-04:00,Title,webinar,,,\n", "kind"),
    (f"2021-07-22T20:00:00-04:00,Title,regular,Ana;{'G' * 121},,\n", "guests"),
    ("2021-07-22T20:00:00-04:00,Title,regular,,,ftp://x.example/rec\n", "recording_url"),
]  # fmt: skip


@pytest.mark.parametrize(("row", "field"), HOSTILE_SESSION_ROWS)
def test_import_hostile_row_names_file_line_and_field_and_writes_nothing(
    db, tmp_path: Path, row: str, field: str
) -> None:
    path = tmp_path / "sessions.csv"
    path.write_text(HEADER + GOOD + row, encoding="utf-8")

    with pytest.raises(CommandError) as failure:
        call_command("import-sessions", str(path), "--season", "S")

    assert f"{path}: line 3, field {field}:" in str(failure.value)
    assert (Season.objects.count(), LiveSession.objects.count(), Guest.objects.count()) == (0, 0, 0)


def test_import_file_that_is_not_utf8_names_line_and_field(db, tmp_path: Path) -> None:
    path = tmp_path / "sessions.csv"
    path.write_bytes((HEADER + GOOD).encode() + b"2021-07-22T20:00:00-04:00,Zo\xeb,regular,,,\n")

    with pytest.raises(CommandError, match=r"line 3, field title: the file is not UTF-8"):
        call_command("import-sessions", str(path), "--season", "S")

    assert not LiveSession.objects.exists()


def _session_with_guests(path: Path, count: int, *, offset: int = 0, extra: str) -> Path:
    names = ";".join([extra, *(f"Guest {offset + n}" for n in range(count))])
    path.write_text(HEADER + f'2021-07-08T20:00:00-04:00,Big panel,regular,"{names}",,\n')
    return path


def test_import_guest_matching_takes_as_many_queries_for_thousands_of_guests_as_for_a_few(
    db, tmp_path: Path
) -> None:
    member = make_member(display_name="Dr. Linked")  # given by address, so linked
    few = _session_with_guests(tmp_path / "few.csv", 5, extra=member.email)
    many = _session_with_guests(tmp_path / "many.csv", 3000, offset=10_000, extra=member.email)

    with CaptureQueriesContext(connection) as small:
        call_command("import-sessions", str(few), "--season", "A", stdout=io.StringIO())
    with CaptureQueriesContext(connection) as large:
        call_command("import-sessions", str(many), "--season", "B", stdout=io.StringIO())

    assert len(large.captured_queries) <= len(small.captured_queries)
    assert LiveSession.objects.get(season__name="B").guests.count() == 3001
    linked = LiveSession.objects.get(season__name="A").guests.get(name="Dr. Linked")
    assert linked.member == member
    assert Guest.objects.filter(member=member).count() == 1


HOSTILE_NAMES = [
    "<b>Dr. Bold</b>",
    "Semi;colon",
    'Dr. "Quote" Smith',
    "Back\\slash;",
    '=HYPERLINK("https://evil.example","x")',
    "+1 Plus",
    "-minus",
]


def test_export_then_import_keeps_hostile_guest_names_and_titles(db, tmp_path: Path) -> None:
    source = tmp_path / "source.csv"
    guests = ";".join(n.replace("\\", "\\\\").replace(";", "\\;") for n in HOSTILE_NAMES)
    with source.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER.strip().split(","))
        writer.writerow(["2021-07-08T20:00:00-04:00", "=cmd|' /C calc'!A0", "regular", guests,
                         "", ""])  # fmt: skip
        writer.writerow(["2021-07-09T20:00:00-04:00", "@SUM(1+1)", "regular",
                         "New\nLine Name;Ana", "", ""])  # fmt: skip
    call_command("import-sessions", str(source), "--season", "S", stdout=io.StringIO())
    before = {s.title: sorted(g.name for g in s.guests.all()) for s in LiveSession.objects.all()}
    exported = tmp_path / "export.csv"

    call_command("export-sessions", "--season", "S", "--output", str(exported))
    again = io.StringIO()
    call_command("import-sessions", str(exported), "--season", "S", stdout=again)

    assert "0 session(s) created, 2 updated" in again.getvalue()
    after = {s.title: sorted(g.name for g in s.guests.all()) for s in LiveSession.objects.all()}
    assert after == before
    assert sorted(before["=cmd|' /C calc'!A0"]) == sorted(HOSTILE_NAMES)
    assert Guest.objects.count() == len(HOSTILE_NAMES) + 2
    content = exported.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    cells = [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]
    assert "'=cmd|' /C calc'!A0" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_export_to_a_missing_folder_fails_and_writes_nothing(db, tmp_path: Path) -> None:
    _import("season1.csv", "--season", "Season 1")
    target = tmp_path / "missing" / "sessions.csv"

    with pytest.raises(CommandError, match=r"missing/sessions\.csv: cannot write there"):
        call_command("export-sessions", "--season", "Season 1", "--output", str(target))

    assert not (tmp_path / "missing").exists()


def test_import_into_a_season_name_too_long_is_refused(db, tmp_path: Path) -> None:
    path = tmp_path / "sessions.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8")

    with pytest.raises(CommandError, match="season name is longer than 120 characters"):
        call_command("import-sessions", str(path), "--season", "S" * 121)

    assert not Season.objects.exists()


def test_a_member_renamed_as_a_guest_does_not_take_over_their_sessions(db, tmp_path: Path) -> None:
    _import("season1.csv", "--season", "Season 1")
    priya = Guest.objects.get(name="Dr. Priya Raman")
    impostor = make_member(display_name="Ima Poster")
    from hemonc.members.services import profile_update

    profile_update(profile=impostor.profile, actor=impostor, display_name="Dr. Priya Raman")

    _import("season1.csv", "--season", "Season 1")

    special = LiveSession.objects.get(title__startswith="Pre-ASH")
    assert priya in special.guests.all()
    assert not Guest.objects.filter(member=impostor).exists()
    assert Guest.objects.count() == 4


def test_a_guest_given_by_email_links_that_member_and_keeps_them(db, tmp_path: Path) -> None:
    from hemonc.members.services import profile_update

    grace = make_member(display_name="Dr. Grace Mensah")
    linked = (FIXTURES / "season1.csv").read_text(encoding="utf-8-sig")
    linked = linked.replace("Dr. Grace Mensah", grace.email.upper())
    (tmp_path / "linked.csv").write_text(linked, encoding="utf-8")
    call_command(
        "import-sessions", str(tmp_path / "linked.csv"), "--season", "S", stdout=io.StringIO()
    )
    assert Guest.objects.get(member=grace).name == "Dr. Grace Mensah"
    assert not Guest.objects.filter(name__contains="@").exists()
    impostor = make_member(display_name="Someone")
    profile_update(profile=impostor.profile, actor=impostor, display_name="Dr. Grace Mensah")

    _import("season1.csv", "--season", "S")

    guest = Guest.objects.get(member=grace)
    assert guest.name == "Dr. Grace Mensah"
    assert list(LiveSession.objects.get(title__startswith="Choosing").guests.all()) == [guest]
    assert not Guest.objects.filter(member=impostor).exists()


def test_a_guest_address_of_no_member_fails_with_line_and_field(db, tmp_path: Path) -> None:
    text = (FIXTURES / "season1.csv").read_text(encoding="utf-8-sig")
    (tmp_path / "unknown.csv").write_text(
        text.replace("Dr. Tomas Silva", "nobody@example.org"), encoding="utf-8"
    )
    with pytest.raises(CommandError, match="line 4, field guests: no member has the address"):
        call_command("import-sessions", str(tmp_path / "unknown.csv"), "--season", "S")
    assert not LiveSession.objects.exists()
    assert not Guest.objects.filter(name__contains="@").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "line 1, field header: the file is empty"),
        (b'"starts_at,title\n', "line 1, field header: unexpected end of data"),
    ],
)
def test_import_file_without_a_readable_header_names_the_header(
    db, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "sessions.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError) as failure:
        call_command("import-sessions", str(path), "--season", "S")

    assert str(failure.value) == f"{path}: {message}"
    assert not Season.objects.exists()


def test_import_skips_blank_lines_and_keeps_a_trailing_backslash_in_a_guest_name(
    db, tmp_path: Path
) -> None:
    path = tmp_path / "sessions.csv"
    path.write_text(
        HEADER + GOOD + ",,,,,\n\n" + "2021-07-22T20:00:00-04:00,Second,regular,Dr. Back\\,,\n",
        encoding="utf-8",
    )

    out = io.StringIO()
    call_command("import-sessions", str(path), "--season", "S", stdout=out)

    assert "2 session(s) created" in out.getvalue()
    assert [g.name for g in LiveSession.objects.get(title="Second").guests.all()] == ["Dr. Back\\"]


def test_import_of_a_missing_file_or_with_an_unknown_zone_fails_and_writes_nothing(
    db, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.csv"

    with pytest.raises(CommandError) as no_file:
        call_command("import-sessions", str(missing), "--season", "S")
    with pytest.raises(CommandError) as no_zone:
        _import("season1.csv", "--season", "S", "--time-zone", "Mars/Olympus")

    assert str(no_file.value) == f"{missing}: No such file or directory"
    assert str(no_zone.value) == "--time-zone 'Mars/Olympus' is not an IANA time zone."
    assert not Season.objects.exists()


def test_import_of_a_file_without_rows_creates_no_season(db, tmp_path: Path) -> None:
    path = tmp_path / "sessions.csv"
    path.write_text(HEADER, encoding="utf-8")

    with pytest.raises(CommandError) as failure:
        call_command("import-sessions", str(path), "--season", "Season 9")

    assert str(failure.value) == (
        f"{path}: The file has no sessions, so the season cannot be created."
    )
    assert not Season.objects.exists()
