from django.urls import path

from teams import views

app_name = "teams"

urlpatterns = [
    path("team/", views.team_page, name="team"),
    path("team/create/", views.team_create_view, name="team_create"),
    path("team/join/", views.team_join_view, name="team_join"),
    path("team/leave/", views.team_leave_view, name="team_leave"),
]
