"""A new certificate's PDF is rendered and stored by a background job; a rendering failure is
retried and shown to platform staff (certificates/tasks.py, cms/background.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from certificates.models import Certificate
from cms.background import run_due_retries
from cms.models import TaskFailure
from courses.services import complete_lesson

pytestmark = pytest.mark.django_db


def finish_module(enrolment, make_lesson, capture):
    """The learner finishes a module's only lesson (no quiz), committing: its certificate is issued."""
    lesson = make_lesson()
    with capture(execute=True):
        complete_lesson(enrolment, lesson)
    return Certificate.objects.get(enrolment=enrolment)


def test_a_new_certificates_pdf_is_stored_once_the_pass_is_committed(
    enrolment, make_lesson, django_capture_on_commit_callbacks
):
    certificate = finish_module(enrolment, make_lesson, django_capture_on_commit_callbacks)

    certificate.refresh_from_db()
    assert certificate.pdf.name.startswith(f"certificates/{certificate.code}")
    with certificate.pdf.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"
    assert not TaskFailure.objects.exists()


def test_a_rendering_failure_is_recorded_retried_and_resolved(
    enrolment, make_lesson, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(certificate):
        raise OSError("No space left on device")

    monkeypatch.setattr("certificates.pdf.render_certificate_pdf", broken)
    certificate = finish_module(enrolment, make_lesson, django_capture_on_commit_callbacks)

    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID  # the pass and certificate stand
    assert not certificate.pdf
    failure = TaskFailure.objects.get()
    assert failure.label == f"Certificate PDF {certificate.pk}"
    assert "OSError: No space left on device" in failure.error

    monkeypatch.undo()
    assert run_due_retries(now=timezone.now() + timedelta(minutes=2)) == 1

    certificate.refresh_from_db()
    assert certificate.pdf
    failure.refresh_from_db()
    assert failure.resolved_at is not None
