"""The provider manager's journey in a real browser: buy seats by invoice, platform staff mark the
invoice paid, invite a colleague, the colleague signs up, accepts and starts, and the training record
shows her in progress."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from providers.models import SeatOrder
from tests.browser.helpers import (
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    heading,
    sign_in,
    sign_out,
)

pytestmark = pytest.mark.browser

MANAGER = "manager@example.com"
STAFF = "staff@example.com"  # platform staff in the demo
COLLEAGUE = "sam.colleague@example.com"
COLLEAGUE_PASSWORD = "a-long-and-private-passphrase"


def path_in_last_email(pattern):
    return re.search(pattern, mail.outbox[-1].body).group(0)


def test_buy_by_invoice_invite_a_colleague_and_see_her_in_progress(demo_site, page):
    base = demo_site.url

    # The manager buys two seats by invoice.
    sign_in(page, base, MANAGER)
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Organisations").click()
    page.get_by_role("link", name="Little Acorns Nursery").click()
    expect(heading(page)).to_have_text("Training record")
    assert_no_axe_violations(page)
    page.get_by_role("navigation", name="Little Acorns Nursery").get_by_role("link", name="Buy seats").click()
    page.get_by_label("Number of seats").fill("2")
    page.get_by_label(re.compile("Invoice: pay by bank transfer")).check()
    page.get_by_role("button", name="Show the price").click()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Place order for £60.00").click()
    expect(heading(page)).to_have_text(re.compile(r"^Order \d+: 2 seats for Online safety$"))
    order = SeatOrder.objects.filter(provider__name="Little Acorns Nursery").latest("created_at")
    assert order.status == SeatOrder.Status.PENDING
    assert_no_axe_violations(page)
    sign_out(page, base)

    # Platform staff mark the invoice paid in the admin.
    sign_in(page, base, STAFF)
    page.goto(base + reverse("seat_order_admin:inspect", args=[order.pk]))
    page.get_by_role("link", name="Mark as paid").first.click()
    page.get_by_role("button", name="Yes, mark as paid").click()
    expect(page.get_by_text(re.compile("is marked paid")).first).to_be_visible()
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.PAID
    sign_out(page, base)

    # The manager invites a colleague.
    sign_in(page, base, MANAGER)
    page.goto(base + reverse("providers:staff", args=[order.provider_id]))
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_label("Name").fill("Sam Colleague")
    page.get_by_label("Email address").fill(COLLEAGUE)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text(f"Invitation sent to {COLLEAGUE}")).to_be_visible()
    invitation_path = path_in_last_email(r"/invitations/[\w-]+/")
    sign_out(page, base)

    # The colleague opens the invitation on her phone, creates an account and accepts.
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(base + invitation_path)
    expect(heading(page)).to_have_text("Safeguarding training with Little Acorns Nursery")
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)
    page.get_by_role("main").get_by_role("link", name="Create an account").click()
    page.get_by_label("Your full name").fill("Sam Colleague")
    expect(page.get_by_label("Email")).to_have_value(COLLEAGUE)
    page.locator("#id_password1").fill(COLLEAGUE_PASSWORD)
    page.locator("#id_password2").fill(COLLEAGUE_PASSWORD)
    page.get_by_role("button", name=re.compile("sign up", re.IGNORECASE)).click()
    page.goto(base + path_in_last_email(r"/accounts/confirm-email/\S+/"))
    page.get_by_role("button", name="Confirm").click()
    page.goto(base + invitation_path)
    page.get_by_role("button", name="Accept and start").click()
    expect(heading(page)).to_have_text("Online safety")
    page.get_by_role("link", name="Start the module").click()
    if page.get_by_role("button", name="Continue to the lesson").count():
        page.get_by_role("button", name="Continue to the lesson").click()
    expect(page.get_by_text("Lesson 1 of 5")).to_be_visible()
    sign_out(page, base)

    # The training record shows her in progress.
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, base, MANAGER)
    page.goto(base + reverse("providers:dashboard", args=[order.provider_id]))
    row = page.get_by_role("row").filter(has_text=COLLEAGUE)
    expect(row).to_contain_text("In progress")
    assert_no_axe_violations(page)


@pytest.mark.parametrize(
    "name", ["dashboard", "staff", "buy", "billing", "inspection", "settings", "bulk_invite"]
)
def test_manager_pages_pass_axe_and_fit_a_small_phone(demo_site, page, name):
    from providers.models import Provider

    provider = Provider.objects.get(name="Little Acorns Nursery")
    sign_in(page, demo_site.url, MANAGER)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(demo_site.url + reverse(f"providers:{name}", args=[provider.pk]))
    expect(page.get_by_role("navigation", name="Little Acorns Nursery")).to_be_visible()
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)
