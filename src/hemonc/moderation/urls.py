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
]
