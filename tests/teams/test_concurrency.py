"""Team size limits and one-team-per-student under real concurrency (PostgreSQL).

Each thread has its own database connection; a barrier releases them at the
same instant, as if the students pressed "join" in the same millisecond.
"""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from teams.models import TeamMember
from teams.services import TeamError, team_join
from tests.teams.conftest import add_student, make_team

pytestmark = [pytest.mark.usefixtures("before_deadline")]


def run_at_once(calls):
    """Run the callables in threads released together; returns their outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            call()
            outcomes[i] = "joined"
        except TeamError as error:
            outcomes[i] = error.message
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_students_pressing_join_for_the_last_seat_at_once_only_one_gets_it(make_user, course):
    members = [add_student(make_user, course, f"m{i}@x.edu") for i in range(4)]
    team = make_team(course, "Almost Full", *members, code="LAST2345")
    joiners = [add_student(make_user, course, f"j{i}@x.edu") for i in range(6)]

    outcomes = run_at_once(
        [lambda u=u: team_join(course=course, user=u, code="LAST2345") for u in joiners]
    )

    assert outcomes.count("joined") == 1
    assert outcomes.count("Almost Full is full (5 of 5 members).") == 5
    assert team.members.count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_student_joining_two_teams_at_once_ends_in_exactly_one(make_user, course):
    dave = add_student(make_user, course, "dave@x.edu")
    make_team(course, "Team A", add_student(make_user, course, "a@x.edu"), code="AAAA2345")
    make_team(course, "Team B", add_student(make_user, course, "b@x.edu"), code="BBBB2345")

    outcomes = run_at_once(
        [
            lambda: team_join(course=course, user=dave, code="AAAA2345"),
            lambda: team_join(course=course, user=dave, code="BBBB2345"),
        ]
    )

    # Whichever commits second is refused, by the Python check or by the unique constraint.
    assert outcomes.count("joined") == 1
    refusal = next(o for o in outcomes if o != "joined")
    assert refusal.startswith(("You are already in a team", "You are in Team"))
    assert TeamMember.objects.filter(course=course, user=dave).count() == 1


@pytest.mark.django_db
def test_joining_locks_the_team_row_before_counting(make_user, course):
    team = make_team(course, "Locked", add_student(make_user, course, "a@x.edu"), code="LOCK2345")
    dave = add_student(make_user, course, "dave@x.edu")
    with CaptureQueriesContext(connection) as captured:
        team_join(course=course, user=dave, code="LOCK2345")
    sql = [q["sql"] for q in captured.captured_queries]
    lock = next(i for i, s in enumerate(sql) if "FOR UPDATE" in s and "courses_team" in s)
    count = next(i for i, s in enumerate(sql) if "COUNT(" in s and "courses_teammember" in s)
    assert lock < count
    assert team.members.filter(user=dave).exists()
