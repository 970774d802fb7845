"""The health check."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

# A task that should have started this long ago means no worker is taking tasks.
TASK_BACKLOG_LIMIT = timedelta(minutes=10)


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and the task queue is being worked; 503 otherwise."""
    checks: dict[str, object] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = {"status": "ok", "vendor": connection.vendor}
    except Exception as error:
        checks["database"] = {"status": "error", "error": error.__class__.__name__}
        return JsonResponse({"status": "error", "checks": checks}, status=503)
    try:
        from django.db.models import Min
        from django_tasks_db.models import DBTaskResult, get_date_max

        ready = DBTaskResult.objects.ready()
        # A task without run_after waits since it was enqueued; one with it, since run_after.
        oldest = [
            ready.filter(run_after=get_date_max()).aggregate(t=Min("enqueued_at"))["t"],
            ready.exclude(run_after=get_date_max()).aggregate(t=Min("run_after"))["t"],
        ]
        waiting_since = min((t for t in oldest if t is not None), default=None)
        lag = (timezone.now() - waiting_since).total_seconds() if waiting_since else 0.0
        stalled = lag > TASK_BACKLOG_LIMIT.total_seconds()
        healthy = not stalled
        checks["tasks"] = {
            "status": "stalled" if stalled else "ok",
            "ready": ready.count(),
            "oldest_wait_seconds": round(max(lag, 0.0), 1),
        }
    except Exception as error:
        healthy = False
        checks["tasks"] = {"status": "error", "error": error.__class__.__name__}
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )
