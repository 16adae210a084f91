from discussions.views import urlpatterns

app_name = "discussions"

__all__ = ["app_name", "urlpatterns"]
