"""Two passes at the same moment still leave exactly one valid certificate (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from certificates.models import Certificate
from certificates.services import issue_certificate
from courses.models import Enrolment

pytestmark = [
    # serialized_rollback: tests that flush the database (the browser tests) may run first, and
    # the page tree needs the root page, site and locale that the migrations created.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL; CI runs it there"),
]


def test_concurrent_passes_issue_one_valid_certificate(enrolment):
    barrier = threading.Barrier(2)
    errors = []

    def issue():
        try:
            barrier.wait(timeout=10)
            issue_certificate(Enrolment.objects.select_related("module", "learner").get(pk=enrolment.pk))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert Certificate.objects.filter(learner=enrolment.learner, status=Certificate.Status.VALID).count() == 1
