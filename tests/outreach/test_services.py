"""Each outreach service as its callers use it: rows, audit rows, refusals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError

from hemonc.core.errors import DomainError, PermissionDenied
from hemonc.core.models import AuditEntry
from hemonc.core.permissions import OPERATOR
from hemonc.members.enums import Role
from hemonc.outreach import services
from hemonc.outreach.enums import Platform
from hemonc.outreach.importers.sources import sources_from_paths
from hemonc.outreach.models import FollowerSnapshot, Post, SocialAccount
from tests.factories import make_member
from tests.outreach.conftest import ALL_X, ARCHIVE, FOLLOWERS, JUNE
from tests.outreach.test_importers import _outbox

pytestmark = pytest.mark.django_db


def test_account_get_or_create_finds_a_handle_in_any_case_and_audits_a_new_one() -> None:
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)

    account, created = services.account_get_or_create(
        platform=Platform.X, handle="@ExampleNet", actor=organizer
    )
    again, created_again = services.account_get_or_create(
        platform=Platform.X, handle="examplenet", actor=organizer
    )

    assert (account.handle, created, again, created_again) == ("ExampleNet", True, account, False)
    entry = AuditEntry.objects.get(action="outreach.account_create")
    assert entry.actor == organizer


def test_account_get_or_create_refuses_a_member_and_a_blank_handle() -> None:
    with pytest.raises(PermissionDenied):
        services.account_get_or_create(platform=Platform.X, handle="Mine", actor=make_member())
    with pytest.raises(DomainError, match="needs a handle"):
        services.account_get_or_create(platform=Platform.X, handle=" @ ", actor=OPERATOR)

    assert not SocialAccount.objects.exists()


def test_x_analytics_import_writes_posts_and_an_audit_row() -> None:
    summary = services.x_analytics_import(
        sources=sources_from_paths(ALL_X), account="ExampleNet", actor=OPERATOR
    )

    assert summary.accounts_created == ["ExampleNet"]
    assert Post.objects.filter(impressions__isnull=False).count() == 6
    entry = AuditEntry.objects.get(action="outreach.import_x_analytics")
    assert (entry.actor, entry.changes["files"]) == (None, len(ALL_X))


def test_x_analytics_import_is_refused_to_a_member() -> None:
    with pytest.raises(PermissionDenied):
        services.x_analytics_import(sources=sources_from_paths([JUNE]), actor=make_member())

    assert not Post.objects.exists()


def test_followers_import_loads_snapshots_and_replaces_a_known_day() -> None:
    services.follower_snapshot_record(
        account=services.account_get_or_create(
            platform=Platform.X, handle="ExampleNet", actor=OPERATOR
        )[0],
        on=date(2022, 6, 1),
        followers=1,
        actor=OPERATOR,
    )

    summary = services.followers_import(path=FOLLOWERS, account="ExampleNet", actor=OPERATOR)

    assert (summary.rows, summary.first, summary.last) == (3, date(2022, 6, 1), date(2022, 7, 31))
    assert FollowerSnapshot.objects.get(date=date(2022, 6, 1)).followers == 3000
    with pytest.raises(PermissionDenied):
        services.followers_import(path=FOLLOWERS, account="ExampleNet", actor=make_member())


def test_follower_snapshot_record_keeps_one_count_per_day() -> None:
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    account, _ = services.account_get_or_create(
        platform=Platform.X, handle="ExampleNet", actor=organizer
    )

    services.follower_snapshot_record(
        account=account, on=date(2022, 8, 1), followers=3500, actor=organizer
    )
    services.follower_snapshot_record(
        account=account, on=date(2022, 8, 1), followers=3510, actor=organizer
    )

    assert list(FollowerSnapshot.objects.values_list("date", "followers")) == [
        (date(2022, 8, 1), 3510)
    ]
    with pytest.raises(DomainError, match="cannot be negative"):
        services.follower_snapshot_record(
            account=account, on=date(2022, 8, 2), followers=-1, actor=organizer
        )
    with pytest.raises(PermissionDenied):
        services.follower_snapshot_record(
            account=account, on=date(2022, 8, 2), followers=1, actor=make_member()
        )
    assert AuditEntry.objects.filter(action="outreach.follower_snapshot").count() == 2


def test_mastodon_archive_import_counts_the_posts_added(tmp_path: Path) -> None:
    summary = services.mastodon_archive_import(
        path=_outbox(tmp_path, 5), account="@hemonc@med.example", actor=OPERATOR
    )

    assert (summary.posts, summary.added, summary.account.handle) == (
        1,
        1,
        "hemonc@med.example",
    )
    with pytest.raises(DomainError, match="is not a Mastodon account"):
        services.mastodon_archive_import(
            path=_outbox(tmp_path, 6), account="@hemonc", actor=OPERATOR
        )
    with pytest.raises(PermissionDenied):
        services.mastodon_archive_import(
            path=_outbox(tmp_path, 7), account="@hemonc@med.example", actor=make_member()
        )


def test_account_get_or_create_refuses_a_handle_too_long_or_unprintable() -> None:
    with pytest.raises(DomainError, match="is not an account handle"):
        services.account_get_or_create(platform=Platform.X, handle="x" * 121, actor=OPERATOR)
    with pytest.raises(DomainError, match="is not an account handle"):
        services.account_get_or_create(platform=Platform.X, handle="Net\x07", actor=OPERATOR)

    assert not SocialAccount.objects.exists()


def test_x_analytics_import_gives_an_archive_to_the_one_account_known(import_x) -> None:
    services.account_get_or_create(platform=Platform.X, handle="ExampleNet", actor=OPERATOR)

    import_x(ARCHIVE, account=None)

    assert set(Post.objects.values_list("account__handle", flat=True)) == {"ExampleNet"}


def test_x_analytics_import_of_an_archive_needs_the_account_among_several(import_x) -> None:
    for handle in ("ExampleNet", "OtherNet"):
        services.account_get_or_create(platform=Platform.X, handle=handle, actor=OPERATOR)

    with pytest.raises(CommandError, match="the archive names no account; give --account"):
        import_x(ARCHIVE, account=None)

    assert not Post.objects.exists()


def test_x_analytics_import_refuses_a_translated_export_naming_its_language(
    import_x, tmp_path: Path
) -> None:
    path = tmp_path / "tweet_activity_metrics_ExampleNet_20220601_20220701_pt.csv"
    path.write_text('"ID do Tweet","Link permanente do Tweet"\n"1","x"\n', encoding="utf-8")

    with pytest.raises(CommandError, match="a 'pt' tweet activity export: only English headers"):
        import_x(path)

    assert not Post.objects.exists()


def test_followers_import_of_a_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(DomainError, match=r"nowhere\.csv: line 0, field 'file': No such file"):
        services.followers_import(
            path=tmp_path / "nowhere.csv", account="ExampleNet", actor=OPERATOR
        )

    assert not FollowerSnapshot.objects.exists()


def test_x_analytics_import_gives_an_archive_to_the_account_of_the_exports_read_with_it(
    import_x,
) -> None:
    import_x(JUNE, ARCHIVE, account=None)

    assert set(Post.objects.values_list("account__handle", flat=True)) == {"ExampleNet"}
    assert Post.objects.filter(source_format="x_archive").exists()
