"""Background tasks (django-tasks): storing a new certificate's PDF, and the daily reminder job
enqueued by send_certificate_reminders."""

import logging

from django_tasks import task

from cms.background import retried_task
from providers.digest import send_manager_digests

from .models import Certificate
from .pdf import stored_pdf
from .reminders import send_expiry_reminders
from .services import erase_retained_certificates

logger = logging.getLogger(__name__)


@retried_task(lambda certificate_id: f"Certificate PDF {certificate_id}")
def store_certificate_pdf(certificate_id):
    """Render and store a new certificate's PDF so its first download is instant. A certificate
    erased or whose file exists already needs nothing; a download before this runs renders it."""
    certificate = Certificate.objects.filter(pk=certificate_id, learner__isnull=False).first()
    if certificate is not None:
        stored_pdf(certificate)


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
