import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from courses.models import Membership, Paper, Reading, Session

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_dumped_course_restores_intact_into_a_fresh_database(course, alice, tmp_path):
    from datetime import date

    session = Session.objects.create(
        course=course, date=date(2025, 10, 2), topic="Datacenter networking"
    )
    paper = Paper.objects.create(
        course=course, title="A Scalable, Commodity Data Center Network Architecture", year=2008
    )
    Reading.objects.create(session=session, paper=paper, order=1)
    dump = tmp_path / "seminar.dump"
    call_command("backup", str(dump))
    assert dump.stat().st_size > 0

    target = "seminar_restore_check"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
    try:
        call_command("restore", str(dump), "--into", target)
        params = connection.settings_dict
        restored = psycopg2.connect(
            dbname=target,
            user=params["USER"],
            host=params["HOST"],
            port=params["PORT"],
            password=params["PASSWORD"],
        )
        with restored, restored.cursor() as cursor:
            cursor.execute("SELECT code, title FROM courses_course")
            assert cursor.fetchall() == [(course.code, course.title)]
            cursor.execute(
                "SELECT p.title FROM courses_reading r JOIN courses_paper p ON p.id = r.paper_id "
                "JOIN courses_session s ON s.id = r.session_id WHERE s.date = '2025-10-02'"
            )
            assert cursor.fetchall() == [(paper.title,)]
            cursor.execute("SELECT count(*) FROM courses_membership")
            assert cursor.fetchone()[0] == Membership.objects.count()
        restored.close()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


def test_restore_refuses_to_overwrite_an_existing_database(tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="new database"):
        call_command(
            "restore", str(tmp_path / "x.dump"), "--into", connection.settings_dict["NAME"]
        )
