"""The weekly digest: 20,000 members, each their own digest, the task worker, a local SMTP server.

The run migrates a fresh SQLite database and seeds it (`python -m bench.digest seed`): 20,000
members (bench/population.py, with their blocks and mutes), spaces for everyone and for
trainees, the week's discussions with tags, what each member follows, a few opportunities,
and every member opted in to the digest; then it queues the week's digest task. An SMTP
sink on loopback (bench/smtp_sink.py, in its own process) counts what arrives while
`hemonc db_worker --batch` builds and sends every digest. The baseline, in the same run: a
bare smtplib loop sending as many prepared messages (copies of one digest the worker sent)
over one connection to the same sink.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import REPO_ROOT, target
from bench.common import free_port, log
from bench.newsletter import (
    BIN,
    _baseline,
    _environment,
    _sink_reading,
    _sqlite_version,
    _start_sink,
    _stop_sink,
)

TITLE = "Weekly digest sending"
MEMBERS = 20_000
TARGET_RATIO = 0.5
TARGET_MEMORY_MB = 400.0
SUBJECTS = (
    "Myeloma maintenance",
    "Night float",
    "CAR-T toxicity",
    "Fellowship interviews",
    "ASH abstracts",
)
# The opportunities' eligibility (stages, countries) as the model stores it.
ELIGIBILITY = (
    (" fellow resident ", ""),
    ("", " US "),
    (" attending ", ""),
    ("", ""),
    (" medical_student ", " IN GB "),
)


def run(*, members: int = MEMBERS) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="hemonc-bench-digest-") as scratch_name:
        scratch = Path(scratch_name)
        var_dir = scratch / "var"
        database_url = f"sqlite:///{var_dir / 'bench.sqlite3'}"
        port = free_port()
        env = _environment(database_url, var_dir, port)
        log("migrating")
        subprocess.run(
            [str(BIN / "hemonc"), "migrate", "--no-input", "--verbosity", "0"],
            env=env, cwd=REPO_ROOT, check=True,
        )  # fmt: skip
        log(f"adding {members:,} members, the week's discussions, follows and opt-ins")
        seeded = subprocess.run(
            [sys.executable, "-m", "bench.digest", "seed", "--members", str(members)],
            env=env, cwd=REPO_ROOT, capture_output=True, text=True,
        )  # fmt: skip
        if seeded.returncode:
            raise RuntimeError(f"seeding failed:\n{seeded.stderr[-3000:]}")
        seed = json.loads(seeded.stdout.strip().splitlines()[-1])

        sink, count_file = _start_sink(port, scratch, "worker")
        log("worker: building and sending")
        started = time.perf_counter()
        worker = subprocess.Popen(
            [str(BIN / "hemonc"), "db_worker", "--batch", "--no-startup-delay", "--no-reload",
             "--verbosity", "0"],
            env=env, cwd=REPO_ROOT,
        )  # fmt: skip
        _, status, usage = os.wait4(worker.pid, 0)
        worker_seconds = time.perf_counter() - started
        worker.returncode = os.waitstatus_to_exitcode(status)
        time.sleep(0.3)
        _stop_sink(sink)
        worker_received, worker_rate = _sink_reading(count_file)
        peak_mb = usage.ru_maxrss / 1024
        checked = subprocess.run(
            [sys.executable, "-m", "bench.digest", "check", "--week", seed["week"]],
            env=env, cwd=REPO_ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
        outcome = json.loads(checked.stdout.strip().splitlines()[-1])
        sample = (scratch / "worker.eml").read_bytes()
        log(f"worker: {worker_received:,} messages in {worker_seconds:.1f} s")

        sink, count_file = _start_sink(port, scratch, "baseline")
        log("baseline: bare smtplib loop over one connection")
        baseline_seconds = _baseline(port, sample, max(worker_received, 1))
        time.sleep(0.3)
        _stop_sink(sink)
        baseline_received, baseline_rate = _sink_reading(count_file)
        log(f"baseline: {baseline_received:,} messages in {baseline_seconds:.1f} s")

    ratio = worker_rate / baseline_rate if baseline_rate else None
    return {
        "summary": f"The weekly digest of {members:,} members, each built from what they "
        "follow in the spaces they may see (less members hidden from them) and the "
        "opportunities that fit them, sent by the task worker (`hemonc db_worker`, SQLite, "
        "one SMTP connection, each batch of members recorded as sent) to an SMTP sink on "
        "loopback, compared with a bare smtplib loop sending as many prepared messages over "
        "one connection to the same sink.",
        "command": ".venv/bin/python -m bench digest",
        "databases": [{"label": "SQLite", "vendor": "sqlite", "version": _sqlite_version()}],
        "tables": [
            {
                "title": "Figures",
                "columns": [
                    ["sender", "Sender"],
                    ["messages", "Messages received"],
                    ["seconds", "Seconds"],
                    ["rate", "Messages/s at the sink"],
                    ["memory", "Peak memory MB"],
                    ["notes", "Notes"],
                ],
                "rows": [
                    {
                        "sender": "Worker (digest)",
                        "messages": worker_received,
                        "seconds": round(worker_seconds, 2),
                        "rate": round(worker_rate, 1),
                        "memory": round(peak_mb, 1),
                        "notes": f"seconds: wall time incl. start-up; run: {outcome['run']}",
                    },
                    {
                        "sender": "Bare smtplib loop",
                        "messages": baseline_received,
                        "seconds": round(baseline_seconds, 2),
                        "rate": round(baseline_rate, 1),
                        "memory": None,
                        "notes": "seconds: the send loop; prepared bytes, no database",
                    },
                ],
            }
        ],
        "targets": [
            target(
                subject="Worker",
                name="messages/s ÷ bare smtplib messages/s",
                measured=round(ratio, 2) if ratio else None,
                op=">=",
                limit=TARGET_RATIO,
            ),
            target(
                subject="Worker",
                name="peak memory",
                measured=round(peak_mb, 1),
                op="<",
                limit=TARGET_MEMORY_MB,
                unit=" MB",
            ),
            target(
                subject="Worker",
                name="messages at the sink = members recorded as sent (one copy each)",
                measured=worker_received,
                op="=",
                limit=outcome["sent_once"],
            ),
        ],
        "notes": [
            "Both rates are measured the same way, at the sink: messages between the first and "
            "the last arrival, divided by the time between them; start-up (the worker's Python "
            "and Django, reading the week's discussions; the loop's preparing of messages) is "
            "in neither.",
            "Every member's digest is their own: the week's discussions and opportunities are "
            "written once as text and HTML lines, and each member's copy is assembled from "
            "them after a few queries per batch of 500 members (follows, visible spaces, "
            "blocks and mutes, stage and country).",
            "Members who follow nothing active this week and have no fitting opportunity get "
            f"no mail ({outcome['run']['skipped']:,} of them here).",
            "The sink (bench/smtp_sink.py) runs in its own process and counts messages without "
            "parsing them; on a 2-core machine it competes with the sender for CPU in both runs.",
        ],
        "details": {"seed": seed, "outcome": outcome},
    }


# ---------------------------------------------------------------------------------------------
# Helpers that run in their own processes.


def _seed(members: int) -> None:
    import random
    from datetime import timedelta

    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from bench.population import populate
    from hemonc.community.enums import SpaceVisibility
    from hemonc.community.models import (
        DigestSubscription,
        Discussion,
        Follow,
        Opportunity,
        Space,
    )
    from hemonc.community.services import digest
    from hemonc.community.tasks import send_digest_task
    from hemonc.members.models import User
    from hemonc.taxonomy.models import Topic

    rng = random.Random(7)
    populate(members=members, reader_email="reader@bench.invalid")
    now = timezone.now()
    week = digest.week_of(now)
    since = digest._send_time(week) - timedelta(days=7)
    topics = list(Topic.objects.order_by("slug")[:12])
    with transaction.atomic():
        general = Space.objects.create(slug="general", name="General")
        trainees = Space.objects.create(
            slug="trainees", name="Trainees' room", visibility=SpaceVisibility.TRAINEES
        )
        organizers = Space.objects.create(
            slug="organizers", name="Organizers", visibility=SpaceVisibility.ORGANIZERS
        )
        spaces = [general] * 5 + [trainees] * 3 + [organizers]
        people = list(User.objects.filter(is_active=True).values_list("pk", "profile__stage"))
        discussions = []
        for number in range(40):
            when = since + (now - since) * rng.random()
            discussions.append(
                Discussion(
                    space=rng.choice(spaces),
                    author_id=rng.choice(people)[0],
                    title=f"Discussion {number}: {rng.choice(SUBJECTS)}",
                    body="What do you think?",
                    last_activity_at=when,
                    reply_count=rng.randrange(0, 40),
                )
            )
        Discussion.objects.bulk_create(discussions)
        Discussion.tags.through.objects.bulk_create(
            Discussion.tags.through(discussion_id=d.pk, topic_id=rng.choice(topics).pk)
            for d in discussions
        )
        follows = []
        for user_id, stage in people:
            if rng.random() < 0.8:
                follows.append(Follow(user_id=user_id, space=general))
            if stage in {"medical_student", "resident", "fellow"} and rng.random() < 0.5:
                follows.append(Follow(user_id=user_id, space=trainees))
            for topic in rng.sample(topics, rng.choice([0, 1, 1, 2, 3])):
                follows.append(Follow(user_id=user_id, topic=topic))
        Follow.objects.bulk_create(follows, batch_size=5000)
        DigestSubscription.objects.bulk_create(
            (DigestSubscription(user_id=user_id, weekly=True) for user_id, _ in people),
            batch_size=5000,
        )
        for number, (stages, countries) in enumerate(ELIGIBILITY):
            Opportunity.objects.create(
                title=f"Travel grant {number}", kind="travel_grant", organization="Society",
                deadline=now + timedelta(days=20 + number), url="https://example.org/",
                stages=stages, countries=countries, status="approved", approved_at=now,
            )  # fmt: skip
    send_digest_task.enqueue(week=week.isoformat())
    print(json.dumps({"week": week.isoformat(), "members": len(people), "follows": len(follows)}))


def _check(week: str) -> None:
    from datetime import date

    import django

    django.setup()
    from hemonc.community.models import DigestRun, DigestSubscription

    run = DigestRun.objects.get(week=date.fromisoformat(week))
    sent_once = DigestSubscription.objects.filter(last_sent_week=run.week).count()
    print(
        json.dumps(
            {
                "run": {"sent": run.sent, "skipped": run.skipped, "failed": run.failed},
                "sent_once": sent_once,
                "with_content": run.sent,
                "finished": run.finished_at is not None,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.digest")
    commands = parser.add_subparsers(dest="command", required=True)
    seed = commands.add_parser("seed")
    seed.add_argument("--members", type=int, default=MEMBERS)
    check = commands.add_parser("check")
    check.add_argument("--week", required=True)
    arguments = parser.parse_args()
    if arguments.command == "seed":
        _seed(arguments.members)
    else:
        _check(arguments.week)


if __name__ == "__main__":
    main()
