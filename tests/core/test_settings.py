"""Start-up fails loudly on bad configuration, and production settings pass the deploy check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "HEMONC_SECRETS_KEY"))
    }
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "hemonc", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_missing_secret_key_in_production_stops_start_up(tmp_path):
    result = _run({"DJANGO_DEBUG": "false", "HEMONC_VAR_DIR": str(tmp_path)}, "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_DEBUG", "perhaps"),
        ("DATABASE_URL", "oracle://db/x"),
        ("CACHE_URL", "memcached://x"),
        ("TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal"),
    ],
)
def test_bad_values_stop_start_up_naming_the_variable(tmp_path, variable, value):
    result = _run(
        {"DJANGO_DEBUG": "true", "HEMONC_VAR_DIR": str(tmp_path), variable: value}, "check"
    )
    assert result.returncode != 0
    assert variable in result.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x" * 20 + "production-secret-key-with-enough-entropy-0123456789",
        "SITE_URL": "https://network.example.org",
        "HEMONC_VAR_DIR": str(tmp_path),
        "HEMONC_SECRETS_KEY": "production-secrets-key-with-enough-entropy-0123456789",
        "EMAIL_URL": "smtp+tls://mailer:pw@smtp.example.org:587",
    }
    result = _run(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_stops_without_the_secrets_key(tmp_path):
    env = {
        "DJANGO_SECRET_KEY": "x" * 20 + "production-secret-key-with-enough-entropy-0123456789",
        "SITE_URL": "https://network.example.org",
        "HEMONC_VAR_DIR": str(tmp_path),
    }
    result = _run(env, "check", "--deploy")

    assert result.returncode != 0
    assert "hemonc.E002" in result.stderr and "HEMONC_SECRETS_KEY must be set" in result.stderr


def test_check_deploy_warns_when_limits_cannot_hold(tmp_path):
    env = {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x" * 20 + "production-secret-key-with-enough-entropy-0123456789",
        "SITE_URL": "https://network.example.org",
        "HEMONC_VAR_DIR": str(tmp_path),
        "EMAIL_URL": "smtp+tls://mailer:pw@smtp.example.org:587",
        "CACHE_URL": "locmem://",
        "DJANGO_BEHIND_PROXY": "true",
    }
    result = _run(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode != 0
    assert "hemonc.W001" in result.stderr and "not shared between processes" in result.stderr
    assert "hemonc.W002" in result.stderr and "Set TRUSTED_PROXIES" in result.stderr


def _unconfigured(*args: str, cwd: str) -> subprocess.CompletedProcess[str]:
    """The console script with no configuration at all: no DJANGO_*, no secret, no URLs."""
    keep = {"PATH", "HOME", "LANG", "TMPDIR"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2] / "src")
    return subprocess.run(
        [sys.executable, "-m", "hemonc", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("args", [("--help",), ("report", "--help"), ("mentorship", "--help")])
def test_help_runs_with_no_configuration(tmp_path, args):
    result = _unconfigured(*args, cwd=str(tmp_path))

    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout.lower() or "subcommands" in result.stdout.lower()
    assert "DJANGO_SECRET_KEY" not in result.stderr


def test_mentorship_match_on_csv_files_runs_with_no_configuration(tmp_path):
    fixtures = Path(__file__).resolve().parent.parent / "fixtures" / "mentorship"
    out = tmp_path / "matches.csv"

    result = _unconfigured(
        "mentorship",
        "match",
        "--mentors",
        str(fixtures / "mentors.csv"),
        "--mentees",
        str(fixtures / "mentees.csv"),
        "--out",
        str(out),
        cwd=str(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8-sig").startswith("mentee_id,mentor_id,score")


def test_web_server_without_secret_key_in_production_stops_at_start_up(tmp_path):
    result = _run({"HEMONC_VAR_DIR": str(tmp_path)}, "shell", "-c", "import hemonc.wsgi")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_with_the_documented_defaults(tmp_path):
    # Only what docs/operations.md says production needs: the secret keys and the public address.
    env = {
        "DJANGO_SECRET_KEY": "x" * 20 + "production-secret-key-with-enough-entropy-0123456789",
        "HEMONC_SECRETS_KEY": "production-secrets-key-with-enough-entropy-0123456789",
        "SITE_URL": "https://network.example.org",
        "HEMONC_VAR_DIR": str(tmp_path),
    }
    result = _run(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_hsts_preload_is_off_unless_asked_for(tmp_path):
    env = {
        "DJANGO_SECRET_KEY": "x" * 20 + "production-secret-key-with-enough-entropy-0123456789",
        "SITE_URL": "https://network.example.org",
        "HEMONC_VAR_DIR": str(tmp_path),
    }
    code = (
        "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_PRELOAD)"
    )
    default = _run(env, "shell", "--no-imports", "-c", code)
    opted_in = _run(
        {**env, "DJANGO_SECURE_HSTS_PRELOAD": "true"}, "shell", "--no-imports", "-c", code
    )

    assert default.stdout.split() == ["31536000", "False"], default.stderr
    assert opted_in.stdout.split() == ["31536000", "True"], opted_in.stderr
