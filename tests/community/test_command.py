"""`hemonc community post`: its output and exit codes."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hemonc.community.models import Discussion
from tests.community.conftest import World


def _run(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("community", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    except CommandError as error:
        return error.returncode, out.getvalue(), str(error)
    return 0, out.getvalue(), err.getvalue()


def _post(world: World, body_file: Path, *, space: str = "trainees", author=None, title="Hello"):  # type: ignore[no-untyped-def]
    return _run(
        "post", "--space", space, "--author", (author or world.fellow).email,
        "--title", title, "--body-file", str(body_file),
    )  # fmt: skip


@pytest.fixture
def body(tmp_path: Path) -> Path:
    path = tmp_path / "body.md"
    path.write_text("Welcome to the **trainees' room**.\n", encoding="utf-8")
    return path


def test_post_prints_the_url_path(world: World, body: Path) -> None:
    code, out, _ = _post(world, body)
    discussion = Discussion.objects.get()
    assert code == 0
    assert out.strip() == f"/community/s/trainees/{discussion.pk}/"
    assert discussion.author == world.fellow
    assert "<strong>" in discussion.body_html


def test_post_author_address_in_any_case(world: World, body: Path) -> None:
    code, _, _ = _run("post", "--space", "general", "--author", world.fellow.email.upper(),
                      "--title", "Hi", "--body-file", str(body))  # fmt: skip
    assert code == 0


def test_post_with_patient_identifiers_exits_1_with_the_findings(
    world: World, tmp_path: Path
) -> None:
    path = tmp_path / "case.md"
    path.write_text("Intro line.\nPatient John Smith, MRN 12345678.\n", encoding="utf-8")
    code, out, err = _post(world, path)
    assert code == 1
    assert out == ""
    assert f"{path}:2:" in err and "mrn" in err.lower()
    assert "Not posted" in err
    assert not Discussion.objects.exists()


def test_post_with_patient_identifiers_in_the_title_exits_1(world: World, body: Path) -> None:
    code, _, err = _post(world, body, title="MRN 12345678 follow-up")
    assert code == 1 and err.startswith("title:1:")


def test_post_in_a_space_the_author_cannot_see_exits_2_as_if_it_did_not_exist(
    world: World, body: Path
) -> None:
    code, out, err = _post(world, body, author=world.attending)
    assert (code, out) == (2, "")
    assert "no such space" in err
    assert not Discussion.objects.exists()


@pytest.mark.parametrize(
    ("space", "author", "file", "message"),
    [
        ("nowhere", None, None, "There is no space"),
        ("general", "nobody@example.org", None, "No active member"),
        ("general", None, "missing.md", "no such file"),
    ],
)
def test_post_refusals_exit_2(  # type: ignore[no-untyped-def]
    world: World, body: Path, tmp_path: Path, space, author, file, message
) -> None:
    code, out, err = _run(
        "post", "--space", space, "--author", author or world.fellow.email,
        "--title", "Hi", "--body-file", str(tmp_path / file) if file else str(body),
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert message in err


def test_post_refuses_an_empty_title_or_a_file_not_utf8(world: World, tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes("caf\xe9".encode("latin-1"))
    assert _post(world, path)[0] == 2
    path.write_text("Fine", encoding="utf-8")
    code, _, err = _post(world, path, title="   ")
    assert code == 2 and "title" in err
