"""A learner's own data: download it all as JSON, delete the account, and certificates kept for the
retention period then erased by the daily job."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certificates.models import Certificate, CertificateSettings
from certificates.services import add_months, erase_retained_certificates
from courses.models import Enrolment, LessonPage, LessonProgress
from courses.services import complete_lesson, enrol
from providers.models import Membership, Provider
from tests.factories import UserFactory
from users.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-and-private-passphrase"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def person(module_page, make_lesson):
    """A learner who finished a one-lesson module (so holds a certificate) and belongs to a nursery."""
    user = UserFactory(email="pat.person@example.com", certificate_name="Pat Person")
    user.set_password(PASSWORD)
    user.save()
    enrolment = enrol(user, module_page, source=Enrolment.Source.DEMO)
    complete_lesson(enrolment, make_lesson(title="Reporting a concern"))
    provider = Provider.objects.create(
        name="Little Acorns Nursery", kind="nursery", billing_name="Ann", billing_email="a@acorns.example"
    )
    Membership.objects.create(provider=provider, user=user, role=Membership.Role.LEARNER)
    return user


@pytest.fixture
def someone_else(person, module_page):
    """Another learner who passed the same module."""
    other = UserFactory(email="sam.other@example.com", certificate_name="Sam Other")
    complete_lesson(enrol(other, module_page, source=Enrolment.Source.DEMO), LessonPage.objects.get())
    return other


def test_download_holds_everything_about_the_person_and_nothing_about_anyone_else(person, someone_else):
    response = signed_in(person).get(reverse("your_data") + "?download=1")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="my-training-data-')
    data = json.loads(response.content)
    assert data["account"]["email"] == "pat.person@example.com"
    assert data["account"]["name_on_certificates"] == "Pat Person"
    assert data["organisations"] == [{"organisation": "Little Acorns Nursery", "role": "Staff member"}]
    assert [row["module"] for row in data["enrolments"]] == ["Online safety"]
    assert [row["lesson"] for row in data["lesson_progress"]] == ["Reporting a concern"]
    mine = Certificate.objects.get(learner=person)
    assert [row["code"] for row in data["certificates"]] == [mine.code]
    text = response.content.decode()
    assert "sam.other@example.com" not in text and "Sam Other" not in text
    assert Certificate.objects.get(learner=someone_else).code not in text


def test_your_data_pages_need_a_sign_in(client):
    for name in ["your_data", "delete_account"]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_a_wrong_password_deletes_nothing(person):
    response = signed_in(person).post(reverse("delete_account"), {"password": "not it"})

    assert response.status_code == 400
    assert "That is not your password" in response.content.decode()
    assert User.objects.filter(pk=person.pk).exists()
    assert Certificate.objects.get(learner=person).retain_until is None


def test_deleting_removes_the_account_and_keeps_certificates_for_the_retention_period(person, someone_else):
    certificate = Certificate.objects.get(learner=person)
    client = signed_in(person)

    response = client.post(reverse("delete_account"), {"password": PASSWORD}, follow=True)

    assert response.status_code == 200
    assert "Your account is deleted" in response.content.decode()
    assert not User.objects.filter(pk=person.pk).exists()
    assert not Enrolment.objects.filter(learner_id=person.pk).exists()
    assert not LessonProgress.objects.filter(enrolment__learner_id=person.pk).exists()
    assert not Membership.objects.filter(user_id=person.pk).exists()
    certificate.refresh_from_db()
    assert certificate.learner is None
    assert certificate.retain_until == add_months(timezone.localdate(), 72)
    assert certificate.snapshot["name"] == "Pat Person"  # what the certificate says is kept
    verify = client.get(reverse("certificates:verify_code", args=[certificate.code]))
    assert verify.status_code == 200 and "Pat Person" in verify.content.decode()
    assert client.get(reverse("your_data")).status_code == 302  # signed out
    assert Certificate.objects.get(learner=someone_else).retain_until is None


def test_the_only_owner_of_an_organisation_cannot_delete_their_account_yet(person):
    provider = Provider.objects.get()
    Membership.objects.filter(user=person).update(role=Membership.Role.OWNER)

    response = signed_in(person).post(reverse("delete_account"), {"password": PASSWORD})

    assert response.status_code == 400
    assert f"You are the only owner of {provider.name}" in response.content.decode()
    assert User.objects.filter(pk=person.pk).exists()
    assert Certificate.objects.get(learner=person).retain_until is None


def test_the_daily_job_erases_certificates_past_their_retention_date_once(person, someone_else):
    signed_in(person).post(reverse("delete_account"), {"password": PASSWORD})
    kept = Certificate.objects.get(learner__isnull=True)
    today = timezone.localdate()

    assert erase_retained_certificates(today=kept.retain_until) == 0  # the last day is still kept
    assert erase_retained_certificates(today=kept.retain_until + timedelta(days=1)) == 1
    assert erase_retained_certificates(today=kept.retain_until + timedelta(days=1)) == 0
    assert not Certificate.objects.filter(pk=kept.pk).exists()
    assert Certificate.objects.filter(learner=someone_else).exists()
    assert today < kept.retain_until


def test_the_privacy_page_states_the_retention_period_from_the_settings(client):
    settings = CertificateSettings.load()
    settings.retention_months = 36
    settings.save()

    response = client.get(reverse("privacy"))

    assert response.status_code == 200
    assert "for 36 months" in " ".join(response.content.decode().split())
