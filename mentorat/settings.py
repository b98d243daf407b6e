"""Mentorat settings: one file, read from the environment, loud on bad values.

Defaults run on a fresh machine with nothing installed: SQLite under ``var/`` and Celery's
``filesystem://`` broker under ``var/celery``. ``DATABASE_URL`` and ``REDIS_URL`` switch to
PostgreSQL and Redis. See README.md for every variable.
"""

import datetime
import re
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from mentorat.env import (
    cache_url_for,
    check_redis_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    env_timezone,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MENTORAT_VAR_DIR", str(BASE_DIR / "var")))

# Like healthchecks: DEBUG is on unless the deployment turns it off, and with DEBUG off every
# production safeguard is on and SECRET_KEY is mandatory.
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
elif not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY is shorter than 50 characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "mentorat.core",
    "programmes",
    "binomes",
    "sessions.apps.SessionsConfig",
    "evaluation",
    "mentorat.core.apps.MentoratAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI as static files: the docs work on a closed network
    "mentorat.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mentorat.core.middleware.UserLanguageMiddleware",
    "mentorat.core.middleware.LoginRequiredByDefaultMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "mentorat.core.middleware.SessionGuardMiddleware",
    "mentorat.core.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mentorat.urls"
WSGI_APPLICATION = "mentorat.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mentorat.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 60, minimum=0)
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {"default": parse_database_url(DATABASE_URL, base_dir=BASE_DIR, conn_max_age=CONN_MAX_AGE)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory, so that the worker processes of the integration tests share it.
    DATABASES["default"]["TEST"] = {"NAME": env_str("MENTORAT_TEST_SQLITE", str(VAR_DIR / "test-db.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
# Requests for a reset link, per hour: per address (any spelling, whether an account uses it or
# not) and per client IP (generous: behind a corporate proxy the office shares one address).
MENTORAT_RESET_PER_ADDRESS = env_int("MENTORAT_RESET_PER_ADDRESS", 3, minimum=1)
MENTORAT_RESET_PER_CLIENT = env_int("MENTORAT_RESET_PER_CLIENT", 30, minimum=1)
# A shared office computer: a login session ends after this many minutes without a request, and
# in any case this many hours after logging in (mentorat.core.middleware.SessionGuardMiddleware).
MENTORAT_IDLE_MINUTES = env_int("MENTORAT_IDLE_MINUTES", 30, minimum=1)
MENTORAT_SESSION_HOURS = env_int("MENTORAT_SESSION_HOURS", 10, minimum=1)
if MENTORAT_IDLE_MINUTES > MENTORAT_SESSION_HOURS * 60:
    raise ImproperlyConfigured(
        f"MENTORAT_IDLE_MINUTES={MENTORAT_IDLE_MINUTES} is longer than the whole session "
        f"(MENTORAT_SESSION_HOURS={MENTORAT_SESSION_HOURS} hours)."
    )
SESSION_COOKIE_AGE = MENTORAT_SESSION_HOURS * 60 * 60

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["mentorat.formats"]  # English dates written day first ("1 Dec 2026"), never "12/01/2026"
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_timezone("TIME_ZONE", "Europe/Paris")
LANGUAGE_COOKIE_NAME = "mentorat_language"

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
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

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if env_str("EMAIL_HOST") else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Mentorat <mentorat@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
CELERY_FS_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = check_redis_url(REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FS_DIR / "queue"),
        "data_folder_out": str(CELERY_FS_DIR / "queue"),
        "processed_folder": str(CELERY_FS_DIR / "processed"),
        "store_processed": False,
        # kombu writes fanout exchanges (worker control, pidbox) here; default is the cwd.
        "control_folder": str(CELERY_FS_DIR / "control"),
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Cache ----------------------------------------------------------------------------------
# Shared by every process (web workers, Celery worker): ``mentorat.core.scopes`` keeps the
# tokens of the cached values' scopes in it. Redis (database 1 of REDIS_URL's server, or CACHE_URL) when Redis is
# configured; otherwise files under var/cache, which the processes of ``make run`` share.
CACHE_URL = env_str("CACHE_URL") or (cache_url_for(REDIS_URL) if REDIS_URL else "")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "mentorat.core.cache.ReusingRedisCache",
                          "LOCATION": check_redis_url(CACHE_URL), "KEY_PREFIX": "mentorat"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache"), "OPTIONS": {"MAX_ENTRIES": 20000}}}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {
    "outbox-sweep": {"task": "outbox.sweep", "schedule": env_int("MENTORAT_SWEEP_SECONDS", 60, minimum=1)},
    "sessions-plan-reminders": {"task": "sessions.plan_reminders", "schedule": 10 * 60},
    "sessions-plan-alerts": {"task": "sessions.plan_alerts", "schedule": crontab(hour=7, minute=30)},
    "coordinators-weekly-digest": {"task": "sessions.plan_digest", "schedule": crontab(day_of_week=1, hour=8, minute=0)},
    "programmes-milestones": {"task": "programmes.plan_milestones", "schedule": crontab(hour=7, minute=0)},
    "pairing-expire-proposals": {"task": "binomes.expire_proposals", "schedule": 15 * 60},
    "pairing-shortlist-fallback": {"task": "binomes.shortlist_fallback", "schedule": 15 * 60},
    "evaluation-plan-surveys": {"task": "evaluation.plan_surveys", "schedule": 60 * 60},
    "privacy-retention": {"task": "privacy.retention", "schedule": crontab(hour=3, minute=15)},
    "directory-import-purge": {"task": "directory.import_purge", "schedule": crontab(hour=3, minute=40)},
    "accounts-deactivate-leavers": {"task": "accounts.deactivate_leavers", "schedule": crontab(hour=0, minute=5)},
}

# --- Crispy forms ---------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security (production values when DEBUG is off) -----------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS >= 31536000)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_HTTPONLY = True
# Login sessions are read from the cache (written through to the database): one query less on
# every page.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Login throttling (django-axes): an e-mail address is locked after repeated failures, until a
# coordinator unlocks it or the cool-off passes.
# The password backend refuses anyone whose leave date has come, and fetches the user with its
# directory record so that the check costs no query on each request (mentorat.core.auth).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "mentorat.core.auth.DirectoryModelBackend"]
AXES_FAILURE_LIMIT = env_int("MENTORAT_LOGIN_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("MENTORAT_LOGIN_COOLOFF_MINUTES", 30, minimum=1))
# By account, not by address: behind a corporate proxy every employee shares one IP, and an
# address lock would shut the whole office out. Hence axes' W006 is silenced on purpose.
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field (the user model's is "email")
# Counted under the address as authentication matches it (stripped, case-insensitive): every
# spelling of an address shares its five tries. A lock lifts after the cool-off, when a
# coordinator unlocks it (Directory → Locked accounts), when the owner sets a new password through
# the e-mailed link, or from the server: ``manage.py axes_reset_username <address>`` (any
# spelling; the way back in for a superuser whose address is being hammered).
AXES_USERNAME_CALLABLE = "mentorat.core.auth.axes_username"
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False

# Single sign-on (OpenID Connect), off unless OIDC_RP_CLIENT_ID is set; accounts are matched
# to the directory by e-mail, never created by the provider.
OIDC_ENABLED = bool(env_str("OIDC_RP_CLIENT_ID"))
if OIDC_ENABLED:
    OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
    for _name in ("OIDC_RP_CLIENT_SECRET", "OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT",
                  "OIDC_OP_USER_ENDPOINT", "OIDC_OP_JWKS_ENDPOINT"):
        if not globals()[_name]:
            raise ImproperlyConfigured(f"{_name} must be set when OIDC_RP_CLIENT_ID is (single sign-on).")
    OIDC_CREATE_USER = False
    OIDC_RP_SCOPES = "openid email"
    AUTHENTICATION_BACKENDS.append("mentorat.core.oidc.DirectoryOIDCBackend")

# No inline script anywhere: every script is a static file, data reaches it through json_script.
# Inline style attributes stay allowed (progress bars), data: images for Bootstrap's form icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
X_FRAME_OPTIONS = "DENY"

# --- Mentorat -------------------------------------------------------------------------------
# Key of the private notes' encryption at rest (Fernet, 32 url-safe base64 bytes). Required in
# production; in development it is derived from SECRET_KEY.
MENTORAT_NOTES_KEY = env_str("MENTORAT_NOTES_KEY")
if MENTORAT_NOTES_KEY:
    try:
        from cryptography.fernet import Fernet

        Fernet(MENTORAT_NOTES_KEY.encode())
    except ValueError:
        raise ImproperlyConfigured("MENTORAT_NOTES_KEY is not a Fernet key (32 url-safe base64-encoded bytes).") from None
elif not DEBUG:
    raise ImproperlyConfigured("MENTORAT_NOTES_KEY must be set when DEBUG is off (private notes are encrypted with it).")
# A row claimed by a worker that died returns to the queue after this long (keep it above the
# time a batch of 50 e-mails can take).
# Personal content of closed programmes is removed this many months after their end.
MENTORAT_RETENTION_MONTHS = env_int("MENTORAT_RETENTION_MONTHS", 24, minimum=1)
# Survey figures are shown only for groups of at least this many respondents (never below 3).
MENTORAT_ANONYMITY_THRESHOLD = env_int("MENTORAT_ANONYMITY_THRESHOLD", 5, minimum=3)
MENTORAT_OUTBOX_STALE_SECONDS = env_int("MENTORAT_OUTBOX_STALE_SECONDS", 600, minimum=1)
MENTORAT_IMPORT_MAX_BYTES = env_int("MENTORAT_IMPORT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
# Bounds of one HRIS import (interface and command line): employee lines, the uncompressed size
# of an XLSX and the compression of any of its parts (decompression bombs), seconds of reading.
MENTORAT_IMPORT_MAX_ROWS = env_int("MENTORAT_IMPORT_MAX_ROWS", 100_000, minimum=1)
MENTORAT_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("MENTORAT_IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024, minimum=1024)
MENTORAT_IMPORT_MAX_RATIO = env_int("MENTORAT_IMPORT_MAX_RATIO", 100, minimum=2)
MENTORAT_IMPORT_MAX_SECONDS = env_int("MENTORAT_IMPORT_MAX_SECONDS", 120, minimum=1)
# The raw file of an applied or refused import is removed after this many days (nightly); a
# preview never confirmed expires after a day. The summary counts stay.
MENTORAT_IMPORT_KEEP_DAYS = env_int("MENTORAT_IMPORT_KEEP_DAYS", 7, minimum=1)
# Marking more than this share of the present staff as left needs a typed confirmation.
MENTORAT_IMPORT_MASS_LEAVE_PERCENT = env_int("MENTORAT_IMPORT_MASS_LEAVE_PERCENT", 10, minimum=1)
# Domains accepted although they look like the company's main one (comma-separated), e.g. a
# subsidiary's "acme.co" beside "acme.com": without them such addresses are refused.
MENTORAT_IMPORT_TRUSTED_DOMAINS = [d.strip().lower() for d in env_str("MENTORAT_IMPORT_TRUSTED_DOMAINS", "").split(",") if d.strip()]
# How long the link mailed to the old address to confirm a login change stays valid.
MENTORAT_EMAIL_CHANGE_DAYS = env_int("MENTORAT_EMAIL_CHANGE_DAYS", 14, minimum=1)

# --- REST API (/api/, mentorat.api) ----------------------------------------------------------
# Integrations authenticate with a coordinator's token only (no session, so no CSRF to forge);
# each token is limited to MENTORAT_API_RATE calls ("N/second|minute|hour|day").
MENTORAT_API_RATE = env_str("MENTORAT_API_RATE", "600/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["mentorat.api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["mentorat.api.permissions.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["mentorat.api.permissions.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "mentorat.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "mentorat.api.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mentorat API",
    "DESCRIPTION": "Directory, programmes, applications, pairs, session metadata and KPIs for HRIS and HR automation.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}
if not re.fullmatch(r"[1-9]\d*/(second|minute|hour|day)", MENTORAT_API_RATE):
    raise ImproperlyConfigured(f"MENTORAT_API_RATE={MENTORAT_API_RATE!r} is not N/second, N/minute, N/hour or N/day.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
