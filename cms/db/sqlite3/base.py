"""Django's SQLite backend, with writers queueing for the database instead of polling it.

SQLite lets one connection write at a time. With ``transaction_mode`` IMMEDIATE (cms/settings/base.py)
every transaction takes the write lock when it begins; a second process that wants it meanwhile is
told "busy" and SQLite's busy handler retries after sleeping 1, 2, 5, 10 ... up to 100 ms, so it
often sleeps long after the lock is free. Two web processes grading quizzes at once lost about a
third of their throughput to those sleeps, and one request in a hundred waited half a second
(docs/benchmarks.md).

This backend takes an exclusive ``flock`` on a file beside the database (``<database>.write-lock``)
before it begins such a transaction and lets it go when the transaction ends, so writers wait in
the kernel's queue and the next one starts the moment the last one commits. The database's own
locking is unchanged underneath: a write outside a transaction (autocommit) still takes SQLite's
lock as before, and a process that ignores the file is only as safe as SQLite makes it. An
in-memory database (the tests) has one connection and no file, so nothing is locked.
"""

import fcntl

from django.db.backends.sqlite3 import base

WRITE_MODES = {"IMMEDIATE", "EXCLUSIVE"}  # the modes that take SQLite's write lock at BEGIN


class DatabaseWrapper(base.DatabaseWrapper):
    _write_lock = None  # the open lock file while this connection holds it

    def _start_transaction_under_autocommit(self):
        if self.transaction_mode not in WRITE_MODES or self.is_in_memory_db():
            return super()._start_transaction_under_autocommit()
        lock = open(f"{self.settings_dict['NAME']}.write-lock", "a")  # noqa: SIM115 (held until the end)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            super()._start_transaction_under_autocommit()
        except BaseException:
            lock.close()  # closing the file lets the lock go
            raise
        self._write_lock = lock

    def _release_write_lock(self):
        lock, self._write_lock = self._write_lock, None
        if lock is not None:
            lock.close()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_write_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_write_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_write_lock()
