from courses.admin.claims import ClaimAdmin, ClaimEventAdmin, SlidesAdmin  # noqa: F401
from courses.admin.course import CourseAdmin, MembershipAdmin
from courses.admin.grading import GradeComponentAdmin, ManualScoreAdmin  # noqa: F401
from courses.admin.schedule import PaperAdmin, ReadingAdmin, SessionAdmin  # noqa: F401
from courses.admin.scoping import CourseScopedAdmin, CourseScopedInline

__all__ = ["CourseAdmin", "CourseScopedAdmin", "CourseScopedInline", "MembershipAdmin"]
