from claims.preferences_views import urlpatterns as preference_urls
from claims.swap_views import urlpatterns as swap_urls
from claims.views import urlpatterns as board_urls

app_name = "claims"
urlpatterns = board_urls + preference_urls + swap_urls

__all__ = ["app_name", "urlpatterns"]
