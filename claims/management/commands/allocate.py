from django.core.management.base import CommandError

from claims.preferences import (
    PreferenceError,
    allocation_publish,
    allocation_rows,
    allocation_run,
    rank_line,
)
from courses.management.base import CourseCommand


class Command(CourseCommand):
    help = (
        "Paper assignment by preference: compute a rank-maximal allocation of CODE, print it "
        "and its rank statistics; --publish turns it into claims (and emails each student)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--seed", type=int, help="tie-break seed (default: a random one)")
        parser.add_argument("--publish", action="store_true", help="create the claims")

    def handle(self, *args, code, seed, publish, **options):
        course = self.course(code)
        try:
            allocation = allocation_run(course=course, seed=seed)
            for row in allocation_rows(allocation):
                where = str(row.reading.paper) if row.reading else "(no seat left)"
                rank = f"choice {row.rank}" if row.rank else "none of theirs"
                self.stdout.write(f"{row.holder}\t{where}\t{rank}")
            if publish:
                claims = allocation_publish(allocation=allocation, actor=None)
        except PreferenceError as exc:
            raise CommandError(exc.message) from None
        stats = allocation.stats
        verb = f"published: {len(claims)} claims" if publish else "not published"
        self.stdout.write(
            f"allocation {allocation.pk} of {code}, seed {allocation.seed}: "
            f"{stats['placed']} of {stats['holders']} placed; {rank_line(stats)} ({verb})"
        )
