"""A person's own data (UK GDPR): everything we hold about them, as JSON, and deleting their account.

Deleting removes the account and everything tied to it (enrolments, progress, quiz attempts,
memberships, seats, share links) but keeps the certificates already issued, as their frozen
snapshot, without the account: employers and inspectors may need to check them. The daily job
(certificates.tasks) erases them once ``retain_until`` has passed (CertificateSettings.retention_months
after the deletion). templates/privacy.html says so to learners.
"""

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from certificates.models import Certificate, CertificateSettings, ShareLink
from certificates.services import add_months
from courses.models import Enrolment, LessonProgress
from providers.models import Invitation, Membership, SeatAssignment
from quizzes.models import Attempt


class AccountError(Exception):
    """Why an account cannot be deleted yet, in words the person can act on."""


def _date(value):
    return value.isoformat() if value else None


def export_personal_data(user):
    """Everything we hold about ``user``, as plain JSON-ready data."""
    enrolments = Enrolment.objects.filter(learner=user).select_related("module").order_by("created_at")
    progress = LessonProgress.objects.filter(enrolment__learner=user).select_related(
        "lesson", "enrolment__module"
    )
    attempts = Attempt.objects.filter(enrolment__learner=user).select_related("quiz").order_by("started_at")
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "name_on_certificates": user.certificate_name,
            "joined": _date(user.date_joined),
            "last_signed_in": _date(user.last_login),
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "organisations": [
            {"organisation": membership.provider.name, "role": membership.get_role_display()}
            for membership in Membership.objects.filter(user=user).select_related("provider")
        ],
        "seats": [
            {
                "organisation": seat.provider.name,
                "module": seat.module.title,
                "assigned": _date(seat.assigned_at),
            }
            for seat in SeatAssignment.objects.filter(user=user).select_related("provider", "module")
        ],
        "enrolments": [
            {
                "module": enrolment.module.title,
                "source": enrolment.get_source_display(),
                "enrolled": _date(enrolment.created_at),
                "started": _date(enrolment.started_at),
                "completed": _date(enrolment.completed_at),
                "due": _date(enrolment.due_date),
            }
            for enrolment in enrolments
        ],
        "lesson_progress": [
            {
                "module": row.enrolment.module.title,
                "lesson": row.lesson.title,
                "first_opened": _date(row.first_opened_at),
                "completed": _date(row.completed_at),
                "time_spent_seconds": int(row.time_spent.total_seconds()),
            }
            for row in progress
        ],
        "quiz_attempts": [
            {
                "quiz": attempt.quiz.title,
                "number": attempt.number,
                "status": attempt.get_status_display(),
                "started": _date(attempt.started_at),
                "submitted": _date(attempt.submitted_at),
                "score_percent": attempt.score,
                "passed": attempt.passed,
            }
            for attempt in attempts
        ],
        "certificates": [
            {
                "code": certificate.code,
                "status": certificate.get_status_display(),
                "issued": _date(certificate.issued_at),
                "expires": _date(certificate.expires_on),
                "what_it_says": certificate.snapshot,
            }
            for certificate in Certificate.objects.filter(learner=user).order_by("issued_at")
        ],
        "record_links": [
            {
                "created": _date(link.created_at),
                "expires": _date(link.expires_at),
                "withdrawn": _date(link.revoked_at),
            }
            for link in ShareLink.objects.filter(learner=user).order_by("created_at")
        ],
        "invitations_received": [
            {"organisation": invitation.provider.name, "sent": _date(invitation.created_at)}
            for invitation in Invitation.objects.filter(email__iexact=user.email).select_related("provider")
        ],
    }


def delete_account(user, *, today=None):
    """Delete ``user`` and what is tied to it; keep their certificates' snapshots for the retention
    period. Refused, changing nothing, while they are the only owner of an organisation."""
    today = today or timezone.localdate()
    with transaction.atomic():
        for membership in Membership.objects.filter(user=user, role=Membership.Role.OWNER).select_related(
            "provider"
        ):
            other_owners = Membership.objects.filter(provider=membership.provider, role=Membership.Role.OWNER)
            if not other_owners.exclude(user=user).exists():
                raise AccountError(
                    f"You are the only owner of {membership.provider.name}. Make another manager an owner "
                    "first (Organisation settings), then delete your account."
                )
        retain_until = add_months(today, CertificateSettings.load().retention_months)
        certificates = list(Certificate.objects.select_for_update().filter(learner=user))
        for certificate in certificates:
            log(
                certificate, "certificates.retain", user=None, data={"retain_until": retain_until.isoformat()}
            )
        Certificate.objects.filter(pk__in=[c.pk for c in certificates]).update(
            learner=None, enrolment=None, attempt=None, retain_until=retain_until
        )
        Invitation.objects.filter(email__iexact=user.email).delete()
        user.delete()
    return len(certificates)
