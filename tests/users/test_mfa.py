"""Two-step sign-in (allauth.mfa): required for anyone who sees other people's training records,
optional for learners, and a real second step at sign-in."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from providers.models import Membership, Provider
from tests.factories import PASSWORD, UserFactory
from users import roles
from users.mfa import REQUIRED_MESSAGE, mfa_required

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mfa_on(settings):
    """The test settings switch the requirement off for everyone else's tests; it is on here."""
    settings.MFA_REQUIRED_FOR_STAFF = True
    cache.clear()  # allauth keeps used TOTP codes and rate-limit counters in the cache


def make_provider(name="Little Acorns Nursery"):
    return Provider.objects.create(
        name=name, kind="nursery", billing_name="Ann", billing_email="a@example.org"
    )


@pytest.fixture
def manager(db):
    user = UserFactory()
    Membership.objects.create(provider=make_provider(), user=user, role=Membership.Role.MANAGER)
    return user


@pytest.fixture
def owner(db):
    user = UserFactory()
    Membership.objects.create(provider=make_provider(), user=user, role=Membership.Role.OWNER)
    return user


@pytest.fixture
def provider_learner(db):
    """A learner who belongs to a provider as a member of staff: not required."""
    user = UserFactory()
    Membership.objects.create(provider=make_provider(), user=user, role=Membership.Role.LEARNER)
    return user


def current_code(secret):
    """The code an authenticator app shows now, from allauth's own TOTP functions."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(client, user):
    """The allauth sign-in form with a password (records a real authentication, unlike force_login)."""
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def confirm_password(client):
    """allauth asks for the password again before changing two-step sign-in."""
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def open_activate_page(client):
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    confirm_password(client)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    return response


def activate_totp(client, user):
    """Set up an authenticator app through allauth's pages; returns the secret."""
    open_activate_page(client)
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302, response.content
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return secret


def page_text(response):
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text().split())


def is_signed_in(client):
    return "_auth_user_id" in client.session


# --- Who must use it -------------------------------------------------------------------------


def test_who_must_use_two_step_sign_in(
    manager, owner, provider_learner, learner, trainer, lead_trainer, platform_staff, superuser
):
    assert mfa_required(manager)
    assert mfa_required(owner)
    assert mfa_required(trainer)
    assert mfa_required(lead_trainer)
    assert mfa_required(platform_staff)
    assert mfa_required(superuser)
    assert not mfa_required(learner)
    assert not mfa_required(provider_learner)


@pytest.mark.parametrize(
    "who", ["manager", "owner", "trainer", "lead_trainer", "platform_staff", "superuser"]
)
@pytest.mark.parametrize("url", ["/my-learning/", "/admin/"])
def test_required_user_without_authenticator_is_sent_to_set_up(client, request, who, url):
    user = request.getfixturevalue(who)
    client.force_login(user)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # Set-up first asks for the password again (force_login recorded no sign-in); the message shows there.
    shown = client.get(response["Location"], follow=True)
    assert shown.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert REQUIRED_MESSAGE in page_text(shown)


def test_a_post_is_redirected_too_without_doing_anything(client, manager):
    client.force_login(manager)

    response = client.post(reverse("providers:create"), {"name": "Sneaky Nursery", "kind": "nursery"})

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert not Provider.objects.filter(name="Sneaky Nursery").exists()


@pytest.mark.parametrize("who", ["learner", "provider_learner"])
def test_learner_is_not_redirected(client, request, who):
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("my_learning"))

    assert response.status_code == 200
    assert REQUIRED_MESSAGE not in page_text(response)


def test_setting_off_lets_staff_in_without_authenticator(client, settings, trainer):
    settings.MFA_REQUIRED_FOR_STAFF = False
    client.force_login(trainer)

    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/2fa/",
        "/accounts/2fa/totp/activate/",
        "/accounts/reauthenticate/",
        "/accounts/email/",
        "/healthz/",
    ],
)
def test_set_up_pages_sign_out_and_health_check_are_not_redirected(client, trainer, url):
    client.force_login(trainer)

    response = client.get(url)

    assert response.get("Location") != reverse("mfa_activate_totp")


def test_required_user_can_sign_out(client, trainer):
    client.force_login(trainer)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert not is_signed_in(client)


def test_learner_made_manager_is_asked_once_the_cached_decision_is_old(client, learner, monkeypatch):
    client.force_login(learner)
    assert client.get(reverse("my_learning")).status_code == 200
    Membership.objects.create(provider=make_provider(), user=learner, role=Membership.Role.OWNER)

    # Within the recheck interval the session's answer stands ...
    assert client.get(reverse("my_learning")).status_code == 200
    # ... after it, the role is looked at again.
    later = time.time() + roles.RECHECK_SECONDS + 1
    monkeypatch.setattr(roles.time, "time", lambda: later)
    response = client.get(reverse("my_learning"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_cached_decision_belongs_to_one_user(client, learner, trainer):
    client.force_login(learner)
    client.get(reverse("my_learning"))
    kept = client.session[roles.SESSION_KEY]
    assert (kept["user"], kept["mfa_required"]) == (learner.pk, False)

    client.force_login(
        trainer
    )  # same client, another person: the learner's "not required" must not carry over
    response = client.get(reverse("my_learning"))

    assert response.status_code == 302


# --- Setting it up ---------------------------------------------------------------------------


def test_after_activating_totp_staff_are_let_through(client, platform_staff):
    assert sign_in(client, platform_staff).status_code == 302
    assert client.get("/admin/")["Location"] == reverse("mfa_activate_totp")

    activate_totp(client, platform_staff)

    assert client.get("/admin/").status_code == 200
    assert client.get(reverse("my_learning")).status_code == 200
    assert Authenticator.objects.filter(user=platform_staff, type=Authenticator.Type.RECOVERY_CODES).exists()


def test_activate_page_is_accessible(client, manager):
    sign_in(client, manager)

    response = open_activate_page(client)

    html = BeautifulSoup(response.content, "html.parser")
    secret = client.session[SECRET_SESSION_KEY]
    qr = html.select_one("main img")
    assert qr["src"].startswith("data:image/svg+xml;base64,")
    assert "QR code" in qr["alt"] and secret not in qr["alt"]
    assert html.select_one("#setup-key").get_text(strip=True) == secret
    code_input = html.select_one("input[name=code]")
    assert html.select_one(f"label[for={code_input['id']}]").get_text(strip=True)
    assert code_input["autocomplete"] == "one-time-code"
    nav = html.select_one("nav[aria-label='Your account']")
    assert nav.select_one("a[aria-current=page]").get_text(strip=True) == "Two-step sign-in"


def test_wrong_code_does_not_activate(client, manager):
    sign_in(client, manager)
    open_activate_page(client)
    secret = client.session[SECRET_SESSION_KEY]
    wrong = f"{(int(current_code(secret)) + 500_000) % 1_000_000:06d}"

    response = client.post(reverse("mfa_activate_totp"), {"code": wrong})

    assert response.status_code == 200
    assert BeautifulSoup(response.content, "html.parser").select_one("input[name=code][aria-invalid=true]")
    assert not Authenticator.objects.filter(user=manager).exists()


def test_learner_can_turn_it_on_from_account_pages(client, learner):
    sign_in(client, learner)

    email_page = BeautifulSoup(client.get(reverse("account_email")).content, "html.parser")
    link = email_page.select_one("nav[aria-label='Your account']").find("a", string="Two-step sign-in")
    assert link["href"] == reverse("mfa_index")
    index = client.get(link["href"])
    assert index.status_code == 200
    assert "Off" in page_text(index)

    activate_totp(client, learner)

    assert "On" in page_text(client.get(reverse("mfa_index")))


# --- Signing in with it ----------------------------------------------------------------------


@pytest.fixture
def trainer_with_totp(client, trainer):
    sign_in(client, trainer)
    secret = activate_totp(client, trainer)
    codes_page = BeautifulSoup(client.get(reverse("mfa_view_recovery_codes")).content, "html.parser")
    codes = [c.get_text(strip=True) for c in codes_page.select("ul.recovery-codes code")]
    client.post(reverse("account_logout"))
    assert not is_signed_in(client)
    cache.clear()  # the code used to activate would otherwise count as used for the next step
    return trainer, secret, codes


def test_sign_in_asks_for_the_code_and_a_wrong_one_gets_an_error(client, trainer_with_totp):
    trainer, secret, _codes = trainer_with_totp

    response = sign_in(client, trainer)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert not is_signed_in(client)
    form_page = BeautifulSoup(client.get(reverse("mfa_authenticate")).content, "html.parser")
    code_input = form_page.select_one("input[name=code]")
    assert form_page.select_one(f"label[for={code_input['id']}]").get_text(strip=True) == "Code"

    wrong = f"{(int(current_code(secret)) + 500_000) % 1_000_000:06d}"
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})

    assert response.status_code == 200
    html = BeautifulSoup(response.content, "html.parser")
    assert html.select_one("input[name=code][aria-invalid=true]")
    assert html.select_one("#code-error").get_text(strip=True)
    assert not is_signed_in(client)
    assert client.get("/admin/").status_code == 302


def test_sign_in_with_the_right_code(client, trainer_with_totp):
    trainer, secret, _codes = trainer_with_totp
    sign_in(client, trainer)

    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})

    assert response.status_code == 302
    assert is_signed_in(client)
    assert int(client.session["_auth_user_id"]) == trainer.pk
    assert client.get("/admin/").status_code == 200


def test_recovery_code_works_once(client, trainer_with_totp):
    trainer, _secret, codes = trainer_with_totp
    assert len(codes) == 10

    sign_in(client, trainer)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 302
    assert is_signed_in(client)
    assert client.get("/admin/").status_code == 200
    client.post(reverse("account_logout"))

    sign_in(client, trainer)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 200
    assert not is_signed_in(client)
    assert client.post(reverse("mfa_authenticate"), {"code": codes[1]}).status_code == 302
    assert is_signed_in(client)


def test_recovery_codes_can_be_generated_again(client, trainer_with_totp):
    trainer, secret, old_codes = trainer_with_totp
    sign_in(client, trainer)
    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    confirm_password(client)

    response = client.post(reverse("mfa_generate_recovery_codes"))

    assert response.status_code == 302
    page = BeautifulSoup(client.get(reverse("mfa_view_recovery_codes")).content, "html.parser")
    new_codes = [c.get_text(strip=True) for c in page.select("ul.recovery-codes code")]
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)


# --- Cost for learners -----------------------------------------------------------------------


@pytest.mark.parametrize("memberships", [1, 25])
def test_middleware_adds_no_query_for_a_learner(
    client, settings, learner, memberships, django_assert_num_queries
):
    providers = Provider.objects.bulk_create(
        Provider(name=f"Nursery {n}", kind="nursery", billing_name="A", billing_email="a@example.org")
        for n in range(memberships)
    )
    Membership.objects.bulk_create(
        Membership(provider=p, user=learner, role=Membership.Role.LEARNER) for p in providers
    )
    client.force_login(learner)
    url = reverse("my_learning")

    settings.MFA_REQUIRED_FOR_STAFF = False
    client.get(url)
    with CaptureQueriesContext(connection) as off:
        assert client.get(url).status_code == 200
    queries_without_middleware = len(off)  # read now: the next request clears Django's query log
    assert queries_without_middleware > 0

    settings.MFA_REQUIRED_FOR_STAFF = True
    client.get(url)  # the first request takes the decision and keeps it in the session
    with django_assert_num_queries(queries_without_middleware):
        assert client.get(url).status_code == 200


def test_the_admin_sign_in_page_sends_everyone_to_the_one_sign_in_with_two_step(client):
    """Wagtail's own login form asks for a password only, which would skip the second step."""
    response = client.get("/admin/login/?next=/admin/pages/")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=/admin/pages/"
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 302
