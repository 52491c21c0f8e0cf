"""Certificates: issued once on a pass, frozen, rendered to a real PDF, verifiable by anyone."""

import io
import uuid
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import IntegrityError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from certificates.models import Certificate, CertificateSettings
from certificates.pdf import render_certificate_pdf, verification_url
from certificates.services import add_months, issue_certificate
from courses.models import Enrolment
from courses.services import complete_lesson, enrol
from providers.models import Provider, SeatAssignment
from tests.certificates.pdf_tools import decoded_qr
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def passed(enrolment, make_lesson, module_page):
    """The learner finished the only lesson of a module without a quiz: a certificate is issued."""
    lesson = make_lesson()
    complete_lesson(enrolment, lesson)
    enrolment.refresh_from_db()
    return enrolment


def test_the_signatory_is_the_one_the_settings_name_when_it_is_issued(passed, module_page):
    first = Certificate.objects.get()  # read the settings once (the content cache keeps them)
    signatory = CertificateSettings.load()
    signatory.signatory_name, signatory.signatory_role = "Priya Shah", "Head of training"
    signatory.save()
    other = enrol(UserFactory(), module_page, source=Enrolment.Source.DEMO)

    second = issue_certificate(other)

    assert first.snapshot["signatory_name"] == "Training lead"
    assert (second.snapshot["signatory_name"], second.snapshot["signatory_role"]) == (
        "Priya Shah",
        "Head of training",
    )


def pdf_text(data):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_passing_a_module_issues_one_certificate_with_a_frozen_snapshot(passed, learner, module_page):
    certificate = Certificate.objects.get()

    assert certificate.learner == learner
    assert certificate.status == Certificate.Status.VALID
    assert certificate.snapshot["name"] == learner.certificate_name
    assert certificate.snapshot["module"] == "Online safety"
    assert certificate.expires_on == add_months(timezone.localdate(), 24)
    learner.certificate_name = "Someone Else"
    learner.save()
    module_page.title = "Renamed"
    module_page.save()
    certificate.refresh_from_db()
    assert certificate.snapshot["name"] != "Someone Else"
    assert "Renamed" not in pdf_text(render_certificate_pdf(certificate))


def test_issuing_twice_for_the_same_pass_gives_the_same_certificate(ready_quiz_pass):
    enrolment, attempt = ready_quiz_pass

    first = issue_certificate(enrolment, attempt=attempt)
    second = issue_certificate(enrolment, attempt=attempt)

    assert first.pk == second.pk
    assert Certificate.objects.count() == 1


def test_a_new_pass_supersedes_and_keeps_history(passed):
    old = Certificate.objects.get()

    new = issue_certificate(passed)

    old.refresh_from_db()
    assert old.status == Certificate.Status.SUPERSEDED
    assert old.superseded_by == new
    assert Certificate.objects.filter(status=Certificate.Status.VALID).get() == new


def test_the_database_refuses_a_second_valid_certificate(passed):
    certificate = Certificate.objects.get()

    with pytest.raises(IntegrityError):
        Certificate.objects.create(
            learner=certificate.learner,
            module=certificate.module,
            snapshot={},
            expires_on=certificate.expires_on,
        )


def test_the_pdf_holds_name_module_dates_code_and_verification_url(passed, learner):
    certificate = Certificate.objects.get()

    data = render_certificate_pdf(certificate)

    text = pdf_text(data)
    assert learner.certificate_name in text
    assert "Online safety" in text
    assert timezone.localdate().strftime("%-d %B %Y") in text
    assert certificate.expires_on.strftime("%-d %B %Y") in text
    assert certificate.code in text
    assert verification_url(certificate) in text.replace("\n", "")
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title == f"Certificate: Online safety, {learner.certificate_name}"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged, for screen readers
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # A4 landscape


def test_learner_downloads_their_own_certificate_and_it_is_stored_once(client, passed, learner):
    certificate = Certificate.objects.get()
    client.force_login(learner)

    response = client.get(reverse("certificates:download", args=[certificate.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    assert certificate.code in pdf_text(data)
    certificate.refresh_from_db()
    name = certificate.pdf.name
    client.get(reverse("certificates:download", args=[certificate.pk]))
    certificate.refresh_from_db()
    assert certificate.pdf.name == name


def test_another_persons_certificate_download_is_404(client, passed):
    certificate = Certificate.objects.get()
    client.force_login(UserFactory())

    assert client.get(reverse("certificates:download", args=[certificate.pk])).status_code == 404


def test_a_stored_certificate_downloads_with_the_same_few_queries(
    client, passed, learner, django_assert_num_queries
):
    certificate = Certificate.objects.get()
    client.force_login(learner)
    url = reverse("certificates:download", args=[certificate.pk])
    client.get(url)  # renders and stores the PDF

    # The session, the learner and the certificate (one query compiled once, cms.prepared_queries).
    with django_assert_num_queries(3):
        response = client.get(url)
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_revoked_or_unknown_certificate_download_is_404(client, passed, learner):
    certificate = Certificate.objects.get()
    client.force_login(learner)
    url = reverse("certificates:download", args=[certificate.pk])
    assert client.get(url).status_code == 200

    Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.REVOKED)

    assert client.get(url).status_code == 404
    assert client.get(reverse("certificates:download", args=[uuid.uuid4()])).status_code == 404


def test_verify_page_shows_status_and_no_email(client, passed, learner):
    certificate = Certificate.objects.get()

    response = client.get(reverse("certificates:verify_code", args=[certificate.code]))

    html = BeautifulSoup(response.content, "html.parser")
    assert response.status_code == 200
    assert "Valid." in html.select_one(".verify-status").text
    assert learner.certificate_name in html.text
    assert learner.email not in response.content.decode()
    assert html.find("meta", attrs={"name": "robots"})["content"] == "noindex"


def test_verify_form_accepts_a_code_typed_loosely(client, passed):
    certificate = Certificate.objects.get()
    typed = certificate.code.replace("-", " ").lower()

    response = client.get(reverse("certificates:verify"), {"code": typed}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("certificates:verify_code", args=[certificate.code])
    assert response.status_code == 200


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"expires_on": date(2020, 1, 1)}, "Expired."),
        ({"status": Certificate.Status.REVOKED}, "Revoked."),
        ({"status": Certificate.Status.SUPERSEDED}, "Replaced by a newer certificate"),
    ],
)
def test_verify_page_shows_expired_revoked_and_superseded(client, passed, change, expected):
    certificate = Certificate.objects.get()
    Certificate.objects.filter(pk=certificate.pk).update(**change)

    response = client.get(reverse("certificates:verify_code", args=[certificate.code]))

    assert expected in response.content.decode()


def test_unknown_code_is_a_clear_404(client):
    response = client.get(reverse("certificates:verify_code", args=["AAAA-BBBB-CCCC"]))

    assert response.status_code == 404
    assert "Certificate not found" in response.content.decode()


def test_verify_is_rate_limited(client):
    for _ in range(60):
        client.get(reverse("certificates:verify_code", args=["AAAA-BBBB-CCCC"]))

    response = client.get(reverse("certificates:verify_code", args=["AAAA-BBBB-CCCC"]))

    assert response.status_code == 429


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_a_load_balancer_the_verify_limit_counts_each_visitor(client):
    """Every request reaches the site from the load balancer's address; the limit follows the
    visitor's address in X-Forwarded-For, so one busy visitor does not lock out the others."""
    url = reverse("certificates:verify_code", args=["AAAA-BBBB-CCCC"])
    for _ in range(60):
        client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="10.0.0.2")

    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="10.0.0.2").status_code == 429
    assert client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.9", REMOTE_ADDR="10.0.0.2").status_code == 404


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 2, 29), 24, date(2026, 2, 28)),
        (date(2026, 11, 28), 24, date(2028, 11, 28)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


@pytest.fixture
def ready_quiz_pass(enrolment, one_question_quiz, pass_quiz):
    attempt = pass_quiz(enrolment, one_question_quiz, now=timezone.now() + timedelta(minutes=1))
    enrolment.refresh_from_db()
    return enrolment, attempt


def test_passing_the_quiz_issues_the_certificate_linked_to_the_attempt(ready_quiz_pass, client, learner):
    enrolment, attempt = ready_quiz_pass

    certificate = Certificate.objects.get()

    assert certificate.attempt == attempt
    assert certificate.snapshot["score"] == 100
    client.force_login(learner)
    result = client.get(attempt.quiz.url + f"result/{attempt.number}/")
    assert reverse("certificates:download", args=[certificate.pk]) in result.content.decode()
    learning = client.get(reverse("my_learning")).content.decode()
    assert certificate.code in learning


def test_staff_revoke_with_a_reason_and_the_verify_page_says_so(staff_client, platform_staff, client, passed):
    from wagtail.models import ModelLogEntry

    certificate = Certificate.objects.get()
    edit = reverse("certificates_admin:edit", args=[certificate.pk])

    refused = staff_client.post(edit, {"reason": "   "})
    assert refused.status_code == 200
    assert Certificate.objects.get().status == Certificate.Status.VALID
    response = staff_client.post(edit, {"reason": "Issued to the wrong person"})

    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    entry = ModelLogEntry.objects.get(action="certificates.revoke")
    assert entry.user == platform_staff and entry.data["reason"] == "Issued to the wrong person"
    page = client.get(reverse("certificates:verify_code", args=[certificate.code])).content.decode()
    assert "Revoked." in page and "wrong person" not in page


def test_certificates_cannot_be_added_or_deleted_in_the_admin(staff_client, passed):
    certificate = Certificate.objects.get()

    assert staff_client.get(reverse("certificates_admin:add")).status_code in {302, 403}
    assert staff_client.post(reverse("certificates_admin:delete", args=[certificate.pk])).status_code in {
        302,
        403,
    }
    assert Certificate.objects.filter(pk=certificate.pk).exists()
    listing = staff_client.get(reverse("certificates_admin:index"))
    assert certificate.code in listing.content.decode()


def test_my_certificates_lists_history_in_a_fixed_number_of_queries(client, passed, learner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(learner)
    client.get(reverse("certificates:mine"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("certificates:mine"))
    for _ in range(5):
        issue_certificate(passed)
    with CaptureQueriesContext(connection) as six:
        response = client.get(reverse("certificates:mine"))

    html = BeautifulSoup(response.content, "html.parser")
    assert [p.text for p in html.select(".card .status")] == ["Valid"] + ["Superseded"] * 5
    assert len(six) == len(one)


def test_my_certificates_shows_only_mine(client, passed):
    client.force_login(UserFactory())

    response = client.get(reverse("certificates:mine"))

    assert "You have no certificates yet" in response.content.decode()


def test_sample_preview_only_in_debug(client, settings):
    settings.DEBUG = False
    assert client.get(reverse("certificates:preview")).status_code == 404
    settings.DEBUG = True
    response = client.get(reverse("certificates:preview"))
    assert response["Content-Type"] == "application/pdf"
    assert "Alex Example" in pdf_text(response.content)


def test_the_qr_code_decodes_to_the_verification_url(passed, tmp_path):
    certificate = Certificate.objects.get()

    decoded = decoded_qr(render_certificate_pdf(certificate), tmp_path)

    assert decoded == verification_url(certificate)
    assert decoded.endswith(f"/verify/{certificate.code}/")


def test_the_snapshot_names_the_provider_whose_seat_the_learner_holds(
    enrolment, learner, make_lesson, module_page
):
    provider = Provider.objects.create(
        name="Little Acorns Nursery",
        kind="nursery",
        billing_name="Ann Acorn",
        billing_email="a@acorns.example",
    )
    SeatAssignment.objects.create(provider=provider, module=module_page, user=learner, enrolment=enrolment)
    complete_lesson(enrolment, make_lesson())

    assert Certificate.objects.get(learner=learner).snapshot["provider"] == "Little Acorns Nursery"
    provider.name = "Renamed Nursery"
    provider.save()
    assert Certificate.objects.get(learner=learner).snapshot["provider"] == "Little Acorns Nursery"


def test_without_a_seat_the_snapshot_names_no_provider(passed, learner):
    assert Certificate.objects.get(learner=learner).snapshot["provider"] == ""
