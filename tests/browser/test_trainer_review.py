"""The trainer's journey in a real browser: the demo trainer updates a statistic and sends it for
review; learners still see the old figure; the lead trainer approves it; the lesson shows the new
figure."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cms.models import Statistic
from tests.browser.helpers import assert_no_axe_violations, sign_in, sign_out

pytestmark = pytest.mark.browser

TRAINER = "trainer@example.com"
LEAD_TRAINER = "lead@example.com"
LEARNER = "learner@example.com"
STATISTIC = "Rise in child abuse image crimes on the year before, like for like"
LESSON = "/safeguarding-children/online-safety/scale-of-the-problem/"


def figures_in_lesson(page, base):
    page.goto(base + LESSON)
    if page.get_by_role("button", name="Continue to the lesson").count():
        page.get_by_role("button", name="Continue to the lesson").click()
    return page.locator(".statistic__value").all_inner_texts()


def test_trainer_updates_a_figure_and_learners_see_it_once_a_lead_trainer_approves(demo_site, page):
    base = demo_site.url
    statistic = Statistic.objects.get(label=STATISTIC)
    assert statistic.number == "25%"

    # The trainer finds the statistic, sees where it is used, changes it and submits it.
    sign_in(page, base, TRAINER)
    page.goto(base + reverse("wagtailsnippets_cms_statistic:list"))
    page.get_by_role("link", name=re.compile(re.escape(STATISTIC))).first.click()
    page.get_by_label(re.compile(r"^\s*Value\b")).fill("27")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name=re.compile("Submit to Lead trainer review")).click()
    expect(page.get_by_text(re.compile("has been submitted for moderation")).first).to_be_visible()
    statistic.refresh_from_db()
    assert statistic.number == "25%"
    sign_out(page, base)

    # Learners still see the approved figure.
    sign_in(page, base, LEARNER)
    assert "25%" in figures_in_lesson(page, base)
    assert "27%" not in figures_in_lesson(page, base)
    sign_out(page, base)

    # The lead trainer finds it awaiting review on the admin home and approves it.
    sign_in(page, base, LEAD_TRAINER)
    page.goto(base + reverse("wagtailadmin_home"))
    awaiting = page.locator(
        "section", has=page.get_by_role("heading", name=re.compile("Awaiting your review"))
    )
    expect(awaiting.get_by_text(re.compile(re.escape(STATISTIC))).first).to_be_visible()
    assert_no_axe_violations(page)
    awaiting.get_by_role("button", name="Actions").first.click()
    awaiting.get_by_role("button", name="Approve", exact=True).first.click()
    expect(page.get_by_role("heading", name=re.compile("Awaiting your review"))).to_have_count(0)
    statistic.refresh_from_db()
    assert statistic.number == "27%"
    sign_out(page, base)

    # The learner's lesson shows the new figure.
    sign_in(page, base, LEARNER)
    figures = figures_in_lesson(page, base)
    assert "27%" in figures and "25%" not in figures
