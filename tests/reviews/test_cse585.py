"""CSE 585's two kinds side by side: a team summary of the reading the team presented
(due 24 h after class, no credit late) and an individual question per presented reading
(due 3 PM the day before), in America/Detroit.

- sam and sue are in team "Attention" which presents `presented`; tom is in team "Caching".
- `unpresented` has no claim: nobody owes anything for it.
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine

from grading.engine import score_component
from grading.models import ComponentSource
from reviews.models import Review
from tests import factories as f

SUMMARY_PROMPTS = [
    {"key": "problem", "label": "What is the problem and why is it important?", "required": True},
    {"key": "hypothesis", "label": "What is the hypothesis of the work?", "required": True},
    {
        "key": "solution",
        "label": "What is the proposed solution, and what key insight guides it?",
        "required": True,
    },
    {
        "key": "drawbacks",
        "label": "One drawback or limitation, and how you would improve it",
        "required": True,
    },
]
QUESTION_PROMPTS = [
    {"key": "question", "label": "One insightful question", "required": True, "gather": True}
]
SUMMARY_ANSWERS = {"problem": "P", "hypothesis": "H", "solution": "S", "drawbacks": "D"}


@pytest.fixture
def cse(other_course):
    other_course.default_start_time = time(10, 30)
    other_course.save()
    summaries = f.GradeComponentFactory(
        course=other_course,
        name="Paper summary",
        weight=Decimal("15"),
        source=ComponentSource.REVIEWS,
    )
    questions = f.GradeComponentFactory(
        course=other_course, name="Questions", weight=Decimal("10"), source=ComponentSource.REVIEWS
    )
    summary = f.ReviewKindFactory(
        course=other_course,
        name="Summary",
        slug="summary",
        prompts=SUMMARY_PROMPTS,
        written_by="team",
        readings="own",
        due_kind="after",
        due_hours_after=24,
        late_policy="no_credit",
        max_points=Decimal("10"),
        component=summaries,
        order=1,
    )
    question = f.ReviewKindFactory(
        course=other_course,
        name="Question",
        slug="question",
        prompts=QUESTION_PROMPTS,
        written_by="student",
        readings="presented",
        due_kind="before",
        due_days_before=1,
        due_time=time(15, 0),
        late_policy="no_credit",
        component=questions,
        order=2,
    )
    session = f.SessionFactory(course=other_course, date=date(2025, 11, 4))
    presented = f.ReadingFactory(session=session, paper__title="vLLM", order=1)
    unpresented = f.ReadingFactory(session=session, paper__title="Orca", order=2)
    return other_course, summary, question, presented, unpresented


@pytest.fixture
def people(cse):
    course, summary, question, presented, unpresented = cse
    users = {
        name: f.StudentFactory(course=course, email=f"{name}@umich.edu", name=name.title())
        for name in ("sam", "sue", "tom")
    }
    attention = f.TeamFactory(course=course, name="Attention", members=[users["sam"], users["sue"]])
    f.TeamFactory(course=course, name="Caching", members=[users["tom"]])
    f.ClaimFactory(course=course, reading=presented, by_team=True, team=attention)
    users["attention"] = attention
    return users


CLASS_START = datetime(2025, 11, 4, 15, 30, tzinfo=UTC)  # 10:30 EST
QUESTION_DUE = datetime(2025, 11, 3, 20, 0, tzinfo=UTC)  # 15:00 EST the day before


def test_presenting_team_owes_a_summary_and_everyone_owes_a_question(cse, people, login):
    course, summary, question, presented, unpresented = cse
    page = login(people["sam"]).get(f"/courses/{course.code}/reviews/").content.decode()
    assert page.count("vLLM") == 1 and "Orca" not in page  # the summary; presenters ask no question
    tom_page = login(people["tom"]).get(f"/courses/{course.code}/reviews/").content.decode()
    assert tom_page.count("vLLM") == 1  # only the question
    url = f"/courses/{course.code}/readings/{presented.pk}/review/?kind=summary"
    assert login(people["tom"]).get(url).status_code == 200  # falls back to his question form
    assert "One insightful question" in login(people["tom"]).get(url).content.decode()
    assert (
        login(people["tom"])
        .get(f"/courses/{course.code}/readings/{unpresented.pk}/review/")
        .status_code
        == 404
    )


def test_due_times_follow_each_kinds_policy_in_detroit(cse, people, login):
    course, summary, question, presented, _ = cse
    base = f"/courses/{course.code}/readings/{presented.pk}/review/"
    with time_machine.travel(QUESTION_DUE - timedelta(hours=1), tick=False):
        q = login(people["tom"]).get(f"{base}?kind=question").content.decode()
        s = login(people["sam"]).get(f"{base}?kind=summary").content.decode()
    assert "Monday, Nov 3, 2025, 3:00 PM EST" in q
    assert "Wednesday, Nov 5, 2025, 10:30 AM EST" in s


def test_presenters_owe_no_question_on_their_own_reading(cse, people, login):
    course, _, _, presented, _ = cse
    url = f"/courses/{course.code}/readings/{presented.pk}/review/?kind=question"
    page = login(people["sue"]).get(url).content.decode()
    assert "One insightful question" not in page  # she gets her team's summary form instead
    assert "What is the hypothesis of the work?" in page


def test_any_team_member_edits_the_one_team_summary(cse, people, login):
    course, summary, _, presented, _ = cse
    url = f"/courses/{course.code}/readings/{presented.pk}/review/?kind=summary"
    with time_machine.travel(CLASS_START + timedelta(hours=2), tick=False):
        login(people["sam"]).post(url, SUMMARY_ANSWERS)
        login(people["sue"]).post(url, {**SUMMARY_ANSWERS, "drawbacks": "Sue's improvement"})
    review = Review.objects.get(kind=summary)
    assert review.team == people["attention"]
    assert review.answers["drawbacks"] == "Sue's improvement"
    assert review.edited_by == people["sue"]


def test_late_summary_is_kept_but_earns_no_credit(cse, people, login):
    course, summary, _, presented, _ = cse
    url = f"/courses/{course.code}/readings/{presented.pk}/review/?kind=summary"
    # Due 24 h after class starts, through that whole minute: an hour after the minute ends.
    with time_machine.travel(CLASS_START + timedelta(hours=25, minutes=1), tick=False):
        page = login(people["sam"]).post(url, SUMMARY_ANSWERS, follow=True).content.decode()
    assert "Submitted 1 h late" in page
    Review.objects.update(points=Decimal("10"))
    scores = score_component(
        summary.component, [people["sam"], people["tom"]], CLASS_START + timedelta(days=3)
    )
    (item,) = scores[people["sam"].pk]
    assert (item.status, item.earned) == ("graded", Decimal("0"))
    assert scores[people["tom"].pk] == []


def test_questions_are_gathered_in_the_presenters_digest(cse, people, login):
    course, _, question, presented, _ = cse
    url = f"/courses/{course.code}/readings/{presented.pk}/review/?kind=question"
    with time_machine.travel(QUESTION_DUE - timedelta(hours=1), tick=False):
        login(people["tom"]).post(url, {"question": "Why paging and not compaction?"})
    with time_machine.travel(QUESTION_DUE + timedelta(hours=1), tick=False):
        page = (
            login(people["sue"])
            .get(f"/courses/{course.code}/readings/{presented.pk}/digest/")
            .content.decode()
        )
    assert "1 of 1 submitted" in page  # tom is the only one who owes a question
    assert "Why paging and not compaction?" in page
    assert "Summary: the reviews open here at the due time" in page
