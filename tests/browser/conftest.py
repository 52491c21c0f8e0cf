"""Browser tests: Playwright (pytest-playwright, sync API) drives Debian's Chromium against
pytest-django's live server, with the demo course loaded into the test database.

Never run ``playwright install``: the tests use /usr/bin/chromium (Debian's ``chromium`` package,
which scripts/test.sh installs). If it is missing the tests fail, they are not skipped.
"""

import asyncio
import io
import os

import pytest
from django.core.management import call_command
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """Replace pytest-playwright's launch arguments: Debian's Chromium, never a downloaded one."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Browser tests need Debian's Chromium at {CHROMIUM}, which is missing. "
            "Install it with `apt-get install chromium` (scripts/test.sh does this when run as root). "
            "Do not run `playwright install`.",
            pytrace=False,
        )
    return {"executable_path": CHROMIUM, "args": list(CHROMIUM_ARGS)}


@pytest.fixture(scope="session", autouse=True)
def _db_contents_after_migrations(django_db_setup):
    """What the migrations put in the test database (Wagtail's root page, default site and
    locale among it), as pytest-django serialized it for ``django_db_serialized_rollback``.

    Playwright's sync API leaves an asyncio loop marked as running in the main thread, and from
    then on Django hands this thread a different set of connection objects (asgiref's Local
    behaves like a context variable when a loop is running). The serialized contents live on the
    first set, so pytest-django's rollback emulation would silently do nothing. This autouse
    session fixture runs before Playwright starts and keeps them for ``demo_site``.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        pytest.fail("Playwright started before the database contents were captured.", pytrace=False)
    return {
        connection.alias: connection._test_serialized_contents
        for connection in connections.all(initialized_only=True)
        if hasattr(connection, "_test_serialized_contents")
    }


@pytest.fixture
def demo_site(_db_contents_after_migrations, django_db_serialized_rollback, transactional_db, live_server):
    """The demo course, loaded into the test database that the live server reads.

    transactional_db flushes every table after each test, including Wagtail's root page, default
    site and locale, which its migrations create and load_demo needs; serialized rollback puts
    them back before the next test.
    """
    assert _db_contents_after_migrations, "pytest-django did not serialize the test database"
    for alias, contents in _db_contents_after_migrations.items():
        connection = connections[alias]
        if not hasattr(connection, "_test_serialized_contents"):
            # First browser test on this set of connections: pytest-django could not restore the
            # database before it, so do it here; from now on its flush and restore work as usual.
            connection._test_serialized_contents = contents
            connection.creation.deserialize_db_from_string(contents)
    call_command("load_demo", stdout=io.StringIO())
    return live_server
