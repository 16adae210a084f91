"""Bad input never reaches a server error.

Every URL pattern of the project (walked from the root URLconf; the real paths come from
the authorization matrix's rows, filled in with objects of world.py) is requested with
bad values: a NUL character, 10,000 characters, bytes that are not UTF-8, and numbers too
big for the database. Each goes in turn into every path parameter, every query-string
parameter a view reads, and every field of every form the page shows (posted to the
form's action). The answer is never a server error (nor an exception): "not found",
the admin's "invalid filter", a refusal with a message, or the form again with its errors.

People: anon (signed out), member (Alice, a student with a team and a review: she
reaches the most student pages), instructor (staff of the course: every page and admin
object of it) and, on the admin pages course staff may not open, a superuser.
"""

import re
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from claims.models import ClaimEvent
from tests.security.test_authorization_matrix import ADMIN_MODELS, ADMIN_VIEWS, ENTRIES, outcome

pytestmark = pytest.mark.django_db

ROLES = ("anon", "member", "instructor")

# Each bad value as it goes into a URL or a form body (already percent-encoded).
NUL = "%00"
LONG = "x" * 10_000
NOT_UTF8 = "%ff%fe"
BIG_NUMBER = "9" * 30  # past any database integer
VALUES = {"nul": NUL, "long": LONG, "not-utf8": NOT_UTF8, "big-number": BIG_NUMBER}
# A path parameter that must be digits gets digits too: past Python's int-parsing limit.
PATH_VALUES = {**VALUES, "long-number": "9" * 10_000}
# A date hierarchy's year gets the last year a date can have.
YEAR_VALUES = {**VALUES, "year-9999": "9999"}

# Query-string parameters the project's views read (grep request.GET), and those of the
# admin's views (search, ordering, page, errors, show all, facets, popups, the filters kept
# across a change), besides each changelist's own filters.
SITE_PARAMS = ("token", "q", "page", "session", "student", "kind", "course", "next")
ADMIN_POPUP = ("_to_field", "_popup", "_changelist_filters")
ADMIN_PARAMS = {
    "changelist": ("q", "o", "p", "e", "all", "course", "_facets", "_to_field", "_popup"),
    "add": ("course", *ADMIN_POPUP),
    "change": ADMIN_POPUP,
    "delete": ADMIN_POPUP,
    "history": ("p",),
}
# Form fields views read from request.POST without a form.
RAW_POST_FIELDS = ("reading", "holder", "reason", "to_date", "time_zone", "course", "switch")

# A path only the admin's catch-all pattern (it has no name) answers.
CATCH_ALL = "/admin/no-such-page/"


@pytest.fixture(scope="module")
def sessions(world, django_db_blocker):
    """Each role's session cookie; the superuser's made here, in the world's transaction."""
    with django_db_blocker.unblock():
        root = get_user_model().objects.create_superuser(email="root@example.edu", password=None)
        client = Client()
        client.force_login(root)
    return {**world.sessions, "superuser": client.cookies[settings.SESSION_COOKIE_NAME].value}


def as_client(sessions, role):
    """A test client signed in as ``role`` that returns 500s instead of raising."""
    client = Client(raise_request_exception=False)
    if role != "anon":
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[role]
    return client


def send(client, method, path, body=None):
    if method == "post":
        response = client.post(
            path, data=body or "", content_type="application/x-www-form-urlencoded"
        )
    else:
        response = client.get(path)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def failed(response):
    return response.status_code >= 500 or getattr(response, "exc_info", None) is not None


# --------------------------------------------------------------------------- the walk


def all_routes(patterns=None, prefix=""):
    """Every URL pattern's full route, as ResolverMatch.route spells it."""
    routes = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(pattern.pattern)
        route = prefix + (route[1:] if prefix and route.startswith("^") else route)
        if isinstance(pattern, URLResolver):
            routes |= all_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            routes.add(route)
    return routes


def with_path_param(path, name, value, bad):
    """``path`` with the segment holding parameter ``name`` (``value``) replaced by ``bad``."""
    target = f"/{quote(str(value), safe='/')}"
    start = path.find(f"{target}/")
    start = start if start >= 0 else path.find(target)
    assert start >= 0, f"{name}={value!r} not found in {path}"
    return path[: start + 1] + bad + path[start + len(target) :]


def with_query_param(path, name, bad):
    """``path`` with query parameter ``name`` set to ``bad`` (replacing its value if any)."""
    page, _, query = path.partition("?")
    pairs = [pair for pair in query.split("&") if pair and pair.split("=")[0] != name]
    return f"{page}?{'&'.join([*pairs, f'{name}={bad}'])}"


class FormFinder(HTMLParser):
    """The POST forms of a page: [(action, [field names])]."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self._fields = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._fields = []
            self.forms.append((attrs.get("action") or "", self._fields))
        elif tag in ("input", "select", "textarea", "button") and self._fields is not None:
            if attrs.get("name") and attrs.get("type") != "file":
                self._fields.append(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None


def forms_of(response, page):
    if "html" not in response.get("Content-Type", ""):
        return []
    finder = FormFinder()
    finder.feed(response.content.decode())
    return [(urljoin(page, action or page), fields) for action, fields in finder.forms]


def query_params(page, path):
    """The query-string parameters the view of ``path`` reads."""
    if not path.startswith("/admin/"):
        return SITE_PARAMS
    view = resolve(urlsplit(path).path).url_name or ""
    params = list(ADMIN_PARAMS.get(view.rsplit("_", 1)[-1], ("next", *ADMIN_POPUP)))
    changelist = page.context.get("cl") if page.context else None
    if changelist is not None:
        for spec in changelist.filter_specs:
            params += spec.expected_parameters()
        if changelist.date_hierarchy:
            field = changelist.date_hierarchy
            params += [f"{field}__year", f"{field}__month", f"{field}__day"]
    return params


def turned_away(page):
    """The admin sent this person to its sign-in page before reading anything."""
    return page.status_code == 302 and urlsplit(page["Location"]).path == reverse("admin:login")


def bad_requests(client, method, path, page, fields=()):
    """(label, method, path, body) for every bad value in every place of this request:
    each path parameter, each query parameter, the fields of each form of ``page`` (the
    answer to the request) and ``fields``, those a POST-only URL reads."""
    match = resolve(urlsplit(path).path)
    digits_only = set(re.findall(r"<int:(\w+)>", match.route))
    for name, value in match.kwargs.items():
        for label, bad in PATH_VALUES.items():
            if label == "long-number" and name not in digits_only:
                continue
            yield f"path {name}={label}", method, with_path_param(path, name, value, bad), None

    if method == "get":
        params = query_params(page, path)
        if turned_away(page):
            params = params[:1]  # one is enough: nothing is read
        for name in params:
            for label, bad in (YEAR_VALUES if name.endswith("__year") else VALUES).items():
                yield f"?{name}={label}", "get", with_query_param(path, name, bad), None

    forms = forms_of(page, path) if method == "get" else [(path, list(fields))]
    for action, names in forms:
        names = sorted(set(names) | set(RAW_POST_FIELDS))
        for label, bad in VALUES.items():
            body = "&".join(f"{quote(name)}={bad}" for name in names)
            yield f"POST fields={label}", "post", action, body


# The admin's views of one model: its five pages, and the bare object URL that redirects
# to the change page.
ADMIN_PAGES = (*ADMIN_VIEWS, "object")


def cases():
    """(case, name, roles) of what to request, without the world: ("entry", index),
    ("admin", label, view) or ("catch-all",)."""
    for index, entry in enumerate(ENTRIES):
        suffix = f"[{entry.label}]" if entry.label else ""
        yield ("entry", index), f"{entry.method.upper()} {entry.name}{suffix}", ROLES
    for label, (_, expected) in ADMIN_MODELS.items():
        for view in ADMIN_PAGES:
            staff_only = view == "object" or expected[view]["instructor"] == 200
            roles = ROLES if staff_only else (*ROLES, "superuser")
            yield ("admin", label, view), f"admin:{label}:{view}", roles
    yield ("catch-all",), "admin catch-all", ROLES


def real_request(world, case, role="member"):
    """(method, path) of a request the case's page answers ``role`` normally."""
    if case[0] == "entry":
        entry = ENTRIES[case[1]]
        if entry.name == "courses:calendar":
            return entry.method, entry.path(world, role)  # their own token
        return entry.method, entry.path(world)
    if case[0] == "admin" and case[2] == "object":
        _, label, _ = case
        app, model = label.lower().split(".")
        return "get", f"/admin/{app}/{model}/{ADMIN_MODELS[label][0](world).pk}/"
    if case[0] == "admin":
        _, label, view = case
        find, _ = ADMIN_MODELS[label]
        app, model = label.lower().split(".")
        if view in ("changelist", "add"):
            return "get", reverse(f"admin:{app}_{model}_{view}")
        return "get", reverse(f"admin:{app}_{model}_{view}", args=[find(world).pk])
    return "get", CATCH_ALL


def matrix_answer(world, case, role):
    """What the authorization matrix expects of the real request (None: no row says)."""
    if case[0] == "entry":
        entry = ENTRIES[case[1]]
        return None if entry.data else entry.expected.get(role)  # (no form data posted)
    if case[0] == "admin" and case[2] in ADMIN_VIEWS:
        return ADMIN_MODELS[case[1]][1][case[2]].get(role)
    return None


def test_the_walk_reaches_every_url_pattern(world):
    reached = {resolve(urlsplit(real_request(world, case)[1]).path).route for case, *_ in cases()}
    missing = sorted(all_routes() - reached)
    assert missing == [], f"URL patterns the bad-input walk does not request: {missing}"


@pytest.mark.parametrize(
    ("case", "role"),
    [
        pytest.param(case, role, id=f"{name}-{role}")
        for case, name, roles in cases()
        for role in roles
    ],
)
def test_bad_input_never_reaches_a_server_error(world, sessions, case, role):
    client = as_client(sessions, role)
    method, path = real_request(world, case, role)
    page = send(client, method, path, "" if method == "post" else None)
    expected = matrix_answer(world, case, role)
    if expected is not None:  # the walk is signed in as it thinks: the real page answers
        assert outcome(page) == expected, f"{method.upper()} {path} as {role}"
    fields = ()
    if case[0] == "entry" and ENTRIES[case[1]].data:
        fields = ENTRIES[case[1]].data(world)
    errors = []
    for label, bad_method, bad_path, body in bad_requests(client, method, path, page, fields):
        response = send(client, bad_method, bad_path, body)
        if failed(response):
            exc = response.exc_info[1] if response.exc_info else None
            errors.append(
                f"{label}: {bad_method.upper()} {bad_path[:100]} -> {response.status_code} "
                f"{type(exc).__name__}: {str(exc)[:150]}"
            )
    assert errors == [], "\n".join(errors)


# --------------------------------------------------------------------------- the answers


def test_a_nul_calendar_token_is_a_wrong_token(world, sessions):
    client = as_client(sessions, "anon")
    feed = reverse("courses:calendar", args=[world.here.course.code])
    wrong = send(client, "get", f"{feed}?token=not-a-token")
    for token in (NUL, f"{world.user('member').calendar_token}{NUL}", LONG, NOT_UTF8):
        response = send(client, "get", f"{feed}?token={token}")
        assert (response.status_code, wrong.status_code) == (404, 404), token[:40]


def test_a_nul_in_a_form_field_is_a_field_error_and_keeps_what_was_typed(world, sessions):
    # Sam has written no review of the reading yet.
    client = as_client(sessions, "student")
    page = reverse("reviews:write", args=[world.here.course.code, world.here.reading.pk])
    response = client.post(page, {"summary": "Fast\x00attention.", "questions": "Does it scale?"})
    assert response.status_code == 200
    assert response.context["form"].errors["summary"] == ["Null characters are not allowed."]
    assert "Does it scale?" in response.content.decode()
    assert not world.here.reading.reviews.filter(student=world.user("student")).exists()


@pytest.mark.parametrize(
    "query",
    ["q=%00", "o=%00", "topic=%00", "kind__exact=%00", "%00=1", "date__gte=2025-01-01%00"],
)
def test_admin_lists_answer_a_nul_as_not_found(sessions, query):
    response = as_client(sessions, "instructor").get(f"/admin/courses/session/?{query}")
    assert response.status_code == 404


def test_an_admin_object_with_a_nul_id_is_not_found(world, sessions):
    response = as_client(sessions, "instructor").get(
        f"/admin/courses/session/{world.here.session.pk}%00/change/"
    )
    assert response.status_code == 404


@pytest.mark.parametrize("year", ["9999", BIG_NUMBER])
def test_a_date_hierarchy_year_out_of_range_is_an_invalid_filter(sessions, year):
    response = as_client(sessions, "instructor").get(f"/admin/courses/session/?date__year={year}")
    assert response.status_code == 302
    assert response["Location"] == "/admin/courses/session/?e=1"


@pytest.mark.parametrize("session", [LONG, NOT_UTF8, "-1"])
def test_the_review_lists_session_filter_refuses_what_is_not_an_id(sessions, session):
    response = as_client(sessions, "instructor").get(f"/admin/reviews/review/?session={session}")
    assert response.status_code == 302
    assert response["Location"] == "/admin/reviews/review/?e=1"


def test_a_claim_change_with_a_nul_reason_is_refused_with_a_message(world, sessions):
    client = as_client(sessions, "ta")
    claim = world.here.claim
    events = ClaimEvent.objects.count()
    response = client.post(
        reverse("claims:claim_remove", args=[world.here.course.code, claim.pk]),
        {"reason": "Asked\x00to"},
        follow=True,
    )
    assert response.status_code == 200
    assert "The reason cannot hold a NUL character" in response.content.decode()
    assert ClaimEvent.objects.count() == events
    claim.refresh_from_db()
    assert claim.withdrawn_at is None


def test_claiming_a_reading_id_past_any_database_integer_is_not_found(world, sessions):
    client = as_client(sessions, "student")
    response = client.post(
        reverse("claims:claim_create", args=[world.here.course.code, int(BIG_NUMBER)])
    )
    assert response.status_code == 404


@pytest.mark.parametrize("reading", ["\x00", "first", "٣"])
def test_a_staff_claim_form_naming_no_reading_id_is_not_found(world, sessions, reading):
    response = as_client(sessions, "ta").post(
        reverse("claims:claim_move", args=[world.here.course.code, world.here.claim.pk]),
        {"reading": reading, "reason": "Swapped dates."},
    )
    assert response.status_code == 404
