from django.contrib import admin
from django.urls import include, path

from seminar import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path(
        "accounts/password_reset/",
        views.SeminarPasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("lti/", include("lti.urls")),
    path("courses/<slug:code>/", include("courses.urls")),
    path("courses/<slug:code>/", include("teams.urls")),
    path("courses/<slug:code>/", include("claims.urls")),
    path("courses/<slug:code>/", include("grading.urls")),
    path("courses/<slug:code>/", include("reviews.urls")),
    path("courses/<slug:code>/", include("projects.urls")),
]
