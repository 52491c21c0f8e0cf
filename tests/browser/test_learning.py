"""The learner journey in a real browser: lessons, resuming after signing out, and the quiz."""

import re

import pytest
from playwright.sync_api import expect

from cms.demo import content
from courses.models import Enrolment, LessonPage
from courses.services import complete_lesson
from quizzes.models import Attempt
from tests.browser.helpers import LEARNER_EMAIL, assert_no_axe_violations, heading, sign_in_as_learner

pytestmark = pytest.mark.browser

MODULE_PATH = "/safeguarding-children/online-safety/"
QUIZ_PATH = MODULE_PATH + "quiz/"


def go_through_content_note(page, lesson):
    if lesson["sensitive"]:
        expect(heading(page)).to_have_text(f"Before you start: {lesson['title']}")
        assert_no_axe_violations(page)
        page.get_by_role("button", name="Continue to the lesson").click()
    expect(heading(page)).to_have_text(lesson["title"])


def sign_out(page):
    page.get_by_role("button", name=re.compile("^Sign out")).click()
    expect(page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in")).to_be_visible()


def test_take_two_lessons_sign_out_and_continue_at_lesson_three(demo_site, page):
    first, second, third = content.LESSONS[:3]
    page.goto(demo_site.url + MODULE_PATH)
    sign_in_as_learner(page)
    page.goto(demo_site.url + MODULE_PATH)
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Start the module").click()
    go_through_content_note(page, first)
    expect(page.get_by_text("Lesson 1 of 5")).to_be_visible()
    page.get_by_role("button", name="Mark as complete and continue").click()
    go_through_content_note(page, second)
    expect(page.get_by_text("1 of 5 lessons done").first).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Mark as complete and continue").click()
    # Lesson 3 is sensitive: the learner takes a break at its content note.
    expect(heading(page)).to_have_text(f"Before you start: {third['title']}")
    page.get_by_role("link", name="Take a break").click()
    expect(heading(page)).to_have_text("My learning")
    sign_out(page)

    page.goto(demo_site.url + MODULE_PATH)
    sign_in_as_learner(page)  # after signing in, the learner lands on My learning
    expect(heading(page)).to_have_text("My learning")
    expect(page.get_by_text("Next: " + third["title"])).to_be_visible()
    page.goto(demo_site.url + MODULE_PATH)
    expect(page.get_by_text("2 of 5 lessons done").first).to_be_visible()
    expect(page.locator("progress").first).to_have_attribute("value", "2")
    assert_no_axe_violations(page)
    page.get_by_role("link", name=re.compile("^Continue")).click()
    expect(page).to_have_url(re.compile(re.escape(f"/{third['slug']}/") + "$"))
    go_through_content_note(page, third)
    expect(page.get_by_text("Lesson 3 of 5")).to_be_visible()
    assert_no_axe_violations(page)


def answer(page, attempt, *, right):
    """Tick the options of ``attempt`` that are right (or wrong), as a learner clicking labels."""
    for position, entry in enumerate(attempt.paper):
        wanted = [o for o in entry["options"] if o["correct"] == right]
        if entry["kind"] != "multiple":
            wanted = wanted[:1]
        for option in wanted:
            page.locator(f"input[name=q{position}][value='{option['key']}']").check()


def test_fail_once_read_the_feedback_then_pass(demo_site, page):
    enrolment = Enrolment.objects.get(learner__email=LEARNER_EMAIL)
    for lesson in LessonPage.objects.child_of(enrolment.module).live().order_by("path"):
        complete_lesson(enrolment, lesson)
    page.goto(demo_site.url + QUIZ_PATH)
    sign_in_as_learner(page)
    page.goto(demo_site.url + QUIZ_PATH)
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Start the quiz").click()
    expect(heading(page)).to_have_text(re.compile("attempt 1$"))
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Submit my answers").click()  # nothing ticked
    expect(page.get_by_role("alert")).to_contain_text("still need")
    answer(page, Attempt.objects.get(number=1), right=False)
    page.get_by_role("button", name="Submit my answers").click()

    expect(heading(page)).to_have_text("Attempt 1: not passed this time")
    expect(page.get_by_role("heading", name="Lessons to look at again")).to_be_visible()
    sources = page.locator(".feedback .statistic__source a")
    expect(sources.first).to_be_visible()
    assert sources.count() >= 1
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Try again").click()
    expect(heading(page)).to_have_text(re.compile("attempt 2$"))
    answer(page, Attempt.objects.get(number=2), right=True)
    page.get_by_role("button", name="Submit my answers").click()
    expect(heading(page)).to_have_text("Attempt 2: you passed")
    expect(page.get_by_text("100%").first).to_be_visible()
    assert_no_axe_violations(page)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
