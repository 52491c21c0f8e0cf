"""Sign-up, email verification and login through django-allauth, on the site's own templates."""

import re

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from users.models import User

pytestmark = pytest.mark.django_db

SIGNUP = {
    "certificate_name": "  Priya   Shah ",
    "email": "priya@example.org",
    "password1": "a-long-and-unusual-passphrase",
    "password2": "a-long-and-unusual-passphrase",
}


def is_logged_in(client):
    return "_auth_user_id" in client.session


def field_errors(response):
    html = BeautifulSoup(response.content, "html.parser")
    return {
        ul["id"].removeprefix("id_").removesuffix("_error"): ul.text for ul in html.select("ul.errorlist[id]")
    }


def test_sign_up_verify_then_log_in(client):
    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="priya@example.org")
    assert user.certificate_name == "Priya Shah"
    assert not is_logged_in(client)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["priya@example.org"]
    confirm_url = re.search(r"https?://testserver(/accounts/confirm-email/\S+/)", mail.outbox[0].body).group(
        1
    )

    page = client.get(confirm_url)
    assert page.status_code == 200
    client.post(confirm_url)

    assert user.emailaddress_set.get().verified
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "priya@example.org", "password": SIGNUP["password1"]}
    )
    assert response.status_code == 302
    assert is_logged_in(client)


def test_unverified_user_cannot_log_in(client):
    user = UserFactory(verified=False)
    user.emailaddress_set.create(email=user.email, verified=False, primary=True)

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert not is_logged_in(client)
    assert "confirm-email" in mail.outbox[-1].body


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"email": "not-an-email"}, "email"),
        ({"password2": "something-else-entirely"}, "password2"),
        ({"password1": "short", "password2": "short"}, "password1"),
        ({"certificate_name": "   "}, "certificate_name"),
        ({"email": ""}, "email"),
    ],
)
def test_bad_sign_up_input_gives_form_errors_and_creates_nothing(client, changes, field):
    response = client.post(reverse("account_signup"), {**SIGNUP, **changes})

    assert response.status_code == 200
    assert field in field_errors(response)
    assert not User.objects.exists()
    assert mail.outbox == []


def test_sign_up_with_a_taken_email_creates_no_second_account(client):
    UserFactory(email="priya@example.org")

    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 302  # no hint to a stranger that the address is registered
    assert User.objects.filter(email="priya@example.org").count() == 1


def test_repeated_failed_logins_are_rate_limited(client):
    user = UserFactory()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong"})

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert not is_logged_in(client)


def test_password_reset_sends_a_link(client):
    user = UserFactory()

    response = client.post(reverse("account_reset_password"), {"email": user.email})

    assert response.status_code == 302
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_account_pages_use_the_site_layout(client):
    for name in ["account_login", "account_signup", "account_reset_password"]:
        html = BeautifulSoup(client.get(reverse(name)).content, "html.parser")
        assert html.select_one("a.skip-link")
        assert html.select_one("header.site-header")
        assert html.select_one("main#main h1")
        assert html.find("meta", attrs={"name": "robots"})["content"] == "noindex"
        for field in html.select("main input:not([type=hidden])"):
            assert html.select_one(f"label[for={field['id']}]"), f"{name}: {field['name']} has no label"
