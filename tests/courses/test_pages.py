"""What a visitor sees on the course, module and lesson pages."""

import pytest
from bs4 import BeautifulSoup

from courses.models import LessonPage

pytestmark = pytest.mark.django_db


def soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_course_page_lists_its_live_modules(client, course_page, module_page):
    draft = course_page.add_child(instance=type(module_page)(title="Draft module", slug="draft", live=False))

    html = soup(client.get(course_page.url))

    titles = [a.text for a in html.select(".card__title a")]
    assert titles == ["Online safety"]
    assert draft.title not in html.text


def test_module_page_lists_lessons_in_order_with_length_and_cpd(trainer_client, module_page, make_lesson):
    make_lesson(title="The scale of the problem", estimated_minutes=15, sensitive=True)
    make_lesson(title="Where it happens", estimated_minutes=20)

    html = soup(trainer_client.get(module_page.url))

    assert [a.text for a in html.select(".lesson-list__item > a")] == [
        "The scale of the problem",
        "Where it happens",
    ]
    assert "includes a content note" in html.select(".lesson-list__item")[0].text
    assert "About 90 minutes" in html.select_one(".facts").text
    assert html.select_one(".hero a.button")["href"].endswith("/lesson-1/")


def test_lesson_page_shows_position_and_previous_next(trainer_client, make_lesson):
    client = trainer_client
    first, second, third = make_lesson(), make_lesson(), make_lesson()

    html = soup(client.get(second.url))

    assert "Lesson 2 of 3" in html.select_one(".eyebrow").text
    assert html.select_one("a[rel=prev]")["href"] == first.url
    assert html.select_one("a[rel=next]")["href"] == third.url
    last = soup(client.get(third.url))
    assert last.select_one("a[rel=next]") is None
    assert "Back to Online safety" in last.select_one(".pager").text


def test_trainer_sees_a_sensitive_lesson_with_its_content_note_inline(trainer_client, make_lesson):
    client = trainer_client
    calm = make_lesson()
    sensitive = make_lesson(sensitive=True, content_note="This lesson discusses grooming.")
    default_note = make_lesson(sensitive=True)

    assert soup(client.get(calm.url)).select_one("aside.content-note") is None
    note = soup(client.get(sensitive.url)).select_one("aside.content-note")
    assert "This lesson discusses grooming." in note.text
    assert LessonPage.DEFAULT_CONTENT_NOTE in soup(client.get(default_note.url)).text


def test_every_lesson_ends_with_signposting(trainer_client, make_lesson):
    client = trainer_client
    lesson = make_lesson()

    panel = soup(client.get(lesson.url)).select("aside.signposting")

    assert len(panel) == 1


def test_unpublished_lesson_is_not_found(client, make_lesson):
    lesson = make_lesson()
    lesson.unpublish()

    assert client.get(lesson.url).status_code == 404
