from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("reviews/", views.my_reviews, name="my_reviews"),
    path("readings/<int:pk>/review/", views.write, name="write"),
    path("readings/<int:pk>/digest/", views.digest, name="digest"),
]
