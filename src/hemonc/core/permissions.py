"""Who may do what: one way to ask, the same in views and in services.

Permissions are django-rules predicates declared in each app's `rules.py`
(`rules.add_perm("events.manage_sessions", is_organizer)`). Services call `require` with the
person they act for; views are wrapped in `permission_required`. Neither has a way around
the check: there is no actor that skips it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import HttpRequest, HttpResponse

from hemonc.core.errors import PermissionDenied

View = Callable[..., HttpResponse]


class Operator:
    """Whoever runs the server: management commands and background work act as the operator.

    Passed explicitly as a service's `actor` where no member acts (an import from the command
    line, a scheduled reminder); it may do anything, and its audit rows name no member.
    """

    pk = None
    is_authenticated = True
    is_active = True

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return True

    def __str__(self) -> str:
        return "the operator"


OPERATOR = Operator()


def require(user: Any, perm: str, obj: Any = None, *, message: str | None = None) -> None:
    """Raise `PermissionDenied` unless `user` has `perm` (on `obj`)."""
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied(message or "You may not do this.")


def permission_required(
    perm: str, *, obj: Callable[..., Any] | None = None
) -> Callable[[View], View]:
    """A view for those with `perm`: visitors are sent to sign in, others get 403.

    `obj(request, **kwargs)` returns the object the permission is about, when it is about one.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            target = obj(request, *args, **kwargs) if obj is not None else None
            if not request.user.has_perm(perm, target):
                raise Forbidden
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def takes_part(view: View) -> View:
    """Mark a view through which a member takes part: writes for others (a question, a
    discussion, a message, a mentor offer) or takes a seat (an RSVP). The moderation app turns
    such requests away while the member has not accepted the current code of conduct or is
    suspended; reading, settings, blocking, downloading one's data and leaving never wait."""
    view.takes_part = True  # type: ignore[attr-defined]
    return view
