"""The organizers' admin for accounts: organizers manage members, never passwords or privileges."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib import admin as django_admin
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import RequestFactory

from hemonc.core.models import AuditEntry
from hemonc.members.enums import Role
from hemonc.members.models import Block, Mute, User
from hemonc.members.services import block_create, mute_create
from hemonc.taxonomy.models import Topic
from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.django_db

ROOT_PASSWORD = "the-root-passphrase-nobody-knows"


@pytest.fixture
def root(db):  # type: ignore[no-untyped-def]
    return User.objects.create_superuser("root-admin@example.org", ROOT_PASSWORD)


@pytest.fixture
def organizer(db):  # type: ignore[no-untyped-def]
    return make_member(display_name="Olu Organizer", role=Role.ORGANIZER)


@pytest.fixture
def as_organizer(client, organizer):  # type: ignore[no-untyped-def]
    client.force_login(organizer)
    return client


def _change_form(user: User, **overrides: object) -> dict[str, object]:
    """What the admin's change page posts for `user`, with `overrides`."""
    profile = user.profile
    data: dict[str, object] = {
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "1",
        "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1",
        "profile-0-id": str(profile.pk),
        "profile-0-user": str(user.pk),
        "profile-0-display_name": profile.display_name,
        "profile-0-stage_visibility": profile.stage_visibility,
        "profile-0-specialty_visibility": profile.specialty_visibility,
        "profile-0-training_year_visibility": profile.training_year_visibility,
        "profile-0-institution_visibility": profile.institution_visibility,
        "profile-0-country_visibility": profile.country_visibility,
        "profile-0-identity_communities": "[]",
        "profile-0-listed_in_directory": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def test_organizer_cannot_set_anyones_password_in_the_admin(as_organizer, root, member):
    for target in (root, member):
        url = f"/admin/members/user/{target.pk}/password/"
        page = as_organizer.get(url)
        posted = as_organizer.post(
            url, {"password1": "taken-over-123!", "password2": "taken-over-123!"}
        )
        assert (page.status_code, posted.status_code) == (403, 403)
    root.refresh_from_db()
    member.refresh_from_db()
    assert root.check_password(ROOT_PASSWORD)
    assert member.check_password(PASSWORD)


def test_organizer_sees_no_password_field_or_link_on_a_members_page(as_organizer, member):
    html = as_organizer.get(f"/admin/members/user/{member.pk}/change/").content.decode()
    assert "Ana Lopez" in html
    assert "password/" not in html
    assert 'name="password"' not in html


def test_superuser_keeps_the_password_form(client, root, member):
    client.force_login(root)
    url = f"/admin/members/user/{member.pk}/password/"
    assert client.get(url).status_code == 200
    client.post(url, {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"})
    member.refresh_from_db()
    assert member.check_password("a-new-long-passphrase")
    entry = AuditEntry.objects.get(action="member.password_set")
    assert (entry.actor, entry.target_id, entry.changes) == (root, str(member.pk), {})


def test_organizer_cannot_add_an_account_with_a_password(as_organizer):
    page = as_organizer.get("/admin/members/user/add/").content.decode()
    as_organizer.post(
        "/admin/members/user/add/",
        {"email": "new.member@example.org", "password1": "known-to-me-123!",
         "password2": "known-to-me-123!", "usable_password": "true",
         "profile-TOTAL_FORMS": "0", "profile-INITIAL_FORMS": "0"},
    )  # fmt: skip
    created = User.objects.get(email="new.member@example.org")
    assert 'name="password1"' not in page
    assert not created.has_usable_password()


def test_organizer_cannot_edit_or_delete_a_superuser(as_organizer, root):
    url = f"/admin/members/user/{root.pk}/change/"
    as_organizer.post(url, _change_form(root, email="mine@example.org", is_active=""))
    deleted = as_organizer.post(f"/admin/members/user/{root.pk}/delete/", {"post": "yes"})
    as_organizer.post(
        "/admin/members/user/",
        {"action": "delete_selected", "_selected_action": [str(root.pk)], "post": "yes"},
    )
    root.refresh_from_db()
    assert (root.email, root.is_active) == ("root-admin@example.org", True)
    assert deleted.status_code == 403


def test_organizer_cannot_change_a_members_sign_in_email(as_organizer, member):
    as_organizer.post(
        f"/admin/members/user/{member.pk}/change/",
        _change_form(member, email="attacker@example.org"),
    )
    member.refresh_from_db()
    assert member.email != "attacker@example.org"


def test_organizer_cannot_add_an_email_address_to_someone_elses_account(as_organizer, root):
    as_organizer.post(
        "/admin/account/emailaddress/add/",
        {"user": str(root.pk), "email": "attacker@example.org", "verified": "on", "primary": "on"},
    )
    assert not EmailAddress.objects.filter(email="attacker@example.org").exists()


def test_organizer_cannot_deactivate_another_organizer_but_a_member(as_organizer, member):
    other = make_member(display_name="Other Organizer", role=Role.ORGANIZER)
    as_organizer.post(f"/admin/members/user/{other.pk}/change/", _change_form(other, is_active=""))
    as_organizer.post(
        f"/admin/members/user/{member.pk}/change/",
        _change_form(member, is_active="", **{"profile-0-display_name": "Ana L."}),
    )
    other.refresh_from_db()
    member.refresh_from_db()
    assert other.is_active
    assert (member.is_active, member.profile.display_name) == (False, "Ana L.")


def test_organizer_cannot_grant_privileges_through_the_change_form(as_organizer, organizer, member):
    superusers = Group.objects.get_or_create(name="admins")[0]
    permission = Permission.objects.get(codename="change_group")
    for target in (organizer, member):
        as_organizer.post(
            f"/admin/members/user/{target.pk}/change/",
            _change_form(target, is_superuser="on", is_staff="on",
                         groups=[str(superusers.pk)], user_permissions=[str(permission.pk)]),
        )  # fmt: skip
        target.refresh_from_db()
        assert not target.is_superuser
        assert not target.groups.filter(name="admins").exists()
        assert not target.user_permissions.exists()
    member.refresh_from_db()
    assert not member.is_staff


def _action(client, name: str, user: User):  # type: ignore[no-untyped-def]
    return client.post(
        "/admin/members/user/", {"action": name, "_selected_action": [str(user.pk)]}, follow=True
    )


def test_organizer_cannot_change_the_roles_of_superusers_or_organizers(as_organizer, root):
    other = make_member(display_name="Other Organizer", role=Role.ORGANIZER)
    page = _action(as_organizer, "revoke_organizer", other)
    _action(as_organizer, "grant_moderator", root)
    other.refresh_from_db()
    assert other.is_organizer and other.is_staff
    assert not root.groups.exists()
    assert "only a superuser" in page.content.decode().lower()


def test_organizer_cannot_grant_a_role_they_do_not_hold(client, member):
    moderator = make_member(display_name="Mo Moderator", role=Role.MODERATOR)
    organizer = make_member(display_name="Olu Organizer", role=Role.ORGANIZER)
    # A moderator is no organizer: no admin at all.
    client.force_login(moderator)
    _action(client, "grant_organizer", moderator)
    moderator.refresh_from_db()
    assert not moderator.is_organizer
    client.force_login(organizer)
    _action(client, "grant_organizer", member)
    member.refresh_from_db()
    assert member.is_organizer and member.is_staff


def test_role_changes_through_the_admin_are_audited_with_the_organizer(
    as_organizer, organizer, member
):
    _action(as_organizer, "grant_moderator", member)
    entry = AuditEntry.objects.filter(target_id=str(member.pk)).latest("id")
    assert (entry.actor, entry.action, entry.changes["role"]) == (
        organizer, "member.role_grant", "moderator",
    )  # fmt: skip


def test_every_privilege_change_is_audited_by_field_name(member):
    group = Group.objects.create(name="reviewers")
    member.groups.add(group)
    member.user_permissions.add(Permission.objects.get(codename="change_group"))
    member.is_staff = True
    member.save()
    group.user_set.remove(member)
    rows = AuditEntry.objects.filter(
        action="member.privileges_change", target_id=str(member.pk)
    ).order_by("id")
    assert [row.changes for row in rows] == [
        {"fields": ["groups"]}, {"fields": ["user_permissions"]},
        {"fields": ["is_staff"]}, {"fields": ["groups"]},
    ]  # fmt: skip


def test_clearing_a_group_audits_each_of_its_members_and_a_repeat_add_nothing(member):
    other = make_member(display_name="Ben Okafor")
    group = Group.objects.create(name="reviewers")
    group.user_set.add(member, other)
    member.groups.add(group)  # already in it: nothing changes
    group.user_set.clear()

    rows = AuditEntry.objects.filter(action="member.privileges_change").order_by("id")
    assert sorted(row.target_id for row in rows) == sorted([str(member.pk), str(other.pk)] * 2)
    assert all(row.changes == {"fields": ["groups"]} for row in rows)
    assert not group.user_set.exists()


def test_a_groups_permissions_changing_is_audited_on_the_group():
    group = Group.objects.create(name="reviewers")
    group.permissions.add(Permission.objects.get(codename="change_group"))
    group.permissions.add(Permission.objects.get(codename="change_group"))  # no change
    group.permissions.clear()

    rows = AuditEntry.objects.filter(action="member.privileges_change").order_by("id")
    assert [(row.target_type, row.target_id, row.changes) for row in rows] == [
        ("auth.group", str(group.pk), {"fields": ["permissions"]}),
        ("auth.group", str(group.pk), {"fields": ["permissions"]}),
    ]


def test_createsuperuser_is_audited(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", ROOT_PASSWORD)
    call_command("createsuperuser", "--noinput", email="first@example.org", verbosity=0)
    user = User.objects.get(email="first@example.org")
    entry = AuditEntry.objects.get(action="member.privileges_change", target_id=str(user.pk))
    assert entry.actor is None
    assert entry.changes == {"fields": ["is_staff", "is_superuser"]}


def test_organizer_only_reads_the_audit_log_and_the_task_queue(as_organizer, organizer):
    # A queued task runs any function with any arguments; an audit row is evidence.
    assert organizer.has_perm("django_tasks_database.view_dbtaskresult")
    assert not organizer.has_perm("django_tasks_database.add_dbtaskresult")
    assert not organizer.has_perm("django_tasks_database.change_dbtaskresult")
    assert not organizer.has_perm("core.change_auditentry")
    assert not organizer.has_perm("core.delete_auditentry")
    assert as_organizer.get("/admin/django_tasks_database/dbtaskresult/add/").status_code == 403
    assert as_organizer.get("/admin/core/auditentry/").status_code == 200


# Every model of members, core and taxonomy in the admin, and what an organizer may do with it:
# "read-only" (no add, change or delete), "services" (saves and deletions go through the
# services' steps: audited, search documents rebuilt), "free" (no service owns the model).
ADMIN_MODELS = {
    "members.user": "services",
    "members.block": "read-only",
    "members.mute": "read-only",
    "core.auditentry": "read-only",
    "taxonomy.topic": "services",
    "taxonomy.careerpath": "free",
}


def test_admin_models_of_members_core_and_taxonomy_each_have_a_declared_way():
    registered = {
        model._meta.label_lower
        for model in django_admin.site._registry
        if model._meta.app_label in {"members", "core", "taxonomy"}
    }
    assert registered == set(ADMIN_MODELS), (
        f"not declared: {sorted(registered - set(ADMIN_MODELS))}, "
        f"not registered: {sorted(set(ADMIN_MODELS) - registered)}"
    )


def test_organizer_cannot_add_change_or_delete_read_only_rows(as_organizer, organizer, member):
    block_create(blocker=member, blocked=organizer)
    mute_create(muter=organizer, muted=member)
    rows = {
        "members.block": Block.objects.get(),
        "members.mute": Mute.objects.get(),
        "core.auditentry": AuditEntry.objects.latest("id"),
    }
    request = RequestFactory().get("/admin/")
    request.user = organizer
    for label, kind in ADMIN_MODELS.items():
        if kind != "read-only":
            continue
        app, name = label.split(".")
        row = rows[label]
        model_admin = django_admin.site._registry[type(row)]
        assert not model_admin.has_add_permission(request), label
        assert not model_admin.has_change_permission(request, row), label
        assert not model_admin.has_delete_permission(request, row), label
        assert as_organizer.get(f"/admin/{app}/{name}/add/").status_code == 403, label
        deleted = as_organizer.post(f"/admin/{app}/{name}/{row.pk}/delete/", {"post": "yes"})
        assert deleted.status_code == 403, label
        assert type(row).objects.filter(pk=row.pk).exists(), label


def test_admin_account_and_profile_changes_go_through_the_services(as_organizer, organizer, member):
    as_organizer.post(
        f"/admin/members/user/{member.pk}/change/",
        _change_form(member, is_active="", **{"profile-0-institution": "Harbor Medical School"}),
    )
    member.refresh_from_db()
    assert not member.is_active
    assert "Harbor Medical School" in member.profile.search_document
    account = AuditEntry.objects.get(action="member.update", target_id=str(member.pk))
    profile = AuditEntry.objects.get(
        action="profile.update", actor=organizer, target_id=str(member.profile.pk)
    )
    assert (account.actor, account.changes) == (organizer, {"fields": ["is_active"]})
    assert "institution" in profile.changes["fields"]


def test_admin_account_creation_and_deletion_go_through_the_services(as_organizer, organizer):
    as_organizer.post(
        "/admin/members/user/add/",
        {"email": "New.Member@example.org", "profile-TOTAL_FORMS": "0",
         "profile-INITIAL_FORMS": "0"},
    )  # fmt: skip
    created = User.objects.get(email="new.member@example.org")
    assert AuditEntry.objects.get(action="member.create", actor=organizer).target_id == str(
        created.pk
    )
    as_organizer.post(f"/admin/members/user/{created.pk}/delete/", {"post": "yes"})
    assert not User.objects.filter(pk=created.pk).exists()
    assert AuditEntry.objects.get(action="member.erase", actor=organizer).target_id == str(
        created.pk
    )


def test_admin_topic_saves_and_deletions_go_through_the_services(as_organizer, organizer):
    as_organizer.post(
        "/admin/taxonomy/topic/add/",
        {"name": "Cardio-oncology fellows", "hashtag": "#CardioOncFellows", "kind": "other"},
    )
    topic = Topic.objects.get(hashtag="CardioOncFellows")
    assert topic.slug == "cardiooncfellows"
    as_organizer.post(
        f"/admin/taxonomy/topic/{topic.pk}/change/",
        {"name": "Cardio-onc fellows", "hashtag": "CardioOncFellows", "kind": "other"},
    )
    topic.refresh_from_db()
    assert topic.name == "Cardio-onc fellows"
    as_organizer.post(f"/admin/taxonomy/topic/{topic.pk}/delete/", {"post": "yes"})
    assert not Topic.objects.filter(pk=topic.pk).exists()
    actions = list(
        AuditEntry.objects.filter(actor=organizer, target_id=str(topic.pk))
        .order_by("id")
        .values_list("action", "changes")
    )
    assert actions == [
        ("topic.create", {"hashtag": "CardioOncFellows"}),
        ("topic.update", {"fields": ["name"]}),
        ("topic.delete", {"hashtag": "CardioOncFellows"}),
    ]


def test_admin_refuses_a_duplicate_hashtag_on_the_form(as_organizer):
    page = as_organizer.post(
        "/admin/taxonomy/topic/add/", {"name": "Again", "hashtag": "#BCSM", "kind": "other"}
    )
    assert "A topic with the hashtag #BCSM already exists." in page.content.decode()
    assert Topic.objects.filter(hashtag__iexact="bcsm").count() == 1


def test_admin_profile_country_and_time_zone_come_from_the_lists(as_organizer, member):
    url = f"/admin/members/user/{member.pk}/change/"
    page = as_organizer.post(
        url, _change_form(member, **{"profile-0-country": "XX", "profile-0-time_zone": "Mars/Base"})
    )
    member.profile.refresh_from_db()
    assert "Select a valid choice." in page.content.decode()
    assert (member.profile.country, member.profile.time_zone) == ("US", "")
    as_organizer.post(
        url,
        _change_form(member, **{"profile-0-country": "PT", "profile-0-time_zone": "Europe/Lisbon"}),
    )
    member.profile.refresh_from_db()
    assert (member.profile.country, member.profile.time_zone) == ("PT", "Europe/Lisbon")


def test_admin_topics_deleted_together_are_each_audited(as_organizer, organizer):
    topics = [
        Topic.objects.create(name=f"Topic {n}", slug=f"topic-{n}", hashtag=f"Topic{n}")
        for n in (1, 2)
    ]

    response = as_organizer.post(
        "/admin/taxonomy/topic/",
        {"action": "delete_selected", "_selected_action": [t.pk for t in topics], "post": "yes"},
        follow=True,
    )

    assert "Successfully deleted 2 topics" in response.content.decode()
    assert not Topic.objects.filter(pk__in=[t.pk for t in topics]).exists()
    deleted = AuditEntry.objects.filter(action="topic.delete", actor=organizer)
    assert sorted(entry.changes["hashtag"] for entry in deleted) == ["Topic1", "Topic2"]


def test_admin_members_deleted_together_are_each_erased(as_organizer, organizer):
    members = [make_member(display_name=name) for name in ("Ana Lopez", "Ben Okafor")]

    response = as_organizer.post(
        "/admin/members/user/",
        {"action": "delete_selected", "_selected_action": [m.pk for m in members], "post": "yes"},
        follow=True,
    )

    assert response.status_code == 200
    assert not User.objects.filter(pk__in=[m.pk for m in members]).exists()
    erased = AuditEntry.objects.filter(action="member.erase", actor=organizer)
    assert sorted(entry.target_id for entry in erased) == sorted(str(m.pk) for m in members)
