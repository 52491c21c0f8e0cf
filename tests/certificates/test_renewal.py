"""Renewal: a refresher quiz near expiry; passing again supersedes the old certificate and keeps it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certificates.models import Certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz_passed(enrolment, one_question_quiz, pass_quiz):
    pass_quiz(enrolment, one_question_quiz)
    return one_question_quiz


def test_renewal_opens_in_the_last_60_days_and_a_new_pass_supersedes(
    learner_client, enrolment, quiz_passed, pass_quiz
):
    old = Certificate.objects.get()
    renew = reverse("certificates:renew", args=[old.pk])

    too_early = learner_client.post(renew, follow=True)
    assert "You can renew it in the 60 days before then" in too_early.content.decode()
    Certificate.objects.filter(pk=old.pk).update(expires_on=timezone.localdate() + timedelta(days=30))
    page = learner_client.get(reverse("certificates:mine")).content.decode()
    assert renew in page

    response = learner_client.post(renew)
    assert response.url == quiz_passed.url
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None
    pass_quiz(enrolment, quiz_passed)

    old.refresh_from_db()
    new = Certificate.objects.get(status=Certificate.Status.VALID)
    assert old.status == Certificate.Status.SUPERSEDED
    assert old.superseded_by == new
    assert new.expires_on > old.expires_on
    verify = learner_client.get(reverse("certificates:verify_code", args=[old.code])).content.decode()
    assert new.code in verify


def test_renewing_someone_elses_certificate_is_404(client, quiz_passed):
    from tests.factories import UserFactory

    certificate = Certificate.objects.get()
    client.force_login(UserFactory())

    assert client.post(reverse("certificates:renew", args=[certificate.pk])).status_code == 404


def test_renew_needs_post(learner_client, quiz_passed):
    certificate = Certificate.objects.get()

    assert learner_client.get(reverse("certificates:renew", args=[certificate.pk])).status_code == 405
