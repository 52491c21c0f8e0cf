"""Security headers: the public pages' strict Content Security Policy and the other headers, the
Wagtail admin's own policy, and what production adds (HSTS, secure cookies, deploy checks clean)."""

import io
import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.urls import reverse

from cms.demo import content
from cms.management.commands.load_demo import DEMO_PASSWORD
from providers.models import Provider
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
FIRST_LESSON = "/{}/{}/{}/".format(content.COURSE["slug"], content.MODULE["slug"], content.LESSONS[0]["slug"])
DISABLED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb"]


def policy(header):
    """A Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_common_headers(response):
    """The headers every response gets, whatever its policy."""
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    features = dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
    for feature in DISABLED_FEATURES:
        assert features[feature] == "()", feature


def assert_strict_policy(response):
    csp = policy(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'", "https://checkout.stripe.com"]
    assert response["X-Frame-Options"] == "DENY"
    assert_common_headers(response)


def inline_code(html):
    """What the strict policy would block in a page: inline scripts, style elements and attributes,
    event-handler attributes and javascript: links."""
    soup = BeautifulSoup(html, "html.parser")
    found = [
        str(tag)[:120]
        for tag in soup.find_all("script")
        if not tag.get("src") and tag.get("type") not in {"application/json", "application/ld+json"}
    ]
    found += [str(tag)[:120] for tag in soup.find_all("style")]
    for tag in soup.find_all(True):
        if tag.get("style") is not None or any(name.lower().startswith("on") for name in tag.attrs):
            found.append(str(tag)[:120])
        if str(tag.get("href", "")).strip().lower().startswith("javascript:"):
            found.append(str(tag)[:120])
    return found


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def signed_in(client, email):
    assert client.login(email=email, password=DEMO_PASSWORD)
    return client


def front_end_pages(client):
    """(name, response) for the public pages, signed out, as the demo learner and as its manager."""
    yield "home", client.get("/")
    yield "sign-in", client.get(reverse("account_login"))
    yield "verify", client.get(reverse("certificates:verify"))
    yield "sign-up", client.get(reverse("account_signup"))
    yield "password reset", client.get(reverse("account_reset_password"))

    signed_in(client, "learner@example.com")
    yield "content note", client.get(FIRST_LESSON)
    lesson = client.post(FIRST_LESSON + "content-note/", follow=True)
    assert lesson.redirect_chain, "the content note's Continue did not lead to the lesson"
    yield "lesson", lesson
    yield "my learning", client.get(reverse("my_learning"))
    yield "email addresses", client.get(reverse("account_email"))
    yield "password change", client.get(reverse("account_change_password"))
    client.logout()

    signed_in(client, "manager@example.com")
    provider = Provider.objects.get(name="Little Acorns Nursery")
    yield "training record", client.get(reverse("providers:dashboard", args=[provider.pk]))
    client.logout()

    # Staff accounts (createsuperuser makes one) see Wagtail's user bar on public pages: its scripts
    # are files, so the strict policy holds.
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    home = client.get("/")
    assert BeautifulSoup(home.content, "html.parser").find("wagtail-userbar"), "no user bar for staff"
    yield "home with the user bar", home


def test_public_pages_send_the_strict_policy_and_run_no_inline_code(demo, client):
    seen = []
    for name, response in front_end_pages(client):
        assert response.status_code == 200, name
        assert_strict_policy(response)
        assert inline_code(response.content.decode()) == [], name
        seen.append(name)
    assert len(seen) == 12


def test_pages_checked_are_the_real_pages(demo, client):
    """The lesson checked above is the lesson itself, and the training record's bar is drawn with
    SVG segments that add up to the whole, each with its label."""
    pages = dict(front_end_pages(client))
    soup = BeautifulSoup(pages["lesson"].content, "html.parser")
    assert soup.h1.get_text(strip=True) == content.LESSONS[0]["title"]
    record = BeautifulSoup(pages["training record"].content, "html.parser")
    segments = record.select(".compliance-bar svg")
    assert segments, "the training record's bar has no segments"
    widths = [float(svg["width"].rstrip("%")) for svg in segments]
    assert sum(widths) == pytest.approx(100, abs=0.05)
    assert all(svg.title.get_text() for svg in segments)


def test_wagtail_admin_gets_its_own_policy(demo, client):
    signed_in(client, "trainer@example.com")
    dashboard = client.get(reverse("wagtailadmin_home"))
    statistics = client.get(reverse("wagtailsnippets_cms_statistic:list"))
    home = client.get("/")

    for response in (dashboard, statistics):
        assert response.status_code == 200
        csp = policy(response["Content-Security-Policy"])
        assert csp["script-src"] == ["'self'", "'unsafe-inline'"]
        assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
        assert csp["object-src"] == ["'none'"]
        assert csp["base-uri"] == ["'self'"]
        assert csp["frame-ancestors"] == ["'self'"]  # the preview panel frames the admin's preview views
        assert csp["form-action"] == ["'self'"]
        assert_common_headers(response)
    # The looser policy stops at the admin's prefix.
    assert_strict_policy(home)


def test_error_pages_get_the_strict_policy(db, client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_strict_policy(response)


# --- Production -------------------------------------------------------------------------------


def production_env():
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    alphabet = string.ascii_letters + string.digits
    environment.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(64)),
        ALLOWED_HOSTS="example.org",
        CACHE_URL="redis://127.0.0.1:6379/0",
    )
    return environment


def run_production(*args):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120
    )


def test_deploy_check_with_production_settings_reports_nothing():
    result = run_production("manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


PRODUCTION_PROBE = """
import json

import django
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings

django.setup()
client = Client()
# No collectstatic manifest in a fresh checkout: plain static storage, the headers are the same.
plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
storages = {**settings.STORAGES, "staticfiles": plain_static}
# No Redis here either: CACHE_URL only has to be set; the headers do not depend on the cache.
local_cache = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
with override_settings(STORAGES=storages, CACHES=local_cache):
    secure = client.get("/accounts/login/", secure=True, headers={"host": "example.org"})
    plain = client.get("/accounts/login/", headers={"host": "example.org"})


def sign_in(request):
    request.session["signed_in"] = True
    return HttpResponse("ok")


# The session cookie as SessionMiddleware writes it; signed cookies keep the database out of it.
with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies"):
    request = RequestFactory().get("/", secure=True, headers={"host": "example.org"})
    session = SessionMiddleware(sign_in)(request)
print(json.dumps({
    "status": secure.status_code,
    "headers": dict(secure.headers),
    "csrf_cookie": secure.cookies.output(),
    "plain": [plain.status_code, plain.headers.get("Location")],
    "session_cookie": session.cookies.output(),
}))
"""


def test_production_sends_hsts_and_secure_cookies():
    result = run_production("-c", PRODUCTION_PROBE)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])

    assert probe["status"] == 200
    headers = probe["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert policy(headers["Content-Security-Policy"])["script-src"] == ["'self'"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in headers["Permissions-Policy"]
    # Plain HTTP is sent to HTTPS.
    assert probe["plain"] == [301, "https://example.org/accounts/login/"]

    csrf = probe["csrf_cookie"]
    assert csrf.startswith("Set-Cookie: __Host-csrftoken=")
    assert "; Secure" in csrf and "SameSite=Lax" in csrf and "Path=/" in csrf and "Domain" not in csrf
    session = probe["session_cookie"]
    assert session.startswith("Set-Cookie: __Host-sessionid=")
    assert "; Secure" in session and "HttpOnly" in session and "SameSite=Lax" in session
