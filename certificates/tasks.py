"""Background tasks (django-tasks): the daily reminder job, enqueued by send_certificate_reminders."""

import logging

from django_tasks import task

from providers.digest import send_manager_digests

from .reminders import send_expiry_reminders
from .services import erase_retained_certificates

logger = logging.getLogger(__name__)


@task()
def send_daily_reminders():
    """Learners' expiry reminders, the managers' weekly digests, then erasing the certificates of
    deleted accounts past their retention date. Each does its work once, so running it twice in a
    day is harmless. Returns the counts; fails (after trying both) if either
    job failed as a whole, so the scheduler or the worker records the failure."""
    jobs = {
        "certificate_reminders": send_expiry_reminders,
        "manager_digests": send_manager_digests,
        "erased_certificates": erase_retained_certificates,
    }
    counts, failed = {}, []
    for name, job in jobs.items():
        try:
            counts[name] = job()
        except Exception:  # noqa: BLE001 - the other job still runs
            logger.exception("The daily %s job failed", name.replace("_", " "))
            failed.append(name)
    if failed:
        raise RuntimeError(f"Daily reminder job failed: {', '.join(failed)} (counts so far: {counts})")
    return counts
