"""Real concurrency on real PostgreSQL: one student sends many wrong codes in the same
instant (a script, or a phone that retries). Each thread has its own connection, so only
the attempt row's lock (SELECT ... FOR UPDATE, and its unique constraint for the first
guess, which creates the row) orders them: exactly the limit is counted, and every guess
after it is refused as locked.

- alice: a student of `course`, guessing.
"""

import threading

import pytest
import time_machine
from django.db import connection, connections

from attendance.models import WRONG_CODE_LIMIT, Attendance, CheckIn, CheckInAttempt
from attendance.services import AttendanceError, check_in
from tests.attendance.conftest import IN_CLASS

GUESSES = 12


def run_all(actions):
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def worker(index, action):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            outcomes[index] = action()
        except AttendanceError as refused:
            outcomes[index] = refused
        except BaseException as unexpected:  # noqa: BLE001 - reported by the test
            outcomes[index] = unexpected
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a guess never finished"
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_codes_count_up_to_the_limit_and_no_further(session, alice):
    checkin = CheckIn.objects.create(session=session, code="HX7KP")
    connection.close()

    def guess(code):
        def act():
            found = CheckIn.objects.select_related("session__course").get(pk=checkin.pk)
            return check_in(checkin=found, student=alice, code=code, now=IN_CLASS)

        return act

    with time_machine.travel(IN_CLASS, tick=False):
        outcomes = run_all([guess("AAAAA") for _ in range(GUESSES)])
    unexpected = [o for o in outcomes if not isinstance(o, AttendanceError)]
    assert unexpected == []
    assert CheckInAttempt.objects.get(student=alice).wrong == WRONG_CODE_LIMIT
    locked = [o for o in outcomes if "locked for you" in o.message]
    assert len(locked) == GUESSES - WRONG_CODE_LIMIT + 1  # the last wrong one says so too
    assert not Attendance.objects.exists()
