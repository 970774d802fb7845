"""One way for a view to run a service for a POST and go back to the page it came from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from hemonc.core.errors import DomainError


def act_then_redirect[T](
    request: HttpRequest, to: Any, act: Callable[[], T], success: str | Callable[[T], str]
) -> HttpResponse:
    """Run `act` (one service call) and redirect to `to` (a model, URL name or path).

    A refusal (`DomainError`) shows as an error message there, so it is seen even when the
    form that asked is no longer on the page; else `success`, or `success(result)`.
    """
    try:
        result = act()
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success(result) if callable(success) else success)
    return redirect(to)
