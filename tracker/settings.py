"""Settings, all read from the environment (django-environ).

Every variable is listed, with its default, in ``.env.example``. The defaults give a demo that
needs no service (SQLite under ``var/``, Celery tasks run eagerly); production sets
``DATABASE_URL``, ``CELERY_BROKER_URL``, ``SECRET_KEY`` and ``ALLOWED_HOSTS``.
"""

import re
import warnings
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env fills in what the real environment does not set (it never overrides it).
if env.bool("READ_DOT_ENV", default=True) and (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

# --- Core -------------------------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=False)

# Values that mark a key as "not chosen yet": .env.example ships one of them.
SECRET_KEY_PLACEHOLDERS = ("change-me", "django-insecure", "placeholder")
_DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-this-in-production-0123456789"


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` is not fit for production, or None when it is."""
    if not key:
        return "SECRET_KEY is not set"
    if key.lower().startswith(SECRET_KEY_PLACEHOLDERS):
        return "SECRET_KEY is a placeholder"
    if len(key) < 50 or len(set(key)) < 5:
        return "SECRET_KEY is too short or too simple (at least 50 characters, 5 distinct)"
    return None


SECRET_KEY = env.str("SECRET_KEY", default="")
if problem := secret_key_problem(SECRET_KEY):
    if not DEBUG:
        raise ImproperlyConfigured(
            f"{problem}, and DEBUG is off: refusing to start. Generate one with "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "documents",
    "api",
]

MIDDLEWARE = [
    # First: every read of the request, the session's and the user's too, is routed under
    # the replica rules (tracker/db_router.py); nothing without DATABASE_REPLICA_URLS.
    "tracker.db_router.ReplicaRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Timestamps of the API in UTC (Z); the admin shows Europe/Brussels.
    "api.middleware.api_in_utc",
    # Records who made each change in the history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: turns a locked-out login into a 429 page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses logins for a locked-out username and address before checking passwords.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock a username at an address out after repeated failed logins.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

# The admin lives under a configurable path, so that it is not where scanners look first.
ADMIN_URL = env.str("ADMIN_URL", default="admin/")
if not ADMIN_URL.endswith("/") or ADMIN_URL.startswith("/"):
    raise ImproperlyConfigured("ADMIN_URL must be a relative path ending in '/', e.g. 'admin/'")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------

if not DEBUG and not env.str("DATABASE_URL", default=""):
    raise ImproperlyConfigured(
        "DATABASE_URL is not set, and DEBUG is off: the SQLite default is for the demo only "
        "(it has no row locks). Set DATABASE_URL=postgres://..."
    )
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'tracker.sqlite3'}")
}
# Persistent connections (checked before reuse): a new connection per request costs more than
# many of the API's answers.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)

# Read replicas (PostgreSQL streaming replicas of DATABASE_URL): each URL becomes a read-only
# alias, replica_1, replica_2, ... Which reads go there is decided in tracker/db_router.py.
_POSTGRESQL = "django.db.backends.postgresql"


def _redacted(url: str) -> str:
    return re.sub(r"(//[^/@:]*:)[^/@]*@", r"\1***@", url)


def replica_database(url: str, *, number: int, primary: dict) -> dict:
    """The DATABASES entry of the ``number``-th URL of DATABASE_REPLICA_URLS."""
    where = f"DATABASE_REPLICA_URLS entry {number} ({_redacted(url)})"
    if primary["ENGINE"] != _POSTGRESQL:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URLS is set but DATABASE_URL is not PostgreSQL: replicas are "
            "PostgreSQL streaming replicas of the primary"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # django-environ warns of unknown schemes
            replica = environ.Env.db_url_config(url)
    except ValueError as error:
        raise ImproperlyConfigured(f"{where} is not a database URL: {error}") from None
    if replica.get("ENGINE") != _POSTGRESQL or not replica.get("NAME"):
        raise ImproperlyConfigured(
            f"{where} is not a PostgreSQL URL: give postgres://user:password@host:5432/name"
        )
    replica["CONN_MAX_AGE"] = primary["CONN_MAX_AGE"]
    replica["CONN_HEALTH_CHECKS"] = True
    # A replica that does not answer is skipped after this many seconds, not waited for.
    replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    # The test runner points replicas at the primary's test database instead of creating one.
    replica["TEST"] = {"MIRROR": "default"}
    return replica


DATABASE_REPLICAS = []
for _number, _url in enumerate(
    (url for url in env.list("DATABASE_REPLICA_URLS", default=[]) if url.strip()), start=1
):
    DATABASES[f"replica_{_number}"] = replica_database(
        _url.strip(), number=_number, primary=DATABASES["default"]
    )
    DATABASE_REPLICAS.append(f"replica_{_number}")
DATABASE_ROUTERS = ["tracker.db_router.ReplicaRouter"]
# A replica further behind the primary than this serves no reads (they go to the primary).
DATABASE_REPLICA_MAX_LAG_SECONDS = env.float("DATABASE_REPLICA_MAX_LAG_SECONDS", default=2.0)
# How often each process checks that its replicas answer and how far behind they are.
DATABASE_REPLICA_CHECK_SECONDS = env.float("DATABASE_REPLICA_CHECK_SECONDS", default=3.0)
# After a request that wrote, the same browser reads the primary for this long (signed cookie).
DATABASE_REPLICA_STICKY_SECONDS = env.int("DATABASE_REPLICA_STICKY_SECONDS", default=10)
if DATABASE_REPLICA_MAX_LAG_SECONDS < 0 or DATABASE_REPLICA_CHECK_SECONDS <= 0:
    raise ImproperlyConfigured(
        "DATABASE_REPLICA_MAX_LAG_SECONDS must be 0 or more and DATABASE_REPLICA_CHECK_SECONDS "
        "more than 0"
    )
if DATABASE_REPLICA_STICKY_SECONDS < DATABASE_REPLICA_MAX_LAG_SECONDS + (
    DATABASE_REPLICA_CHECK_SECONDS
):
    raise ImproperlyConfigured(
        "DATABASE_REPLICA_STICKY_SECONDS must be at least DATABASE_REPLICA_MAX_LAG_SECONDS plus "
        "DATABASE_REPLICA_CHECK_SECONDS: a replica still in use after that long holds a write "
        "made that long ago, so whoever wrote it reads it back"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Time and language ------------------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
# Documents carry Brussels calendar days and meetings Brussels times; stored in UTC.
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded document files. Never served as static files: LIMITE texts are only handed out
# by views that check who is asking.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
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
DOCUMENT_FILE_MAX_BYTES = env.int("DOCUMENT_FILE_MAX_BYTES", default=50 * 1024 * 1024)

# --- E-mail -----------------------------------------------------------------------------------

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Council document tracker <tracker@localhost>"
)
# Seconds an SMTP connection may hang: a notification's row stays locked while it is sent.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# Where links made outside a request point (e-mails, the unsubscribe page, dumps): scheme and
# host, no slash.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("SITE_URL must start with http:// or https://")

# --- Celery -----------------------------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# No broker configured: run tasks in the calling process (the demo needs no Redis).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# At-least-once delivery: a task whose worker dies is delivered again; every task is idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Reminders (documents.tasks) ---------------------------------------------------------------

# Beat's tick: every rule is evaluated and every due e-mail handed to a worker. Two ticks
# missed make /healthz/jobs unhealthy.
REMINDERS_TICK_SECONDS = env.int("REMINDERS_TICK_SECONDS", default=300)
# The daily digest goes out at the first tick after this hour (Brussels time).
REMINDERS_DIGEST_HOUR = env.int("REMINDERS_DIGEST_HOUR", default=7)
# Sending an e-mail: attempts before it is marked failed, and the first retry's delay (doubled
# at each attempt, at most 6 hours).
REMINDERS_MAX_ATTEMPTS = env.int("REMINDERS_MAX_ATTEMPTS", default=8)
REMINDERS_RETRY_SECONDS = env.int("REMINDERS_RETRY_SECONDS", default=60)
# A monitoring system may read /healthz/jobs with "Authorization: Bearer <token>" (empty: only
# signed-in registry staff may).
JOBS_HEALTH_TOKEN = env.str("JOBS_HEALTH_TOKEN", default="")
# Beat's own scheduler, which records each tick it sends (the heartbeat operators read).
CELERY_BEAT_SCHEDULER = "documents.tasks:HeartbeatScheduler"

# --- Dumps (api/dumps.py) ---------------------------------------------------------------------

# Where export_register publishes: <DUMPS_ROOT>/<audience>/<id>/ and <audience>/latest. Every web
# host reads the public one from here (shared storage, like MEDIA_ROOT).
DUMPS_ROOT = Path(env.str("DUMPS_ROOT", default=str(Path(MEDIA_ROOT) / "dumps")))


def crontab_of(name: str, line: str) -> crontab:
    """A crontab line (minute hour day-of-month month day-of-week, Brussels time) as a schedule."""
    fields = line.split()
    try:
        if len(fields) != 5:
            raise ValueError("five fields expected: minute hour day-of-month month day-of-week")
        minute, hour, day_of_month, month, day_of_week = fields
        return crontab(minute, hour, day_of_week, day_of_month, month)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}={line!r} is not a crontab line: {error}") from None


# When beat rebuilds the public dump (daily by default).
DUMPS_REBUILD_CRON = crontab_of(
    "DUMPS_REBUILD_CRON", env.str("DUMPS_REBUILD_CRON", default="30 2 * * *")
)

# --- Beat's schedule --------------------------------------------------------------------------

CELERY_BEAT_SCHEDULE = {
    "reminders": {"task": "documents.tasks.tick_reminders", "schedule": REMINDERS_TICK_SECONDS},
    "public-dump": {"task": "api.tasks.public_dump_rebuild", "schedule": DUMPS_REBUILD_CRON},
}

# --- REST API ---------------------------------------------------------------------------------

REST_FRAMEWORK = {
    # No Basic auth: delegations' systems use tokens, people use their session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
    # Per token, per signed-in user, per client address; over the limit: 429 and Retry-After.
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "token": env.str("API_TOKEN_RATE", default="1200/hour"),
        "user": env.str("API_USER_RATE", default="1200/hour"),
        "anon": env.str("API_ANON_RATE", default="120/hour"),
    },
    # The client address is the one the proxies in front saw (as for the login lockout), not
    # whatever X-Forwarded-For a client sends.
    "NUM_PROXIES": AXES_IPWARE_PROXY_COUNT,
}
# API throttling counts requests in the default cache: production sets a Redis CACHE_URL so
# that every server process shares the counts (the in-memory default counts per process).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# A Redis that does not answer must not hold requests up: after a second the throttle counts in
# the process instead (api.throttling) and /healthz reports the cache down. The URL's query
# string can set other values (redis://host:6379/1?socket_timeout=0.5).
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"].setdefault("OPTIONS", {})
    CACHES["default"]["OPTIONS"].setdefault("socket_connect_timeout", 1)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", 1)
SPECTACULAR_SETTINGS = {
    "TITLE": "Council document tracker API",
    "DESCRIPTION": "The register of Council documents, interinstitutional files and meetings.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.listing_is_closed",
    ],
}

# --- Security (production) --------------------------------------------------------------------

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The container health check speaks plain HTTP from inside the container.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Logging ----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
