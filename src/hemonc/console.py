"""The organizers' console: the everyday work of every app on one page. Like the home page it
sits above the apps; each app lists its pages on its AppConfig (`console_links`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.db import models
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString

from hemonc.community.selectors import opportunities_pending
from hemonc.core import phi
from hemonc.core.models import AuditEntry
from hemonc.core.permissions import permission_required
from hemonc.core.phi_guard import ACTIONS, ATTEST_ACTION
from hemonc.events.models import LiveSession, Question
from hemonc.events.selectors import sessions_with_open_questions
from hemonc.members.http import AuthenticatedHttpRequest
from hemonc.members.models import Profile, User
from hemonc.mentorship.selectors import programs_awaiting_review
from hemonc.moderation.selectors import (
    appeals_waiting_for,
    cases_open_for,
    held_needs,
    with_report_counts,
)
from hemonc.newsletter.models import Issue
from hemonc.newsletter.selectors import issues_unsent
from hemonc.outreach.desk.selectors import desk_needs
from hemonc.outreach.models import DeskPost


@cache
def console_sections() -> tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...]:
    """(app name, ((label, URL, what it is for), ...)) for the apps that declare pages."""
    return tuple(
        (
            str(config.verbose_name),
            tuple((label, reverse(name), text) for label, name, text in links),
        )
        for config in apps.get_app_configs()
        if (links := getattr(config, "console_links", ()))
    )


def organizer_needs(user: User) -> dict[str, Any]:
    """What waits for organizers and moderators, by what `user` may do ("needs"; empty for
    other members), and whether anything does ("needs_anything"): shown on their home and
    atop the console."""
    needs: dict[str, Any] = {}
    if user.has_perm("events.moderate_questions"):
        needs["questions"] = sessions_with_open_questions()
    if user.has_perm("newsletter.manage"):
        needs["issues"] = issues_unsent()
    if user.has_perm("mentorship.manage_programs"):
        needs["programs"] = programs_awaiting_review()
    if user.has_perm("outreach.desk_approve") or user.has_perm("outreach.desk_schedule"):
        desk = desk_needs(user=user)
        needs["desk_posts"], needs["desk_failed"] = desk["to_approve"], desk["failed"]
    if user.has_perm("moderation.handle_case"):
        needs["cases"] = with_report_counts(cases_open_for(user)[:5])
        needs["appeals"] = list(appeals_waiting_for(user)[:5])
    if user.has_perm("moderation.review_held"):
        needs["held"] = held_needs()
    if user.has_perm("community.review_opportunities"):
        needs["opportunities"] = list(opportunities_pending()[:10])
    return {"needs": needs, "needs_anything": any(needs.values())}


PHI_SECTION = (
    "Privacy",
    (
        (
            "Patient identifiers",
            "console_phi",
            "Questions held for the host, and texts published over what the check found.",
        ),
    ),
)


@permission_required("members.use_console")
def console(request: AuthenticatedHttpRequest) -> HttpResponse:
    sections = console_sections()
    if request.user.has_perm("core.review_phi"):
        label, links = PHI_SECTION
        sections = (*sections, (label, tuple((a, reverse(b), c) for a, b, c in links)))
    return render(request, "console.html", {"sections": sections} | organizer_needs(request.user))


@dataclass(frozen=True)
class PhiEvent:
    """One text held or attested, as the organizers' list shows it."""

    entry: AuditEntry
    attested: bool  # else held
    kinds: str  # "1 date and 2 names"
    where: str  # what the text belongs to, in words
    url: str  # "" when it is gone
    state: str  # a held question's state now ("" for others)


def _where(target: models.Model | None) -> tuple[str, str, str]:
    """(what the text belongs to, its organizer's page, its state) of an audited target."""
    if isinstance(target, Issue):
        url = reverse("newsletter:issue_detail", args=[target.pk])
        return f"Newsletter issue “{target.subject}”", url, ""
    if isinstance(target, LiveSession):
        return f"Session “{target.title}”", target.get_absolute_url(), ""
    if isinstance(target, Question):
        state = (
            "Still held"
            if target.is_held
            else "Hidden"
            if target.is_hidden
            else "Released: shown to members"
        )
        return f"A question in “{target.session.title}”", target.get_absolute_url(), state
    if isinstance(target, DeskPost):
        url = reverse("outreach:desk_post", args=[target.pk])
        return f"A {target.get_kind_display().lower()} post for social media", url, ""
    if isinstance(target, Profile):
        return f"The bio of {target}", target.get_absolute_url(), ""
    return "Something since deleted", "", ""


def _targets(entries: list[AuditEntry]) -> dict[tuple[str, str], models.Model]:
    """The audited objects, fetched one query per kind."""
    related = {"events.question": ("session",)}
    found: dict[tuple[str, str], models.Model] = {}
    for label in {entry.target_type for entry in entries if entry.target_type}:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        ids = [entry.target_id for entry in entries if entry.target_type == label]
        rows = model._default_manager.all()
        if label in related:
            rows = rows.select_related(*related[label])
        found.update({(label, str(pk)): row for pk, row in rows.in_bulk(ids).items()})
    return found


def phi_events(*, limit: int = 200) -> list[PhiEvent]:
    """The latest texts held for a host or published over the author's attestation."""
    entries = list(
        AuditEntry.objects.filter(action__in=ACTIONS).select_related("actor__profile")[:limit]
    )
    targets = _targets(entries)
    events = []
    for entry in entries:
        findings = [
            phi.Finding(kind, 0, 0, "", phi.LETTERS[kind])
            for item in entry.changes.get("findings", [])
            if (kind := item.get("kind")) in phi.LETTERS
        ]
        where, url, state = _where(targets.get((entry.target_type, entry.target_id)))
        events.append(
            PhiEvent(
                entry=entry,
                attested=entry.action == ATTEST_ACTION,
                kinds=phi.describe(findings),
                where=where,
                url=url,
                state=state,
            )
        )
    return events


@dataclass(frozen=True)
class HeldQuestion:
    question: Question
    marked: SafeString  # its text with what may identify a patient marked


@permission_required("core.review_phi")
def phi_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What the patient-identifier check held or let through on an attestation (organizers)."""
    held = [
        HeldQuestion(q, phi.highlight(q.text, phi.scan(q.text)))
        for q in Question.objects.filter(is_held=True)
        .select_related("session")
        .order_by("-created_at")[:50]
    ]
    return render(request, "console_phi.html", {"held": held, "events": phi_events()})
