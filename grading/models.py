from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from courses.models.course import Course


class ComponentSource(models.TextChoices):
    REVIEWS = "reviews", "reviews (a review kind)"
    BONUS_REVIEWS = "bonus_reviews", "bonus: reviews of optional readings"
    PRESENTATION = "presentation", "presentation (grade on the claim)"
    MILESTONE = "milestone", "project milestone"
    PARTICIPATION = "participation", "participation (entered per student)"
    MANUAL = "manual", "manual scores (entered per student)"
    SEVERAL = "several", "several sources (weighted parts)"
    ATTENDANCE = "attendance", "attendance (check-ins)"
    FEEDBACK = "feedback", "presenter feedback (classmates' ratings)"


class GradeComponent(models.Model):
    """A named, weighted part of the final grade, fed by one source.

    Review kinds and milestones point at the component they feed (they live in
    apps that depend on courses, never the reverse).
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="components")
    name = models.CharField(max_length=100)
    group = models.CharField(
        max_length=60, blank=True, help_text='e.g. "Project" for 1 + 4 + 10 + 35.'
    )
    weight = models.DecimalField(
        "weight (%)", max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    is_bonus = models.BooleanField(default=False, help_text="Adds on top; not part of the 100%.")
    source = models.CharField(max_length=20, choices=ComponentSource)
    max_points = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("100"),
        help_text="Manual and participation scores are entered out of this.",
    )
    published = models.BooleanField(default=False, help_text="Students see their score for it.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "courses_gradecomponent"  # moved from courses; the table stays
        ordering = ["course", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "name"], name="component_name_unique_in_course"
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="component_weight_nonnegative"),
            models.CheckConstraint(
                condition=Q(max_points__gt=0), name="component_max_points_positive"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.weight}%)"


class ComponentPart(models.Model):
    """One source of a component that has several (its source is "several"), weighted
    inside it: CSE 585's participation is questions 50 + in-class participation 50. The
    parts' weights add up to 100; each part scores like a component of that source (fed
    by what feeds its component: the review kinds, milestones and manual scores that
    name the component)."""

    component = models.ForeignKey(GradeComponent, on_delete=models.CASCADE, related_name="parts")
    source = models.CharField(max_length=20, choices=ComponentSource)
    weight = models.DecimalField(
        "weight inside (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["component", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["component", "source"], name="componentpart_one_per_source"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0), name="componentpart_weight_nonnegative"
            ),
            models.CheckConstraint(
                condition=~Q(source__in=["several", "bonus_reviews"]),
                name="componentpart_source_is_one_source",
            ),
        ]

    def __str__(self):
        return f"{self.get_source_display()} ({self.weight.normalize():f}%)"

    # A part scores like a component: what ComponentScore reads of one.
    is_bonus = False

    @property
    def name(self) -> str:
        """The source as people say it ("reviews", "participation", "manual scores")."""
        return self.get_source_display().split(" (")[0]


def parts_problem(parts) -> str:
    """Why these parts' weights cannot stand (they must add up to exactly 100), or ''."""
    total = sum((Decimal(p.weight) for p in parts), Decimal(0))
    if total == 100:
        return ""
    off = total - 100
    return (
        f"The parts' weights add up to {total:.2f}%, "
        f"{abs(off):.2f} {'over' if off > 0 else 'short of'} 100."
    )


class ManualScore(models.Model):
    """A per-student score for a participation or manual component."""

    component = models.ForeignKey(
        GradeComponent, on_delete=models.CASCADE, related_name="manual_scores"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="manual_scores"
    )
    points = models.DecimalField(
        max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    feedback = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "courses_manualscore"  # moved from courses; the table stays
        ordering = ["component", "student__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["component", "student"], name="manualscore_one_per_student"
            ),
            models.CheckConstraint(
                condition=Q(points__gte=0), name="manualscore_points_nonnegative"
            ),
        ]

    def __str__(self):
        return f"{self.student}: {self.points} in {self.component.name}"


def rubric_criteria(rubric) -> list[tuple[str, Decimal, str]]:
    """(criterion, points, description) of a valid rubric, in order."""
    return [
        (row["criterion"], Decimal(str(row["points"])), row.get("description", ""))
        for row in rubric or []
    ]


def validate_rubric(value) -> None:
    """A rubric is a list of ``{"criterion", "points", "description"}`` (description
    optional), criteria named once each, points positive."""
    if value in (None, []):
        return
    if not isinstance(value, list):
        raise ValidationError("A rubric is a list of {criterion, points, description} objects.")
    names = set()
    for i, row in enumerate(value, 1):
        if not isinstance(row, dict) or not str(row.get("criterion", "")).strip():
            raise ValidationError(f"Criterion {i} needs a name (criterion).")
        name = row["criterion"]
        if name in names:
            raise ValidationError(f"Criterion {name!r} is named twice.")
        names.add(name)
        unknown = set(row) - {"criterion", "points", "description"}
        if unknown:
            raise ValidationError(f"Criterion {name!r}: unknown key {sorted(unknown)[0]!r}.")
        try:
            points = Decimal(str(row.get("points")))
        except ArithmeticError:
            points = None
        if points is None or not points.is_finite() or points <= 0:
            raise ValidationError(f"Criterion {name!r}: points must be a number above 0.")
        if points.as_tuple().exponent < -2:
            raise ValidationError(f"Criterion {name!r}: points have at most 2 decimals.")


class FeedsComponent(models.Model):
    """Graded work that feeds one component of its course (a review kind, a milestone):
    the link and the rule that it is a component of the same course, and its optional
    rubric (criteria whose points add up to the work's maximum). The subclass has
    ``course`` and ``max_points``."""

    component = models.ForeignKey(
        GradeComponent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="%(class)ss",
        help_text="The grade component this feeds.",
    )
    rubric = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_rubric],
        help_text='Optional: [{"criterion": "Clarity", "points": 4, "description": "…"}, …]; '
        "the points add up to the maximum. Staff then score each criterion.",
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.component_id and self.course_id and self.component.course_id != self.course_id:
            raise ValidationError({"component": "Pick a component of the same course."})
        try:
            validate_rubric(self.rubric)
        except ValidationError:
            return  # the field's own validator reports it
        criteria = rubric_criteria(self.rubric)
        if criteria and self.max_points is not None:
            total = sum((points for _, points, _ in criteria), Decimal(0))
            if total != self.max_points:
                raise ValidationError(
                    {
                        "rubric": f"The criteria add up to {total.normalize():f} points; "
                        f"the maximum is {self.max_points.normalize():f}."
                    }
                )


class GradedWork(models.Model):
    """The rubric scores of a graded item (a review, a milestone grade), by criterion."""

    rubric_scores = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        abstract = True


class GradeNotice(models.Model):
    """ "A grade of yours was published": one per (person, graded thing), so a grade
    published twice (or re-saved) tells once. Shown as new on the person's pages until
    they open the page it is on (``seen_at``); emailed through the outbox when the course
    says so (Course.email_grades)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grade_notices"
    )
    key = models.CharField(max_length=80, help_text='What was graded, e.g. "review:12".')
    label = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="gradenotice_once_per_item")
        ]
        indexes = [models.Index(fields=["user", "course", "seen_at"])]

    def __str__(self):
        return f"{self.label} → {self.user}"
