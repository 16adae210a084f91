"""A real LTI 1.3 platform for the tests: PyPI's lti1p3platform behind a small WSGI server
on 127.0.0.1, in a thread.

lti1p3platform builds and signs the launches (its MessageLaunch, OIDC login and
Registration), serves the platform JWKS and issues service access tokens after checking
the tool's client assertion against the tool's JWKS (``get_access_token``). What a
platform library leaves to its LMS, this one keeps in memory: its users, courses
(contexts), the members of each (Names and Roles, paged with rel=next links) and a
gradebook of line items and scores (Assignment and Grade Services). Nothing here touches
Seminar's database.

The tests reach in through ``tamper`` (change a launch message before it is signed),
``sign_with`` (sign with another key), ``rotate_key()``, ``down`` (every request 503) and
``fail_scores`` (refuse the next N score posts for a user).
"""

import html
import json
import re
import threading
import time
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs, urlencode, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request

LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership"
INSTRUCTOR = f"{LIS}#Instructor"
TA = f"{LIS}/Instructor#TeachingAssistant"
LEARNER = f"{LIS}#Learner"
MENTOR = f"{LIS}#Mentor"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
CLIENT_ID = "seminar-client-1"
DEPLOYMENT_ID = "deployment-1"


def new_private_key() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


class _Request(Request):
    def build_metadata(self, request):
        return {
            "method": request["method"],
            "form_data": request.get("form", {}),
            "get_data": request.get("query", {}),
            "headers": {},
            "content_type": None,
            "path": request["path"],
            "json": None,
        }


class _Conf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, registration):
        self._registration = registration

    def get_registration_by_params(self, **kwargs):
        return self._registration


class _Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs):
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url):
        return url


class _Launch(LTIAdvantageMessageLaunchAbstract):
    platform: "TestPlatform"

    def prepare_launch(self, preflight_response):
        platform = self.platform
        user = platform.users[preflight_response["login_hint"]]
        context_id = preflight_response["lti_message_hint"]
        context = platform.contexts[context_id]
        self.set_user_data(
            preflight_response["login_hint"],
            user["roles_in"].get(context_id, []),
            full_name=user["name"],
            email_address=user["email"],
        )
        self.set_launch_context_claim(
            context_id,
            context_types=["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            context_title=context["title"],
            context_label=context_id.upper(),
        )
        self.set_resource_link_claim(f"link-{context_id}", title="Seminar")
        self.set_launch_presentation_claim(document_target="iframe")
        self.set_nrps(f"{platform.url}/nrps/{context_id}")
        self.set_ags(f"{platform.url}/ags/{context_id}/lineitems")
        if platform.deep_link:
            self.set_dl(
                f"{platform.url}/deep-link-return", title="Add a tool", extra_data={"slot": "7"}
            )

    def generate_launch_request(self):
        message, state = self.get_launch_data()
        if self._dl:  # what the library's own generate_launch_request adds for deep linking
            message["https://purl.imsglobal.org/spec/lti/claim/message_type"] = (
                "LtiDeepLinkingRequest"
            )
            message.update(self._deep_linking_launch_data)
        now = int(time.time())
        message.update({"iat": now, "exp": now + self.id_token_expiration})
        platform = self.platform
        if platform.tamper:
            platform.tamper(message)
        key, kid = platform.sign_with or (platform.private_key, platform.kid)
        token = Registration.encode_and_sign(message, key, headers={"kid": kid})
        return {"state": state, "id_token": token}

    def render_launch_form(self, launch_data, **kwargs):
        return launch_data


class TestPlatform:
    """The platform's state and its WSGI app (``start()`` serves it on a free port)."""

    def __init__(self):
        self.private_key, self.public_key = new_private_key()
        self.url = ""  # http://127.0.0.1:PORT, for server-to-server URLs
        self.issuer = ""  # http://localhost:PORT: another site than Seminar's 127.0.0.1
        self.tool_login_url = ""
        self.tool_launch_url = ""
        self.tool_jwks_url = ""
        self.tool_key_set = None  # set by a test: the tool JWKS it got from Seminar
        self.reset()

    # ------------------------------------------------------------------ state
    def reset(self):
        self.users: dict[str, dict] = {}
        self.contexts: dict[str, dict] = {}
        self.lineitems: dict[str, dict] = {}  # id (URL) -> line item
        self.scores: dict[str, dict] = {}  # line item id -> {userId: score}
        self.score_posts = 0
        self.next_lineitem = 0
        self.page_size = 2
        self.tamper = None
        self.sign_with = None
        self.down = False
        self.fail_scores: dict[str, int] = {}
        self.requests: list[str] = []
        self.deep_link = False  # launches are deep linking requests
        self.content_items: list[dict] = []  # what deep linking responses added

    def add_user(self, sub, *, name, email, context="ctx1", roles=(LEARNER,), status="Active"):
        user = self.users.setdefault(sub, {"name": name, "email": email, "roles_in": {}})
        user.update(name=name, email=email)
        user["roles_in"][context] = list(roles)
        self.contexts.setdefault(context, {"title": f"Course {context}", "members": {}})
        self.contexts[context]["members"][sub] = status
        return sub

    def rotate_key(self):
        self.private_key, self.public_key = new_private_key()

    @property
    def registration(self) -> Registration:
        registration = Registration()
        registration.set_iss(self.issuer).set_client_id(CLIENT_ID).set_deployment_id(
            DEPLOYMENT_ID
        ).set_launch_url(self.tool_launch_url).set_oidc_login_url(
            self.tool_login_url
        ).set_platform_public_key(self.public_key).set_platform_private_key(self.private_key)
        registration.set_tool_key_set_url(self.tool_jwks_url)
        if self.tool_key_set:
            registration.set_tool_key_set(self.tool_key_set)
        return registration

    @property
    def kid(self) -> str:
        return Registration.get_jwk(self.public_key)["kid"]

    def _conf(self) -> _Conf:
        return _Conf(registration=self.registration)

    # ------------------------------------------------------------------ the platform's pages
    def login_url(self, sub, context="ctx1") -> str:
        """Where the platform sends the browser to start a launch (the tool's login URL)."""
        login = _Login(None, self._conf())
        login.set_lti_message_hint(hint=context)
        return login.initiate_login(sub)

    def authorize(self, query: dict) -> dict:
        """The OIDC authentication response: {"launch_url", "state", "id_token"}."""
        launch = _Launch(
            _Request({"method": "GET", "query": query, "path": "/authorize"}), self._conf()
        )
        launch.platform = self
        return launch.lti_launch()

    # ------------------------------------------------------------------ WSGI
    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        method = environ["REQUEST_METHOD"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        self.requests.append(f"{method} {path}")
        if self.down:
            return _reply(start_response, 503, {"error": "platform is down"})
        try:
            return self._route(start_response, method, path, query, body, environ)
        except KeyError as exc:
            return _reply(start_response, 404, {"error": f"unknown {exc}"})

    def _route(self, start_response, method, path, query, body, environ):
        if path == "/favicon.ico":
            start_response("204 No Content", [])
            return [b""]
        if path == "/jwks":
            return _reply(start_response, 200, {"keys": self.registration.get_jwks()})
        if path.startswith("/course/"):  # an LMS course page framing the tool
            context = path.removeprefix("/course/")
            src = html.escape(self.login_url(query["user"], context))
            page = (
                f"<!doctype html><html lang=en><title>{context} in the LMS</title>"
                f"<h1>LMS course {context}</h1>"
                f'<iframe id=tool title=Seminar src="{src}" width=1000 height=700></iframe></html>'
            )
            return _html(start_response, page)
        if path == "/authorize":
            data = self.authorize(query)
            fields = "".join(
                f'<input type=hidden name={name} value="{html.escape(data[name])}">'
                for name in ("state", "id_token")
            )
            page = (
                f'<!doctype html><html lang=en><title>Launching</title><form method=post action="{html.escape(data["launch_url"])}">'
                f"{fields}</form><script>document.forms[0].submit()</script></html>"
            )
            return _html(start_response, page)
        if path == "/deep-link-return" and method == "POST":
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            try:
                # lti1p3platform checks the tool's signature against the tool's JWKS.
                self.content_items += self._conf().validate_deeplinking_resp(form)
                self.deep_link_data = (
                    self._conf()
                    .tool_validate_and_decode(form["JWT"])
                    .get("https://purl.imsglobal.org/spec/lti-dl/claim/data")
                )
            except Exception as exc:
                return _reply(start_response, 400, {"error": str(exc)})
            return _html(start_response, "<!doctype html><title>Added</title><p>Added.")
        if path == "/token" and method == "POST":
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            try:
                token = self._conf().get_access_token(form)
            except Exception as exc:  # the library's refusals: bad assertion, unknown key
                return _reply(start_response, 401, {"error": str(exc)})
            return _reply(start_response, 200, token)
        scopes = self._scopes(environ)
        if path.startswith("/nrps/"):
            if NRPS_SCOPE not in scopes:
                return _reply(start_response, 401, {"error": "no NRPS scope"})
            return self._members(start_response, path.removeprefix("/nrps/"), query)
        if path.startswith("/ags/"):
            if not set(AGS_SCOPES) & scopes:
                return _reply(start_response, 401, {"error": "no AGS scope"})
            return self._ags(start_response, method, path, query, body)
        return _reply(start_response, 404, {"error": "no such page"})

    def _scopes(self, environ) -> set:
        header = environ.get("HTTP_AUTHORIZATION", "")
        token = header.removeprefix("Bearer ")
        try:
            conf = self._conf()
            conf.get_registration()
            if not conf.validate_token(token):
                return set()
        except Exception:
            return set()
        from jwt import decode

        return set(decode(token, options={"verify_signature": False}).get("scopes", "").split())

    def _members(self, start_response, context_id, query):
        context = self.contexts[context_id]
        subs = sorted(context["members"])
        page = int(query.get("page", "1"))
        chunk = subs[(page - 1) * self.page_size : page * self.page_size]
        members = []
        for sub in chunk:
            user = self.users[sub]
            members.append(
                {
                    "status": context["members"][sub],
                    "name": user["name"],
                    "email": user["email"],
                    "user_id": sub,
                    "roles": user["roles_in"].get(context_id, []),
                }
            )
        headers = []
        if page * self.page_size < len(subs):
            next_url = f"{self.url}/nrps/{context_id}?{urlencode({'page': page + 1})}"
            headers.append(("Link", f'<{next_url}>; rel="next"'))
        container = {
            "id": f"{self.url}/nrps/{context_id}",
            "context": {"id": context_id, "title": context["title"]},
            "members": members,
        }
        return _reply(
            start_response,
            200,
            container,
            headers,
            "application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
        )

    def _ags(self, start_response, method, path, query, body):
        match = re.fullmatch(r"/ags/([^/]+)/lineitems(?:/(\d+))?(/scores|/results)?", path)
        if not match:
            return _reply(start_response, 404, {"error": "no such AGS path"})
        context_id, number, tail = match.groups()
        base = f"{self.url}/ags/{context_id}/lineitems"
        if number is None:
            if method == "POST":
                item = json.loads(body)
                self.next_lineitem += 1
                item["id"] = f"{base}/{self.next_lineitem}"
                self.lineitems[item["id"]] = item
                return _reply(start_response, 201, item)
            items = [i for i in self.lineitems.values() if i["id"].startswith(base + "/")]
            return _reply(start_response, 200, items)
        item_id = f"{base}/{number}"
        item = self.lineitems[item_id]
        if tail == "/scores" and method == "POST":
            score = json.loads(body)
            user = score.get("userId")
            if self.fail_scores.get(user):
                self.fail_scores[user] -= 1
                return _reply(start_response, 500, {"error": "gradebook hiccup"})
            if (
                not isinstance(score.get("scoreGiven"), int | float)
                or score.get("scoreMaximum") is None
            ):
                return _reply(start_response, 400, {"error": "bad score"})
            self.score_posts += 1
            self.scores.setdefault(item_id, {})[user] = score
            return _reply(start_response, 200, {})
        if tail == "/results":
            results = [
                {"userId": user, "resultScore": s["scoreGiven"], "resultMaximum": s["scoreMaximum"]}
                for user, s in self.scores.get(item_id, {}).items()
            ]
            return _reply(start_response, 200, results)
        return _reply(start_response, 200, item)

    def gradebook(self) -> dict:
        """{line item label: {platform user id: scoreGiven}}: what the LMS shows."""
        return {
            item["label"]: {
                user: score["scoreGiven"] for user, score in self.scores.get(item_id, {}).items()
            }
            for item_id, item in self.lineitems.items()
        }

    # ------------------------------------------------------------------ serving
    def start(self):
        server = make_server("127.0.0.1", 0, self, ThreadingServer, handler_class=_QuietHandler)
        port = server.server_address[1]
        self.url = f"http://127.0.0.1:{port}"
        self.issuer = f"http://localhost:{port}"
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def launch_params(self, sub, context="ctx1") -> dict:
        """The login initiation's query, as the platform would send it."""
        return {k: v[0] for k, v in parse_qs(urlsplit(self.login_url(sub, context)).query).items()}


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def _reply(start_response, status, data, headers=(), content_type="application/json"):
    reasons = {200: "OK", 201: "Created", 400: "Bad Request", 401: "Unauthorized"}
    reasons |= {404: "Not Found", 500: "Internal Server Error", 503: "Service Unavailable"}
    body = json.dumps(data).encode()
    start_response(
        f"{status} {reasons[status]}",
        [("Content-Type", content_type), ("Content-Length", str(len(body))), *headers],
    )
    return [body]


def _html(start_response, page):
    body = page.encode()
    start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(body)))])
    return [body]
