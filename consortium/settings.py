"""Settings for Consortium, complete in one place.

Environments override by environment variables only; secrets come only from
the environment. See `.env.example` for every variable.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CONSORTIUM_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("DEBUG", False)
# Demo mode: demo sign-ins are printed and the demo mailbox page is available.
DEMO_MODE = _env_bool("CONSORTIUM_DEMO", False)
TESTING = _env_bool("CONSORTIUM_TESTING", False)

# Without SECRET_KEY, commands and scripts still run (care-quote, migrate), but
# serving refuses to start outside the demo, debug and tests: see wsgi.py.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
SECRET_KEY_IS_SET = bool(SECRET_KEY)
if not SECRET_KEY:
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "consortium.core.admin_site.ConsortiumAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "consortium.core",
    "consortium.audit",
    "consortium.organisations",
    "consortium.care",
    "consortium.contracts",
    "consortium.catalogue",
    "consortium.orders",
    "consortium.spend",
    "consortium.tendering",
    "consortium.citizen",
    "consortium.contacts",
    "consortium.directory",
    "consortium.payments",
    "consortium.savings",
    "consortium.invoices",
    "consortium.sustainability",
    "consortium.check",
    "consortium.demo",
]

MIDDLEWARE = [
    "consortium.core.middleware.RequestIdMiddleware",
    "consortium.core.middleware.RefuseNulCharactersMiddleware",
    "consortium.core.middleware.ContentSecurityPolicyMiddleware",
    "consortium.core.middleware.ApiErrorShapeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "consortium.organisations.middleware.ActingOrganisationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "consortium.urls"
WSGI_APPLICATION = "consortium.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "consortium" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "consortium.organisations.context_processors.acting",
                "consortium.check.context_processors.check",
            ],
        },
    },
]

# DATABASE_URL in the usual URL form: sqlite:///path or postgres://user@host/db.
# Without one, SQLite lives in var/, which a fresh clone does not have yet.
if "DATABASE_URL" not in os.environ:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'consortium.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and the task worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get(
        "TEST_DATABASE_NAME", "test_consortium"
    )
    if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
        # PostgreSQL's JIT compiles a plan when its estimated cost is high, which for our
        # short reporting queries took longer than running them (2.3 s of a 2.4 s figures
        # query over a million service requests). Off by default; PG_JIT=on restores it.
        jit = "on" if os.environ.get("PG_JIT", "off") == "on" else "off"
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c jit={jit}"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "organisations.Person"
AUTHENTICATION_BACKENDS = ["consortium.organisations.auth.EmailBackend"]
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "sign-in"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in throttling: this many failures for one e-mail address (or from one
# address) within the window lock sign-in for the rest of the window.
# Failures count per account *from one client*, so an attacker locks out only
# themselves; one client failing against many accounts is stopped at four times
# that, and an account under attack from many clients at SIGN_IN_MAX_ACCOUNT_FAILURES.
SIGN_IN_MAX_FAILURES = int(os.environ.get("SIGN_IN_MAX_FAILURES", "5"))
SIGN_IN_MAX_ACCOUNT_FAILURES = int(os.environ.get("SIGN_IN_MAX_ACCOUNT_FAILURES", "50"))
SIGN_IN_WINDOW_MINUTES = int(os.environ.get("SIGN_IN_WINDOW_MINUTES", "15"))
# Addresses (or networks, CIDR) of the reverse proxies in front of the service: only
# requests from these have their X-Forwarded-For read for the client's address.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]
INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "7"))
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day, in seconds

# Sessions end after this many minutes without a request (each request renews it), and
# a password change or reset ends every other session (Django's session hash).
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", not (DEBUG or DEMO_MODE or TESTING))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [
    BASE_DIR / "consortium" / "static",
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# E-mail: written to a folder in the demo (readable on the demo mailbox page),
# SMTP in production.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Consortium <no-reply@consortium.example>")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if (DEMO_MODE or DEBUG)
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)

# Background tasks (django-tasks): the database backend needs no extra server.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend",
        )
    }
}

# The catalogue's search index (catalogue.search_index): a directory per database under
# this one. Empty turns it off and every search reads the database (as the tests do,
# except those of the index itself).
SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR", "" if TESTING else str(VAR_DIR / "search-index"))

NINJA_PAGINATION_MAX_LIMIT = 100
NINJA_PAGINATION_PER_PAGE = 25

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
CARE_WEEKS_PER_YEAR = int(os.environ.get("CARE_WEEKS_PER_YEAR", "52"))
# A cross-council statistic is shown only when at least this many providers contribute.
CARE_BENCHMARK_MIN_PROVIDERS = int(os.environ.get("CARE_BENCHMARK_MIN_PROVIDERS", "5"))

# BenchmarkStatistic's unique key treats NULL ratios as equal; SQLite cannot
# enforce that, and the benchmark refresh replaces every row in one transaction.
# The directory's department indexes carry a covering column PostgreSQL needs and SQLite
# ignores (W040); the index works on both.
SILENCED_SYSTEM_CHECKS = ["models.W047", "models.W040"]
PRICE_CHANGE_FLAG_PERCENT = float(os.environ.get("PRICE_CHANGE_FLAG_PERCENT", "10"))
# OCDS: the publisher's ocid prefix (registered with the Open Contracting Partnership for
# production), and the publisher named in release and record packages.
OCDS_OCID_PREFIX = os.environ.get("OCDS_OCID_PREFIX", "ocds-cbc0de")
OCDS_PUBLISHER_NAME = os.environ.get("OCDS_PUBLISHER_NAME", "Central Buying Consortium")
# Who a consumer of the open data writes to (the buyer's contactPoint).
OCDS_CONTACT_NAME = os.environ.get("OCDS_CONTACT_NAME", "Procurement team")
OCDS_CONTACT_EMAIL = os.environ.get("OCDS_CONTACT_EMAIL", "procurement@cbc.example")
# The service's public address: every link in an e-mail and every OCDS URI is built from it.
# Serving in production refuses to start without it (wsgi.py).
SITE_URL_IS_SET = bool(os.environ.get("SITE_URL"))
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Shared citizen services: Open311 names the partnership; rate limits per connection and key.
# The limits live in the cache: set REDIS_URL in production so every worker shares them.
OPEN311_JURISDICTION = os.environ.get("OPEN311_JURISDICTION", "consortium.example")
OPEN311_KEY_RATE = int(os.environ.get("OPEN311_KEY_RATE", "600"))  # POSTs per key per minute
OPEN311_READ_RATE = int(os.environ.get("OPEN311_READ_RATE", "600"))  # GETs per client per minute
CITIZEN_INTAKE_RATE = int(os.environ.get("CITIZEN_INTAKE_RATE", "20"))  # web reports per connection per hour
# The sandbox provider takes test cards as payment: never in production, where a citizen could
# otherwise "pay" council tax with 4444 3333 2222 1111.
PAYMENTS_SANDBOX = _env_bool("PAYMENTS_SANDBOX", DEBUG or DEMO_MODE or TESTING)
PAYMENTS_START_RATE = int(
    os.environ.get("PAYMENTS_START_RATE", "30")
)  # payments started per connection per hour
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }

# The report map (Leaflet): a tile server URL template such as
# https://tiles.example.org/{z}/{x}/{y}.png, with its attribution. With none, citizens give
# the postcode and address alone (as they do without JavaScript).
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_ATTRIBUTION = os.environ.get("MAP_ATTRIBUTION", "")

# Secrets kept sealed at rest (core.sealed): comma-separated Fernet keys, the first sealing.
# Unset: one derived from SECRET_KEY.
CONSORTIUM_SEALING_KEYS = os.environ.get("CONSORTIUM_SEALING_KEYS", "")
# Contact routing: a platform's signed request is refused when its timestamp is further than
# this from our clock (a replay outside the window is refused; inside it, the idempotency
# key answers it without a second effect).
CONTACTS_SIGNATURE_WINDOW_SECONDS = int(os.environ.get("CONTACTS_SIGNATURE_WINDOW_SECONDS", "300"))
# Group e-mail from the directory: most recipients in one message, per sender in 24 hours,
# and how many go to the mail server at a time.
DIRECTORY_EMAIL_MAX_RECIPIENTS = int(os.environ.get("DIRECTORY_EMAIL_MAX_RECIPIENTS", "250"))
DIRECTORY_EMAIL_DAILY_LIMIT = int(os.environ.get("DIRECTORY_EMAIL_DAILY_LIMIT", "500"))
DIRECTORY_EMAIL_BATCH = int(os.environ.get("DIRECTORY_EMAIL_BATCH", "50"))
