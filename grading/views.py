"""A student's own grades page and the staff gradebook (with its Canvas CSV)."""

import io
from decimal import Decimal
from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.urls import path, reverse
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from courses.access import member_required, staff_required
from courses.models import Membership
from grading import notices
from grading.canvas import write_canvas_csv
from grading.engine import ItemStatus, compute_gradebook, round2
from grading.models import ComponentSource


@member_required
def my_grades(request, access):
    """The signed-in student's grades over published components.

    Staff may look through a student's eyes with ?student=<user id>; anyone
    else asking for another student gets 404.
    """
    course = access.course
    wanted = request.GET.get("student", "")
    if access.is_staff:
        students = (
            Membership.objects.students()
            .filter(course=course)
            .select_related("user")
            .order_by("user__name")
        )
        if not wanted:
            return render(
                request,
                "grading/grades_choose.html",
                {"course": course, "access": access, "students": students, "active_nav": ""},
            )
        if not wanted.isdigit() or not students.filter(user_id=int(wanted)).exists():
            raise Http404("No such student in this course.")
        student_id = int(wanted)
    else:
        if wanted and wanted != str(request.user.pk):
            raise Http404("You can only see your own grades.")
        if not access.is_student:
            raise Http404("Only students have grades in this course.")
        student_id = request.user.pk
    book = compute_gradebook(course, student_ids=[student_id], published_only=True)
    row = book.rows[0]
    own = student_id == request.user.pk
    unseen = notices.unseen_keys(request.user, course) if own else set()
    if unseen:
        notices.mark_seen(request.user, course)  # seen now: marked new this once
    return render(
        request,
        "grading/grades_student.html",
        {
            "course": course,
            "access": access,
            "book": book,
            "row": row,
            "what_if": what_if_data(course, row),
            "what_if_inputs": what_if_inputs(row),
            "unseen": unseen,
            "new_in": {
                score.component.pk
                for score in row.components
                if any(item.key in unseen for item in score.items if item.key)
            },
            "what_if_open": any(score.open_possible for score in row.components),
            "viewing_as_staff": access.is_staff,
            "active_nav": "grading:grades",
        },
    )


@staff_required
def gradebook(request, access):
    course = access.course
    wanted = request.GET.get("expand", "")
    # Without a component's items to show, the sources may add up in SQL (Totals).
    book = compute_gradebook(course, summed=not wanted)
    expanded = next((c for c in book.components if str(c.pk) == wanted), None)
    table, item_columns = gradebook_table(book, expanded)
    q = " ".join(request.GET.get("q", "").split())[:100]
    letters = [letter for letter, _ in course.letter_scale]
    below = request.GET.get("below", "")
    if q:
        words = q.casefold().split()
        table = [line for line in table if all(w in line["search"] for w in words)]
    if below in letters:
        # Current grade strictly below the letter (no current grade yet: not shown).
        bound = Decimal(str(dict(course.letter_scale)[below]))
        table = [line for line in table if line["current_value"] is not None
                 and round2(line["current_value"]) < bound]  # fmt: skip
    has_sections = any(row.section for row in book.rows)
    chart_of = "floor" if request.GET.get("chart") == "floor" else "current"
    if chart_of == "floor":
        values = [r.floor_percent for r in book.rows]
    else:
        values = [r.current_percent for r in book.rows if r.current_percent is not None]
    return render(
        request,
        "grading/gradebook.html",
        {
            "course": course,
            "access": access,
            "book": book,
            "table": table,
            "q": q,
            "below": below if below in letters else "",
            "letters": letters[:-1],
            "chart_of": chart_of,
            "expanded": expanded,
            "item_columns": item_columns,
            "has_sections": has_sections,
            "column_count": 5 + len(book.components) + has_sections + len(item_columns),
            "keep": _keep(request, "q", "below", "chart"),
            "chart": histogram(values, course.letter_scale),
            "non_bonus_weight": sum(
                (c.weight for c in book.components if not c.is_bonus), Decimal(0)
            ),
            "active_nav": "grading:gradebook",
        },
    )


SORT_PLACES = Decimal("0.0001")


def _keep(request, *names) -> str:
    """The query string of ``names`` in the request, to carry into links ("&q=…")."""
    kept = {name: request.GET[name] for name in names if request.GET.get(name)}
    return "&" + urlencode(kept) if kept else ""


def item_text(item) -> str:
    """An item's points as every page shows them (the grades page's template does the
    same with the same filter): "8.50 / 10" graded, "0 / 10" missing, "– / 10" open."""
    possible = floatformat(item.possible, "-2")
    if item.status == ItemStatus.GRADED:
        return f"{floatformat(item.earned, '-2')} / {possible}"
    if item.status == ItemStatus.MISSING:
        return f"0 / {possible}"
    if item.status == ItemStatus.EXCUSED:
        return "excused"
    return f"– / {possible}"


def item_columns_of(book, component) -> list[str]:
    """The items of ``component`` across the class, by label, in the order they come."""
    labels = {}
    for row in book.rows:
        for score in row.components:
            if score.component.pk == component.pk:
                for item in score.items:
                    labels.setdefault(item.label, None)
    return list(labels)


BADGES = {
    ItemStatus.MISSING: ' <span class="badge text-bg-danger">missing</span>',
    ItemStatus.UNGRADED: ' <span class="badge text-bg-warning">to grade</span>',
}


def cells_html(cells: list[dict]) -> str:
    """A row's component cells (and the expanded component's item cells) as HTML: 4,000
    cells through the template language take longer than computing the grades."""
    out = []
    for cell in cells:
        text = escape(cell["text"])
        if cell["url"]:
            text = f'<a href="{escape(cell["url"])}">{text}</a>'
        if cell["missing"]:
            text += f' <span class="badge text-bg-danger" title="missing">{cell["missing"]}</span>'
        if cell["ungraded"]:
            text += (
                f' <span class="badge text-bg-warning" title="awaiting grade">'
                f"{cell['ungraded']}</span>"
            )
        out.append(
            f'<td class="text-end" data-sort="{escape(cell["sort"])}" '
            f'title="{escape(cell["title"])}">{text}</td>'
        )
        for item in cell["items"]:
            title = f' title="{escape(item["note"])}"' if item["note"] else ""
            out.append(
                f'<td class="text-end text-nowrap" data-sort="{escape(item["sort"])}"{title}>'
                f"{escape(item['text'])}{BADGES.get(item['status'], '')}</td>"
            )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


def gradebook_table(book, expanded=None) -> tuple[list[dict], list[str]]:
    """Display strings for every cell, formatted here once: a template filter per
    cell costs seconds at 500 students x 8 components. ``expanded``: the component whose
    items get a column each (points out of their maximum), after its own column."""
    columns = item_columns_of(book, expanded) if expanded is not None else []
    admin_scores = reverse("admin:grading_manualscore_changelist")
    grades_url = reverse("grading:grades", args=[book.course.code])
    manual_sources = {ComponentSource.PARTICIPATION, ComponentSource.MANUAL}
    table = []
    for row in book.rows:
        student = row.student
        cells = []
        for score in row.components:
            url = score.url
            if not url and score.component.source in manual_sources:
                url = f"{admin_scores}?component__id__exact={score.component.pk}&q={quote(student.email)}"
            current = score.current_percent
            title = f"adds {round2(score.projected_points)} of {round2(score.weight)}"
            if current is not None:
                title += f"; {round2(current)}% on graded work"
            for part in getattr(score, "parts", ()):
                part_floor = round2(part.projected_percent)
                title += f"; {part.component.name} ({part.weight.normalize():f}%): {part_floor}%"
            items = []
            if expanded is not None and score.component.pk == expanded.pk:
                by_label = {item.label: item for item in score.items}
                for label in columns:
                    item = by_label.get(label)
                    items.append(
                        {
                            "text": item_text(item) if item else "",
                            "sort": str(item.earned.quantize(SORT_PLACES))
                            if item and item.earned is not None
                            else ("0" if item and item.status == ItemStatus.MISSING else "-1"),
                            "status": item.status if item else "",
                            "note": item.note if item else "",
                        }
                    )
            cells.append(
                {
                    "text": str(round2(score.projected_percent)),
                    "sort": str(score.projected_percent.quantize(SORT_PLACES)),
                    "title": title,
                    "url": url,
                    "missing": score.missing_count,
                    "ungraded": score.ungraded_count,
                    "items": items,
                }
            )
        current = row.current_percent
        table.append(
            {
                "student": student,
                "name": student.name or student.email,
                "search": f"{student.name} {student.email} {student.student_id}".casefold(),
                "section": row.section,
                "cells": cells,
                "cells_html": cells_html(cells),
                "url": f"{grades_url}?student={student.pk}",
                "current_value": current,
                "current": "—" if current is None else str(row.current_letter[1]),
                "current_sort": "-1" if current is None else str(current.quantize(SORT_PLACES)),
                "final": str(row.floor_letter[1]),
                "final_sort": str(row.floor_percent.quantize(SORT_PLACES)),
                "ceiling": str(row.ceiling_letter[1]),
                "ceiling_sort": str(row.ceiling_percent.quantize(SORT_PLACES)),
                "letter": "—" if current is None else row.current_letter[0],
            }
        )
    return table, columns


@staff_required
def gradebook_csv(request, access):
    """The Canvas CSV: a column per component (``?items=1``: a column per item)."""
    items = request.GET.get("items") == "1"
    book = compute_gradebook(access.course, summed=not items)
    out = io.StringIO()
    write_canvas_csv(book, out, items=items)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"{access.course.code}-grades{'-items' if items else ''}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _exact(value) -> str:
    return format(value, "f")


def _sums(score, key) -> dict:
    return {
        "id": key,
        "weight": _exact(score.weight),
        "earned": _exact(score.earned),
        "counted": _exact(score.counted_possible),
        "total": _exact(score.total_possible),
        "open": _exact(score.open_possible),
    }


def what_if_data(course, row) -> dict:
    """What the grades page's what-if (grading/static/grading/what_if.js) computes from:
    each component's exact sums as decimal strings (a component with several sources: each
    part's, weighted inside it), and the letter scale. The browser redoes the engine's
    arithmetic on these in exact fractions; nothing is sent back."""
    components = []
    for score in row.components:
        entry = _sums(score, str(score.component.pk)) | {"bonus": score.is_bonus}
        parts = getattr(score, "parts", None)
        if parts:
            entry["parts"] = [
                _sums(part, f"{score.component.pk}-{i}") for i, part in enumerate(parts)
            ]
        components.append(entry)
    return {"scale": [[letter, str(bound)] for letter, bound in course.letter_scale],
            "components": components}  # fmt: skip


def what_if_inputs(row) -> list[tuple[str, object]]:
    """(the what-if key it adds to, the item) for every open item: a component's id, or a
    part's ("12-1") in a component with several sources."""
    open_items = []
    for score in row.components:
        parts = getattr(score, "parts", None) or [score]
        for i, part in enumerate(parts):
            key = f"{score.component.pk}-{i}" if part is not score else str(score.component.pk)
            open_items += [
                (key, item) for item in part.items if item.status in ("ungraded", "upcoming")
            ]
    return open_items


# --------------------------------------------------------------------------- histogram

CHART_WIDTH = 660
CHART_HEIGHT = 180
CHART_LEFT = 30
CHART_TOP = 18
CHART_BOTTOM = 24


def histogram(percents, scale) -> dict:
    """Geometry of an SVG histogram of final percentages (1-point bins) with letter cut-offs.

    The x axis runs from a round number at or below the lowest grade (at most 50)
    to 110 (bonus can push a grade past 100); everything is computed here so the
    template only places shapes.
    """
    rounded = [int(p.to_integral_value(rounding="ROUND_FLOOR")) for p in percents]
    low = min([50, *[(r // 10) * 10 for r in rounded]])
    low = max(low, 0)
    high = 110
    span = high - low
    unit = Decimal(CHART_WIDTH) / span
    counts: dict[int, int] = {}
    for r in rounded:
        b = min(max(r, low), high - 1)
        counts[b] = counts.get(b, 0) + 1
    tallest = max(counts.values(), default=0)
    plot_h = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM

    def x(value) -> str:
        return f"{CHART_LEFT + (Decimal(value) - low) * unit:.1f}"

    bars = []
    for b, n in sorted(counts.items()):
        h = Decimal(plot_h) * n / tallest
        bars.append(
            {
                "x": x(b),
                "y": f"{CHART_TOP + plot_h - h:.1f}",
                "width": f"{max(unit - 1, Decimal(1)):.1f}",
                "height": f"{h:.1f}",
                "label": f"{n} student{'s' if n != 1 else ''} at {b}–{b + 1}%",
            }
        )
    cutoffs = []
    for letter, bound in scale:
        bound = Decimal(str(bound))
        if low < bound < high:
            cutoffs.append({"x": x(bound), "letter": letter, "bound": bound})
    ticks = [{"x": x(t), "label": t} for t in range(low, high + 1, 10)]
    return {
        "width": CHART_LEFT + CHART_WIDTH + 10,
        "height": CHART_HEIGHT,
        "axis_y": CHART_TOP + plot_h,
        "axis_x0": CHART_LEFT,
        "axis_x1": CHART_LEFT + CHART_WIDTH,
        "label_y": CHART_HEIGHT - 6,
        "top": CHART_TOP,
        "cut_label_y": CHART_TOP - 6,
        "bars": bars,
        "cutoffs": cutoffs,
        "ticks": ticks,
        "tallest": tallest,
        "count": len(rounded),
    }


urlpatterns = [
    path("grades/", my_grades, name="grades"),
    path("gradebook/", gradebook, name="gradebook"),
    path("gradebook.csv", gradebook_csv, name="gradebook_csv"),
]
