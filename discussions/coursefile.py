"""The "discussions" section of the course file (order 60, after the review kinds): the
course's thread rules and which readings have a thread.

    discussions:
      see_after_posting: true   # a student reads classmates' posts once they posted
      edit_minutes: 30          # authors can change a post this long after posting
      max_length: 5000          # characters per post
      anonymous: true           # students may post anonymously to classmates
      review_kinds:             # a thread on every reading the kind asks for
      - kind: discussion-post   # the kind's slug (or its name)
        counts_as_review: true  # a student's first post is their review of it
      sessions: [2025-09-03]    # and/or a thread on every reading of these sessions

Every key is optional (the defaults above, and no threads). Leaving the section out keeps
what the course has; given, it is the whole truth: rules it does not list are removed (the
posts stay, out of sight, and come back with the rule). A course with the defaults and no
threads exports no section.
"""

from pydantic import ConfigDict
from pydantic import Field as PydanticField

from courses.coursefile import Section
from courses.coursefile.schema import (
    CourseFileError,
    Day,
    FileModel,
    Flag,
    Text,
    check,
    parse,
    whole,
)
from discussions.models import EDIT_MINUTES, MAX_LENGTH, DiscussionSettings, ThreadRule
from reviews.models import ReviewKind

KEY = "discussions"


class KindThreads(FileModel):
    model_config = ConfigDict(title="a review kind's threads")

    kind: Text
    counts_as_review: Flag = False


class Settings(FileModel):
    model_config = ConfigDict(title="the discussions section")

    see_after_posting: Flag = False
    edit_minutes: whole(0) = EDIT_MINUTES
    max_length: whole(1) = MAX_LENGTH
    anonymous: Flag = True
    review_kinds: list[KindThreads] = PydanticField(default_factory=list)
    sessions: list[Day] = PydanticField(default_factory=list)


SETTINGS_KEYS = {"allow_anonymous": "anonymous"}


def export(course):
    found = DiscussionSettings.objects.filter(course=course).first()
    rules = list(
        ThreadRule.objects.filter(course=course)
        .select_related("kind", "session")
        .order_by("kind__order", "kind__id", "session__date", "id")
    )
    if found is None and not rules:
        return None
    found = found or DiscussionSettings(course=course)
    return {
        "see_after_posting": found.see_after_posting,
        "edit_minutes": found.edit_minutes,
        "max_length": found.max_length,
        "anonymous": found.allow_anonymous,
        "review_kinds": [
            {"kind": r.kind.slug, "counts_as_review": r.counts_as_review}
            for r in rules
            if r.kind_id
        ],
        "sessions": [r.session.date.isoformat() for r in rules if r.session_id],
    }


def _kind(course, name: str, path: str) -> ReviewKind:
    kinds = list(ReviewKind.objects.filter(course=course))
    found = next((k for k in kinds if k.slug == name), None) or next(
        (k for k in kinds if k.name == name), None
    )
    if found is None:
        known = ", ".join(k.slug for k in kinds) or "none"
        raise CourseFileError(path, f"no review kind {name!r} (the course's kinds: {known}).")
    return found


def _add(wanted: list, rule: ThreadRule, path: str) -> None:
    if any((r.kind_id, r.session_id) == (rule.kind_id, rule.session_id) for r in wanted):
        raise CourseFileError(path, "is listed twice.")
    wanted.append(rule)


def load(course, data) -> None:
    entry = parse(Settings, data if data is not None else {}, KEY)
    settings = DiscussionSettings.objects.filter(course=course).first() or DiscussionSettings(
        course=course
    )
    settings.see_after_posting = entry.see_after_posting
    settings.edit_minutes, settings.max_length = entry.edit_minutes, entry.max_length
    settings.allow_anonymous = entry.anonymous
    check(settings, "", SETTINGS_KEYS, exclude=["course"])
    settings.save()
    course._discussion_settings = settings
    # The file is the whole truth: old rules go first, so a kind listed again is new.
    ThreadRule.objects.filter(course=course).delete()
    wanted = []
    for i, row in enumerate(entry.review_kinds):
        path = f"review_kinds[{i}]"
        rule = ThreadRule(
            course=course,
            kind=_kind(course, row.kind, f"{path}.kind"),
            counts_as_review=row.counts_as_review,
        )
        check(rule, path, exclude=["course", "session"])
        _add(wanted, rule, path)
    for i, day in enumerate(entry.sessions):
        found = list(course.sessions.filter(date=day)[:2])
        if len(found) != 1:
            raise CourseFileError(f"sessions[{i}]", f"no single session on {day}.")
        rule = ThreadRule(course=course, session=found[0])
        check(rule, f"sessions[{i}]", exclude=["course", "kind"])
        _add(wanted, rule, f"sessions[{i}]")
    ThreadRule.objects.bulk_create(wanted)
    if hasattr(course, "_thread_rules"):
        del course._thread_rules


SECTION = Section(key=KEY, order=60, export=export, load=load)
