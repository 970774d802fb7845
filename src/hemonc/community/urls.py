from django.urls import URLPattern, URLResolver, path

from hemonc.community.views import digest as digest_views
from hemonc.community.views import messages as message_views
from hemonc.community.views import notifications as notification_views
from hemonc.community.views import spaces as space_views

app_name = "community"

urlpatterns: list[URLPattern | URLResolver] = [
    # ---- spaces (+ notifications) ----
    *space_views.urlpatterns,
    *notification_views.urlpatterns,
    # ---- end spaces ----
]

# ---- messages (+ digest) ----
urlpatterns += [
    path("messages/", message_views.inbox, name="messages"),
    path("messages/requests/", message_views.requests, name="message_requests"),
    path("messages/new/", message_views.conversation_new, name="conversation_new"),
    path("messages/settings/", message_views.message_settings, name="message_settings"),
    path("messages/<int:pk>/", message_views.conversation_detail, name="conversation"),
    path("messages/<int:pk>/send/", message_views.message_send, name="message_send"),
    path("messages/<int:pk>/accept/", message_views.conversation_accept, name="conversation_accept"),
    path("messages/<int:pk>/ignore/", message_views.conversation_ignore, name="conversation_ignore"),
    path(
        "messages/<int:pk>/report/<int:message_id>/",
        message_views.message_report_create,
        name="message_report_create",
    ),
    path("messages/reports/<int:pk>/", message_views.message_report_detail, name="message_report"),
    path(
        "digest/unsubscribe/<str:token>/",
        digest_views.digest_unsubscribe,
        name="digest_unsubscribe",
    ),
]
