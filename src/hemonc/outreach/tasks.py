"""Background work of the outreach app: an uploaded file's import."""

from __future__ import annotations

import logging
from pathlib import Path

from django.tasks import task
from django.utils import timezone

from hemonc.core.errors import DomainError, PermissionDenied
from hemonc.outreach import services
from hemonc.outreach.enums import ImportKind
from hemonc.outreach.importers.rows import OutreachFileError
from hemonc.outreach.importers.sources import sources_from_upload
from hemonc.outreach.models import ImportRun

logger = logging.getLogger(__name__)


@task()
def run_import_task(run_id: int) -> None:
    """Import an uploaded file; its run records the rows read or the problem that stopped it
    (then nothing was written: each import is one transaction)."""
    run = services.import_run_claim(run_id=run_id)
    if run is None:
        return
    try:
        rows, summary = _execute(run)
    except PermissionDenied:
        error = DomainError("The organizer who uploaded the file may no longer import files.")
        services.import_run_finish(run_id=run_id, error=error)
    except DomainError as error:
        services.import_run_finish(run_id=run_id, error=error)
    except Exception as error:
        logger.exception("The import of upload %s failed", run_id)
        problem = DomainError(
            f"The import stopped on an unexpected error ({type(error).__name__}); "
            "nothing was imported."
        )
        services.import_run_finish(run_id=run_id, error=problem)
    else:
        services.import_run_finish(run_id=run_id, rows=rows, summary=summary)


def _execute(run: ImportRun) -> tuple[int, str]:
    """Run the importer of the run's kind, the same the commands run (one transaction: all or
    nothing); the rows read and a sentence saying what was imported."""
    path, name = Path(run.stored_path), run.file_name
    actor = run.created_by
    if actor is None or not actor.is_active:
        raise DomainError("The organizer who uploaded the file no longer has an account.")
    if run.kind == ImportKind.FOLLOWERS:
        snapshots = services.followers_import(
            path=path, account=run.account, actor=actor, platform=run.platform, name=name
        )
        return snapshots.rows, services.followers_summary_text(snapshots)
    if run.kind == ImportKind.MASTODON:
        mastodon = services.mastodon_archive_import(
            path=path, account=run.account, actor=actor, name=name
        )
        return mastodon.posts, services.mastodon_summary_text(mastodon)
    sources = sources_from_upload(path, name=name)
    if not sources:
        raise OutreachFileError(name=name, line=0, field="file", problem="the zip holds no files")
    summary = services.x_analytics_import(sources=sources, account=run.account or None, actor=actor)
    return summary.rows, services.x_summary_text(summary)


@task()
def publish_desk_post_task(post_id: int) -> dict[str, int]:
    """A desk post's release time came, or its waiting parts are due again: publish what is
    due, this post's and any other's (one pass takes them all, in batches). Runs more than
    once, or at once in two workers, post nothing twice (see desk.publishing); a run that
    leaves parts waiting enqueues the next one for their time."""
    # Imported here: the desk's services enqueue this task.
    from hemonc.outreach.desk import publishing

    run = publishing.publish_due()
    if run.retry_at is not None and publish_desk_post_task.get_backend().supports_defer:
        publish_desk_post_task.using(run_after=max(run.retry_at, timezone.now())).enqueue(post_id)
    return {"published": len(run.published), "failed": len(run.failed), "retried": run.retried}
