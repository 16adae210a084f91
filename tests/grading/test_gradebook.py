"""The students' grades page, the staff gradebook and the grading admin, through the client.

People:
- alice: student of ECS 289D; sees her own grades, published components only.
- bob: another ECS 289D student; alice must not reach his grades (404).
- instructor, ta: ECS 289D staff; see the gradebook and any student's grades page.
- charlie: CSE 585 student only; nothing in ECS 289D.
"""

import csv
import io
import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from claims.models import Claim
from courses.models import Membership, Paper, Reading, Role, Session
from grading.engine import compute_gradebook
from grading.models import ComponentSource, GradeComponent, ManualScore
from seminar.models import User

pytestmark = pytest.mark.django_db

D = Decimal


def component(course, name, weight, source, *, published=True, bonus=False, max_points="100"):
    return GradeComponent.objects.create(
        course=course,
        name=name,
        weight=D(weight),
        source=source,
        published=published,
        is_bonus=bonus,
        max_points=D(max_points),
    )


@pytest.fixture
def components(course):
    S = ComponentSource
    return {
        "presentation": component(
            course, "Class presentation", "40", S.PRESENTATION, max_points="10"
        ),
        "participation": component(course, "Class participation", "30", S.PARTICIPATION),
        "quiz": component(course, "Secret quiz", "30", S.MANUAL, published=False),
    }


def grades_url(course, **query):
    url = reverse("grading:grades", args=[course.code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def gradebook_url(course):
    return reverse("grading:gradebook", args=[course.code])


# --------------------------------------------------------------------------- students' page


def test_student_sees_published_components_only_and_totals_without_hidden_scores(
    components, course, alice, login
):
    ManualScore.objects.create(component=components["participation"], student=alice, points=D(80))
    ManualScore.objects.create(
        component=components["quiz"], student=alice, points=D(100), feedback="hidden-feedback"
    )
    page = login(alice).get(grades_url(course))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Class participation" in html
    assert "Secret quiz" not in html
    assert "hidden-feedback" not in html
    # 30 x 80/100 = 24 counted; the unpublished quiz's 100 is not in the student's total.
    assert "24.00% · F" in html
    assert "not published yet" in html


def test_a_student_cannot_reach_another_students_grades(components, course, alice, bob, login):
    client = login(alice)
    assert client.get(grades_url(course, student=bob.pk)).status_code == 404
    assert client.get(grades_url(course, student="x")).status_code == 404
    assert client.get(grades_url(course, student=alice.pk)).status_code == 200


def test_outsiders_get_404_and_anonymous_visitors_the_sign_in_page(
    components, course, charlie, client, login
):
    assert client.get(grades_url(course)).status_code == 302
    assert client.get(gradebook_url(course)).status_code == 302
    client = login(charlie)
    assert client.get(grades_url(course)).status_code == 404
    assert client.get(gradebook_url(course)).status_code == 404


def test_students_cannot_open_the_gradebook_or_its_csv(components, course, alice, login):
    client = login(alice)
    assert client.get(gradebook_url(course)).status_code == 404
    assert client.get(reverse("grading:gradebook_csv", args=[course.code])).status_code == 404


def test_staff_see_a_students_page_as_the_student_sees_it(
    components, course, alice, charlie, ta, login
):
    ManualScore.objects.create(component=components["quiz"], student=alice, points=D(100))
    client = login(ta)
    chooser = client.get(grades_url(course))
    assert "Alice Archer" in chooser.content.decode()
    page = client.get(grades_url(course, student=alice.pk))
    html = page.content.decode()
    assert "Grades of Alice Archer" in html
    assert "Secret quiz" not in html
    assert client.get(grades_url(course, student=charlie.pk)).status_code == 404
    assert client.get(grades_url(course, student=ta.pk)).status_code == 404


def test_student_page_runs_a_fixed_number_of_queries(
    components, course, alice, login, django_assert_max_num_queries
):
    client = login(alice)
    with django_assert_max_num_queries(11):
        assert client.get(grades_url(course)).status_code == 200


# --------------------------------------------------------------------------- gradebook


def make_students(course, n, start=0):
    users = User.objects.bulk_create(
        User(email=f"s{i:04d}@example.edu", name=f"Student {i:04d}", student_id=f"9{i:05d}")
        for i in range(start, start + n)
    )
    Membership.objects.bulk_create(
        Membership(user=u, course=course, role=Role.STUDENT, section="A01") for u in users
    )
    return users


def grade_everyone(course, components, users):
    session = Session.objects.create(course=course, date=date(2025, 10, 14))
    for index, user in enumerate(users[:20]):
        paper = Paper.objects.create(course=course, title=f"Paper {index}")
        reading = Reading.objects.create(session=session, paper=paper, order=index)
        Claim.objects.create(course=course, reading=reading, student=user, points=D(index % 10))
    ManualScore.objects.bulk_create(
        ManualScore(component=components["participation"], student=u, points=D(i % 100))
        for i, u in enumerate(users)
    )


@pytest.mark.parametrize("n", [10, 200])
def test_gradebook_runs_a_fixed_number_of_queries_at_any_size(
    components, course, instructor, login, django_assert_max_num_queries, n
):
    grade_everyone(course, components, make_students(course, n))
    client = login(instructor)
    with django_assert_max_num_queries(12):
        page = client.get(gradebook_url(course))
    assert page.status_code == 200
    assert page.content.decode().count('<tr>\n      <th scope="row"') == n
    with django_assert_max_num_queries(10):
        assert client.get(reverse("grading:gradebook_csv", args=[course.code])).status_code == 200


def test_compute_gradebook_calls_each_provider_once_with_every_student(
    components, course, django_assert_num_queries
):
    grade_everyone(course, components, make_students(course, 30))
    # components, students, claims (presentation), manual scores x 2 components
    with django_assert_num_queries(5):
        book = compute_gradebook(course)
    assert len(book.rows) == 30


def test_gradebook_shows_totals_letters_links_and_a_histogram_with_cutoffs(
    components, course, alice, bob, instructor, login
):
    session = Session.objects.create(course=course, date=date(2025, 10, 14))
    reading = Reading.objects.create(
        session=session, paper=Paper.objects.create(course=course, title="Orca")
    )
    Claim.objects.create(course=course, reading=reading, student=alice, points=D(9))
    ManualScore.objects.create(component=components["participation"], student=alice, points=D(90))
    ManualScore.objects.create(component=components["quiz"], student=alice, points=D(95))
    page = login(instructor).get(gradebook_url(course))
    html = page.content.decode()
    # 40 x 0.9 + 30 x 0.9 + 30 x 0.95 = 36 + 27 + 28.5 = 91.5 -> A
    assert "91.50" in html
    assert re.search(r"<td[^>]*>A</td>", html)
    assert "unpublished" in html  # staff see unpublished components, marked
    assert f"#reading-{reading.pk}" in html  # link to the underlying claim
    assert reverse("admin:grading_manualscore_changelist") in html  # link to manual scores
    assert reverse("grading:gradebook_csv", args=[course.code]) in html
    assert "<svg" in html and 'class="bar"' in html
    # one dashed cut-off per letter bound of the scale inside the axis (A 90 … D- 60)
    assert html.count('class="cutoff"') == 10
    assert "seminar/sortable.js" in html
    assert "<script>" not in html  # no inline script (CSP)


def test_sortable_script_is_served_as_a_static_file():
    from django.contrib.staticfiles import finders

    assert finders.find("seminar/sortable.js")


# --------------------------------------------------------------------------- admin


class FormScraper(HTMLParser):
    """Collects a page's form fields the way a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.data = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.append([name, a.get("value", "on" if kind == "checkbox" else "")])
        elif tag == "select" and name:
            self._select = [name, None, a.get("multiple") is not None]
        elif tag == "option" and self._select is not None:
            if "selected" in a:
                self.data.append([self._select[0], a.get("value", "")])
                self._select[1] = True
            elif self._select[1] is None:
                self._select[1] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            name, first, _ = self._select
            if first is not True and not any(k == name for k, _ in self.data):
                self.data.append([name, first or ""])
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.data.append(self._textarea)
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


def scrape(html):
    parser = FormScraper()
    parser.feed(html)
    return parser


def post_data(fields, changes):
    data = {}
    for name, value in fields:
        data.setdefault(name, value)
    data.update(changes)
    return data


def test_course_admin_refuses_components_whose_weights_do_not_add_up_to_100(
    course, instructor, login
):
    client = login(instructor)
    url = reverse("admin:courses_course_change", args=[course.pk])
    fields = scrape(client.get(url).content.decode()).data
    prefix = "components"
    changes = {
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-0-name": "Reviews",
        f"{prefix}-0-weight": "50",
        f"{prefix}-0-source": "reviews",
        f"{prefix}-0-max_points": "100",
        f"{prefix}-0-order": "1",
        f"{prefix}-1-name": "Project",
        f"{prefix}-1-weight": "45",
        f"{prefix}-1-source": "milestone",
        f"{prefix}-1-max_points": "100",
        f"{prefix}-1-order": "2",
    }
    response = client.post(url, post_data(fields, changes))
    assert response.status_code == 200
    assert "add up to 95.00%, 5.00 short of 100" in response.content.decode()
    assert not GradeComponent.objects.filter(course=course).exists()

    changes[f"{prefix}-1-weight"] = "50"
    response = client.post(url, post_data(fields, changes))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert sorted(GradeComponent.objects.values_list("name", "weight")) == [
        ("Project", D("50")),
        ("Reviews", D("50")),
    ]


def test_component_admin_refuses_a_change_that_leaves_the_weights_off(
    components, course, instructor, login
):
    client = login(instructor)
    participation = components["participation"]
    url = reverse("admin:grading_gradecomponent_change", args=[participation.pk])
    data = {
        "course": course.pk,
        "name": participation.name,
        "group": "",
        "weight": "25",
        "source": participation.source,
        "max_points": "100",
        "order": "0",
        "published": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "add up to 95.00%, 5.00 short of 100" in response.content.decode()
    participation.refresh_from_db()
    assert participation.weight == D("30")


def test_component_list_edits_are_checked_as_a_whole(components, course, instructor, login):
    client = login(instructor)
    url = reverse("admin:grading_gradecomponent_changelist")
    ordered = list(GradeComponent.objects.filter(course=course).order_by("-id"))
    data = {
        "form-TOTAL_FORMS": str(len(ordered)),
        "form-INITIAL_FORMS": str(len(ordered)),
        "_save": "Save",
    }
    new_weights = {"Class presentation": "50", "Class participation": "20", "Secret quiz": "30"}
    for i, c in enumerate(ordered):
        data[f"form-{i}-id"] = str(c.pk)
        data[f"form-{i}-weight"] = new_weights[c.name]
        data[f"form-{i}-order"] = "0"
        data[f"form-{i}-published"] = "on"
    assert client.post(url, data).status_code == 302  # 50 + 20 + 30 = 100
    data[next(k for k, v in data.items() if v == "20")] = "10"
    response = client.post(url, data)
    assert "add up to 90.00%, 10.00 short of 100" in response.content.decode()


def test_enter_scores_page_lists_every_student_and_blank_means_not_graded(
    components, course, alice, bob, instructor, login
):
    client = login(instructor)
    participation = components["participation"]
    url = reverse("admin:grading_gradecomponent_enter_scores", args=[participation.pk])
    page = client.get(url)
    assert "Alice Archer" in page.content.decode() and "Bob Baker" in page.content.decode()
    fields = scrape(page.content.decode()).data
    form_of = {}
    for name, value in fields:
        if name.endswith("-student"):
            form_of[int(value)] = name.rsplit("-", 1)[0]
    changes = {f"{form_of[alice.pk]}-points": "88.5", f"{form_of[alice.pk]}-feedback": "good"}
    response = client.post(url, post_data(fields, changes))
    assert response.status_code == 302
    score = ManualScore.objects.get(component=participation, student=alice)
    assert (score.points, score.feedback) == (D("88.5"), "good")
    assert not ManualScore.objects.filter(component=participation, student=bob).exists()


@pytest.mark.parametrize("n", [10, 200])
def test_manual_score_list_runs_a_fixed_number_of_queries(
    components, course, instructor, login, django_assert_max_num_queries, n
):
    grade_everyone(course, components, make_students(course, n))
    client = login(instructor)
    with django_assert_max_num_queries(11):
        page = client.get(reverse("admin:grading_manualscore_changelist"))
    assert page.status_code == 200


def test_admin_scores_are_limited_to_the_staff_members_courses(
    components, course, other_ta, alice, login
):
    ManualScore.objects.create(component=components["participation"], student=alice, points=D(1))
    page = login(other_ta).get(reverse("admin:grading_manualscore_changelist"))
    assert "Alice Archer" not in page.content.decode()


def test_csv_download_is_an_attachment(components, course, instructor, login):
    response = login(instructor).get(reverse("grading:gradebook_csv", args=[course.code]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def test_histogram_bins_and_cutoffs_follow_the_course_scale(course):
    from grading.views import histogram

    chart = histogram([D("91.5"), D("91.9"), D("45")], [["A", "90"], ["F", "0"]])
    assert chart["count"] == 3
    assert [b["label"] for b in chart["bars"]] == [
        "1 student at 45–46%",
        "2 students at 91–92%",
    ]
    assert [c["letter"] for c in chart["cutoffs"]] == ["A"]


def test_gradebook_of_a_course_without_students_says_so(components, course, instructor, login):
    page = login(instructor).get(gradebook_url(course))
    assert "No students in this course yet." in page.content.decode()


def test_gradebook_finds_students_filters_by_current_letter_and_switches_the_chart(
    components, course, alice, bob, instructor, login
):
    session = Session.objects.create(course=course, date=date(2025, 10, 14))
    reading = Reading.objects.create(
        session=session, paper=Paper.objects.create(course=course, title="Orca")
    )
    Claim.objects.create(course=course, reading=reading, student=alice, points=D(9))
    ManualScore.objects.create(component=components["participation"], student=alice, points=D(95))
    ManualScore.objects.create(component=components["quiz"], student=alice, points=D(95))
    ManualScore.objects.create(component=components["participation"], student=bob, points=D(50))
    client = login(instructor)
    found = client.get(gradebook_url(course) + "?q=ARCH").content.decode()
    assert "Showing 1 of 2 students." in found and "Alice Archer" in found
    assert "Bob Baker" not in found
    below_c = client.get(gradebook_url(course) + "?below=C").content.decode()
    assert "Bob Baker" in below_c and "Alice Archer" not in below_c  # 50% is below a C
    assert "Of current grades" in client.get(gradebook_url(course)).content.decode()
    assert "Of floor grades" in client.get(gradebook_url(course) + "?chart=floor").content.decode()
    odd = client.get(gradebook_url(course) + "?below=nonsense&q=%3Cb%3E")
    assert odd.status_code == 200 and "<b>" not in odd.content.decode().split("</form>")[0][-400:]
