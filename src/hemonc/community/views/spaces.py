"""Pages of spaces and discussions. A space or a discussion the member may not see answers
404, the same as one that does not exist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import DEFAULT_DB_ALIAS
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template, render_to_string
from django.urls import URLPattern, get_script_prefix, path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from hemonc.community import selectors
from hemonc.community.enums import REACTION_SYMBOLS, DiscussionKind, ReactionKind, ReviewState
from hemonc.community.forms import (
    DiscussionForm,
    HostedDiscussionForm,
    InviteForm,
    ModerateForm,
    ReactionForm,
    ReplyForm,
    SearchForm,
    SpaceForm,
    StageVerifyForm,
)
from hemonc.community.models import (
    Discussion,
    Reply,
    Revision,
    Space,
    SpaceMember,
    StageVerification,
)
from hemonc.community.review import HELD_SAYING, WAITING_NOTE, is_waiting
from hemonc.community.services import spaces as services
from hemonc.core.actions import act_then_redirect
from hemonc.core.caching import TIMEOUT, cache_key, page_cache, render_fragments
from hemonc.core.errors import DomainError
from hemonc.core.forms import parse_id
from hemonc.core.permissions import permission_required, takes_part
from hemonc.members.http import AuthenticatedHttpRequest
from hemonc.members.selectors import user_ids_hidden_from
from hemonc.taxonomy.models import Topic

# How long a chat shows its replies live from its start.
CHAT_LIVE = timedelta(hours=1)
# How often the page asks for new replies during a chat (htmx polling).
CHAT_POLL_SECONDS = 10


def _moderates(user: Any) -> bool:
    """community.moderate_posts, read from the roles the request has already loaded (the
    rule's own check would also ask the model permissions, two queries more per page)."""
    return bool(user.is_moderator or user.is_organizer)


def _space(request: AuthenticatedHttpRequest, space: str) -> Space:
    found = selectors.space_visible_or_none(request.user, space)
    if found is None:
        raise Http404("No such space.")
    return found


def _discussion(
    request: AuthenticatedHttpRequest, space: str, discussion_id: int, *, light: bool = False
) -> Discussion:
    """The discussion and its space in one query; 404 unless the member may see both.
    `light`: only what the discussion's page reads on every request (_PAGE_SQL)."""
    if parse_id(discussion_id) is None:
        raise Http404("No such discussion.")
    if light:
        found = next(iter(Discussion.objects.raw(_PAGE_SQL, [discussion_id, space])), None)
        if found is not None:  # the rest of the space is left to load if ever read
            found.space = Space.from_db(
                DEFAULT_DB_ALIAS,
                ["id", "slug"],
                [found.space_id, found.space_slug],  # type: ignore[attr-defined]
            )
    else:
        found = (
            Discussion.objects.filter(pk=discussion_id, space__slug=space)
            .select_related("author__profile", "session", "space")
            .order_by()
            .first()
        )
    if found is None or not selectors.user_may_see_discussion(request.user, found):
        raise Http404("No such discussion.")
    return found


# What the discussion's page reads of it on every request, with its space's address: its
# text, author, session and tags are in the cached part (_discussion_page), read only to
# render it. Written out, as the ORM took four times longer to build the query than to run it.
_PAGE_SQL = (
    "SELECT d.id, d.space_id, d.author_id, d.kind, d.title, d.starts_at, d.pinned, "  # noqa: S608
    "d.locked, d.hidden, d.version, s.slug AS space_slug "
    f"FROM {Discussion._meta.db_table} d JOIN {Space._meta.db_table} s ON s.id = d.space_id "
    "WHERE d.id = %s AND s.slug = %s"
)


@login_required
def spaces(request: AuthenticatedHttpRequest) -> HttpResponse:
    visible = list(selectors.spaces_visible_to(request.user))
    counts = selectors.space_discussion_counts(request.user, visible)
    rows = [(space, counts.get(space.pk, 0)) for space in visible]
    return render(
        request,
        "community/spaces/spaces.html",
        {"rows": rows, "search_form": SearchForm(), "can_manage": request.user.is_organizer},
    )


@login_required
def search(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = list(
        selectors.discussion_search(request.user, query).select_related("space", "author__profile")[
            :51
        ]
    )
    context = {"form": form, "query": query, "results": results[:50], "more": len(results) > 50}
    if request.headers.get("HX-Request"):
        return render(request, "community/spaces/search.html#results", context)
    return render(request, "community/spaces/search.html", context)


@login_required
def space(request: AuthenticatedHttpRequest, space: str) -> HttpResponse:
    found = _space(request, space)
    topic = request.GET.get("tag", "")[:60]
    discussions = selectors.discussions_in_space(request.user, found, topic=topic)
    page = Paginator(discussions, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "community/spaces/space.html",
        {
            "space": found,
            "page": page,
            "topic": Topic.objects.filter(slug=topic).first() if topic else None,
            "query": urlencode({"tag": topic}) if topic else "",
            "following": selectors.is_following(request.user, space=found),
        },
    )


@takes_part
@login_required
def discussion_new(request: AuthenticatedHttpRequest, space: str) -> HttpResponse:
    found = _space(request, space)
    hosted = request.user.has_perm("community.manage_spaces")
    form_class = HostedDiscussionForm if hosted else DiscussionForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        extra: dict[str, Any] = {}
        if isinstance(form, HostedDiscussionForm):
            extra = {
                "kind": data["kind"],
                "session": data["session"],
                "starts_at": data["starts_at"],
                "paper": form.paper(),
            }
        try:
            discussion = services.discussion_create(
                actor=request.user,
                space=found,
                title=data["title"],
                body=data["body"],
                tags=data["tags"],
                phi_attested=form.phi_attested,
                **extra,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                HELD_SAYING if is_waiting(discussion) else "Your discussion is posted.",
            )
            return redirect(discussion)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "community/spaces/discussion_form.html",
        {"space": found, "form": form, "hosted": hosted},
        status=status,
    )


def _discussion_context(
    request: AuthenticatedHttpRequest, discussion: Discussion, reply_form: ReplyForm | None = None
) -> dict[str, Any]:
    user = request.user
    reply_form = reply_form or ReplyForm()
    hidden = user_ids_hidden_from(viewer=user) or frozenset()
    moderator = _moderates(user)
    now = timezone.now()
    chat_on = bool(
        discussion.kind == DiscussionKind.CHAT
        and discussion.starts_at
        and discussion.starts_at - timedelta(minutes=10) <= now < discussion.starts_at + CHAT_LIVE
    )
    base = discussion.get_absolute_url()  # the page's links and buttons go below it
    # During a chat the page opens on its newest replies, where the live ones arrive.
    asked = request.GET.get("page")
    page = _discussion_page(
        user,
        discussion,
        "last" if chat_on and not asked else _page_number(asked),
        hidden=hidden,
        moderator=moderator,
        chat_on=chat_on,
    )
    return {
        "space": discussion.space,
        "discussion": discussion,
        "base": base,
        "react_url": f"{base}react/",
        "page": page,
        "reply_form": reply_form,
        "reply_fields": _reply_fields_html(reply_form),
        "moderator": moderator,
        "can_edit": discussion.author_id == user.pk or moderator,
        "following": page.following,
        "live": chat_on and not page.has_next,
        "poll_seconds": CHAT_POLL_SECONDS,
        "last_reply_id": page.last_reply_id,
        "history_count": discussion.revisions.count() if moderator else 0,
        "waiting_note": WAITING_NOTE,
    }


# What an empty reply form renders with: their sources key its cached markup.
_FORM_TEMPLATES = ("community/spaces/_form.html", "core/_field.html", "core/_phi_attest.html")


def _reply_fields_html(form: ReplyForm) -> SafeString:
    """The reply form's fields. Empty (every reader's, but for the reply it quotes), they
    come from the cache; a form sent back with its errors is rendered."""
    if form.is_bound:
        return render_to_string("community/spaces/_form.html", {"form": form})
    sources = [get_template(name).template.source for name in _FORM_TEMPLATES]  # type: ignore[attr-defined]
    [html] = render_fragments(
        "community/spaces/_form.html",
        [("reply form", form.initial.get("quote"), sources)],
        lambda missing: [{"form": form}],
    )
    return html


def _page_number(asked: str | None) -> int:
    """The page of replies asked for, as `Paginator.get_page` reads it (past the end, or
    below 1: the last page; not a number: the first)."""
    try:
        return max(int(asked or 1), 0)
    except ValueError:
        return 1


@dataclass(frozen=True)
class DiscussionPage:
    """A discussion's page as a reader gets it, rendered: the discussion itself with its
    reactions (`head`) and one page of its replies (`rows`)."""

    head: SafeString
    rows: SafeString
    number: int
    num_pages: int
    count: int
    last_reply_id: int
    following: bool  # the reader follows the discussion (not cached)

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


# The templates of the cached parts: their sources key the cache, so a changed template
# never meets pages rendered by the old one.
_PAGE_TEMPLATES = (
    "community/spaces/_discussion_head.html",
    "community/spaces/_reply.html",
    "community/spaces/_reactions.html",
)


def _discussion_page(
    user: Any,
    discussion: Discussion,
    asked: int | str,
    *,
    hidden: frozenset[int],
    moderator: bool,
    chat_on: bool,
) -> DiscussionPage:
    """The discussion and page `asked` ("last", or a number) of the replies `user` is shown,
    from the cache when a reader who sees the same got it since the discussion last changed.

    The key holds everything these depend on: the discussion's version (replaced by every
    reply, edit, take-down, deletion, reaction, tag, pin or lock, and by a change of its
    space or live session: community.signals), the members' names (the directory's
    version), the reader's zone for the times, what the reader does not see (the members
    they block, mute or are blocked by; taken-down replies unless they moderate; what waits
    for review unless they are a moderator), and what of it is theirs (their replies' Edit
    links, their reactions). Readers alike share an entry; a reader's own replies and
    reactions make theirs (one query asks for them).
    """
    marks = selectors.reader_marks(user, discussion)
    key = cache_key(
        "community:discussion",
        discussion.pk,
        discussion.version,
        marks.directory,
        discussion.space.slug,
        get_script_prefix(),
        timezone.get_current_timezone_name(),
        asked,
        chat_on,
        sorted(hidden),
        moderator,  # taken-down replies, and the buttons to moderate
        bool(user.is_moderator),  # what waits for review (organizers do not read it)
        () if moderator else marks.replies,  # a moderator may edit every reply
        marks.reactions,
        [get_template(name).template.source for name in _PAGE_TEMPLATES],  # type: ignore[attr-defined]
    )
    stored: dict[str, Any] | None = page_cache.get(key)
    if stored is None:
        stored = _discussion_page_render(
            user, discussion.pk, asked, hidden=hidden, moderator=moderator, chat_on=chat_on
        )
        page_cache.set(key, stored, TIMEOUT)
    # Rendered by autoescaping templates, here or when it was cached.
    return DiscussionPage(
        **{**stored, "head": mark_safe(stored["head"]), "rows": mark_safe(stored["rows"])},
        following=marks.following,
    )


def _discussion_page_render(
    user: Any,
    discussion_id: int,
    asked: int | str,
    *,
    hidden: frozenset[int],
    moderator: bool,
    chat_on: bool,
) -> dict[str, Any]:
    discussion = Discussion.objects.select_related("author__profile", "session", "space").get(
        pk=discussion_id
    )
    paginator = Paginator(
        _reply_fields(selectors.replies_visible(user, discussion)), selectors.REPLIES_PER_PAGE
    )
    page = paginator.get_page(paginator.num_pages if asked == "last" else asked)
    replies = list(page)
    counts, mine = selectors.reaction_counts(user, discussion=discussion, replies=replies)
    rows = _reply_rows(
        user, discussion, replies, counts=counts, mine=mine, hidden=hidden, moderator=moderator
    )
    head = render_to_string(
        "community/spaces/_discussion_head.html",
        {
            "space": discussion.space,
            "discussion": discussion,
            "body": selectors.render_post(
                html=discussion.body_html, mentions=discussion.mentions, hidden=hidden
            ),
            "tags": list(discussion.tags.all()),
            "reactions": _reaction_row(counts.get("d", {}), mine, "d"),
            "chat_on": chat_on,
            "waiting_note": WAITING_NOTE,
        },
    )
    return {
        "head": head,
        "rows": "".join(rows),
        "number": page.number,
        "num_pages": paginator.num_pages,
        "count": paginator.count,
        "last_reply_id": replies[-1].pk if replies else 0,
    }


# What a reply's markup shows; not the author's whole profile (bio, search document...).
_REPLY_FIELDS = (
    "id", "discussion_id", "author_id", "body_html", "mentions", "quote_id", "hidden",
    "review_state", "edited_at", "created_at", "author__id", "author__profile__id",
    "author__profile__user_id", "author__profile__display_name",
)  # fmt: skip


def _reply_fields(replies: Any, *more: str) -> Any:
    return replies.select_related("author__profile").only(*_REPLY_FIELDS, *more)


def _reply_rows(
    user: Any,
    discussion: Discussion,
    replies: list[Reply],
    *,
    counts: dict[Any, dict[str, int]],
    mine: set[tuple[Any, str]],
    hidden: frozenset[int],
    moderator: bool,
) -> list[SafeString]:
    """Each reply as the reader sees it. A reply's markup is rendered once for everything it
    shows (its text and edit, author's name, quote, reactions, the reader's own reactions and
    rights, the mentioned members the reader hides) and then comes from the cache: a long
    discussion costs a cache read per page, not a template per reply. Nothing of the reader's
    session is in it (the buttons post through the page's one form, with its CSRF token)."""
    quoted_ids = {reply.quote_id for reply in replies if reply.quote_id}
    quoted = (
        {
            reply.pk: reply
            for reply in _reply_fields(
                selectors.replies_visible(user, discussion).filter(pk__in=quoted_ids), "body"
            )
        }
        if quoted_ids
        else {}
    )
    base = discussion.get_absolute_url()
    zone = timezone.get_current_timezone_name()  # the times are written in the reader's zone

    def version(reply: Reply) -> tuple[Any, ...]:
        quote = quoted.get(reply.quote_id) if reply.quote_id else None
        return (
            reply.pk,
            reply.edited_at,
            reply.hidden,
            reply.review_state,
            str(reply.author) if reply.author else None,
            (quote.pk, quote.edited_at, str(quote.author) if quote.author else None)
            if quote
            else reply.quote_id,
            sorted(hidden.intersection(reply.mentions.values())),
            sorted(counts.get(reply.pk, {}).items()),
            sorted(kind for target, kind in mine if target == reply.pk),
            reply.author_id == user.pk or moderator,
            moderator,
            discussion.locked,
            zone,
        )

    def contexts(indexes: list[int]) -> list[dict[str, Any] | None]:
        return [
            {
                "row": {
                    "reply": reply,
                    "body": selectors.render_post(
                        html=reply.body_html, mentions=reply.mentions, hidden=hidden
                    ),
                    "quote": quoted.get(reply.quote_id) if reply.quote_id else None,
                    "quote_gone": bool(reply.quote_id and reply.quote_id not in quoted),
                    "reactions": _reaction_row(counts.get(reply.pk, {}), mine, reply.pk),
                    "can_edit": reply.author_id == user.pk or moderator,
                    "published": reply.review_state in (None, ReviewState.APPROVED),
                    "quotable": not discussion.locked
                    and reply.review_state in (None, ReviewState.APPROVED),
                },
                "discussion": discussion,
                "base": base,
                "moderator": moderator,
                "waiting_note": WAITING_NOTE,
            }
            for reply in (replies[index] for index in indexes)
        ]

    return render_fragments(
        "community/spaces/_reply.html", [version(reply) for reply in replies], contexts
    )


def _reaction_row(counts: dict[str, int], mine: set[Any], target: Any) -> list[dict[str, Any]]:
    return [
        {
            "kind": kind.value,
            "label": kind.label,
            "symbol": REACTION_SYMBOLS[kind],
            "count": counts.get(kind.value, 0),
            "mine": (target, kind.value) in mine,
        }
        for kind in ReactionKind
    ]


@login_required
def discussion(request: AuthenticatedHttpRequest, space: str, discussion_id: int) -> HttpResponse:
    found = _discussion(request, space, discussion_id, light=True)
    quote = parse_id(request.GET.get("quote"))
    form = ReplyForm(initial={"quote": quote} if quote else None)
    return render(
        request,
        "community/spaces/discussion.html",
        _discussion_context(request, found, form),
    )


@login_required
def discussion_live(
    request: AuthenticatedHttpRequest, space: str, discussion_id: int
) -> HttpResponse:
    """During a chat: the replies after `after`, and the poller that asks again."""
    found = _discussion(request, space, discussion_id)
    after = parse_id(request.GET.get("after")) or 0
    hidden = user_ids_hidden_from(viewer=request.user) or frozenset()
    new = list(
        _reply_fields(selectors.replies_visible(request.user, found).filter(pk__gt=after))[:100]
    )
    counts, mine = selectors.reaction_counts(request.user, discussion=found, replies=new)
    rows = _reply_rows(
        request.user,
        found,
        new,
        counts=counts,
        mine=mine,
        hidden=hidden,
        moderator=_moderates(request.user),
    )
    now = timezone.now()
    live = bool(found.starts_at and now < found.starts_at + CHAT_LIVE)
    return render(
        request,
        "community/spaces/_live.html",
        {
            "space": found.space,
            "discussion": found,
            "replies": rows,
            "live": live,
            "poll_seconds": CHAT_POLL_SECONDS,
            "last_reply_id": new[-1].pk if new else after,
        },
    )


@takes_part
@login_required
@require_POST
def reply_create(request: AuthenticatedHttpRequest, space: str, discussion_id: int) -> HttpResponse:
    found = _discussion(request, space, discussion_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        quote = (
            Reply.objects.filter(pk=data["quote"], discussion=found).first()
            if data.get("quote")
            else None
        )
        try:
            reply = services.reply_create(
                actor=request.user,
                discussion=found,
                body=data["body"],
                quote=quote,
                phi_attested=form.phi_attested,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, HELD_SAYING if is_waiting(reply) else "Your reply is posted.")
            return redirect(_reply_url(request, found, reply))
    return render(
        request,
        "community/spaces/discussion.html",
        _discussion_context(request, found, form),
        status=400,
    )


def _reply_url(request: AuthenticatedHttpRequest, discussion: Discussion, reply: Reply) -> str:
    """The reply on the page of the discussion that shows it."""
    before = selectors.replies_visible(request.user, discussion).filter(pk__lte=reply.pk).count()
    page = max(1, -(-before // selectors.REPLIES_PER_PAGE))
    suffix = f"?page={page}" if page > 1 else ""
    return f"{discussion.get_absolute_url()}{suffix}#reply-{reply.pk}"


@takes_part
@login_required
def discussion_edit(
    request: AuthenticatedHttpRequest, space: str, discussion_id: int
) -> HttpResponse:
    found = _discussion(request, space, discussion_id)
    if not request.user.has_perm("community.edit_post", found):
        raise Http404("No such discussion.")
    hosted = found.kind != DiscussionKind.DISCUSSION
    initial: dict[str, Any] = {
        "title": found.title,
        "body": found.body,
        "tags": list(found.tags.all()),
    }
    if hosted:
        initial |= {
            "kind": found.kind,
            "session": found.session,
            "starts_at": found.starts_at,
            "paper_doi": found.paper_doi,
            "paper_title": found.paper_title,
            "paper_journal": found.paper_journal,
            "paper_year": found.paper_year,
        }
    form_class = HostedDiscussionForm if hosted else DiscussionForm
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.discussion_update(
                actor=request.user,
                discussion=found,
                title=data["title"],
                body=data["body"],
                tags=data["tags"],
                paper=form.paper() if isinstance(form, HostedDiscussionForm) else None,
                starts_at=data.get("starts_at"),
                phi_attested=form.phi_attested,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your changes are saved.")
            return redirect(found)
    return render(
        request,
        "community/spaces/discussion_form.html",
        {"space": found.space, "form": form, "discussion": found, "hosted": hosted},
        status=400 if request.method == "POST" else 200,
    )


@takes_part
@login_required
def reply_edit(
    request: AuthenticatedHttpRequest, space: str, discussion_id: int, reply_id: int
) -> HttpResponse:
    found = _discussion(request, space, discussion_id)
    if parse_id(reply_id) is None:
        raise Http404("No such reply.")
    reply = selectors.replies_visible(request.user, found).filter(pk=reply_id).first()
    if reply is None or not request.user.has_perm("community.edit_post", reply):
        raise Http404("No such reply.")
    form = ReplyForm(request.POST or None, initial={"body": reply.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.reply_update(
                actor=request.user,
                reply=reply,
                body=form.cleaned_data["body"],
                phi_attested=form.phi_attested,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your changes are saved.")
            return redirect(_reply_url(request, found, reply))
    return render(
        request,
        "community/spaces/reply_form.html",
        {"space": found.space, "discussion": found, "reply": reply, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@takes_part
@login_required
@require_POST
def react(request: AuthenticatedHttpRequest, space: str, discussion_id: int) -> HttpResponse:
    found = _discussion(request, space, discussion_id)
    form = ReactionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a reaction.")
        return redirect(found)
    reply = None
    if form.cleaned_data.get("reply"):
        reply = (
            selectors.replies_visible(request.user, found)
            .filter(pk=form.cleaned_data["reply"])
            .first()
        )
        if reply is None:
            raise Http404("No such reply.")
    to = _reply_url(request, found, reply) if reply else found.get_absolute_url()
    return act_then_redirect(
        request,
        to,
        lambda: services.reaction_toggle(
            actor=request.user, discussion=found, reply=reply, kind=form.cleaned_data["kind"]
        ),
        lambda on: "Your reaction is added." if on else "Your reaction is taken back.",
    )


@login_required
@require_POST
def follow(request: AuthenticatedHttpRequest, space: str, discussion_id: int) -> HttpResponse:
    found = _discussion(request, space, discussion_id)
    on = request.POST.get("following") == "1"
    return act_then_redirect(
        request,
        found,
        lambda: services.follow_set(actor=request.user, following=on, discussion=found),
        "You follow this discussion." if on else "You no longer follow this discussion.",
    )


@login_required
@require_POST
def space_follow(request: AuthenticatedHttpRequest, space: str) -> HttpResponse:
    found = _space(request, space)
    on = request.POST.get("following") == "1"
    return act_then_redirect(
        request,
        found,
        lambda: services.follow_set(actor=request.user, following=on, space=found),
        "You follow this space." if on else "You no longer follow this space.",
    )


@login_required
@require_POST
def tag_follow(request: AuthenticatedHttpRequest, topic: str) -> HttpResponse:
    found = get_object_or_404(Topic, slug=topic)
    on = request.POST.get("following") == "1"
    back = request.POST.get("next", "")
    to = back if back.startswith("/community/") and "//" not in back else "community:spaces"
    return act_then_redirect(
        request,
        to,
        lambda: services.follow_set(actor=request.user, following=on, topic=found),
        f"You follow {found}." if on else f"You no longer follow {found}.",
    )


@login_required
@require_POST
def moderate(request: AuthenticatedHttpRequest, space: str, discussion_id: int) -> HttpResponse:
    found = _discussion(request, space, discussion_id)
    if not request.user.has_perm("community.moderate_posts"):
        raise Http404("No such discussion.")
    form = ModerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what to do.")
        return redirect(found)
    action = form.cleaned_data["action"]
    change = {
        "pin": {"pinned": True},
        "unpin": {"pinned": False},
        "lock": {"locked": True},
        "unlock": {"locked": False},
        "hide": {"hidden": True},
        "show": {"hidden": False},
    }[action]
    return act_then_redirect(
        request,
        found,
        lambda: services.discussion_moderate(actor=request.user, discussion=found, **change),
        "Done.",
    )


@login_required
@require_POST
def reply_moderate(
    request: AuthenticatedHttpRequest, space: str, discussion_id: int, reply_id: int
) -> HttpResponse:
    found = _discussion(request, space, discussion_id)
    if not request.user.has_perm("community.moderate_posts"):
        raise Http404("No such reply.")
    if parse_id(reply_id) is None:
        raise Http404("No such reply.")
    reply = get_object_or_404(Reply, pk=reply_id, discussion=found)
    hidden = request.POST.get("hidden") == "1"
    return act_then_redirect(
        request,
        _reply_url(request, found, reply),
        lambda: services.reply_moderate(actor=request.user, reply=reply, hidden=hidden),
        "The reply is taken down." if hidden else "The reply is back.",
    )


@login_required
def history(request: AuthenticatedHttpRequest, space: str, discussion_id: int) -> HttpResponse:
    """What the discussion and its replies said before each edit: moderators only."""
    found = _discussion(request, space, discussion_id)
    if not request.user.has_perm("community.moderate_posts"):
        raise Http404("No such page.")
    revisions = (
        Revision.objects.filter(discussion=found) | Revision.objects.filter(reply__discussion=found)
    ).select_related("edited_by__profile", "reply")
    return render(
        request,
        "community/spaces/history.html",
        {"space": found.space, "discussion": found, "revisions": revisions[:200]},
    )


# ---- organizers ----


@permission_required("community.manage_spaces")
def space_admin(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SpaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.space_create(
                actor=request.user,
                slug=data["slug"],
                name=data["name"],
                description=data["description"],
                visibility=data["visibility"],
                program=data["program"],
                verified_stage_only=data["verified_stage_only"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"The space “{created.name}” is open.")
            return redirect("community:space_settings", space=created.slug)
    return render(
        request,
        "community/spaces/space_admin.html",
        {"spaces": Space.objects.select_related("program"), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@permission_required("community.manage_spaces")
def space_settings(request: AuthenticatedHttpRequest, space: str) -> HttpResponse:
    found = get_object_or_404(Space, slug=space)
    form = SpaceForm(
        request.POST or None,
        initial={
            "slug": found.slug,
            "name": found.name,
            "description": found.description,
            "visibility": found.visibility,
            "program": found.program,
            "verified_stage_only": found.verified_stage_only,
        },
    )
    form.fields["slug"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.space_update(
                actor=request.user,
                space=found,
                name=data["name"],
                description=data["description"],
                visibility=data["visibility"],
                program=data["program"],
                verified_stage_only=data["verified_stage_only"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The space is saved.")
            return redirect("community:space_settings", space=found.slug)
    members = SpaceMember.objects.filter(space=found).select_related("user__profile")
    return render(
        request,
        "community/spaces/space_settings.html",
        {"space": found, "form": form, "invite_form": InviteForm(), "members": members},
        status=400 if request.method == "POST" else 200,
    )


@permission_required("community.manage_spaces")
@require_POST
def space_invite(request: AuthenticatedHttpRequest, space: str) -> HttpResponse:
    found = get_object_or_404(Space, slug=space)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a member to invite.")
        return redirect("community:space_settings", space=found.slug)
    user = form.cleaned_data["user"]
    uninvite = request.POST.get("remove") == "1"
    return act_then_redirect(
        request,
        reverse("community:space_settings", args=[found.slug]),
        (lambda: services.space_uninvite(actor=request.user, space=found, user=user))
        if uninvite
        else (lambda: services.space_invite(actor=request.user, space=found, user=user)),
        f"{user} is no longer in this space." if uninvite else f"{user} is invited.",
    )


@permission_required("community.verify_stage")
def stage_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = StageVerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        return act_then_redirect(
            request,
            "community:stage_verify",
            lambda: services.stage_verify(
                actor=request.user, user=data["user"], stage=data["stage"]
            ),
            f"The stage of {data['user']} is recorded.",
        )
    verified = StageVerification.objects.select_related("user__profile", "verified_by__profile")
    return render(
        request,
        "community/spaces/stage_verify.html",
        {"form": form, "verified": verified.order_by("-verified_at")[:200]},
        status=400 if request.method == "POST" else 200,
    )


D = "s/<slug:space>/<int:discussion_id>/"

urlpatterns: list[URLPattern] = [
    path("", spaces, name="spaces"),
    path("search/", search, name="search"),
    path("tags/<slug:topic>/follow/", tag_follow, name="tag_follow"),
    path("organize/spaces/", space_admin, name="space_admin"),
    path("organize/spaces/<slug:space>/", space_settings, name="space_settings"),
    path("organize/spaces/<slug:space>/invite/", space_invite, name="space_invite"),
    path("organize/stages/", stage_verify, name="stage_verify"),
    path("s/<slug:space>/", space, name="space"),
    path("s/<slug:space>/new/", discussion_new, name="discussion_new"),
    path("s/<slug:space>/follow/", space_follow, name="space_follow"),
    path(D, discussion, name="discussion"),
    path(D + "live/", discussion_live, name="discussion_live"),
    path(D + "reply/", reply_create, name="reply_create"),
    path(D + "edit/", discussion_edit, name="discussion_edit"),
    path(D + "react/", react, name="react"),
    path(D + "follow/", follow, name="discussion_follow"),
    path(D + "moderate/", moderate, name="discussion_moderate"),
    path(D + "history/", history, name="discussion_history"),
    path(D + "replies/<int:reply_id>/edit/", reply_edit, name="reply_edit"),
    path(D + "replies/<int:reply_id>/moderate/", reply_moderate, name="reply_moderate"),
]
