"""Every form a member or an organizer can send, filled with hostile input.

The forms are found the way a person finds them: every URL pattern of the site is opened
(with arguments that point at a small network built here), and every <form> on the page is
read from its HTML. Each form is then sent with hostile values: each value in every field at
once, and each field alone holding a few of them while the other fields keep plausible
values. The site must never answer with a server error, and a request it turns down (an
error on the page or in the messages, or a 4xx) must leave every table as it was.

Each request runs in a savepoint that is rolled back, so every form meets the same network.
"""

from __future__ import annotations

import copy
import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import time, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import django.test.client
import pytest
from django.apps import apps
from django.contrib.messages import constants as message_levels
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.utils import timezone

from hemonc.community.models import Notification
from hemonc.community.services import messages as message_services
from hemonc.community.services import spaces as space_services
from hemonc.community.services.digest import digest_token
from hemonc.community.services.opportunities import (
    nomination_create,
    opportunity_save,
    opportunity_suggest,
)
from hemonc.events.services import (
    calendar_feed_get_or_create,
    guest_create,
    question_create,
    rsvp_create,
    rsvp_request,
    season_create,
    session_create,
)
from hemonc.events.tokens import confirm_token, manage_token
from hemonc.members.enums import Role
from hemonc.mentorship import services as mentorship
from hemonc.mentorship.enums import ProgramRole
from hemonc.moderation.services import conduct_draft_create
from hemonc.newsletter.mail import subscriber_token
from hemonc.newsletter.models import SubscriberImport
from hemonc.newsletter.selectors import consent_text_current
from hemonc.newsletter.services import issue_create, subscriber_signup
from hemonc.outreach.desk import services as desk_services
from hemonc.outreach.enums import ImportKind
from hemonc.outreach.models import ImportRun, SocialAccount
from hemonc.taxonomy.models import Topic
from tests.factories import make_member
from tests.newsletter.conftest import make_subscriber

HOSTILE = [
    "",
    "x" * 10_000,
    "a\x00b",
    "²³",
    "99999999999999999999",
    "-1",
    "-99999999999999999999",
    "\u202eevil\u200b\u200dname\u2066",
    "🩸🧬 👩🏽‍⚕️",
    "<script>alert(1)</script><b>bold</b>",
    "first line\nsecond line\r\nthird",
    "2026-02-30",
    "99999-01-01",
    "2026-02-30T25:61",
    "1e309",
    "  ",
]
HUGE_ID = 99999999999999999999
# Each field alone gets this many hostile values (a different sample per field).
PER_FIELD = 2

# URL patterns that are not the site's own forms, and why.
SKIPPED_PREFIXES = {
    "admin:": "the Django admin (organizers' back office, outside the site's pages)",
    "newsletter:anymail:": "the mail provider's webhooks (signed machine requests, no form)",
}
SKIPPED = {
    "account_logout": "signing out ends the session the rest of the run needs",
    "?": "the media files",
}
# Form actions never sent: signing out.
SKIPPED_ACTIONS = {"/accounts/logout/"}


# ---------------------------------------------------------------------------------------------
# The network the forms act on


@dataclass
class Network:
    member: Any
    organizer: Any
    kwargs: dict[str, dict[str, Any]] = field(default_factory=dict)


def _build_network() -> Network:
    now = timezone.now()
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    member = make_member(display_name="Ana Member")
    mentor = make_member(display_name="Grace Mentor", stage="attending")
    asked = make_member(display_name="Hugo Mentor", stage="attending")
    free = make_member(display_name="Iris Mentor", stage="attending")
    topics = Topic.objects.order_by("id")[:2]
    for person in (mentor, asked, free):
        mentorship.offer_save(
            user=person, actor=person, capacity=3, about="Careers.", topics=topics
        )
    mentorship.goals_save(user=member, actor=member, text="Find my niche.", topics=topics)
    accepted = mentorship.request_create(mentee=member, actor=member, mentor=mentor, note="Hello")
    pair = mentorship.request_accept(request=accepted, actor=mentor, message="Welcome")
    goal = mentorship.goal_add(mentorship=pair, actor=member, text="Write an abstract")
    pending = mentorship.request_create(mentee=member, actor=member, mentor=asked, note="Hi")
    program = mentorship.program_create(
        actor=organizer,
        name="Spring program",
        applications_open_at=now - timedelta(days=1),
        applications_close_at=now + timedelta(days=7),
        matching_date=(now + timedelta(days=8)).date(),
    )
    mentorship.program_apply(program=program, user=mentor, actor=mentor, role=ProgramRole.MENTOR)
    speed = mentorship.speed_event_create(
        actor=organizer, title="Blood Buddies", starts_at=now, rounds=2, table_size=2
    )
    mentorship.speed_participant_add(
        event=speed, user=member, role=ProgramRole.MENTEE, actor=organizer
    )

    season = season_create(
        actor=organizer,
        name="Season 1",
        starts_on=(now - timedelta(days=30)).date(),
        ends_on=(now + timedelta(days=60)).date(),
    )
    guest = guest_create(actor=organizer, name="Dr. Guest", title="Hematologist")
    session = session_create(
        actor=organizer,
        title="Myeloma in 2026",
        starts_at=now + timedelta(minutes=5),
        season=season,
        guests=[guest],
        join_url="https://zoom.example/j/1",
        capacity=20,
    )
    rsvp_create(session=session, user=member)
    visitor = rsvp_request(session=session, email="visitor@example.org", name="Vi")
    question = question_create(session=session, author=mentor, text="What about MRD?")
    feed = calendar_feed_get_or_create(user=member)

    issue = issue_create(subject="October", body="# News\n\nText.", actor=organizer)
    reader = make_subscriber("reader@example.org")
    subscriber_import = SubscriberImport.objects.create(source="csv", created_by=organizer)
    signup = subscriber_signup(
        email="new@example.org", consent_text=consent_text_current(), ip=None
    )

    upload = ImportRun.objects.create(
        kind=ImportKind.FOLLOWERS, file_name="followers.csv", created_by=organizer
    )

    desk_account = SocialAccount.objects.create(
        platform="bluesky", handle="net.bsky.social", service="https://pds.example",
        secret="secret", active=True,
    )  # fmt: skip
    desk_services.queue_slots_set(account=desk_account, actor=organizer, slots=[(0, time(20))])
    desk_post = desk_services.post_create(
        actor=member, text="A journal club thread", accounts=[desk_account]
    )
    desk_services.post_submit(post=desk_post, actor=member)
    draft = conduct_draft_create(actor=organizer, body="# Be kind\n\nText.")
    # community: a space, a discussion with a reply, a notification
    space = space_services.space_create(actor=organizer, slug="general", name="General")
    discussion = space_services.discussion_create(
        actor=member, space=space, title="Hello", body="First post"
    )
    reply = space_services.reply_create(actor=mentor, discussion=discussion, body="A reply")
    note = Notification.objects.filter(recipient=member).first()
    opportunity = opportunity_suggest(
        actor=organizer, title="Travel grant", kind="travel_grant", organization="Society",
        deadline=now + timedelta(days=20), time_zone="UTC", url="https://example.org/",
    )  # fmt: skip
    opportunity_save(opportunity=opportunity, user=member, actor=member)
    suggestion = opportunity_suggest(
        actor=member, title="Summer school", kind="funding", organization="Academy",
        deadline=now + timedelta(days=30), time_zone="UTC", url="https://example.org/s",
    )  # fmt: skip
    nomination = nomination_create(
        actor=mentor, nominee=member, opportunity=opportunity, statement="A great fellow."
    )
    # community: messages (the accepted mentorship's conversation, with a message of the
    # mentor's the member may report)
    conversation = message_services.conversation_start(
        actor=member, recipients=[mentor], body="Hello again"
    )
    mentor_message = message_services.message_send(
        conversation=conversation, actor=mentor, body="Welcome back"
    )

    network = Network(member=member, organizer=organizer)
    network.kwargs = {
        "members:": {"user_id": mentor.pk},
        "members:welcome_step": {"step": "privacy"},
        "members:role_revoke": {"role": "moderator"},
        "events:member_feed": {"token": feed.token},
        "events:rsvp_confirm": {"token": confirm_token(rsvp_id=visitor.pk, email=visitor.email)},
        "events:rsvp_cancel_by_token": {"token": manage_token(rsvp_id=visitor.pk)},
        "events:question_vote": {"pk": question.pk},
        "events:question_moderate": {"pk": question.pk, "action": "answered"},
        "events:check_in_short": {"code": session.check_in_code},
        "events:guest": {"pk": guest.pk},
        "events:month": {"year": now.year, "month": now.month},
        "events:": {"pk": session.pk, "slug": season.slug},
        "newsletter:confirm": {"token": signup},
        "newsletter:": {
            "token": subscriber_token(reader.pk),
            "issue_id": issue.pk,
            "position": 1,
            "subscriber_id": reader.pk,
            "import_id": subscriber_import.pk,
        },
        "mentorship:request_create": {"user_id": free.pk},
        "mentorship:request": {"pk": pending.pk},
        "mentorship:goal_toggle": {"pk": pair.pk, "goal_id": goal.pk},
        "mentorship:mentorship": {"pk": pair.pk},
        "mentorship:exit": {"pk": pair.pk},
        "mentorship:speed": {"pk": speed.pk},
        "mentorship:program": {"pk": program.pk},
        "outreach:import_run": {"pk": upload.pk},
        "outreach:desk": {"pk": desk_post.pk, "account_id": desk_account.pk},
        "moderation:": {"pk": draft.pk, "number": 1},
        "moderation:report": {"item_type": "events.question", "item_id": question.pk},
        "moderation:held_": {"item_type": "community.reply", "pk": reply.pk},
        "moderation:vouch": {"user_id": mentor.pk},
        "community:": {
            "space": space.slug,
            "topic": topics[0].slug,
            "discussion_id": discussion.pk,
            "reply_id": reply.pk,
            "notification_id": note.pk if note else 1,
        },
        "community:opportunit": {"pk": opportunity.pk},
        "community:opportunity_approve": {"pk": suggestion.pk},
        "community:opportunity_reject": {"pk": suggestion.pk},
        "community:nomination": {"pk": nomination.pk},
        "community:conversation": {"pk": conversation.pk},
        "community:message_": {"pk": conversation.pk, "message_id": mentor_message.pk},
        "community:digest_unsubscribe": {"token": digest_token(member.pk)},
        "account_confirm_email": {"key": "forged-key"},
        "account_reset_password_from_key": {"uidb36": "1", "key": "forged-key"},
    }
    return network


# ---------------------------------------------------------------------------------------------
# URL patterns and the forms on their pages


def _patterns(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name or '?'}", pattern


def _page_urls(network: Network) -> list[str]:
    """Every page of the site, with arguments from the network (and once with each id too
    large for any database); fails on a pattern that takes arguments nobody gave, so a new
    page cannot escape the fuzz."""
    urls, unknown = [], []
    for name, pattern in _patterns(get_resolver()):
        if name in SKIPPED or any(name.startswith(prefix) for prefix in SKIPPED_PREFIXES):
            continue
        wanted = set(pattern.pattern.regex.groupindex)
        kwargs: dict[str, Any] = {}
        for key, values in sorted(network.kwargs.items(), key=lambda item: -len(item[0])):
            if name.startswith(key):
                for arg in wanted - set(kwargs):
                    if arg in values:
                        kwargs[arg] = values[arg]
        if wanted - set(kwargs):
            unknown.append(f"{name} needs {sorted(wanted - set(kwargs))}")
            continue
        urls.append(reverse(name, kwargs=kwargs))
        # And each id in the path beyond what any database holds: a 404, never a 500.
        for arg, converter in getattr(pattern.pattern, "converters", {}).items():
            if isinstance(converter, IntConverter):
                urls.append(reverse(name, kwargs={**kwargs, arg: HUGE_ID}))
    assert unknown == [], "Give these URL patterns arguments in _build_network"
    return sorted(set(urls))


@dataclass
class Form:
    action: str
    method: str
    fields: list[dict[str, Any]] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)

    def key(self) -> tuple[Any, ...]:
        names = tuple(sorted({f["name"] for f in self.fields}))
        return (self.action, self.method, names, tuple(self.buttons[:1]))


class _FormParser(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: dict[str, Any] | None = None
        self._textarea: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            action = urlsplit(a.get("action") or self.page_url).path or self.page_url
            self._form = Form(action=action, method=(a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in {"submit", "image", "reset", "button"}:
                self._form.buttons.append((a["name"], a.get("value", "")))
            else:
                spec = {"name": a["name"], "type": kind, "value": a.get("value", "")}
                self._form.fields.append({**spec, "checked": "checked" in a})
        elif tag == "button" and a.get("name"):
            self._form.buttons.append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "type": "select", "multiple": "multiple" in a}
            self._select.update(options=[], selected=[])
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select["options"].append(value)
            if "selected" in a:
                self._select["selected"].append(value)
        elif tag == "textarea" and a.get("name"):
            self._textarea = {"name": a["name"], "type": "textarea", "value": ""}
            self._form.fields.append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


PLAUSIBLE = {
    "email": "someone@example.org",
    "url": "https://example.org/",
    "number": "3",
    "time": "18:00",
}


def _plausible(spec: dict[str, Any]) -> list[str]:
    """What a person would leave in or type into the field."""
    kind = spec["type"]
    soon = timezone.now() + timedelta(days=10)
    if kind == "select":
        chosen = spec["selected"] or [v for v in spec["options"] if v][:1]
        return chosen if spec["multiple"] else chosen[:1]
    if kind in {"checkbox", "radio"}:
        return [spec["value"] or "on"] if spec["checked"] else []
    if kind == "file":
        return []
    if spec["value"]:
        return [spec["value"]]
    if kind == "date":
        return [soon.date().isoformat()]
    if kind == "datetime-local":
        return [soon.strftime("%Y-%m-%dT%H:%M")]
    if kind == "hidden":
        return []
    return [PLAUSIBLE.get(kind) or "Plausible text"]


def _baseline(form: Form) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for spec in form.fields:
        if spec["name"] == "csrfmiddlewaretoken":
            continue
        data.setdefault(spec["name"], []).extend(_plausible(spec))
    for name, value in form.buttons[:1]:
        data[name] = [value]
    return {name: values for name, values in data.items() if values}


def _fuzzable(form: Form) -> list[str]:
    return sorted({s["name"] for s in form.fields if s["name"] != "csrfmiddlewaretoken"})


# ---------------------------------------------------------------------------------------------
# Requests


def _tables() -> dict[str, str]:
    """A digest of every table's rows (sessions aside: signing in writes them)."""
    digests = {}
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            if not model._meta.managed or table == "django_session":
                continue
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')  # noqa: S608
            digests[table] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return digests


def _turned_down(response: Any) -> bool:
    if 400 <= response.status_code < 500:
        return True
    queued = getattr(response.wsgi_request, "_messages", None)
    if queued is not None and any(m.level >= message_levels.ERROR for m in queued):
        return True
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        page = response.content.decode(errors="replace")
        return any(mark in page for mark in ('class="error-text"', "errorlist", "has-error"))
    return False


@dataclass
class Run:
    client: Client
    cookies: Any
    before: dict[str, str]
    requests: int = 0
    accepted: int = 0
    errors: list[str] = field(default_factory=list)
    half_written: list[str] = field(default_factory=list)

    def send(self, method: str, url: str, data: dict[str, Any], what: str) -> Any:
        """One request inside a savepoint that is rolled back afterwards.

        A savepoint, not `atomic()`: services run in durable transactions, which refuse to
        nest inside anything but the test's own.
        """
        savepoint = transaction.savepoint_create()
        try:
            if method == "post":
                response = self.client.post(url, data)
            else:
                response = self.client.get(url, data)
            self.requests += 1
            if response.status_code >= 500:
                error = response.exc_info[1] if response.exc_info else response.status_code
                self.errors.append(f"{method.upper()} {url} {what}: {error!r}"[:400])
            elif method == "post" and _turned_down(response):
                changed = [t for t, d in _tables().items() if self.before.get(t) != d]
                if changed:
                    self.half_written.append(f"POST {url} {what}: {changed}")
            elif method == "post":
                self.accepted += 1
        finally:
            transaction.savepoint_rollback(savepoint)
            self.client.cookies = copy.deepcopy(self.cookies)  # the session as it was
        return response


def _forms_of(run: Run, urls: list[str]) -> list[Form]:
    forms: dict[tuple[Any, ...], Form] = {}
    for url in urls:
        response = run.send("get", url, {}, "(the page)")
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _FormParser(url)
        parser.feed(response.content.decode(errors="replace"))
        for form in parser.forms:
            if form.action in SKIPPED_ACTIONS or form.method not in {"get", "post"}:
                continue
            forms.setdefault(form.key(), form)
    return list(forms.values())


def _fuzz_form(run: Run, form: Form, rng: random.Random) -> None:
    base = _baseline(form)
    names = _fuzzable(form)
    if not names:
        return
    files = {s["name"] for s in form.fields if s["type"] == "file"}
    for value in HOSTILE:
        data: dict[str, Any] = {**base, **{name: [value] for name in names}}
        for name in files:  # a file named and filled with the value
            data[name] = SimpleUploadedFile(f"{value[:60]}.png", value.encode())
        run.send(form.method, form.action, data, f"every field = {value[:30]!r}")
    if form.method != "post":
        return
    for name in names:
        for value in rng.sample(HOSTILE, PER_FIELD):
            run.send(form.method, form.action, {**base, name: [value]},
                     f"{name} = {value[:30]!r}")  # fmt: skip


@pytest.mark.django_db
def test_no_form_answers_hostile_input_with_a_server_error_or_a_half_write(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test client keeps a copy of every template context it sees; with a select of 600
    # time zones that costs more than the requests. Nothing here reads them.
    monkeypatch.setattr(django.test.client, "store_rendered_templates", lambda *a, **k: None)
    # The real task backend: scheduling an issue asks it to run a task later.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    network = _build_network()
    urls = _page_urls(network)
    seen: set[tuple[Any, ...]] = set()
    errors, half_written, sent, accepted = [], [], 0, 0
    for role, user in (("member", network.member), ("organizer", network.organizer)):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        run = Run(client=client, cookies=copy.deepcopy(client.cookies), before=_tables())
        # A form both see is sent by the member only: the organizer's run adds their own.
        forms = [form for form in _forms_of(run, urls) if form.key() not in seen]
        seen.update(form.key() for form in forms)
        rng = random.Random(role)
        for form in forms:
            _fuzz_form(run, form, rng)
        errors += [f"as {role}: {error}" for error in run.errors]
        half_written += [f"as {role}: {write}" for write in run.half_written]
        sent += run.requests
        accepted += run.accepted
        assert sum(form.method == "post" for form in forms) >= 10, role

    assert errors == [], "\n".join(errors)
    assert half_written == [], "\n".join(half_written)
    # Enough requests got through the forms to reach the services behind them.
    assert sent > 1000 and accepted > 50, (sent, accepted)
