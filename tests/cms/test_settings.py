"""Production settings refuse to start without real secrets, and pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "-production-secret-with-enough-entropy-0123456789abcdef"


def run_manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    # A Redis address, as production uses: `check` does not connect to it.
    environment.update(DJANGO_SETTINGS_MODULE="cms.settings.production", CACHE_URL="redis://127.0.0.1:6379/0")
    environment.update(env)
    environment = {key: value for key, value in environment.items() if value is not None}  # None: unset
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_secret_key_fails_loudly():
    result = run_manage("check", ALLOWED_HOSTS="training.example.org")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("key", ["short", "dev-only-insecure-key-never-use-in-production" + "x" * 10])
def test_production_rejects_weak_or_development_keys(key):
    result = run_manage("check", SECRET_KEY=key, ALLOWED_HOSTS="training.example.org")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_without_allowed_hosts_fails_loudly():
    result = run_manage("check", SECRET_KEY=GOOD_KEY)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must list" in result.stderr


def test_production_without_a_shared_cache_fails_loudly():
    result = run_manage("check", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="training.example.org", CACHE_URL=None)

    assert result.returncode != 0
    assert "CACHE_URL must be set in production" in result.stderr


def test_production_shares_cache_sessions_and_tasks_between_machines():
    """Sessions and rate limits in the shared Redis cache; jobs stored for the db_worker processes;
    the visitor's address taken from the load balancer's X-Forwarded-For when told to trust it."""
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; from allauth import app_settings as a; "
        "print(s.CACHES['default']['BACKEND'], s.SESSION_ENGINE, s.TASKS['default']['BACKEND'], "
        "a.TRUSTED_PROXY_COUNT)",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="training.example.org",
        TRUSTED_PROXY_COUNT="1",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "django.contrib.sessions.backends.cached_db",
        "django_tasks_db.DatabaseBackend",
        "1",
    ]


def test_production_deploy_check_reports_nothing():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="training.example.org",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_named_bucket_moves_media_to_object_storage_and_the_policy_allows_its_images():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "o = s.STORAGES['default']; "
        "print(o['BACKEND'], o['OPTIONS']['bucket_name'], o['OPTIONS']['default_acl'], "
        "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'][-1])",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="training.example.org",
        S3_BUCKET="training-media",
        S3_ENDPOINT_URL="https://objects.example.net/",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "storages.backends.s3.S3Storage",
        "training-media",
        "private",
        "https://objects.example.net",
    ]
