"""Background jobs that recover from failure.

`retried_task` makes a django-tasks task that, when it fails, records a `TaskFailure` (what failed,
the error, how many times) and queues itself again after a growing delay; when it later succeeds
the failure is marked resolved. Platform staff see open failures in the admin and can retry one.

`recover_tasks` (run by `manage.py recover_tasks` every few minutes) puts back in the queue a job
whose worker died mid-run (killed, out of memory, machine gone), and, on a backend that cannot
delay a job (the immediate one), runs the retries that are due. A job's own database writes are in
a transaction, so a worker that dies mid-job leaves nothing half-done, and every job here is safe to
run twice.
"""

import functools
import hashlib
import json
import logging
import traceback
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task, task_backends
from django_tasks.utils import normalize_json

logger = logging.getLogger(__name__)

# The waits before each retry: about 11 hours from the first failure to the last try.
RETRY_DELAYS = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=8),
]
# A job whose worker was lost this many times is not queued again: it is recorded as failed.
MAX_WORKER_LOSSES = 3


def retried_task(describe, *, delays=RETRY_DELAYS):
    """Decorator for a module-level function: a task that retries with backoff.

    `describe(*args, **kwargs)` names the job for platform staff ("Email to ...")."""

    def decorate(func):
        @functools.wraps(func)
        def run(*args, **kwargs):
            try:
                result = func(*args, **kwargs)
            except Exception as error:
                record_failure(job, describe(*args, **kwargs), args, kwargs, error, delays)
                raise
            resolve_failure(job, args, kwargs)
            return result

        job = task()(run)
        return job

    return decorate


def enqueue_with_transaction(job, *args, **kwargs):
    """Queue a job for the change being made now. On the database backend the job is stored in the
    current transaction (both happen or neither); a backend that runs it at once waits for the
    commit, so the job sees the change."""
    from django_tasks_db import DatabaseBackend

    if isinstance(task_backends[job.backend], DatabaseBackend):
        job.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(functools.partial(job.enqueue, *args, **kwargs))


def job_arguments(args, kwargs):
    return normalize_json({"args": list(args), "kwargs": kwargs})


def job_key(task_path, arguments):
    """Which job this is: the task and its arguments, digested."""
    text = json.dumps([task_path, arguments], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def backend_can_delay(job):
    return task_backends[job.backend].supports_defer


def describe_error(error):
    """The exception and the last lines of its traceback: enough to act on, short enough to read."""
    lines = traceback.format_exception(error)
    return "".join(lines[-4:])[-4000:]


def record_failure(job, label, args, kwargs, error, delays):
    from .models import TaskFailure

    now = timezone.now()
    arguments = job_arguments(args, kwargs)
    logger.warning("Background job failed: %s: %s", label, error)
    with transaction.atomic():
        failure, _ = TaskFailure.objects.select_for_update().get_or_create(
            job_key=job_key(job.module_path, arguments),
            resolved_at=None,
            defaults={
                "task_path": job.module_path,
                "arguments": arguments,
                "label": label[:120],
                "first_failed_at": now,
            },
        )
        failure.attempts += 1
        failure.error = describe_error(error)
        failure.last_failed_at = now
        retry = failure.attempts <= len(delays)
        failure.next_attempt_at = now + delays[failure.attempts - 1] if retry else None
        failure.save()
        if retry and backend_can_delay(job):
            # Queued in the same transaction as the record: both happen or neither.
            job.using(run_after=failure.next_attempt_at).enqueue(*args, **kwargs)
    if not retry:
        logger.error("Background job gave up after %s attempts: %s", failure.attempts, label)


def resolve_failure(job, args, kwargs):
    from .models import TaskFailure

    TaskFailure.objects.filter(
        job_key=job_key(job.module_path, job_arguments(args, kwargs)), resolved_at=None
    ).update(resolved_at=timezone.now(), next_attempt_at=None)


def load_job(failure):
    from django.utils.module_loading import import_string

    return import_string(failure.task_path)


def retry_now(failure):
    """Run a failed job again now (a platform staff action). Returns the task result."""
    job = load_job(failure)
    arguments = failure.arguments
    return job.enqueue(*arguments["args"], **arguments["kwargs"])


def run_due_retries(now=None):
    """Retries whose time has come, on a backend that cannot hold a job until then. Returns how many."""
    from .models import TaskFailure

    now = now or timezone.now()
    started = 0
    for failure in TaskFailure.objects.filter(resolved_at__isnull=True, next_attempt_at__lte=now):
        job = load_job(failure)
        if backend_can_delay(job):
            continue  # the retry is already queued for its time
        retry_now(failure)
        started += 1
    return started


def requeue_stalled_tasks(now=None):
    """Jobs the database backend still marks running long after they started: their worker is gone.

    Each goes back in the queue (the next worker runs it from the start); one that has lost its
    worker MAX_WORKER_LOSSES times is marked failed and recorded for platform staff instead.
    Returns (requeued, given up)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from .models import TaskFailure

    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.TASK_STALLED_AFTER_MINUTES)
    requeued = given_up = 0
    with transaction.atomic():
        stalled = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING, started_at__lt=cutoff
        )
        for result in stalled:
            if len(result.worker_ids) >= MAX_WORKER_LOSSES:
                result.status = TaskResultStatus.FAILED
                result.finished_at = now
                result.exception_class_path = "cms.background.WorkerLost"
                result.traceback = f"The worker running this job stopped {len(result.worker_ids)} times."
                result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                TaskFailure.objects.get_or_create(
                    job_key=job_key(result.task_path, result.args_kwargs),
                    resolved_at=None,
                    defaults={
                        "task_path": result.task_path,
                        "arguments": result.args_kwargs,
                        "label": result.task_path.rsplit(".", 1)[-1].replace("_", " ").capitalize(),
                        "attempts": len(result.worker_ids),
                        "error": result.traceback,
                        "next_attempt_at": None,
                    },
                )
                given_up += 1
            else:
                result.status = TaskResultStatus.READY
                result.started_at = None
                result.save(update_fields=["status", "started_at"])
                requeued += 1
    if requeued or given_up:
        logger.warning("Stalled background jobs: %s queued again, %s given up", requeued, given_up)
    return requeued, given_up


def recover_tasks():
    """Everything `manage.py recover_tasks` does. Returns the counts."""
    from django_tasks_db import DatabaseBackend

    requeued = given_up = 0
    if any(isinstance(backend, DatabaseBackend) for backend in task_backends.all()):
        requeued, given_up = requeue_stalled_tasks()
    return {"requeued": requeued, "given_up": given_up, "retried": run_due_retries()}
