"""Expiry reminders: safe to run every day, and twice in a day. Each reminder is sent once."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Certificate, Reminder

logger = logging.getLogger(__name__)

# Which reminder is due, by days left until expiry: the first window that matches. A day the job
# did not run is caught up the next day; a reminder already sent is never sent again.
WINDOWS = [
    (Reminder.Kind.EXPIRED, -6, 0),
    (Reminder.Kind.DAYS_7, 1, 7),
    (Reminder.Kind.DAYS_30, 8, 30),
]


def due_kind(days_left):
    return next((kind for kind, low, high in WINDOWS if low <= days_left <= high), None)


def send_expiry_reminders(today=None):
    """Email learners whose valid certificates expire soon (or today). Returns how many were sent."""
    today = today or timezone.localdate()
    # Certificates expiring soon, and those of learners whose provider asks for earlier renewal.
    candidates = (
        Certificate.objects.filter(
            status=Certificate.Status.VALID, learner__isnull=False, expires_on__gte=today - timedelta(days=6)
        )
        .with_provider_renewal()
        .filter(Q(expires_on__lte=today + timedelta(days=30)) | Q(provider_renewal_months__isnull=False))
        .select_related("learner")
        .prefetch_related("reminders")
    )
    sent = 0
    for certificate in candidates:
        kind = due_kind((certificate.renew_by - today).days)
        if kind is None or any(r.kind == kind for r in certificate.reminders.all()):
            continue
        try:
            with transaction.atomic():
                Reminder.objects.create(certificate=certificate, kind=kind)
                # The email is queued (cms/mail.py) with the record: if queueing fails, both roll back.
                send_reminder(certificate, kind)
        except IntegrityError:
            continue  # another run sent it first
        except Exception:  # noqa: BLE001 - one failed email must not stop the others
            logger.exception("Could not send the %s reminder for certificate %s", kind, certificate.code)
            continue
        sent += 1
    return sent


def send_reminder(certificate, kind):
    context = {
        "certificate": certificate,
        "kind": kind,
        "name": certificate.snapshot.get("name", ""),
        "module": certificate.snapshot.get("module", ""),
        "renew_by": certificate.renew_by,
        "my_certificates_url": settings.SITE_URL.rstrip("/") + reverse("certificates:mine"),
    }
    subject = {
        Reminder.Kind.DAYS_30: "Your {module} certificate expires in 30 days",
        Reminder.Kind.DAYS_7: "Your {module} certificate expires in 7 days",
        Reminder.Kind.EXPIRED: "Your {module} certificate has expired",
    }[kind]
    if certificate.renew_by < certificate.expires_on:  # a provider asks for renewal before expiry
        subject = {
            Reminder.Kind.DAYS_30: "Your {module} training is due for renewal in 30 days",
            Reminder.Kind.DAYS_7: "Your {module} training is due for renewal in 7 days",
            Reminder.Kind.EXPIRED: "Your {module} training is due for renewal now",
        }[kind]
    subject = subject.format(module=context["module"])
    body = render_to_string("emails/certificate_expiry.txt", context)
    send_mail(subject, body, None, [certificate.learner.email])
