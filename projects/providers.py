"""What projects contributes to courses' extension points: deadlines and milestone scores."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse

from courses.deadlines import DueItem
from courses.models import Membership, Role
from grading.engine import ItemScore, ItemStatus
from projects.models import (
    Deliverable,
    Milestone,
    MilestoneAdjustment,
    MilestoneExtension,
    MilestoneGrade,
    Submission,
)
from teams.models import TeamMember


def _team_due_items(user, project_courses, student_in, team_of_course) -> list[DueItem]:
    """Until the membership deadline: form or join a team (done once in one)."""
    return [
        DueItem(
            course=project_courses[course_id],
            title="Form or join a project team",
            due_at=project_courses[course_id].team_deadline,
            url=reverse("teams:team", args=[project_courses[course_id].code]),
            kind="team",
            done=course_id in team_of_course,
            uid=f"team-{course_id}-{user.pk}",
        )
        for course_id in student_in
        if project_courses[course_id].team_deadline
    ]


def milestone_deadlines(user, courses):
    """Milestones of the user's project courses (as a student); done = submitted or held.

    Six queries at most, whatever the number of courses or milestones. A team's
    extension is its due time.
    """
    project_courses = {c.pk: c for c in courses if c.uses_projects}
    if not project_courses or not user.is_authenticated:
        return []
    student_in = set(
        Membership.objects.filter(
            user=user, course_id__in=list(project_courses), role=Role.STUDENT
        ).values_list("course_id", flat=True)
    )
    if not student_in:
        return []
    team_of_course = dict(
        TeamMember.objects.filter(user=user, course_id__in=student_in).values_list(
            "course_id", "team_id"
        )
    )
    team_ids = list(team_of_course.values())
    teams_due = _team_due_items(user, project_courses, student_in, team_of_course)
    milestones = list(Milestone.objects.filter(course_id__in=student_in))
    if not milestones:
        return teams_due
    done = set()
    if team_ids:
        done |= set(
            Submission.objects.filter(team_id__in=team_ids).values_list("milestone_id", flat=True)
        )
        done |= set(
            MilestoneGrade.objects.filter(
                team_id__in=team_ids, held=True, milestone__deliverable=Deliverable.NONE
            ).values_list("milestone_id", flat=True)
        )
    extended = {}
    if team_ids:
        extended = dict(
            MilestoneExtension.objects.filter(team_id__in=team_ids).values_list(
                "milestone_id", "due_at"
            )
        )
    items = teams_due
    for m in milestones:
        course = project_courses[m.course_id]
        items.append(
            DueItem(
                course=course,
                title=f"{m.name} (project)",
                due_at=m.team_due(extended.get(m.pk)),
                url=reverse("teams:team", args=[course.code]) + f"#m{m.pk}",
                kind="milestone",
                done=m.pk in done,
                uid=f"milestone-{m.pk}",
            )
        )
    return items


def milestone_scores(component, context):
    """Per student, one ItemScore per milestone feeding ``component``.

    - graded: the team's points (published ones, ``for_students``) after the late policy (judged on the
      latest version), then the student's adjustment (delta or override), kept
      within 0 … max points;
    - ungraded: submitted (or a check-in marked held) but no points yet (for the
      students' own page, ``for_students``: no points published to the team yet);
    - missing (scores 0): due time passed, nothing submitted; for a check-in
      ("none" deliverable), due time passed and not marked held; a student with
      no team has nothing submitted;
    - upcoming: otherwise.
    Six queries for all of a gradebook's milestone components, whatever the number of
    students, teams or milestones. A team's extension (MilestoneExtension) is its due time.
    """
    now, for_students = context.now, context.for_students
    student_ids = [getattr(s, "pk", s) for s in context.students]
    result = {sid: [] for sid in student_ids}
    # What every milestone component of the gradebook reads, loaded once for all of them.
    loaded = context.once(
        f"projects.milestones.{component.course_id}",
        lambda: _milestone_data(component.course_id, student_ids, for_students),
    )
    milestones = loaded.milestones.get(component.pk, [])
    if not milestones:
        return result
    team_of, latest, grades = loaded.team_of, loaded.latest, loaded.grades
    extended, adjustments = loaded.extended, loaded.adjustments
    # A team's members share one item per milestone unless staff adjusted theirs: judged
    # once per team (the items are read, never changed, by the pages).
    shared = {}
    for sid in student_ids:
        team_id = team_of.get(sid)
        for m in milestones:
            key = (m.pk, team_id)
            grade = grades.get(key) if team_id else None
            own = grade is not None and sid in adjustments.get(grade.pk, ())
            item = None if own else shared.get(key)
            if item is None:
                sub = latest.get(key) if team_id else None
                due = m.team_due(extended.get(key))
                item = _score(m, due, sub, grade, adjustments, sid, now, for_students)
                if not own:
                    shared[key] = item
            result[sid].append(item)
    return result


@dataclass
class MilestoneData:
    milestones: dict  # component id -> [Milestone], by due time
    team_of: dict  # student id -> team id
    latest: dict  # (milestone id, team id) -> latest Submission
    grades: dict  # (milestone id, team id) -> MilestoneGrade
    extended: dict  # (milestone id, team id) -> due time
    adjustments: dict  # grade id -> student id -> MilestoneAdjustment


def _milestone_data(course_id, student_ids, for_students) -> MilestoneData:
    """The course's milestones that feed a component, and their teams' submissions, grades,
    extensions and adjustments: six queries for every milestone component of a gradebook.
    A student's own page (``for_students``) reads only that student's team's."""
    by_component = defaultdict(list)
    milestones = Milestone.objects.filter(course_id=course_id, component__isnull=False)
    for m in milestones.order_by("due_at", "order", "id"):
        by_component[m.component_id].append(m)
    members = TeamMember.objects.filter(course_id=course_id)
    if for_students:
        members = members.filter(user_id__in=student_ids)
    team_of = dict(members.values_list("user_id", "team_id"))
    if not by_component:
        return MilestoneData({}, team_of, {}, {}, {}, {})
    own = {"team_id__in": set(team_of.values())} if for_students else {}
    of_course = {"milestone__course_id": course_id, "milestone__component__isnull": False}
    latest = {
        (s.milestone_id, s.team_id): s
        for s in Submission.objects.filter(**of_course, **own)
        .order_by("milestone_id", "team_id", "-version")
        .distinct("milestone_id", "team_id")
        .only("milestone_id", "team_id", "version", "is_late", "lateness")
    }
    by_id = {m.pk: m for found in by_component.values() for m in found}
    grades = {}
    for g in MilestoneGrade.objects.filter(**of_course, **own):
        g.milestone = by_id[g.milestone_id]  # spare a query per grade
        grades[(g.milestone_id, g.team_id)] = g
    extended = {
        (e.milestone_id, e.team_id): e.due_at
        for e in MilestoneExtension.objects.filter(**of_course, **own)
    }
    adjustments = defaultdict(dict)
    if grades:
        for a in MilestoneAdjustment.objects.filter(
            grade__milestone__course_id=course_id,
            **({"student_id__in": student_ids} if for_students else {}),
        ):
            adjustments[a.grade_id][a.student_id] = a
    return MilestoneData(by_component, team_of, latest, grades, extended, adjustments)


def _score(m, due, sub, grade, adjustments, sid, now, for_students) -> ItemScore:
    """One student's item for milestone ``m``, due at ``due`` for their team."""
    item = ItemScore(label=m.name, possible=m.max_points, status=ItemStatus.UPCOMING, due_at=due)
    released = grade is not None and (grade.published or not for_students)
    if grade is not None:
        item.key = f"milestone:{grade.pk}"
    if released and grade.points is not None:
        points = grade.team_points(sub)
        notes = [] if grade.published else ["not yet published to the team"]
        if sub is not None and sub.is_late:
            notes.append(f"late: {m.describe_late_policy()}")
        adjustment = adjustments.get(grade.pk, {}).get(sid)
        if adjustment is not None:
            points = adjustment.apply(points, m.max_points)
            notes.append(f"adjusted {adjustment.describe()}: {adjustment.reason}")
        item.status = ItemStatus.GRADED
        item.earned = points
        item.note = "; ".join(notes)
        return item
    submitted = sub is not None if m.takes_submissions else bool(grade and grade.held)
    if submitted:
        item.status = ItemStatus.UNGRADED
    elif now > due:
        item.status = ItemStatus.MISSING
        item.earned = Decimal("0")
        item.note = "not held" if not m.takes_submissions else "nothing submitted"
    return item
