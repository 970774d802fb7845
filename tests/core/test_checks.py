"""The configuration checks, run in the process as `hemonc check` runs them
(tests/core/test_settings.py runs the real start-up in a fresh process)."""

from io import StringIO

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from hemonc.core.checks import require_secret_key

pytestmark = pytest.mark.django_db  # some of Django's own checks read the database


def _check(*args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command("check", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def _deploy_warnings() -> dict[str, str]:
    """What `hemonc check --deploy` says about security, by check id."""
    found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    return {message.id: message.msg for message in found}


def test_check_without_a_secret_key_fails_naming_the_variable(settings):
    settings.SECRET_KEY = ""

    with pytest.raises(SystemCheckError, match=r"hemonc\.E001.*DJANGO_SECRET_KEY must be set"):
        _check()
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY must be set"):
        require_secret_key()


def test_check_with_a_secret_key_passes(settings):
    settings.SECRET_KEY = "a-long-random-secret-key-for-this-test-0123456789"

    require_secret_key()  # the server starts
    assert "no issues" in _check()


def test_check_deploy_warns_of_a_cache_each_process_keeps_alone(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }

    warnings = _deploy_warnings()

    assert "every web worker and task worker counts sign-in failures" in warnings["hemonc.W001"]


def test_check_deploy_warns_of_a_proxy_without_trusted_addresses(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = []

    warnings = _deploy_warnings()

    assert "TRUSTED_PROXIES is empty" in warnings["hemonc.W002"]


def test_check_deploy_is_quiet_about_a_shared_cache_and_a_trusted_proxy(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "x"},
    }
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = ["10.0.0.1/32"]

    warnings = _deploy_warnings()

    assert "hemonc.W001" not in warnings
    assert "hemonc.W002" not in warnings
