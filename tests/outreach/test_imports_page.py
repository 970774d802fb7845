"""Organizers upload exports, follower files and Mastodon archives on a page; the import runs
in the background (the task the upload queues) with the importers the commands use."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hemonc.core.permissions import OPERATOR
from hemonc.members.enums import Role
from hemonc.members.services import member_set_role
from hemonc.outreach.enums import ImportStatus
from hemonc.outreach.models import FollowerSnapshot, ImportRun, Post
from hemonc.outreach.services import upload_folder
from tests.bombs import zip_bomb
from tests.factories import make_member
from tests.outreach.conftest import ARCHIVE, CONTENT, FIXTURES, FOLLOWERS, JUNE, OVERVIEW, WINDOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


@pytest.fixture
def organizer(client):
    user = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    client.force_login(user)
    return user


def _file(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def _upload(client, capture, kind: str, upload: SimpleUploadedFile, account: str = ""):
    with capture(execute=True):
        response = client.post(
            reverse("outreach:imports"), {"kind": kind, "file": upload, "account": account}
        )
    return response


def _page(client, run: ImportRun) -> str:
    return client.get(reverse("outreach:import_run", args=[run.pk])).content.decode()


def test_an_x_export_uploaded_is_imported_in_the_background(
    client, organizer, django_capture_on_commit_callbacks
):
    response = _upload(
        client, django_capture_on_commit_callbacks, "x_analytics", _file(JUNE), "@ExampleNet"
    )

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("outreach:import_run", args=[run.pk])
    assert run.status == ImportStatus.DONE and run.created_by == organizer
    assert run.rows == Post.objects.count() > 0
    page = _page(client, run)
    assert f"Imported: {run.rows} rows" in page
    assert "posts added" in page
    # The upload is gone once imported; the run stays in the history.
    assert not any(upload_folder().rglob("*.csv"))
    history = client.get(reverse("outreach:imports")).content.decode()
    assert JUNE.name in history and "Olu Organizer" in history


def test_a_zip_of_every_x_format_is_imported_at_once(
    client, organizer, django_capture_on_commit_callbacks, tmp_path
):
    bundle = tmp_path / "x-exports.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        for path in (JUNE, WINDOW, CONTENT, OVERVIEW, ARCHIVE):
            archive.write(path, path.name)

    _upload(client, django_capture_on_commit_callbacks, "x_analytics", _file(bundle), "ExampleNet")

    run = ImportRun.objects.get()
    assert run.status == ImportStatus.DONE, run.error
    assert "Read 5 files" in run.summary and "daily rows" in run.summary


def test_follower_counts_are_imported_for_the_account_named(
    client, organizer, django_capture_on_commit_callbacks
):
    _upload(
        client, django_capture_on_commit_callbacks, "followers", _file(FOLLOWERS), "@ExampleNet"
    )

    run = ImportRun.objects.get()
    assert run.status == ImportStatus.DONE and run.rows == 3
    assert FollowerSnapshot.objects.filter(account__handle="ExampleNet").count() == 3
    assert "Read 3 follower counts of @ExampleNet, from 2022-06-01 to 2022-07-31." in _page(
        client, run
    )


def test_a_mastodon_archive_is_imported(client, organizer, django_capture_on_commit_callbacks):
    outbox = {
        "orderedItems": [
            {
                "type": "Create",
                "object": {
                    "id": "https://med.example/users/hemonc/statuses/1",
                    "type": "Note",
                    "published": "2023-01-05T15:00:00Z",
                    "content": "<p>Hello #HemeTwitter</p>",
                    "likes": {"totalItems": 4},
                    "shares": {"totalItems": 2},
                },
            }
        ]
    }
    data = json.dumps(outbox).encode()
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as archive:
        info = tarfile.TarInfo("outbox.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    upload = SimpleUploadedFile("archive-20230105.tar.gz", raw.getvalue())

    _upload(client, django_capture_on_commit_callbacks, "mastodon", upload, "@hemonc@med.example")

    run = ImportRun.objects.get()
    assert run.status == ImportStatus.DONE, run.error
    assert "Read 1 post of @hemonc@med.example: 1 new." in _page(client, run)
    assert Post.objects.get().likes == 4


def test_a_broken_file_names_file_line_and_field_and_writes_nothing(
    client, organizer, django_capture_on_commit_callbacks, tmp_path
):
    """A zip whose second file has a bad row: the first file's posts are not kept either."""
    bundle = tmp_path / "june-and-window.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.write(JUNE, JUNE.name)
        archive.write(FIXTURES / "broken" / WINDOW.name, WINDOW.name)

    _upload(client, django_capture_on_commit_callbacks, "x_analytics", _file(bundle), "ExampleNet")

    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED and run.rows == 0
    assert Post.objects.count() == 0
    assert (run.error_file, run.error_line, run.error_field) == (
        f"june-and-window.zip!{WINDOW.name}",
        5,
        "impressions",
    )
    page = _page(client, run)
    assert "Nothing was imported" in page
    assert f"june-and-window.zip!{WINDOW.name}" in page
    assert "&#x27;6OO.0&#x27; is not a whole number" in page
    assert str(tmp_path) not in page  # the place the upload was kept is nobody's business


def test_a_zip_bomb_is_refused_by_the_archive_limits(
    client, organizer, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.IMPORT_ARCHIVE_MAX_BYTES = 2 * 1024 * 1024
    bomb = zip_bomb(tmp_path / "exports.zip", "tweets.js", head=b"window.YTD.tweets.part0 = [")

    _upload(client, django_capture_on_commit_callbacks, "x_analytics", _file(bomb), "ExampleNet")

    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED
    assert run.error_file == "exports.zip" and run.error_field == "tweets.js"
    assert "expands" in run.error and Post.objects.count() == 0


def test_uploads_past_the_size_limit_or_of_the_wrong_kind_are_refused(client, organizer, settings):
    settings.OUTREACH_UPLOAD_MAX_BYTES = 1024 * 1024
    too_big = SimpleUploadedFile("followers.csv", b"date,followers\n" + b"x" * 1024 * 1024)
    response = client.post(
        reverse("outreach:imports"), {"kind": "followers", "file": too_big, "account": "a"}
    )
    assert response.status_code == 400
    assert "The file is larger than 1 MB." in response.content.decode()

    response = client.post(
        reverse("outreach:imports"),
        {"kind": "followers", "file": _file(ARCHIVE), "account": "ExampleNet"},
    )
    assert "The file must end in .csv for follower counts." in response.content.decode()

    response = client.post(
        reverse("outreach:imports"), {"kind": "followers", "file": _file(FOLLOWERS)}
    )
    assert "Name the account these figures belong to." in response.content.decode()
    response = client.post(
        reverse("outreach:imports"),
        {"kind": "mastodon", "file": _file(FOLLOWERS, "outbox.json"), "account": "hemonc"},
    )
    assert "A Mastodon account reads like @user@instance." in response.content.decode()
    assert not ImportRun.objects.exists()


def test_a_hostile_file_name_is_shown_as_text_and_stored_under_a_safe_name(
    client, organizer, django_capture_on_commit_callbacks, dummy_tasks
):
    name = "../../<img src=x onerror=alert(1)>.csv"
    client.post(
        reverse("outreach:imports"),
        {"kind": "followers", "file": _file(FOLLOWERS, name), "account": "ExampleNet"},
    )
    run = ImportRun.objects.get()
    stored = Path(run.stored_path)
    assert stored.is_relative_to(upload_folder()) and stored.exists()
    assert "<" not in stored.name and ".." not in stored.relative_to(upload_folder()).parts
    page = _page(client, run)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;.csv" in page


def test_the_status_part_polls_until_the_import_ends(client, organizer, dummy_tasks):
    client.post(
        reverse("outreach:imports"),
        {"kind": "followers", "file": _file(FOLLOWERS), "account": "ExampleNet"},
    )
    run = ImportRun.objects.get()
    status_url = reverse("outreach:import_run_status", args=[run.pk])

    page = _page(client, run)
    assert 'data-hx-trigger="every 2s"' in page and 'aria-live="polite"' in page
    assert "Waiting to start" in page
    # Nothing new: no content, so the live region is not read again.
    assert client.get(status_url, {"seen": "queued"}).status_code == 204

    from hemonc.outreach.tasks import run_import_task

    run_import_task.call(run.pk)
    part = client.get(status_url, {"seen": "queued"}).content.decode()
    assert "Imported: 3 rows" in part
    assert "data-hx-trigger" not in part  # done: the polling stops
    assert "<html" not in part


def test_a_run_is_imported_once_even_if_its_task_runs_twice(client, organizer, dummy_tasks):
    client.post(
        reverse("outreach:imports"),
        {"kind": "followers", "file": _file(FOLLOWERS), "account": "ExampleNet"},
    )
    run = ImportRun.objects.get()
    from hemonc.outreach.tasks import run_import_task

    run_import_task.call(run.pk)
    run_import_task.call(run.pk)
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE and run.rows == 3


def test_an_uploader_no_longer_organizer_imports_nothing(client, organizer, dummy_tasks):
    client.post(
        reverse("outreach:imports"),
        {"kind": "followers", "file": _file(FOLLOWERS), "account": "ExampleNet"},
    )
    member_set_role(user=organizer, role=Role.ORGANIZER, enabled=False, actor=OPERATOR)
    from hemonc.outreach.tasks import run_import_task

    run_import_task.call(ImportRun.objects.get().pk)
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED
    assert run.error == "The organizer who uploaded the file may no longer import files."
    assert not FollowerSnapshot.objects.exists()


def test_members_cannot_upload(client):
    client.force_login(make_member(display_name="Mia Member"))
    response = client.post(
        reverse("outreach:imports"), {"kind": "followers", "file": _file(FOLLOWERS)}
    )
    assert response.status_code == 403 and not ImportRun.objects.exists()


def test_the_upload_service_refuses_what_the_form_would(organizer, settings):
    from hemonc.core.errors import DomainError
    from hemonc.outreach.services import import_upload

    upload = _file(FOLLOWERS)
    with pytest.raises(DomainError, match=r"Choose what kind of file this is\."):
        import_upload(actor=organizer, kind="spreadsheet", upload=upload)
    with pytest.raises(DomainError, match=r"Name the account these figures belong to\."):
        import_upload(actor=organizer, kind="followers", upload=upload, account="@")
    settings.OUTREACH_UPLOAD_MAX_BYTES = 10
    with pytest.raises(DomainError, match="larger than the 0 MB"):
        import_upload(actor=organizer, kind="followers", upload=upload, account="a")
    assert not ImportRun.objects.exists()


def test_an_import_that_cannot_run_says_why_and_writes_nothing(
    client, organizer, dummy_tasks, monkeypatch, tmp_path
):
    from hemonc.outreach import tasks

    empty = tmp_path / "empty.zip"
    zipfile.ZipFile(empty, "w").close()
    client.post(
        reverse("outreach:imports"),
        {"kind": "x_analytics", "file": _file(empty), "account": "ExampleNet"},
    )
    tasks.run_import_task.call(ImportRun.objects.get().pk)
    run = ImportRun.objects.get()
    assert (run.status, run.error_file, run.error) == (
        ImportStatus.FAILED,
        "empty.zip",
        "the zip holds no files",
    )

    # A fault of the program, not of the file: the page says so without a traceback.
    client.post(
        reverse("outreach:imports"),
        {"kind": "followers", "file": _file(FOLLOWERS), "account": "ExampleNet"},
    )
    broken = ImportRun.objects.latest("id")

    def fail(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(tasks.services, "followers_import", fail)
    tasks.run_import_task.call(broken.pk)
    broken.refresh_from_db()
    assert broken.status == ImportStatus.FAILED
    assert broken.error == (
        "The import stopped on an unexpected error (RuntimeError); nothing was imported."
    )
    assert not FollowerSnapshot.objects.exists()


def test_an_upload_whose_organizer_was_erased_imports_nothing(client, organizer, dummy_tasks):
    from hemonc.outreach.tasks import run_import_task

    client.post(
        reverse("outreach:imports"),
        {"kind": "followers", "file": _file(FOLLOWERS), "account": "ExampleNet"},
    )
    run = ImportRun.objects.get()
    organizer.is_active = False
    organizer.save(update_fields=["is_active"])
    run_import_task.call(run.pk)
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED
    assert run.error == "The organizer who uploaded the file no longer has an account."


def test_a_refusal_of_the_service_shows_on_the_form(client, organizer):
    response = client.post(
        reverse("outreach:imports"),
        {"kind": "followers", "file": _file(FOLLOWERS), "account": "@"},
    )
    assert response.status_code == 400
    assert "Name the account these figures belong to." in response.content.decode()
    assert not ImportRun.objects.exists()
