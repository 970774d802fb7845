from django.urls import URLPattern, path

from hemonc.community.views import digest as digest_views
from hemonc.community.views import messages as message_views
from hemonc.community.views import notifications as notification_views
from hemonc.community.views import opportunities
from hemonc.community.views import spaces as space_views

app_name = "community"

urlpatterns: list[URLPattern] = [
    # ---- spaces (+ notifications) ----
    *space_views.urlpatterns,
    *notification_views.urlpatterns,
    # ---- end spaces ----
]

# ---- opportunities (+ sponsorship) ----
urlpatterns += [
    path("opportunities/", opportunities.board, name="opportunities"),
    path("opportunities/archive/", opportunities.archive, name="opportunity_archive"),
    path("opportunities/saved/", opportunities.saved, name="opportunity_saved"),
    path("opportunities/suggest/", opportunities.suggest, name="opportunity_suggest"),
    path("opportunities/review/", opportunities.review, name="opportunity_review"),
    path(
        "opportunities/nominations/",
        opportunities.nominations_overview,
        name="opportunity_nominations_overview",
    ),
    path("opportunities/<int:pk>/", opportunities.detail, name="opportunity"),
    path("opportunities/<int:pk>/edit/", opportunities.edit, name="opportunity_edit"),
    path("opportunities/<int:pk>/save/", opportunities.save_toggle, name="opportunity_save"),
    path("opportunities/<int:pk>/approve/", opportunities.approve, name="opportunity_approve"),
    path("opportunities/<int:pk>/reject/", opportunities.reject, name="opportunity_reject"),
    path(
        "opportunities/<int:pk>/nominations/",
        opportunities.opportunity_nominations,
        name="opportunity_nominations",
    ),
    path("nominations/", opportunities.my_nominations, name="nominations"),
    path("nominations/new/", opportunities.nominate, name="nominate"),
    path("nominations/<int:pk>/", opportunities.nomination, name="nomination"),
    path("nominations/<int:pk>/accept/", opportunities.nomination_accept, name="nomination_accept"),
    path(
        "nominations/<int:pk>/decline/",
        opportunities.nomination_decline,
        name="nomination_decline",
    ),
    path(
        "nominations/<int:pk>/withdraw/",
        opportunities.nomination_withdraw,
        name="nomination_withdraw",
    ),
]

# ---- messages (+ digest) ----
urlpatterns += [
    path("messages/", message_views.inbox, name="messages"),
    path("messages/requests/", message_views.requests, name="message_requests"),
    path("messages/new/", message_views.conversation_new, name="conversation_new"),
    path("messages/settings/", message_views.message_settings, name="message_settings"),
    path("messages/<int:pk>/", message_views.conversation_detail, name="conversation"),
    path("messages/<int:pk>/send/", message_views.message_send, name="message_send"),
    path(
        "messages/<int:pk>/accept/", message_views.conversation_accept, name="conversation_accept"
    ),
    path(
        "messages/<int:pk>/ignore/", message_views.conversation_ignore, name="conversation_ignore"
    ),
    path(
        "digest/unsubscribe/<str:token>/",
        digest_views.digest_unsubscribe,
        name="digest_unsubscribe",
    ),
]
