from django.urls import path

from hemonc.mentorship import views

app_name = "mentorship"

urlpatterns = [
    path("", views.home, name="home"),
    path("mentors/", views.finder, name="finder"),
    path("mentors/<int:user_id>/request/", views.request_create, name="request_create"),
    path("offer/", views.offer_edit, name="offer"),
    path("goals/", views.goals_edit, name="goals"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("m/<int:pk>/", views.mentorship_detail, name="mentorship"),
    path("m/<int:pk>/goals/<int:goal_id>/toggle/", views.goal_toggle, name="goal_toggle"),
    path("m/<int:pk>/exit/", views.mentorship_exit, name="exit"),
    path("programs/", views.program_list, name="programs"),
    path("programs/new/", views.program_new, name="program_new"),
    path("programs/<int:pk>/", views.program_detail, name="program"),
    path("programs/<int:pk>/review/", views.program_review, name="program_review"),
    path("speed/", views.speed_list, name="speed_list"),
    path("speed/<int:pk>/", views.speed_event, name="speed_event"),
    path("speed/<int:pk>/projector/", views.speed_projector, name="speed_projector"),
    path("speed/<int:pk>/print/", views.speed_print, name="speed_print"),
]
