"""The publishing desk's pages: the desk (posts by state), writing a post with each
platform's count and thread as one types, a post's review and schedule, each account's queue
with its weekly slots, and what was published."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from hemonc.core import phi
from hemonc.core.actions import act_then_redirect
from hemonc.core.errors import DomainError
from hemonc.core.forms import parse_id
from hemonc.core.permissions import permission_required
from hemonc.events.models import LiveSession
from hemonc.members.http import AuthenticatedHttpRequest
from hemonc.outreach.desk import selectors
from hemonc.outreach.desk import services as desk
from hemonc.outreach.desk.forms import (
    TEXT_MAX,
    DeskPostForm,
    ScheduleForm,
    SlotFormSet,
    desk_accounts,
    image_limits_sentence,
)
from hemonc.outreach.desk.preview import platform_previews, session_announcement
from hemonc.outreach.desk.suggest import suggest_hashtags
from hemonc.outreach.enums import DeskKind, DeskState, Platform
from hemonc.outreach.models import DeskPost, SocialAccount

# ---------------------------------------------------------------------------------------------
# The desk


@permission_required("outreach.desk_write")
def desk_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The posts of one state (a tab each); the first tab with posts when none is asked."""
    counts = selectors.desk_state_counts(viewer=request.user)
    state = request.GET.get("state", "")
    if state not in counts:
        state = next((s for s in selectors.TABS if counts[s]), DeskState.DRAFT)
    posts = list(selectors.desk_posts(viewer=request.user, state=state)[: selectors.PAGE])
    tabs = [(s, DeskState(s).label, counts[s]) for s in selectors.TABS]
    return render(
        request,
        "outreach/desk/desk.html",
        {"posts": posts, "state": state, "state_label": DeskState(state).label, "tabs": tabs},
    )


# ---------------------------------------------------------------------------------------------
# Writing


def _post_initial(post: DeskPost) -> dict[str, Any]:
    return {
        "kind": post.kind,
        "accounts": list(post.accounts.all()),
        "session": post.session,
        "conference_tag": post.conference_tag,
        "text": post.text,
    }


def _compose_page(
    request: AuthenticatedHttpRequest, form: DeskPostForm, post: DeskPost | None, status: int = 200
) -> HttpResponse:
    data = form.data if form.is_bound else None
    text = str(data.get("text", "") if data else form.initial.get("text", "") or "")
    accounts: list[SocialAccount] = list(
        (form.cleaned_data.get("accounts") if hasattr(form, "cleaned_data") else None)
        or form.initial.get("accounts")
        or []
    )
    context = {
        "form": form,
        "post": post,
        "post_images": list(post.images.all()) if post else [],
        "image_limits": image_limits_sentence(),
        **_preview_context(
            text=text,
            accounts=accounts,
            kind=str((data or form.initial).get("kind", "") or ""),
            conference_tag=str((data or form.initial).get("conference_tag", "") or ""),
            session=form.initial.get("session") if not data else None,
        ),
    }
    return render(request, "outreach/desk/compose.html", context, status=status)


def _session_filled(request: AuthenticatedHttpRequest, post: DeskPost | None) -> HttpResponse:
    """ "Fill in from the session": the same form again, its text opened by the session's
    time, guests and link (nothing is saved; images are chosen again)."""
    session_id = parse_id(request.POST.get("session"))
    session = (
        LiveSession.objects.filter(pk=session_id).prefetch_related("guests").first()
        if session_id
        else None
    )
    text = request.POST.get("text", "")[:TEXT_MAX]
    if session is None:
        messages.error(request, "Choose the session first, then fill in from it.")
    else:
        opening = session_announcement(session)
        if not text.startswith(opening):
            text = f"{opening}\n\n{text}".strip()
    values = {
        "kind": DeskKind.SESSION,
        "accounts": [a for a in desk_accounts() if str(a.pk) in request.POST.getlist("accounts")],
        "session": session,
        "conference_tag": request.POST.get("conference_tag", "")[:60],
        "text": text,
    }
    form = DeskPostForm(initial=values, stored_images=post.images.count() if post else 0)
    return _compose_page(request, form, post)


def _compose(request: AuthenticatedHttpRequest, post: DeskPost | None) -> HttpResponse:
    stored_images = post.images.count() if post else 0
    attested = post is not None and post.phi_attested_at is not None
    if request.method != "POST":
        initial = _post_initial(post) if post else {"kind": DeskKind.ANNOUNCEMENT}
        return _compose_page(
            request, DeskPostForm(initial=initial, stored_images=stored_images), post
        )
    if request.POST.get("fill_session"):
        return _session_filled(request, post)
    # Text left as it was once attested is not asked about again (as for newsletter issues).
    form = DeskPostForm(
        request.POST,
        request.FILES,
        initial=_post_initial(post) if attested and post else None,
        stored_images=stored_images,
        attested_before=attested,
    )
    if not form.is_valid():
        messages.error(request, "Please correct the fields marked below.")
        return _compose_page(request, form, post, status=400)
    data = form.cleaned_data
    kind = data["kind"]
    fields: dict[str, Any] = {
        "kind": kind,
        "text": data["text"],
        "accounts": list(data["accounts"]),
        "session": data.get("session") if kind == DeskKind.SESSION else None,
        "conference_tag": data.get("conference_tag", "") if kind == DeskKind.LIVE_COVERAGE else "",
    }
    submit = bool(request.POST.get("submit_review"))
    try:
        if post is None:
            post = desk.post_create(actor=request.user, phi_attested=form.attested, **fields)
        else:
            if data.get("remove_images"):
                # First: the post's new text is attested as a post without them (the form's
                # rule, which the service applies to a post that still has images).
                for image in list(post.images.all()):
                    desk.image_remove(image=image, actor=request.user)
            post = desk.post_update(
                post=post, actor=request.user, phi_attested=form.attested, **fields
            )
    except DomainError as error:
        form.add_error(None, str(error))
        messages.error(request, "Please correct the fields marked below.")
        return _compose_page(request, form, post, status=400)
    # The post is saved; what follows rarely fails (the form checked images and thread). If it
    # does, the post stays a draft and its page says why.
    try:
        for image_data, mime, alt, name in form.images:
            desk.image_add(
                post=post,
                actor=request.user,
                data=image_data,
                mime=mime,
                alt=alt,
                name=name,
                phi_attested=form.attested,
            )
        if submit and post.state == DeskState.DRAFT:
            desk.post_submit(post=post, actor=request.user)
    except DomainError as error:
        messages.warning(request, f"The post is saved, but: {error}")
        return redirect("outreach:desk_post", pk=post.pk)
    post.refresh_from_db()
    if post.state == DeskState.IN_REVIEW:
        messages.success(request, "Saved and sent for review: an organizer approves it next.")
    else:
        messages.success(request, "The draft is saved.")
    return redirect("outreach:desk_post", pk=post.pk)


@permission_required("outreach.desk_write")
def compose(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _compose(request, None)


def _post_or_404(request: AuthenticatedHttpRequest, pk: int, **_: Any) -> DeskPost:
    post = selectors.desk_post_for(viewer=request.user, pk=pk)
    if post is None:
        raise Http404
    return post


def _any_post_or_404(request: AuthenticatedHttpRequest, pk: int, **_: Any) -> DeskPost:
    return get_object_or_404(DeskPost, pk=pk)


def _editable(post: DeskPost) -> bool:
    """A failed post nothing of which was tried (an image a platform takes no more, say) is
    changed and reviewed again; one that was tried keeps its parts, for retry."""
    if post.state == DeskState.PUBLISHED:
        return False
    if post.state == DeskState.FAILED:
        return not desk.post_tried(post)
    return post.started_at is None


@permission_required("outreach.desk_edit", obj=_any_post_or_404)
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request, pk)
    if not _editable(post):
        messages.error(
            request,
            desk.TRIED
            if post.state == DeskState.FAILED
            else "A post that has started going out cannot be changed.",
        )
        return redirect("outreach:desk_post", pk=post.pk)
    if post.hidden:
        messages.error(request, "The moderators hid this post: it cannot be changed for now.")
        return redirect("outreach:desk_post", pk=post.pk)
    return _compose(request, post)


def _preview_context(
    *,
    text: str,
    accounts: list[SocialAccount],
    kind: str,
    conference_tag: str,
    session: LiveSession | None,
) -> dict[str, Any]:
    handles: dict[str, list[str]] = {}
    for account in accounts:
        handles.setdefault(account.platform, []).append(f"@{account.handle}")
    platforms = list(handles) or [p.value for p in Platform]
    try:
        hashtags = suggest_hashtags(
            text=text, kind=kind, conference_tag=conference_tag, session=session
        )
    except DomainError:
        hashtags = []
    return {
        "previews": platform_previews(text, platforms, handles=handles),
        "hashtags": hashtags,
    }


@permission_required("outreach.desk_write")
@require_POST
def count(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The counters, threads and hashtags of the text being written (htmx, as one types)."""
    ids = [pk for value in request.POST.getlist("accounts") if (pk := parse_id(value))]
    accounts = list(desk_accounts().filter(pk__in=ids[:50]))
    session_id = parse_id(request.POST.get("session"))
    session = (
        LiveSession.objects.prefetch_related("topics").filter(pk=session_id).first()
        if session_id
        else None
    )
    kind = request.POST.get("kind", "")
    context = _preview_context(
        text=request.POST.get("text", "")[:TEXT_MAX],
        accounts=accounts,
        kind=kind if kind in DeskKind.values else "",
        conference_tag=request.POST.get("conference_tag", "")[:60].strip().lstrip("#"),
        session=session if kind == DeskKind.SESSION else None,
    )
    context["oob_hashtags"] = True
    return render(request, "outreach/desk/compose.html#preview", context)


# ---------------------------------------------------------------------------------------------
# A post: review, approval, schedule, undo, retry


@permission_required("outreach.desk_write")
def post_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request, pk)
    accounts = list(post.accounts.all())
    handles: dict[str, list[str]] = {}
    for account in accounts:
        handles.setdefault(account.platform, []).append(f"@{account.handle}")
    now = timezone.now()
    user = request.user
    approvals = list(post.approvals.all())
    # Hidden by the moderators: its text is its author's alone until they restore it.
    withheld = post.hidden and post.author_id != user.pk
    findings = phi.scan(post.text) if post.phi_attested_at is None and not withheld else []
    context = {
        "withheld": withheld,
        "may_report": not post.hidden
        and post.author_id != user.pk
        and post.started_at is None
        and post.state != DeskState.PUBLISHED,
        "phi_pending": desk.phi_pending(post),
        "phi_found": phi.describe(findings) if findings else "",
        "phi_marked": phi.highlight(post.text, findings) if findings else "",
        "post": post,
        "accounts": accounts,
        "images": list(post.images.all()),
        "previews": []
        if withheld
        else platform_previews(post.text, list(handles), handles=handles),
        "account_parts": selectors.post_parts(post=post),
        "approvals": approvals,
        "approvals_needed": desk.approvals_needed(post),
        "second_approver": desk.second_approver_required(),
        "author_may_not_approve": desk.second_approver_required() and post.author_id == user.pk,
        "approved_by_me": any(a.approver_id == user.pk for a in approvals),
        "can_edit": user.has_perm("outreach.desk_edit", post)
        and _editable(post)
        and not post.hidden,
        "tried": post.state == DeskState.FAILED and desk.post_tried(post),
        "can_approve": user.has_perm("outreach.desk_approve", post) and not post.hidden,
        "can_schedule": user.has_perm("outreach.desk_schedule", post) and not post.hidden,
        "schedule_form": ScheduleForm(
            accounts=post.accounts.filter(active=True),
            initial={"queue_account": accounts[0] if accounts else None},
        ),
        "undo_open": post.state == DeskState.SCHEDULED
        and post.started_at is None
        and (post.release_at is None or post.release_at > now),
        "in_undo_window": post.state == DeskState.SCHEDULED
        and post.release_at is not None
        and post.started_at is None
        and (post.release_at - now) <= desk.undo_window(),
    }
    return render(request, "outreach/desk/post.html", context)


def _act(request: AuthenticatedHttpRequest, post: DeskPost, act: Any, success: Any) -> HttpResponse:
    return act_then_redirect(request, reverse("outreach:desk_post", args=[post.pk]), act, success)


@permission_required("outreach.desk_edit", obj=_any_post_or_404)
@require_POST
def submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request, pk)
    return _act(
        request,
        post,
        lambda: desk.post_submit(post=post, actor=request.user),
        "Sent for review.",
    )


@permission_required("outreach.desk_approve", obj=_any_post_or_404)
@require_POST
def approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request, pk)

    def said(approved: DeskPost) -> str:
        if approved.state == DeskState.APPROVED:
            return "Approved: it can be scheduled."
        return "Your approval is recorded; it waits for a second organizer's."

    return _act(request, post, lambda: desk.post_approve(post=post, actor=request.user), said)


@permission_required("outreach.desk_approve", obj=_any_post_or_404)
@require_POST
def send_back(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request, pk)
    return _act(
        request,
        post,
        lambda: desk.post_return(post=post, actor=request.user),
        "Sent back to its author as a draft.",
    )


@permission_required("outreach.desk_schedule", obj=_any_post_or_404)
@require_POST
def schedule(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request, pk)
    form = ScheduleForm(request.POST, accounts=post.accounts.filter(active=True))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("outreach:desk_post", pk=post.pk)
    data = form.cleaned_data

    def act() -> DeskPost:
        if data["when"] == "queue":
            return desk.post_add_to_queue(
                post=post, account=data["queue_account"], actor=request.user
            )
        return desk.post_schedule(post=post, when=data.get("at"), actor=request.user)

    def said(scheduled: DeskPost) -> str:
        when = timezone.localtime(scheduled.scheduled_at or scheduled.release_at or timezone.now())
        return f"Scheduled for {when:%a %-d %b %Y, %H:%M}. You can undo it until it leaves."

    return _act(request, post, act, said)


@permission_required("outreach.desk_schedule", obj=_any_post_or_404)
@require_POST
def undo(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request, pk)
    return _act(
        request,
        post,
        lambda: desk.post_cancel(post=post, actor=request.user),
        "Undone: nothing was sent. The post is approved and waits for a new time.",
    )


@permission_required("outreach.desk_schedule", obj=_any_post_or_404)
@require_POST
def retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    post = _post_or_404(request, pk)
    return _act(
        request,
        post,
        lambda: desk.post_retry(post=post, actor=request.user),
        "It will be tried again in a moment; what already went out is not sent twice.",
    )


# ---------------------------------------------------------------------------------------------
# Queues


@permission_required("outreach.desk_schedule")
def queues(request: AuthenticatedHttpRequest) -> HttpResponse:
    accounts = list(selectors.desk_accounts_with_queues())
    return render(request, "outreach/desk/queues.html", {"accounts": accounts})


def _account(account_id: int) -> SocialAccount:
    return get_object_or_404(SocialAccount, pk=account_id, active=True)


def _queue_page(
    request: AuthenticatedHttpRequest,
    account: SocialAccount,
    formset: Any = None,
    status: int = 200,
) -> HttpResponse:
    slots = selectors.account_slots(account=account)
    if formset is None:
        formset = SlotFormSet(
            initial=[{"weekday": slot.weekday, "time": slot.time} for slot in slots],
            prefix="slots",
        )
    entries = selectors.account_queue(account=account)
    return render(
        request,
        "outreach/desk/queue.html",
        {
            "account": account,
            "accounts": list(selectors.desk_accounts_with_queues()),
            "slots": slots,
            "formset": formset,
            "entries": entries,
            "movable": [entry for entry in entries if entry.movable],
            "fixed": [entry for entry in entries if not entry.movable],
        },
        status=status,
    )


@permission_required("outreach.desk_schedule")
def queue(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    return _queue_page(request, _account(account_id))


@permission_required("outreach.desk_schedule")
@require_POST
def queue_slots(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    account = _account(account_id)
    formset = SlotFormSet(request.POST, prefix="slots")
    if not formset.is_valid():
        messages.error(request, "Please correct the slots marked below.")
        return _queue_page(request, account, formset, status=400)
    slots = sorted(
        {
            (form.cleaned_data["weekday"], form.cleaned_data["time"])
            for form in formset.forms
            if form.cleaned_data.get("time") is not None
            and form.cleaned_data.get("weekday") not in (None, "")
            and not form.cleaned_data.get("delete")
        }
    )
    return act_then_redirect(
        request,
        reverse("outreach:desk_queue", args=[account.pk]),
        lambda: desk.queue_slots_set(account=account, slots=slots, actor=request.user),
        f"The weekly slots of @{account.handle} are saved.",
    )


@permission_required("outreach.desk_schedule")
@require_POST
def queue_reorder(request: AuthenticatedHttpRequest, account_id: int) -> HttpResponse:
    """A new order of the account's queue: the whole order (dragged), or one post moved up or
    down (the buttons)."""
    account = _account(account_id)
    current = [entry.post.pk for entry in selectors.account_queue(account=account) if entry.movable]
    order = [pk for value in request.POST.getlist("order") if (pk := parse_id(value))]
    moved = parse_id(request.POST.get("post"))
    direction = request.POST.get("move")
    if moved in current and direction in ("up", "down"):
        index = current.index(moved)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(current):
            current[index], current[other] = current[other], current[index]
        order = current
    return act_then_redirect(
        request,
        reverse("outreach:desk_queue", args=[account.pk]),
        lambda: desk.queue_reorder(account=account, post_ids=order, actor=request.user),
        "The queue's new order is saved: each post takes the slot of its new place.",
    )


# ---------------------------------------------------------------------------------------------
# History


@permission_required("outreach.desk_write")
def history(request: AuthenticatedHttpRequest) -> HttpResponse:
    posts = list(selectors.published_history(viewer=request.user)[: selectors.PAGE])
    return render(request, "outreach/desk/history.html", {"posts": posts})
