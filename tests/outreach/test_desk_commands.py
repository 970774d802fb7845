"""`hemonc outreach account-add`, `post` and `publish-due`: their output and exit codes."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from hemonc.outreach.models import DeskPart, DeskPost, SocialAccount
from tests.outreach.desk_support import (
    BLUESKY_HANDLE,
    LONG,
    MASTODON_HANDLE,
)
from tests.standins import bluesky, mastodon

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("outreach", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fails(*args: str) -> tuple[int, str]:
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("outreach", *args, stdout=StringIO(), stderr=err)
    return raised.value.returncode, f"{raised.value}\n{err.getvalue()}"


@pytest.fixture
def servers(monkeypatch: pytest.MonkeyPatch, fast_retries: None) -> Any:
    with (
        bluesky.serve(handle=BLUESKY_HANDLE, password="app-password") as (bsky_url, bsky),
        mastodon.serve(token="token") as (masto_url, masto),
    ):
        monkeypatch.setenv("HEMONC_ACCOUNT_SECRET", "app-password")
        run(
            "account-add",
            "--platform",
            "bluesky",
            "--handle",
            BLUESKY_HANDLE,
            "--service",
            bsky_url,
        )
        monkeypatch.setenv("HEMONC_ACCOUNT_SECRET", "token")
        run(
            "account-add",
            "--platform",
            "mastodon",
            "--handle",
            MASTODON_HANDLE,
            "--service",
            masto_url,
        )
        monkeypatch.delenv("HEMONC_ACCOUNT_SECRET")
        yield bsky, masto


def text_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "post.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_account_add_reads_the_secret_from_the_environment_and_updates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    args = ["account-add", "--platform", "mastodon", "--handle", "@hemonc@med.example"]
    monkeypatch.delenv("HEMONC_ACCOUNT_SECRET", raising=False)
    code, message = fails(*args, "--service", "https://med.example")
    assert code == 2 and "HEMONC_ACCOUNT_SECRET" in message
    assert not SocialAccount.objects.exists()

    monkeypatch.setenv("HEMONC_ACCOUNT_SECRET", "first-token")
    out, _ = run(*args, "--service", "https://med.example")
    assert out.strip() == "Added @hemonc@med.example (Mastodon) at https://med.example."
    monkeypatch.setenv("HEMONC_ACCOUNT_SECRET", "second-token")
    out, _ = run(*args, "--service", "https://med.example/")
    assert out.startswith("Updated @hemonc@med.example (Mastodon)")
    [account] = SocialAccount.objects.all()
    assert (account.secret, account.active) == ("second-token", True)

    code, message = fails(*args, "--service", "ftp://med.example")
    assert code == 2 and "not a service address" in message


def test_post_prints_the_id_of_an_approved_post_scheduled_now_or_at_a_time(
    servers: Any, tmp_path: Path
) -> None:
    path = text_file(tmp_path, LONG)
    out, _ = run(
        "post",
        "--account",
        BLUESKY_HANDLE,
        "--account",
        MASTODON_HANDLE,
        "--text-file",
        path,
        "--kind",
        "tweetorial",
    )
    post = DeskPost.objects.get(pk=int(out.strip()))
    assert (post.state, post.kind, post.accounts.count()) == ("scheduled", "tweetorial", 2)
    assert post.approvals.count() == 1
    assert post.release_at is not None and post.release_at >= post.scheduled_at

    out, _ = run(
        "post",
        "--account",
        "@" + BLUESKY_HANDLE,
        "--text-file",
        path,
        "--kind",
        "journal-club",
        "--at",
        "2030-01-07T20:00-05:00",
    )
    later = DeskPost.objects.get(pk=int(out.strip()))
    assert (later.kind, later.scheduled_at.isoformat()) == (
        "journal_club",
        "2030-01-08T01:00:00+00:00",
    )


def test_post_stops_on_what_may_identify_a_patient_unless_attested(
    servers: Any, tmp_path: Path
) -> None:
    path = text_file(tmp_path, "Case: 54-year-old woman,\nDOB 03/14/1962, with fatigue.")
    code, message = fails(
        "post", "--account", BLUESKY_HANDLE, "--text-file", path, "--kind", "case"
    )
    assert code == 1
    assert "line 2, column 5: date '03/14/1962'" in message
    assert not DeskPost.objects.exists()

    out, _ = run(
        "post", "--account", BLUESKY_HANDLE, "--text-file", path, "--kind", "case", "--attest"
    )
    assert DeskPost.objects.get(pk=int(out)).phi_attested_at is not None

    clean = text_file(tmp_path, "Case: a woman in her fifties with fatigue. What next?")
    code, message = fails(
        "post", "--account", BLUESKY_HANDLE, "--text-file", clean, "--kind", "case"
    )
    assert code == 1 and "case post needs the attestation" in message


def test_post_names_an_unknown_account(servers: Any, tmp_path: Path) -> None:
    code, message = fails(
        "post", "--account", "nobody.bsky.social", "--text-file", text_file(tmp_path, "Hi.")
    )
    assert code == 2 and "account-add" in message


def test_publish_due_prints_each_platform_post_and_exits_0(
    servers: Any, tmp_path: Path, settings: Any
) -> None:
    bsky, masto = servers
    path = text_file(tmp_path, LONG)
    run("post", "--account", BLUESKY_HANDLE, "--account", MASTODON_HANDLE, "--text-file", path)
    bsky.fail_next("server_error")  # retried within the run

    out, err = run("publish-due")

    lines = sorted(out.splitlines())  # in the order they went out: Bluesky's came later
    assert lines[0].startswith(f"bluesky {BLUESKY_HANDLE} 1/2 https://bsky.app/profile/")
    assert lines[1].startswith(f"bluesky {BLUESKY_HANDLE} 2/2 https://bsky.app/profile/")
    assert lines[2] == f"mastodon {MASTODON_HANDLE} 1/1 {masto.statuses[0]['url']}"
    assert len(lines) == 3 and err == ""
    assert run("publish-due") == ("", "")  # nothing due: nothing again


def test_publish_due_exits_1_with_the_platforms_message_when_a_post_fails(
    servers: Any, tmp_path: Path
) -> None:
    run("post", "--account", BLUESKY_HANDLE, "--text-file", text_file(tmp_path, "Short one."))

    DeskPart.objects.update(text="z" * 400)

    code, message = fails("publish-due")

    assert code == 1
    assert f"bluesky {BLUESKY_HANDLE} 1/1 failed: " in message
    assert "0 published, 1 failed" in message
