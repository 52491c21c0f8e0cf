"""Sessions after a password change or reset, and the page allauth shows when a form is refused for
being sent too often (its rate limits, answered with 429)."""

import re

import pytest
from allauth.account.models import EmailAddress
from bs4 import BeautifulSoup
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from users.models import User

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-fresh-and-unusual-passphrase"
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """allauth counts attempts in the cache, which outlives a test: start every test at zero."""
    cache.clear()
    yield
    cache.clear()


def signed_in_with_the_form(user, password=PASSWORD):
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302, response.content
    assert response["Location"] == reverse("my_learning")
    return client


def signed_in_with_force_login(user):
    client = Client()
    client.force_login(user)
    return client


def is_signed_in(client):
    """Asks the site, as a person's next click would: a login-required page opens or sends them to sign in."""
    response = client.get(reverse("my_learning"))
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    return False


# --- Changing or resetting the password ends the other sessions --------------------------------


def test_changing_the_password_keeps_this_session_and_ends_every_other_one():
    person = UserFactory()
    here = signed_in_with_the_form(person)
    laptop = signed_in_with_the_form(person)
    phone = signed_in_with_force_login(person)
    someone_else = signed_in_with_the_form(UserFactory())
    assert all(map(is_signed_in, [here, laptop, phone, someone_else]))

    response = here.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302, response.content
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert is_signed_in(here)
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert "_auth_user_id" not in laptop.session and "_auth_user_id" not in phone.session
    assert is_signed_in(someone_else)  # only this person's sessions end
    assert is_signed_in(signed_in_with_the_form(person, NEW_PASSWORD))


def test_a_wrong_current_password_changes_nothing_and_ends_no_session():
    person = UserFactory()
    here = signed_in_with_the_form(person)
    laptop = signed_in_with_force_login(person)

    response = here.post(
        reverse("account_change_password"),
        {"oldpassword": "not my password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    assert is_signed_in(here) and is_signed_in(laptop)


def reset_link(email):
    """The password reset link in the last email to ``email``, as a path."""
    message = mail.outbox[-1]
    assert message.to == [email]
    return re.search(r"https?://testserver(/accounts/password/reset/key/\S+/)", message.body).group(1)


def test_a_password_reset_by_email_ends_every_session_of_the_person():
    person = UserFactory()
    laptop = signed_in_with_the_form(person)
    phone = signed_in_with_force_login(person)
    someone_else = signed_in_with_the_form(UserFactory())
    assert all(map(is_signed_in, [laptop, phone, someone_else]))

    # Someone who has forgotten the password asks for a link, from a browser that is not signed in.
    browser = Client()
    response = browser.post(reverse("account_reset_password"), {"email": person.email})
    assert response.status_code == 302
    # allauth moves the key out of the address into the session, then shows the form.
    link = reset_link(person.email)
    response = browser.get(link)
    assert response.status_code == 302 and response["Location"].endswith("-set-password/")
    form_url = response["Location"]
    assert browser.get(form_url).status_code == 200
    response = browser.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302, response.content
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert not is_signed_in(browser)  # a reset does not sign anyone in (ACCOUNT_LOGIN_ON_PASSWORD_RESET)
    assert is_signed_in(someone_else)
    assert is_signed_in(signed_in_with_the_form(person, NEW_PASSWORD))
    # The used link is spent: it no longer leads to the form.
    response = Client().get(link)
    assert response.status_code == 200 and response.context["token_fail"]


# --- Too many attempts: allauth's 429 ----------------------------------------------------------


def tables():
    """What a refused request must not touch: people, their addresses, and the email sent."""
    return (
        list(User.objects.order_by("pk").values_list("pk", "email", "password", "last_login")),
        list(EmailAddress.objects.order_by("pk").values_list("pk", "email", "verified", "primary")),
        len(mail.outbox),
    )


def refused(client, url, data):
    """Posts ``data`` to ``url`` and checks it was refused with the site's own 429 page, writing nothing."""
    before = tables()
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
    writes = [query["sql"] for query in queries if WRITES.match(query["sql"])]

    assert response.status_code == 429
    assert writes == []
    assert tables() == before
    html = BeautifulSoup(response.content, "html.parser")
    assert html.select_one("a.skip-link[href='#main']")
    assert html.select_one("header.site-header")
    assert html.select_one("main#main h1").get_text(strip=True) == "Too many attempts"
    assert html.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert html.title.get_text(strip=True).startswith("Too many attempts")
    text = " ".join(html.select_one("main#main").get_text().split())
    assert "For your security we have paused this for a few minutes. Please wait, then try again." in text
    assert "contact the training team" in text  # who to ask if it keeps happening
    assert html.select_one("main#main a[href='/']").get_text(strip=True) == "Go to the home page"
    page = response.content.decode()
    assert "Traceback" not in page and "Too Many Requests" not in page
    return response


def test_password_reset_requests_for_one_address_are_paused_after_five():
    person = UserFactory()
    client = Client()
    for _ in range(5):  # reset_password: 5/m/key
        assert client.post(reverse("account_reset_password"), {"email": person.email}).status_code == 302
    assert len(mail.outbox) == 5

    # The key is the address, whatever its case.
    refused(client, reverse("account_reset_password"), {"email": person.email.upper()})

    # A different address from the same place is still served: the limit was per address.
    other = UserFactory()
    assert client.post(reverse("account_reset_password"), {"email": other.email}).status_code == 302
    assert mail.outbox[-1].to == [other.email]


def test_password_reset_requests_from_one_address_are_paused_after_twenty():
    people = UserFactory.create_batch(21)
    client = Client(REMOTE_ADDR="192.0.2.10")
    for person in people[:20]:  # reset_password: 20/m/ip
        assert client.post(reverse("account_reset_password"), {"email": person.email}).status_code == 302

    refused(client, reverse("account_reset_password"), {"email": people[20].email})

    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert elsewhere.post(reverse("account_reset_password"), {"email": people[20].email}).status_code == 302


def test_sign_ups_from_one_address_are_paused_after_twenty():
    client = Client(REMOTE_ADDR="192.0.2.20")
    mismatched = {
        "certificate_name": "Priya Shah",
        "email": "priya@example.org",
        "password1": "a-long-and-unusual-passphrase",
        "password2": "something-else-entirely",
    }
    for _ in range(20):  # signup: 20/m/ip, counted for every sign-up form sent, valid or not
        assert client.post(reverse("account_signup"), mismatched).status_code == 200
    assert not User.objects.exists()

    refused(client, reverse("account_signup"), {**mismatched, "password2": mismatched["password1"]})

    assert not User.objects.filter(email="priya@example.org").exists()
    assert mail.outbox == []
    response = Client(REMOTE_ADDR="198.51.100.8").post(
        reverse("account_signup"), {**mismatched, "password2": mismatched["password1"]}
    )
    assert response.status_code == 302
    assert User.objects.filter(email="priya@example.org").exists()
