from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("team/milestones/<int:milestone_id>/submit/", views.submit_view, name="submit"),
    path("team/files/<int:submission_id>/", views.submission_file, name="submission_file"),
    path("teams/", views.teams_overview, name="teams"),
]
