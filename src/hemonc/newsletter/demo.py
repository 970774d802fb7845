"""The demo network's newsletter: a generated Mailchimp export, imported by the real importer.

The subscribers reproduce the published figures (121 subscribers from 21 countries; 53% male;
34% internal-medicine residents, 31% hem-onc fellows, 9% attendings, 5% advanced fellows, 5%
medical students). Everyone is synthetic: addresses are under demo.hemonc.example, and some
are the demo members' own accounts. The archive holds the first season's issues and, for the
season under way, one issue every four weeks up to a few days ago, each introducing the live
sessions that follow it; the issue for the next session is a draft being written.
"""

from __future__ import annotations

import csv
import io
import json
import random
import tempfile
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hemonc.core.models import AuditEntry
from hemonc.core.permissions import OPERATOR
from hemonc.core.phi_guard import phi_record, scan_texts
from hemonc.events.models import LiveSession
from hemonc.members.models import Profile, User
from hemonc.newsletter.enums import DeliveryStatus, IssueStatus, SubscriberStatus
from hemonc.newsletter.imports import import_files
from hemonc.newsletter.models import Delivery, Issue, Subscriber

DEMO_DOMAIN = "demo.hemonc.example"
SEED = 121
START = datetime(2021, 2, 15, tzinfo=UTC)

# (stage label as people typed it, stage, specialty, count): 121 subscribed in all.
STAGES: list[tuple[tuple[str, ...], str, str, int]] = [
    (("Internal Medicine Resident", "PGY-2 IM", "IM resident (PGY-1)", "Internal medicine resident"),
     "resident", "internal_medicine", 41),
    (("Hem/Onc Fellow", "Heme-Onc fellow (F2)", "Hematology/Oncology Fellow", "hem onc fellow"),
     "fellow", "hematology_oncology", 38),
    (("Attending", "Assistant Professor", "Early career faculty"), "attending", "", 11),
    (("Advanced Fellow", "Advanced fellow - transplant"), "advanced_fellow", "", 6),
    (("Medical student", "MS3", "Med student"), "medical_student", "", 6),
    (("PhD candidate", "Postdoc"), "phd_trainee", "", 5),
    (("Pharmacist", "Nurse practitioner"), "other", "", 6),
    (("",), "", "", 8),
]  # fmt: skip
# 64 of 121 = 53% male.
GENDERS = [("Male", 64), ("Female", 52), ("Non-binary", 2), ("", 3)]
# 21 countries; the label column is spelled as people typed it, blank ones fall back to CC.
COUNTRIES: list[tuple[str, tuple[str, ...], int]] = [
    ("US", ("USA", "United States", "US", "United States of America", ""), 60),
    ("CA", ("Canada",), 6), ("GB", ("United Kingdom", "UK", "England"), 6),
    ("IN", ("India",), 6), ("BR", ("Brazil",), 4), ("MX", ("Mexico",), 4),
    ("NG", ("Nigeria",), 4), ("EG", ("Egypt",), 3), ("DE", ("Germany",), 3),
    ("IT", ("Italy",), 3), ("ES", ("Spain",), 3), ("AU", ("Australia",), 3),
    ("PK", ("Pakistan",), 3), ("SA", ("Saudi Arabia",), 2), ("TR", ("Turkey",), 2),
    ("JP", ("Japan",), 2), ("KE", ("Kenya",), 2), ("FR", ("France",), 2),
    ("PH", ("Philippines",), 1), ("AR", ("Argentina",), 1), ("CO", ("Colombia",), 1),
]  # fmt: skip
LEFT = 9  # unsubscribed
CLEANED = 4  # bounced

FIXED_HEADER = [
    "MEMBER_RATING", "OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "LATITUDE",
    "LONGITUDE", "GMTOFF", "DSTOFF", "TIMEZONE", "CC", "REGION", "LAST_CHANGED", "LEID", "EUID",
    "NOTES", "TAGS",
]  # fmt: skip
HEADER = ["Email Address", "First Name", "Last Name", "Training Stage", "Country", "Gender"]

_DATA = json.loads(
    (Path(__file__).resolve().parent / "data" / "demo_issues.json").read_text("utf-8")
)
# (sent at, subject, preheader, Markdown body): the first season's issues.
ISSUES: list[tuple[datetime, str, str, str]] = [
    (datetime.fromisoformat(i["sent_at"]), i["subject"], i["preheader"], i["body"])
    for i in _DATA["issues"]
]
# The current season's issues, about once a month as the consent text says (every four weeks,
# each naming the two fortnightly sessions ahead), the last one this many days before today.
EVERY = timedelta(weeks=4)
LAST_SENT_DAYS_AGO = 3
# The draft is for the first session at least this far ahead (sooner ones were announced).
DRAFT_LEAD = timedelta(days=2)


def _expand(pairs: list[tuple[Any, int]], rng: random.Random) -> list[Any]:
    values = [value for value, count in pairs for _ in range(count)]
    rng.shuffle(values)
    return values


def _rows(rng: random.Random) -> tuple[list[list[str]], list[list[str]], list[list[str]]]:
    stages = _expand(
        [((labels, stage, specialty), n) for labels, stage, specialty, n in STAGES], rng
    )
    genders = _expand(GENDERS, rng)
    countries = _expand([((code, labels), n) for code, labels, n in COUNTRIES], rng)
    # Demo members who match a row's stage and country subscribe with their own account.
    members: dict[tuple[str, str], list[Profile]] = {}
    for profile in (
        Profile.objects.select_related("user")
        .filter(user__email__endswith=f"@{DEMO_DOMAIN}")
        .order_by("user_id")
    ):
        members.setdefault((profile.stage, profile.country), []).append(profile)
    subscribed = []
    for number in range(121):
        (labels, stage, _), gender = stages[number], genders[number]
        code, country_labels = countries[number]
        candidates = members.get((stage, code), [])
        if candidates and number % 3 == 0:
            profile = candidates.pop(0)
            email = profile.user.email
            first, _, last = profile.display_name.partition(" ")
        else:
            email, first, last = (
                f"reader{number + 1:03d}@{DEMO_DOMAIN}",
                "Demo",
                f"Reader {number + 1}",
            )
        subscribed.append(
            [
                email,
                first,
                last,
                rng.choice(labels),
                rng.choice(country_labels),
                gender,
                *_fixed(rng, code),
            ]
        )
    left = [
        [
            f"former{n:02d}@{DEMO_DOMAIN}",
            "Demo",
            f"Former {n}",
            "Fellow",
            "USA",
            "Female",
            *_fixed(rng, "US"),
            _time(START + timedelta(days=400 + 20 * n)),
            "Monthly",
            "c0ffee",
            "NORMAL",
            "",
        ]
        for n in range(1, LEFT + 1)
    ]
    cleaned = [
        [
            f"bounced{n:02d}@{DEMO_DOMAIN}",
            "Demo",
            f"Bounced {n}",
            "Resident",
            "India",
            "Male",
            *_fixed(rng, "IN"),
            _time(START + timedelta(days=300 + 30 * n)),
            "Monthly",
            "c0ffee",
        ]
        for n in range(1, CLEANED + 1)
    ]
    return subscribed, left, cleaned


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _fixed(rng: random.Random, cc: str) -> list[str]:
    optin = START + timedelta(days=rng.randint(0, 700), seconds=rng.randint(0, 86_000))
    confirm = optin + timedelta(minutes=rng.randint(1, 90))
    ip = f"192.0.2.{rng.randint(1, 254)}"  # TEST-NET-1: documentation addresses, nobody's
    return [
        str(rng.randint(1, 5)), _time(optin), ip, _time(confirm), ip, "", "", "", "", "", cc,
        "", _time(confirm), str(rng.randint(10**8, 10**9)), f"{rng.getrandbits(40):010x}",
        "Synthetic demo subscriber", "",
    ]  # fmt: skip


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def demo_export(path: Path) -> Path:
    """Write a Mailchimp audience export (zip of the three files) for the demo subscribers."""
    rng = random.Random(SEED)  # noqa: S311 - synthetic demo data
    subscribed, left, cleaned = _rows(rng)
    header = HEADER + FIXED_HEADER
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("subscribed_members_export_0d3e5a.csv", _csv(header, subscribed))
        archive.writestr(
            "unsubscribed_members_export_0d3e5a.csv",
            _csv(
                [
                    *header,
                    "UNSUB_TIME",
                    "UNSUB_CAMPAIGN_TITLE",
                    "UNSUB_CAMPAIGN_ID",
                    "UNSUB_REASON",
                    "UNSUB_REASON_OTHER",
                ],
                left,
            ),
        )
        archive.writestr(
            "cleaned_members_export_0d3e5a.csv",
            _csv([*header, "CLEAN_TIME", "CLEAN_CAMPAIGN_TITLE", "CLEAN_CAMPAIGN_ID"], cleaned),
        )
    return path


def _session_lines(after: datetime, *, count: int = 2) -> str:
    """The next live sessions after `after`, as a Markdown list with links."""
    sessions = LiveSession.objects.filter(starts_at__gt=after).order_by("starts_at")[:count]
    lines = []
    for session in sessions:
        local = session.starts_at.astimezone(ZoneInfo(session.time_zone or "UTC"))
        url = f"{settings.SITE_URL}{session.get_absolute_url()}"
        lines.append(f"- **{local:%A} {local.day} {local:%B}:** [{session.title}]({url})")
    return "\n".join(lines)


def _current_season_issues(now: datetime) -> list[tuple[datetime, str, str, str]]:
    """The season under way: an issue every four weeks up to a few days ago."""
    planned = _DATA["current_season"]
    last = (now - timedelta(days=LAST_SENT_DAYS_AGO)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    issues = []
    for number, item in enumerate(planned):
        sent_at = last - EVERY * (len(planned) - 1 - number)
        body = item["intro"]
        coming = _session_lines(sent_at)
        if coming:
            body += f"\n\n## Coming up\n\n{coming}"
        body += "\n\n### Missed one?\n\nRecordings of past sessions are on each session's page."
        issues.append((sent_at, item["subject"], item["preheader"], body))
    return issues


def _draft(now: datetime) -> Issue:
    """The issue for the next live session the last issue did not announce, being written."""
    upcoming = (
        LiveSession.objects.filter(starts_at__gt=now + DRAFT_LEAD).order_by("starts_at").first()
    )
    plan = _DATA["draft"]
    if upcoming is None:
        subject, body = "The next issue", "_(Draft being written. Synthetic demo issue.)_"
    else:
        local = upcoming.starts_at.astimezone(ZoneInfo(upcoming.time_zone or "UTC"))
        when = f"{local:%A} {local.day} {local:%B}"
        subject = plan["subject"].format(title=upcoming.title)[:200]
        coming = _session_lines(upcoming.starts_at - timedelta(seconds=1))
        body = plan["intro"].format(date=when) + f"\n\n## Coming up\n\n{coming}"
    return Issue.objects.create(
        subject=subject,
        preheader=plan["preheader"],
        body=body,
        created_by=User.objects.filter(email=f"organizer@{DEMO_DOMAIN}").first(),
    )


@transaction.atomic
def _sent_issues() -> int:
    subscribed = list(
        Subscriber.objects.filter(status=SubscriberStatus.SUBSCRIBED).values_list(
            "id", "consented_at"
        )
    )
    now = timezone.now()
    organizer = User.objects.filter(email=f"organizer@{DEMO_DOMAIN}").first()
    issues = [*ISSUES, *_current_season_issues(now)]
    for sent_at, subject, preheader, body in issues:
        # An issue with a link outside the journals and societies went out on the organizer's
        # attestation, given the day before and kept in the audit log.
        found = scan_texts({"subject": subject, "preheader": preheader, "body": body})
        issue = Issue.objects.create(
            subject=subject,
            preheader=preheader,
            body=body,
            status=IssueStatus.SENT,
            sent_at=sent_at,
            finished_at=sent_at + timedelta(minutes=2),
            phi_attested_at=sent_at - timedelta(days=1) if found else None,
            phi_attested_by=organizer if found else None,
        )
        if found:
            attested = phi_record(actor=organizer, target=issue, found=found)
            AuditEntry.objects.filter(pk=attested.pk).update(created_at=issue.phi_attested_at)
        Delivery.objects.bulk_create(
            Delivery(
                issue=issue,
                subscriber_id=subscriber_id,
                status=DeliveryStatus.SENT,
                attempts=1,
                sent_at=sent_at,
                message_id=f"<{issue.pk}.{subscriber_id}.demo@{DEMO_DOMAIN}>",
            )
            for subscriber_id, consented_at in subscribed
            if consented_at and consented_at < sent_at
        )
    _draft(now)
    return len(issues)


def demo_newsletter_create(*, stdout: Any) -> None:
    if Subscriber.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exists():
        stdout.write("The demo newsletter is already here.")
        return
    with tempfile.TemporaryDirectory(prefix="hemonc-demo-") as scratch:
        export = demo_export(Path(scratch) / "demo_members_export_0d3e5a.zip")
        summary = import_files([str(export)], source="mailchimp", fields={}, actor=OPERATOR)
    issues = _sent_issues()
    stats = Subscriber.objects.filter(status=SubscriberStatus.SUBSCRIBED)
    countries = stats.exclude(country="").values("country").distinct().count()
    stdout.write(
        f"Newsletter: imported a generated Mailchimp export ({summary.created} people, "
        f"{stats.count()} subscribed from {countries} countries); {issues} sent issues "
        "in the archive and a draft for the next session."
    )
