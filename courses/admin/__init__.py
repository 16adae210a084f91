from courses.admin.course import CourseAdmin, MembershipAdmin
from courses.admin.mail import OutgoingEmailAdmin
from courses.admin.schedule import PaperAdmin, ReadingAdmin, SessionAdmin
from courses.admin.scoping import CourseScopedAdmin, CourseScopedInline

__all__ = [
    "CourseAdmin",
    "CourseScopedAdmin",
    "CourseScopedInline",
    "MembershipAdmin",
    "OutgoingEmailAdmin",
    "PaperAdmin",
    "ReadingAdmin",
    "SessionAdmin",
]
