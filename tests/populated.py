"""A populated course of any size, for the page-budget tests (tests/perf) and the page
benchmark (bench/pages.py, through bench/pagedata.py).

``build_course(code, students)`` imports the ECS 289D course file (schedule, readings,
grade components, the paper review kind, project milestones) under ``code`` and fills it
from the shared factories: an instructor and a TA, ``students`` students in teams of
five, a presenter on every claimable reading (as far as students go), reviews of the
first ten readings by everyone (graded), milestone grades for every team and
participation scores. Rows are built unsaved and bulk-inserted (claims one at a time, so
the claim trigger checks each): a 500-student course builds in seconds.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from tests import factories as f

COURSE_FILE = Path(__file__).resolve().parent.parent / "examples" / "ecs289d-f25.yaml"


@dataclass
class BuiltCourse:
    course: object
    instructor: object
    ta: object
    student: object  # a student who presents `presented` and is in a team
    presented: object  # a reading `student` presents (the digest is theirs to read)
    reading: object  # a reading `student` reviews
    session: object  # the session of `reading`
    students: int


def build_course(code: str, students: int) -> BuiltCourse:
    from django.contrib.auth import get_user_model

    from courses.coursefile import import_course
    from courses.models import Course, Membership, Reading
    from grading.models import ComponentSource, ManualScore
    from projects.models import Milestone, MilestoneGrade
    from reviews.models import Review, ReviewKind
    from teams.models import Team, TeamMember

    import_course(COURSE_FILE.read_text(), code=code)
    course = Course.objects.get(code=code)
    User = get_user_model()

    def person(email, name):
        return f.UserFactory.build(email=email, name=name, password=None)

    staff = User.objects.bulk_create(
        [person(f"{code}-instructor@example.edu", "Ina Structor"), person(f"{code}-ta@example.edu", "Tad Assist")]
    )  # fmt: skip
    people = User.objects.bulk_create(
        [person(f"{code}-s{i:04d}@example.edu", f"Student {i:04d}") for i in range(students)]
    )
    Membership.objects.bulk_create(
        [
            f.MembershipFactory.build(user=staff[0], course=course, instructor=True),
            f.MembershipFactory.build(user=staff[1], course=course, ta=True),
            *(f.MembershipFactory.build(user=u, course=course, student=True) for u in people),
        ]
    )
    teams = Team.objects.bulk_create(
        f.TeamFactory.build(course=course, name=f"Team {t + 1:03d}")
        for t in range((students + 4) // 5)
    )
    TeamMember.objects.bulk_create(
        f.TeamMemberFactory.build(team=teams[i // 5], course=course, user=u)
        for i, u in enumerate(people)
    )

    readings = list(
        Reading.objects.claimable()
        .filter(course=course)
        .select_related("session", "paper")
        .order_by("session__date", "order", "id")
    )
    claims = [
        f.ClaimFactory(course=course, reading=r, student=u, seat=1, points=Decimal(8))
        for r, u in zip(readings, people, strict=False)
    ]

    reviewed = [r for r in readings if not r.paper.is_placeholder][:10]
    for kind in ReviewKind.objects.filter(course=course):
        answers = {p["key"]: "A careful answer." for p in kind.prompts}
        rows = []
        for reading in reviewed:
            at = reading.session.starts_at() - timedelta(days=2)
            for user in people:
                rows.append(
                    f.ReviewFactory.build(
                        kind=kind,
                        reading=reading,
                        student=user,
                        answers=answers,
                        submitted_at=at,
                        first_submitted_at=at,
                        points=kind.max_points,
                    )
                )
        Review.objects.bulk_create(rows, batch_size=2000)

    MilestoneGrade.objects.bulk_create(
        f.MilestoneGradeFactory.build(milestone=m, team=t, points=Decimal(90), published=True)
        for m in Milestone.objects.filter(course=course)
        for t in teams
    )
    for component in course.components.filter(source=ComponentSource.PARTICIPATION):
        ManualScore.objects.bulk_create(
            f.ManualScoreFactory.build(component=component, student=u, points=Decimal(95))
            for u in people
        )
    course.components.update(published=True)

    student = people[0]
    return BuiltCourse(
        course=course,
        instructor=staff[0],
        ta=staff[1],
        student=student,
        presented=claims[0].reading if claims else readings[0],
        reading=reviewed[1] if len(reviewed) > 1 else readings[0],
        session=(reviewed[1] if len(reviewed) > 1 else readings[0]).session,
        students=students,
    )


def kept_course(code: str) -> BuiltCourse | None:
    """The course ``build_course(code, …)`` built in an earlier run, or None (benchmarks'
    ``--keep``)."""
    from django.contrib.auth import get_user_model

    from claims.models import Claim
    from courses.models import Course, Reading

    course = Course.objects.filter(code=code).first()
    if course is None:
        return None
    User = get_user_model()
    student = User.objects.get(email=f"{code}-s0000@example.edu")
    reviewed = list(
        Reading.objects.filter(course=course, reviews__isnull=False)
        .distinct()
        .select_related("session")
        .order_by("session__date", "order", "id")
    )
    claim = Claim.objects.filter(course=course, student=student).select_related("reading").first()
    reading = reviewed[1] if len(reviewed) > 1 else reviewed[0]
    return BuiltCourse(
        course=course,
        instructor=User.objects.get(email=f"{code}-instructor@example.edu"),
        ta=User.objects.get(email=f"{code}-ta@example.edu"),
        student=student,
        presented=claim.reading if claim else reading,
        reading=reading,
        session=reading.session,
        students=course.memberships.filter(role="student").count(),
    )
