"""The plug-in protocol: how an app adds to the course core without the core importing it.

An app takes part by giving its AppConfig the ``SeminarApp`` mixin. Its hooks live in one
module, ``<app>/hooks.py``, which may define any of the names of ``Hooks`` below; the core
collects them through ``apps.get_app_configs()`` when it needs them (never at import time),
in INSTALLED_APPS order. Nothing registers itself and no signal carries core behaviour:
what an app adds is read off its hooks module, and ``python -c`` can list it::

    from courses import plugins; plugins.collect("grade_sources")

The names, and what the core does with them:

- ``nav_items``: ``list[NavItem]`` for the course menu (courses.navigation).
- ``due_items(user, courses)``: what is due for ``user`` (dashboard, calendar feed);
  a fixed number of queries whatever the number of courses or items.
- ``coursefile_sections``: ``list[Section]`` of the one-file course format.
- ``grade_sources``: ``{ComponentSource value: provider}``; a provider is
  ``provider(component, context)`` with one ``grading.engine.GradeContext`` per gradebook.
- ``reminder_senders``: ``{name: send(now=..., window=...) -> emails sent}``, idempotent.
- ``schedule_changed(course)``: after a course's sessions or class times moved (the admin,
  the course file, clone, demo); e.g. milestones relative to a session follow it.
- ``course_admin_inlines``: inlines the course's admin page shows (grade components).
- ``reading_prefetches()``: ``list[Prefetch]`` on readings for the schedule pages.
- ``readings_removed(readings, note)``: an import is about to delete these readings (no
  work attached): keep their history; ``note(line)`` reports what happens.
- ``readings_moved(moved, note, result)``: an import moved readings; name whose work moves.
- ``reading_work``: ``{model: Q}``: rows of ``model`` that are work an import must not drop
  (default: every row pointing at the reading).
- ``team_page(request, course, team, bound)``: extra context for the team page.
- ``presenters(course_ids, holders=None)``: ``{reading id: {("student", user id) or
  ("team", team id)}}``, who presents each reading (claims); one query.
- ``staff_work(courses, now)``: ``list[WorkItem]`` of what awaits the staff (courses.staffwork).
- ``digest_readers(reading_ids)``: ``{reading id: {user id}}``, who else reads these readings'
  discussion digests as their presenters do (after the due time, with the names) and gets
  the digest email (panels: the members of the session's reviewer groups); one query.
- ``review_elsewhere(owed)``: the address where ``owed`` (a review) is written instead of
  the review form (a thread whose posts are the reviews), or None.
- ``digest_page(access, reading, sections, user)``: extra context for a reading's digest;
  it may also hold back what its viewer may not read (sections, names).
"""

from functools import cache
from importlib import import_module
from types import ModuleType

from django.apps import apps

HOOK_NAMES = (
    "nav_items",
    "due_items",
    "coursefile_sections",
    "grade_sources",
    "reminder_senders",
    "schedule_changed",
    "course_admin_inlines",
    "reading_prefetches",
    "readings_removed",
    "readings_moved",
    "reading_work",
    "team_page",
    "presenters",
    "staff_work",
    "digest_readers",
    "review_elsewhere",
    "digest_page",
)


class SeminarApp:
    """Mixin for an AppConfig whose app adds to the course core through ``<app>.hooks``."""

    hooks_module = "hooks"


@cache
def _modules() -> tuple[ModuleType, ...]:
    return tuple(
        import_module(f"{config.name}.{config.hooks_module}")
        for config in apps.get_app_configs()
        if isinstance(config, SeminarApp)
    )


def collect(name: str) -> list:
    """Every app's ``name`` hook, in INSTALLED_APPS order (apps without it are skipped)."""
    if name not in HOOK_NAMES:
        raise ValueError(f"unknown hook {name!r}; the hooks are {', '.join(HOOK_NAMES)}")
    return [getattr(module, name) for module in _modules() if hasattr(module, name)]


def merged(name: str) -> dict:
    """The dict hooks of every app merged: ``grade_sources``, ``reminder_senders``, …"""
    found: dict = {}
    for part in collect(name):
        found.update(part)
    return found


def flattened(name: str) -> list:
    """The list hooks of every app, one after the other: ``nav_items``, …"""
    return [item for part in collect(name) for item in part]


def call(name: str, *args, **kwargs) -> list:
    """Call every app's ``name`` hook; returns their results."""
    return [hook(*args, **kwargs) for hook in collect(name)]


def schedule_changed(course) -> None:
    """Tell every app that ``course``'s sessions or class times moved. Called by every path
    that moves them (the admin, the course file, clone, demo) inside its transaction."""
    call("schedule_changed", course)
