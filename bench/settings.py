"""Settings for the claim-rush benchmark's gunicorn: the app's settings, plus a
baseline URL and what plain-HTTP loopback needs. Never used in production."""

import warnings

from seminar.settings import *  # noqa: F403
from seminar.settings import DATABASES

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# Loopback over plain HTTP: no HTTPS redirect, cookies without the Secure flag.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Persistent connections, as a production deployment would configure (CONN_MAX_AGE).
DATABASES["default"]["CONN_MAX_AGE"] = 60

# No collectstatic for a benchmark: whitenoise would warn once per worker.
warnings.filterwarnings("ignore", "No directory at", UserWarning)
