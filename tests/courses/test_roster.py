import pytest
from django.core.management import CommandError, call_command

from courses.models import Membership, Role
from courses.services.roster import RosterError, roster_import
from seminar.models import User

pytestmark = pytest.mark.django_db

GOOD = """email,name,student_id
dana@example.edu,Dana Diaz,9001
Eve@Example.edu,Eve Evans,9002
"""


def test_import_creates_people_and_enrols_them(course):
    result = roster_import(course=course, text=GOOD)
    assert (result.created, result.enrolled) == (2, 2)
    eve = User.objects.get(email="eve@example.edu")
    assert (eve.name, eve.student_id) == ("Eve Evans", "9002")
    assert Membership.objects.get(user=eve, course=course).role == Role.STUDENT


def test_reimport_is_idempotent_and_updates_names_without_duplicates(course):
    roster_import(course=course, text=GOOD)
    again = roster_import(course=course, text=GOOD)
    assert (again.created, again.updated, again.enrolled, again.unchanged) == (0, 0, 0, 2)
    changed = GOOD.replace("Dana Diaz", "Dana D. Diaz").replace("9002", "9999")
    result = roster_import(course=course, text=changed)
    assert result.updated == 2
    assert User.objects.filter(email__iexact="dana@example.edu").count() == 1
    assert User.objects.get(email="eve@example.edu").student_id == "9999"
    assert Membership.objects.filter(course=course).count() == 2


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        (",No Email,1", "line 4: missing email"),
        ("not-an-email,Broken,2", "line 4: 'not-an-email' is not a valid email address"),
        ("dana@example.edu,Dana Again,3", "line 4: dana@example.edu already appears on line 2"),
    ],
)
def test_a_bad_row_is_reported_by_line_and_nothing_is_applied(course, bad_line, message):
    with pytest.raises(RosterError) as excinfo:
        roster_import(course=course, text=GOOD + bad_line + "\n")
    assert message in excinfo.value.problems
    assert not User.objects.filter(email="eve@example.edu").exists()
    assert not Membership.objects.filter(course=course).exists()


def test_the_command_prints_a_summary_and_refuses_bad_files(course, tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_text(GOOD)
    call_command("import_roster", course.code, str(path))
    assert "2 new" in capsys.readouterr().out
    path.write_text("email,name\n,Nobody\n")
    with pytest.raises(CommandError, match="line 2: missing email"):
        call_command("import_roster", course.code, str(path))


def test_semicolon_csv_with_excel_bom_is_understood(course):
    text = "\ufeffemail;name;student_id\nfay@example.edu;Fay Fox;77\n"
    assert roster_import(course=course, text=text).created == 1


def test_staff_upload_a_roster_in_the_admin(client, instructor, course):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(instructor)
    url = f"/admin/courses/course/{course.pk}/import-roster/"
    response = client.post(url, {"file": SimpleUploadedFile("r.csv", GOOD.encode())})
    assert response.status_code == 302
    assert Membership.objects.filter(course=course, role=Role.STUDENT).count() == 2
    response = client.post(url, {"file": SimpleUploadedFile("r.csv", b"email,name\nbroken,X\n")})
    assert response.status_code == 200
    assert "line 2: &#x27;broken&#x27; is not a valid email address" in response.content.decode()


# instructor runs `course`; other_ta is TA of `other_course` only.
def test_course_staff_see_only_their_own_courses_in_the_admin(
    client, instructor, other_ta, course, other_course
):
    client.force_login(other_ta)
    listing = client.get("/admin/courses/course/").content.decode()
    assert other_course.code in listing
    assert course.code not in listing
    assert client.get(f"/admin/courses/course/{course.pk}/change/").status_code in (302, 404)
    assert client.get(f"/admin/courses/course/{course.pk}/import-roster/").status_code == 404
    response = client.post(f"/admin/courses/course/{course.pk}/change/", {"title": "hijacked"})
    assert response.status_code in (302, 403, 404)
    course.refresh_from_db()
    assert course.title != "hijacked"
    client.force_login(instructor)
    assert client.get(f"/admin/courses/course/{course.pk}/change/").status_code == 200


def test_students_cannot_open_the_admin(client, alice):
    client.force_login(alice)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
