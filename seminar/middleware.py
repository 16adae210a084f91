"""Site-wide middleware."""

from django.http import Http404


class NulInURLMiddleware:
    """Answer 404 to a URL that holds a NUL character (%00), in its path or its query string.

    PostgreSQL text cannot hold NUL, so no stored code, id, token or search term can be
    one: such a URL names nothing here, and gets the answer of any URL that names nothing
    (a NUL calendar token is a wrong token). Without this, the value reaches a query and
    psycopg2 refuses it with ValueError: a 500. One place covers every view that reads
    request.GET or a path parameter, Django's admin filters and search included. Form
    fields (the request body) are left to forms: Django's refuse NUL with a field error
    and show the form again with what was typed. After AuthenticationMiddleware, so the
    404 page shows the signed-in person's menu like any other.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise Http404("There is no such page.")
        return self.get_response(request)
