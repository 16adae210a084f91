"""The gradebook as a CSV that Canvas's gradebook import accepts."""

import csv

from django.template.defaultfilters import floatformat

from grading.engine import ZERO, Gradebook, ItemStatus, round2

CANVAS_ID_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
# Canvas shows these columns in its own exports and ignores them on import (read-only).
CANVAS_READ_ONLY_COLUMNS = ["Current Score", "Final Score", "Final Grade"]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> str:
    """Text a spreadsheet will not run as a formula: a leading = + - @ (or tab, CR) gets a
    quote in front (OWASP's CSV-injection advice). Only for text that people typed, never
    for the numbers (a negative score stays a number)."""
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def canvas_rows(gradebook: Gradebook) -> list[list[str]]:
    """The gradebook as rows for Canvas's gradebook import (header and "Points Possible" first).

    One column per component holding weight x projected fraction, out of the
    component's weight (bonus components: 0 points possible, Canvas's way of
    marking extra credit), so Canvas's points total equals the projected final.
    Students are matched by SIS User ID (the student id) or SIS Login ID (the
    email); the Canvas ID column is left blank because Seminar does not know it.
    """
    components = gradebook.components
    header = (
        CANVAS_ID_COLUMNS
        + [spreadsheet_text(c.name) for c in components]
        + CANVAS_READ_ONLY_COLUMNS
    )
    possible = ["Points Possible", "", "", "", ""]
    possible += [str(ZERO if c.is_bonus else c.weight) for c in components]
    possible += ["", "", ""]
    rows = [header, possible]
    for row in gradebook.rows:
        user = row.student
        current = row.current_percent
        rows.append(
            [
                spreadsheet_text(text)
                for text in (
                    user.name or user.email,
                    "",
                    user.student_id or "",
                    user.email,
                    row.section,
                )
            ]
            + [str(round2(score.projected_points)) for score in row.components]
            + [
                "" if current is None else str(round2(current)),
                str(round2(row.projected_percent)),
                row.final_letter[0],
            ]
        )
    return rows


def item_points(item) -> str:
    """An item's points as the pages show them ("7.88" of "7.88 / 10"): graded as given,
    missing 0, excused Canvas's "EX", anything still open blank."""
    if item.status == ItemStatus.GRADED:
        return floatformat(item.earned, "-2")
    if item.status == ItemStatus.MISSING:
        return "0"
    if item.status == ItemStatus.EXCUSED:
        return "EX"
    return ""


def canvas_item_rows(gradebook: Gradebook) -> list[list[str]]:
    """Every item of every component in a column of its own ("Paper reviews: FlashInfer"),
    in points out of the item's maximum (the "Points Possible" row), as the reviews list,
    the team page, the grades page and the gradebook show them. For a spreadsheet of the
    whole course, or a Canvas import with an assignment per item."""
    columns: dict[tuple[int, str], str] = {}  # (component id, item label) -> possible
    for row in gradebook.rows:
        for score in row.components:
            for item in score.items:
                columns.setdefault(
                    (score.component.pk, item.label), floatformat(item.possible, "-2")
                )
    names = {c.pk: c.name for c in gradebook.components}
    order = {c.pk: i for i, c in enumerate(gradebook.components)}
    keys = sorted(columns, key=lambda key: order[key[0]])  # stable: items keep their order
    header = CANVAS_ID_COLUMNS + [spreadsheet_text(f"{names[pk]}: {label}") for pk, label in keys]
    rows = [header, ["Points Possible", "", "", "", ""] + [columns[key] for key in keys]]
    for row in gradebook.rows:
        user = row.student
        found = {
            (score.component.pk, item.label): item_points(item)
            for score in row.components
            for item in score.items
        }
        ids = (user.name or user.email, "", user.student_id or "", user.email, row.section)
        rows.append([spreadsheet_text(text) for text in ids] + [found.get(key, "") for key in keys])
    return rows


def write_canvas_csv(gradebook: Gradebook, out, *, items: bool = False) -> None:
    csv.writer(out).writerows(canvas_item_rows(gradebook) if items else canvas_rows(gradebook))
