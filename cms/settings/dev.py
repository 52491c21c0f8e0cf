"""Local development: the run command uses these settings."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-never-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
DEMO_ACCOUNTS = True
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The demo logins sign in with a password only; production requires two-step sign-in for staff.
MFA_REQUIRED_FOR_STAFF = env.bool("MFA_REQUIRED_FOR_STAFF", default=False)
