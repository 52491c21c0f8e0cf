"""Issuing certificates. Called when a learner passes a module (courses.services.on_module_passed)."""

import calendar
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.log_actions import log

from cms.audit import log_known
from cms.background import enqueue_with_transaction
from cms.page_cache import cached_content
from courses.access import PROGRESS_ROWS
from providers.models import SeatAssignment

from .models import Certificate, CertificateSettings


def add_months(day, months):
    """The same day ``months`` later, or the month's last day (31 January + 1 month = 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def signatory_settings():
    """Who signs the certificates (site settings), from the content cache: saving the settings
    makes a new content version, so the copy is never stale."""
    return cached_content("certificate-settings", compute=CertificateSettings.load)


def read_snapshot_inputs(enrolment):
    """What the certificate will say about the learner, the module and who paid, read now: the
    parts of ``certificate_snapshot`` that need no lock. A quiz submission reads them before its
    transaction begins (quizzes.services.submit_form), so the database's one writer is not kept
    waiting for them. ``enrolment`` has its learner and module loaded."""
    module = enrolment.module
    course = module.course
    learner = enrolment.learner
    signatory = signatory_settings()
    seat = SeatAssignment.objects.filter(user=learner, module=module).select_related("provider").first()
    # The lesson pages' prepared query (courses.access): compiled once, not on every submission.
    time_spent = sum((row.time_spent for row in PROGRESS_ROWS(enrolment=enrolment.pk)), start=timedelta())
    return {
        "name": learner.certificate_name or learner.get_full_name() or learner.email,
        "module": module.title,
        "course": course.title if course else "",
        "revision": module.live_revision_id,
        "cpd_hours": str(module.cpd_hours),
        "learning_minutes": int(time_spent.total_seconds() // 60),
        "provider": seat.provider.name if seat else "",  # the newest seat's, if a provider paid
        "issuer": signatory.issuer,
        "signatory_name": signatory.signatory_name,
        "signatory_role": signatory.signatory_role,
    }


def certificate_snapshot(enrolment, attempt, issued_at, expires_on, *, inputs=None):
    """Everything the certificate says, frozen now: later edits to names or pages change nothing.
    ``inputs`` is what ``read_snapshot_inputs(enrolment)`` returned a moment ago, if the caller has it."""
    return {
        **(inputs if inputs is not None else read_snapshot_inputs(enrolment)),
        "score": attempt.score if attempt else None,
        "issued_on": issued_at.date().isoformat(),
        "expires_on": expires_on.isoformat(),
    }


def issue_certificate(enrolment, *, attempt=None, now=None, snapshot_inputs=None):
    """The learner's certificate for this pass. Issuing twice for the same pass returns the same one;
    an earlier valid certificate for the module is marked superseded and kept.

    ``snapshot_inputs`` is what ``read_snapshot_inputs(enrolment)`` returned just before the caller's
    transaction began (a quiz submission): otherwise they are read here. Runs in the caller's
    transaction, if there is one: only the insert has a savepoint, so that a certificate a concurrent
    pass issued first can be returned instead; any other error rolls the whole change back."""
    now = now or timezone.now()
    module = enrolment.module
    expires_on = add_months(timezone.localdate(now), module.certificate_valid_months)
    with transaction.atomic(savepoint=False):
        # This pass's certificate, if it was issued already, and the learner's valid one (at most
        # one, by the database's constraint), locked: one query.
        wanted = Q(learner=enrolment.learner, module=module, status=Certificate.Status.VALID)
        if attempt is not None:
            wanted |= Q(attempt=attempt)
        previous = list(Certificate.objects.select_for_update().filter(wanted).order_by())
        if attempt is not None:
            existing = next((c for c in previous if c.attempt_id == attempt.pk), None)
            if existing:
                return existing
        if previous:  # a renewal: the learner's valid certificate
            Certificate.objects.filter(pk__in=[c.pk for c in previous]).update(
                status=Certificate.Status.SUPERSEDED
            )
        certificate = Certificate(
            learner=enrolment.learner,
            module=module,
            enrolment=enrolment,
            attempt=attempt,
            snapshot=certificate_snapshot(
                enrolment, attempt, timezone.localtime(now), expires_on, inputs=snapshot_inputs
            ),
            issued_at=now,
            expires_on=expires_on,
        )
        try:
            with transaction.atomic():
                certificate.save(force_insert=True)
        except IntegrityError:
            # A concurrent pass issued it first: the database allows one valid certificate.
            return Certificate.objects.get(
                learner=enrolment.learner, module=module, status=Certificate.Status.VALID
            )
        if previous:
            Certificate.objects.filter(pk__in=[c.pk for c in previous]).update(superseded_by=certificate)
        log_known(certificate, "certificates.issue", user=enrolment.learner, data={"code": certificate.code})
        from .tasks import store_certificate_pdf  # the tasks module imports this one

        enqueue_with_transaction(store_certificate_pdf, str(certificate.pk))
        for old in previous:
            log_known(
                old,
                "certificates.supersede",
                user=enrolment.learner,
                data={"code": old.code, "superseded_by": certificate.code},
            )
    return certificate


class CertificateError(Exception):
    """A change to a certificate that cannot be made; the message says why."""


def revoke_certificate(certificate, *, reason, actor):
    """Staff withdraw a certificate, with a reason kept in the audit log. Revoking twice is refused."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise CertificateError("Give a reason for revoking the certificate.")
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.status == Certificate.Status.REVOKED:
            raise CertificateError("This certificate is already revoked.")
        locked.status = Certificate.Status.REVOKED
        locked.revoked_reason = reason
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["status", "revoked_reason", "revoked_at"])
        log(locked, "certificates.revoke", user=actor, data={"reason": reason, "code": locked.code})
    return locked


def erase_retained_certificates(today=None):
    """Erase the certificates of deleted accounts whose retention period has passed (the daily job).
    Returns how many were erased; running it twice erases nothing more."""
    today = today or timezone.localdate()
    erased = 0
    for certificate in Certificate.objects.filter(learner__isnull=True, retain_until__lt=today):
        with transaction.atomic():
            log(certificate, "certificates.erase", user=None, data={"code": certificate.code})
            if certificate.pdf:
                certificate.pdf.delete(save=False)
            certificate.delete()
        erased += 1
    return erased
