from django.http import Http404
from django.urls import path


def claims_board(request, code):
    raise Http404  # the claims issue builds the board


urlpatterns = [
    path("claims/", claims_board, name="claims"),
]
