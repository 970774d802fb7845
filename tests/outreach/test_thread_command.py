"""`hemonc outreach thread --platform x|bluesky|mastodon [FILE]`: the JSON other tools read."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from hemonc.outreach.desk.text import length
from hemonc.outreach.management.commands.outreach import Command

SRC = Path(__file__).resolve().parents[2] / "src"


def run_cli(
    *args: str, stdin: bytes = b"", monkeypatch: pytest.MonkeyPatch, capsys
) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    """The command as `hemonc` runs it (run_from_argv): exit status, stdout, stderr."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    status = 0
    try:
        Command().run_from_argv(["hemonc", "outreach", *args])
    except SystemExit as exit:
        status = int(exit.code or 0)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_a_short_text_is_one_post(tmp_path: Path) -> None:
    file = tmp_path / "post.txt"
    file.write_text("Join us Thursday for #hemetwitter journal club: https://example.org/jc 🩸\n")
    out = io.StringIO()
    call_command("outreach", "thread", "--platform", "x", str(file), stdout=out)
    assert json.loads(out.getvalue()) == {
        "platform": "x",
        "posts": [
            {
                "text": "Join us Thursday for #hemetwitter journal club: https://example.org/jc 🩸",
                "length": len("Join us Thursday for #hemetwitter journal club: ") + 23 + 1 + 2,
            }
        ],
    }


@pytest.mark.parametrize("platform", ["x", "bluesky", "mastodon"])
def test_a_long_text_from_stdin_is_a_thread(
    platform: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    text = "Iron deficiency without anemia is common in menstruating people. " * 20
    status, out, err = run_cli(
        "thread", "--platform", platform, stdin=text.encode(), monkeypatch=monkeypatch,
        capsys=capsys,
    )  # fmt: skip
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert data["platform"] == platform
    posts = data["posts"]
    assert len(posts) > 1
    for number, post in enumerate(posts, 1):
        assert post["text"].endswith(f" {number}/{len(posts)}")
        assert post["length"] == length(platform, post["text"])


def test_hostile_text_comes_out_as_valid_json(monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    text = 'Quote " backslash \\ NUL \x00 escape \x1b[31m rtl \u202e\n\n</script> 👩🏽‍⚕️ ' * 30
    status, out, _ = run_cli(
        "thread", "--platform", "bluesky", stdin=text.encode(), monkeypatch=monkeypatch,
        capsys=capsys,
    )  # fmt: skip
    assert status == 0
    posts = json.loads(out)["posts"]
    assert "\x00" in posts[0]["text"] and "\u202e" in posts[0]["text"]
    assert all(post["length"] <= 300 for post in posts)


def test_a_word_longer_than_a_post_exits_1_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    word = "pseudohypoparathyroidism" * 20
    status, out, err = run_cli(
        "thread", "--platform", "x", stdin=f"Look: {word}".encode(), monkeypatch=monkeypatch,
        capsys=capsys,
    )  # fmt: skip
    assert status == 1
    assert out == ""
    assert "pseudohypoparathyroidism" in err and "too long for one X post" in err
    assert "Traceback" not in err


def test_an_unreadable_file_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    status, out, err = run_cli(
        "thread", "--platform", "x", str(tmp_path / "missing.txt"), monkeypatch=monkeypatch,
        capsys=capsys,
    )  # fmt: skip
    assert (status, out) == (2, "")
    assert "Cannot read" in err and "missing.txt" in err and "Traceback" not in err
    status, _, err = run_cli(
        "thread", "--platform", "x", str(tmp_path), monkeypatch=monkeypatch, capsys=capsys
    )
    assert status == 2 and "Cannot read" in err


def test_a_file_that_is_not_utf8_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    file = tmp_path / "latin1.txt"
    file.write_bytes("Café au lait".encode("latin-1"))
    status, out, err = run_cli(
        "thread", "--platform", "mastodon", str(file), monkeypatch=monkeypatch, capsys=capsys
    )
    assert (status, out) == (2, "")
    assert "is not UTF-8 text" in err and "Traceback" not in err


def test_a_byte_order_mark_is_not_part_of_the_post(tmp_path: Path) -> None:
    file = tmp_path / "bom.txt"
    file.write_bytes("\ufeffHello".encode())
    out = io.StringIO()
    call_command("outreach", "thread", "--platform", "x", str(file), stdout=out)
    assert json.loads(out.getvalue())["posts"] == [{"text": "Hello", "length": 5}]


def test_an_empty_text_has_no_posts(monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    status, out, _ = run_cli(
        "thread", "--platform", "x", stdin=b"  \n", monkeypatch=monkeypatch, capsys=capsys
    )
    assert status == 0
    assert json.loads(out) == {"platform": "x", "posts": []}


def test_a_platform_is_required_and_checked(monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    status, _, err = run_cli("thread", monkeypatch=monkeypatch, capsys=capsys)
    assert status == 2 and "--platform" in err
    status, _, err = run_cli(
        "thread", "--platform", "myspace", monkeypatch=monkeypatch, capsys=capsys
    )
    assert status == 2 and "invalid choice" in err


def test_the_installed_command_from_a_shell_pipe() -> None:
    """End to end as another tool calls it: no configuration needed, stdin in, JSON out."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL"))
    }
    env["PYTHONPATH"] = str(SRC)
    text = "Día 1 de #ASH25 🩸. " * 30
    result = subprocess.run(
        [sys.executable, "-m", "hemonc", "outreach", "thread", "--platform", "x"],
        input=text.encode(),
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    posts = json.loads(result.stdout)["posts"]
    assert len(posts) > 1
    assert posts[0]["text"].startswith("Día 1 de #ASH25 🩸.")
    assert all(post["length"] <= 280 for post in posts)
