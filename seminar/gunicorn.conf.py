"""gunicorn settings for production: `gunicorn -c seminar/gunicorn.conf.py seminar.wsgi`."""

import multiprocessing
import os

from seminar.gunicorn_hooks import post_worker_init  # noqa: F401 - a gunicorn hook

bind = os.environ.get("BIND", "127.0.0.1:8001")
# The usual (2 x cores) + 1 sync workers; requests are short and database-bound.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = 30
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
