from courses.models.course import (
    STAFF_ROLES,
    ClaimsMode,
    Course,
    Membership,
    PerCourseSettings,
    PresentsBy,
    Role,
)
from courses.models.mail import OutgoingEmail, ScheduledRun
from courses.models.rows import as_read, is_row_id
from courses.models.schedule import Paper, Reading, Session, SessionKind

__all__ = [
    "ClaimsMode",
    "Course",
    "Membership",
    "OutgoingEmail",
    "Paper",
    "PerCourseSettings",
    "PresentsBy",
    "Reading",
    "Role",
    "STAFF_ROLES",
    "ScheduledRun",
    "Session",
    "SessionKind",
    "as_read",
    "is_row_id",
]
