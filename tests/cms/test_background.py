"""Background jobs: email through the queue, retries with backoff, failures shown to platform staff,
and recovery from a worker that died mid-job (cms/background.py, cms/mail.py)."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from smtplib import SMTPServerDisconnected

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from cms.background import RETRY_DELAYS, recover_tasks, run_due_retries
from cms.models import TaskFailure
from cms.task_failures import task_failure_viewset
from tests.cms.background_jobs import write_two_groups

ROOT = Path(__file__).resolve().parents[2]
QUEUED = "cms.mail.QueuedEmailBackend"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class MailServerDown:
    """An email backend whose server is unreachable, as smtplib reports it."""

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


MAIL_SERVER_DOWN = f"{__name__}.MailServerDown"


@pytest.fixture
def queued_email(settings):
    settings.EMAIL_BACKEND = QUEUED
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


# --- Email through the queue -------------------------------------------------------------------


def test_a_queued_email_arrives_whole(queued_email, db):
    message = EmailMultiAlternatives(
        "Your certificate",
        "Plain text body",
        "Training <training@example.org>",
        ["learner@example.org"],
        cc=["manager@example.org"],
        bcc=["records@example.org"],
        reply_to=["help@example.org"],
        headers={"X-Course": "online-safety"},
    )
    message.attach_alternative("<p>HTML body</p>", "text/html")
    message.attach("certificate.pdf", b"%PDF-1.7 bytes", "application/pdf")
    message.send()

    [delivered] = mail.outbox
    assert delivered.subject == "Your certificate"
    assert delivered.body == "Plain text body"
    assert delivered.from_email == "Training <training@example.org>"
    assert (delivered.to, delivered.cc, delivered.bcc) == (
        ["learner@example.org"],
        ["manager@example.org"],
        ["records@example.org"],
    )
    assert delivered.reply_to == ["help@example.org"]
    assert delivered.extra_headers == {"X-Course": "online-safety"}
    assert delivered.alternatives[0][:2] == ("<p>HTML body</p>", "text/html")
    assert tuple(delivered.attachments[0]) == ("certificate.pdf", b"%PDF-1.7 bytes", "application/pdf")
    assert not TaskFailure.objects.exists()


def test_a_mail_server_failure_does_not_reach_the_sender_and_is_recorded(queued_email, db):
    queued_email.EMAIL_DELIVERY_BACKEND = MAIL_SERVER_DOWN
    before = timezone.now()

    assert send_mail("Invitation", "Join us", None, ["new.starter@example.org"]) == 1

    failure = TaskFailure.objects.get()
    assert failure.label == "Email to new.starter@example.org: Invitation"
    assert failure.attempts == 1
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in failure.error
    assert before + RETRY_DELAYS[0] <= failure.next_attempt_at <= timezone.now() + RETRY_DELAYS[0]
    assert failure.resolved_at is None
    assert mail.outbox == []


def test_a_long_email_that_fails_is_recorded_once(queued_email, db):
    """A digest can run to many kilobytes: its record is found by a digest of the job, which any
    database can index, not by the text itself."""
    queued_email.EMAIL_DELIVERY_BACKEND = MAIL_SERVER_DOWN
    body = "Staff due for renewal:\n" + "A long line about one member of staff.\n" * 2000

    send_mail("Weekly summary", body, None, ["manager@example.org"])
    run_due_retries(now=timezone.now() + timedelta(minutes=2))

    failure = TaskFailure.objects.get()
    assert failure.attempts == 2
    assert failure.arguments["args"][0]["body"] == body


def test_a_failed_email_is_retried_with_growing_waits_then_given_up(queued_email, db):
    queued_email.EMAIL_DELIVERY_BACKEND = MAIL_SERVER_DOWN
    send_mail("Reminder", "Your certificate expires soon", None, ["learner@example.org"])
    waits = []
    now = timezone.now()
    for _ in RETRY_DELAYS:
        failure = TaskFailure.objects.get()
        waits.append(failure.next_attempt_at - failure.last_failed_at)
        now = failure.next_attempt_at + timedelta(seconds=1)
        assert run_due_retries(now=failure.next_attempt_at - timedelta(seconds=1)) == 0  # not yet
        assert run_due_retries(now=now) == 1

    failure = TaskFailure.objects.get()
    assert waits == RETRY_DELAYS
    assert failure.attempts == len(RETRY_DELAYS) + 1
    assert failure.gave_up
    assert run_due_retries(now=now + timedelta(days=1)) == 0  # nothing automatic is left


def test_a_retry_that_succeeds_resolves_the_failure(queued_email, db):
    queued_email.EMAIL_DELIVERY_BACKEND = MAIL_SERVER_DOWN
    send_mail("Reminder", "Your certificate expires soon", None, ["learner@example.org"])
    queued_email.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # fixed

    assert run_due_retries(now=timezone.now() + timedelta(minutes=2)) == 1

    assert [m.subject for m in mail.outbox] == ["Reminder"]
    failure = TaskFailure.objects.get()
    assert failure.resolved_at is not None
    assert failure.next_attempt_at is None
    # A new failure of the same job later is a new record, not the resolved one reopened.
    queued_email.EMAIL_DELIVERY_BACKEND = MAIL_SERVER_DOWN
    send_mail("Reminder", "Your certificate expires soon", None, ["learner@example.org"])
    assert TaskFailure.objects.count() == 2


# The worker closes the database connection between jobs, as it should: these tests run outside
# the usual per-test transaction (transaction=True), which that would end.
@override_settings(TASKS=DATABASE_TASKS)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_the_database_backend_email_waits_for_a_worker_and_a_failure_queues_a_delayed_retry(
    queued_email,
):
    send_mail("Invitation", "Join us", None, ["new.starter@example.org"])
    assert mail.outbox == []  # stored for a worker, not sent by the web process
    assert DBTaskResult.objects.get().status == TaskResultStatus.READY

    queued_email.EMAIL_DELIVERY_BACKEND = MAIL_SERVER_DOWN
    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0)

    failure = TaskFailure.objects.get()
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.run_after == failure.next_attempt_at  # queued with the record, for its time
    assert run_due_retries(now=failure.next_attempt_at) == 0  # the worker will run it: not twice

    queued_email.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # its time has come
    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0)

    assert [m.to for m in mail.outbox] == [["new.starter@example.org"]]
    assert TaskFailure.objects.get().resolved_at is not None


# --- Jobs whose worker died ------------------------------------------------------------------------


def running_result(started_minutes_ago, workers=1):
    return DBTaskResult.objects.create(
        task_path=write_two_groups.module_path,
        args_kwargs={"args": ["stalled", "/nonexistent"], "kwargs": {}},
        backend_name="default",
        queue_name="default",
        run_after=get_date_max(),  # no time set: as soon as possible
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=started_minutes_ago),
        worker_ids=[f"worker-{n}" for n in range(workers)],
    )


@override_settings(TASKS=DATABASE_TASKS, TASK_STALLED_AFTER_MINUTES=30)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_job_whose_worker_died_is_queued_again_and_then_runs():
    stalled = running_result(started_minutes_ago=31)
    still_running = running_result(started_minutes_ago=5)

    assert recover_tasks() == {"requeued": 1, "given_up": 0, "retried": 0}

    stalled.refresh_from_db()
    still_running.refresh_from_db()
    assert stalled.status == TaskResultStatus.READY
    assert still_running.status == TaskResultStatus.RUNNING
    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0)
    stalled.refresh_from_db()
    assert stalled.status == TaskResultStatus.SUCCESSFUL
    assert set(Group.objects.filter(name__startswith="stalled").values_list("name", flat=True)) == {
        "stalled-first",
        "stalled-second",
    }


@override_settings(TASKS=DATABASE_TASKS, TASK_STALLED_AFTER_MINUTES=30)
def test_a_job_that_keeps_losing_its_worker_is_given_up_and_shown_to_staff(db):
    doomed = running_result(started_minutes_ago=31, workers=3)

    assert recover_tasks()["given_up"] == 1

    doomed.refresh_from_db()
    assert doomed.status == TaskResultStatus.FAILED
    failure = TaskFailure.objects.get()
    assert failure.gave_up
    assert failure.attempts == 3
    assert "stopped 3 times" in failure.error


def test_recover_tasks_command_reports_what_it_did(db, capsys):
    call_command("recover_tasks")

    assert "Queued again 0 stalled job(s); gave up on 0; retried 0 failed job(s)." in capsys.readouterr().out


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Needs a database a second process can open (the SQLite test database is in memory); "
    "CI runs it on PostgreSQL.",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killing_a_real_worker_mid_job_leaves_nothing_half_done_and_the_job_is_retried(tmp_path):
    """A db_worker process is killed (SIGKILL) between the job's two writes: neither is kept. After
    recover_tasks, a new worker runs the job from the start, and each row exists once."""
    pause = tmp_path / "pause"
    pause.touch()
    with override_settings(TASKS=DATABASE_TASKS):
        write_two_groups.enqueue("killed", str(pause))
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "TASK_BACKEND": "database",
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST'] or 'localhost'}"
            f":{database['PORT'] or 5432}/{database['NAME']}"
        ),
    }
    worker_command = [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload"]
    worker = subprocess.Popen(
        worker_command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        started = pause.with_suffix(".started")
        deadline = time.monotonic() + 60
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert started.exists(), "the worker never started the job"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()

    assert not Group.objects.filter(name__startswith="killed").exists()  # the first write rolled back
    assert DBTaskResult.objects.get().status == TaskResultStatus.RUNNING  # as the dead worker left it

    pause.unlink()
    with override_settings(TASKS=DATABASE_TASKS, TASK_STALLED_AFTER_MINUTES=0):
        assert recover_tasks()["requeued"] == 1
    subprocess.run(
        [*worker_command, "--batch"], cwd=ROOT, env=env, check=True, timeout=120, capture_output=True
    )

    result = DBTaskResult.objects.get()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert len(result.worker_ids) == 2
    assert sorted(Group.objects.filter(name__startswith="killed").values_list("name", flat=True)) == [
        "killed-first",
        "killed-second",
    ]


# --- What platform staff see -----------------------------------------------------------------------


@pytest.fixture
def failed_email(queued_email, db):
    queued_email.EMAIL_DELIVERY_BACKEND = MAIL_SERVER_DOWN
    send_mail("Weekly summary", "Three staff are due", None, ["manager@example.org"])
    return TaskFailure.objects.get()


def test_platform_staff_see_failed_jobs_on_the_admin_home_and_in_the_list(staff_client, failed_email):
    home = BeautifulSoup(staff_client.get(reverse("wagtailadmin_home")).content, "html.parser")
    panel = home.select_one("#failed-background-jobs-section")
    assert panel is not None
    assert "Email to manager@example.org: Weekly summary" in panel.get_text()
    assert "Will retry" in panel.get_text()

    listing = staff_client.get(reverse(task_failure_viewset.get_url_name("index")))
    assert listing.status_code == 200
    assert "Email to manager@example.org: Weekly summary" in listing.content.decode()

    inspect = staff_client.get(reverse(task_failure_viewset.get_url_name("inspect"), args=[failed_email.pk]))
    assert "SMTPServerDisconnected" in inspect.content.decode()
    assert (
        reverse(task_failure_viewset.get_url_name("retry"), args=[failed_email.pk])
        in inspect.content.decode()
    )


def test_retry_now_runs_the_job_again(staff_client, failed_email, queued_email):
    url = reverse(task_failure_viewset.get_url_name("retry"), args=[failed_email.pk])
    assert "Yes, retry now" in staff_client.get(url).content.decode()

    response = staff_client.post(url, follow=True)  # still failing: recorded, not resolved
    assert "failed again" in response.content.decode()
    failed_email.refresh_from_db()
    assert failed_email.attempts == 2

    queued_email.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = staff_client.post(url, follow=True)
    assert "done" in response.content.decode()
    failed_email.refresh_from_db()
    assert failed_email.resolved_at is not None
    assert [m.subject for m in mail.outbox] == ["Weekly summary"]


def test_trainers_cannot_see_or_retry_failed_jobs(trainer_client, failed_email):
    for name, args in [("index", []), ("inspect", [failed_email.pk]), ("retry", [failed_email.pk])]:
        url = reverse(task_failure_viewset.get_url_name(name), args=args)
        assert trainer_client.get(url).status_code in {302, 403}, name
    assert trainer_client.post(reverse(task_failure_viewset.get_url_name("retry"), args=[failed_email.pk]))
    failed_email.refresh_from_db()
    assert failed_email.attempts == 1
    home = BeautifulSoup(trainer_client.get(reverse("wagtailadmin_home")).content, "html.parser")
    assert home.select_one("#failed-background-jobs-section") is None


def test_nobody_can_add_edit_or_delete_a_failure_record(staff_client, failed_email):
    for name, args in [("add", []), ("edit", [failed_email.pk]), ("delete", [failed_email.pk])]:
        url = reverse(task_failure_viewset.get_url_name(name), args=args)
        assert staff_client.get(url).status_code in {302, 403}, name
        assert staff_client.post(url, {"label": "changed"}).status_code in {302, 403}, name
    failed_email.refresh_from_db()
    assert failed_email.label == "Email to manager@example.org: Weekly summary"
