from django.urls import URLPattern

from hemonc.community.views import notifications as notification_views
from hemonc.community.views import spaces as space_views

app_name = "community"

urlpatterns: list[URLPattern] = [
    # ---- spaces (+ notifications) ----
    *space_views.urlpatterns,
    *notification_views.urlpatterns,
    # ---- end spaces ----
]
