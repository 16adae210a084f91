"""The app graph (README, Development): dependencies point one way, and apps plug into the
core through one protocol (courses.plugins), not by importing each other.

    courses <- teams <- claims
    courses <- grading <- claims, reviews, projects
    teams   <- reviews, projects
    courses, grading <- lti, attendance
    courses, teams, grading, reviews <- panels
    courses, teams, grading <- feedback (presenters come through the claims hook)
    courses, grading, teams, reviews <- discussions
    seminar: the project package on top; no app imports it.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps

from courses import plugins

ROOT = Path(__file__).resolve().parents[1]
OURS = {
    "courses",
    "teams",
    "claims",
    "grading",
    "reviews",
    "projects",
    "attendance",
    "panels",
    "feedback",
    "discussions",
    "lti",
    "seminar",
}
# What each app may import, itself included.
ALLOWED = {
    "courses": {"courses"},
    "teams": {"courses", "teams"},
    "grading": {"courses", "grading"},
    "claims": {"courses", "teams", "grading", "claims"},
    "reviews": {"courses", "teams", "grading", "reviews"},
    "projects": {"courses", "teams", "grading", "projects"},
    "lti": {"courses", "grading", "lti"},
    "attendance": {"courses", "grading", "attendance"},
    "panels": {"courses", "teams", "grading", "reviews", "panels"},
    "feedback": {"courses", "teams", "grading", "feedback"},
    "discussions": {"courses", "teams", "grading", "reviews", "discussions"},
}


def imports_of(app: str) -> dict[str, set[str]]:
    """{file: the project's top-level packages it imports}, migrations left out (they name
    the callables their fields used, wherever those live now)."""
    found = {}
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names & OURS
    return found


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_an_app_imports_only_the_apps_below_it(app):
    wrong = {
        path: sorted(names - ALLOWED[app])
        for path, names in imports_of(app).items()
        if names - ALLOWED[app]
    }
    assert wrong == {}


def test_every_app_of_ours_takes_part_through_the_one_protocol():
    ours = [config for config in apps.get_app_configs() if config.name in ALLOWED]
    assert {config.name for config in ours} == set(ALLOWED)
    assert all(isinstance(config, plugins.SeminarApp) for config in ours)


def test_hooks_are_read_off_the_apps_hooks_modules():
    sources = plugins.merged("grade_sources")
    assert {
        "presentation",
        "participation",
        "manual",
        "reviews",
        "bonus_reviews",
        "milestone",
        "attendance",
        "feedback",
    } <= set(sources)
    assert sources["presentation"].__module__ == "claims.hooks"
    assert [
        s.key for s in sorted(plugins.flattened("coursefile_sections"), key=lambda s: s.order)
    ] == [
        "components",
        "review_kinds",
        "milestones",
        "attendance",
        "discussions",
        "presenter_feedback",
        "panels",
    ]
    labels = [item.label for item in plugins.flattened("nav_items")]
    assert labels == [
        "Schedule",
        "Team",
        "Grades",
        "Gradebook",
        "Claims",
        "Preferences",
        "Reviews",
        "Teams",
        "Attendance",
        "Discussion",
    ]


def test_an_unknown_hook_name_is_an_error_not_silence():
    with pytest.raises(ValueError, match="unknown hook"):
        plugins.collect("grade_source")
