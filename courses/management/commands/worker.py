"""``python manage.py worker``: the background worker. It runs the queued tasks (every
email goes through it) and ticks the schedule (reminders, the outbox sweep) once a
minute. Start one or more beside the app servers; ``dev.py serve`` starts one."""

import logging
import os
import socket
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Worker

from courses import periodic

logger = logging.getLogger("seminar.worker")
TICK_SECONDS = 60


def schedule_loop(stop: threading.Event) -> None:
    while not stop.is_set():
        close_old_connections()
        try:
            queued = periodic.tick()
        except Exception:
            logger.exception("the schedule's tick failed; trying again in a minute")
        else:
            if queued:
                logger.info("queued %s", ", ".join(queued))
        finally:
            connection.close()
        stop.wait(TICK_SECONDS)


class Command(BaseCommand):
    help = (
        "Run the background worker: send queued email (retrying a mail server that is down) "
        "and run the periodic schedule (reminders, the outbox sweep)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between looks for tasks"
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="run the tasks that are due, then exit (tests; cron instead of a daemon)",
        )
        parser.add_argument(
            "--no-schedule",
            action="store_true",
            help="do not tick the periodic schedule (when another worker does, or cron runs "
            "send_reminders)",
        )

    def handle(self, *args, interval, batch, no_schedule, verbosity, **options):
        level = logging.WARNING if verbosity == 0 else logging.INFO
        logging.basicConfig(level=level, format="worker: %(message)s")
        logging.getLogger("django_tasks_db").setLevel(level)
        stop = threading.Event()
        if batch and not no_schedule:
            periodic.tick()
        elif not no_schedule:
            threading.Thread(target=schedule_loop, args=(stop,), daemon=True).start()
        worker = Worker(
            queue_names=["default"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=not batch,
            max_tasks=None,
            worker_id=f"{socket.gethostname()}-{os.getpid()}"[:64],
            excluded_queue_names=[],
        )
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
