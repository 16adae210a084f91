from claims.views import urlpatterns

app_name = "claims"

__all__ = ["app_name", "urlpatterns"]
