from django.urls import path

from hemonc.outreach import views

app_name = "outreach"

urlpatterns = [
    path("followers/", views.followers, name="followers"),
    path("followers/account/", views.account_add, name="account_add"),
]
