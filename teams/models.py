import secrets

from django.conf import settings
from django.db import models

from courses.models.course import Course

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(8))


class Team(models.Model):
    """A group of students in one course: a project team, and in courses that
    present by groups (CSE 585) also the holder of claims and group reviews.

    Teams are their own app (below claims, reviews and projects) because claims and
    reviews are held by them; projects adds milestones and submissions on top.
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=100)
    working_title = models.CharField(max_length=200, blank=True)
    topic = models.TextField(blank=True)
    join_code = models.CharField(max_length=12, unique=True, default=new_join_code)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "courses_team"  # moved from courses; the table stays
        ordering = ["course", "name"]
        constraints = [
            models.UniqueConstraint(fields=["course", "name"], name="team_name_unique_in_course"),
        ]

    def __str__(self):
        return self.name

    def has_work(self) -> bool:
        """Whether any row of another app (a claim, a submission, a grade…) points at this
        team: a team with work stays for the record when its last member leaves. One query
        per relation; the apps above are walked without importing them."""
        for rel in self._meta.related_objects:
            if rel.related_model is TeamMember or not (rel.one_to_many or rel.one_to_one):
                continue
            if rel.related_model._base_manager.filter(**{rel.field.name: self}).exists():
                return True
        return False


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    # Mirrors team.course so the database can say "one team per student per course".
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+", editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "courses_teammember"  # moved from courses; the table stays
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "user"], name="teammember_one_team_per_course"
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.team}"

    def save(self, *args, **kwargs):
        self.course_id = self.team.course_id
        super().save(*args, **kwargs)


class HeldByStudentOrTeam(models.Model):
    """Work held by one student or by one team, never both and never neither: a claim,
    a review, a review extension. The database keeps the rule through
    :meth:`holder_check`, which each model lists in its ``Meta.constraints`` under the
    name its table already has.

    It lives in ``teams`` (not in the core's due-work kernel) because a team is one of
    the two holders, and the core sits below ``teams``.
    """

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="%(class)ss",
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="%(class)ss"
    )

    class Meta:
        abstract = True

    @staticmethod
    def holder_check(name: str) -> models.CheckConstraint:
        return models.CheckConstraint(
            condition=(models.Q(student__isnull=False) & models.Q(team__isnull=True))
            | (models.Q(student__isnull=True) & models.Q(team__isnull=False)),
            name=name,
        )

    @property
    def holder(self):
        """The team when a team holds it, else the student."""
        return self.team if self.team_id else self.student

    @property
    def holder_name(self) -> str:
        holder = self.holder
        if holder is None:
            return ""
        return getattr(holder, "name", "") or str(holder)
