"""Member pages: profiles, the directory, blocks and mutes, data export and erasure."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from hemonc.core.actions import act_then_redirect
from hemonc.core.caching import render_fragments
from hemonc.core.errors import DomainError
from hemonc.core.pagination import CappedPaginator
from hemonc.core.permissions import permission_required
from hemonc.core.timezones import browser_time_zone
from hemonc.members import selectors, services
from hemonc.members.cards import member_cards
from hemonc.members.enums import Role
from hemonc.members.forms import (
    AccountDeleteForm,
    AvatarForm,
    DirectoryForm,
    ProfileForm,
    RoleGrantForm,
    WelcomeStepForm,
)
from hemonc.members.http import AuthenticatedHttpRequest
from hemonc.members.models import Block, Mute, User


def profile_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    other = get_object_or_404(User.objects.select_related("profile"), pk=user_id, is_active=True)
    if not selectors.user_may_see(viewer=request.user, other=other):
        raise Http404("No such member.")
    if not request.user.is_authenticated and not other.profile.listed_in_directory:
        # Who chose not to be listed is met by members only, never by visitors stepping ids.
        raise Http404("No such member.")
    view = selectors.profile_view(profile=other.profile, viewer=request.user)
    return render(
        request,
        "members/profile_detail.html",
        {
            "view": view,
            "member": other,
            "profile": other.profile,
            "interests": other.profile.interests.all(),
            "career_paths": other.profile.career_paths.all(),
            "muted": selectors.user_has_muted(viewer=request.user, other=other),
            "panels": _member_panels(request, other),
        },
    )


@login_required
def profile_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    profile = user.profile
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=profile)
        if form.is_valid() and _profile_save(form, user=user):
            messages.success(request, "Your profile is saved.")
            return redirect("members:profile", user_id=user.pk)
        messages.error(request, "Please correct the fields marked below.")
        profile.refresh_from_db()  # the page shows the photo that is really stored
    else:
        form = ProfileForm(instance=profile)
    return render(
        request,
        "members/profile_edit.html",
        {
            "form": form,
            "profile": profile,
            "panels": _profile_panels(request),
        },
    )


def _profile_save(form: ProfileForm, *, user: User) -> bool:
    """Save the profile form (or a welcome step's part of it) through the service: False,
    with the error on the form, if the chosen photo is refused (then nothing is saved)."""
    data = dict(form.cleaned_data)
    interests = data.pop("interests", None)
    career_paths = data.pop("career_paths", None)
    photo = data.pop("photo", None)
    remove_photo = data.pop("remove_photo", False)
    data.pop("phi_attest", None)
    profile = user.profile
    # The ModelForm already copied values onto the instance; start from the database so the
    # service sees what really changed.
    profile.refresh_from_db()
    try:
        services.profile_update(
            profile=profile,
            actor=user,
            interests=interests,
            career_paths=career_paths,
            avatar=photo or None,
            remove_avatar=remove_photo,
            phi_attested=form.phi_attested,
            **data,
        )
    except DomainError as error:
        form.add_error("photo", str(error))
        return False
    return True


def _profile_panels(request: AuthenticatedHttpRequest) -> list[str]:
    """HTML sections other apps add to the profile page (e.g. the newsletter subscription).

    An app offers one with a `profile_panel(request) -> str` method on its AppConfig; going
    through the app registry keeps members from importing the apps above it.
    """
    return [
        panel(request)
        for config in apps.get_app_configs()
        if (panel := getattr(config, "profile_panel", None)) is not None
    ]


def _member_panels(request: HttpRequest, member: User) -> list[str]:
    """HTML sections other apps add to a member's profile for its reader (e.g. an organizer
    vouching for a new member): `member_panel(request, member) -> str` on their AppConfig."""
    if not request.user.is_authenticated:
        return []
    return [
        html
        for config in apps.get_app_configs()
        if (panel := getattr(config, "member_panel", None)) is not None
        and (html := panel(request, member))
    ]


@login_required
@require_POST
def avatar_update(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if "remove" in request.POST:
        services.profile_remove_avatar(profile=user.profile, actor=user)
        messages.success(request, "Your photo is removed.")
        return redirect("members:profile_edit")
    form = AvatarForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("members:profile_edit")
    try:
        services.profile_set_avatar(
            profile=user.profile, actor=user, upload=form.cleaned_data["avatar"]
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Your photo is updated.")
    return redirect("members:profile_edit")


@login_required
def directory(request: AuthenticatedHttpRequest) -> HttpResponse:
    version = selectors.directory_version()
    countries = selectors.directory_countries(viewer=request.user, version=version)
    form = DirectoryForm(request.GET or None, countries=countries)
    filters = selectors.DirectoryFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.DirectoryFilters(
            query=form.cleaned_data["q"],
            stage=form.cleaned_data["stage"],
            interest=form.cleaned_data["interest"],
            country=form.cleaned_data["country"],
            open_to_mentoring=form.cleaned_data["open_to_mentoring"],
            looking_for_mentor=form.cleaned_data["looking_for_mentor"],
        )
    members = selectors.directory_members(
        viewer=request.user, filters=filters, limit=CappedPaginator.cap + 1, version=version
    )
    page = CappedPaginator(members, settings.DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "cards": member_cards(members=list(page), viewer=request.user, version=version),
        "querystring": query.urlencode(),
        # Unfiltered, the directory says what the home page says, from the same selector.
        "member_count": None
        if filters != selectors.DirectoryFilters()
        else selectors.directory_member_count(viewer=request.user, version=version),
    }
    if request.headers.get("HX-Request"):
        return render(request, "members/directory.html#results", context)
    context["filters"] = _directory_filters(form, query)
    return render(request, "members/directory.html", context)


def _directory_filters(form: DirectoryForm, query: QueryDict) -> SafeString:
    """The search form as it shows this query: the same words and options give the same HTML."""
    version = (sorted(query.lists()), form.choices_version())
    [html] = render_fragments(
        "members/_directory_filters.html", [version], lambda _: [{"form": form}]
    )
    return html


def _other(user_id: int) -> User:
    return get_object_or_404(User.objects.select_related("profile"), pk=user_id, is_active=True)


def _name_for(viewer: User, other: User) -> str:
    """How a message names `other` to `viewer`: by name only if the viewer may see them."""
    return str(other) if selectors.user_may_see(viewer=viewer, other=other) else "the member"


@login_required
@require_POST
def block(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    other = _other(user_id)
    name = _name_for(request.user, other)
    try:
        services.block_create(blocker=request.user, blocked=other)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("members:profile", user_id=user_id)
    messages.success(request, f"You blocked {name}. Neither of you will see the other.")
    return redirect("members:blocked")


@login_required
@require_POST
def unblock(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    # Only someone the member blocked is named: any other id, taken or not, answers the same.
    block = (
        Block.objects.filter(blocker=request.user, blocked_id=user_id)
        .select_related("blocked__profile")
        .first()
    )
    if block is None:
        messages.info(request, "That member was not blocked.")
        return redirect("members:blocked")
    services.block_delete(blocker=request.user, blocked=block.blocked)
    messages.success(request, f"You unblocked {block.blocked}.")
    return redirect("members:blocked")


@login_required
@require_POST
def mute(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    other = _other(user_id)
    try:
        services.mute_create(muter=request.user, muted=other)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        name = _name_for(request.user, other)
        messages.success(request, f"You muted {name}. They are not told.")
    return redirect("members:profile", user_id=user_id)


@login_required
@require_POST
def unmute(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    mute = (
        Mute.objects.filter(muter=request.user, muted_id=user_id)
        .select_related("muted__profile")
        .first()
    )
    if mute is None:
        messages.info(request, "That member was not muted.")
    else:
        services.mute_delete(muter=request.user, muted=mute.muted)
        messages.success(request, f"You unmuted {mute.muted}.")
    if request.POST.get("from") == "blocked":
        return redirect("members:blocked")
    return redirect("members:profile", user_id=user_id)


@login_required
def blocked_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "members/blocked.html",
        {
            "blocks": Block.objects.filter(blocker=request.user)
            .select_related("blocked__profile")
            .order_by("-created_at"),
            "mutes": Mute.objects.filter(muter=request.user)
            .select_related("muted__profile")
            .order_by("-created_at"),
        },
    )


@login_required
def data_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    payload = services.member_data_download(user=request.user)
    response = HttpResponse(
        json.dumps(payload, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder),
        content_type="application/json",
    )
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="hemonc-my-data-{stamp}.json"'
    return response


@login_required
def account_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = AccountDeleteForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.member_erase(user=user, actor=user)
        logout(request)
        messages.success(request, "Your account and your personal data are deleted.")
        return redirect("home")
    return render(request, "members/account_delete.html", {"form": form})


@dataclass(frozen=True)
class WelcomeStep:
    slug: str
    title: str
    intro: str
    fields: tuple[str, ...]


# The first-sign-in welcome, one short screen each; every step may be skipped.
WELCOME_STEPS = (
    WelcomeStep(
        "training",
        "Your training",
        "Where you are in training helps peers and mentors find you.",
        ("stage", "training_year", "specialty"),
    ),
    WelcomeStep(
        "interests",
        "Your interests",
        "Pick the topics and hashtags you follow: your home shows new members who share them.",
        ("interests",),
    ),
    WelcomeStep(
        "privacy",
        "Who sees what",
        "You choose who sees each detail: everyone, signed-in members, or organizers only.",
        (
            "institution",
            "country",
            "stage_visibility",
            "specialty_visibility",
            "training_year_visibility",
            "institution_visibility",
            "country_visibility",
            "listed_in_directory",
        ),
    ),
    WelcomeStep(
        "photo",
        "Your photo",
        "A friendly face helps people recognise you at sessions. It is optional.",
        ("photo",),
    ),
    WelcomeStep(
        "time-zone",
        "Your time zone",
        "Session times are shown in your time zone. We took it from your browser; change it if "
        "it is wrong.",
        ("time_zone",),
    ),
)


@login_required
def welcome(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The welcome's first screen. Seeing it once is enough: sign-in no longer leads here."""
    services.profile_welcome_shown(profile=request.user.profile, actor=request.user)
    return render(
        request,
        "members/welcome.html",
        {"steps": WELCOME_STEPS, "first": WELCOME_STEPS[0], "profile": request.user.profile},
    )


@login_required
def welcome_step(request: AuthenticatedHttpRequest, step: str) -> HttpResponse:
    user = request.user
    index = next((i for i, s in enumerate(WELCOME_STEPS) if s.slug == step), None)
    if index is None:
        raise Http404("No such step.")
    current = WELCOME_STEPS[index]
    following = WELCOME_STEPS[index + 1] if index + 1 < len(WELCOME_STEPS) else None
    next_url = (
        reverse("members:welcome_step", args=[following.slug]) if following else reverse("home")
    )
    profile = user.profile
    if request.method == "POST":
        form = WelcomeStepForm(
            request.POST, request.FILES, instance=profile, step_fields=current.fields
        )
        if form.is_valid() and _profile_save(form, user=user):
            if following is None:
                messages.success(request, "Your profile is set up. Welcome to the network!")
            return redirect(next_url)
        messages.error(request, "Please correct the fields marked below.")
        profile.refresh_from_db()
    else:
        initial = {}
        if "time_zone" in current.fields and not profile.time_zone:
            initial["time_zone"] = browser_time_zone(request)
        form = WelcomeStepForm(instance=profile, initial=initial, step_fields=current.fields)
    return render(
        request,
        "members/welcome_step.html",
        {
            "steps": WELCOME_STEPS,
            "step": current,
            "number": index + 1,
            "form": form,
            "profile": profile,
            "next_url": next_url,
            "is_last": following is None,
        },
    )


@login_required
def member_pick(request: AuthenticatedHttpRequest) -> JsonResponse:
    """Members matching ?q= by name, for pickers (core.widgets.SearchSelect)."""
    results = selectors.member_pick(viewer=request.user, query=request.GET.get("q", "")[:100])
    return JsonResponse({"results": results})


@permission_required("members.set_role")
def roles(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Who organizes and moderates, and a form to give someone a role."""
    return _roles_page(request, RoleGrantForm())


def _roles_page(request: AuthenticatedHttpRequest, form: RoleGrantForm) -> HttpResponse:
    holders = selectors.role_holders()
    return render(
        request,
        "members/roles.html",
        {
            "form": form,
            "roles": [(role, holders[role.value]) for role in Role],
        },
        status=400 if form.errors else 200,
    )


@require_POST
@permission_required("members.set_role")
def role_grant(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = RoleGrantForm(request.POST)
    if not form.is_valid():
        return _roles_page(request, form)
    member, role = form.cleaned_data["member"], Role(form.cleaned_data["role"])
    return act_then_redirect(
        request,
        "members:roles",
        lambda: services.member_set_role(user=member, role=role, enabled=True, actor=request.user),
        f"{member} is now a {role.label.lower()}.",
    )


@require_POST
@permission_required("members.set_role")
def role_revoke(request: AuthenticatedHttpRequest, user_id: int, role: str) -> HttpResponse:
    member = get_object_or_404(User.objects.select_related("profile"), pk=user_id)
    if role not in Role.values:
        raise Http404("No such role.")
    chosen = Role(role)
    return act_then_redirect(
        request,
        "members:roles",
        lambda: services.member_set_role(
            user=member, role=chosen, enabled=False, actor=request.user
        ),
        f"{member} is no longer a {chosen.label.lower()}.",
    )
