"""A learner looking after their own account in a real browser: download their data, delete the
account (a wrong password first), turn on two-step sign-in then sign in with a code, and the page
shown when a form is sent too often. Every page: zero axe-core violations and no sideways scroll at
320 px wide."""

import json
import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.helpers import (
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    heading,
    sign_in,
    sign_out,
)
from tests.factories import PASSWORD, UserFactory
from users.models import User

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
NARROW = {"width": 320, "height": 640}  # WCAG 1.4.10 reflow: 320 CSS pixels wide


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """allauth counts attempts in the cache the live server shares with the tests: zero before and after."""
    cache.clear()
    yield
    cache.clear()


def check_page(page):
    """Zero axe-core violations, and nothing scrolls sideways at 320 px wide."""
    assert_no_axe_violations(page)
    page.set_viewport_size(NARROW)
    try:
        assert_no_horizontal_scroll(page)
    finally:
        page.set_viewport_size(DESKTOP)


def account_nav(page):
    return page.get_by_role("navigation", name="Account")


def open_account_section(page, name):
    """Your account (header) -> one of its sections (the account navigation above every account page)."""
    account_nav(page).get_by_role("link", name="Your account").click()
    page.get_by_role("navigation", name="Your account").get_by_role("link", name=name).click()


def current_code(secret):
    """The six digits an authenticator app shows now for ``secret``, from allauth's own TOTP functions."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def wrong_code(secret):
    """Six digits that no code accepted now (this period or either side of it) matches."""
    now = int(time.time()) // 30
    accepted = {format_hotp_value(hotp_value(secret, now + step)) for step in (-1, 0, 1, 2)}
    return next(code for code in ("000000", "111111", "222222", "333333", "444444") if code not in accepted)


def test_download_my_data_then_delete_my_account(demo_site, page):
    base = demo_site.url
    learner = UserFactory(email="robin.learner@example.org", certificate_name="Robin Learner")
    page.set_viewport_size(DESKTOP)
    sign_in(page, base, learner.email, PASSWORD)

    open_account_section(page, "Your data")
    expect(heading(page)).to_have_text("Your data")
    check_page(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my data").click()
    download = download_info.value
    assert re.fullmatch(r"my-training-data-\d{4}-\d{2}-\d{2}\.json", download.suggested_filename)
    with open(download.path(), encoding="utf-8") as file:
        data = json.load(file)
    assert data["account"]["email"] == "robin.learner@example.org"
    assert data["account"]["name_on_certificates"] == "Robin Learner"

    page.get_by_role("main").get_by_role("link", name="Delete my account").click()
    expect(heading(page)).to_have_text("Delete your account")
    check_page(page)
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Delete my account").click()
    wrong = "That is not your password. Your account has not been deleted."
    expect(page.locator("#password-error")).to_have_text(wrong)  # beside the field
    expect(page.get_by_role("link", name=f"Your password: {wrong}")).to_be_visible()  # in the error summary
    expect(page.get_by_label("Your password")).to_have_attribute("aria-invalid", "true")
    expect(page).to_have_title(re.compile("^Error: "))
    assert User.objects.filter(pk=learner.pk).exists()
    check_page(page)

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("status")).to_contain_text("Your account is deleted.")
    expect(account_nav(page).get_by_role("link", name="Sign in")).to_be_visible()
    assert page.url == base + "/"
    check_page(page)
    assert not User.objects.filter(pk=learner.pk).exists()
    assert not EmailAddress.objects.filter(email="robin.learner@example.org").exists()

    # Signed out for good: the account pages ask for a sign-in, and the old password opens nothing.
    page.goto(base + reverse("your_data"))
    expect(page).to_have_url(re.compile(re.escape(reverse("account_login"))))
    page.get_by_label("Email").fill("robin.learner@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"^\s*sign in\s*$", re.IGNORECASE)).click()
    expect(account_nav(page).get_by_role("link", name="Sign in")).to_be_visible()
    expect(page.get_by_role("link", name="My learning")).to_have_count(0)


def test_turn_on_two_step_sign_in_then_sign_in_with_a_code(demo_site, page):
    base = demo_site.url
    learner = UserFactory(email="alex.learner@example.org")
    page.set_viewport_size(DESKTOP)
    sign_in(page, base, learner.email, PASSWORD)

    open_account_section(page, "Two-step sign-in")
    expect(heading(page)).to_have_text("Two-step sign-in")
    expect(page.get_by_text("Signing in asks for your password only.")).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Set up an authenticator app").click()
    # allauth asks for the password again before changing how the account signs in.
    expect(page).to_have_url(re.compile(re.escape(reverse("account_reauthenticate"))))
    check_page(page)
    page.get_by_role("main").get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(heading(page)).to_have_text("Set up an authenticator app")
    check_page(page)
    secret = page.locator("#setup-key").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret  # base32, as an authenticator app takes it

    page.get_by_label("Code from your authenticator app").fill(wrong_code(secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_label("Code from your authenticator app")).to_have_attribute("aria-invalid", "true")
    assert not Authenticator.objects.filter(user=learner).exists()
    check_page(page)
    assert page.locator("#setup-key").inner_text().strip() == secret  # the same key while setting up

    page.get_by_label("Code from your authenticator app").fill(current_code(secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(heading(page)).to_have_text("Recovery codes")
    check_page(page)
    assert Authenticator.objects.filter(user=learner, type=Authenticator.Type.TOTP).exists()
    expect(page.locator(".recovery-codes li")).not_to_have_count(0)
    page.get_by_role("link", name="Back to two-step sign-in").click()
    expect(page.get_by_text("Signing in asks for a code from your authenticator app.")).to_be_visible()
    sign_out(page, base)

    # Signing in now takes the password, then a code.
    page.goto(base + reverse("account_login"))
    page.get_by_label("Email").fill(learner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"^\s*sign in\s*$", re.IGNORECASE)).click()
    expect(heading(page)).to_have_text("Sign in: second step")
    expect(account_nav(page).get_by_role("link", name="Sign in")).to_be_visible()  # not signed in yet
    check_page(page)
    page.get_by_label("Code").fill(current_code(secret))
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(heading(page)).to_have_text("My learning")
    expect(account_nav(page).get_by_role("link", name="My learning")).to_be_visible()
    check_page(page)


def test_too_many_password_reset_requests_show_a_calm_page(demo_site, page):
    base = demo_site.url
    learner = UserFactory(email="sam.learner@example.org")
    page.set_viewport_size(DESKTOP)
    for _ in range(5):  # reset_password: 5/m/key
        page.goto(base + reverse("account_reset_password"))
        page.get_by_label("Email").fill(learner.email)
        page.get_by_role("main").get_by_role("button", name=re.compile("reset", re.IGNORECASE)).click()
        expect(page).to_have_url(base + reverse("account_reset_password_done"))

    page.goto(base + reverse("account_reset_password"))
    page.get_by_label("Email").fill(learner.email)
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("main").get_by_role("button", name=re.compile("reset", re.IGNORECASE)).click()
    assert answer.value.status == 429
    expect(heading(page)).to_have_text("Too many attempts")
    expect(page.get_by_role("main")).to_contain_text("Please wait, then try again.")
    check_page(page)
    page.get_by_role("link", name="Go to the home page").click()
    expect(page).to_have_url(base + "/")
