"""A paper belongs to one course; a claim event keeps its paper's title and session date.

Papers used to be shared: importing course B's file with another link for a paper
changed what course A showed, and staff of any course reading a paper could edit it.
In steps:

1. Paper gets a nullable ``course``; ClaimEvent gets ``paper_title`` and
   ``session_date`` and its reading becomes optional (SET_NULL), so an import may
   remove a reading whose claims were all withdrawn and its history stays readable.
2. Data: every course gets its own copy of each paper its readings use. The first
   course (lowest id) reading a paper keeps the original row; every other course
   gets a copy with the same fields, and its readings are repointed to it (claims,
   reviews and slides hang off the reading, so nothing else moves). A paper no
   reading uses goes to the oldest course. Two papers of one course with the same
   title (the import could not tell them apart): an unplaced one is dropped, a placed
   one is renamed "Title (2)". Existing claim events get their paper's title and
   session's date.
3. ``course`` becomes required; a title is unique per course (case-insensitive, as
   the import matches papers); and a composite foreign key makes the database refuse
   a reading whose paper belongs to another course (as migration 0003 does for
   sessions).
"""

from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Lower

PAPER_FIELDS = ("title", "authors", "venue", "year", "url", "is_placeholder")

SAME_COURSE_FK = [
    "ALTER TABLE courses_paper ADD CONSTRAINT courses_paper_id_course_uniq UNIQUE (id, course_id);",
    "ALTER TABLE courses_reading ADD CONSTRAINT courses_reading_paper_id_same_course "
    "FOREIGN KEY (paper_id, course_id) REFERENCES courses_paper (id, course_id);",
]
DROP_SAME_COURSE_FK = [
    "ALTER TABLE courses_reading DROP CONSTRAINT courses_reading_paper_id_same_course;",
    "ALTER TABLE courses_paper DROP CONSTRAINT courses_paper_id_course_uniq;",
]


def give_each_course_its_papers(apps, schema_editor):
    Course = apps.get_model("courses", "Course")
    Paper = apps.get_model("courses", "Paper")
    Reading = apps.get_model("courses", "Reading")
    ClaimEvent = apps.get_model("courses", "ClaimEvent")

    courses_of = defaultdict(set)
    for paper_id, course_id in Reading.objects.values_list("paper_id", "course_id"):
        courses_of[paper_id].add(course_id)
    oldest = Course.objects.order_by("pk").values_list("pk", flat=True).first()

    for paper in Paper.objects.order_by("pk"):
        course_ids = sorted(courses_of.get(paper.pk, ()))
        if not course_ids:
            if oldest is None:
                paper.delete()  # no course at all to give it to
                continue
            course_ids = [oldest]
        paper.course_id = course_ids[0]
        paper.save(update_fields=["course"])
        for course_id in course_ids[1:]:
            copy = Paper.objects.create(
                course_id=course_id, **{field: getattr(paper, field) for field in PAPER_FIELDS}
            )
            Reading.objects.filter(paper=paper, course_id=course_id).update(paper=copy)

    # One title per course from now on.
    clashes = (
        Paper.objects.annotate(folded=Lower("title"))
        .values("course_id", "folded")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    for clash in clashes:
        papers = sorted(
            Paper.objects.annotate(folded=Lower("title"), placed=Count("readings")).filter(
                course_id=clash["course_id"], folded=clash["folded"]
            ),
            key=lambda p: (not p.placed, p.pk),
        )
        for number, paper in enumerate(papers[1:], start=2):
            if paper.placed:
                paper.title = f"{paper.title[:290]} ({number})"
                paper.save(update_fields=["title"])
            else:
                paper.delete()

    readings = Reading.objects.filter(pk=OuterRef("reading_id"))
    ClaimEvent.objects.filter(reading__isnull=False).update(
        paper_title=Subquery(readings.values("paper__title")[:1]),
        session_date=Subquery(readings.values("session__date")[:1]),
    )
    # Check the deferred foreign keys now: the tables are altered next, which
    # PostgreSQL refuses while their checks are pending.
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [("courses", "0008_membership_dropped")]

    operations = [
        migrations.AddField(
            model_name="paper",
            name="course",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="papers",
                to="courses.course",
            ),
        ),
        migrations.AddField(
            model_name="claimevent",
            name="paper_title",
            field=models.CharField(blank=True, default="", max_length=300, verbose_name="paper"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="claimevent",
            name="session_date",
            field=models.DateField(blank=True, null=True, verbose_name="session"),
        ),
        migrations.AlterField(
            model_name="claimevent",
            name="reading",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="claim_events",
                to="courses.reading",
            ),
        ),
        migrations.RunPython(give_each_course_its_papers, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="paper",
            name="course",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="papers",
                to="courses.course",
            ),
        ),
        migrations.RemoveIndex(model_name="paper", name="paper_title_lower"),
        migrations.AddConstraint(
            model_name="paper",
            constraint=models.UniqueConstraint(
                models.F("course"),
                Lower("title"),
                name="paper_title_once_per_course",
                violation_error_message="This course has a paper with this title already.",
            ),
        ),
        migrations.RunSQL(SAME_COURSE_FK, DROP_SAME_COURSE_FK),
    ]
