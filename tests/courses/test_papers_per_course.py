"""A paper belongs to one course: editing it in one course never changes what another shows.

People: instructor runs `course` (ECS 289D); other_ta is staff of `other_course` (CSE 585)
only and must not see or edit `course`'s papers, placed in a session or not.
"""

from datetime import date

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse

from courses.models import Course, Paper, Reading, Session
from tests.courses.test_coursefile import SEED_001

TAIL_URL = "https://doi.org/10.1145/2408776.2408794"


def tail_at_scale(code):
    return Paper.objects.get(course__code=code, title="The Tail at Scale")


def test_importing_another_courses_file_never_changes_this_courses_paper(db, tmp_path):
    ecs = tmp_path / "ecs289d-f25.yaml"
    ecs.write_text(SEED_001)
    call_command("import_course", str(ecs))
    # Another course reads the same paper, with another link and venue.
    other = tmp_path / "ecs289d-w26.yaml"
    other.write_text(
        SEED_001.replace("code: ecs289d-f25", "code: ecs289d-w26")
        .replace(TAIL_URL, "https://research.google/pubs/the-tail-at-scale/")
        .replace("venue: Communications of the ACM", "venue: CACM")
    )
    call_command("import_course", str(other))

    mine = tail_at_scale("ecs289d-f25")
    assert (mine.url, mine.venue) == (TAIL_URL, "Communications of the ACM")
    theirs = tail_at_scale("ecs289d-w26")
    assert theirs.pk != mine.pk
    assert (theirs.url, theirs.venue) == ("https://research.google/pubs/the-tail-at-scale/", "CACM")
    # Each course's reading reads its own course's paper.
    for code in ("ecs289d-f25", "ecs289d-w26"):
        assert not Reading.objects.filter(course__code=code).exclude(paper__course__code=code)


def test_a_clone_has_its_own_copies_of_the_papers(db, tmp_path):
    source = tmp_path / "ecs289d-f25.yaml"
    source.write_text(SEED_001)
    call_command("import_course", str(source))
    call_command("clone_course", "ecs289d-f25", "ecs289d-f26", "--first-day", "2026-09-24")
    old, new = Course.objects.get(code="ecs289d-f25"), Course.objects.get(code="ecs289d-f26")
    assert new.papers.count() == old.papers.count() == 34
    assert not set(new.papers.values_list("pk", flat=True)) & set(
        old.papers.values_list("pk", flat=True)
    )
    Paper.objects.filter(course=new, title="The Tail at Scale").update(url="https://example.org")
    assert tail_at_scale("ecs289d-f25").url == TAIL_URL


def test_a_course_has_one_paper_per_title_whatever_the_case(course, other_course):
    Paper.objects.create(course=other_course, title="Orca")  # another course may
    Paper.objects.create(course=course, title="Orca")
    with pytest.raises(IntegrityError):
        Paper.objects.create(course=course, title="ORCA")


def test_the_database_refuses_a_reading_of_another_courses_paper(course, other_course):
    theirs = Paper.objects.create(course=other_course, title="Orca")
    session = Session.objects.create(course=course, date=date(2025, 10, 14))
    with pytest.raises(IntegrityError):
        Reading.objects.create(session=session, paper=theirs)


def test_staff_cannot_open_or_edit_another_courses_paper_even_unplaced(
    client, course, other_ta, reading
):
    unplaced = Paper.objects.create(course=course, title="Not placed yet")
    client.force_login(other_ta)
    for paper in (reading.paper, unplaced):
        url = reverse("admin:courses_paper_change", args=[paper.pk])
        # "… doesn't exist. Perhaps it was deleted?": back to the admin index.
        assert client.get(url)["Location"] == reverse("admin:index")
        client.post(url, {"course": course.pk, "title": "Changed", "url": ""})
        paper.refresh_from_db()
        assert paper.title != "Changed"
    page = client.get(reverse("admin:courses_paper_changelist")).content.decode()
    assert unplaced.title not in page


def test_staff_add_papers_to_their_own_courses_only(client, course, other_course, other_ta):
    client.force_login(other_ta)
    add = reverse("admin:courses_paper_add")
    page = client.post(add, {"course": course.pk, "title": "Sneaky", "url": ""}).content.decode()
    assert "Select a valid choice" in page
    assert not Paper.objects.filter(title="Sneaky").exists()
    response = client.post(add, {"course": other_course.pk, "title": "Orca", "url": ""})
    assert response.status_code == 302
    assert Paper.objects.get(title="Orca").course == other_course


def test_the_paper_admin_says_when_the_course_has_that_title_already(
    client, course, instructor, reading
):
    client.force_login(instructor)
    response = client.post(
        reverse("admin:courses_paper_add"),
        {"course": course.pk, "title": reading.paper.title.upper(), "url": ""},
    )
    assert response.status_code == 200
    assert "This course has a paper with this title already." in response.content.decode()


def test_a_readings_paper_is_chosen_among_its_courses_papers(
    client, course, other_course, instructor, reading
):
    # instructor also teaches other_course, so both courses' papers are theirs to see.
    other_course.memberships.create(user=instructor, role="instructor")
    theirs = Paper.objects.create(course=other_course, title="Orca")
    client.force_login(instructor)
    response = client.post(
        reverse("admin:courses_reading_change", args=[reading.pk]),
        {"session": reading.session_id, "paper": theirs.pk, "order": 1, "required": "on"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    reading.refresh_from_db()
    assert reading.paper.course == course


def test_a_new_reading_must_read_a_paper_of_its_sessions_course(
    client, course, other_course, instructor, session
):
    # instructor also teaches other_course, so both courses' papers are theirs to see.
    other_course.memberships.create(user=instructor, role="instructor")
    theirs = Paper.objects.create(course=other_course, title="Orca")
    client.force_login(instructor)
    response = client.post(
        reverse("admin:courses_reading_add"),
        {"session": session.pk, "paper": theirs.pk, "order": 1, "required": "on"},
    )
    assert response.status_code == 200
    assert "This paper belongs to another course" in response.content.decode()
    assert not Reading.objects.filter(paper=theirs).exists()
