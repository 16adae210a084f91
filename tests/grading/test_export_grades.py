"""The Canvas CSV: from the gradebook page's link and from `manage.py export_grades CODE`.

People:
- instructor: runs ECS 289D and downloads the CSV.
- alice, bob: ECS 289D students whose rows are in it.
"""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from claims.models import Claim
from courses.models import Membership, Paper, Reading, Session
from grading.engine import compute_gradebook, round2
from grading.models import ComponentSource, GradeComponent, ManualScore

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _end_of_term():
    with time_machine.travel(
        datetime(2025, 12, 15, 12, 0, tzinfo=ZoneInfo("America/Los_Angeles")), tick=False
    ):
        yield


@pytest.fixture
def graded_course(course, alice, bob):
    S = ComponentSource
    make = GradeComponent.objects.create
    presentation = make(
        course=course, name="Class presentation", weight=D(60), source=S.PRESENTATION,
        max_points=D(10), order=1,
    )  # fmt: skip
    participation = make(
        course=course, name="Participation, in class", weight=D(40), source=S.PARTICIPATION,
        order=2,
    )  # fmt: skip
    bonus = make(course=course, name="Bonus", weight=D(5), is_bonus=True, source=S.MANUAL, order=3)
    session = Session.objects.create(course=course, date=date(2025, 10, 14))
    reading = Reading.objects.create(
        session=session, paper=Paper.objects.create(course=course, title="Orca")
    )
    Claim.objects.create(course=course, reading=reading, student=alice, points=D("8.5"))
    ManualScore.objects.create(component=participation, student=alice, points=D("77.77"))
    ManualScore.objects.create(component=participation, student=bob, points=D(100))
    ManualScore.objects.create(component=bonus, student=alice, points=D(50))
    alice.student_id = "912345678"
    alice.save()
    Membership.objects.filter(user=alice).update(section="A01")
    return {"presentation": presentation, "participation": participation, "bonus": bonus}


def parse(text):
    return list(csv.reader(io.StringIO(text)))


def test_csv_parsed_back_matches_the_gradebook(
    graded_course, course, alice, bob, instructor, login
):
    response = login(instructor).get(reverse("grading:gradebook_csv", args=[course.code]))
    rows = parse(response.content.decode())
    book = compute_gradebook(course)
    names = [c.name for c in book.components]

    assert rows[0] == [
        "Student", "ID", "SIS User ID", "SIS Login ID", "Section",
        *names,
        "Current Score", "Final Score", "Final Grade",
    ]  # fmt: skip
    # Points possible: each component out of its weight; the bonus is extra credit (0).
    assert rows[1] == ["Points Possible", "", "", "", "", "60.00", "40.00", "0", "", "", ""]
    assert len(rows) == 2 + len(book.rows)
    by_login = {r[3]: r for r in rows[2:]}
    for grade in book.rows:
        line = by_login[grade.student.email]
        assert line[0] == grade.student.name
        assert line[1] == ""  # Canvas's own id: unknown to Seminar, matched by SIS ids instead
        assert line[2] == grade.student.student_id
        assert line[4] == grade.section
        assert line[5:8] == [str(round2(s.projected_points)) for s in grade.components]
        assert D(line[9]) == round2(grade.projected_percent)
        assert line[10] == grade.final_letter[0]

    alice_line = by_login[alice.email]
    # 60 x 8.5/10 = 51 ; 40 x 77.77/100 = 31.108 -> 31.11 ; bonus 5 x 50/100 = 2.5
    assert alice_line[2:8] == ["912345678", alice.email, "A01", "51.00", "31.11", "2.50"]
    assert alice_line[8:] == ["84.61", "84.61", "B"]  # 51 + 31.108 + 2.5 = 84.608
    bob_line = by_login[bob.email]
    # bob claimed nothing and the window has closed: his presentation is missing (0)
    assert bob_line[5:] == ["0.00", "40.00", "0.00", "40.00", "40.00", "F"]


def test_export_grades_command_writes_the_same_csv(graded_course, course, instructor, login):
    out = io.StringIO()
    call_command("export_grades", course.code, stdout=out)
    download = login(instructor).get(reverse("grading:gradebook_csv", args=[course.code]))
    assert parse(out.getvalue()) == parse(download.content.decode())


def test_export_grades_refuses_an_unknown_course(db):
    with pytest.raises(CommandError, match="No course with code 'nope'"):
        call_command("export_grades", "nope", stdout=io.StringIO())


def test_names_with_commas_and_quotes_survive_the_round_trip(graded_course, course, alice):
    alice.name = 'Archer, Alice "Ace"'
    alice.save()
    out = io.StringIO()
    call_command("export_grades", course.code, stdout=out)
    assert 'Archer, Alice "Ace"' in [r[0] for r in parse(out.getvalue())]
