"""The page benchmark's course: tests/populated.py builds it from the shared factories
(tests/factories.py), the same course tests/perf builds at 5 and 25 students. Import this
module after ``django.setup()``."""

from tests.populated import COURSE_FILE, BuiltCourse, build_course, kept_course

__all__ = ["COURSE_FILE", "BuiltCourse", "build_course", "kept_course"]
