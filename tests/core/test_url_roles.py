"""Every URL of the site, and what a GET of it answers to each role.

The table below is written out: a URL added without a row, or a row whose URL is gone, fails
the test with the list of them, and so does a role that gets another answer than the row says.
Objects in the URLs (a session, a mentorship...) belong to other members than the four who
ask, so a row says what someone not involved gets. Links that carry a token get one that is
not valid. Admin pages are read from a table per model (what an organizer gets on each of
its pages); visitors, members and moderators are sent to the admin's sign-in everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from hemonc.community.models.messages import Conversation, Message
from hemonc.community.models.opportunities import Nomination, Opportunity, OpportunityStatus
from hemonc.community.services import spaces as space_services
from hemonc.community.services.notifications import notify
from hemonc.core.models import AuditEntry
from hemonc.core.permissions import OPERATOR
from hemonc.events.models import Guest, LiveSession, Question, Season
from hemonc.members.enums import Role
from hemonc.members.models import Block, Mute, User
from hemonc.mentorship.models import (
    Mentorship,
    MentorshipRequest,
    Program,
    SharedGoal,
    SpeedMentoringEvent,
)
from hemonc.moderation.models import Case, ConductVersion
from hemonc.newsletter.models import Issue, Subscriber, SubscriberImport
from hemonc.outreach.enums import ImportKind
from hemonc.outreach.models import DeskPost, ImportRun, SocialAccount
from hemonc.taxonomy.models import CareerPath, Topic
from tests.factories import make_member

pytestmark = pytest.mark.django_db

# What a GET answers, by class.
OK = "200"
LOGIN = "login"  # a redirect to the site's sign-in page
ADMIN_LOGIN = "admin login"  # a redirect to the admin's sign-in page
REDIRECT = "redirect"  # a redirect anywhere else
DENIED = "403"
MISSING = "404"
POST_ONLY = "405"
GONE = "410"
BAD_REQUEST = "400"

ROLES = ("visitor", "member", "moderator", "organizer")

# URL (as Django spells its route) -> what (visitor, member, moderator, organizer) get.
EXPECTED: dict[str, tuple[str, str, str, str]] = {
    # home
    "": (OK, OK, OK, OK),
    # healthz
    "healthz": (OK, OK, OK, OK),
    "favicon.ico": (OK, OK, OK, OK),
    # the organizers' console
    "organize/": (LOGIN, DENIED, DENIED, OK),
    "organize/phi/": (LOGIN, DENIED, DENIED, OK),
    # accounts
    "accounts/login/": (OK, REDIRECT, REDIRECT, REDIRECT),
    "accounts/logout/": (REDIRECT, OK, OK, OK),
    "accounts/inactive/": (OK, OK, OK, OK),
    "accounts/signup/": (OK, REDIRECT, REDIRECT, REDIRECT),
    "accounts/reauthenticate/": (LOGIN, OK, OK, OK),
    "accounts/reauthenticate/code/": (LOGIN, OK, OK, OK),
    "accounts/reauthenticate/code/confirm/": (LOGIN, REDIRECT, REDIRECT, REDIRECT),
    "accounts/email/": (LOGIN, OK, OK, OK),
    "accounts/confirm-email/": (OK, OK, OK, OK),
    "accounts/password/change/": (LOGIN, OK, OK, OK),
    "accounts/password/set/": (LOGIN, REDIRECT, REDIRECT, REDIRECT),
    "accounts/password/reset/": (OK, OK, OK, OK),
    "accounts/login/code/confirm/": (LOGIN, REDIRECT, REDIRECT, REDIRECT),
    "accounts/^confirm-email/(?P<key>[-:\\w]+)/$": (OK, OK, OK, OK),
    "accounts/password/reset/key/done/": (OK, OK, OK, OK),
    "accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": (OK, OK, OK, OK),
    "accounts/password/reset/done/": (OK, OK, OK, OK),
    # admin
    "admin/login/": (OK, OK, OK, REDIRECT),
    "admin/logout/": (REDIRECT, REDIRECT, REDIRECT, POST_ONLY),
    # directory
    "directory/": (LOGIN, OK, OK, OK),
    # members
    "members/<int:user_id>/": (OK, OK, OK, OK),
    "members/<int:user_id>/block/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "members/<int:user_id>/unblock/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "members/<int:user_id>/mute/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "members/<int:user_id>/unmute/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    # me
    "me/profile/": (LOGIN, OK, OK, OK),
    "me/photo/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "me/blocked/": (LOGIN, OK, OK, OK),
    "members/pick/": (LOGIN, OK, OK, OK),
    "me/data.json": (LOGIN, OK, OK, OK),
    "me/delete/": (LOGIN, OK, OK, OK),
    "welcome/": (LOGIN, OK, OK, OK),
    "welcome/<slug:step>/": (LOGIN, OK, OK, OK),
    "organize/roles/": (LOGIN, DENIED, DENIED, OK),
    "organize/roles/grant/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "organize/roles/<int:user_id>/<str:role>/revoke/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    # sessions
    "sessions/": (OK, OK, OK, OK),
    "sessions/calendar/": (OK, OK, OK, OK),
    "sessions/calendar/<int:year>/<int:month>/": (OK, OK, OK, OK),
    "sessions/past/": (OK, OK, OK, OK),
    "sessions/pick/": (LOGIN, OK, OK, OK),
    "sessions/feed.ics": (OK, OK, OK, OK),
    "sessions/feeds/<str:token>.ics": (MISSING, MISSING, MISSING, MISSING),
    "sessions/my-calendar/": (LOGIN, OK, OK, OK),
    "sessions/new/": (LOGIN, DENIED, DENIED, OK),
    "sessions/<int:pk>/": (OK, OK, OK, OK),
    "sessions/<int:pk>/edit/": (LOGIN, DENIED, DENIED, OK),
    "sessions/<int:pk>/cancel/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "sessions/<int:pk>/event.ics": (OK, OK, OK, OK),
    "sessions/<int:pk>/rsvp/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "sessions/<int:pk>/rsvp/cancel/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "sessions/<int:pk>/rsvp/email/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "sessions/rsvp/confirm/<str:token>/": (BAD_REQUEST, BAD_REQUEST, BAD_REQUEST, BAD_REQUEST),
    "sessions/rsvp/manage/<str:token>/": (BAD_REQUEST, BAD_REQUEST, BAD_REQUEST, BAD_REQUEST),
    "sessions/<int:pk>/questions/": (REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "sessions/questions/<int:pk>/vote/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "sessions/questions/<int:pk>/<str:action>/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "sessions/<int:pk>/check-in/": (OK, OK, OK, OK),
    "sessions/c/<str:code>/": (REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "sessions/<int:pk>/check-in.svg": (LOGIN, DENIED, DENIED, OK),
    "sessions/<int:pk>/attendees.csv": (LOGIN, DENIED, DENIED, OK),
    "sessions/<int:pk>/attendance/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "sessions/<int:pk>/people/": (LOGIN, DENIED, DENIED, OK),
    "sessions/guests/": (LOGIN, DENIED, DENIED, OK),
    "sessions/guests/new/": (LOGIN, DENIED, DENIED, OK),
    "sessions/guests/pick/": (LOGIN, DENIED, DENIED, OK),
    "sessions/guests/<int:pk>/": (OK, OK, OK, OK),
    "sessions/guests/<int:pk>/edit/": (LOGIN, DENIED, DENIED, OK),
    "sessions/seasons/": (OK, OK, OK, OK),
    "sessions/seasons/new/": (LOGIN, DENIED, DENIED, OK),
    "sessions/seasons/<slug:slug>/": (OK, OK, OK, OK),
    "sessions/seasons/<slug:slug>/edit/": (LOGIN, DENIED, DENIED, OK),
    "sessions/seasons/<slug:slug>/schedule/": (LOGIN, DENIED, DENIED, OK),
    # newsletter
    "newsletter/": (OK, OK, OK, OK),
    "newsletter/check-your-inbox/": (OK, OK, OK, OK),
    "newsletter/confirm/<str:token>/": (OK, OK, OK, OK),
    "newsletter/preferences/<str:token>/": (MISSING, MISSING, MISSING, MISSING),
    "newsletter/unsubscribe/<str:token>/": (MISSING, MISSING, MISSING, MISSING),
    "newsletter/subscribe-me/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "newsletter/archive/": (OK, OK, OK, OK),
    "newsletter/archive/<int:issue_id>/": (MISSING, MISSING, MISSING, MISSING),
    "newsletter/feed.atom": (OK, OK, OK, OK),
    "newsletter/o/<int:issue_id>.gif": (OK, OK, OK, OK),
    "newsletter/c/<int:issue_id>/<int:position>/": (MISSING, MISSING, MISSING, MISSING),
    "newsletter/manage/": (LOGIN, DENIED, DENIED, OK),
    "newsletter/manage/new/": (LOGIN, DENIED, DENIED, OK),
    "newsletter/manage/preview/": (LOGIN, DENIED, DENIED, POST_ONLY),
    "newsletter/manage/preview/mail/": (LOGIN, DENIED, DENIED, OK),
    "newsletter/manage/<int:issue_id>/": (LOGIN, DENIED, DENIED, OK),
    "newsletter/manage/<int:issue_id>/edit/": (LOGIN, DENIED, DENIED, OK),
    "newsletter/manage/<int:issue_id>/mail/": (LOGIN, DENIED, DENIED, OK),
    "newsletter/manage/<int:issue_id>/progress/": (LOGIN, DENIED, DENIED, OK),
    "newsletter/manage/<int:issue_id>/test/": (LOGIN, DENIED, DENIED, POST_ONLY),
    "newsletter/manage/<int:issue_id>/send/": (LOGIN, DENIED, DENIED, POST_ONLY),
    "newsletter/manage/<int:issue_id>/unschedule/": (LOGIN, DENIED, DENIED, POST_ONLY),
    "newsletter/manage/subscribers/": (LOGIN, DENIED, DENIED, OK),
    "newsletter/manage/subscribers/export.csv": (LOGIN, DENIED, DENIED, OK),
    "newsletter/manage/subscribers/<int:subscriber_id>/unsubscribe/": (
        LOGIN,
        DENIED,
        DENIED,
        POST_ONLY,
    ),
    "newsletter/manage/subscribers/<int:subscriber_id>/invite/": (LOGIN, DENIED, DENIED, POST_ONLY),
    "newsletter/manage/imports/": (LOGIN, DENIED, DENIED, OK),
    "newsletter/manage/imports/<int:import_id>/": (LOGIN, DENIED, DENIED, OK),
    "newsletter/manage/imports/<int:import_id>/progress/": (LOGIN, DENIED, DENIED, OK),
    "newsletter/demographics/": (LOGIN, DENIED, DENIED, OK),
    # The mail providers' tracking webhooks are not there until ANYMAIL_WEBHOOK_SECRET is set.
    "newsletter/webhooks/amazon_ses/tracking/": (MISSING, MISSING, MISSING, MISSING),
    "newsletter/webhooks/brevo/tracking/": (MISSING, MISSING, MISSING, MISSING),
    "newsletter/webhooks/mailersend/tracking/": (MISSING, MISSING, MISSING, MISSING),
    "newsletter/webhooks/mailgun/tracking/": (MISSING, MISSING, MISSING, MISSING),
    "newsletter/webhooks/mailjet/tracking/": (MISSING, MISSING, MISSING, MISSING),
    "newsletter/webhooks/mailtrap/tracking/": (MISSING, MISSING, MISSING, MISSING),
    "newsletter/webhooks/postal/tracking/": (MISSING, MISSING, MISSING, MISSING),
    "newsletter/webhooks/postmark/tracking/": (MISSING, MISSING, MISSING, MISSING),
    "newsletter/webhooks/resend/tracking/": (MISSING, MISSING, MISSING, MISSING),
    "newsletter/webhooks/sendgrid/tracking/": (MISSING, MISSING, MISSING, MISSING),
    "newsletter/webhooks/sendinblue/tracking/": (MISSING, MISSING, MISSING, MISSING),
    "newsletter/webhooks/sparkpost/tracking/": (MISSING, MISSING, MISSING, MISSING),
    "newsletter/webhooks/unisender_go/tracking/": (MISSING, MISSING, MISSING, MISSING),
    "newsletter/webhooks/mandrill/": (MISSING, MISSING, MISSING, MISSING),
    "newsletter/webhooks/mandrill/tracking/": (MISSING, MISSING, MISSING, MISSING),
    # outreach
    "outreach/followers/": (LOGIN, DENIED, DENIED, OK),
    "outreach/followers/account/": (LOGIN, DENIED, DENIED, POST_ONLY),
    "outreach/imports/": (LOGIN, DENIED, DENIED, OK),
    "outreach/imports/<int:pk>/": (LOGIN, DENIED, DENIED, OK),
    "outreach/imports/<int:pk>/status/": (LOGIN, DENIED, DENIED, OK),
    # the publishing desk: members write and see their own posts; organizers approve and
    # schedule (the post here is another member's)
    "outreach/desk/": (LOGIN, OK, OK, OK),
    "outreach/desk/new/": (LOGIN, OK, OK, OK),
    "outreach/desk/count/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "outreach/desk/history/": (LOGIN, OK, OK, OK),
    "outreach/desk/queues/": (LOGIN, DENIED, DENIED, OK),
    "outreach/desk/queues/<int:account_id>/": (LOGIN, DENIED, DENIED, OK),
    "outreach/desk/queues/<int:account_id>/slots/": (LOGIN, DENIED, DENIED, POST_ONLY),
    "outreach/desk/queues/<int:account_id>/order/": (LOGIN, DENIED, DENIED, POST_ONLY),
    "outreach/desk/<int:pk>/": (LOGIN, MISSING, MISSING, OK),
    "outreach/desk/<int:pk>/edit/": (LOGIN, DENIED, DENIED, OK),
    "outreach/desk/<int:pk>/submit/": (LOGIN, DENIED, DENIED, POST_ONLY),
    "outreach/desk/<int:pk>/approve/": (LOGIN, DENIED, DENIED, POST_ONLY),
    "outreach/desk/<int:pk>/send-back/": (LOGIN, DENIED, DENIED, POST_ONLY),
    "outreach/desk/<int:pk>/schedule/": (LOGIN, DENIED, DENIED, POST_ONLY),
    "outreach/desk/<int:pk>/undo/": (LOGIN, DENIED, DENIED, POST_ONLY),
    "outreach/desk/<int:pk>/retry/": (LOGIN, DENIED, DENIED, POST_ONLY),
    # mentorship
    "mentorship/": (LOGIN, OK, OK, OK),
    "mentorship/mentors/": (LOGIN, OK, OK, OK),
    "mentorship/mentors/<int:user_id>/request/": (LOGIN, MISSING, MISSING, MISSING),
    "mentorship/offer/": (LOGIN, OK, OK, OK),
    "mentorship/goals/": (LOGIN, OK, OK, OK),
    "mentorship/requests/<int:pk>/": (LOGIN, MISSING, MISSING, MISSING),
    "mentorship/m/<int:pk>/": (LOGIN, MISSING, MISSING, MISSING),
    "mentorship/m/<int:pk>/goals/<int:goal_id>/toggle/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "mentorship/m/<int:pk>/exit/": (LOGIN, MISSING, MISSING, MISSING),
    "mentorship/programs/": (LOGIN, OK, OK, OK),
    "mentorship/programs/new/": (LOGIN, DENIED, DENIED, OK),
    "mentorship/programs/<int:pk>/": (LOGIN, OK, OK, OK),
    "mentorship/programs/<int:pk>/review/": (LOGIN, DENIED, DENIED, OK),
    "mentorship/programs/<int:pk>/edit/": (LOGIN, DENIED, DENIED, OK),
    "mentorship/speed/": (LOGIN, OK, OK, OK),
    "mentorship/speed/<int:pk>/": (LOGIN, OK, OK, OK),
    "mentorship/speed/<int:pk>/projector/": (LOGIN, DENIED, DENIED, OK),
    "mentorship/speed/<int:pk>/print/": (LOGIN, DENIED, DENIED, OK),
    "mentorship/requests/<int:pk>/accept/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "mentorship/requests/<int:pk>/decline/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "mentorship/requests/<int:pk>/withdraw/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "mentorship/m/<int:pk>/message/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "mentorship/m/<int:pk>/goals/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "mentorship/m/<int:pk>/checkins/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "mentorship/m/<int:pk>/complete/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "mentorship/m/<int:pk>/feedback/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "mentorship/programs/<int:pk>/apply/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "mentorship/programs/<int:pk>/withdraw/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "mentorship/programs/<int:pk>/match/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "mentorship/programs/<int:pk>/proposal/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "mentorship/programs/<int:pk>/publish/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "mentorship/programs/<int:pk>/close/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "mentorship/speed/new/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "mentorship/speed/<int:pk>/join/mentor/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "mentorship/speed/<int:pk>/join/mentee/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "mentorship/speed/<int:pk>/add/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "mentorship/speed/<int:pk>/check-in/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "mentorship/speed/<int:pk>/sync/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "mentorship/speed/<int:pk>/schedule/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    # analytics
    "analytics/": (LOGIN, DENIED, DENIED, OK),
    "analytics/report/": (LOGIN, DENIED, DENIED, OK),
    # community: spaces (+ notifications)
    "community/": (LOGIN, OK, OK, OK),
    "community/search/": (LOGIN, OK, OK, OK),
    "community/tags/<slug:topic>/follow/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "community/organize/spaces/": (LOGIN, DENIED, DENIED, OK),
    "community/organize/spaces/<slug:space>/": (LOGIN, DENIED, DENIED, OK),
    "community/organize/spaces/<slug:space>/invite/": (LOGIN, DENIED, DENIED, POST_ONLY),
    "community/organize/stages/": (LOGIN, DENIED, DENIED, OK),
    "community/s/<slug:space>/": (LOGIN, OK, OK, OK),
    "community/s/<slug:space>/new/": (LOGIN, OK, OK, OK),
    "community/s/<slug:space>/follow/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "community/s/<slug:space>/<int:discussion_id>/": (LOGIN, OK, OK, OK),
    "community/s/<slug:space>/<int:discussion_id>/live/": (LOGIN, OK, OK, OK),
    "community/s/<slug:space>/<int:discussion_id>/reply/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "community/s/<slug:space>/<int:discussion_id>/edit/": (LOGIN, MISSING, OK, OK),
    "community/s/<slug:space>/<int:discussion_id>/react/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "community/s/<slug:space>/<int:discussion_id>/follow/": (
        LOGIN,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
    ),
    "community/s/<slug:space>/<int:discussion_id>/moderate/": (
        LOGIN,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
    ),
    "community/s/<slug:space>/<int:discussion_id>/history/": (LOGIN, MISSING, OK, OK),
    "community/s/<slug:space>/<int:discussion_id>/replies/<int:reply_id>/edit/": (
        LOGIN,
        MISSING,
        OK,
        OK,
    ),
    "community/s/<slug:space>/<int:discussion_id>/replies/<int:reply_id>/moderate/": (
        LOGIN,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
    ),
    "community/notifications/": (LOGIN, OK, OK, OK),
    "community/notifications/settings/": (LOGIN, OK, OK, OK),
    "community/notifications/read-all/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "community/notifications/<int:notification_id>/read/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    # ---- end community: spaces ----
    # community: opportunities and nominations (the opportunity is approved; the nomination
    # is between two other members)
    "community/opportunities/": (LOGIN, OK, OK, OK),
    "community/opportunities/archive/": (LOGIN, OK, OK, OK),
    "community/opportunities/saved/": (LOGIN, OK, OK, OK),
    "community/opportunities/suggest/": (LOGIN, OK, OK, OK),
    "community/opportunities/review/": (LOGIN, DENIED, DENIED, OK),
    "community/opportunities/nominations/": (LOGIN, DENIED, DENIED, OK),
    "community/opportunities/<int:pk>/": (LOGIN, OK, OK, OK),
    "community/opportunities/<int:pk>/edit/": (LOGIN, DENIED, DENIED, OK),
    "community/opportunities/<int:pk>/save/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "community/opportunities/<int:pk>/approve/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "community/opportunities/<int:pk>/reject/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "community/opportunities/<int:pk>/nominations/": (LOGIN, DENIED, DENIED, OK),
    "community/nominations/": (LOGIN, OK, OK, OK),
    # Faculty and mentors nominate; the four who ask are fellows without a mentor offer.
    "community/nominations/new/": (LOGIN, DENIED, DENIED, DENIED),
    "community/nominations/<int:pk>/": (LOGIN, MISSING, MISSING, OK),
    "community/nominations/<int:pk>/accept/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "community/nominations/<int:pk>/decline/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "community/nominations/<int:pk>/withdraw/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    # community: messages (+ digest). The conversation is between two other members (a
    # mentorship's): 404 to everyone else, organizers too; a reported message is read by
    # moderators only.
    "community/messages/": (LOGIN, OK, OK, OK),
    "community/messages/requests/": (LOGIN, OK, OK, OK),
    "community/messages/new/": (LOGIN, OK, OK, OK),
    "community/messages/settings/": (LOGIN, OK, OK, OK),
    "community/messages/<int:pk>/": (LOGIN, MISSING, MISSING, MISSING),
    "community/messages/<int:pk>/send/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "community/messages/<int:pk>/accept/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "community/messages/<int:pk>/ignore/": (LOGIN, POST_ONLY, POST_ONLY, POST_ONLY),
    "community/digest/unsubscribe/<str:token>/": (MISSING, MISSING, MISSING, MISSING),
    # media
    "media/<path:path>": (MISSING, MISSING, MISSING, MISSING),
    # moderation
    "conduct/": (OK, OK, OK, OK),
    "conduct/v<int:number>/": (MISSING, MISSING, MISSING, MISSING),
    "conduct/accept/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "organize/conduct/": (LOGIN, DENIED, DENIED, OK),
    "organize/conduct/new/": (LOGIN, DENIED, DENIED, OK),
    "organize/conduct/<int:pk>/": (LOGIN, DENIED, DENIED, OK),
    "organize/conduct/<int:pk>/publish/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "organize/audit/": (LOGIN, DENIED, OK, OK),
    "organize/audit.csv": (LOGIN, DENIED, OK, OK),
    "report/<str:item_type>/<str:item_id>/": (LOGIN, OK, OK, OK),
    "moderation/reports/": (LOGIN, OK, OK, OK),
    "moderation/notices/": (LOGIN, OK, OK, OK),
    "moderation/cases/<int:pk>/appeal/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "organize/cases/": (LOGIN, DENIED, OK, DENIED),
    "organize/cases/<int:pk>/": (LOGIN, DENIED, OK, DENIED),
    "organize/cases/<int:pk>/claim/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "organize/cases/<int:pk>/decide/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "organize/appeals/<int:pk>/decide/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "organize/review/<str:item_type>/<int:pk>/approve/": (
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
    ),
    "organize/review/<str:item_type>/<int:pk>/reject/": (
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
        POST_ONLY,
    ),
    "organize/vouch/<int:user_id>/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    "organize/vouch/<int:user_id>/withdraw/": (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
}

# Admin models -> what an organizer gets on the list, add, change, delete and history pages
# of a row, and its short address (a redirect to its change page). Rows of members, core and
# taxonomy exist; other apps' pages are asked about a row that does not exist (the admin
# then redirects to its index).
ADMIN_EXPECTED: dict[str, tuple[str, str, str, str, str, str]] = {
    "core.auditentry": (OK, DENIED, OK, DENIED, OK, REDIRECT),
    "taxonomy.topic": (OK, OK, OK, OK, OK, REDIRECT),
    "taxonomy.careerpath": (OK, OK, OK, OK, OK, REDIRECT),
    "auth.group": (DENIED, DENIED, DENIED, DENIED, REDIRECT, REDIRECT),
    "members.user": (OK, OK, OK, OK, OK, REDIRECT),
    "members.block": (OK, DENIED, OK, DENIED, OK, REDIRECT),
    "members.mute": (OK, DENIED, OK, DENIED, OK, REDIRECT),
    "events.season": (OK, DENIED, REDIRECT, DENIED, REDIRECT, REDIRECT),
    "events.guest": (OK, DENIED, REDIRECT, DENIED, REDIRECT, REDIRECT),
    "events.livesession": (OK, DENIED, REDIRECT, DENIED, REDIRECT, REDIRECT),
    "events.rsvp": (OK, DENIED, REDIRECT, DENIED, REDIRECT, REDIRECT),
    "events.checkin": (OK, DENIED, REDIRECT, DENIED, REDIRECT, REDIRECT),
    "events.question": (OK, DENIED, REDIRECT, DENIED, REDIRECT, REDIRECT),
    "events.reminderdelivery": (OK, DENIED, REDIRECT, DENIED, REDIRECT, REDIRECT),
    "events.calendarfeed": (OK, DENIED, REDIRECT, DENIED, REDIRECT, REDIRECT),
    "outreach.socialaccount": (OK, DENIED, REDIRECT, DENIED, REDIRECT, REDIRECT),
    "outreach.post": (OK, DENIED, REDIRECT, DENIED, REDIRECT, REDIRECT),
    "outreach.followersnapshot": (OK, DENIED, REDIRECT, DENIED, REDIRECT, REDIRECT),
    "outreach.dailytotals": (OK, DENIED, REDIRECT, DENIED, REDIRECT, REDIRECT),
    "mentorship.mentoroffer": (OK, DENIED, REDIRECT, DENIED, REDIRECT, REDIRECT),
    "mentorship.menteegoals": (OK, DENIED, REDIRECT, DENIED, REDIRECT, REDIRECT),
    "mentorship.mentorshiprequest": (OK, DENIED, REDIRECT, DENIED, REDIRECT, REDIRECT),
    "mentorship.mentorship": (OK, DENIED, REDIRECT, DENIED, REDIRECT, REDIRECT),
    "mentorship.mentorshipfeedback": (OK, DENIED, REDIRECT, DENIED, REDIRECT, REDIRECT),
    "mentorship.program": (OK, DENIED, REDIRECT, DENIED, REDIRECT, REDIRECT),
    "mentorship.proposal": (OK, DENIED, REDIRECT, DENIED, REDIRECT, REDIRECT),
    "mentorship.speedmentoringevent": (OK, DENIED, REDIRECT, DENIED, REDIRECT, REDIRECT),
    "newsletter.consenttext": (OK, OK, REDIRECT, DENIED, REDIRECT, REDIRECT),
    "account.emailaddress": (OK, DENIED, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "django_tasks_database.dbtaskresult": (OK, DENIED, REDIRECT, DENIED, REDIRECT, REDIRECT),
}

# The admin's own pages, and pages a model's admin adds -> what an organizer gets (everyone
# else: the admin's sign-in).
ADMIN_SITE_EXPECTED: dict[str, str] = {
    "admin/": OK,
    "admin/password_change/": OK,
    "admin/password_change/done/": OK,
    "admin/autocomplete/": DENIED,
    "admin/jsi18n/": OK,
    "admin/r/<path:content_type_id>/<path:object_id>/": MISSING,
    "admin/members/user/<id>/password/": DENIED,
    "admin/^(?P<app_label>...)/$": OK,
    "admin/(?P<url>.*)$": MISSING,
}

ADMIN_KINDS = {"": 0, "add/": 1, "<path:object_id>/change/": 2, "<path:object_id>/delete/": 3,
               "<path:object_id>/history/": 4, "<path:object_id>/": 5}  # fmt: skip


@dataclass
class World:
    """The rows the URLs point at, made by small factories."""

    users: dict[str, User]
    other: User
    objects: dict[str, Any]


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    """(route, name) of every pattern, names with their namespaces."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace or "") if part)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            name = pattern.name or ""
            yield (
                prefix + str(pattern.pattern),
                f"{namespace}:{name}" if namespace and name else name,
            )


def _site_routes() -> list[tuple[str, str]]:
    return list(_walk(get_resolver().url_patterns))


def _world() -> World:
    users = {
        "member": make_member(display_name="Mia Member"),
        "moderator": make_member(display_name="Mo Moderator", role=Role.MODERATOR),
        "organizer": make_member(display_name="Olu Organizer", role=Role.ORGANIZER),
    }
    other = make_member(display_name="Ana Lopez")
    mentor = make_member(display_name="Grace Mentor", stage="attending")
    mentee = make_member(display_name="Nia Mentee")
    host = users["organizer"]
    now = timezone.now()
    season = Season.objects.create(
        name="Season 2026", slug="season-2026", starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31), time_zone="UTC",
    )  # fmt: skip
    session = LiveSession.objects.create(
        season=season, title="Myeloma in 2026", starts_at=now + timedelta(days=3),
        time_zone="UTC", created_by=host,
    )  # fmt: skip
    request = MentorshipRequest.objects.create(mentee=mentee, mentor=mentor, note="Hello")
    mentorship = Mentorship.objects.create(mentor=mentor, mentee=mentee, request=request)
    program = Program.objects.create(
        name="Fellows 2026", applications_open_at=now, applications_close_at=now + timedelta(days=30),
        matching_date=(now + timedelta(days=40)).date(), created_by=host,
    )  # fmt: skip
    block = Block.objects.create(blocker=other, blocked=mentor)
    # community: a space everyone signed in sees, a discussion and a reply by another member.
    space = space_services.space_create(actor=OPERATOR, slug="general", name="General")
    discussion = space_services.discussion_create(
        actor=other, space=space, title="Hello", body="First post"
    )
    reply = space_services.reply_create(actor=other, discussion=discussion, body="A reply")
    note = notify(recipient=other, kind="reply", text="A reply", space=space)
    opportunity = Opportunity.objects.create(
        title="Travel grant", kind="travel_grant", organization="Society",
        deadline=now + timedelta(days=20), url="https://example.org/",
        status=OpportunityStatus.APPROVED, approved_at=now,
    )  # fmt: skip
    objects: dict[str, Any] = {
        "session": session,
        "season": season,
        "guest": Guest.objects.create(name="Dr. Guest"),
        "question": Question.objects.create(session=session, author=other, text="Why?"),
        "request": request,
        "mentorship": mentorship,
        "goal": SharedGoal.objects.create(mentorship=mentorship, text="A first paper"),
        "program": program,
        "speed": SpeedMentoringEvent.objects.create(
            title="Speed mentoring", starts_at=now + timedelta(days=5), created_by=host
        ),
        "issue": Issue.objects.create(subject="March", body="News", created_by=host),
        "subscriber_import": SubscriberImport.objects.create(source="csv", created_by=host),
        "subscriber": Subscriber.objects.create(email="reader@example.org"),
        "import_run": ImportRun.objects.create(
            kind=ImportKind.FOLLOWERS, file_name="followers.csv", created_by=host
        ),
        "desk_post": DeskPost.objects.create(kind="announcement", text="Hello", author=other),
        "desk_account": SocialAccount.objects.create(
            platform="bluesky",
            handle="net.bsky.social",
            service="https://pds.example",
            secret="secret",
            active=True,
        ),
        "mentor": mentor,
        "conduct": ConductVersion.objects.create(number=1, body="Be kind."),
        "case": Case.objects.create(item_type="members.profile", item_id=str(mentee.profile.pk)),
        "discussion": discussion,
        "reply": reply,
        "notification": note,
        "opportunity": opportunity,
        "nomination": Nomination.objects.create(
            nominator=mentor, nominee=mentee, opportunity=opportunity, statement="Yes."
        ),
        # The mentorship request opened the pair's conversation (with the note).
        "conversation": Conversation.objects.get(messages__body="Hello"),
        "message": Message.objects.get(body="Hello"),
        # Admin rows of members, core and taxonomy.
        "members.user": other,
        "members.block": block,
        "members.mute": Mute.objects.create(muter=other, muted=mentee),
        "core.auditentry": AuditEntry.objects.latest("id"),
        "taxonomy.topic": Topic.objects.get(hashtag="bcsm"),
        "taxonomy.careerpath": CareerPath.objects.first(),
    }
    return World(users=users, other=other, objects=objects)


# Which object a route's `pk` names, by the route's start (the longest that matches).
PK_OBJECTS = {
    "sessions/": "session",
    "sessions/questions/": "question",
    "sessions/guests/": "guest",
    "mentorship/requests/": "request",
    "mentorship/m/": "mentorship",
    "mentorship/programs/": "program",
    "mentorship/speed/": "speed",
    "outreach/imports/": "import_run",
    "outreach/desk/": "desk_post",
    "organize/conduct/": "conduct",
    "organize/cases/": "case",
    "organize/appeals/": "case",
    "moderation/cases/": "case",
    "community/opportunities/": "opportunity",
    "community/nominations/": "nomination",
    "community/messages/": "conversation",
    "organize/review/": "reply",
}

# Routes whose path is easier written than reversed.
PATHS: dict[str, Callable[[World], str]] = {
    "media/<path:path>": lambda world: "/media/avatars/nobody.webp",
    "admin/(?P<url>.*)$": lambda world: "/admin/no-such-page/",
    "welcome/<slug:step>/": lambda world: "/welcome/training/",
}


def _kwargs(route: str, world: World) -> dict[str, Any]:
    """Arguments for the route's parameters, from the world's rows."""
    objects = world.objects
    values: dict[str, Any] = {
        "user_id": objects["mentor"].pk if route.startswith("mentorship/") else world.other.pk,
        "token": "not-a-valid-token",
        "key": "not-a-valid-key",
        "uidb36": "zz",
        "code": objects["session"].check_in_code,
        "slug": objects["season"].slug,
        "year": 2026,
        "month": 3,
        "issue_id": objects["issue"].pk,
        "import_id": objects["subscriber_import"].pk,
        "subscriber_id": objects["subscriber"].pk,
        "position": 0,
        "goal_id": objects["goal"].pk,
        "message_id": objects["message"].pk,
        "action": "answer",
        "role": "moderator",
        "content_type_id": 1,
        "id": world.other.pk,
        "account_id": objects["desk_account"].pk,
        "number": 1,
        "item_type": "events.question",
        "item_id": objects["question"].pk,
        "space": "general",
        "topic": "bcsm",
        "discussion_id": objects["discussion"].pk,
        "reply_id": objects["reply"].pk,
        "notification_id": objects["notification"].pk,
    }
    starts = [start for start in PK_OBJECTS if route.startswith(start)]
    if starts:
        values["pk"] = objects[PK_OBJECTS[max(starts, key=len)]].pk
    return values


def _admin_model(route: str) -> str | None:
    parts = route.split("/")
    if len(parts) >= 4 and parts[0] == "admin" and parts[1] and parts[2]:
        label = f"{parts[1]}.{parts[2]}"
        registered = {model._meta.label_lower for model in admin.site._registry}
        if label in registered:
            return label
    return None


def _path(route: str, name: str, world: World) -> str:
    if route in PATHS:
        return PATHS[route](world)
    label = _admin_model(route)
    if label is not None and "<path:object_id>" in route:
        row = world.objects.get(label)
        return "/" + route.replace("<path:object_id>", str(row.pk if row else 0))
    if "(?P<app_label>" in route:
        return "/admin/members/"
    if "content_type_id" in route:
        return "/admin/r/1/1/"
    parameters = re.findall(r"\(\?P<(\w+)>", route) or re.findall(r"<(?:\w+:)?(\w+)>", route)
    arguments = _kwargs(route, world)
    unknown = [key for key in parameters if key not in arguments]
    if unknown:
        raise LookupError(f"{route}: no argument for {', '.join(unknown)} (see _kwargs)")
    return reverse(name, kwargs={key: arguments[key] for key in parameters})


def _status_class(response: Any) -> str:
    if response.status_code in (301, 302):
        path = urlsplit(response["Location"]).path
        if path == reverse("account_login"):
            return LOGIN
        if path == reverse("admin:login"):
            return ADMIN_LOGIN
        return REDIRECT
    return str(response.status_code)


def _key(route: str) -> str:
    """The route as the tables name it: the admin's app index lists no app labels, which
    change with every app that registers a model."""
    return re.sub(r"\(\?P<app_label>[^)]*\)", "(?P<app_label>...)", route)


def _expected(route: str) -> tuple[str, str, str, str] | None:
    if route in EXPECTED:
        return EXPECTED[route]
    if route.startswith("admin/"):
        label = _admin_model(route)
        tail = route.removeprefix(f"admin/{label.replace('.', '/')}/") if label else ""
        if _key(route) in ADMIN_SITE_EXPECTED:
            organizer = ADMIN_SITE_EXPECTED[_key(route)]
        elif label in ADMIN_EXPECTED and tail in ADMIN_KINDS:
            organizer = ADMIN_EXPECTED[label][ADMIN_KINDS[tail]]
        else:
            return None
        return (ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, organizer)
    return None


def _observed(world: World) -> dict[str, tuple[str, ...]]:
    # An error page is an answer too (a row then says "500"), not an exception in the test.
    clients = {"visitor": Client(raise_request_exception=False)}
    for role, user in world.users.items():
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(user)
    answers = {}
    for route, name in _site_routes():
        path = _path(route, name, world)
        answers[route] = tuple(_status_class(clients[role].get(path)) for role in ROLES)
    return answers


def test_every_url_has_a_row_and_every_row_a_url():
    routes = [route for route, _ in _site_routes()]
    missing = sorted(route for route in routes if _expected(route) is None)
    stale = sorted(set(EXPECTED) - set(routes))
    admin_models = {label for route in routes if (label := _admin_model(route))}
    stale_admin = sorted(set(ADMIN_EXPECTED) - admin_models)
    stale_site = sorted(set(ADMIN_SITE_EXPECTED) - {_key(route) for route in routes})
    assert not (missing or stale or stale_admin or stale_site), (
        "URLs without a row in EXPECTED (or their admin model in ADMIN_EXPECTED):\n  "
        + "\n  ".join(missing)
        + "\nRows whose URL is gone:\n  "
        + "\n  ".join(stale + stale_admin + stale_site)
    )


def test_each_role_gets_what_the_table_says():
    world = _world()
    observed = _observed(world)
    wrong = [
        f"{route}: expected {dict(zip(ROLES, expected, strict=True))}, "
        f"got {dict(zip(ROLES, answer, strict=True))}"
        for route, answer in sorted(observed.items())
        if (expected := _expected(route)) is not None and tuple(expected) != answer
    ]
    assert not wrong, "Answers that differ from the table:\n  " + "\n  ".join(wrong)
