from django.urls import path

from hemonc.events import views

app_name = "events"

urlpatterns = [
    path("", views.upcoming, name="upcoming"),
    path("calendar/", views.month, name="month"),
    path("calendar/<int:year>/<int:month>/", views.month, name="month"),
    path("past/", views.past, name="past"),
    path("pick/", views.session_pick, name="pick"),
    path("feed.ics", views.public_feed, name="feed"),
    path("feeds/<str:token>.ics", views.member_feed, name="member_feed"),
    path("my-calendar/", views.my_feed, name="my_feed"),
    path("new/", views.session_edit, name="session_create"),
    path("<int:pk>/", views.session_detail, name="session"),
    path("<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("<int:pk>/event.ics", views.session_ics, name="session_ics"),
    path("<int:pk>/rsvp/", views.rsvp, name="rsvp"),
    path("<int:pk>/rsvp/cancel/", views.rsvp_cancel, name="rsvp_cancel"),
    path("<int:pk>/rsvp/email/", views.rsvp_visitor, name="rsvp_visitor"),
    path("rsvp/confirm/<str:token>/", views.rsvp_confirm, name="rsvp_confirm"),
    path("rsvp/manage/<str:token>/", views.rsvp_cancel_by_token, name="rsvp_cancel_by_token"),
    path("<int:pk>/questions/", views.questions, name="questions"),
    path("questions/<int:pk>/vote/", views.question_vote, name="question_vote"),
    path("questions/<int:pk>/<str:action>/", views.question_moderate, name="question_moderate"),
    path("<int:pk>/check-in/", views.check_in, name="check_in"),
    path("c/<str:code>/", views.check_in_short, name="check_in_short"),
    path("<int:pk>/check-in.svg", views.check_in_qr, name="check_in_qr"),
    path("<int:pk>/attendees.csv", views.attendees_csv, name="attendees_csv"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("guests/<int:pk>/", views.guest_detail, name="guest"),
    path("guests/<int:pk>/edit/", views.guest_edit, name="guest_edit"),
    path("seasons/", views.season_list, name="seasons"),
    path("seasons/new/", views.season_edit, name="season_create"),
    path("seasons/<slug:slug>/", views.season_detail, name="season"),
    path("seasons/<slug:slug>/edit/", views.season_edit, name="season_edit"),
    path("seasons/<slug:slug>/schedule/", views.season_schedule, name="season_schedule"),
]
