"""Test settings: fast hashing, email kept in memory, media in a temporary folder."""

import os
import tempfile

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105 - the test settings only
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
DEMO_ACCOUNTS = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Django's test runner swaps EMAIL_BACKEND for locmem; tests of the email queue (cms/mail.py) put
# the queued backend back, and it delivers here.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="safeguarding-test-media-")
WAGTAILADMIN_BASE_URL = "http://testserver"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rate limits stay on in tests (a test checks them); the counters live in the cache above.
# pytest-django's live_server runs views in a thread next to Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
SITE_URL = "http://testserver"
# Off so tests can force_login staff and open pages; tests/users/test_mfa.py turns it on.
MFA_REQUIRED_FOR_STAFF = False
