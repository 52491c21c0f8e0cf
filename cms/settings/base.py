"""Settings shared by every environment. Values that differ between machines come from the
environment (django-environ); see the README for the list."""

from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE

from cms.storage import origin, s3_media_storage

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "cms",
    "users",
    "courses",
    "quizzes",
    "certificates",
    "providers",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "users.apps.WagtailUsersConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "csp",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "cms.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous visitors' pages from the cache, before sessions and routing (cms/page_cache.py).
    "cms.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "users.middleware.MFARequiredMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "users.roles.context",
                "cms.page_cache.context",
                "cms.navigation.context",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Two web processes writing at once: take the write lock when a transaction starts and wait
    # for it, instead of failing with "database is locked" when a read turns into a write.
    sqlite_options = DATABASES["default"].setdefault("OPTIONS", {})
    sqlite_options.setdefault("transaction_mode", "IMMEDIATE")
    # Write-ahead logging: readers never wait for a writer, and a commit is one append to the log
    # instead of a rewrite and two syncs of a rollback journal (a lesson view records progress).
    # NORMAL syncs the log at checkpoints: a power cut may lose the last commits, never corrupt.
    sqlite_options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
    # The same backend, with writers queueing on a lock file instead of polling (cms/db/sqlite3).
    DATABASES["default"]["ENGINE"] = "cms.db.sqlite3"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    INSTALLED_APPS.append("django.contrib.postgres")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "users.User"

AUTHENTICATION_BACKENDS = [
    "users.backends.UserBackend",  # ModelBackend, with a prepared query for the signed-in user
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
# The site and its admin are in British English only: no translation machinery, which every
# template variable and date otherwise asks for the active language (formats still come from
# LANGUAGE_CODE, so dates read "3 December 2026").
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# On several machines the media files must be shared: S3_BUCKET (with S3_ENDPOINT_URL for a store
# other than Amazon's, and S3_REGION) puts them in a private S3-compatible bucket (cms/storage.py).
S3_BUCKET = env.str("S3_BUCKET", default="")
S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", default="")
if S3_BUCKET:
    STORAGES["default"] = s3_media_storage(
        S3_BUCKET,
        endpoint_url=S3_ENDPOINT_URL,
        region=env.str("S3_REGION", default=""),
        prefix=env.str("S3_PREFIX", default=""),
    )
# Where browsers fetch images from the bucket (the Content Security Policy allows it below).
S3_MEDIA_ORIGIN = env.str(
    "S3_MEDIA_ORIGIN",
    default=origin(S3_ENDPOINT_URL) if S3_ENDPOINT_URL else f"https://{S3_BUCKET}.s3.amazonaws.com",
)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://"),
}

# Every email goes through a background task (cms/mail.py), which hands it to the delivery backend
# and is retried with backoff if that fails.
EMAIL_BACKEND = "cms.mail.QueuedEmailBackend"
EMAIL_DELIVERY_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Safeguarding training <training@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Accounts (django-allauth): email is the login, verified before first sign-in.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "my_learning"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SIGNUP_FORM_CLASS = "users.forms.SignupForm"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Behind a load balancer every request comes from its address: say how many proxies add themselves
# to X-Forwarded-For, so rate limits count the visitor's address (allauth's and the verify page's).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ACCOUNT_RATE_LIMITS = {
    # allauth's own limits, stated here so a reviewer sees them: per IP and per key.
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}

# Two-step sign-in (allauth.mfa): an authenticator app (TOTP) and single-use recovery codes.
# users.middleware.MFARequiredMiddleware sends provider managers, trainers, platform staff and
# superusers to set one up before anything else (users/mfa.py decides who); optional for learners.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Safeguarding children training"
MFA_TOTP_TOLERANCE = 1  # accept the code either side of the current one: phone clocks drift
MFA_REQUIRED_FOR_STAFF = env.bool("MFA_REQUIRED_FOR_STAFF", default=True)

# Wagtail
WAGTAIL_SITE_NAME = "Safeguarding children training"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
# The public address printed on certificates and encoded in their QR codes.
SITE_URL = env("SITE_URL", default=WAGTAILADMIN_BASE_URL)
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAIL_I18N_ENABLED = False
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp", "avif"]

# Background work (django-tasks). "immediate" runs a task at once, in the process that enqueues it
# (development, tests, a single machine); "database" stores it for `manage.py db_worker` processes
# on any number of machines (django-tasks-db; production's default). cms/background.py retries
# failed work with backoff and lists what failed for platform staff.
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS = {"default": {"BACKEND": TASK_BACKENDS[env.str("TASK_BACKEND", default="immediate")]}}
# A task still marked running this long after it started is taken to have lost its worker (killed,
# out of memory, machine gone) and is queued again by `manage.py recover_tasks`.
TASK_STALLED_AFTER_MINUTES = env.int("TASK_STALLED_AFTER_MINUTES", default=30)

# Set in dev/test: load_demo creates demo logins only where this is True.
DEMO_ACCOUNTS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# Stripe: card payments appear only when both keys are set; invoices always work.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_CURRENCY = "gbp"

# Security headers, the same in every environment so development and the tests see what production
# sends (docs/security.md). production.py adds HSTS and secure cookies, which need HTTPS.
SECURE_CONTENT_TYPE_NOSNIFF = True
# No address leaves the site in a Referer header: invitation, share and inspection links carry
# tokens in their paths.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # Wagtail's preview views opt out with SAMEORIGIN for the admin's preview panel
# Browser features no page here uses, switched off for the page and anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
# Wagtail shows staff avatars from Gravatar unless told not to: that would send a hash of each
# trainer's email address to a third party, and the admin's policy allows images from here only.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# Content Security Policy (django-csp). cms.security.ContentSecurityPolicyMiddleware sends this
# one everywhere except the Wagtail admin. The public pages run no inline script and carry no
# inline style (the one computed width, the training record's bar, is an SVG attribute).
STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *([S3_MEDIA_ORIGIN] if S3_BUCKET else [])],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        # Buying seats by card posts to us and we answer 303 to Stripe Checkout; Chromium applies
        # form-action to that redirect too, so Checkout's origin must be named here.
        "form-action": [SELF, STRIPE_CHECKOUT_ORIGIN],
    },
}
# The Wagtail admin (under /admin/) renders inline scripts (inline panels, date pickers) and inline
# styles, so it needs 'unsafe-inline'; only signed-in staff use it. Its preview panel frames the
# admin's own preview views, and its dashboard asks releases.wagtail.org for the latest version.
ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:", *([S3_MEDIA_ORIGIN] if S3_BUCKET else [])],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF, "https://releases.wagtail.org"],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [SELF],
        "form-action": [SELF],
    },
}
