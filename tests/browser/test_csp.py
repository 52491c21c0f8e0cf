"""The Content Security Policy in a real browser: Chromium reports no violation on the public pages
(signed out, as the demo learner, as a staff account with Wagtail's user bar), the Wagtail admin still
works under its own policy, and buying seats by card still reaches Stripe Checkout."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cms.demo import content
from cms.management.commands.load_demo import DEMO_PASSWORD
from providers import payments
from providers.models import Provider, SeatOrder
from quizzes.models import Question
from tests.browser.helpers import heading, sign_in_as_learner
from tests.factories import PASSWORD, UserFactory
from tests.providers.stripe_events import FakeStripeAPI

pytestmark = pytest.mark.browser

MODULE_PATH = "/{}/{}/".format(content.COURSE["slug"], content.MODULE["slug"])
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
    console.error(`Content Security Policy violation: ${event.violatedDirective} blocked `
        + `${event.blockedURI || "inline code"} in ${event.documentURI}`);
});
"""


@pytest.fixture
def policy_messages(page):
    """Every console message about the Content Security Policy or the Permissions-Policy.

    Chromium logs each violation to the console itself; the init script (run by Playwright, outside
    the page's policy) adds one line per ``securitypolicyviolation`` event as well."""
    messages = []
    page.add_init_script(REPORT_VIOLATIONS)

    def record(message):
        if "Content Security Policy" in message.text or "Permissions-Policy" in message.text:
            messages.append(f"{message.type} on {page.url}: {message.text}")

    page.on("console", record)
    page.on("pageerror", lambda error: messages.append(f"page error on {page.url}: {error}"))
    return messages


def sign_in(page, base_url, email, password=DEMO_PASSWORD):
    page.goto(base_url + reverse("account_login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name=re.compile(r"^\s*sign in\s*$", re.IGNORECASE)).click()
    expect(
        page.get_by_role("navigation", name="Account").get_by_role("link", name="My learning")
    ).to_be_visible()


def script_sources(response):
    header = response.headers["content-security-policy"]
    return re.search(r"script-src ([^;]*)", header).group(1).split()


def test_public_pages_show_no_policy_violation(demo_site, page, policy_messages):
    base = demo_site.url
    response = page.goto(base + "/")
    expect(heading(page)).to_be_visible()
    assert script_sources(response) == ["'self'"]

    # The lessons as the demo learner: the content note, the first lesson, then the chart lesson.
    sign_in_as_learner(page)
    page.goto(base + MODULE_PATH)
    page.get_by_role("region", name="Lessons").get_by_role("link", name=content.LESSONS[0]["title"]).click()
    page.get_by_role("button", name="Continue to the lesson").click()
    expect(heading(page)).to_have_text(content.LESSONS[0]["title"])
    page.get_by_role("button", name=re.compile(r"^Mark as complete")).click()
    expect(heading(page)).to_have_text(content.LESSONS[1]["title"])
    expect(page.locator("figure.chart").first).to_be_visible()
    page.get_by_role("navigation", name="Account").get_by_role("button", name=re.compile("^Sign out")).click()

    # Signed out: the sign-in page and the certificate check.
    response = page.goto(base + reverse("account_login"))
    expect(page.get_by_label("Email")).to_be_visible()
    assert script_sources(response) == ["'self'"]
    page.goto(base + reverse("certificates:verify"))
    page.get_by_label("Certificate code").fill("NOPE-NOPE-NOPE")
    page.get_by_role("button", name="Check").click()
    expect(heading(page)).to_be_visible()

    assert policy_messages == []


def test_wagtail_admin_works_under_its_own_policy(demo_site, page, policy_messages):
    base = demo_site.url
    sign_in(page, base, "trainer@example.com")

    # The dashboard: the sidebar is drawn by the admin's JavaScript.
    response = page.goto(base + reverse("wagtailadmin_home"))
    sidebar = page.locator("[data-wagtail-sidebar]")
    expect(sidebar.get_by_role("link", name="Questions")).to_be_visible()

    # A snippet's edit page: the inline panel's inline script numbers the choices and wires up
    # "Add choice".
    question = Question.objects.filter(choices__isnull=False).distinct().first()
    existing = question.choices.count()
    page.goto(base + reverse("wagtailsnippets_quizzes_question:edit", args=[question.pk]))
    choices = page.locator("#id_choices-FORMS > [data-inline-panel-child]")
    expect(choices).to_have_count(existing)
    expect(choices.first.locator("[data-inline-panel-child-count]")).to_have_text(re.compile(r"\s*1$"))
    page.get_by_role("button", name="Add choice").click()
    expect(choices).to_have_count(existing + 1)
    expect(choices.last.locator("[data-inline-panel-child-count]")).to_have_text(
        re.compile(rf"\s*{existing + 1}$")
    )

    # Leave the edit page (discarding the new choice) while the server is still up: Wagtail
    # releases its editing session on the way out.
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(base + reverse("wagtailadmin_home"))
    expect(sidebar.get_by_role("link", name="Questions")).to_be_visible()

    assert policy_messages == []
    assert script_sources(response) == ["'self'", "'unsafe-inline'"]


def test_wagtail_user_bar_works_on_public_pages(demo_site, page, policy_messages):
    """Staff accounts (a superuser made with createsuperuser) see Wagtail's user bar on public
    pages, under the strict policy: its scripts and styles are files."""
    base = demo_site.url
    admin = UserFactory(is_staff=True, is_superuser=True)
    sign_in(page, base, admin.email, PASSWORD)

    response = page.goto(base + "/")
    assert script_sources(response) == ["'self'"]
    userbar = page.locator("wagtail-userbar")
    userbar.get_by_role("button", name="View Wagtail quick actions").click()
    expect(userbar.get_by_role("menuitem", name="Go to Wagtail admin")).to_be_visible()

    assert policy_messages == []


@pytest.fixture
def stripe_on(settings, monkeypatch):
    """Card payments on, with Stripe's HTTP API replaced by a recorder that answers as Stripe does."""
    settings.STRIPE_SECRET_KEY = "sk_test_csp"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_csp"
    api = FakeStripeAPI()
    monkeypatch.setattr(payments, "_http_client", lambda: api)
    return api


def test_paying_by_card_reaches_stripe_checkout(demo_site, page, policy_messages, stripe_on):
    """The order form posts to us and we answer 303 to Checkout: form-action must allow it."""
    base = demo_site.url
    # Checkout is Stripe's page; the browser gets a stand-in for it.
    page.route(
        "https://checkout.stripe.com/**",
        lambda route: route.fulfill(content_type="text/html", body="<title>Stripe Checkout</title>"),
    )
    sign_in(page, base, "manager@example.com")
    provider = Provider.objects.get(name="Little Acorns Nursery")

    # The training record's bar: SVG segments sized by attribute, no inline style, drawn to scale.
    page.goto(base + reverse("providers:dashboard", args=[provider.pk]))
    bar = page.locator(".compliance-bar").bounding_box()
    segments = page.locator(".compliance-bar svg")
    expect(segments.first).to_be_visible()
    widths = [segments.nth(index).bounding_box()["width"] for index in range(segments.count())]
    assert all(width > 0 for width in widths)
    assert sum(widths) == pytest.approx(bar["width"] - 2, abs=2)  # inside its 1px border

    page.goto(base + reverse("providers:buy", args=[provider.pk]))
    page.get_by_label("Number of seats").fill("2")
    page.get_by_label(re.compile("Card: pay now online")).check()
    page.get_by_role("button", name="Show the price").click()
    page.get_by_role("button", name=re.compile(r"^Place order")).click()

    expect(page).to_have_title("Stripe Checkout")
    assert page.url.startswith("https://checkout.stripe.com/c/pay/cs_")
    order = SeatOrder.objects.filter(provider=provider).latest("created_at")
    assert order.method == SeatOrder.Method.CARD
    assert page.url.startswith(f"https://checkout.stripe.com/c/pay/{order.stripe_checkout_session_id}")
    assert policy_messages == []
