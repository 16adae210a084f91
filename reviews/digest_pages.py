"""The digest's lists, paged by the database: a class of 500 writes 500 reviews of a reading,
and its digest shows 25 of them and 50 gathered questions a page (reviews.views.digest). The
page's rows are the only ones read in full (answers, authors); the counts are SQL counts.

Each list is a sequence Django's Paginator pages as it pages a QuerySet: ``count()`` for the
total, a slice for a page's rows (LIMIT/OFFSET), each row shaped as the template reads it.
"""

from django.db.models import Value
from django.db.models.fields.json import KT

from reviews.models import Review


class Paged:
    """``queryset`` paged: the count once (or ``count`` given), a slice per page, each row
    passed through ``shape``."""

    def __init__(self, queryset, shape, count=None):
        self.queryset, self.shape, self._count = queryset, shape, count

    def count(self) -> int:
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __bool__(self) -> bool:
        return self.count() > 0

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("a digest list is read a page (a slice) at a time")
        return [self.shape(row) for row in self.queryset[index]]


def paged_reviews(plan, kind, reading, count: int) -> Paged:
    """The kind's reviews of the reading, oldest first, each as ReviewPlan.digest_entry
    shows it."""

    def shape(review):
        return plan.digest_entry(kind, reading, review)

    reviews = (
        Review.objects.filter(kind=kind, reading=reading)
        .select_related("student", "team")
        .order_by("submitted_at", "pk")
    )
    return Paged(reviews, shape, count)


def paged_questions(kind, reading, prompts) -> Paged:
    """The answers to the gathered prompts that are not blank, by review (oldest first), then
    by prompt, with their authors' names (a team's name, else the student's or their email)."""
    if not prompts:
        return Paged(Review.objects.none(), dict, 0)
    parts = [
        Review.objects.filter(kind=kind, reading=reading)
        .annotate(text=KT(f"answers__{prompt['key']}"), prompt=Value(i))
        .filter(text__regex=r"\S")
        .values("submitted_at", "pk", "prompt", "text", "team_id", "team__name",
                "student__name", "student__email")
        for i, prompt in enumerate(prompts)
    ]  # fmt: skip
    questions = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    questions = questions.order_by("submitted_at", "pk", "prompt")

    def shape(row):
        if row["team_id"]:
            author = row["team__name"]
        else:
            author = row["student__name"] or row["student__email"]
        return {"author": author, "text": row["text"].strip()}

    return Paged(questions, shape)


__all__ = ["Paged", "paged_questions", "paged_reviews"]
