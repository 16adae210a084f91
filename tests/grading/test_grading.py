"""Weighted grading: the computation, checked against numbers worked out by hand.

People:
- alice: ECS 289D student whose grade is worked out by hand below; sees her own grades only.
- bob: another ECS 289D student; must never reach alice's grades.
- instructor: runs ECS 289D; may see any student's grades page and the gradebook.
- charlie, dana: CSE 585 students in the same group (team claim points count for both).

Reviews and projects supply their scores through providers; until those apps
land, the tests register stub providers for "reviews", "bonus_reviews" and
"milestone" that return hand-made ItemScores (late penalty and per-student
adjustment already reflected in ``earned``, as the interface asks).
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from claims.models import Claim
from courses.models import Membership, Paper, PresentsBy, Reading, Role, Session
from courses.models.course import DEFAULT_LETTER_SCALE
from grading import engine as grading
from grading.engine import ItemScore, ItemStatus, compute_gradebook, letter_for, round2
from grading.models import ComponentSource, GradeComponent, ManualScore
from teams.models import Team, TeamMember

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
END_OF_TERM = datetime(2025, 12, 15, 12, 0, tzinfo=LA)
D = Decimal


def graded(label, earned, possible="10", note=""):
    return ItemScore(label, D(possible), ItemStatus.GRADED, D(earned), note=note)


def item(label, status, possible="10"):
    return ItemScore(label, D(possible), status)


class Stubs:
    """Stand-in providers for the apps being written; records how they are called."""

    def __init__(self):
        self.calls = []
        self.scores = {}  # (source, component name) -> {student_id: [ItemScore]}

    def provider(self, source):
        def provide(component, context):
            self.calls.append((source, component.name, len(context.students)))
            return self.scores.get((source, component.name), {})

        return provide


@pytest.fixture
def stubs(monkeypatch):
    stubs = Stubs()
    stubbed = {s: stubs.provider(s) for s in ("reviews", "bonus_reviews", "milestone")}
    apps_provider_for = grading.provider_for
    monkeypatch.setattr(
        grading, "provider_for", lambda source: stubbed.get(source) or apps_provider_for(source)
    )
    return stubs


def component(course, name, weight, source, *, group="", bonus=False, max_points="100", order=0):
    return GradeComponent.objects.create(
        course=course,
        name=name,
        group=group,
        weight=D(weight),
        is_bonus=bonus,
        source=source,
        max_points=D(max_points),
        published=True,
        order=order,
    )


@pytest.fixture
def ecs289d(course):
    """Seed 000's grading: project 50 = 1 + 4 + 10 + 35, presentation 25, reviews 15,
    participation 10, plus 5 bonus for reviews of optional readings."""
    S = ComponentSource
    return {
        "proposal": component(course, "Project proposal", "1", S.MILESTONE, group="Project"),
        "midterm": component(course, "Mid-term report", "4", S.MILESTONE, group="Project"),
        "final_pres": component(course, "Final presentation", "10", S.MILESTONE, group="Project"),
        "final_report": component(
            course, "Final report and code", "35", S.MILESTONE, group="Project"
        ),
        "presentation": component(
            course, "Class presentation", "25", S.PRESENTATION, max_points="10"
        ),
        "reviews": component(course, "Paper reviews", "15", S.REVIEWS),
        "participation": component(course, "Class participation", "10", S.PARTICIPATION),
        "bonus": component(course, "Optional-reading reviews", "5", S.BONUS_REVIEWS, bonus=True),
    }


def past_reading(course, title="Orca", day=date(2025, 10, 14), order=1):
    session, _ = Session.objects.get_or_create(course=course, date=day)
    paper = Paper.objects.create(course=course, title=title)
    return Reading.objects.create(session=session, paper=paper, order=order)


def test_worked_example_for_one_ecs289d_student_matches_the_hand_computation(
    ecs289d, stubs, alice, bob, course, login
):
    # Reviews (each out of 10): 9; a late one graded 8 under a 10% late penalty -> 7.2;
    # one excused; one missing (0); 10; one submitted but not graded yet.
    stubs.scores["reviews", "Paper reviews"] = {
        alice.pk: [
            graded("R1", "9"),
            graded("R2", "7.2", note="late 3 h 5 min: -10% (8 -> 7.2)"),
            item("R3", ItemStatus.EXCUSED),
            item("R4", ItemStatus.MISSING),
            graded("R5", "10"),
            item("R6", ItemStatus.UNGRADED),
        ]
    }
    # Bonus: optional readings due so far: 10, 5, and one not written (0).
    stubs.scores["bonus_reviews", "Optional-reading reviews"] = {
        alice.pk: [graded("O1", "10"), graded("O2", "5"), item("O3", ItemStatus.MISSING)]
    }
    # Milestones out of 100; team grade plus alice's per-student adjustment.
    for name, earned, note in [
        ("Project proposal", "90", ""),
        ("Mid-term report", "70", "team 80, adjustment -10"),
        ("Final presentation", "95", ""),
        ("Final report and code", "92", "team 88, adjustment +4"),
    ]:
        stubs.scores["milestone", name] = {alice.pk: [graded(name, earned, "100", note)]}
    # Presentation: 9 of 10 on her claim. Participation: 85 of 100.
    Claim.objects.create(course=course, reading=past_reading(course), student=alice, points=D(9))
    ManualScore.objects.create(component=ecs289d["participation"], student=alice, points=D(85))

    book = compute_gradebook(course, now=END_OF_TERM)
    row = book.row_for(alice)
    by_name = {s.component.name: s for s in row.components}

    # Component by component: weight x fraction.
    assert by_name["Project proposal"].projected_points == D("0.9")  # 1 x 90/100
    assert by_name["Mid-term report"].projected_points == D("2.8")  # 4 x 70/100
    assert by_name["Final presentation"].projected_points == D("9.5")  # 10 x 95/100
    assert by_name["Final report and code"].projected_points == D("32.2")  # 35 x 92/100
    assert by_name["Class presentation"].projected_points == D("22.5")  # 25 x 9/10
    assert by_name["Class participation"].projected_points == D("8.5")  # 10 x 85/100
    reviews = by_name["Paper reviews"]
    # current: (9 + 7.2 + 10) / (10 + 10 + 10 + 10 missing) = 26.2/40; excused and ungraded left out
    assert reviews.current_fraction == D("0.655")
    assert reviews.current_points == D("9.825")
    # projected: 26.2 / 50 (the ungraded one counts 0, the excused one not at all)
    assert reviews.projected_fraction == D("0.524")
    assert reviews.projected_points == D("7.86")
    # bonus: 5 x (10 + 5 + 0)/30
    assert by_name["Optional-reading reviews"].projected_points == D("2.5")

    # Projected final: 0.9 + 2.8 + 9.5 + 32.2 + 22.5 + 7.86 + 8.5 + 2.5
    assert row.projected_percent == D("86.76")
    assert row.final_letter == ("B", D("86.76"))
    # Current (graded work only): (0.9 + 2.8 + 9.5 + 32.2 + 22.5 + 9.825 + 8.5) / 100 x 100 + 2.5
    assert row.current_percent == D("88.725")
    assert row.current_letter == ("B+", D("88.73"))

    # Providers are called once per component, with every student at once.
    assert sorted(stubs.calls) == sorted(
        [("milestone", n, 2) for n in ("Project proposal", "Mid-term report")]
        + [("milestone", n, 2) for n in ("Final presentation", "Final report and code")]
        + [("reviews", "Paper reviews", 2), ("bonus_reviews", "Optional-reading reviews", 2)]
    )

    # The page shows the same numbers, and the letters with the number that decided them.
    with time_machine.travel(END_OF_TERM, tick=False):
        page = login(alice).get(reverse("grading:grades", args=[course.code]))
    html = page.content.decode()
    assert "86.76% · B" in html
    assert "88.73% · B+" in html
    for shown in ("0.90", "2.80", "9.50", "32.20", "22.50", "7.86", "8.50", "2.50", "9.83"):
        assert shown in html
    assert "late 3 h 5 min: -10% (8 -&gt; 7.2)" in html
    assert "team 88, adjustment +4" in html
    assert "1 missing" in html and "1 excused" in html and "1 awaiting grade" in html


@pytest.mark.parametrize(
    ("percent", "letter", "shown"),
    [
        ("89.994", "B+", "89.99"),
        ("89.995", "A", "90.00"),
        ("90", "A", "90.00"),
        ("86.995", "B+", "87.00"),
        ("59.99", "F", "59.99"),
        ("0", "F", "0.00"),
        ("104.5", "A", "104.50"),
    ],
)
def test_letters_use_the_percentage_rounded_half_up_to_two_decimals(percent, letter, shown):
    assert letter_for(D(percent), DEFAULT_LETTER_SCALE) == (letter, D(shown))


@pytest.mark.parametrize(
    ("points", "page_shows"),
    [("899.94", "89.99% · B+"), ("899.95", "90.00% · A")],
)
def test_boundary_grades_reach_the_students_page_with_the_deciding_number(
    course, alice, login, points, page_shows
):
    # 899.94 / 1000 = 89.994% -> 89.99 -> B+ ; 899.95 / 1000 = 89.995% -> 90.00 -> A
    only = component(course, "Everything", "100", ComponentSource.MANUAL, max_points="1000")
    ManualScore.objects.create(component=only, student=alice, points=D(points))
    page = login(alice).get(reverse("grading:grades", args=[course.code]))
    assert page_shows in page.content.decode()


def test_a_custom_letter_scale_decides_the_letter(course, alice):
    course.letter_scale = [["Pass", "70"], ["Fail", "0"]]
    course.save()
    only = component(course, "Everything", "100", ComponentSource.MANUAL)
    ManualScore.objects.create(component=only, student=alice, points=D("69.995"))
    row = compute_gradebook(course).row_for(alice)
    assert row.final_letter == ("Pass", D("70.00"))


def test_cse585_group_member_gets_the_team_presentation_points_and_a_correct_total(
    other_course, charlie, make_user, stubs
):
    other_course.presents_by = PresentsBy.TEAM
    other_course.save()
    S = ComponentSource
    component(other_course, "Paper summary", "15", S.REVIEWS)
    component(other_course, "Paper presentation", "15", S.PRESENTATION, max_points="10")
    participation = component(other_course, "Participation", "10", S.PARTICIPATION)
    component(other_course, "Project report", "40", S.MILESTONE)
    component(other_course, "Project presentations", "20", S.MILESTONE)
    dana = make_user("dana@example.edu", "Dana Diaz")
    Membership.objects.create(user=dana, course=other_course, role=Role.STUDENT)
    group = Team.objects.create(course=other_course, name="Group 3")
    for member in (charlie, dana):
        TeamMember.objects.create(team=group, user=member)
    Claim.objects.create(
        course=other_course,
        reading=past_reading(other_course, "Megatron-LM"),
        team=group,
        points=D(8),
    )
    ManualScore.objects.create(component=participation, student=charlie, points=D(90))
    stubs.scores["reviews", "Paper summary"] = {charlie.pk: [graded("S1", "9"), graded("S2", "7")]}
    stubs.scores["milestone", "Project report"] = {charlie.pk: [graded("R", "85", "100")]}
    stubs.scores["milestone", "Project presentations"] = {charlie.pk: [graded("P", "90", "100")]}

    book = compute_gradebook(other_course, now=END_OF_TERM)
    row = book.row_for(charlie)
    # 15 x 16/20 + 15 x 8/10 + 10 x 90/100 + 40 x 85/100 + 20 x 90/100 = 12 + 12 + 9 + 34 + 18
    assert row.projected_percent == D("85")
    assert row.current_percent == D("85")
    assert row.final_letter == ("B", D("85.00"))
    presentation = next(c for c in other_course.components.all() if c.source == S.PRESENTATION)
    for member in (charlie, dana):
        assert book.row_for(member).score_for(presentation).projected_points == D("12")


def test_presentation_is_upcoming_before_class_ungraded_after_and_graded_with_points(
    ecs289d, course, alice
):
    reading = past_reading(course, day=date(2025, 11, 4))
    claim = Claim.objects.create(course=course, reading=reading, student=alice)
    presentation = ecs289d["presentation"]

    def status(now):
        row = compute_gradebook(course, now=now).row_for(alice)
        return [i.status for i in row.score_for(presentation).items]

    assert status(datetime(2025, 11, 4, 10, 29, tzinfo=LA)) == [ItemStatus.UPCOMING]
    assert status(datetime(2025, 11, 4, 10, 30, tzinfo=LA)) == [ItemStatus.UNGRADED]
    claim.points = D("7.5")
    claim.save()
    assert status(datetime(2025, 11, 4, 10, 30, tzinfo=LA)) == [ItemStatus.GRADED]


def test_no_claim_is_missing_once_the_claim_window_closed(ecs289d, course, alice):
    presentation = ecs289d["presentation"]
    before = compute_gradebook(course, now=datetime(2025, 9, 26, tzinfo=LA)).row_for(alice)
    after = compute_gradebook(course, now=datetime(2025, 10, 1, tzinfo=LA)).row_for(alice)
    assert [i.status for i in before.score_for(presentation).items] == [ItemStatus.UPCOMING]
    assert [i.status for i in after.score_for(presentation).items] == [ItemStatus.MISSING]
    assert after.score_for(presentation).current_fraction == 0


def test_a_withdrawn_claim_does_not_count(ecs289d, course, alice):
    Claim.objects.create(
        course=course,
        reading=past_reading(course),
        student=alice,
        points=D(10),
        withdrawn_at=datetime(2025, 9, 27, tzinfo=LA),
    )
    row = compute_gradebook(course, now=END_OF_TERM).row_for(alice)
    assert row.score_for(ecs289d["presentation"]).earned == 0


def test_no_manual_score_yet_is_ungraded_left_out_of_current_and_zero_in_projection(course, alice):
    S = ComponentSource
    graded_part = component(course, "Quiz", "50", S.MANUAL)
    component(course, "Participation", "50", S.PARTICIPATION)
    ManualScore.objects.create(component=graded_part, student=alice, points=D(80))
    row = compute_gradebook(course).row_for(alice)
    assert row.current_percent == D("80")  # graded work only
    assert row.counted_weight == D("50")
    assert row.projected_percent == D("40")  # participation counts 0 until graded


def test_nothing_graded_yet_means_no_current_grade(course, alice, stubs):
    component(course, "Paper reviews", "100", ComponentSource.REVIEWS)
    stubs.scores["reviews", "Paper reviews"] = {alice.pk: [item("R1", ItemStatus.UPCOMING)]}
    row = compute_gradebook(course).row_for(alice)
    assert row.current_percent is None
    assert row.current_letter is None
    assert row.projected_percent == 0


def test_a_source_without_a_provider_contributes_nothing_rather_than_failing(
    course, alice, monkeypatch
):
    apps_provider_for = grading.provider_for
    monkeypatch.setattr(
        grading,
        "provider_for",
        lambda source: None if source == "milestone" else apps_provider_for(source),
    )
    component(course, "Report", "100", ComponentSource.MILESTONE)
    row = compute_gradebook(course).row_for(alice)
    assert row.components[0].items == []
    assert row.projected_percent == 0


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (["50", "45"], "add up to 95.00%, 5.00 short of 100"),
        (["50", "55"], "add up to 105.00%, 5.00 over 100"),
        (["50", "50"], None),
    ],
)
def test_weights_problem_says_by_how_much_the_weights_are_off(course, weights, message):
    components = [GradeComponent(weight=D(w), is_bonus=False) for w in weights]
    components.append(GradeComponent(weight=D("5"), is_bonus=True))  # bonus is not counted
    problem = grading.weights_problem(course, components)
    if message is None:
        assert problem is None
    else:
        assert message in problem


def test_current_floor_and_ceiling_worked_out_by_hand(course, alice, stubs):
    """Reviews 60%: graded 8/10 and 6/10, one missing (0/10), one awaiting a grade and one
    upcoming (10 each). Project 40%: nothing handed in yet (one upcoming item of 100).
    Bonus 5%: one optional review graded 10/10, one upcoming.
    - current: reviews 14/30 = 46.67% over 60% of the grade -> 46.666… + bonus 5 x 10/10
    - floor: 60 x 14/50 + 40 x 0 + 5 x 1 = 16.8 + 0 + 5 = 21.8
    - ceiling: 60 x (14 + 20)/50 + 40 x 1 + 5 x (10 + 10)/20 = 40.8 + 40 + 5 = 85.8"""
    S = ComponentSource
    component(course, "Paper reviews", "60", S.REVIEWS)
    component(course, "Project", "40", S.MILESTONE)
    component(course, "Optional reviews", "5", S.BONUS_REVIEWS, bonus=True)
    stubs.scores["reviews", "Paper reviews"] = {
        alice.pk: [
            graded("R1", "8"),
            graded("R2", "6"),
            ItemScore("R3", D(10), ItemStatus.MISSING, D(0)),
            item("R4", ItemStatus.UNGRADED),
            item("R5", ItemStatus.UPCOMING),
        ]
    }
    stubs.scores["milestone", "Project"] = {alice.pk: [item("Report", ItemStatus.UPCOMING, "100")]}
    stubs.scores["bonus_reviews", "Optional reviews"] = {
        alice.pk: [graded("O1", "10"), item("O2", ItemStatus.UPCOMING)]
    }
    row = compute_gradebook(course).row_for(alice)
    assert round2(row.current_percent) == D("51.67")  # 46.67 + 5 bonus
    assert row.floor_percent == D("21.8")
    assert row.ceiling_percent == D("85.8")
    assert row.floor_letter == ("F", D("21.80"))
    assert row.ceiling_letter == ("B", D("85.80"))
    reviews = row.components[0]
    assert (reviews.earned, reviews.counted_possible, reviews.open_possible) == (14, 30, 20)


def test_a_component_with_nothing_to_hand_in_yet_has_a_full_ceiling(course, alice, stubs):
    component(course, "Paper reviews", "100", ComponentSource.REVIEWS)
    row = compute_gradebook(course).row_for(alice)
    assert row.current_percent is None
    assert (row.floor_percent, row.ceiling_percent) == (0, 100)
