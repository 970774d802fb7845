"""hemonc-network settings: every value comes from the environment (docs/operations.md)."""

from pathlib import Path

from django.utils.csp import CSP

from hemonc.core.env import (
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_path,
    env_str,
    env_time_zone,
    env_url,
    parse_cache_url,
    parse_database_url,
    parse_email_url,
)

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = env_path("HEMONC_VAR_DIR", Path.cwd() / "var")

DEBUG = env_bool("DJANGO_DEBUG", False)
# Required when debug is off, but only where a secret is used: the web server (hemonc.wsgi),
# the task worker and every command that runs the system checks stop at start-up without it
# (core.checks); `--help` and the commands that work on files alone need none.
SECRET_KEY = env_str(
    "DJANGO_SECRET_KEY", "insecure-development-key-do-not-use-in-production" if DEBUG else ""
)
# The address links in mails and calendars point to. bin/serve (and so `make run PORT=8101`)
# sets it to the address it serves on, unless it is set.
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000")
ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS",
    ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [SITE_URL.split("://", 1)[1].split(":")[0]],
)
CSRF_TRUSTED_ORIGINS = [SITE_URL]
CSRF_FAILURE_VIEW = "hemonc.core.views.csrf_failure"

INSTALLED_APPS = [
    "hemonc.core",
    "hemonc.taxonomy",
    "hemonc.members",
    "hemonc.events",
    "hemonc.newsletter",
    "hemonc.outreach",
    "hemonc.mentorship",
    "hemonc.community",
    "hemonc.moderation",
    "hemonc.analytics",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "django_tasks_db",
    "rules.apps.AutodiscoverRulesConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "hemonc.core.middleware.TimezoneMiddleware",
    "hemonc.moderation.middleware.TakingPartMiddleware",
]

ROOT_URLCONF = "hemonc.urls"
WSGI_APPLICATION = "hemonc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hemonc.core.context_processors.site",
                "hemonc.community.context_processors.notifications",
            ],
        },
    }
]

DATABASES = {
    "default": parse_database_url(
        "DATABASE_URL", env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'hemonc.sqlite3'}")
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches (docs/operations.md). "default" is shared by every process, for rate limits (ours and
# allauth's) and Redis sessions: the database unless CACHE_URL names Redis. "pages" keeps the
# pages' version-keyed entries (core.caching): in each process's memory, or in Redis if set.
CACHES = {"default": parse_cache_url("CACHE_URL", env_str("CACHE_URL", "db://"))}
CACHES["pages"] = (
    CACHES["default"]
    if CACHES["default"]["BACKEND"].endswith(("RedisCache", "DummyCache"))
    else parse_cache_url("CACHE_URL", None)
)
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cache"
    if "Redis" in CACHES["default"]["BACKEND"]
    else "django.contrib.sessions.backends.db"
)
# Reverse proxies whose X-Forwarded-For names the client (addresses or CIDR networks); the
# client address keys the rate limits. Unset: the connecting address is the client.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES", [])
# Who may read /healthz in detail besides organizers: a request with this bearer token.
HEALTHZ_TOKEN = env_str("HEALTHZ_TOKEN", "")

TASKS = {
    "default": {
        "BACKEND": env_str("HEMONC_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": [],
    }
}

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "allauth.account.auth_backends.AuthenticationBackend",
    "hemonc.members.backends.RoleBackend",  # permissions only: signs nobody in
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the identity; verification is required before signing in.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Hem-Onc Network] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = SITE_URL.split("://", 1)[0]
ACCOUNT_SIGNUP_FORM_CLASS = "hemonc.moderation.forms.SignupForm"
ACCOUNT_ADAPTER = "hemonc.members.adapters.AccountAdapter"
ACCOUNT_RATE_LIMITS: dict[str, str] | bool = {
    "login": "30/m/ip",
    "login_failed": "10/5m/ip,5/5m/key",
    "signup": "10/h/ip",
    "reset_password": "10/h/ip,3/h/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "3/5m/key",
    "change_email": "3/h/user",
    "change_password": "5/m/user",
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_time_zone("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env_path("MEDIA_ROOT", VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Hem-Onc Network <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MAILERS = {
    "default": parse_email_url(
        "EMAIL_URL", env_str("EMAIL_URL", "") or None, file_path=VAR_DIR / "mail", debug=DEBUG
    )
}

# Newsletter (docs/newsletter.md): sending rate per worker (0: as fast as the server takes),
# first retry delay after a temporary SMTP error (doubling), sender address.
NEWSLETTER_RATE_LIMIT = env_int("NEWSLETTER_RATE_LIMIT", 0)
NEWSLETTER_RETRY_SECONDS = env_int("NEWSLETTER_RETRY_SECONDS", 60)
NEWSLETTER_FROM_EMAIL = env_str("NEWSLETTER_FROM_EMAIL", DEFAULT_FROM_EMAIL)
# Imports (core/archives.py): the most an archive member may expand to, and how many times
# its compressed size.
IMPORT_ARCHIVE_MAX_BYTES = env_int("IMPORT_ARCHIVE_MAX_MB", 256) * 1024 * 1024
IMPORT_ARCHIVE_MAX_RATIO = env_int("IMPORT_ARCHIVE_MAX_RATIO", 100)
# The largest file organizers may upload on the outreach imports page (docs/outreach.md).
OUTREACH_UPLOAD_MAX_BYTES = env_int("OUTREACH_UPLOAD_MAX_MB", 100) * 1024 * 1024
# PHI guard (docs/phi.md): link domains and @handles never flagged, added to the defaults in
# hemonc/core/phi/_words.py (journals, PubMed, DOI, registries, societies; their accounts).
PHI_ALLOWED_DOMAINS = env_list("PHI_ALLOWED_DOMAINS", [])
PHI_ALLOWED_HANDLES = env_list("PHI_ALLOWED_HANDLES", [])
# Bounce and complaint webhooks (django-anymail): "user:password" the provider authenticates with.
ANYMAIL = {"WEBHOOK_SECRET": env_list("ANYMAIL_WEBHOOK_SECRET", [])}

# Security. Production defaults are strict; each can be relaxed by its variable.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Preloading is hard to undo (browsers ship the list): opt in once HTTPS is there to stay.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django gives its "django" logger a console handler of its own in debug mode; the
        # lines also reach the root's, so each printed twice (the task worker's above all).
        # Configured here without handlers, its lines are printed once, by the root.
        "django": {"level": LOG_LEVEL},
        "django.db.backends": {"level": "INFO"},
        # PDF rendering narrates every step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The directory page size; kept small enough to stay fast on a phone.
DIRECTORY_PAGE_SIZE = 24

# New accounts (docs/moderation.md): how many of a member's first discussions, replies and
# messages to people outside their programs wait for a moderator; 0 turns review off.
MODERATION_NEW_ACCOUNT_REVIEW = env_int("MODERATION_NEW_ACCOUNT_REVIEW", 3)
