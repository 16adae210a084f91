"""Assignment and Grade Services: the published grades, as the gradebook computes them
(grading.engine, the numbers the Canvas CSV export carries), sent to the platform's
gradebook: one line item per published component (out of its weight) and one for the final
grade (out of 100).

Idempotent: each score posted is remembered (ScorePost) and only a changed one is posted
again. A score post that fails is tried LTI_HTTP_RETRIES times, then reported for that
student; the rest go on. A platform that cannot be reached at all (no token, no line items)
stops the push before anything is posted.
"""

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem as LibLineItem
from requests import RequestException

from grading.engine import HUNDRED, ComponentScore, compute_gradebook, round2
from lti.client import AGS_LINEITEM, AGS_SCORE, connector
from lti.models import ContextLink, LineItem, PlatformUser, ScorePost

log = logging.getLogger(__name__)
FINAL = "final"
SERVICE_ERRORS = (LtiException, RequestException, ValueError, KeyError, TypeError)


class GradePushError(Exception):
    """The push did not start (no AGS, platform unreachable): no score was posted."""


@dataclass
class PushResult:
    posted: int = 0
    unchanged: int = 0
    line_items_created: int = 0
    failures: list[str] = field(default_factory=list)  # one line per student and column
    not_on_platform: list[str] = field(default_factory=list)  # students the LMS cannot take

    def summary(self) -> str:
        text = (
            f"{self.posted} scores posted, {self.unchanged} unchanged, "
            f"{self.line_items_created} new gradebook columns"
        )
        if self.not_on_platform:
            text += f"; {len(self.not_on_platform)} students without an LMS account here: "
            text += ", ".join(self.not_on_platform)
        if self.failures:
            text += f"; {len(self.failures)} failed (see below)"
        return text


@dataclass
class Column:
    resource_id: str
    label: str
    maximum: Decimal
    component: object = None


@dataclass
class Score:
    given: Decimal
    maximum: Decimal
    activity: str
    grading: str


def progress(scores: list[ComponentScore]) -> tuple[str, str]:
    """(activityProgress, gradingProgress) over these component scores: Completed once
    nothing is upcoming; FullyGraded once nothing awaits a grade either."""
    upcoming = any(s.upcoming for s in scores)
    ungraded = any(s.ungraded for s in scores)
    activity = "InProgress" if upcoming else "Completed"
    if ungraded:
        return activity, "PendingManual"
    return activity, "Pending" if upcoming else "FullyGraded"


def scores_of(row, columns: list[Column]) -> dict[str, Score]:
    """One student's scores per column: the gradebook's projected points (the CSV's)."""
    found = {}
    for column in columns:
        if column.component is None:
            activity, grading = progress(row.components)
            given = round2(row.projected_percent)
        else:
            score = row.score_for(column.component)
            activity, grading = progress([score])
            given = round2(score.projected_points)
        found[column.resource_id] = Score(given, column.maximum, activity, grading)
    return found


def columns_of(gradebook) -> list[Column]:
    columns = [
        Column(f"component-{c.pk}", c.name, round2(c.weight), c)
        for c in gradebook.components
        if c.weight > 0
    ]
    return [*columns, Column(FINAL, "Seminar final grade", HUNDRED)]


def grades_push(*, link: ContextLink, now=None) -> PushResult:
    if not link.lineitems_url or AGS_SCORE not in link.ags_scopes:
        raise GradePushError(
            "The LMS did not offer grade passback (Assignment and Grade Services) for this "
            "course: turn it on for Seminar in the LMS and launch once."
        )
    now = now or timezone.now()
    gradebook = compute_gradebook(link.course, now=now, published_only=True)
    columns = columns_of(gradebook)
    subs = dict(PlatformUser.objects.filter(platform=link.platform).values_list("user_id", "sub"))
    result = PushResult()
    service = AssignmentsGradesService(
        connector(link.platform),
        {"scope": link.ags_scopes, "lineitems": link.lineitems_url},
    )
    items = _line_items(link, service, columns, result)
    previous = {
        (post.line_item_id, post.user_id): post
        for post in ScorePost.objects.filter(line_item__link=link)
    }
    stamp = now.isoformat()
    for row in gradebook.rows:
        student = row.student
        sub = subs.get(student.pk)
        if sub is None:
            result.not_on_platform.append(student.email)
            continue
        for resource_id, score in scores_of(row, columns).items():
            item = items[resource_id]
            last = previous.get((item.pk, student.pk))
            if last is not None and _same(last, score):
                result.unchanged += 1
                continue
            error = _post(service, item, sub, score, stamp)
            if error:
                result.failures.append(f"{student.email}, {item.label}: {error}")
                continue
            ScorePost.objects.update_or_create(
                line_item=item,
                user=student,
                defaults={
                    "score_given": score.given,
                    "score_maximum": score.maximum,
                    "activity_progress": score.activity,
                    "grading_progress": score.grading,
                    "posted_at": now,
                },
            )
            result.posted += 1
    return result


def _same(last: ScorePost, score: Score) -> bool:
    return (
        last.score_given == score.given
        and last.score_maximum == score.maximum
        and last.activity_progress == score.activity
        and last.grading_progress == score.grading
    )


def _line_items(link, service, columns, result) -> dict[str, LineItem]:
    """The line item of every column: remembered (and still on the platform: a column staff
    deleted in the LMS is forgotten, with the scores posted to it), else found on the
    platform by its resourceId (made by an earlier push whose record was lost), else
    created. One listing of the platform's line items, then a request per new column."""
    known = {item.resource_id: item for item in link.line_items.all()}
    if AGS_LINEITEM not in link.ags_scopes:
        raise GradePushError("The LMS does not let Seminar create gradebook columns.")
    try:
        listed = [item for item in service.get_lineitems() if isinstance(item, dict)]
        urls = {item.get("id") for item in listed}
        gone = [item for item in known.values() if item.url not in urls]
        for item in gone:
            del known[item.resource_id]
            item.delete()  # its ScorePosts go with it: the new column gets every score
        on_platform = {item.get("resourceId"): item for item in listed}
        for column in [c for c in columns if c.resource_id not in known]:
            found = on_platform.get(column.resource_id)
            if found is None:
                wanted = (
                    LibLineItem()
                    .set_label(column.label)
                    .set_score_maximum(float(column.maximum))
                    .set_resource_id(column.resource_id)
                    .set_tag("seminar")
                )
                created = service.find_or_create_lineitem(wanted, find_by="resource_id")
                if not created.get_id():
                    raise GradePushError("The LMS answered a new column without its id.")
                found = {"id": created.get_id()}
                result.line_items_created += 1
            known[column.resource_id] = LineItem.objects.create(
                link=link,
                component=column.component,
                resource_id=column.resource_id,
                url=found["id"],
                label=column.label,
                score_maximum=column.maximum,
            )
    except SERVICE_ERRORS as exc:
        log.warning("AGS line items for %s failed: %s", link, exc)
        raise GradePushError(
            f"{link.platform.name} did not answer the gradebook request "
            f"({str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__}); "
            "no score was posted."
        ) from None
    return known


def _post(service, item: LineItem, sub: str, score: Score, stamp: str) -> str:
    """Post one score, trying LTI_HTTP_RETRIES times; '' on success, else the last error."""
    grade = (
        Grade()
        .set_user_id(sub)
        .set_score_given(float(max(score.given, 0)))  # AGS takes no negative score
        .set_score_maximum(float(score.maximum))
        .set_timestamp(stamp)
        .set_activity_progress(score.activity)
        .set_grading_progress(score.grading)
    )
    lib_item = LibLineItem({"id": item.url, "label": item.label})
    error = ""
    for _attempt in range(max(1, settings.LTI_HTTP_RETRIES)):
        try:
            service.put_grade(grade, lib_item)
            return ""
        except SERVICE_ERRORS as exc:
            error = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return error
