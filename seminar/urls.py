from django.contrib import admin
from django.urls import include, path

from seminar import oidc, views

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
    path("oidc/authenticate/", oidc.CampusSignIn.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", oidc.CampusCallback.as_view(), name="oidc_authentication_callback"),
    path("admin/", admin.site.urls),
    path("lti/", include("lti.urls")),
    path("courses/<slug:code>/", include("courses.urls")),
    path("courses/<slug:code>/", include("teams.urls")),
    path("courses/<slug:code>/", include("claims.urls")),
    path("courses/<slug:code>/", include("grading.urls")),
    path("courses/<slug:code>/", include("reviews.urls")),
    path("courses/<slug:code>/", include("projects.urls")),
    path("courses/<slug:code>/", include("attendance.urls")),
    path("courses/<slug:code>/", include("feedback.urls")),
    path("courses/<slug:code>/", include("discussions.urls")),
]
