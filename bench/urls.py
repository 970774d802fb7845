"""The site's URLs plus a bare Django view: the baseline every page benchmark is compared to."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    """The least a Django page can do: the full middleware stack, no queries of its own."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("hemonc.urls")),
]
