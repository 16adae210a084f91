"""Deep Linking: staff add Seminar to an LMS course from the LMS's tool picker; the chosen
Seminar course is linked and the LMS gets a signed link to it (checked by lti1p3platform)."""

import re

import requests

from lti.models import ContextLink

FORM = re.compile(
    r'<form method="post" action="([^"]+)">\s*<input type="hidden" name="JWT" value="([^"]+)"'
)


def test_staff_pick_the_course_and_the_lms_gets_a_signed_link(client, people, launch, course):
    people.deep_link = True
    people.tool_key_set = client.get("/lti/jwks/").json()
    landing = launch(client, "p-yang")
    assert landing["Location"] == "/lti/deep-link/"
    page = client.get("/lti/deep-link/")
    assert b"Link and add it to the LMS" in page.content
    answer = client.post("/lti/deep-link/", {"course": course.pk})
    assert answer.status_code == 200
    assert f"form-action 'self' {people.url}" in answer.headers["Content-Security-Policy"]
    action, token = FORM.search(answer.content.decode()).groups()
    assert action == f"{people.url}/deep-link-return"
    # The staff member's click: the form posts the JWT to the LMS.
    assert requests.post(action, data={"JWT": token}, timeout=10).ok
    assert people.content_items == [
        {
            "type": "ltiResourceLink",
            "title": f"Seminar: {course.title}",
            "url": "http://testserver/lti/launch/",
        }
    ]
    assert people.deep_link_data == {"slot": "7"}  # the request's data, sent back
    assert ContextLink.objects.get(context_id="ctx1").course == course
    # From now on the course's launches land on it.
    people.deep_link = False
    assert launch(client.__class__(), "p-alice")["Location"] == course.get_absolute_url()


def test_a_student_cannot_add_seminar(client, people, launch):
    people.deep_link = True
    response = launch(client, "p-alice")
    assert response.status_code == 403
    assert b"Only staff add Seminar" in response.content
    assert "_auth_user_id" not in client.session


def test_a_deep_linking_request_without_a_return_url_is_refused(client, people, launch):
    people.deep_link = True
    people.tamper = lambda m: m[
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
    ].pop("deep_link_return_url")
    response = launch(client, "p-yang")
    assert b"Failed check: claims" in response.content


def test_the_deep_link_page_without_a_request_says_there_is_nothing_to_add(client, alice):
    client.force_login(alice)
    response = client.get("/lti/deep-link/")
    assert response.status_code == 404
    assert b"Nothing to add" in response.content
