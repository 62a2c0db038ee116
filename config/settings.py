"""Settings, read from the environment.

With no environment at all the portal runs embedded: SQLite in the project folder and
Celery tasks executed in process. DATABASE_URL and REDIS_URL switch to PostgreSQL and
a real Redis broker. A bad value stops the start with ImproperlyConfigured.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles: runserver (`make run`) serves static files through WhiteNoise too, with the
    # same headers as production, instead of Django's development handler.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's own form templates, found by the project's engine (FORM_RENDERER below).
    "django.forms",
    "rules.apps.AutodiscoverRulesConfig",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "branches",
    "members",
    "projects",
    "activities",
    "stats",
    "yearend",
    "deadlines",
]

# Pages are compressed by the app unless a proxy in front does it (DJANGO_COMPRESS_HTML=0 behind
# nginx, whose gzip covers them; see deploy/nginx.conf). Static files never go through it: WhiteNoise
# serves them pre-compressed.
COMPRESS_HTML = env_bool("DJANGO_COMPRESS_HTML", not env_bool("DJANGO_BEHIND_PROXY", False))

MIDDLEWARE = [
    *(["config.compression.TextGZipMiddleware"] if COMPRESS_HTML else []),
    "django.middleware.security.SecurityMiddleware",
    # Static files (hashed names, pre-compressed gzip and Brotli, immutable caching) for the embedded
    # run and any deployment without nginx; nginx serves /static/ itself and never reaches this.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
# A refused CSRF check answers with the portal's own Chinese page (config/error_views.py).
CSRF_FAILURE_VIEW = "config.error_views.csrf_failure"
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
                "members.context_processors.current_member",
            ],
            "libraries": {"portal": "config.portal_tags"},
        },
    },
]

# Database: SQLite in the project folder unless DATABASE_URL is set.
_database_url = os.environ.get("DATABASE_URL", "")
if _database_url:
    try:
        DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60))}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # Concurrent writes on the embedded run: a write transaction takes the write lock at
            # BEGIN (a deferred one that reads first cannot wait for it and fails at once with
            # "database is locked"), the WAL journal lets readers go on while one writes, and a
            # writer waits up to 20 s for the lock (the busy timeout) instead of failing.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username + address is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "members.backends.StaffModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# One language: the portal speaks Simplified Chinese whatever the browser asks for. There is no
# LocaleMiddleware, so Accept-Language is never negotiated and Django's own strings (validation
# messages, the login form) come from its zh_Hans catalogue too.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The stock finders, except that a path outside their folders is "not found" (a 404 from the
# development static handler) rather than a SuspiciousFileOperation 500.
STATICFILES_FINDERS = [
    "config.static_finders.ContainedFileSystemFinder",
    "config.static_finders.ContainedAppDirectoriesFinder",
]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# `collectstatic` writes every file under a content-hashed name (css/portal.3f2a….css) with .gz and
# .br siblings; {% static %} names the hashed file, so a browser may keep it forever (immutable) and
# a new deployment's file has a new name. With DEBUG on (make run) files are served unhashed from
# the source folders and no collectstatic is needed; with DEBUG off it is part of every deployment.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Uploads: reject absurd request bodies early; per-file limits live in the forms.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Files in one request (Django's default, stated): the photo upload takes 30 at a time and says so;
# past this the request is refused before any file is read, with the portal's own Chinese 400 page.
DATA_UPLOAD_MAX_NUMBER_FILES = 100

# Forms render through the project's template engine, so templates/django/forms/ can override a
# stock widget template where it is measured to be slow (the select's per-option includes).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "dangjian@localhost")

# Celery: eager in process without a broker, the real thing with REDIS_URL.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL must start with redis://, rediss:// or unix://, got {REDIS_URL!r}")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# Visibility timeout above the hard time limit so a running task is never redelivered. A task
# taken by a worker that died (SIGKILL, power loss) is redelivered this many seconds later; the
# fault tests shorten it through CELERY_VISIBILITY_TIMEOUT.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    # With the broker down a send fails at once rather than holding the request ~6 s in
    # reconnect attempts: its caller logs it and the beat sweeps redo the work later.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Nightly full recompute of the statistics snapshots (edits also queue an incremental one).
CELERY_BEAT_SCHEDULE = {
    "recompute-all-stats": {"task": "stats.tasks.recompute_all_stats", "schedule": crontab(hour=2, minute=30)},
    # Sweeps for work whose task was lost (broker down at the write, a worker killed): idempotent.
    "sweep-photo-display-sizes": {"task": "activities.tasks.sweep_photo_display_sizes", "schedule": 300.0},
    "sweep-stale-stats": {"task": "stats.tasks.sweep_stale_stats", "schedule": 300.0},
    "sweep-webhook-deliveries": {"task": "members.tasks.sweep_webhook_deliveries", "schedule": 300.0},
    # Deadline reminders: idempotent per person, deadline and step, so the hourly repeats (and a
    # second beat) send nothing twice and a missed hour is caught up by the next. Daytime only
    # (08:15-21:15 in TIME_ZONE): a reminder, or a group robot's @-mention, never wakes anyone.
    "send-deadline-reminders": {
        "task": "deadlines.tasks.send_deadline_reminders",
        "schedule": crontab(minute=15, hour="8-21"),
    },
}
# Where notices go besides the in-app list (members/channels.py). The group-robot channel is
# inert until a committee has an active 群机器人 (admin → 群机器人).
NOTIFICATION_CHANNELS = ["members.channels.EmailChannel", "members.channels.WebhookChannel"]
# Seconds a statistics recompute waits after the first edit of a burst, so the burst costs one.
STATS_RECOMPUTE_DELAY = env_int("STATS_RECOMPUTE_DELAY", 10)

# Report files are also converted to PDF by the worker where LibreOffice (soffice) is installed;
# 0 turns the conversion off (a server that must not run LibreOffice).
REPORT_PDF = env_bool("REPORT_PDF", True)
# The recompute's pending marks must be shared by web and worker processes: Redis when there is one.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions stay in the database (Django's default engine), even with Redis. The cached_db engine
# would save each page its session query, but it does not survive Redis being down: a session
# read from the database is then written back to the cache unguarded, and the ConnectionError
# answers every logged-in page (and logout) with a 500, where pages must still render without
# Redis (tests/faults/test_redis_down.py). Never over the locmem cache: each gunicorn worker
# would keep its own copy of a session, and a logout in one would go unseen by the others.

# Security: strict in production, relaxed only where DEBUG needs it.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Login lockout (django-axes): 5 failures of one username from one address lock that pair for
# 30 minutes. Locking on the pair, not the address, keeps one bad guesser behind a school's shared
# address from locking out the whole school; a successful login clears the pair's failures.
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# The client address: REMOTE_ADDR unless reverse proxies stand in front. With N trusted proxies
# (nginx alone is 1) the client is the N-th address from the right of X-Forwarded-For, the one
# our own outermost proxy appended; anything left of it was written by the client and is ignored.
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"DJANGO_TRUSTED_PROXY_COUNT must be 0 or more, got {TRUSTED_PROXY_COUNT}")
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    # ipware counts the proxies listed in the header, i.e. all but the one talking to us.
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1
    # Accept longer (client-prefixed) chains and take the trusted position from the right.
    IPWARE_STRICT = False
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

# Content-Security-Policy (django-csp): our own files only, no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Uploaded files are only ever served by permission-checked views. "nginx" makes those views
# answer with X-Accel-Redirect to SENDFILE_URL, an `internal` nginx location over MEDIA_ROOT
# (see deploy/nginx.conf); "python" (the default) streams the file from the process.
SENDFILE_BACKEND = os.environ.get("DJANGO_SENDFILE", "python").strip().lower() or "python"
if SENDFILE_BACKEND not in {"python", "nginx"}:
    raise ImproperlyConfigured(f"DJANGO_SENDFILE must be python or nginx, got {SENDFILE_BACKEND!r}")
SENDFILE_URL = "/protected-media/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # In the embedded run every task runs in the web process; one line per task is noise there.
    "loggers": {"celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"}},
}
