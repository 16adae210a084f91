"""One small but complete course world for the security tests, built once per module.

People, and what each may reach in `course` (ECS 289D):
- anon: the public schedule, session pages and slides; everything else sends them to sign-in.
- student (Sam): a student of the course with no team and no claim: their own pages only.
- outsider (Charlie): a student of `other_course` only: nothing personal in `course` (404).
- presenter (Pat): holds the active claim on `reading`: its slides upload and its digest,
  and the aggregate of its presenter feedback (Alice's response, the window closed).
- member (Alice): in team "Flash" with Bob: the team's page and files. Flash is the reviewer
  group of `session`'s panel: Alice reads `reading`'s digest (with names) as Pat does.
- rival (Carol): in team "Rivals": nothing of Flash's.
- ta, instructor: staff of `course`: every page and admin object of it.
- other_ta (Olga): TA of `other_course` only: admin access, but nothing of `course`.

`pref_course` (ECS 289D by preference, its preference window open at NOW) has Sam and
Alice as students (Alice ranked both its readings) and the same ta and instructor; nobody
else is in it. Its allocation has been run, not published. In `course`, Carol holds a claim
on a second reading too, and Pat has offered her a swap (pending).

`other_course` mirrors the personal objects (claim, slides, team, submission, review,
scores) so that swapping an id for another course's object can be tried everywhere.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django_tasks_db.models import DBTaskResult, get_date_max

from attendance.models import Attendance, AttendanceSettings, CheckIn
from claims.models import Allocation, Claim, ClaimEvent, Preference, Slides, SwapProposal
from courses.models import Course, Membership, OutgoingEmail, Paper, Reading, Role, Session
from discussions.models import DiscussionSettings, Post, ThreadRule
from feedback.models import FeedbackResponse, FeedbackSettings
from grading.models import ComponentSource, GradeComponent, ManualScore
from lti.models import ContextLink, Deployment, Platform, PlatformUser, ToolKey
from panels.models import ReviewerGroup
from projects.models import Deliverable, Milestone, MilestoneGrade, Submission
from reviews.models import Extension, Review, ReviewKind
from teams.models import Team
from tests import factories as f
from tests.factories import LA, PDF  # noqa: F401 - PDF: the bytes of the world's files, tests compare with it

# Wed 2025-11-05 noon: the day after the session, so reviews are due and digests open;
# claim window and team deadline have passed; the project milestone is still open.
NOW = datetime(2025, 11, 5, 12, 0, tzinfo=LA)

ROLES = (
    "anon",
    "student",
    "outsider",
    "presenter",
    "member",
    "rival",
    "ta",
    "instructor",
    "other_ta",
)
STUDENT_ROLES = ("student", "presenter", "member", "rival")


@dataclass
class CourseWorld:
    """The objects of one course, by name."""

    course: Course
    session: Session = None
    paper: Paper = None
    reading: Reading = None
    claim: Claim = None
    claim_event: ClaimEvent = None
    slides: Slides = None
    team: Team = None
    milestone: Milestone = None
    submission: Submission = None
    text_submission: Submission = None
    milestone_grade: MilestoneGrade = None
    kind: ReviewKind = None
    review: Review = None
    extension: Extension = None
    component: GradeComponent = None
    manual_component: GradeComponent = None
    manual_score: ManualScore = None
    membership: Membership = None
    lti_link: ContextLink = None
    allocation: Allocation = None  # in `course`'s world: the by-preference course's
    preference: Preference = None
    swap: SwapProposal = None
    checkin: CheckIn = None
    attendance: Attendance = None
    attendance_settings: AttendanceSettings = None
    reviewer_group: ReviewerGroup = None
    feedback_settings: FeedbackSettings = None
    feedback: FeedbackResponse = None
    discussion_settings: DiscussionSettings = None
    thread_rule: ThreadRule = None
    post: Post = None  # the review's author's, in the reading's thread
    reply: Post = None  # the presenter's anonymous reply to it


@dataclass
class World:
    here: CourseWorld
    there: CourseWorld
    users: dict = field(default_factory=dict)
    rival_team: Team = None
    pref: CourseWorld = None
    allocation: Allocation = None
    preference: Preference = None
    swap: SwapProposal = None
    group: Group = None
    axes: dict = field(default_factory=dict)
    outbox: dict = field(default_factory=dict)
    lti: dict = field(default_factory=dict)

    def user(self, role):
        return self.users.get(role)


def _member(course, email, name, role):
    # No usable password: the tests sign in with force_login.
    return f.MembershipFactory(
        course=course, role=role, user__email=email, user__name=name, user__password=None
    ).user


def _course_objects(course, *, presenter, author, team_members, team_name, grader):
    w = CourseWorld(course=course)
    w.session = f.SessionFactory(course=course, date=date(2025, 11, 4), topic="Inference")
    w.paper = f.PaperFactory(
        course=course,
        title=f"FlashInfer for {course.code}",
        authors="Ye et al.",
        venue="MLSys",
        year=2025,
        url="https://arxiv.org/abs/2501.01005",
    )
    w.reading = f.ReadingFactory(session=w.session, paper=w.paper, order=1)
    w.claim = f.ClaimFactory(course=course, reading=w.reading, student=presenter)
    w.claim_event = f.ClaimEventFactory(course=course, reading=w.reading, actor=presenter)
    w.slides = f.SlidesFactory(reading=w.reading, uploaded_by=presenter)
    w.team = f.TeamFactory(
        course=course, name=team_name, created_by=team_members[0], members=team_members
    )

    w.component = f.GradeComponentFactory(
        course=course, name="Final report", weight=Decimal(60), source=ComponentSource.MILESTONE,
        published=True, order=1,
    )  # fmt: skip
    w.manual_component = f.GradeComponentFactory(
        course=course, name="Participation", weight=Decimal(40), source=ComponentSource.MANUAL,
        published=True, order=2,
    )  # fmt: skip
    submitted_at = datetime(2025, 11, 1, 12, 0, tzinfo=LA)
    w.milestone = f.MilestoneFactory(
        course=course,
        name="Final report",
        due_at=datetime(2025, 12, 1, 23, 59, tzinfo=LA),
        deliverable=Deliverable.FILE,
        component=w.component,
        order=1,
    )
    w.submission = f.SubmissionFactory(
        milestone=w.milestone,
        team=w.team,
        submitted_by=team_members[0],
        submitted_at=submitted_at,
        pdf=True,
    )
    text_milestone = f.MilestoneFactory(
        course=course,
        name="Check-in notes",
        due_at=datetime(2025, 12, 2, 23, 59, tzinfo=LA),
        deliverable=Deliverable.TEXT,
        order=2,
    )
    w.text_submission = f.SubmissionFactory(
        milestone=text_milestone,
        team=w.team,
        submitted_by=team_members[0],
        submitted_at=submitted_at,
        text="We met on Monday.",
    )
    w.milestone_grade = f.MilestoneGradeFactory(
        milestone=w.milestone, team=w.team, points=Decimal(90), feedback="Solid.", published=True
    )

    w.kind = f.ReviewKindFactory(
        course=course,
        name="Paper review",
        slug="review",
        prompts=[
            {"key": "summary", "label": "Summary", "required": True},
            {"key": "questions", "label": "Questions", "required": False, "gather": True},
        ],
        due_kind="before",
        due_days_before=1,
        due_time=time(23, 59),
    )
    written_at = datetime(2025, 11, 2, 12, 0, tzinfo=LA)
    w.review = f.ReviewFactory(
        kind=w.kind,
        reading=w.reading,
        student=author,
        answers={"summary": "A fast attention engine.", "questions": "Does it scale?"},
        submitted_at=written_at,
        first_submitted_at=written_at,
        points=Decimal(1),
        feedback="Good.",
        feedback_published=True,
        graded_by=grader,
    )
    w.extension = f.ExtensionFactory(
        course=course, kind=w.kind, student=author, due_at=datetime(2025, 11, 10, tzinfo=LA)
    )
    w.manual_score = f.ManualScoreFactory(
        component=w.manual_component, student=author, points=Decimal(95), feedback="Spoke up."
    )
    w.membership = Membership.objects.get(course=course, user=author)
    w.attendance_settings = AttendanceSettings.objects.create(course=course, grace_minutes=5)
    w.checkin = CheckIn.objects.create(session=w.session, code="HX7KP")
    w.attendance = Attendance.objects.create(
        checkin=w.checkin, student=author, checked_in_at=datetime(2025, 11, 4, 10, 35, tzinfo=LA)
    )
    w.reviewer_group = ReviewerGroup.objects.create(session=w.session, team=w.team)
    # Presenter feedback: the window (class end + 24 h) closed at 11:50 on Wed, before NOW,
    # and one response is enough, so the presenter reads the aggregate at NOW.
    w.feedback_settings = FeedbackSettings.objects.create(
        course=course, opens="end", closes_after_hours=24, min_responses=1
    )
    given_at = datetime(2025, 11, 4, 12, 5, tzinfo=LA)
    w.feedback = FeedbackResponse.objects.create(
        reading=w.reading, student=author, ratings={"clarity": 4, "depth": 5, "discussion": 3},
        comment="Clear and well paced.", submitted_at=given_at, updated_at=given_at,
    )  # fmt: skip
    # A thread on the session's readings: the author's post and the presenter's anonymous
    # reply (both long past the edit window at NOW).
    w.discussion_settings = DiscussionSettings.objects.create(course=course, edit_minutes=20)
    w.thread_rule = ThreadRule.objects.create(course=course, session=w.session)
    w.post = Post.objects.create(
        reading=w.reading, author=author, body="Who else *tried* it?", created_at=written_at
    )
    w.reply = Post.objects.create(
        reading=w.reading, author=presenter, parent=w.post, body="I did.", anonymous=True,
        created_at=written_at,
    )  # fmt: skip
    return w


def build_world() -> World:
    course = f.CourseFactory(code="ecs289d-f25", team_min_size=2)
    other = f.CourseFactory(
        code="cse585-f25",
        title="Advanced Scalable Systems for GenAI",
        time_zone="America/Detroit",
        team_min_size=1,
    )
    u = {
        "instructor": _member(course, "yang@example.edu", "Yang Zhou", Role.INSTRUCTOR),
        "ta": _member(course, "ta@example.edu", "Terry Assistant", Role.TA),
        "student": _member(course, "sam@example.edu", "Sam Student", Role.STUDENT),
        "presenter": _member(course, "pat@example.edu", "Pat Presenter", Role.STUDENT),
        "member": _member(course, "alice@example.edu", "Alice Archer", Role.STUDENT),
        "rival": _member(course, "carol@example.edu", "Carol Cho", Role.STUDENT),
        "outsider": _member(other, "charlie@example.edu", "Charlie Chen", Role.STUDENT),
        "other_ta": _member(other, "ota@example.edu", "Olga Other", Role.TA),
    }
    bob = _member(course, "bob@example.edu", "Bob Baker", Role.STUDENT)
    u["bob"] = bob
    other_presenter = _member(other, "oscar@example.edu", "Oscar Other", Role.STUDENT)

    here = _course_objects(
        course,
        presenter=u["presenter"],
        author=u["member"],
        team_members=[u["member"], bob],
        team_name="Flash",
        grader=u["ta"],
    )
    there = _course_objects(
        other,
        presenter=other_presenter,
        author=u["outsider"],
        team_members=[u["outsider"]],
        team_name="Others",
        grader=u["other_ta"],
    )
    world = World(here=here, there=there, users=u)
    world.rival_team = f.TeamFactory(
        course=course, name="Rivals", created_by=u["rival"], members=[u["rival"]]
    )
    _preference_objects(world)
    world.group = Group.objects.create(name="graders")
    world.outbox = {
        "email": OutgoingEmail.objects.create(
            to="alice@example.edu",
            subject="You are invited",
            body="Hello",
            message_id="<1@seminar.test>",
            next_attempt_at=NOW,
        ),
        "task": DBTaskResult.objects.create(
            args_kwargs={"args": [1], "kwargs": {}},
            priority=0,
            task_path="courses.tasks.deliver_email",
            queue_name="default",
            run_after=get_date_max(),  # no "run after": what the tests' backend supports
            backend_name="default",
        ),
    }
    world.axes = {
        "accessattempt": AccessAttempt.objects.create(
            username="alice@example.edu",
            ip_address="10.0.0.1",
            user_agent="x",
            failures_since_start=1,
            get_data="",
            post_data="",
        ),  # fmt: skip
        "accesslog": AccessLog.objects.create(
            username="alice@example.edu", ip_address="10.0.0.1", user_agent="x"
        ),
        "accessfailurelog": AccessFailureLog.objects.create(
            username="alice@example.edu", ip_address="10.0.0.1", user_agent="x"
        ),
    }
    platform = Platform.objects.create(
        name="Campus Canvas",
        issuer="https://canvas.example.edu",
        client_id="10000000000001",
        auth_login_url="https://canvas.example.edu/api/lti/authorize_redirect",
        auth_token_url="https://canvas.example.edu/login/oauth2/token",
        key_set_url="https://canvas.example.edu/api/lti/security/jwks",
    )
    deployment = Deployment.objects.create(platform=platform, deployment_id="1:abc")
    for side, context in ((here, "canvas-1"), (there, "canvas-2")):
        side.lti_link = ContextLink.objects.create(
            platform=platform,
            deployment=deployment,
            context_id=context,
            context_title=f"{side.course.code} in Canvas",
            course=side.course,
        )
    world.lti = {
        "platform": platform,
        "deployment": deployment,
        "key": ToolKey.signing(),
        "user": PlatformUser.objects.create(
            platform=platform, sub="canvas-alice", user=u["member"]
        ),
    }
    return world


def _preference_objects(world: World) -> None:
    from claims.preferences import allocation_run

    u = world.users
    course = f.CourseFactory(
        code="ecs289d-pref",
        title="Datacenter Systems for LLMs, by preference",
        claims_mode="preferences",
        claims_open_at=None,
        claims_close_at=None,
        preferences_open_at=datetime(2025, 11, 1, 9, 0, tzinfo=LA),
        preferences_close_at=datetime(2025, 11, 10, 23, 59, tzinfo=LA),
        without_projects=True,
    )
    for role, as_ in (
        ("instructor", Role.INSTRUCTOR),
        ("ta", Role.TA),
        ("student", Role.STUDENT),
        ("member", Role.STUDENT),
    ):
        Membership.objects.create(course=course, user=u[role], role=as_)
    w = CourseWorld(course=course)
    w.session = f.SessionFactory(course=course, date=date(2025, 11, 20), topic="Serving")
    w.paper = f.PaperFactory(course=course, title="Orca for ecs289d-pref")
    w.reading = f.ReadingFactory(session=w.session, paper=w.paper, order=1)
    second = f.ReadingFactory(
        session=w.session, paper=f.PaperFactory(course=course, title="vLLM"), order=2
    )
    for rank, reading in enumerate((w.reading, second), start=1):
        preference = Preference.objects.create(
            course=course, student=u["member"], reading=reading, rank=rank,
            ranked_by=u["member"], ranked_at=NOW,
        )  # fmt: skip
        world.preference = world.preference or preference
    world.pref = w
    world.allocation = allocation_run(course=course, actor=u["instructor"], seed=7)
    # A second claim in `course`, Carol's, and Pat's pending offer to swap with her.
    here = world.here
    orca = f.ReadingFactory(
        session=here.session, paper=f.PaperFactory(course=here.course, title="Orca"), order=2
    )
    carol_claim = f.ClaimFactory(course=here.course, reading=orca, student=u["rival"])
    world.swap = SwapProposal.objects.create(
        course=here.course, offered=here.claim, wanted=carol_claim, proposed_by=u["presenter"]
    )
    here.allocation, here.preference, here.swap = world.allocation, world.preference, world.swap
    # The same kinds of object in `other_course`, for the id-swapping walk.
    there = world.there
    there.allocation = Allocation.objects.create(course=there.course, seed=1)
    there.preference = Preference.objects.create(
        course=there.course, student=u["outsider"], reading=there.reading, rank=1,
        ranked_by=u["outsider"], ranked_at=NOW,
    )  # fmt: skip
    other_reading = f.ReadingFactory(
        session=there.session, paper=f.PaperFactory(course=there.course, title="Other"), order=2
    )
    outsider_claim = f.ClaimFactory(
        course=there.course, reading=other_reading, student=u["outsider"]
    )
    there.swap = SwapProposal.objects.create(
        course=there.course, offered=outsider_claim, wanted=there.claim, proposed_by=u["outsider"]
    )


def signed_in_world() -> World:
    """build_world(), with ``sessions``: each role's session key (anonymous has none), for
    test clients and browsers to present as a cookie."""
    from django.conf import settings
    from django.test import Client

    w = build_world()
    w.sessions = {}
    for role in ROLES:
        if role != "anon":
            client = Client()
            client.force_login(w.users[role])
            w.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return w
