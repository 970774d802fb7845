"""Direct messages: the inbox, requests, a conversation, writing, settings.

A conversation answers 404 to anyone who does not take part in it, organizers included; a
participant reports a message at /report/community.message/<id>/ (the moderation app), and
a moderator reads it, with the few around it, on its case's page only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from hemonc.community import selectors_messages as selectors
from hemonc.community.forms_messages import (
    MessageForm,
    MessageSettingsForm,
    conversation_form,
    message_form,
)
from hemonc.community.models.messages import Conversation, ParticipantStatus
from hemonc.community.review import HELD_SAYING, WAITING_NOTE, is_waiting
from hemonc.community.selectors_digest import digest_subscribed
from hemonc.community.services import digest as digest_services
from hemonc.community.services import messages as services
from hemonc.core.actions import act_then_redirect
from hemonc.core.errors import DomainError
from hemonc.core.forms import parse_id
from hemonc.core.permissions import takes_part
from hemonc.members.http import AuthenticatedHttpRequest
from hemonc.members.models import User
from hemonc.members.selectors import user_may_see


def _conversation_for(request: AuthenticatedHttpRequest, pk: int) -> Conversation:
    conversation = selectors.conversation_for_member(user=request.user, pk=pk)
    if conversation is None:
        raise Http404("No such conversation.")
    return conversation


@login_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "community/messages/inbox.html",
        {
            "lines": selectors.conversation_lines(user=user),
            "requests": selectors.request_count(user=user),
        },
    )


@login_required
def requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "community/messages/requests.html",
        {
            "lines": selectors.conversation_lines(
                user=request.user, status=ParticipantStatus.REQUESTED
            )
        },
    )


@takes_part
@login_required
def conversation_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = conversation_form(request.POST)
        if form.is_valid():
            try:
                conversation = services.conversation_start(
                    actor=user,
                    recipients=list(form.cleaned_data["recipients"]),
                    body=form.cleaned_data["body"],
                    attested=form.phi_attested,
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                if is_waiting(conversation.messages.filter(sender=user).last()):
                    messages.success(request, HELD_SAYING)
                elif selectors.conversation_pending(conversation=conversation, user=user):
                    messages.success(
                        request,
                        "Your message is sent as a request: it shows once they accept it.",
                    )
                else:
                    messages.success(request, "Your message is sent.")
                return redirect(conversation)
    else:
        initial = {}
        to = parse_id(request.GET.get("to", ""))
        if to is not None:
            other = User.objects.filter(pk=to, is_active=True).first()
            if other is not None and other.pk != user.pk and user_may_see(viewer=user, other=other):
                initial["recipients"] = [other]
        form = conversation_form(initial=initial)
    return render(request, "community/messages/new.html", {"form": form})


def _conversation_page(
    request: AuthenticatedHttpRequest, conversation: Conversation, form: MessageForm | None = None
) -> HttpResponse:
    user = request.user
    participants = list(conversation.participants.all())
    mine = next(p for p in participants if p.user_id == user.pk)
    others = [p for p in participants if p.user_id != user.pk]
    group = len(others) > 1
    ended = selectors.conversation_is_ended(conversation)
    pending = all(p.status != ParticipantStatus.ACCEPTED for p in others)
    if request.method == "GET":
        # Opening the page reads it; a form sent back with its errors changes nothing.
        services.conversation_mark_read(conversation=conversation, actor=user)
    if form is not None:
        messages.error(request, "Please correct the form below.")
    return render(
        request,
        "community/messages/conversation.html",
        {
            "conversation": conversation,
            "others": others,
            "names": ", ".join(str(p.user) for p in others),
            "group": group,
            "asked": mine.status == ParticipantStatus.REQUESTED,
            "ended": ended,
            "pending": pending and mine.status == ParticipantStatus.ACCEPTED,
            "thread": selectors.conversation_messages(conversation=conversation, user=user),
            "form": form or message_form(group=group),
            "waiting_note": WAITING_NOTE,
        },
    )


@login_required
def conversation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _conversation_page(request, _conversation_for(request, pk))


@takes_part
@login_required
@require_POST
def message_send(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conversation = _conversation_for(request, pk)
    group = conversation.participants.count() > 2
    form = message_form(request.POST, group=group)
    if form.is_valid():
        return act_then_redirect(
            request,
            conversation,
            lambda: services.message_send(
                conversation=conversation,
                actor=request.user,
                body=form.cleaned_data["body"],
                attested=form.phi_attested,
            ),
            lambda message: HELD_SAYING if is_waiting(message) else "Your message is sent.",
        )
    return _conversation_page(request, conversation, form)


@login_required
@require_POST
def conversation_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conversation = _conversation_for(request, pk)
    return act_then_redirect(
        request,
        conversation,
        lambda: services.conversation_accept(conversation=conversation, actor=request.user),
        "You accepted the request: you can write back now.",
    )


@login_required
@require_POST
def conversation_ignore(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conversation = _conversation_for(request, pk)
    return act_then_redirect(
        request,
        "community:message_requests",
        lambda: services.conversation_ignore(conversation=conversation, actor=request.user),
        "The request is ignored. Whoever wrote it is not told.",
    )


@login_required
def message_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = MessageSettingsForm(request.POST)
        if form.is_valid():
            services.message_settings_update(
                actor=user, mail_when_unread=form.cleaned_data["mail_when_unread"]
            )
            digest_services.digest_subscription_set(
                actor=user, weekly=form.cleaned_data["digest_weekly"]
            )
            messages.success(request, "Your settings are saved.")
            return redirect("community:message_settings")
    else:
        form = MessageSettingsForm(
            initial={
                "mail_when_unread": services.mail_when_unread(user.pk),
                "digest_weekly": digest_subscribed(user_id=user.pk),
            }
        )
    return render(request, "community/messages/settings.html", {"form": form})
