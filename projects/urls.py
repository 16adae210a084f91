from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("team/", views.team_page, name="team"),
    path("team/create/", views.team_create_view, name="team_create"),
    path("team/join/", views.team_join_view, name="team_join"),
    path("team/leave/", views.team_leave_view, name="team_leave"),
    path("team/milestones/<int:milestone_id>/submit/", views.submit_view, name="submit"),
    path("team/files/<int:submission_id>/", views.submission_file, name="submission_file"),
    path("teams/", views.teams_overview, name="teams"),
]
