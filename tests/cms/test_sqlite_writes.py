"""cms.db.sqlite3: on a database file, a second writer waits for the first to finish, in the
kernel's queue, instead of SQLite's busy handler; the lock file is let go however a transaction ends."""

import threading

import pytest
from django.db import connection
from django.db.utils import load_backend

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend only")


@pytest.fixture
def open_database(tmp_path, django_db_blocker):
    """open_database(): a new connection to one database file, as the project's settings make it."""
    settings = {
        **connection.settings_dict,
        "NAME": str(tmp_path / "db.sqlite3"),
        # No busy timeout: without the lock file, a second writer would fail at once ("database is
        # locked") instead of waiting, so these tests tell the two apart.
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL", "timeout": 0},
    }
    wrapper_class = load_backend("cms.db.sqlite3").DatabaseWrapper
    opened = []

    def open_one():
        wrapper = wrapper_class(settings, alias=f"writer{len(opened)}")
        wrapper.inc_thread_sharing()  # one is used from a second thread
        opened.append(wrapper)
        return wrapper

    with django_db_blocker.unblock():  # its own database file, not the test database
        yield open_one
        for wrapper in opened:
            wrapper.close()


def begin(wrapper):
    wrapper.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def end(wrapper, how):
    getattr(wrapper, how)()
    wrapper.set_autocommit(True)


@pytest.mark.parametrize("how", ["commit", "rollback"])
def test_a_second_writer_begins_only_when_the_first_ends(open_database, how):
    first, second = open_database(), open_database()
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE t (v INTEGER)")
    events = []
    began = threading.Event()

    def write():
        begin(second)  # waits here for the lock file
        events.append("second began")
        with second.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (2)")
        end(second, "commit")
        began.set()

    begin(first)
    with first.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")
    thread = threading.Thread(target=write)
    thread.start()
    assert not began.wait(0.3)  # still queued behind the first
    events.append(f"first {how}")
    end(first, how)
    thread.join(10)

    assert events == [f"first {how}", "second began"]
    with first.cursor() as cursor:
        cursor.execute("SELECT v FROM t ORDER BY v")
        assert [row[0] for row in cursor.fetchall()] == ([1, 2] if how == "commit" else [2])
    assert first._write_lock is None and second._write_lock is None


def test_closing_a_connection_mid_transaction_lets_the_lock_go(open_database):
    first, second = open_database(), open_database()
    begin(first)
    assert first._write_lock is not None
    first.close()
    begin(second)  # would wait for ever if the lock were still held
    end(second, "commit")
    assert second._write_lock is None
