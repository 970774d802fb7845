"""`hemonc demo` on an empty database (tests/members/test_demo.py reads a demo built once)."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection

from hemonc.core.models import AuditEntry
from hemonc.members.demo import DEMO_DOMAIN, demo_network_create
from hemonc.members.models import Block, Profile, User


def _run_demo(**options) -> str:
    out = StringIO()
    call_command("demo", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_refuses_with_debug_off_unless_asked_for_a_public_demo(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--public-demo"):
        _run_demo()
    assert User.objects.count() == 0

    _run_demo(public_demo=True)
    assert User.objects.count() >= 290


@pytest.fixture
def audit_refuses_blocks():
    """The database refuses the audit row of a block, as a full disk or a lost connection
    would refuse any write: the demo fails after its members, profiles and roles are written."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_block_audit() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'refused' USING ERRCODE = 'check_violation'; END $$ "
                "LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_block_audit BEFORE INSERT ON core_auditentry "
                "FOR EACH ROW WHEN (NEW.action = 'member.block') "
                "EXECUTE FUNCTION refuse_block_audit()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER refuse_block_audit BEFORE INSERT ON core_auditentry "
                "FOR EACH ROW WHEN NEW.action = 'member.block' "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
    # Created inside the test's transaction: rolled back with it.


@pytest.mark.django_db
def test_demo_network_create_failing_midway_leaves_no_demo_rows(audit_refuses_blocks):
    with pytest.raises(IntegrityError):
        demo_network_create(members=20)

    assert not User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exists()
    assert not Profile.objects.exists()
    assert not Block.objects.exists()
    assert not Group.objects.filter(user__isnull=False).exists()
    assert not AuditEntry.objects.exists()

    # Without the refusal the same call builds the whole demo in one go.
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER refuse_block_audit"
            + (" ON core_auditentry" if connection.vendor == "postgresql" else "")
        )
    summary = demo_network_create(members=20)
    assert summary.members == 20
    assert summary.blocks == 3
    assert summary.organizers == 3
    assert summary.moderators == 2
    assert AuditEntry.objects.filter(action="demo.create").count() == 1
