"""Staff edit the schedule in the admin.

People: instructor runs `course`; other_ta is staff of `other_course` only and
must not see or move `course`'s sessions and readings.
"""

from datetime import date, datetime

from django.urls import reverse

from claims.models import Claim, Slides
from courses.models import Paper, Reading, Session
from tests.conftest import LA


def add_readings(course, n, day):
    session = Session.objects.create(course=course, date=day)
    for i in range(n):
        paper = Paper.objects.create(course=course, title=f"P {day} {i}")
        Reading.objects.create(session=session, paper=paper, order=i)
    return session


def test_staff_edit_a_session_with_its_readings_inline(client, instructor, session, reading):
    client.force_login(instructor)
    url = reverse("admin:courses_session_change", args=[session.pk])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "presented_by_instructor" in html and "FlashInfer" in html
    data = {
        "course": session.course_id,
        "date": "2025-11-04",
        "start_time": "",
        "kind": "regular",
        "topic": "LLM Inference",
        "title": "",
        "notes": "",
        "readings-TOTAL_FORMS": "1",
        "readings-INITIAL_FORMS": "1",
        "readings-MIN_NUM_FORMS": "0",
        "readings-MAX_NUM_FORMS": "1000",
        "readings-0-id": reading.pk,
        "readings-0-session": session.pk,
        "readings-0-order": "3",
        "readings-0-paper": reading.paper_id,
        "readings-0-presented_by_instructor": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    reading.refresh_from_db()
    assert (reading.order, reading.required, reading.presented_by_instructor) == (3, False, True)


def test_move_to_session_action_moves_the_reading_with_its_claims_and_slides(
    client, instructor, alice, course, reading
):
    target = Session.objects.create(course=course, date=date(2025, 11, 6))
    claim = Claim.objects.create(course=course, reading=reading, student=alice)
    Slides.objects.create(reading=reading, file="s.pdf", original_name="s.pdf", content_type="x")
    client.force_login(instructor)
    response = client.post(
        reverse("admin:courses_reading_changelist"),
        {"action": "move_to_session", "_selected_action": [reading.pk], "to_date": "2025-11-06"},
        follow=True,
    )
    assert "Moved to Thu 11/06" in response.content.decode()
    reading.refresh_from_db()
    assert reading.session == target
    assert Claim.objects.get(pk=claim.pk).reading == reading
    assert reading.slides.count() == 1


def test_move_to_a_date_without_a_session_says_so(client, instructor, reading):
    client.force_login(instructor)
    response = client.post(
        reverse("admin:courses_reading_changelist"),
        {"action": "move_to_session", "_selected_action": [reading.pk], "to_date": "2025-11-07"},
        follow=True,
    )
    assert "has no session on Fri 2025-11-07" in response.content.decode()
    reading.refresh_from_db()
    assert reading.session.date == date(2025, 11, 4)


def test_staff_of_another_course_cannot_see_or_move_these_readings(
    client, other_ta, other_course, reading
):
    Session.objects.create(course=other_course, date=date(2025, 11, 6))
    client.force_login(other_ta)
    assert client.get(reverse("admin:courses_reading_change", args=[reading.pk])).status_code in (
        302,
        403,
        404,
    )
    assert (
        client.get(reverse("admin:courses_session_change", args=[reading.session_id])).status_code
        != 200
    )
    client.post(
        reverse("admin:courses_reading_changelist"),
        {"action": "move_to_session", "_selected_action": [reading.pk], "to_date": "2025-11-06"},
    )
    reading.refresh_from_db()
    assert reading.session.course_id != other_course.pk


def test_reading_admin_list_has_a_fixed_query_count(
    client, instructor, course, django_assert_max_num_queries
):
    client.force_login(instructor)
    add_readings(course, 3, date(2025, 10, 2))
    url = reverse("admin:courses_reading_changelist")
    with django_assert_max_num_queries(25) as small:
        assert client.get(url).status_code == 200
    add_readings(course, 30, date(2025, 10, 7))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_session_admin_list_has_a_fixed_query_count(
    client, instructor, course, django_assert_max_num_queries
):
    client.force_login(instructor)
    add_readings(course, 2, date(2025, 10, 2))
    url = reverse("admin:courses_session_changelist")
    with django_assert_max_num_queries(25) as small:
        assert client.get(url).status_code == 200
    for day in range(3, 20):
        add_readings(course, 2, date(2025, 10, day))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_paper_admin_shows_my_courses_papers_placed_or_not_and_no_others(
    client, instructor, course, other_course, reading
):
    foreign = add_readings(other_course, 1, date(2025, 10, 1)).readings.get().paper
    unplaced = Paper.objects.create(course=course, title="Not placed yet")
    foreign_unplaced = Paper.objects.create(course=other_course, title="Theirs, not placed yet")
    client.force_login(instructor)
    html = client.get(reverse("admin:courses_paper_changelist")).content.decode()
    assert reading.paper.title in html and unplaced.title in html
    assert foreign.title not in html and foreign_unplaced.title not in html


def test_admin_times_are_in_the_courses_time_zone(login, course, instructor, alice, reading):
    """The claim window closes Tue 9/30 23:59 in Davis: the admin shows and takes 23:59,
    not 06:59 UTC; the claims list shows claim times in Davis time too."""
    client = login(instructor)
    change = reverse("admin:courses_course_change", args=[course.pk])
    page = client.get(change).content.decode()
    assert 'value="2025-09-30"' in page and 'value="23:59"' in page
    assert 'value="06:59"' not in page
    assert "Times on this page are in America/Los_Angeles" in page
    Claim.objects.create(
        course=course,
        reading=reading,
        student=alice,
        claimed_by=alice,
        claimed_at=datetime(2025, 9, 25, 12, 0, 3, tzinfo=LA),
    )
    listing = client.get(reverse("admin:claims_claim_changelist")).content.decode()
    assert "Sept. 25, 2025, noon" in listing or "Sept. 25, 2025, 12:00" in listing


def test_a_new_courses_times_are_read_in_the_time_zone_it_is_given(client, django_user_model):
    import json

    from courses.models import Course

    root = django_user_model.objects.create_superuser(
        email="root@example.edu", password="pw-12345678"
    )
    client.force_login(root)
    add = reverse("admin:courses_course_add")
    form = client.get(add).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        code="cse585-f25",
        title="Advanced Scalable Systems for GenAI",
        term="Fall 2025",
        time_zone="America/Detroit",
        default_start_time="10:30",
        claims_open_at_0="2025-09-02",
        claims_open_at_1="12:00",
        team_min_size="4",
        team_max_size="4",
        presenters_per_reading="1",
        claims_per_presenter="1",
        claims_mode="first_come",
        preferences_min_ranked="3",
        session_minutes="80",
        presents_by="team",
        letter_scale=json.dumps(Course._meta.get_field("letter_scale").get_default()),
        **{
            "components-TOTAL_FORMS": "0",
            "components-INITIAL_FORMS": "0",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    response = client.post(add, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    course = Course.objects.get(code="cse585-f25")
    assert course.claims_open_at.astimezone(course.tz).strftime("%H:%M %Z") == "12:00 EDT"


def test_a_malformed_id_in_an_admin_url_is_not_a_server_error(login, course, instructor):
    response = login(instructor).get("/admin/claims/claim/not-an-id/change/")
    assert response.status_code == 302
