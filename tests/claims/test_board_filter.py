"""The claims board's filter: find a paper by words of its title or authors, and show
only readings without a presenter; it works without script (a GET form), keeps what was
typed, and the board's self-refresh keeps the filter."""

import pytest

from claims.services import claim_assign

pytestmark = pytest.mark.django_db


def board(course, query=""):
    return f"/courses/{course.code}/claims/{query}"


def titles(html):
    """The papers listed under the filter (the "Still free" links above it are hidden
    while filtering)."""
    listed = html.split('id="readings"')[1]
    return [title for title in ("FlashInfer", "Orca") if title in listed]


def test_words_of_the_title_or_authors_find_papers_in_any_order_and_case(
    login, course, alice, readings
):
    client = login(alice)
    html = client.get(board(course, "?q=ORCA+serving")).content.decode()
    assert titles(html) == ["Orca"]
    assert "Showing 1 of 2 readings matching “ORCA serving”." in html
    assert 'value="ORCA serving"' in html  # what was typed stays in the box
    by_author = client.get(board(course, "?q=ye+et")).content.decode()
    assert titles(by_author) == ["FlashInfer"]


def test_free_only_hides_readings_that_have_a_presenter(login, course, alice, bob, readings):
    claim_assign(reading=readings[0], student=bob, actor=None, reason="seed")
    html = login(alice).get(board(course, "?free=1")).content.decode()
    assert titles(html) == ["Orca"]
    assert "without a presenter only" in html
    assert 'id="board-free" name="free" value="1" checked' in html
    # The counts above the list still speak of the whole board.
    assert "2 readings to present, 1 still without a presenter." in html


def test_no_match_says_so_and_offers_the_whole_board(login, course, alice, readings):
    html = login(alice).get(board(course, "?q=nothing-like-this")).content.decode()
    assert "No reading matches." in html
    assert f'<a href="/courses/{course.code}/claims/">Show all readings</a>' in html


def test_the_self_refresh_keeps_the_filter(login, course, alice, readings):
    html = login(alice).get(board(course, "?q=orca&free=1")).content.decode()
    assert 'data-refresh-url="/courses/ecs289d-f25/claims/?q=orca&amp;free=1"' in html


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?q=%3Cscript%3Ealert(1)%3C/script%3E", 200),
        ("?q=" + "x" * 5000, 200),
        ("?free=yes", 200),
        ("?q=a%00b", 404),  # a NUL anywhere in a URL: seminar.middleware.NulInURLMiddleware
    ],
)
def test_odd_input_is_answered_calmly(login, course, alice, readings, query, status):
    response = login(alice).get(board(course, query))
    assert response.status_code == status
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "\x00" not in html
