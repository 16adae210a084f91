from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

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
    assert response.status_code == 200
    assert "enrolled: eve@example.edu (student)" in response.content.decode()
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
    assert client.get(f"/admin/courses/course/{course.pk}/change/").status_code == 302
    assert client.get(f"/admin/courses/course/{course.pk}/import-roster/").status_code == 404
    response = client.post(f"/admin/courses/course/{course.pk}/change/", {"title": "hijacked"})
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.title != "hijacked"
    client.force_login(instructor)
    assert client.get(f"/admin/courses/course/{course.pk}/change/").status_code == 200


def test_students_cannot_open_the_admin(client, alice):
    client.force_login(alice)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def import_file(course, tmp_path, text, *args):
    """Run ``import_roster`` on ``text``; returns what it printed."""
    path = tmp_path / "roster.csv"
    path.write_text(text)
    out = StringIO()
    call_command("import_roster", course.code, str(path), *args, stdout=out)
    return out.getvalue()


# ta was TA of `course` and is now listed as a student; alice stays a student.
def test_a_ta_reimported_as_a_student_loses_staff_access(client, course, ta, alice, tmp_path):
    out = import_file(course, tmp_path, "email,name,role\nta@example.edu,Terry Assistant,student\n")
    assert "ta@example.edu: role ta -> student" in out
    client.force_login(ta)
    assert client.get(reverse("grading:gradebook", args=[course.code])).status_code == 404
    ta.refresh_from_db()
    assert not ta.is_staff  # staff of no course any more: no admin either
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# other_ta is TA of `other_course` and becomes a student of `course`.
def test_a_ta_of_another_course_keeps_admin_access_there(course, other_ta, tmp_path):
    import_file(course, tmp_path, "email,name,role\nota@example.edu,Olga,ta\n")
    import_file(course, tmp_path, "email,name,role\nota@example.edu,Olga,student\n")
    other_ta.refresh_from_db()
    assert other_ta.is_staff


def test_a_student_listed_as_ta_gains_staff_access(client, course, alice, tmp_path):
    out = import_file(course, tmp_path, "email,role\nalice@example.edu,ta\n")
    assert "alice@example.edu: role student -> ta" in out
    client.force_login(alice)
    assert client.get(reverse("grading:gradebook", args=[course.code])).status_code == 200
    alice.refresh_from_db()
    assert alice.is_staff


def test_reimport_updates_name_role_and_section_and_prints_each_change(course, tmp_path):
    import_file(course, tmp_path, "email,name,role,section\ndana@example.edu,Dana,ta,A01\n")
    out = import_file(
        course, tmp_path, "email,name,role,section\ndana@example.edu,Dana Diaz,student,A02\n"
    )
    assert "dana@example.edu: name Dana -> Dana Diaz, role ta -> student, section A01 -> A02" in out
    membership = Membership.objects.get(course=course, user__email="dana@example.edu")
    assert (membership.role, membership.section, membership.user.name) == (
        Role.STUDENT,
        "A02",
        "Dana Diaz",
    )
    # A file without a section column leaves sections alone.
    import_file(course, tmp_path, "email,name\ndana@example.edu,Dana Diaz\n")
    membership.refresh_from_db()
    assert membership.section == "A02"


# alice and bob are students, instructor runs the course; the new list has alice only.
def test_drop_missing_drops_absent_students_and_leaves_the_staff(
    client, course, instructor, alice, bob, tmp_path
):
    out = import_file(course, tmp_path, "email,name\nalice@example.edu,Alice\n", "--drop-missing")
    assert "dropped: bob@example.edu" in out
    assert "1 dropped" in out
    assert "yang@example.edu" not in out  # a student list says nothing about the staff
    bob_membership = Membership.all_objects.get(course=course, user=bob)
    assert bob_membership.dropped_at is not None
    assert not Membership.objects.filter(course=course, user=bob).exists()
    client.force_login(bob)
    assert client.get(reverse("claims:board", args=[course.code])).status_code == 404
    client.force_login(instructor)
    assert client.get(reverse("grading:gradebook", args=[course.code])).status_code == 200


def test_without_drop_missing_absent_members_stay(course, alice, bob, tmp_path):
    out = import_file(course, tmp_path, "email\nalice@example.edu\n")
    assert "dropped" not in out
    assert Membership.objects.filter(course=course, user=bob).exists()


def test_a_file_with_roles_drops_absent_staff_too(course, instructor, ta, alice, tmp_path):
    text = "email,role\nyang@example.edu,instructor\nalice@example.edu,student\n"
    out = import_file(course, tmp_path, text, "--drop-missing")
    assert "dropped: ta@example.edu" in out
    ta.refresh_from_db()
    assert not ta.is_staff


def test_reimport_is_idempotent_and_says_nothing_changed(course, tmp_path):
    text = "email,name,role,section\ndana@example.edu,Dana,ta,A01\neve@example.edu,Eve,,A01\n"
    import_file(course, tmp_path, text, "--drop-missing")
    out = import_file(course, tmp_path, text, "--drop-missing")
    assert out == f"{course.code}: nothing changed (2 unchanged)\n"
    assert Membership.all_objects.filter(course=course).count() == 2


def test_a_dropped_member_listed_again_rejoins(client, course, alice, bob, tmp_path):
    import_file(course, tmp_path, "email\nalice@example.edu\n", "--drop-missing")
    out = import_file(course, tmp_path, "email\nalice@example.edu\nbob@example.edu\n")
    assert "bob@example.edu: rejoined" in out
    client.force_login(bob)
    assert client.get(reverse("claims:board", args=[course.code])).status_code == 200


def test_staff_drop_missing_members_in_the_admin_and_see_them_marked(
    client, instructor, course, alice, bob
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(instructor)
    url = f"/admin/courses/course/{course.pk}/import-roster/"
    upload = SimpleUploadedFile("r.csv", b"email,name\nalice@example.edu,Alice Archer\n")
    response = client.post(url, {"file": upload, "drop_missing": "on"})
    assert response.status_code == 200
    assert "dropped: bob@example.edu" in response.content.decode()

    listing = client.get("/admin/courses/membership/", {"status": "dropped"}).content.decode()
    assert "bob@example.edu" in listing
    assert "alice@example.edu" not in listing
    everyone = client.get("/admin/courses/membership/").content.decode()
    assert "bob@example.edu" in everyone and "dropped " in everyone


# instructor runs `course`; ta is its TA and is dropped by hand, then restored.
def test_staff_drop_and_restore_a_member_in_the_membership_admin(client, instructor, ta, course):
    client.force_login(instructor)
    membership = Membership.objects.get(user=ta, course=course)
    changelist = "/admin/courses/membership/"
    response = client.post(changelist, {"action": "drop", "_selected_action": [membership.pk]})
    assert response.status_code == 302
    ta.refresh_from_db()
    assert not ta.is_staff
    assert not Membership.objects.filter(pk=membership.pk).exists()
    response = client.post(changelist, {"action": "restore", "_selected_action": [membership.pk]})
    assert response.status_code == 302
    ta.refresh_from_db()
    assert ta.is_staff


def test_dropped_students_are_not_offered_on_the_staff_claims_board(
    client, instructor, course, reading, alice, bob, tmp_path
):
    client.force_login(instructor)
    board = reverse("claims:board", args=[course.code])
    assert "Bob Baker" in client.get(board).content.decode()
    import_file(course, tmp_path, "email\nalice@example.edu\n", "--drop-missing")
    page = client.get(board).content.decode()
    assert "Alice Archer" in page
    assert "Bob Baker" not in page
