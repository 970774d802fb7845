"""`hemonc demo` on an empty database (tests/members/test_demo.py reads a demo built once)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hemonc.members.models import User


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
