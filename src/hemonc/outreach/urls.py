from django.urls import path

from hemonc.outreach import views

app_name = "outreach"

urlpatterns = [
    path("followers/", views.followers, name="followers"),
    path("followers/account/", views.account_add, name="account_add"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.import_run, name="import_run"),
    path("imports/<int:pk>/status/", views.import_run_status, name="import_run_status"),
]
