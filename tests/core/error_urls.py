"""The site's URLs plus views that fail on purpose, for the error pages' tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from hemonc.urls import urlpatterns as site_urlpatterns


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("A bug in a view.")


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("A request no page can answer.")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


urlpatterns = [
    path("failing/500/", fails),
    path("failing/400/", suspicious),
    path("failing/403/", forbidden),
    *site_urlpatterns,
]
