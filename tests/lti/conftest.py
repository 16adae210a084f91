"""The LTI tests' world: one real platform (tests/lti/platform.py) for the whole run, and
Seminar registered with it.

People on the platform (their platform user id, and what Seminar should make of them):
- "p-yang": Instructor of ctx1; Seminar's instructor of `course` (the shared fixture).
- "p-alice": Learner of ctx1; Seminar's alice.
- "p-dana": Learner of ctx1, unknown to Seminar until her first launch.
"""

import re

import pytest
import requests

from lti.models import ContextLink, Deployment, Platform
from tests.lti.platform import CLIENT_ID, DEPLOYMENT_ID, INSTRUCTOR, LEARNER, TestPlatform


@pytest.fixture(scope="session")
def live_platform():
    platform = TestPlatform().start()
    yield platform
    platform.stop()


@pytest.fixture
def platform(live_platform, db):
    """The live platform, reset, with Seminar registered with it (one deployment)."""
    live_platform.reset()
    live_platform.tool_login_url = "http://testserver/lti/login/"
    live_platform.tool_launch_url = "http://testserver/lti/launch/"
    live_platform.tool_jwks_url = "http://testserver/lti/jwks/"
    live_platform.tool_key_set = None
    live_platform.registered = register(live_platform)
    yield live_platform
    live_platform.reset()


def register(platform) -> Platform:
    registered = Platform.objects.create(
        name="Test LMS",
        issuer=platform.issuer,
        client_id=CLIENT_ID,
        auth_login_url=f"{platform.url}/authorize",
        auth_token_url=f"{platform.url}/token",
        key_set_url=f"{platform.url}/jwks",
    )
    Deployment.objects.create(platform=registered, deployment_id=DEPLOYMENT_ID)
    return registered


@pytest.fixture
def people(platform, instructor, alice):
    platform.add_user("p-yang", name="Yang Zhou", email=instructor.email, roles=[INSTRUCTOR])
    platform.add_user("p-alice", name="Alice Archer", email=alice.email, roles=[LEARNER])
    platform.add_user("p-dana", name="Dana Diaz", email="dana@example.edu", roles=[LEARNER])
    return platform


@pytest.fixture
def linked(people, course):
    """ctx1 linked to `course`, with the service URLs a launch announces."""
    return ContextLink.objects.create(
        platform=people.registered,
        deployment=people.registered.deployments.get(),
        context_id="ctx1",
        context_title="Course ctx1",
        course=course,
        memberships_url=f"{people.url}/nrps/ctx1",
        lineitems_url=f"{people.url}/ags/ctx1/lineitems",
        ags_scopes=[
            "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
            "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
            "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        ],
    )


FIELD = re.compile(r'name=(state|id_token) value="([^"]*)"')


def platform_answer(login_response) -> dict:
    """Follow Seminar's redirect to the platform's authorization endpoint (over HTTP) and
    read the form it answers with: {"state": …, "id_token": …}."""
    assert login_response.status_code == 302, login_response.content[:500]
    page = requests.get(login_response["Location"], timeout=10)
    assert page.status_code == 200, page.text[:500]
    return dict(FIELD.findall(page.text))


@pytest.fixture
def launch(platform):
    """launch(client, sub, context="ctx1") -> Seminar's answer to the platform's launch:
    login initiation, the platform's signed answer, and the form post, as a browser does."""

    def run(client, sub, context="ctx1", *, form=None):
        start = client.get("/lti/login/", platform.launch_params(sub, context))
        answer = platform_answer(start)
        if form:
            form(answer)
        return client.post("/lti/launch/", answer)

    return run
