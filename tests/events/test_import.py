"""`hemonc import-sessions` and `hemonc export-sessions`: idempotent, all or nothing."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

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

    lines = out.getvalue().splitlines()
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
