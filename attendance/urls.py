from attendance.views import urlpatterns

app_name = "attendance"

__all__ = ["app_name", "urlpatterns"]
