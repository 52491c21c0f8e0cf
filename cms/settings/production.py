"""Production: every secret and host comes from the environment; nothing insecure by default."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False

SECRET_KEY = env("SECRET_KEY", default="")
if len(SECRET_KEY) < 50 or "insecure" in SECRET_KEY or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production. "
        'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(64))"'
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the site's host names in production.")

# One cache shared by every web process and worker (Redis: CACHE_URL=redis://host:6379/0): sessions,
# sign-in rate limits and the verify page's limit live there, so they hold across machines. A
# single-process install may say CACHE_URL=locmemcache:// on purpose; there is no silent default.
if not env.str("CACHE_URL", default=""):
    raise ImproperlyConfigured(
        "CACHE_URL must be set in production: the shared cache (for example redis://127.0.0.1:6379/0) "
        "holds sessions and rate limits for every web process. docs/deploy.md explains."
    )
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"  # read from the cache, kept in the database

# Background jobs are stored in the database for `manage.py db_worker` processes (docs/deploy.md);
# TASK_BACKEND=immediate runs them inside the web process instead, for a single small machine.
TASKS = {"default": {"BACKEND": TASK_BACKENDS[env.str("TASK_BACKEND", default="database")]}}  # noqa: F405

# Keep database connections between requests (a new one per request cost about 16% of the
# lesson page's throughput in scripts/benchmark.sh); check them before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# nosniff, Referrer-Policy, Cross-Origin-Opener-Policy, frame denial, Permissions-Policy and the
# Content Security Policy are in base.py: every environment sends them.
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
# Lax, not Strict: a learner who follows an invitation or reminder link from her email arrives
# signed in; cross-site POSTs still carry no session cookie.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_SAMESITE = "Lax"
# The __Host- prefix makes the browser refuse these cookies unless they are Secure, for this host
# only (no Domain) and for every path, so a sibling subdomain cannot plant or overwrite them.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
}
# cms.mail.QueuedEmailBackend (base.py) queues each email; the worker delivers it with this one.
EMAIL_DELIVERY_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25")
vars().update(EMAIL_CONFIG)
