"""What browser tests share: the demo learner's sign-in and the axe-core and reflow checks."""

import re

from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from cms.management.commands.load_demo import DEMO_PASSWORD

LEARNER_EMAIL = "learner@example.com"  # enrolled on the demo module by load_demo


def axe_message(url, results):
    """One line per violation: id, impact, what it means and the first few target selectors."""
    violations = results.response["violations"]
    lines = [f"axe-core found {len(violations)} violation(s) on {url}:"]
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        shown = "; ".join(targets[:5]) + (f"; ... ({len(targets) - 5} more)" if len(targets) > 5 else "")
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{len(targets)} node(s)] targets: {shown}"
        )
        first = violation["nodes"][0] if violation["nodes"] else None
        if first and first.get("failureSummary"):
            lines.append("    " + first["failureSummary"].replace("\n", "\n    "))
    return "\n".join(lines)


def assert_no_axe_violations(page):
    results = Axe().run(page)
    assert results.violations_count == 0, axe_message(page.url, results)


def assert_no_horizontal_scroll(page):
    sizes = page.evaluate(
        """() => {
            const width = window.innerWidth;
            const wide = [...document.querySelectorAll("body *")]
                .filter((el) => el.getBoundingClientRect().right > width + 0.5)
                .map((el) => {
                    const name = el.tagName.toLowerCase()
                        + (el.id ? "#" + el.id : "")
                        + (el.classList.length ? "." + [...el.classList].join(".") : "");
                    return `${name} (right edge ${Math.round(el.getBoundingClientRect().right)}px)`;
                });
            return {
                scrollWidth: document.documentElement.scrollWidth,
                innerWidth: width,
                wide: wide.slice(0, 10),
            };
        }"""
    )
    assert sizes["scrollWidth"] <= sizes["innerWidth"], (
        f"{page.url} scrolls sideways at {sizes['innerWidth']}px wide: scrollWidth is "
        f"{sizes['scrollWidth']}px. Elements past the right edge: {', '.join(sizes['wide']) or 'none found'}"
    )


def heading(page):
    return page.get_by_role("heading", level=1)


def sign_in_as_learner(page):
    """From the current page, sign in with the header link and the form, as a person would."""
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill(LEARNER_EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name=re.compile(r"^\s*sign in\s*$", re.IGNORECASE)).click()
    account = page.get_by_role("navigation", name="Account")
    expect(account.get_by_role("link", name="My learning")).to_be_visible()


def sign_in(page, base_url, email, password=DEMO_PASSWORD):
    page.goto(base_url + reverse("account_login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name=re.compile(r"^\s*sign in\s*$", re.IGNORECASE)).click()
    expect(
        page.get_by_role("navigation", name="Account").get_by_role("link", name="My learning")
    ).to_be_visible()


def sign_out(page, base_url):
    page.goto(base_url + reverse("my_learning"))
    page.get_by_role("navigation", name="Account").get_by_role("button", name=re.compile("^Sign out")).click()
    expect(page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign in")).to_be_visible()
