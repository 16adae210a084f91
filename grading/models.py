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


class FeedsComponent(models.Model):
    """Graded work that feeds one component of its course (a review kind, a milestone):
    the link and the rule that it is a component of the same course. The subclass has
    ``course``."""

    component = models.ForeignKey(
        GradeComponent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="%(class)ss",
        help_text="The grade component this feeds.",
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.component_id and self.course_id and self.component.course_id != self.course_id:
            raise ValidationError({"component": "Pick a component of the same course."})


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
