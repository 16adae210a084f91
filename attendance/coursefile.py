"""The "attendance" section of the course file (order 50): the course's check-in rules.

    attendance:
      grace_minutes: 10     # a check-in opens 10 min before class and closes 10 min after
      wrong_code_limit: 5   # wrong codes before a check-in is locked for that student

Both are optional (the defaults above). Leaving the section out keeps what the course has;
a course with the defaults exports no section.
"""

from pydantic import ConfigDict

from attendance.models import GRACE_MINUTES, WRONG_CODE_LIMIT, AttendanceSettings
from courses.coursefile import Section
from courses.coursefile.schema import FileModel, check, parse, whole

KEY = "attendance"


class Settings(FileModel):
    model_config = ConfigDict(title="the attendance section")

    grace_minutes: whole(0) = GRACE_MINUTES
    wrong_code_limit: whole(1) = WRONG_CODE_LIMIT


def export(course):
    found = AttendanceSettings.objects.filter(course=course).first()
    if found is None:
        return None
    return {"grace_minutes": found.grace_minutes, "wrong_code_limit": found.wrong_code_limit}


def load(course, data) -> None:
    entry = parse(Settings, data if data is not None else {}, KEY)
    settings = AttendanceSettings.objects.filter(course=course).first() or AttendanceSettings(
        course=course
    )
    settings.grace_minutes, settings.wrong_code_limit = entry.grace_minutes, entry.wrong_code_limit
    check(settings, KEY, exclude=["course"])
    settings.save()


SECTION = Section(key=KEY, order=50, export=export, load=load)
