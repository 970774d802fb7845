"""The request a signed-in view gets: its `user` is a member, never AnonymousUser."""

from __future__ import annotations

from django.http import HttpRequest

from hemonc.members.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """Annotate views behind `login_required` or `permission_required` with this."""

    user: User
