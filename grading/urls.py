from grading.views import urlpatterns

app_name = "grading"

__all__ = ["app_name", "urlpatterns"]
