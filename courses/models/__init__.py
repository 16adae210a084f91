from courses.models.course import STAFF_ROLES, Course, Membership, PresentsBy, Role
from courses.models.schedule import Paper, Reading, Session, SessionKind

__all__ = [
    "Course",
    "Membership",
    "Paper",
    "PresentsBy",
    "Reading",
    "Role",
    "STAFF_ROLES",
    "Session",
    "SessionKind",
]
