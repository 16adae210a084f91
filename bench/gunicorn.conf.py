"""gunicorn settings of the benchmarks' servers: the production hooks (seminar/gunicorn.conf.py
shares them); bind, workers and logging come from the command line bench/claim_rush.py
builds."""

from seminar.gunicorn_hooks import post_worker_init  # noqa: F401 - a gunicorn hook
