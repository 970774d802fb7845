from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from hemonc import console, views
from hemonc.core import views as core_views

admin.site.site_header = "Hem-Onc Network — organizers"
admin.site.site_title = "Hem-Onc Network admin"
admin.site.index_title = "Manage the network"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("organize/", console.console, name="console"),
    path("organize/phi/", console.phi_log, name="console_phi"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("hemonc.members.urls")),
    path("sessions/", include("hemonc.events.urls")),
    path("newsletter/", include("hemonc.newsletter.urls")),
    path("outreach/", include("hemonc.outreach.urls")),
    path("mentorship/", include("hemonc.mentorship.urls")),
    path("community/", include("hemonc.community.urls")),
    path("", include("hemonc.moderation.urls")),
    path("analytics/", include("hemonc.analytics.urls")),
    # Avatars are small and few; a deployment may serve MEDIA_ROOT from its proxy instead.
    path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
]
