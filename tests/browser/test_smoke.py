"""Smoke tests in a real browser: the enrolled demo learner signs in and reaches a lesson from the
home page by following links, the pages on the way have no axe-core violations, a lesson with a
statistic chart fits a phone screen, and the skip link works from the keyboard."""

import re

import pytest
from playwright.sync_api import expect

from cms.demo import content
from tests.browser.helpers import (
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    heading,
    sign_in_as_learner,
)

pytestmark = pytest.mark.browser

FIRST_LESSON = content.LESSONS[0]
CHART_LESSON_PATH = "/safeguarding-children/online-safety/platforms-and-encryption/"
PHONE = {"width": 375, "height": 800}


def open_first_lesson(page, base_url, *, check=lambda page: None):
    """The home page, then the course, the module and its first lesson, by their links.

    ``check`` runs on every page on the way."""
    page.goto(base_url + "/")
    expect(heading(page)).to_be_visible()
    check(page)
    page.get_by_role("region", name="Courses").get_by_role("link", name=content.COURSE["title"]).click()
    expect(heading(page)).to_have_text(content.COURSE["title"])
    check(page)
    page.get_by_role("region", name="Modules").get_by_role("link", name=content.MODULE["title"]).click()
    expect(heading(page)).to_have_text(content.MODULE["title"])
    check(page)
    page.get_by_role("region", name="Lessons").get_by_role("link", name=FIRST_LESSON["title"]).click()
    if FIRST_LESSON["sensitive"]:
        # A sensitive lesson opens with its content note; the learner chooses to go on.
        expect(heading(page)).to_have_text(f"Before you start: {FIRST_LESSON['title']}")
        check(page)
        page.get_by_role("button", name="Continue to the lesson").click()
    expect(heading(page)).to_have_text(FIRST_LESSON["title"])
    assert page.url.endswith(f"/{FIRST_LESSON['slug']}/"), page.url
    check(page)


def test_home_and_lesson_have_no_axe_violations(demo_site, page):
    page.goto(demo_site.url + "/")
    expect(heading(page)).to_be_visible()
    assert_no_axe_violations(page)

    sign_in_as_learner(page)
    open_first_lesson(page, demo_site.url, check=assert_no_axe_violations)

    # Lessons open in order: finishing the first one leads on to the lesson with a chart.
    page.get_by_role("button", name=re.compile(r"^Mark as complete")).click()
    expect(page).to_have_url(re.compile(re.escape(CHART_LESSON_PATH) + "$"))
    expect(page.locator("figure.chart").first).to_be_visible()
    assert_no_axe_violations(page)

    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("figure.chart").first).to_be_visible()
    assert page.evaluate("window.innerWidth") == PHONE["width"]
    assert_no_horizontal_scroll(page)
    assert_no_axe_violations(page)


def test_skip_link_is_first_tab_stop_and_moves_focus_to_main(demo_site, page):
    page.goto(demo_site.url + "/")
    sign_in_as_learner(page)
    open_first_lesson(page, demo_site.url)
    page.goto(page.url)  # a fresh load: nothing focused yet
    expect(heading(page)).to_have_text(FIRST_LESSON["title"])

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()  # a skip link hidden off screen must show when focused

    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    assert page.url.endswith("#main"), page.url
