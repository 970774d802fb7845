"""Background work of moderation: emptying what an edit took out, 30 days on."""

from __future__ import annotations

from django.tasks import task

from hemonc.moderation import services


@task()
def purge_original_task(decision_id: int) -> None:
    services.original_purge(decision_id=decision_id)
