"""Scale-out: two gunicorn processes and two task workers on one PostgreSQL database, with 200
learners going from sign-in through every lesson and the quiz to a certificate at the same time.

scripts/scale_out.py does the work against its own throwaway database on the test database's server
(never pytest-django's database) and drops it at the end; this test checks what came out. It runs
only on PostgreSQL (CI's second run). With SCALE_OUT_REDIS_URL (CI starts a throwaway Redis) the
processes share a real Redis cache, as in production; without it each has its own memory cache.
SCALE_OUT_LEARNERS changes the number of learners (default 200)."""

import importlib.util
import os
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent
LEARNERS = int(os.environ.get("SCALE_OUT_LEARNERS", "200"))
DOUBLE_CLICKERS = min(20, LEARNERS)
DATABASE = settings.DATABASES["default"]

pytestmark = pytest.mark.skipif(
    DATABASE["ENGINE"] != "django.db.backends.postgresql",
    reason="the scale-out test needs PostgreSQL (it creates its own database on the server): "
    "run it with DATABASE_URL=postgres://..., as CI's PostgreSQL run does",
)


def load_driver():
    spec = importlib.util.spec_from_file_location("scale_out", BASE_DIR / "scripts" / "scale_out.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def server_url():
    """The test database's server, as a URL; the driver makes and drops its own database there."""
    credentials = quote(DATABASE["USER"] or "", safe="")
    if DATABASE["PASSWORD"]:
        credentials += ":" + quote(DATABASE["PASSWORD"], safe="")
    host = DATABASE["HOST"] or "localhost"
    port = f":{DATABASE['PORT']}" if DATABASE["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/postgres"


def redis_url():
    url = os.environ.get("SCALE_OUT_REDIS_URL", "")
    if url:
        import redis

        try:
            redis.Redis.from_url(url, socket_connect_timeout=3).ping()
        except redis.RedisError as error:
            pytest.fail(f"SCALE_OUT_REDIS_URL={url} does not answer: {error}")
    return url


def test_two_web_processes_and_two_workers_issue_every_certificate_exactly_once():
    driver = load_driver()
    cache = redis_url()
    if not cache:
        print(
            "\nNote: SCALE_OUT_REDIS_URL is not set, so each process has its own locmemcache:// "
            "(sessions still cross processes through the database; rate limits are per process)."
        )
    run = driver.Run(server_url(), learners=LEARNERS, double_clickers=DOUBLE_CLICKERS, redis_url=cache)
    run.execute()
    print("\n" + run.report())
    traffic, facts = run.traffic, run.facts
    try:
        assert traffic.server_errors == [], f"5xx responses: {traffic.server_errors[:10]}"
        assert traffic.connection_errors == [], f"connection errors: {traffic.connection_errors[:10]}"
        assert traffic.learner_errors == [], f"learners who could not finish: {traffic.learner_errors[:10]}"
        assert sorted(traffic.passed) == sorted(run.plan["learners"])
        assert len(traffic.double_clicks) == DOUBLE_CLICKERS

        # Each gunicorn process served a share of the requests: sessions crossed processes.
        assert len(run.ports) == 2
        assert all(traffic.by_port[port] > LEARNERS for port in run.ports), dict(traffic.by_port)

        # One valid certificate per learner, issued once (one audit entry), with its PDF stored by
        # a worker; every learner has one graded attempt with one response per question, double
        # clicks included.
        learners = facts["learners"]
        assert sorted(learners) == sorted(run.plan["learners"])
        for email, rows in learners.items():
            statuses = [c["status"] for c in rows["certificates"]]
            assert statuses == ["valid"], f"{email} has certificates {statuses}"
            assert rows["certificates"][0]["issue_log_entries"] == 1, email
            attempts = [(a["number"], a["status"], a["passed"], a["score"]) for a in rows["attempts"]]
            assert attempts == [(1, "submitted", True, 100)], f"{email}: {attempts}"
            assert rows["attempts"][0]["responses"] == rows["attempts"][0]["questions"], email
        assert all(c["pdf_head"] == "%PDF-" for c in facts["certificates"]), [
            (c["code"], c["pdf"]) for c in facts["certificates"] if c["pdf_head"] != "%PDF-"
        ]

        # The queue was emptied and every job succeeded: one PDF job per new certificate.
        assert facts["unfinished_tasks"] == []
        assert facts["failed_tasks"] == []
        assert facts["task_failures"] == []
        assert set(facts["task_statuses"]) == {"SUCCESSFUL"}, facts["task_statuses"]
        assert facts["tasks_by_path"]["certificates.tasks.store_certificate_pdf"] == LEARNERS
        assert run.errors_in_logs() == {}, f"tracebacks in the logs: {run.errors_in_logs()}"
    except AssertionError:
        print(run.describe_logs())
        raise
