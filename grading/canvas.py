"""The gradebook as a CSV that Canvas's gradebook import accepts."""

import csv

from grading.engine import ZERO, Gradebook, round2

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


def write_canvas_csv(gradebook: Gradebook, out) -> None:
    csv.writer(out).writerows(canvas_rows(gradebook))
