from django.http import Http404
from django.urls import path


def my_grades(request, code):
    raise Http404  # the grading issue builds this page


def gradebook(request, code):
    raise Http404  # the grading issue builds this page


urlpatterns = [
    path("grades/", my_grades, name="grades"),
    path("gradebook/", gradebook, name="gradebook"),
]
