"""The outbox against a real SMTP server on loopback that refuses, drops and comes back."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from hemonc.core.permissions import OPERATOR
from hemonc.newsletter import services
from hemonc.newsletter.mail import (
    subscriber_id_from_token,
    subscriber_token,
    subscriber_token_maker,
)
from hemonc.newsletter.models import Delivery, Issue, Subscriber
from tests.newsletter.conftest import make_subscriber
from tests.smtp import Mailbox, _free_port


class ScriptedServer(Mailbox):
    """A mailbox that follows a script: "accept" a message, answer "421" to a recipient,
    or "drop" the connection in the middle of a message. Past the script it accepts all."""

    def __init__(
        self,
        script: list[str] | None = None,
        reject: set[str] | None = None,
        **timing: Any,
    ) -> None:
        super().__init__(**timing)
        self.script = list(script or [])
        self.reject = reject or set()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if self.script and self.script[0] == "421":
            self.script.pop(0)
            return "421 4.3.2 Service shutting down, closing channel"
        if address in self.reject:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.script and self.script[0] == "drop":
            self.script.pop(0)
            server.transport.close()
            return "451 gone"
        if self.script and self.script[0] == "accept":
            self.script.pop(0)
        return await super().handle_DATA(server, session, envelope)


def _point_mail_at(settings: Any, port: int) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


@pytest.fixture
def port() -> int:
    return _free_port()


@pytest.fixture
def server_factory(port: int) -> Iterator[Any]:
    started: list[Controller] = []

    def start(handler: Mailbox) -> Controller:
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        return controller

    yield start
    for controller in started:
        with contextlib.suppress(AssertionError):  # stopped already by the test
            controller.stop()


def _issue(recipients: int, **fields: Any) -> Issue:
    for number in range(recipients):
        make_subscriber(f"reader{number}@example.org")
    issue = services.issue_create(
        subject="Pre-ASH special: the sessions not to miss",
        body="Hello **fellows**.\n\nSee [the schedule](https://example.org/ash).",
        actor=OPERATOR,
        phi_attested=True,  # a link outside the allowed sites
        **fields,
    )
    issue.phi_attested_at = timezone.now()
    issue.save()
    return services.issue_start_sending(issue=issue, actor=OPERATOR)


def _copies(mailbox: Mailbox) -> Counter[str]:
    return Counter(str(message["To"]) for message in mailbox.messages)


@pytest.mark.django_db
def test_every_mail_has_both_parts_and_one_click_unsubscribe(
    settings: Any, server_factory: Any, port: int, client: Any
) -> None:
    mailbox = ScriptedServer()
    server_factory(mailbox)
    _point_mail_at(settings, port)
    issue = _issue(1, preheader="Five sessions, one week")

    run = services.outbox_send(issue=issue)

    assert run.sent == 1 and run.done
    message = mailbox.wait_for(1)[0]
    assert message["Subject"] == "Pre-ASH special: the sessions not to miss"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].startswith(f"<{issue.pk}.")
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Hello **fellows**" in text and "the schedule (https://example.org/ash)" in text
    assert "<strong>fellows</strong>" in html and "Five sessions, one week" in html
    unsubscribe_url = message["List-Unsubscribe"].strip("<>")
    assert unsubscribe_url in text and unsubscribe_url in html
    assert "/newsletter/o/" not in html  # no tracking unless switched on

    client.post(urlsplit(unsubscribe_url).path, {"List-Unsubscribe": "One-Click"})

    assert Subscriber.objects.get().status == "unsubscribed"


@pytest.mark.django_db
def test_refusal_drop_and_outage_still_deliver_exactly_one_copy_each(
    settings: Any, server_factory: Any, port: int
) -> None:
    settings.NEWSLETTER_RETRY_SECONDS = 0
    mailbox = ScriptedServer(script=["accept"] * 3 + ["421"] + ["accept"] * 2 + ["drop"])
    controller = server_factory(mailbox)
    _point_mail_at(settings, port)
    issue = _issue(10)

    first = services.outbox_send(issue=issue)  # three accepted, then 421
    second = services.outbox_send(issue=issue)  # two accepted, then the connection drops
    controller.stop()
    third = services.outbox_send(issue=issue)  # the server is gone
    server_factory(mailbox)  # ... and back
    call_command("newsletter", "send", str(issue.pk), "--wait", stdout=StringIO())

    assert (first.sent, first.retried, second.sent, second.retried) == (3, 1, 2, 1)
    assert (third.sent, third.retried) == (0, 1)
    copies = _copies(mailbox)
    assert sorted(copies) == sorted(f"reader{n}@example.org" for n in range(10))
    assert set(copies.values()) == {1}
    issue.refresh_from_db()
    assert issue.status == "sent"
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_delivery_refused_once_too_often_fails_for_good(
    settings: Any, server_factory: Any, port: int
) -> None:
    mailbox = ScriptedServer(script=["421"])
    server_factory(mailbox)
    _point_mail_at(settings, port)
    issue = _issue(1)
    Delivery.objects.update(attempts=services.MAX_ATTEMPTS - 1)

    run = services.outbox_send(issue=issue)

    delivery = Delivery.objects.get()
    assert (run.failed, run.retried, delivery.status) == (1, 0, "failed")
    assert delivery.attempts == services.MAX_ATTEMPTS
    assert delivery.last_error.startswith("421")
    assert mailbox.messages == []


@pytest.mark.django_db
def test_permanent_refusal_marks_the_subscriber_bounced(
    settings: Any, server_factory: Any, port: int
) -> None:
    mailbox = ScriptedServer(reject={"reader1@example.org"})
    server_factory(mailbox)
    _point_mail_at(settings, port)
    issue = _issue(3)

    out = StringIO()
    with pytest.raises(Exception, match="1 delivery"):
        call_command("newsletter", "send", str(issue.pk), "--wait", stdout=out)

    assert sorted(_copies(mailbox)) == ["reader0@example.org", "reader2@example.org"]
    assert Subscriber.objects.get(email="reader1@example.org").status == "bounced"
    assert Delivery.objects.get(subscriber__email="reader1@example.org").status == "bounced"
    assert "bounced 1" in out.getvalue()


@pytest.mark.django_db
def test_a_stopped_worker_leaves_nothing_skipped_or_doubled(
    settings: Any, server_factory: Any, port: int
) -> None:
    mailbox = ScriptedServer()
    server_factory(mailbox)
    _point_mail_at(settings, port)
    issue = _issue(8)
    # A worker leased four deliveries and was killed before sending them.
    services.outbox_claim(issue=issue, owner="killed-worker", limit=4)

    meanwhile = services.outbox_send(issue=issue)
    with time_machine.travel(timezone.now() + services.LEASE + timedelta(seconds=5)):
        after_lease = services.outbox_send(issue=issue)

    assert (meanwhile.sent, meanwhile.done) == (4, False)
    assert (after_lease.sent, after_lease.done) == (4, True)
    assert set(_copies(mailbox).values()) == {1} and len(_copies(mailbox)) == 8


@pytest.mark.django_db
def test_worker_sends_the_issue_from_the_task_queue(
    settings: Any,
    server_factory: Any,
    port: int,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The worker closes "old" connections between tasks; the test's transaction must survive.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    mailbox = ScriptedServer()
    server_factory(mailbox)
    _point_mail_at(settings, port)
    for number in range(5):
        make_subscriber(f"reader{number}@example.org")
    issue = services.issue_create(subject="Monthly", body="News.", actor=OPERATOR)

    with django_capture_on_commit_callbacks(execute=True):
        services.issue_send_now(issue=issue, actor=OPERATOR)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    assert len(_copies(mailbox)) == 5
    issue.refresh_from_db()
    assert issue.status == "sent"


def _no_task_runner(settings: Any) -> None:
    """Tasks wait in a queue nobody works (the tests start the senders themselves)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


class _Sender(threading.Thread):
    """`outbox_send` in a thread of its own (its own database connection), as a worker."""

    def __init__(self, issue: Issue) -> None:
        super().__init__()
        self.issue = issue
        self.run_result: services.OutboxRun | None = None

    def run(self) -> None:
        try:
            self.run_result = services.outbox_send(issue=self.issue)
        finally:
            connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_two_senders_with_a_slow_server_send_each_reader_one_copy(
    settings: Any, server_factory: Any, port: int
) -> None:
    settings.NEWSLETTER_LEASE_SECONDS = 1
    _no_task_runner(settings)
    mailbox = ScriptedServer(delay=0.05)  # 60 messages take the worker 3 leases
    server_factory(mailbox)
    _point_mail_at(settings, port)
    issue = _issue(60)

    worker = _Sender(issue)
    worker.start()
    time.sleep(1.4)  # the worker's first lease has run out while it is still sending
    call_command("newsletter", "send", str(issue.pk), "--wait", stdout=StringIO())
    worker.join()

    copies = _copies(mailbox)
    assert len(copies) == 60 and set(copies.values()) == {1}
    # Which sender sent how many depends on the machine's speed (on a slow one the worker's
    # lease runs out mid-batch, or the command claims first): together, each reader once.
    assert worker.run_result is not None and worker.run_result.sent <= 60
    assert Delivery.objects.filter(status="sent").count() == 60


@pytest.mark.django_db(transaction=True)
def test_a_sender_that_lost_its_lease_sends_nothing_more(
    settings: Any, server_factory: Any, port: int
) -> None:
    settings.NEWSLETTER_LEASE_SECONDS = 1
    _no_task_runner(settings)
    # The third message hangs for longer than the lease: meanwhile another sender takes over.
    mailbox = ScriptedServer(stalls={3: 2.5})
    server_factory(mailbox)
    _point_mail_at(settings, port)
    issue = _issue(10)

    worker = _Sender(issue)
    worker.start()
    time.sleep(1.5)
    call_command("newsletter", "send", str(issue.pk), "--wait", stdout=StringIO())
    worker.join()

    copies = _copies(mailbox)
    assert sorted(copies) == sorted(f"reader{n}@example.org" for n in range(10))
    # Only the message in flight when the lease ran out can arrive twice.
    assert copies["reader2@example.org"] <= 2
    assert {copies[f"reader{n}@example.org"] for n in range(10) if n != 2} == {1}
    assert worker.run_result is not None
    assert (worker.run_result.sent, worker.run_result.lost_lease) == (2, True)
    assert Delivery.objects.filter(status="sent").count() == 10
    issue.refresh_from_db()
    assert issue.status == "sent"


def _database_url() -> str:
    """The test database as a DATABASE_URL, for a worker in another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_s_issue_resumes_once_its_lease_runs_out(
    settings: Any, server_factory: Any, port: int, tmp_path: Path
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    mailbox = ScriptedServer(delay=0.2)
    server_factory(mailbox)
    _point_mail_at(settings, port)
    issue = _issue(40)  # its send task waits in the queue
    src = Path(__file__).resolve().parents[2] / "src"
    env = {
        **os.environ,
        "PYTHONPATH": str(src),
        "DJANGO_SETTINGS_MODULE": "hemonc.settings",
        "DJANGO_DEBUG": "true",
        "HEMONC_VAR_DIR": str(tmp_path),
        "DATABASE_URL": _database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "hemonc", "db_worker", "--no-reload", "--no-startup-delay"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        mailbox.wait_for(3, timeout=60)
    finally:
        worker.kill()  # mid-send, as a power cut would
        worker.wait()
    crashed_at = timezone.now()
    assert Delivery.objects.filter(status="pending").exists()

    # Two minutes (the lease) and a few seconds later the worker sends the rest.
    with time_machine.travel(crashed_at + services.LEASE + timedelta(seconds=10), tick=True):
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    issue.refresh_from_db()
    assert issue.status == "sent"
    copies = _copies(mailbox)
    assert len(copies) == 40 and sum(copies.values()) <= 41  # the one in flight at most twice


@pytest.mark.django_db(transaction=True)
def test_the_watch_leaves_a_live_sender_alone_and_replaces_a_dead_one(settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from hemonc.newsletter.tasks import watch_issue_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    issue = _issue(4)  # its send task waits in the queue
    run = DBTaskResult.objects.get(task_path__endswith="send_issue_task")
    run.status = "RUNNING"  # a worker took it ...
    run.save()
    services.outbox_claim(issue=issue, owner="the-run", limit=4)  # ... and holds the outbox
    lease_until = Delivery.objects.values_list("lease_until", flat=True).first()

    watch_issue_task.call(issue.pk, str(run.id), "the-run")

    again = DBTaskResult.objects.get(task_path__endswith="watch_issue_task")
    assert again.run_after == lease_until + timedelta(seconds=5)
    assert DBTaskResult.objects.filter(task_path__endswith="send_issue_task").count() == 1

    # The worker died: its lease runs out and the watch, coming back, sends in its place.
    with time_machine.travel(again.run_after + timedelta(seconds=1)):
        watch_issue_task.call(issue.pk, str(run.id), "the-run")

    sends = DBTaskResult.objects.filter(task_path__endswith="send_issue_task").exclude(pk=run.pk)
    assert sends.count() == 1 and sends.get().status == "READY"


@pytest.mark.django_db
def test_send_of_an_issue_that_may_identify_a_patient_without_attestation_is_refused() -> None:
    issue = services.issue_create(subject="Monthly", body="News.", actor=OPERATOR)
    # Written past the services (as an import would): the send checks the text again.
    Issue.objects.filter(pk=issue.pk).update(body="Seen with DOB 3/14/1961.")
    issue.refresh_from_db()

    with pytest.raises(services.DomainError, match="may identify a patient"):
        services.issue_send_now(issue=issue, actor=OPERATOR)

    assert Delivery.objects.count() == 0


def test_subscriber_token_maker_makes_the_tokens_the_links_accept() -> None:
    token_for = subscriber_token_maker()

    tokens = {subscriber_id: token_for(subscriber_id) for subscriber_id in (1, 42, 10**9)}

    assert tokens == {subscriber_id: subscriber_token(subscriber_id) for subscriber_id in tokens}
    assert subscriber_id_from_token(tokens[42]) == 42
