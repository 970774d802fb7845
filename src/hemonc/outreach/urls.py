from django.urls import path

from hemonc.outreach import views
from hemonc.outreach.desk import views as desk

app_name = "outreach"

urlpatterns = [
    path("followers/", views.followers, name="followers"),
    path("followers/account/", views.account_add, name="account_add"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.import_run, name="import_run"),
    path("imports/<int:pk>/status/", views.import_run_status, name="import_run_status"),
    # The publishing desk
    path("desk/", desk.desk_list, name="desk"),
    path("desk/new/", desk.compose, name="desk_compose"),
    path("desk/count/", desk.count, name="desk_count"),
    path("desk/history/", desk.history, name="desk_history"),
    path("desk/queues/", desk.queues, name="desk_queues"),
    path("desk/queues/<int:account_id>/", desk.queue, name="desk_queue"),
    path("desk/queues/<int:account_id>/slots/", desk.queue_slots, name="desk_queue_slots"),
    path("desk/queues/<int:account_id>/order/", desk.queue_reorder, name="desk_queue_reorder"),
    path("desk/<int:pk>/", desk.post_detail, name="desk_post"),
    path("desk/<int:pk>/edit/", desk.edit, name="desk_edit"),
    path("desk/<int:pk>/submit/", desk.submit, name="desk_submit"),
    path("desk/<int:pk>/approve/", desk.approve, name="desk_approve"),
    path("desk/<int:pk>/send-back/", desk.send_back, name="desk_send_back"),
    path("desk/<int:pk>/schedule/", desk.schedule, name="desk_schedule"),
    path("desk/<int:pk>/undo/", desk.undo, name="desk_undo"),
    path("desk/<int:pk>/retry/", desk.retry, name="desk_retry"),
]
