from anymail import urls as anymail_urls
from django.urls import URLPattern, path

from hemonc.newsletter import views

app_name = "newsletter"

urlpatterns = [
    path("", views.home, name="home"),
    path("check-your-inbox/", views.check_inbox, name="check_inbox"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("subscribe-me/", views.subscribe_member, name="subscribe_member"),
    path("archive/", views.archive, name="archive"),
    path("archive/<int:issue_id>/", views.archive_issue, name="archive_issue"),
    path("feed.atom", views.archive_feed, name="feed"),
    path("o/<int:issue_id>.gif", views.open_pixel, name="open_pixel"),
    path("c/<int:issue_id>/<int:position>/", views.click, name="click"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.issue_edit, name="issue_new"),
    path("manage/preview/", views.issue_preview, name="issue_preview"),
    path("manage/preview/mail/", views.issue_draft_mail, name="issue_draft_mail"),
    path("manage/<int:issue_id>/", views.issue_detail, name="issue_detail"),
    path("manage/<int:issue_id>/progress/", views.issue_progress, name="issue_progress"),
    path("manage/<int:issue_id>/mail/", views.issue_mail_preview, name="issue_mail_preview"),
    path("manage/<int:issue_id>/edit/", views.issue_edit, name="issue_edit"),
    path("manage/<int:issue_id>/test/", views.issue_test, name="issue_test"),
    path("manage/<int:issue_id>/send/", views.issue_send, name="issue_send"),
    path("manage/<int:issue_id>/unschedule/", views.issue_unschedule, name="issue_unschedule"),
    path("manage/subscribers/", views.subscribers, name="subscribers"),
    path("manage/subscribers/export.csv", views.subscribers_export, name="subscribers_export"),
    path(
        "manage/subscribers/<int:subscriber_id>/unsubscribe/",
        views.subscriber_unsubscribe,
        name="subscriber_unsubscribe",
    ),
    path(
        "manage/subscribers/<int:subscriber_id>/invite/",
        views.subscriber_invite,
        name="subscriber_invite",
    ),
    path("manage/imports/", views.imports, name="imports"),
    path("manage/imports/<int:import_id>/", views.import_detail, name="import_detail"),
    path("manage/imports/<int:import_id>/progress/", views.import_progress, name="import_progress"),
    path("demographics/", views.demographics, name="demographics"),
]

# The mail providers' bounce and complaint webhooks (django-anymail's tracking views, not its
# inbound mail): /newsletter/webhooks/<esp>/tracking/, guarded by `views.provider_webhook`.
urlpatterns += [
    path(f"webhooks/{pattern.pattern}", views.provider_webhook(pattern.callback), name=pattern.name)
    for pattern in anymail_urls.urlpatterns
    if isinstance(pattern, URLPattern) and "inbound" not in str(pattern.pattern)
]
