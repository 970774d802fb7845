from django.urls import path

from hemonc.mentorship.enums import ProgramRole
from hemonc.mentorship.views import mentorships, offers, programs, speed

app_name = "mentorship"

urlpatterns = [
    path("", offers.home, name="home"),
    path("mentors/", offers.finder, name="finder"),
    path("mentors/<int:user_id>/request/", offers.request_create, name="request_create"),
    path("offer/", offers.offer_edit, name="offer"),
    path("goals/", offers.goals_edit, name="goals"),
    path("requests/<int:pk>/", offers.request_detail, name="request"),
    path("requests/<int:pk>/accept/", offers.request_accept, name="request_accept"),
    path("requests/<int:pk>/decline/", offers.request_decline, name="request_decline"),
    path("requests/<int:pk>/withdraw/", offers.request_withdraw, name="request_withdraw"),
    path("m/<int:pk>/", mentorships.mentorship_detail, name="mentorship"),
    path("m/<int:pk>/message/", mentorships.mentorship_message, name="mentorship_message"),
    path("m/<int:pk>/goals/", mentorships.goal_add, name="mentorship_goal_add"),
    path("m/<int:pk>/goals/<int:goal_id>/toggle/", mentorships.goal_toggle, name="goal_toggle"),
    path("m/<int:pk>/checkins/", mentorships.mentorship_checkins, name="mentorship_checkins"),
    path("m/<int:pk>/complete/", mentorships.mentorship_complete, name="mentorship_complete"),
    path("m/<int:pk>/feedback/", mentorships.feedback_leave, name="mentorship_feedback"),
    path("m/<int:pk>/exit/", mentorships.mentorship_exit, name="exit"),
    path("programs/", programs.program_list, name="programs"),
    path("programs/new/", programs.program_new, name="program_new"),
    path("programs/<int:pk>/", programs.program_detail, name="program"),
    path("programs/<int:pk>/edit/", programs.program_edit, name="program_edit"),
    path("programs/<int:pk>/close/", programs.program_close, name="program_close"),
    path("programs/<int:pk>/apply/", programs.program_apply, name="program_apply"),
    path("programs/<int:pk>/withdraw/", programs.program_withdraw, name="program_withdraw"),
    path("programs/<int:pk>/review/", programs.program_review, name="program_review"),
    path("programs/<int:pk>/match/", programs.program_match, name="program_match"),
    path("programs/<int:pk>/proposal/", programs.program_proposal_set, name="program_proposal"),
    path("programs/<int:pk>/publish/", programs.program_publish, name="program_publish"),
    path("speed/", speed.speed_list, name="speed_list"),
    path("speed/new/", speed.speed_event_new, name="speed_new"),
    path("speed/<int:pk>/", speed.speed_event, name="speed_event"),
    path(
        "speed/<int:pk>/join/mentor/",
        speed.speed_join,
        {"role": ProgramRole.MENTOR},
        name="speed_join_mentor",
    ),
    path(
        "speed/<int:pk>/join/mentee/",
        speed.speed_join,
        {"role": ProgramRole.MENTEE},
        name="speed_join_mentee",
    ),
    path("speed/<int:pk>/add/", speed.speed_add, name="speed_add"),
    path("speed/<int:pk>/check-in/", speed.speed_check_in, name="speed_check_in"),
    path("speed/<int:pk>/sync/", speed.speed_sync, name="speed_sync"),
    path("speed/<int:pk>/schedule/", speed.speed_schedule, name="speed_schedule"),
    path("speed/<int:pk>/projector/", speed.speed_projector, name="speed_projector"),
    path("speed/<int:pk>/print/", speed.speed_print, name="speed_print"),
]
