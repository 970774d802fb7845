"""Newsletter pages: sign-up and preferences (no account needed), the archive, and the
organizers' issues and demographics."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from anymail.exceptions import AnymailImproperlyInstalled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import conditional_page, require_POST

from hemonc.core import phi
from hemonc.core.actions import act_then_redirect
from hemonc.core.charts import bar_chart
from hemonc.core.client import client_ip
from hemonc.core.errors import DomainError
from hemonc.core.forms import parse_id
from hemonc.core.markdown import render_markdown
from hemonc.core.permissions import permission_required
from hemonc.core.spreadsheets import csv_download
from hemonc.core.text import one_line
from hemonc.members.http import AuthenticatedHttpRequest
from hemonc.newsletter import selectors, services
from hemonc.newsletter.enums import IssueStatus, SubscriberStatus
from hemonc.newsletter.forms import (
    DetailsForm,
    ImportForm,
    IssueForm,
    SendForm,
    SignupForm,
    SubscriberFilterForm,
)
from hemonc.newsletter.mail import (
    issue_preview_html,
    issue_text,
    subscriber_id_from_token,
    subscriber_token,
)
from hemonc.newsletter.models import Issue, Subscriber, SubscriberImport

logger = logging.getLogger(__name__)

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _ip(request: HttpRequest) -> str | None:
    return client_ip(request)


# ---------------------------------------------------------------------------------------------
# Readers


NO_CONSENT = (
    "Sign-up is closed for now: the organizers have not set up the consent text yet. "
    "Please come back later."
)


def home(request: HttpRequest) -> HttpResponse:
    consent = selectors.consent_text_latest()
    if request.method == "POST" and consent is None:
        messages.error(request, NO_CONSENT)
        form = SignupForm(request.POST)
    elif request.method == "POST" and consent is not None:
        form = SignupForm(request.POST)
        if form.is_valid():
            answers = {k: form.cleaned_data[k] for k in services.DEMOGRAPHIC_FIELDS}
            services.subscriber_signup(
                email=form.cleaned_data["email"],
                consent_text=consent,
                ip=_ip(request),
                answers=answers,
            )
            return redirect("newsletter:check_inbox")
        messages.error(request, "Please correct the fields marked below.")
    else:
        form = SignupForm()
    member_subscriber = None
    if request.user.is_authenticated:
        member_subscriber = selectors.subscriber_for_member(user_id=request.user.pk)
    return render(
        request,
        "newsletter/home.html",
        {
            "form": form,
            "consent": consent,
            "issues": selectors.issues_archive()[:5],
            "member_subscriber": member_subscriber,
            "readers": selectors.subscriber_demographics(exact=False),
        },
    )


def check_inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "newsletter/check_inbox.html")


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners follow links); POST confirms."""
    valid = services.confirmation_from_token(token) is not None
    if request.method == "POST" and valid:
        try:
            subscriber = services.subscriber_confirm(token=token, ip=_ip(request))
        except DomainError as error:
            messages.error(request, str(error))
            return redirect("newsletter:home")
        messages.success(request, "You are subscribed. Welcome!")
        return redirect("newsletter:preferences", token=_token(subscriber))
    return render(request, "newsletter/confirm.html", {"valid": valid, "token": token})


def _token(subscriber: Subscriber) -> str:
    return subscriber_token(subscriber.pk)


def _subscriber_or_404(token: str) -> Subscriber:
    subscriber_id = subscriber_id_from_token(token)
    if subscriber_id is None:
        raise Http404("This link is not valid.")
    return get_object_or_404(Subscriber, pk=subscriber_id)


def preferences(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = _subscriber_or_404(token)
    if request.method == "POST":
        form = DetailsForm(request.POST)
        if form.is_valid():
            services.subscriber_update_preferences(subscriber=subscriber, **form.cleaned_data)
            messages.success(request, "Your details are saved.")
            return redirect("newsletter:preferences", token=token)
        messages.error(request, "Please correct the fields marked below.")
    else:
        form = DetailsForm(
            initial={name: getattr(subscriber, name) for name in services.DEMOGRAPHIC_FIELDS}
        )
    return render(
        request,
        "newsletter/preferences.html",
        {"form": form, "subscriber": subscriber, "token": token},
    )


@csrf_exempt  # RFC 8058: mail apps POST "List-Unsubscribe=One-Click" without a CSRF token.
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = _subscriber_or_404(token)
    if request.method == "POST":
        services.subscriber_unsubscribe(
            subscriber=subscriber,
            how="one-click" if "List-Unsubscribe" in request.POST else "link",
        )
        return render(request, "newsletter/unsubscribed.html", {"subscriber": subscriber})
    return render(
        request, "newsletter/unsubscribe.html", {"subscriber": subscriber, "token": token}
    )


@login_required
@require_POST
def subscribe_member(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    consent = selectors.consent_text_latest()
    if consent is None:
        messages.error(request, NO_CONSENT)
    else:
        services.subscriber_subscribe_member(user=user, consent_text=consent, ip=_ip(request))
        messages.success(request, f"You are subscribed with {user.email}.")
    next_url = request.POST.get("next", "")
    # A path on this site only; redirect() would read any other text as a view's name.
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(next_url)
    return redirect("newsletter:home")


def archive(request: HttpRequest) -> HttpResponse:
    return render(request, "newsletter/archive.html", {"issues": selectors.issues_archive()})


def archive_issue(request: HttpRequest, issue_id: int) -> HttpResponse:
    issue = get_object_or_404(selectors.issues_archive(), pk=issue_id)
    return render(request, "newsletter/archive_issue.html", {"issue": issue})


class ArchiveFeed(Feed):
    feed_type = Atom1Feed
    title = "Hem-Onc Network newsletter"
    subtitle = "Every issue of the Hem-Onc Network newsletter."
    link = "/newsletter/archive/"
    # Atom (RFC 4287) requires an author on the feed or on every entry.
    author_name = "Hem-Onc Network"

    def author_link(self) -> str:
        return f"{settings.SITE_URL}/"

    def items(self) -> Any:
        return selectors.issues_archive()[:30]

    def item_title(self, item: Issue) -> str:
        return item.subject

    def item_description(self, item: Issue) -> str:
        return render_markdown(item.body)

    def item_pubdate(self, item: Issue) -> Any:
        return item.sent_at

    def item_updateddate(self, item: Issue) -> Any:
        return item.finished_at or item.sent_at


# Last-Modified is the newest issue's (Feed sets it); conditional_page adds an ETag of the
# body and answers If-None-Match / If-Modified-Since with a 304 while nothing changed.
archive_feed = conditional_page(ArchiveFeed())


def open_pixel(request: HttpRequest, issue_id: int) -> HttpResponse:
    services.issue_engagement_open(issue_id=issue_id)
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store"
    return response


def click(request: HttpRequest, issue_id: int, position: int) -> HttpResponse:
    if parse_id(issue_id) is None:  # beyond any id: SQLite cannot even bind it
        raise Http404("No such link.")
    url = services.issue_engagement_click(issue_id=issue_id, position=position)
    if url is None:
        raise Http404("No such link.")
    return HttpResponseRedirect(url)


# ---------------------------------------------------------------------------------------------
# Organizers


@permission_required("newsletter.manage")
def manage(request: AuthenticatedHttpRequest) -> HttpResponse:
    groups = selectors.issues_by_status()
    return render(
        request,
        "newsletter/manage.html",
        {
            "sections": [
                ("drafts", "Drafts", groups[IssueStatus.DRAFT], "No draft."),
                ("scheduled", "Scheduled", groups[IssueStatus.SCHEDULED], "Nothing scheduled."),
                ("sending", "Being sent", groups[IssueStatus.SENDING], "Nothing is being sent."),
                ("sent", "Sent", groups[IssueStatus.SENT], "No issue sent yet."),
            ],
            "stats": selectors.subscriber_stats(),
            "console": "issues",
        },
    )


SUBSCRIBERS_PER_PAGE = 50


def _subscriber_filters(request: HttpRequest) -> tuple[SubscriberFilterForm, str, str]:
    form = SubscriberFilterForm(request.GET or None)
    if form.is_valid():
        return form, form.cleaned_data["q"], form.cleaned_data["status"]
    return form, "", ""


@permission_required("newsletter.manage")
def subscribers(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, q, status = _subscriber_filters(request)
    found = selectors.subscribers_search(q=q, status=status)
    page = Paginator(found, SUBSCRIBERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "newsletter/subscribers.html",
        {
            "form": form,
            "page": page,
            "count": page.paginator.count,
            "filtered": bool(q or status),
            "query": query.urlencode(),
            "next": request.get_full_path(),
            "console": "subscribers",
        },
    )


@permission_required("newsletter.manage")
def subscribers_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The subscribers the page's search finds, as a spreadsheet-safe CSV."""
    _, q, status = _subscriber_filters(request)
    response, writer = csv_download(f"newsletter-subscribers-{timezone.localdate():%Y-%m-%d}.csv")
    writer.writerow(
        ["email", "name", "status", "stage", "specialty", "country", "institution", "gender",
         "consented_at", "consent_source", "status_changed_at"]
    )  # fmt: skip
    for subscriber in selectors.subscribers_search(q=q, status=status).iterator(chunk_size=1000):
        writer.writerow(
            [
                subscriber.email,
                subscriber.name,
                subscriber.status,
                subscriber.stage,
                subscriber.specialty,
                subscriber.country,
                subscriber.institution,
                subscriber.gender,
                subscriber.consented_at.isoformat() if subscriber.consented_at else "",
                subscriber.consent_source,
                subscriber.status_changed_at.isoformat() if subscriber.status_changed_at else "",
            ]
        )
    return response


def _back_to_list(request: HttpRequest) -> str:
    """The subscribers page the organizer came from (its search and page), else the list."""
    back = request.POST.get("next", "")
    listing = reverse("newsletter:subscribers")
    if back.startswith(listing) and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        return back
    return listing


@permission_required("newsletter.manage")
@require_POST
def subscriber_unsubscribe(request: AuthenticatedHttpRequest, subscriber_id: int) -> HttpResponse:
    subscriber = get_object_or_404(Subscriber, pk=subscriber_id)
    return act_then_redirect(
        request,
        _back_to_list(request),
        lambda: services.subscriber_remove(subscriber=subscriber, actor=request.user),
        f"{subscriber.email} is unsubscribed.",
    )


@permission_required("newsletter.manage")
@require_POST
def subscriber_invite(request: AuthenticatedHttpRequest, subscriber_id: int) -> HttpResponse:
    subscriber = get_object_or_404(Subscriber, pk=subscriber_id)

    def invite() -> Subscriber:
        consent = selectors.consent_text_latest()
        if consent is None:
            raise DomainError(NO_CONSENT)
        return services.subscriber_invite_back(
            subscriber=subscriber, actor=request.user, consent_text=consent
        )

    return act_then_redirect(
        request,
        _back_to_list(request),
        invite,
        f"A confirmation link is on its way to {subscriber.email}: they are subscribed again "
        "once they follow it.",
    )


@permission_required("newsletter.manage")
def imports(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload subscriber files; the import runs in the background."""
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            uploads = form.cleaned_data["uploads"]
            try:
                job = services.subscriber_import_start(
                    actor=request.user,
                    source=form.cleaned_data["source"],
                    fields=form.column_fields(),
                    files=[(upload.name or "upload", upload.read()) for upload in uploads],
                )
            except DomainError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, "The import has started.")
                return redirect(job)
        else:
            messages.error(request, "Please correct the fields marked below.")
    else:
        form = ImportForm()
    return render(
        request,
        "newsletter/imports.html",
        {"form": form, "imports": selectors.subscriber_imports()[:20], "console": "imports"},
    )


def _import_context(job: SubscriberImport) -> dict[str, Any]:
    return {"job": job, "files": [f.name for f in job.files.all()]}


@permission_required("newsletter.manage")
def import_detail(request: AuthenticatedHttpRequest, import_id: int) -> HttpResponse:
    job = get_object_or_404(selectors.subscriber_imports(), pk=import_id)
    return render(
        request, "newsletter/import_detail.html", {**_import_context(job), "console": "imports"}
    )


@permission_required("newsletter.manage")
def import_progress(request: AuthenticatedHttpRequest, import_id: int) -> HttpResponse:
    """The import's state (htmx polls it every 2 s until the import is done or stopped)."""
    job = get_object_or_404(selectors.subscriber_imports(), pk=import_id)
    return render(
        request, "newsletter/import_detail.html#result", {**_import_context(job), "polled": True}
    )


def _issue_form_initial(issue: Issue) -> dict[str, Any]:
    return {
        "subject": issue.subject,
        "preheader": issue.preheader,
        "body": issue.body,
        "count_engagement": issue.count_engagement,
        **issue.segment,
    }


@permission_required("newsletter.manage")
def issue_edit(request: AuthenticatedHttpRequest, issue_id: int | None = None) -> HttpResponse:
    issue = get_object_or_404(Issue, pk=issue_id) if issue_id else None
    if issue is not None and issue.status != IssueStatus.DRAFT:
        return redirect("newsletter:issue_detail", issue_id=issue.pk)
    if request.method == "POST":
        # Unchanged text is not asked about again once attested; until then it is checked whole.
        attested = issue if issue is not None and issue.phi_attested_at is not None else None
        form = IssueForm(request.POST, initial=_issue_form_initial(attested) if attested else None)
        if form.is_valid():
            data = form.cleaned_data
            if issue is None:
                issue = services.issue_create(
                    actor=request.user,
                    subject=data["subject"],
                    preheader=data["preheader"],
                    body=data["body"],
                    segment=form.segment(),
                    count_engagement=data["count_engagement"],
                    phi_attested=form.phi_attested,
                )
            else:
                services.issue_update(
                    issue=issue,
                    actor=request.user,
                    subject=data["subject"],
                    preheader=data["preheader"],
                    body=data["body"],
                    segment=form.segment(),
                    count_engagement=data["count_engagement"],
                    phi_attested=form.phi_attested,
                )
            messages.success(request, "The draft is saved.")
            return redirect("newsletter:issue_detail", issue_id=issue.pk)
        messages.error(request, "Please correct the fields marked below.")
    else:
        form = IssueForm(initial=_issue_form_initial(issue) if issue else None)
        if issue is not None:
            form.phi_show(
                selectors.issue_phi_pending(issue=issue),
                {name: getattr(issue, name) for name in selectors.PHI_FIELDS},
            )
    return render(request, "newsletter/issue_edit.html", {"form": form, "issue": issue})


DRAFT_PREVIEW = "newsletter.draft_preview"  # the session key of the editor's latest text
DRAFT_BODY_MAX = 200_000


def _draft_from(data: dict[str, Any]) -> Issue:
    """An unsaved issue of the editor's text, as the services would store it."""
    draft = Issue(
        subject=one_line(str(data.get("subject", "")))[:200] or "(no subject)",
        preheader=one_line(str(data.get("preheader", "")))[:200],
        body=str(data.get("body", ""))[:DRAFT_BODY_MAX],
    )
    draft.pk = 0
    return draft


@permission_required("newsletter.manage")
@require_POST
def issue_preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The live preview as one types (htmx): the plain-text part here, the HTML part framed
    from `issue_draft_mail` (a page of its own: the editor's policy forbids the mail's styles).
    Without htmx ("Preview in a new tab") it goes to the mail itself."""
    draft = _draft_from(request.POST)
    saved = {"subject": draft.subject, "preheader": draft.preheader, "body": draft.body}
    version = int(request.session.get(DRAFT_PREVIEW, {}).get("version", 0)) + 1
    request.session[DRAFT_PREVIEW] = {**saved, "version": version}
    mail_url = f"{reverse('newsletter:issue_draft_mail')}?v={version}"
    if not request.headers.get("HX-Request"):
        return HttpResponseRedirect(mail_url)
    text = issue_text(draft).replace("%%UNSUBSCRIBE_URL%%", "(your unsubscribe link)")
    text = text.replace("%%PREFERENCES_URL%%", "(your preferences link)")
    return render(
        request, "newsletter/issue_edit.html#preview", {"mail_url": mail_url, "preview_text": text}
    )


@permission_required("newsletter.manage")
def issue_detail(request: AuthenticatedHttpRequest, issue_id: int) -> HttpResponse:
    issue = get_object_or_404(Issue, pk=issue_id)
    audience = None
    audience_error = ""
    try:
        audience = selectors.issue_audience(issue=issue).count()
    except DomainError as error:
        audience_error = str(error)
    return render(
        request,
        "newsletter/issue_detail.html",
        {
            "issue": issue,
            "segment_label": selectors.segment_label(issue.segment),
            "audience": audience,
            "audience_error": audience_error,
            "progress": selectors.issue_progress(issue=issue),
            "send_form": SendForm(),
            "phi_pending": phi.describe(
                [f for found in selectors.issue_phi_pending(issue=issue).values() for f in found]
            ),
            "links": issue.links.all(),
            "console": "issues",
        },
    )


@permission_required("newsletter.manage")
def issue_progress(request: AuthenticatedHttpRequest, issue_id: int) -> HttpResponse:
    """The deliveries' figures (htmx polls them every 2 s while the issue is being sent)."""
    issue = get_object_or_404(Issue, pk=issue_id)
    return render(
        request,
        "newsletter/issue_detail.html#progress",
        {
            "issue": issue,
            "progress": selectors.issue_progress(issue=issue),
            "links": issue.links.all(),
            "polled": True,
        },
    )


# The mail's own HTML, framed on the issue page: its inline styles may apply (the site's
# policy forbids them), nothing else may load but images, no script runs, and only the
# site's own pages may frame it. `sandbox` also holds when the URL is opened by itself.
MAIL_PREVIEW_CSP: dict[str, list[str] | str] = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.UNSAFE_INLINE],
    "img-src": ["https:", "data:"],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.NONE],
    "frame-ancestors": [CSP.SELF],
    "sandbox": "",  # a directive without values
}


@permission_required("newsletter.manage")
@xframe_options_sameorigin
@csp_override(MAIL_PREVIEW_CSP)
def issue_draft_mail(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The HTML part of the text in the editor (its latest live preview), as readers get it."""
    saved = request.session.get(DRAFT_PREVIEW)
    if not saved:
        html = "<!DOCTYPE html><title>Preview</title><p>The preview appears as you type.</p>"
    else:
        html = issue_preview_html(_draft_from(saved))
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@permission_required("newsletter.manage")
@xframe_options_sameorigin
@csp_override(MAIL_PREVIEW_CSP)
def issue_mail_preview(request: AuthenticatedHttpRequest, issue_id: int) -> HttpResponse:
    """The issue's HTML part, byte for byte as a reader gets it, but with links that
    unsubscribe nobody (as a test send's)."""
    issue = get_object_or_404(Issue, pk=issue_id)
    response = HttpResponse(issue_preview_html(issue), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@permission_required("newsletter.manage")
@require_POST
def issue_test(request: AuthenticatedHttpRequest, issue_id: int) -> HttpResponse:
    issue = get_object_or_404(Issue, pk=issue_id)
    email = request.user.email
    return act_then_redirect(
        request,
        reverse("newsletter:issue_detail", args=[issue.pk]),
        lambda: services.issue_send_test(issue=issue, actor=request.user, to=email),
        f"A test is on its way to {email}.",
    )


@permission_required("newsletter.manage")
@require_POST
def issue_send(request: AuthenticatedHttpRequest, issue_id: int) -> HttpResponse:
    issue = get_object_or_404(Issue, pk=issue_id)
    form = SendForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("newsletter:issue_detail", issue_id=issue.pk)
    when = form.cleaned_data["send_at"]
    try:
        if when and when > timezone.now():
            services.issue_schedule(issue=issue, actor=request.user, when=when)
            messages.success(request, "The issue is scheduled.")
        else:
            services.issue_send_now(issue=issue, actor=request.user)
            messages.success(request, "Sending has started.")
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("newsletter:issue_detail", issue_id=issue.pk)


@permission_required("newsletter.manage")
@require_POST
def issue_unschedule(request: AuthenticatedHttpRequest, issue_id: int) -> HttpResponse:
    issue = get_object_or_404(Issue, pk=issue_id)
    try:
        services.issue_unschedule(issue=issue, actor=request.user)
        messages.success(request, "The issue is back to draft.")
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("newsletter:issue_detail", issue_id=issue.pk)


@permission_required("newsletter.view_demographics")
def demographics(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = selectors.subscriber_demographics(exact=True)
    sections = []
    for key, title in (("stage", "Training stage"), ("gender", "Gender"), ("country", "Country")):
        shares = data[key]
        sections.append(
            {
                "key": key,
                "title": title,
                "shares": shares,
                "chart": bar_chart(
                    title=f"Subscribers by {title.lower()}",
                    bars=[(s.label, s.count, f"{s.count} ({s.percent:g}%)") for s in shares[:15]],
                ),
            }
        )
    return render(
        request,
        "newsletter/demographics.html",
        {
            "data": data,
            "sections": sections,
            "subscribed": SubscriberStatus.SUBSCRIBED,
            "console": "demographics",
        },
    )


def provider_webhook(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A mail provider's tracking webhook, answered only once it can be trusted.

    Without `ANYMAIL_WEBHOOK_SECRET` anyone could post bounces and complaints and so
    unsubscribe readers: the webhooks are not there (404). Providers post (and some probe
    with HEAD); a provider whose extra package is not installed is not there either.
    """

    @csrf_exempt
    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
            raise Http404
        if request.method not in ("POST", "HEAD"):
            return HttpResponseNotAllowed(["POST", "HEAD"])
        try:
            return view(request, *args, **kwargs)
        except AnymailImproperlyInstalled as error:
            logger.error("Mail provider webhook %s: %s", request.path, error)
            raise Http404 from None

    return guarded
