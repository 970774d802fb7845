"""Test settings: the real settings, with a fast hasher and mail kept in memory.

Tests about sending mail switch to a real SMTP server on loopback (tests/conftest.py).
"""

import os
import tempfile

os.environ.setdefault("DJANGO_DEBUG", "true")
# The social accounts' secrets are encrypted with it (hemonc.core.secrets).
os.environ.setdefault("HEMONC_SECRETS_KEY", "test-only-secrets-key-0123456789abcdefghijklmnop")
os.environ.setdefault("HEMONC_VAR_DIR", tempfile.mkdtemp(prefix="hemonc-test-var-"))

from hemonc.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"  # noqa: F405
ACCOUNT_RATE_LIMITS = False
# One process: its memory is shared by every thread. Tests about several processes configure
# the database cache themselves.
if not os.environ.get("CACHE_URL"):
    CACHES = {"default": parse_cache_url("CACHE_URL", None), "pages": parse_cache_url("", None)}  # noqa: F405
# A file, not memory, so the backup tests restore into SQLite as production does (WAL on).
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns when it is missing
# New-account review holds a fresh member's first posts: the tests about it turn it on
# (tests/moderation/test_new_accounts.py); others post as established members.
MODERATION_NEW_ACCOUNT_REVIEW = 0
