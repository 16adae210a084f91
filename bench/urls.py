"""The app's URLs plus the benchmark's baseline: one insert in one transaction."""

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from seminar.urls import urlpatterns as app_urlpatterns

BASELINE_TABLE = "bench_baseline"


@require_POST
@login_required
def baseline(request):
    """Same middleware, session and user lookup as a claim; then a single insert."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {BASELINE_TABLE} (user_id) VALUES (%s)", [request.user.pk])  # noqa: S608
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/baseline/", baseline, name="bench_baseline"), *app_urlpatterns]
