from courses.models.claims import Claim, ClaimEvent, Slides
from courses.models.course import STAFF_ROLES, Course, Membership, PresentsBy, Role
from courses.models.grading import ComponentSource, GradeComponent, ManualScore
from courses.models.schedule import Paper, Reading, Session, SessionKind
from courses.models.teams import Team, TeamMember

__all__ = [
    "Claim",
    "ClaimEvent",
    "Course",
    "GradeComponent",
    "ManualScore",
    "Membership",
    "PresentsBy",
    "STAFF_ROLES",
    "Paper",
    "ComponentSource",
    "Reading",
    "Role",
    "Session",
    "SessionKind",
    "Slides",
    "Team",
    "TeamMember",
]
