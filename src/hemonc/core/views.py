"""The health check, the favicon and the pages shown when a request fails."""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Min
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django_tasks_db.models import DBTaskResult, get_date_max

FAVICON = settings.BASE_DIR / "static" / "img" / "favicon.ico"

# A task that should have started this long ago means no worker is taking tasks.
TASK_BACKLOG_LIMIT = timedelta(minutes=10)


def _may_see_details(request: HttpRequest, *, database_up: bool) -> bool:
    """Monitors that send HEALTHZ_TOKEN (as a bearer token or X-Healthz-Token), and organizers
    (asked only when the database answers: the session lives there)."""
    token = settings.HEALTHZ_TOKEN
    if token:
        scheme, _, bearer = request.headers.get("Authorization", "").partition(" ")
        sent = bearer.strip() if scheme.lower() == "bearer" else ""
        sent = sent or request.headers.get("X-Healthz-Token", "")
        if hmac.compare_digest(sent.encode(), token.encode()):
            return True
    user = getattr(request, "user", None)
    return database_up and user is not None and bool(getattr(user, "is_organizer", False))


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and the task queue is being worked; 503 otherwise.

    Anyone sees only the status; what was checked (database, queue depth) is for organizers
    and for a monitor holding HEALTHZ_TOKEN.
    """
    checks, healthy = _health_checks()
    status = 200 if healthy else 503
    summary = "ok" if healthy else "error"
    database_up = checks["database"]["status"] == "ok"
    if _may_see_details(request, database_up=database_up):
        return JsonResponse({"status": summary, "checks": checks}, status=status)
    return JsonResponse({"status": summary}, status=status)


def _health_checks() -> tuple[dict[str, dict[str, object]], bool]:
    """What each check found, and whether all is well."""
    checks: dict[str, dict[str, object]] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = {"status": "ok", "vendor": connection.vendor}
    except Exception as error:
        checks["database"] = {"status": "error", "error": error.__class__.__name__}
        return checks, False
    try:
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
    return checks, healthy


@require_safe
@cache_control(public=True, max_age=7 * 24 * 3600)
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers and feed readers ask for whatever the page links (4 kB)."""
    return HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent with a missing or stale security token (CSRF_FAILURE_VIEW): how to recover.

    The page it came from is offered again when it is on this site, so one click reloads the
    form with a fresh token."""
    referer = request.headers.get("Referer", "")
    back = (
        referer
        if url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        else ""
    )
    return render(request, "403_csrf.html", {"back": back}, status=403)
