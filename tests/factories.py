"""factory_boy factories for the models tests and benchmarks build.

Shared by tests/ and bench/ (bench imports it after ``django.setup()``); app code never
imports it, so factory_boy stays a dev dependency.

Defaults make one consistent ECS 289D-like world: ``ReadingFactory()`` alone is a reading
whose paper and session belong to the same new course, a claim's or review's author is a
student of the course it belongs to, a submission's team is in its milestone's course.
Pass the objects a test cares about and the rest follows them. ``build()`` makes unsaved
rows for ``bulk_create`` (pass every foreign key then, and the fields ``save()`` would
fill: a reading's or team member's ``course``).
"""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth.base_user import BaseUserManager
from django.utils import timezone

from courses.models import STAFF_ROLES, Role
from grading.models import ComponentSource

PASSWORD = "correct horse battery staple"
LA = ZoneInfo("America/Los_Angeles")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
SESSION_DAY = date(2025, 11, 4)  # a Tuesday, after the DST change of 2025-11-02


class Factory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True
        # Post-generation hooks save what they make themselves; no second save of the row.
        skip_postgeneration_save = True


class UserFactory(Factory):
    """A person who signs in with ``PASSWORD``; ``password=None`` gives no usable password
    (cheap: what bulk-built users and force_login-only worlds use)."""

    class Meta:
        model = "seminar.User"

    email = factory.Sequence(lambda n: f"user{n}@example.edu")
    name = factory.Sequence(lambda n: f"User {n}")
    password = factory.django.Password(PASSWORD)

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        # As UserManager.create_user stores it: sign-in looks emails up lower-cased.
        kwargs["email"] = BaseUserManager.normalize_email(kwargs["email"]).lower()
        return kwargs


class CourseFactory(Factory):
    """ECS 289D, Fall 2025: Los Angeles, class at 10:30, the claim window of Sep 25-30,
    teams of 3-5 formed by Oct 7. ``without_claims`` / ``without_projects`` leave the claim
    window or the teams out."""

    class Meta:
        model = "courses.Course"

    class Params:
        without_claims = factory.Trait(claims_open_at=None, claims_close_at=None)
        without_projects = factory.Trait(team_min_size=None, team_max_size=None, team_deadline=None)

    code = factory.Sequence(lambda n: f"course-{n}")
    title = "Datacenter Systems for LLMs"
    term = "Fall 2025"
    time_zone = "America/Los_Angeles"
    default_start_time = time(10, 30)
    claims_open_at = datetime(2025, 9, 25, 12, 0, tzinfo=LA)
    claims_close_at = datetime(2025, 9, 30, 23, 59, tzinfo=LA)
    team_min_size = 3
    team_max_size = 5
    team_deadline = datetime(2025, 10, 7, 23, 59, tzinfo=LA)


class MembershipFactory(Factory):
    """A role in a course: student unless ``ta=True`` or ``instructor=True``. A new user
    made for a staff role gets admin access (``is_staff``), as course staff have."""

    class Meta:
        model = "courses.Membership"

    class Params:
        student = factory.Trait(role=Role.STUDENT)
        ta = factory.Trait(role=Role.TA)
        instructor = factory.Trait(role=Role.INSTRUCTOR)

    course = factory.SubFactory(CourseFactory)
    role = Role.STUDENT
    user = factory.SubFactory(
        UserFactory, is_staff=factory.LazyAttribute(lambda u: u.factory_parent.role in STAFF_ROLES)
    )


class StudentFactory(UserFactory):
    """A user who is a student of ``course`` (a new course unless given)."""

    class Params:
        course = factory.SubFactory(CourseFactory)

    membership = factory.RelatedFactory(
        MembershipFactory, factory_related_name="user", course=factory.SelfAttribute("..course")
    )


class SessionFactory(Factory):
    """A regular class meeting, on ``SESSION_DAY`` unless told."""

    class Meta:
        model = "courses.Session"

    course = factory.SubFactory(CourseFactory)
    date = SESSION_DAY


class PaperFactory(Factory):
    """A paper of one course (each course has its own paper rows)."""

    class Meta:
        model = "courses.Paper"

    course = factory.SubFactory(CourseFactory)
    title = factory.Sequence(lambda n: f"Paper {n}")


class ReadingFactory(Factory):
    """A required paper in a session; the paper is one of the session's course (the
    database refuses any other). ``session__course=c`` puts a new session in ``c``."""

    class Meta:
        model = "courses.Reading"

    session = factory.SubFactory(SessionFactory)
    paper = factory.SubFactory(PaperFactory, course=factory.SelfAttribute("..session.course"))
    required = True
    order = factory.Sequence(lambda n: n + 1)  # unique within a session


class TeamFactory(Factory):
    """A team of a course; ``members=[alice, bob]`` adds them in that order."""

    class Meta:
        model = "teams.Team"

    course = factory.SubFactory(CourseFactory)
    name = factory.Sequence(lambda n: f"Team {n}")

    @factory.post_generation
    def members(team, create, users, **kwargs):
        if create and users:
            for user in users:
                TeamMemberFactory(team=team, user=user)


class TeamMemberFactory(Factory):
    """A student of the team's course in the team (a new student unless ``user`` is given)."""

    class Meta:
        model = "teams.TeamMember"

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(StudentFactory, course=factory.SelfAttribute("..team.course"))


class ClaimFactory(Factory):
    """An active claim on seat 1, held and made by a student of the reading's course;
    ``by_team=True``: held by a new team of the course instead."""

    class Meta:
        model = "claims.Claim"

    class Params:
        by_team = factory.Trait(
            student=None,
            claimed_by=None,
            team=factory.SubFactory(TeamFactory, course=factory.SelfAttribute("..course")),
        )

    reading = factory.SubFactory(ReadingFactory)
    course = factory.LazyAttribute(lambda c: c.reading.session.course)
    student = factory.SubFactory(StudentFactory, course=factory.SelfAttribute("..course"))
    claimed_by = factory.SelfAttribute("student")
    seat = 1


class ClaimEventFactory(Factory):
    """An audit event: ``actor`` claimed ``reading``."""

    class Meta:
        model = "claims.ClaimEvent"

    reading = factory.SubFactory(ReadingFactory)
    course = factory.LazyAttribute(lambda e: e.reading.session.course)
    actor = factory.SubFactory(StudentFactory, course=factory.SelfAttribute("..course"))
    action = "claim"
    holder = factory.LazyAttribute(lambda e: str(e.actor))


class SlidesFactory(Factory):
    """A PDF upload of slides for a reading."""

    class Meta:
        model = "claims.Slides"

    reading = factory.SubFactory(ReadingFactory)
    file = factory.django.FileField(data=PDF, filename="talk.pdf")
    original_name = "talk.pdf"
    content_type = "application/pdf"
    uploaded_by = None


class GradeComponentFactory(Factory):
    """A weighted part of a course's grade: manual scores, unpublished, unless told."""

    class Meta:
        model = "grading.GradeComponent"

    course = factory.SubFactory(CourseFactory)
    name = factory.Sequence(lambda n: f"Component {n}")
    weight = Decimal(10)
    source = ComponentSource.MANUAL


class ManualScoreFactory(Factory):
    """A student's score in a manual or participation component."""

    class Meta:
        model = "grading.ManualScore"

    component = factory.SubFactory(GradeComponentFactory)
    student = factory.SubFactory(StudentFactory, course=factory.SelfAttribute("..component.course"))
    points = Decimal(90)


class ReviewKindFactory(Factory):
    """A review form with one required prompt (summary), due the day before class at 23:59."""

    class Meta:
        model = "reviews.ReviewKind"

    course = factory.SubFactory(CourseFactory)
    name = "Paper review"
    slug = factory.Sequence(lambda n: f"review-{n}")
    prompts = factory.LazyFunction(
        lambda: [{"key": "summary", "label": "Summary", "required": True}]
    )


class ReviewFactory(Factory):
    """A student's review of a reading of the kind's course; ``by_team=True``: a team's."""

    class Meta:
        model = "reviews.Review"

    class Params:
        by_team = factory.Trait(
            student=None,
            team=factory.SubFactory(TeamFactory, course=factory.SelfAttribute("..kind.course")),
        )

    kind = factory.SubFactory(ReviewKindFactory)
    reading = factory.SubFactory(
        ReadingFactory, session__course=factory.SelfAttribute("...kind.course")
    )
    student = factory.SubFactory(StudentFactory, course=factory.SelfAttribute("..kind.course"))
    answers = factory.LazyFunction(lambda: {"summary": "A fast attention engine."})


class ExtensionFactory(Factory):
    """Two more days on every review of ``kind`` for one student."""

    class Meta:
        model = "reviews.Extension"

    kind = factory.SubFactory(ReviewKindFactory)
    course = factory.SelfAttribute("kind.course")
    student = factory.SubFactory(StudentFactory, course=factory.SelfAttribute("..course"))
    extra_days = factory.LazyAttribute(lambda e: None if e.due_at else 2)
    due_at = None


class MilestoneFactory(Factory):
    """A project deliverable (a file) due Mon 2025-12-01 23:59 in Los Angeles."""

    class Meta:
        model = "projects.Milestone"

    course = factory.SubFactory(CourseFactory)
    name = factory.Sequence(lambda n: f"Milestone {n}")
    due_at = datetime(2025, 12, 1, 23, 59, tzinfo=LA)


class SubmissionFactory(Factory):
    """Version 1 of a team's text deliverable, submitted now; ``pdf=True``: a PDF file."""

    class Meta:
        model = "projects.Submission"

    class Params:
        pdf = factory.Trait(
            text="",
            file=factory.django.FileField(data=PDF, filename="report.pdf"),
            original_name="report.pdf",
            content_type="application/pdf",
            size=len(PDF),
        )

    milestone = factory.SubFactory(MilestoneFactory)
    team = factory.SubFactory(TeamFactory, course=factory.SelfAttribute("..milestone.course"))
    version = 1
    submitted_at = factory.LazyFunction(timezone.now)
    text = "Our progress notes."


class MilestoneGradeFactory(Factory):
    """Staff's grade for a team of the milestone's course (unpublished unless told)."""

    class Meta:
        model = "projects.MilestoneGrade"

    milestone = factory.SubFactory(MilestoneFactory)
    team = factory.SubFactory(TeamFactory, course=factory.SelfAttribute("..milestone.course"))
    points = Decimal(90)


class MilestoneAdjustmentFactory(Factory):
    """A per-student change to a team's milestone grade."""

    class Meta:
        model = "projects.MilestoneAdjustment"

    grade = factory.SubFactory(MilestoneGradeFactory)
    student = factory.SubFactory(
        StudentFactory, course=factory.SelfAttribute("..grade.milestone.course")
    )
    delta = Decimal(5)
    reason = "individual contribution"
