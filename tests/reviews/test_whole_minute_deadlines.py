"""A due time given to the minute covers that whole minute (SPEC, Time).

"Due 11:59 PM" is on time through 23:59:59.999 local and late from 00:00:00, for review
policies, session overrides, milestones, slides and extensions typed by staff; extensions
can also be "N more days" (same local wall-clock time, across DST).

People: alice writes reviews and is in team Flash; bob is a classmate; the instructor and
staff work in the admin; pat presents `reading`.
"""

import importlib
import re
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from icalendar import Calendar

from claims.models import Claim
from courses import timing
from courses.models import Course
from projects.models import Deliverable, LatePolicy, Milestone, MilestoneExtension, Submission
from reviews.models import DueOverride, Extension, Review
from reviews.plan import ReviewPlan
from teams.models import Team, TeamMember
from tests.conftest import LA
from tests.reviews.conftest import ANSWERS, review_url


def due_for(kind, reading, user):
    plan = ReviewPlan([kind.course], users=[user])
    kind = next(k for k in plan.kinds if k.pk == kind.pk)
    return plan.owed(kind, plan.reading(reading.pk), plan.author_for(kind, user.pk)).due_at


def save_review(client, course, reading, at):
    with time_machine.travel(at, tick=False):
        return client.post(review_url(course, reading), ANSWERS, follow=True)


# --- reviews: the policy, both sides of the DST change ---------------------------------


def test_a_review_saved_in_the_due_minute_before_the_dst_change_is_on_time(
    paper_review, course, october_reading, alice, login
):
    # Tue 10/28 class: due Mon 10/27 11:59 PM PDT.
    at = datetime(2025, 10, 27, 23, 59, 30, tzinfo=LA)
    page = save_review(login(alice), course, october_reading, at).content.decode()
    assert "(on time)" in page
    review = Review.objects.get(student=alice, reading=october_reading)
    assert review.late_by(due_for(paper_review, october_reading, alice)) is None


def test_a_review_saved_at_midnight_before_the_dst_change_is_late(
    paper_review, course, october_reading, alice, login
):
    page = save_review(
        login(alice), course, october_reading, datetime(2025, 10, 28, 0, 0, tzinfo=LA)
    ).content.decode()
    assert "marked late" in page
    review = Review.objects.get(student=alice, reading=october_reading)
    assert review.late_by(due_for(paper_review, october_reading, alice)) == timedelta(0)


def test_a_review_saved_in_the_due_minute_after_the_dst_change_is_on_time(
    paper_review, course, reading, alice, login
):
    # Tue 11/4 class: due Mon 11/3 11:59 PM PST, after the change of 11/2.
    page = save_review(
        login(alice), course, reading, datetime(2025, 11, 3, 23, 59, 30, tzinfo=LA)
    ).content.decode()
    assert "(on time)" in page
    assert "Monday, Nov 3, 2025, 11:59 PM PST" in page  # pages still show the minute


def test_a_review_saved_at_midnight_after_the_dst_change_is_late_and_pays_a_started_day(
    paper_review, course, reading, alice, login, reviews_component
):
    save_review(login(alice), course, reading, datetime(2025, 11, 4, 0, 0, 30, tzinfo=LA))
    review = Review.objects.get(student=alice, reading=reading)
    late = review.late_by(due_for(paper_review, reading, alice))
    assert late == timedelta(seconds=30)
    # 10 % per started day: 00:00:30 is in day 1, 00:00:30 the next night in day 2.
    assert paper_review.earned(Decimal("1"), late) == Decimal("0.9")
    assert paper_review.earned(Decimal("1"), late + timedelta(days=1)) == Decimal("0.8")


def test_the_first_late_instant_starts_day_one_of_the_penalty(paper_review):
    assert timing.started_days(timedelta(0)) == 1
    assert timing.started_days(timedelta(days=1) - timedelta(microseconds=1)) == 1
    assert timing.started_days(timedelta(days=1)) == 2
    assert paper_review.earned(Decimal("1"), timedelta(0)) == Decimal("0.9")


def test_a_session_override_typed_to_the_minute_covers_that_minute(
    paper_review, course, reading, alice, login
):
    DueOverride.objects.create(
        kind=paper_review, session=reading.session, due_at=datetime(2025, 11, 2, 12, 0, tzinfo=LA)
    )
    assert due_for(paper_review, reading, alice) == datetime(
        2025, 11, 2, 12, 0, 59, 999999, tzinfo=LA
    )
    page = save_review(
        login(alice), course, reading, datetime(2025, 11, 2, 12, 0, 45, tzinfo=LA)
    ).content.decode()
    assert "(on time)" in page


# --- extensions typed in the admin ----------------------------------------------------------


def extension_form(course, **fields):
    data = {
        "course": course.pk,
        "kind": "",
        "reading": "",
        "student": "",
        "team": "",
        "due_at_0": "",
        "due_at_1": "",
        "extra_days": "",
        "reason": "flu",
    }
    data.update(fields)
    return data


def test_an_extension_typed_as_2359_in_the_admin_is_stored_as_the_end_of_that_minute(
    paper_review, course, reading, alice, instructor, login
):
    client = login(instructor)
    response = client.post(
        reverse("admin:reviews_extension_add"),
        extension_form(course, student=alice.pk, due_at_0="2025-11-05", due_at_1="23:59"),
    )
    assert response.status_code == 302
    extension = Extension.objects.get(student=alice)
    assert extension.due_at == datetime(2025, 11, 5, 23, 59, 59, 999999, tzinfo=LA)
    change = client.get(reverse("admin:reviews_extension_change", args=[extension.pk]))
    assert 'value="23:59"' in change.content.decode()  # shown as typed


def test_n_more_days_keeps_the_local_time_across_the_dst_change(
    paper_review, course, october_reading, alice, bob, instructor, login
):
    # Due Mon 10/27 11:59 PM PDT; 7 more days is Mon 11/3 11:59 PM PST (a day of 25 h inside).
    response = login(instructor).post(
        reverse("admin:reviews_extension_add"),
        extension_form(course, student=alice.pk, reading=october_reading.pk, extra_days="7"),
    )
    assert response.status_code == 302
    assert due_for(paper_review, october_reading, alice) == datetime(
        2025, 11, 3, 23, 59, 59, 999999, tzinfo=LA
    )
    assert due_for(paper_review, october_reading, bob) == datetime(
        2025, 10, 27, 23, 59, 59, 999999, tzinfo=LA
    )


def test_an_extension_across_the_nov_2_change_is_on_time_through_its_minute(
    paper_review, course, october_reading, alice, login
):
    Extension.objects.create(
        course=course,
        student=alice,
        reading=october_reading,
        due_at=datetime(2025, 11, 3, 23, 59, tzinfo=LA),
    )
    client = login(alice)
    on_time = save_review(
        client, course, october_reading, datetime(2025, 11, 3, 23, 59, 59, tzinfo=LA)
    )
    assert "(on time)" in on_time.content.decode()


def test_an_extension_needs_a_new_time_or_more_days_not_both(
    paper_review, course, alice, instructor, login
):
    client = login(instructor)
    neither = client.post(
        reverse("admin:reviews_extension_add"), extension_form(course, student=alice.pk)
    )
    both = client.post(
        reverse("admin:reviews_extension_add"),
        extension_form(
            course, student=alice.pk, due_at_0="2025-11-05", due_at_1="23:59", extra_days="2"
        ),
    )
    for response in (neither, both):
        assert response.status_code == 200
        assert "Give either a new due time or a number of more days" in response.content.decode()
    assert not Extension.objects.exists()


def test_the_extensions_list_shows_times_in_the_zone_its_banner_names(
    paper_review, course, alice, instructor, login
):
    Extension.objects.create(
        course=course, student=alice, due_at=datetime(2025, 11, 5, 23, 59, tzinfo=LA)
    )
    page = login(instructor).get(reverse("admin:reviews_extension_changelist")).content.decode()
    assert "America/Los_Angeles" in page
    assert "Wed Nov 5, 11:59 PM PST" in page
    assert "UTC" not in page and "07:59" not in page


# --- milestones, team deadlines, claim windows ---------------------------------------------


@pytest.fixture
def flash(course, alice):
    team = Team.objects.create(course=course, name="Flash", join_code="FLASH234")
    TeamMember.objects.create(team=team, user=alice)
    return team


@pytest.fixture
def proposal(course):
    return Milestone.objects.create(
        course=course,
        name="Proposal",
        due_at=datetime(2025, 10, 16, 23, 59, tzinfo=LA),
        deliverable=Deliverable.FILE,
        late_policy=LatePolicy.PENALTY,
        late_penalty_pct=Decimal("10"),
    )


def submit(client, course, milestone, at):
    with time_machine.travel(at, tick=False):
        client.post(
            reverse("projects:submit", args=[course.code, milestone.pk]),
            {f"m{milestone.pk}-file": SimpleUploadedFile("p.pdf", b"%PDF-1.4\n" + b"0" * 600)},
        )
    return Submission.objects.filter(milestone=milestone).latest("version")


def test_a_milestone_due_2359_takes_a_version_at_235930_on_time_and_one_at_midnight_late(
    course, alice, flash, proposal, login
):
    client = login(alice)
    on_time = submit(client, course, proposal, datetime(2025, 10, 16, 23, 59, 30, tzinfo=LA))
    assert (on_time.is_late, on_time.lateness) == (False, None)
    late = submit(client, course, proposal, datetime(2025, 10, 17, 0, 0, tzinfo=LA))
    assert (late.is_late, late.lateness) == (True, timedelta(0))
    assert proposal.late_factor(late.lateness) == Decimal("0.9")


def test_a_team_extension_of_n_more_days_across_dst_in_the_admin(
    course, alice, flash, instructor, login
):
    milestone = Milestone.objects.create(
        course=course, name="Report", due_at=datetime(2025, 10, 31, 23, 59, tzinfo=LA)
    )
    extension = MilestoneExtension(milestone=milestone, team=flash, extra_days=3)
    extension.full_clean()
    extension.save()
    assert extension.due_at == datetime(2025, 11, 3, 23, 59, 59, 999999, tzinfo=LA)
    assert extension.due_at.astimezone(LA).utcoffset() == timedelta(hours=-8)
    assert milestone.due_for(flash) == extension.due_at


def test_the_team_deadline_and_the_claim_window_cover_their_closing_minute(course):
    assert course.claims_close_at == datetime(2025, 9, 30, 23, 59, 59, 999999, tzinfo=LA)
    assert course.claims_state(datetime(2025, 9, 30, 23, 59, 59, tzinfo=LA)) == "open"
    assert course.claims_state(datetime(2025, 10, 1, 0, 0, tzinfo=LA)) == "closed"
    assert not course.teams_locked(datetime(2025, 10, 7, 23, 59, 59, tzinfo=LA))
    assert course.teams_locked(datetime(2025, 10, 8, 0, 0, tzinfo=LA))


def test_the_migration_rounds_stored_deadlines_to_the_end_of_their_minute(course):
    """A row written before the rule (23:59:00) reads as 23:59:59.999999 after 0007."""
    Course.objects.filter(pk=course.pk).update(
        claims_close_at=datetime(2025, 9, 30, 23, 59, tzinfo=LA)
    )
    module = importlib.import_module("courses.migrations.0007_whole_minute_deadlines")
    with connection.cursor() as cursor:
        cursor.execute(module.END_OF_MINUTE)
    course.refresh_from_db()
    assert course.claims_close_at == datetime(2025, 9, 30, 23, 59, 59, 999999, tzinfo=LA)


# --- slides: "shared 24 hours before the class" (seed 004) ----------------------------------


def test_the_presenters_dashboard_shows_slides_due_the_day_before_at_class_time(
    course, reading, alice, login
):
    course.slides_due_hours = -24  # as examples/cse585-f25.yaml now says
    course.save()
    Claim.objects.create(course=course, reading=reading, student=alice, claimed_by=alice)
    with time_machine.travel(datetime(2025, 10, 20, 9, 0, tzinfo=LA), tick=False):
        page = login(alice).get("/").content.decode()
    # Class Tue 11/4 at 10:30 AM: slides due Mon 11/3 at 10:30 AM.
    assert re.search(r"Slides due: .*?Mon Nov 3, 10:30 AM PST", page, re.S)


def test_the_cse585_example_wants_slides_24_hours_before_class():
    import yaml

    from tests.examples.test_examples import EXAMPLES

    data = yaml.safe_load((EXAMPLES / "cse585-f25.yaml").read_text())
    assert data["course"]["claims"]["slides_due_hours"] == -24


# --- the calendar feed: well-formed, unique, stable UIDs -------------------------------------

UID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*@[A-Za-z0-9.-]+$")


def test_calendar_uids_are_well_formed_unique_and_stable(
    paper_review, course, reading, optional_reading, alice, flash, proposal, client
):
    Claim.objects.create(course=course, reading=reading, student=alice, claimed_by=alice)
    course.slides_due_hours = -24
    course.save()

    def uids():
        response = client.get(
            f"/courses/{course.code}/calendar.ics", {"token": alice.calendar_token}
        )
        assert response.status_code == 200
        return [str(e["UID"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]

    first = uids()
    assert len(first) == len(set(first)) > 5
    assert all(UID.match(uid) for uid in first), first
    assert all(uid.count("@") == 1 for uid in first)
    assert first == uids()


def test_calendar_shows_the_minute_people_read(paper_review, course, reading, alice, client):
    response = client.get(f"/courses/{course.code}/calendar.ics", {"token": alice.calendar_token})
    events = [
        e
        for e in Calendar.from_ical(response.content).walk("VEVENT")
        if "Paper review" in str(e["SUMMARY"])
    ]
    assert events[0].decoded("DTSTART") == datetime(2025, 11, 3, 23, 59, tzinfo=LA)


# --- one way to write a time --------------------------------------------------------------


def test_pages_write_times_as_pm_never_p_dot_m(
    paper_review, course, reading, alice, instructor, login, reviews_component
):
    reviews_component.published = True
    reviews_component.save()
    with time_machine.travel(datetime(2025, 10, 20, 9, 0, tzinfo=LA), tick=False):
        student = login(alice)
        pages = [
            student.get(f"/courses/{course.code}/grades/"),
            student.get(f"/courses/{course.code}/"),
            student.get(f"/courses/{course.code}/sessions/{reading.session_id}/"),
            login(instructor).get(f"/courses/{course.code}/gradebook/"),
        ]
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert "p.m." not in html and "a.m." not in html
    assert "11:59 PM" in pages[0].content.decode()


def test_format_instant_is_the_one_way_to_write_an_instant():
    instant = datetime(2025, 11, 4, 7, 59, 59, 999999, tzinfo=UTC)
    assert timing.format_instant(instant, LA) == "Mon Nov 3, 11:59 PM PST"
    assert timing.format_instant(instant, LA, year=True) == "Mon Nov 3, 2025 11:59 PM PST"
    assert timing.DuePolicy(at=time(15, 0)).describe() == "3:00 PM the day before class"


def test_staff_give_a_team_n_more_days_on_the_milestones_admin_page(
    course, alice, flash, instructor, login
):
    from tests.forms import resubmit

    milestone = Milestone.objects.create(
        course=course, name="Report", due_at=datetime(2025, 10, 31, 23, 59, tzinfo=LA)
    )
    response = resubmit(
        login(instructor),
        reverse("admin:projects_milestone_change", args=[milestone.pk]),
        **{
            "extensions-TOTAL_FORMS": "1",
            "extensions-0-team": str(flash.pk),
            "extensions-0-extra_days": "3",
            "extensions-0-reason": "flu",
        },
    )
    assert response.status_code == 302
    # Fri 10/31 11:59 PM PDT + 3 days = Mon 11/3 11:59 PM PST, across the 11/2 change.
    assert milestone.due_for(flash) == datetime(2025, 11, 3, 23, 59, 59, 999999, tzinfo=LA)
