"""A CSE 585 panel (America/Detroit), layered on the shared factories.

The session of Tue 2025-11-04 (10:30 EST) reads "vLLM"; questions are due at 3 PM the day
before (Mon 11-03 15:00 EST = 20:00 UTC), the presenting group's summary 24 h after class.

People, and what each may reach of vLLM's questions:
- sam, sue: group "Attention", which presents vLLM: the digest and the email (presenters).
- tom, tia: group "Caching", the session's reviewer group: the digest and the email, from
  the due time on, with the names.
- ned: group "Neutral", which reviews another session (Thu 11-06): nothing of vLLM's.
- una: no group; asks a question like ned and tom: nothing of the digest.
- gsi: the course's TA (staff): everything, through the digest and the admin.
"""

from datetime import UTC, date, datetime, time

import pytest

from courses.models import PresentsBy, Role
from panels.models import ReviewerGroup
from reviews.models import Review
from tests import factories as f

QUESTION_DUE = datetime(2025, 11, 3, 20, 0, tzinfo=UTC)  # Mon 3 PM EST, the day before
OPEN = datetime(2025, 11, 3, 20, 1, tzinfo=UTC)  # "due 3:00 PM" covers its minute: then late
CLASS_START = datetime(2025, 11, 4, 15, 30, tzinfo=UTC)  # Tue 10:30 EST
QUESTION_PROMPTS = [
    {"key": "question", "label": "One insightful question", "required": True, "gather": True}
]
SUMMARY_PROMPTS = [{"key": "problem", "label": "The problem", "required": True}]


@pytest.fixture
def cse(db):
    course = f.CourseFactory(
        code="cse585-f25",
        title="Advanced Scalable Systems for GenAI",
        time_zone="America/Detroit",
        default_start_time=time(10, 30),
        presents_by=PresentsBy.TEAM,
        presenters_per_reading=1,
        team_min_size=1,
        team_max_size=4,
    )
    summary = f.ReviewKindFactory(
        course=course, name="Summary", slug="summary", prompts=SUMMARY_PROMPTS,
        written_by="team", readings="own", due_kind="after", due_hours_after=24, order=1,
    )  # fmt: skip
    question = f.ReviewKindFactory(
        course=course, name="Question", slug="question", prompts=QUESTION_PROMPTS,
        written_by="student", readings="presented", due_kind="before", due_days_before=1,
        due_time=time(15, 0), order=2,
    )  # fmt: skip
    session = f.SessionFactory(course=course, date=date(2025, 11, 4), title="Inference (4 of 5)")
    later = f.SessionFactory(course=course, date=date(2025, 11, 6), title="Inference (5 of 5)")
    vllm = f.ReadingFactory(session=session, paper__course=course, paper__title="vLLM", order=1)
    orca = f.ReadingFactory(session=later, paper__course=course, paper__title="Orca", order=1)
    return {
        "course": course, "summary": summary, "question": question, "session": session,
        "later": later, "vllm": vllm, "orca": orca,
    }  # fmt: skip


@pytest.fixture
def panel(cse):
    """The people (see the module docstring), the claims and the reviewer groups."""
    course = cse["course"]
    people = {
        name: f.StudentFactory(course=course, email=f"{name}@umich.edu", name=f"{name.title()} M")
        for name in ("sam", "sue", "tom", "tia", "ned", "una")
    }
    people["gsi"] = f.MembershipFactory(
        course=course, role=Role.TA, user__email="gsi@umich.edu", user__name="Gia GSI"
    ).user
    groups = {
        "attention": f.TeamFactory(course=course, name="Attention", members=[people["sam"], people["sue"]]),
        "caching": f.TeamFactory(course=course, name="Caching", members=[people["tom"], people["tia"]]),
        "neutral": f.TeamFactory(course=course, name="Neutral", members=[people["ned"]]),
    }  # fmt: skip
    f.ClaimFactory(course=course, reading=cse["vllm"], by_team=True, team=groups["attention"])
    f.ClaimFactory(course=course, reading=cse["orca"], by_team=True, team=groups["caching"])
    ReviewerGroup.objects.create(session=cse["session"], team=groups["caching"])
    ReviewerGroup.objects.create(session=cse["later"], team=groups["neutral"])
    return {**cse, **people, **groups}


def ask(panel, who, text, at=None):
    """``who`` asks a question about vLLM (on time: an hour before the due time)."""
    at = at or datetime(2025, 11, 3, 19, 0, tzinfo=UTC)
    return Review.objects.create(
        kind=panel["question"], reading=panel["vllm"], student=panel[who],
        answers={"question": text}, submitted_at=at, first_submitted_at=at,
    )  # fmt: skip


@pytest.fixture
def asked(panel):
    """una, ned and tom have asked their questions."""
    ask(panel, "una", "Does paging survive long prompts?")
    ask(panel, "ned", "What about prefix sharing?")
    ask(panel, "tom", "How big are the blocks?")
    return panel
