from django.urls import path

from hemonc.members import views

app_name = "members"

urlpatterns = [
    path("directory/", views.directory, name="directory"),
    path("members/<int:user_id>/", views.profile_detail, name="profile"),
    path("members/pick/", views.member_pick, name="pick"),
    path("members/<int:user_id>/block/", views.block, name="block"),
    path("members/<int:user_id>/unblock/", views.unblock, name="unblock"),
    path("members/<int:user_id>/mute/", views.mute, name="mute"),
    path("members/<int:user_id>/unmute/", views.unmute, name="unmute"),
    path("me/profile/", views.profile_edit, name="profile_edit"),
    path("me/photo/", views.avatar_update, name="avatar"),
    path("me/blocked/", views.blocked_list, name="blocked"),
    path("me/data.json", views.data_export, name="data_export"),
    path("me/delete/", views.account_delete, name="account_delete"),
    path("welcome/", views.welcome, name="welcome"),
    path("welcome/<slug:step>/", views.welcome_step, name="welcome_step"),
    path("organize/roles/", views.roles, name="roles"),
    path("organize/roles/grant/", views.role_grant, name="role_grant"),
    path("organize/roles/<int:user_id>/<str:role>/revoke/", views.role_revoke, name="role_revoke"),
]
