"""One course-file schema (courses.coursefile.schema): every section is a strict schema
that refuses what it does not know, and the models' own rules (``clean()``, field
validators) are the ones the file meets, each error at its field and line.

No people: these import the ECS 289D example with one value changed.
"""

import ast
from pathlib import Path

import pytest

from courses.coursefile import CourseFileError, import_course, sections
from courses.coursefile.schema import FileModel
from courses.models import Course
from grading.models import GradeComponent
from reviews.models import ReviewKind
from tests.courses.test_coursefile import SEED_001

ROOT = Path(__file__).resolve().parents[2]


def refused(text):
    """The CourseFileError importing ``text`` raises; nothing of the course is left."""
    with pytest.raises(CourseFileError) as caught:
        import_course(text)
    assert not Course.objects.exists()
    return caught.value


def changed(old, new):
    assert SEED_001.count(old) == 1, old
    return SEED_001.replace(old, new)


def line_of(text, needle):
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# ------------------------------------------------------ the models' own rules, located


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        pytest.param(
            "closes: '2025-09-30 23:59'",
            "closes: '2025-09-20 23:59'",
            "course.claims.closes",
            "The window must close after it opens.",  # Course.clean's words
            id="claim-window",
        ),
        pytest.param(
            "max_size: 5",
            "max_size: 2",
            "course.teams.max_size",
            "The maximum must be at least the minimum.",
            id="team-sizes",
        ),
        pytest.param(
            "code: ecs289d-f25",
            "code: ecs 289d",
            "course.code",
            "Enter a valid “slug”",
            id="course-code",
        ),
        pytest.param(
            "{name: Paper reviews, weight: '15',",
            "{name: Paper reviews, weight: '14.999',",
            "components[5].weight",
            "no more than 2 decimal places",  # was "add up to 99.999%" at components
            id="component-weight-places",
        ),
    ],
)
def test_the_models_own_rules_are_met_and_located(db, old, new, path, message):
    text = changed(old, new)
    error = refused(text)
    assert error.path == path
    assert message in error.message
    assert error.line == line_of(text, new)


# ------------------------------------------------------ strict values in every section


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        pytest.param(
            "optional_as_bonus: true",
            "optional_as_bonus: 'yes'",
            "review_kinds[0].optional_as_bonus",
            "must be true or false, not 'yes'.",  # was taken as true
            id="review-boolean",
        ),
        pytest.param(
            "due: {kind: before, days_before: 1, at: '23:59'}",
            "due: {kind: before, days_before: '1', at: '23:59'}",
            "review_kinds[0].due.days_before",
            "must be a whole number, not '1'.",
            id="review-whole-number",
        ),
        pytest.param(
            "late: {policy: penalty, percent_per_day: '10'}",
            "late: {policy: penalty, percent_per_day: lots}",
            "review_kinds[0].late.percent_per_day",  # was review_kinds[0]
            "'lots' is not a number.",
            id="review-decimal",
        ),
        pytest.param(
            "max_points: '1'\n  component: Paper reviews",
            "max_points: '0'\n  component: Paper reviews",
            "review_kinds[0].max_points",
            "'0' must be a positive number.",  # was a broken constraint at the kind
            id="review-points",
        ),
        pytest.param(
            "optional_as_bonus: true",
            "optional_as_bonus: true\n  colour: red",
            "review_kinds[0].colour",
            "unknown field (expected one of: component, due, late,",  # was ignored
            id="review-unknown-key",
        ),
        pytest.param(
            "due: '2025-10-16 23:59'",
            "due: '2025-10-16'",
            "milestones[0].due",
            "give the time as well as the date.",  # was taken as midnight
            id="milestone-day-only",
        ),
        pytest.param(
            "opens: '2025-09-25 12:00'",
            "opens: 2025-09-25",
            "course.claims.opens",
            "give the time as well as the date.",
            id="claims-day-only",
        ),
        pytest.param(
            "  deliverable: none",
            "  deliverable: video",
            "milestones[2].deliverable",
            "'video' is not one of: link, file, text, none.",
            id="milestone-choice",
        ),
    ],
)
def test_every_section_refuses_a_bad_value_at_its_key_and_line(db, old, new, path, message):
    text = changed(old, new)
    error = refused(text)
    assert error.path == path
    assert message in error.message
    # The line of the key: the changed line (the last one, where two are changed).
    assert error.line == line_of(text, new.splitlines()[-1 if "colour" in new else 0])
    assert str(error).startswith(f"line {error.line}, {path}: ")


def test_two_review_kinds_with_one_slug_are_refused(db):
    # They used to be merged into one kind, the second overwriting the first.
    text = changed(
        "# The schedule page lists sessions only",
        "- name: Paper Review\n  prompts: [{key: s, label: S}]\n"
        "# The schedule page lists sessions only",
    )
    error = refused(text)
    assert (error.path, error.message) == ("review_kinds[1].slug", "“paper-review” appears twice.")
    assert error.line == line_of(text, "- name: Paper Review")


def test_a_null_or_blank_value_is_as_if_left_out(db):
    text = changed("presenters_per_reading: 2", "presenters_per_reading:").replace(
        "    slides_due_hours: null\n", "    slides_due_hours: ''\n"
    )
    course = import_course(text).course
    assert (course.presenters_per_reading, course.slides_due_hours) == (2, None)
    assert GradeComponent.objects.filter(course=course).count() == 8
    assert ReviewKind.objects.get(course=course).counts_optional_as_bonus


# ------------------------------------------------------------------ the code itself

COURSE_FILE_MODULES = [
    "courses/coursefile/__init__.py",
    "courses/coursefile/schema.py",
    "courses/coursefile/schedule.py",
    "courses/coursefile/sessions.py",
    "courses/yamlfile.py",
    "grading/coursefile.py",
    "reviews/coursefile.py",
    "projects/coursefile.py",
]


def test_no_course_file_function_is_longer_than_60_lines():
    long = []
    for name in COURSE_FILE_MODULES:
        tree = ast.parse((ROOT / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > 60:
                    long.append(f"{name}:{node.name} ({length} lines)")
    assert long == []
    assert len((ROOT / "courses/coursefile/__init__.py").read_text().splitlines()) < 500


def test_every_section_schema_is_strict_and_refuses_unknown_keys():
    sections()  # reads every app's hooks, which import their sections' schemas

    def subclasses(model):
        for sub in model.__subclasses__():
            yield sub
            yield from subclasses(sub)

    schemas = list(subclasses(FileModel))
    modules = {schema.__module__ for schema in schemas}
    assert modules >= {
        "courses.coursefile.schedule",
        "grading.coursefile",
        "reviews.coursefile",
        "projects.coursefile",
    }
    for schema in schemas:
        assert (schema.model_config["strict"], schema.model_config["extra"]) == (True, "forbid")
