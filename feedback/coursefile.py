"""The "presenter_feedback" section of the course file (order 70): classmates' feedback on
each presentation.

    presenter_feedback:
      rubric:                     # 1 to 10 criteria; ratings run from 1 to the scale (2-10)
      - {key: clarity, label: Clarity, scale: 5, description: Was the talk easy to follow?}
      - {key: depth, label: Depth, scale: 5}
      - {key: discussion, label: Discussion, scale: 5}
      min_responses: 3            # the presenters see the feedback once this many answered
      opens: start                # start | end: of class
      closes_after_hours: 48      # after class ends
      comment_max_length: 1000    # characters
      enabled: true

Every key is optional (the defaults above; the rubric's default is clarity, depth and
discussion, 1-5). Leaving the section out keeps what the course has; ``enabled: false``
turns feedback off (what was given is kept). A course without feedback exports no section.
"""

from pydantic import ConfigDict

from courses.coursefile import Section
from courses.coursefile.schema import FileModel, Flag, check, choice, parse, text, whole
from feedback.models import (
    CLOSES_AFTER_HOURS,
    COMMENT_MAX_LENGTH,
    MIN_RESPONSES,
    FeedbackSettings,
    Opens,
    default_rubric,
)

KEY = "presenter_feedback"


class Criterion(FileModel):
    model_config = ConfigDict(title="a criterion")

    key: text(40)
    label: text(100)
    scale: whole(2) = 5
    description: text(300) = ""


class Settings(FileModel):
    model_config = ConfigDict(title="the presenter_feedback section")

    rubric: list[Criterion] | None = None
    min_responses: whole(1) = MIN_RESPONSES
    opens: choice(Opens) = Opens.START
    closes_after_hours: whole(1) = CLOSES_AFTER_HOURS
    comment_max_length: whole(1) = COMMENT_MAX_LENGTH
    enabled: Flag = True


def export(course):
    found = FeedbackSettings.objects.filter(course=course).first()
    if found is None:
        return None
    return {
        "enabled": found.enabled,
        "rubric": [
            {k: c[k] for k in ("key", "label", "scale", "description") if c.get(k, "") != ""}
            for c in found.criteria
        ],
        "min_responses": found.min_responses,
        "opens": found.opens,
        "closes_after_hours": found.closes_after_hours,
        "comment_max_length": found.comment_max_length,
    }


def load(course, data) -> None:
    entry = parse(Settings, data if data is not None else {}, KEY)
    settings = FeedbackSettings.objects.filter(course=course).first() or FeedbackSettings(
        course=course
    )
    if entry.rubric is None:
        rubric = default_rubric()
    else:
        rubric = [
            {"key": c.key, "label": c.label, "scale": c.scale}
            | ({"description": c.description} if c.description else {})
            for c in entry.rubric
        ]
    settings.rubric = rubric
    settings.enabled = entry.enabled
    settings.min_responses = entry.min_responses
    settings.opens = entry.opens
    settings.closes_after_hours = entry.closes_after_hours
    settings.comment_max_length = entry.comment_max_length
    check(settings, KEY, exclude=["course"])
    settings.save()
    course._feedback_settings = settings


SECTION = Section(key=KEY, order=70, export=export, load=load)
