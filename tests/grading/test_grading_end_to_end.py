"""The ECS 289D worked example again, end to end: real reviews, milestones, claims and
manual scores feeding the real providers, read on alice's grades page.

People:
- alice: the student worked out by hand; sees only her own grades.
- bob: alice's teammate (shares the team's milestone grades, not her adjustments).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from claims.models import Claim
from courses.models import Paper, Reading, Session
from grading.engine import compute_gradebook
from grading.models import ComponentSource, GradeComponent, ManualScore
from projects import models as projects_models
from reviews import models as reviews_models
from teams.models import Team, TeamMember

pytestmark = pytest.mark.django_db
LA = ZoneInfo("America/Los_Angeles")
END_OF_TERM = datetime(2025, 12, 15, 12, 0, tzinfo=LA)
D = Decimal


def component(course, name, weight, source, **extra):
    return GradeComponent.objects.create(
        course=course, name=name, weight=D(weight), source=source, published=True, **extra
    )


def test_worked_example_end_to_end_with_reviews_milestones_claims_and_manual_scores(
    course, alice, bob, login
):
    S = ComponentSource
    reviews_component = component(course, "Paper reviews", "15", S.REVIEWS)
    bonus = component(course, "Optional reviews", "5", S.BONUS_REVIEWS, is_bonus=True)
    participation = component(course, "Class participation", "10", S.PARTICIPATION)
    component(course, "Class presentation", "25", S.PRESENTATION, max_points=D(10))
    milestones = {
        name: component(course, name, weight, S.MILESTONE, group="Project")
        for name, weight in [
            ("Project proposal", "1"),
            ("Mid-term report", "4"),
            ("Final presentation", "10"),
            ("Final report and code", "35"),
        ]
    }

    # Reviews: due 11:59 pm the night before class, 10 points, -10% per started day late.
    kind = reviews_models.ReviewKind.objects.create(
        course=course,
        name="Paper review",
        slug="review",
        prompts=[{"key": "summary", "label": "Summary", "required": True}],
        late_policy=reviews_models.LatePolicy.PENALTY,
        late_penalty_percent=D(10),
        max_points=D(10),
        component=reviews_component,
        counts_optional_as_bonus=True,
    )
    required, optional = [], []
    for week in range(6):
        session = Session.objects.create(
            course=course, date=date(2025, 10, 7) + timedelta(weeks=week)
        )
        paper = Paper.objects.create(course=course, title=f"Required {week + 1}")
        required.append(Reading.objects.create(session=session, paper=paper, order=1))
        if week < 3:
            paper = Paper.objects.create(course=course, title=f"Optional {week + 1}")
            optional.append(
                Reading.objects.create(session=session, paper=paper, order=2, required=False)
            )

    def write(reading, points=None, late=timedelta(0), **extra):
        due = datetime.combine(
            reading.session.date - timedelta(days=1), datetime.min.time(), tzinfo=LA
        ) + timedelta(hours=23, minutes=59)
        at = due + late if late else due - timedelta(hours=2)
        reviews_models.Review.objects.create(
            kind=kind,
            reading=reading,
            student=alice,
            answers={"summary": "text"},
            submitted_at=at,
            first_submitted_at=at,
            points=points,
            **extra,
        )

    write(required[0], D(9))
    write(required[1], D(8), late=timedelta(hours=3))  # one started day: 8 -> 7.20
    write(required[2], D(10), is_excused=True)
    # required[3]: never written -> missing, 0
    write(required[4], D(10))
    write(required[5])  # submitted, not graded yet
    write(optional[0], D(10))
    write(optional[1], D(5))
    # optional[2]: not written -> 0 in the bonus mean

    # Milestones out of 100, graded per team; alice's own adjustments on two of them.
    team = Team.objects.create(course=course, name="Flash Team")
    for member in (alice, bob):
        TeamMember.objects.create(team=team, user=member)
    for order, (name, points, delta) in enumerate(
        [
            ("Project proposal", 90, None),
            ("Mid-term report", 80, -10),
            ("Final presentation", 95, None),
            ("Final report and code", 88, 4),
        ]
    ):
        milestone = projects_models.Milestone.objects.create(
            course=course,
            name=name,
            due_at=datetime(2025, 10, 16, 23, 59, tzinfo=LA) + timedelta(weeks=2 * order),
            deliverable=projects_models.Deliverable.NONE,
            component=milestones[name],
            order=order,
        )
        grade = projects_models.MilestoneGrade.objects.create(
            milestone=milestone, team=team, points=D(points), published=True, held=True
        )
        if delta is not None:
            projects_models.MilestoneAdjustment.objects.create(
                grade=grade, student=alice, delta=D(delta), reason="individual contribution"
            )

    # Presentation 9/10 on her claim; participation 85/100.
    Claim.objects.create(course=course, reading=required[0], student=alice, points=D(9))
    ManualScore.objects.create(component=participation, student=alice, points=D(85))

    row = compute_gradebook(course, now=END_OF_TERM).row_for(alice)
    points = {s.component.name: s.projected_points for s in row.components}
    assert points == {
        "Paper reviews": D("7.86"),  # 15 x (9 + 7.2 + 10) / 50: excused out, ungraded and missing 0
        "Optional reviews": D("2.5"),  # 5 x (10 + 5 + 0) / 30
        "Class participation": D("8.5"),  # 10 x 85/100
        "Class presentation": D("22.5"),  # 25 x 9/10
        "Project proposal": D("0.9"),  # 1 x 90/100
        "Mid-term report": D("2.8"),  # 4 x (80 - 10)/100
        "Final presentation": D("9.5"),  # 10 x 95/100
        "Final report and code": D("32.2"),  # 35 x (88 + 4)/100
    }
    assert row.score_for(reviews_component).current_fraction == D("0.655")  # 26.2 / 40
    assert row.score_for(bonus).projected_points == D("2.5")
    assert row.projected_percent == D("86.76")
    assert row.final_letter == ("B", D("86.76"))
    assert row.current_percent == D("88.725")
    assert row.current_letter == ("B+", D("88.73"))

    bob_row = compute_gradebook(course, now=END_OF_TERM).row_for(bob)
    assert bob_row.score_for(milestones["Mid-term report"]).projected_points == D("3.2")  # 4 x 80

    with time_machine.travel(END_OF_TERM, tick=False):
        page = login(alice).get(reverse("grading:grades", args=[course.code]))
    html = page.content.decode()
    assert "86.76% · B" in html and "88.73% · B+" in html
