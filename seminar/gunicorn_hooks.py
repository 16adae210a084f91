"""gunicorn server hooks, shared by seminar/gunicorn.conf.py and the benchmarks' servers."""

import gc


def post_worker_init(worker):
    """Once a worker has loaded the app: its modules, URL patterns, templates and settings
    live as long as the worker, so move them out of the garbage collector's sight
    (``gc.freeze``). Otherwise every full collection scans them again: tens of
    milliseconds of a worker's time, landing on whichever requests are running then
    (measured by bench/claim_rush.py: one pass in five ran a quarter slower)."""
    gc.freeze()
