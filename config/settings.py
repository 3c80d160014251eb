"""Tsunagu settings: one module, driven by environment variables."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from common.encryption import parse_field_key

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DJANGO_ENV = env_str("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_ENV=production.")
    # Development and demo only: a fixed key so sessions survive a restart of `make run`.
    SECRET_KEY = "tsunagu-development-only-key-never-use-in-production-3f9a1c"

# Confidential notes (clients, logs) and providers' internal notes are encrypted at rest with these
# Fernet keys (common/encryption.py): 32 random bytes in base64 each, comma-separated; the first
# encrypts, all of them decrypt, so a rotation puts a new key first, runs `rotate_field_keys`, then
# drops the old one (docs/security.md). Not derived from SECRET_KEY: each can change on its own.
TSUNAGU_FIELD_KEYS = env_list("TSUNAGU_FIELD_KEYS")
if not TSUNAGU_FIELD_KEYS:
    if PRODUCTION:
        raise ImproperlyConfigured("TSUNAGU_FIELD_KEYS must be set when DJANGO_ENV=production.")
    # Development, demo and tests only: a fixed key, so the demo database stays readable.
    TSUNAGU_FIELD_KEYS = ["dHN1bmFndS1kZXZlbG9wbWVudC1vbmx5LWZpZWxkLWs="]
for _key in TSUNAGU_FIELD_KEYS:
    parse_field_key(_key)  # a malformed key stops the start, not the first page that reads a note

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost")

INSTALLED_APPS = [
    "config.admin.TsunaguAdminConfig",  # django.contrib.admin with our site (config/admin.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "import_export",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "directory",
    "coordination",
    "reporting",
    "audit",
    "maintenance",
    "demo",
]

MIDDLEWARE = [
    # First, so every response (redirects and static files too) and every log line carries the id.
    "config.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files, straight after the HTTPS redirect and before sessions (see STORAGES below).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # A NUL in a query string or form: the Japanese 400 page (PostgreSQL refuses NUL in text).
    "config.middleware.RefuseNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: no-store on every response to a signed-in user (pages show personal data).
    "config.middleware.NoStoreForSignedInUsersMiddleware",
    # Appends audited requests (audit/policy.py) to the append-only access log.
    "audit.middleware.AccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle (30 min) and absolute (10 h) session limits; then two-factor verification.
    "accounts.security.SessionLimitsMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.security.MFARequiredMiddleware",
    # Records the signed-in user on the change history of clients, logs and events.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
                "common.drafts.saved_drafts",
            ],
            # `date`, `time` and `url` that remember what they wrote for plain values (same output; see the modules).
            "builtins": ["common.template_dates", "common.template_urls"],
        },
    },
]

# SQLite is the embedded default; DATABASE_URL=postgres://… switches to PostgreSQL (psycopg 3).
# DATABASE_URL=sqlite:////path/to/file.sqlite3 names a SQLite file explicitly (production settings
# require DATABASE_URL; a trial or a load test of `make serve` may still use SQLite).
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Planner settings for our connections (docs/performance.md, "Page cost at a large office"):
        # - no JIT compilation: it pays off for long analytical queries, not for a page's. A log-list keyword
        #   search at an office with 50,000 logs spent 1.0 of its 1.2 s compiling;
        # - random_page_cost 1.1, PostgreSQL's advice for data in memory or on SSD (the default 4 assumes
        #   spinning disks): the report's §3 and §5 counts then follow the office's logs through the indexes
        #   (23 and 34 ms) instead of reading the whole 1.6-million-row link tables (164 and 102 ms);
        # - no parallel workers for one query: with many users at once they only take cores from the
        #   other requests (a parallel hash join above used three processes for one report table).
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            "-c jit=off -c random_page_cost=1.1 -c max_parallel_workers_per_gather=0"
        )
else:
    SQLITE_PATH = Path(env_str("TSUNAGU_SQLITE_PATH", str(BASE_DIR / "var" / "tsunagu.sqlite3")))
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": SQLITE_PATH}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].update(
        {
            "OPTIONS": {
                # Writers take the lock at BEGIN, so two writers queue instead of one failing
                # half-way with "database is locked"; WAL lets readers go on meanwhile.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                    # Reads through the OS page cache without a copy per connection: the directory
                    # search at 100,000 providers reads thousands of rows a request (docs/performance.md).
                    "PRAGMA mmap_size=268435456;"
                ),
            },
            # A connection kept between requests keeps SQLite's page cache and parsed schema; a new
            # one per request read every page again (the count of a word search at 100,000
            # providers: 32 ms on a new connection, 17 ms on a kept one, 8 ms kept and with mmap).
            # As PostgreSQL's conn_max_age above.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            # A file, not memory, so tests run with WAL like production and a live server shares it.
            "TEST": {"NAME": env_str("TSUNAGU_TEST_SQLITE_PATH", str(BASE_DIR / "var" / "test.sqlite3"))},
        }
    )

# Report files (PDF, Excel) are rendered by a background worker, `manage.py db_worker`, which `make run`
# and `make serve` start beside the web server (docs/deploy.md). The queue is a table of the same
# database: no other server. The tests run tasks at once (ImmediateBackend, tests/conftest.py) unless
# a test asks for the queue and runs the worker itself.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Argon2id first (accounts/hashers.py); the PBKDF2 hashers read passwords stored before it, which Django
# re-hashes with Argon2id at the user's next sign-in.
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# A new user's one-time set-up link (accounts/setup_links.py) works for this many hours.
TSUNAGU_SETUP_LINK_HOURS = int(env_str("TSUNAGU_SETUP_LINK_HOURS", "72"))
# A provider's one-time link to check its own entry (directory/links.py) works for this many days.
TSUNAGU_PROVIDER_LINK_DAYS = int(env_str("TSUNAGU_PROVIDER_LINK_DAYS", "14"))

# E-mail (the providers' one-time links; docs/deploy.md). In production Django's SMTP backend with
# the server given here; in development and the demo (`make run`) each message is written to a
# file in var/mail/ instead of being sent. The tests use Django's in-memory outbox.
EMAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = Path(env_str("TSUNAGU_EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail")))
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(env_str("DJANGO_EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "tsunagu@localhost")

# On only when a reverse proxy we run sits in front: the access log and the sign-in lockout then
# take the client address from the last X-Forwarded-For entry (the one the proxy appended) instead
# of REMOTE_ADDR (audit.services.client_ip, one function for both).
TSUNAGU_TRUSTED_PROXY = env_bool("TSUNAGU_TRUSTED_PROXY")

# django-axes counts failed sign-ins before Django's own backend checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout: 5 failures of one user name from one address lock that pair for 30 minutes. By the pair,
# not by the address alone (the whole office shares one address behind the ward's proxy) nor by
# the user name alone (anyone could lock a colleague out). Distributed guessing meets 12-character
# passwords and TOTP. Lockouts send axes.signals.user_locked_out (the access log records them).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The address by the access log's rule: behind the proxy, the client's, not the proxy's (which
# everyone shares, so anyone could lock anyone out), never a header the client may have forged.
AXES_CLIENT_IP_CALLABLE = "audit.services.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Sign-ins and sign-outs go to the audit app's append-only access log, not to a second, editable one.
AXES_DISABLE_ACCESS_LOG = True

OTP_TOTP_ISSUER = "つなぐ"
# Django admin never shows an enrolled app's secret or QR code: an admin who could read it could
# pass for the user. An admin resets a lost app by deleting the device (accounts/admin.py).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Japanese only: no LocaleMiddleware, so a browser set to English still gets 2025年4月1日（火）.
LANGUAGE_CODE = "ja"
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where `collectstatic` gathers the files that WhiteNoise serves in production.
STATIC_ROOT = Path(env_str("TSUNAGU_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
# Production serves the collected files under content-hashed names (css/tsunagu.3f2a….css, cached
# for a year, gzip-compressed); `{% static %}` writes those names from the manifest. Elsewhere the
# plain names straight from static/ (and the apps), so `make run` and the tests need no collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

SESSION_COOKIE_HTTPONLY = True
# The absolute limit (10 h) and the idle limit (30 min) are enforced by
# accounts.security.SessionLimitsMiddleware; the cookie outlives neither.
SESSION_COOKIE_AGE = 10 * 60 * 60
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# In every environment, not only production, so an inline script or style attribute breaks in
# development and in the browser tests (which fail on any CSP violation) long before it ships.
# No 'unsafe-inline': scripts and styles come from our static files only; data: images for the
# enrolment QR code. Django's debug pages (DEBUG on, 404/500) are left without the header.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

if PRODUCTION:
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_ENV=production.")
    if not DATABASE_URL:
        raise ImproperlyConfigured("DATABASE_URL must be set when DJANGO_ENV=production.")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix makes the browser refuse these cookies unless Secure, with Path=/ and no
    # Domain (Django's defaults, kept): no other host of the ward's domain can set or shadow them.
    # Development serves plain http, where browsers drop __Host- cookies, so it keeps the plain names.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # A health probe over loopback http (nginx, a monitor) gets its answer, not a redirect.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Demo accounts are created by `load_demo` only; production sets this off.
TSUNAGU_DEMO = env_bool("TSUNAGU_DEMO", default=not PRODUCTION)
# TOTP two-factor sign-in for coordinators, supervisors and admins; off by default only in the demo.
TSUNAGU_REQUIRE_MFA = env_bool("TSUNAGU_REQUIRE_MFA", default=not TSUNAGU_DEMO)

# Every line: ISO 8601 time with offset, level, logger, [request id] (config/log.py), message. The
# server (config/gunicorn.py sets TSUNAGU_LOG_STREAM=stdout) logs to stdout next to gunicorn's access
# log; management commands keep stdout for their own output and log to stderr.
LOG_STREAM = env_str("TSUNAGU_LOG_STREAM", "stderr")
if LOG_STREAM not in {"stdout", "stderr"}:
    raise ImproperlyConfigured("TSUNAGU_LOG_STREAM must be stdout or stderr.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.log.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "class": "config.log.IsoFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": f"ext://sys.{LOG_STREAM}",
            "filters": ["request_id"],
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # Django's own default handler would print its messages a second time through the root.
    "loggers": {
        "django": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO"), "propagate": False},
        # WeasyPrint and fontTools report every layout step at INFO; only their warnings matter.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes reports every sign-in at INFO; the access log (audit) already records them.
        "axes": {"level": "WARNING"},
        # One line per access log row (audit/services.py), kept at INFO whatever DJANGO_LOG_LEVEL says:
        # this copy leaves the host with the other logs, out of reach of the database's owner.
        "tsunagu.access": {"level": "INFO"},
    },
}
