from django.urls import path

from hemonc.moderation import views

app_name = "moderation"

urlpatterns = [
    path("conduct/", views.conduct, name="conduct"),
    path("conduct/v<int:number>/", views.conduct_version, name="conduct_version"),
    path("conduct/accept/", views.conduct_accept, name="conduct_accept"),
    path("organize/conduct/", views.conduct_versions, name="conduct_versions"),
    path("organize/conduct/new/", views.conduct_new, name="conduct_new"),
    path("organize/conduct/<int:pk>/", views.conduct_edit, name="conduct_edit"),
    path("organize/conduct/<int:pk>/publish/", views.conduct_publish, name="conduct_publish"),
    path("organize/audit/", views.audit, name="audit"),
    path("organize/audit.csv", views.audit_export, name="audit_export"),
    path("report/<str:item_type>/<str:item_id>/", views.report, name="report"),
    path("moderation/reports/", views.my_reports, name="my_reports"),
    path("moderation/notices/", views.notices, name="notices"),
    path("moderation/cases/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("organize/cases/", views.queue, name="queue"),
    path("organize/cases/<int:pk>/", views.case_detail, name="case"),
    path("organize/cases/<int:pk>/claim/", views.case_claim, name="case_claim"),
    path("organize/cases/<int:pk>/decide/", views.case_decide, name="case_decide"),
    path("organize/appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path(
        "organize/review/<str:item_type>/<int:pk>/approve/",
        views.held_approve,
        name="held_approve",
    ),
    path("organize/review/<str:item_type>/<int:pk>/reject/", views.held_reject, name="held_reject"),
    path("organize/vouch/<int:user_id>/", views.vouch, name="vouch"),
    path("organize/vouch/<int:user_id>/withdraw/", views.vouch_withdraw, name="vouch_withdraw"),
]
