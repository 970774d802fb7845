from django.urls import URLPattern, path

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
