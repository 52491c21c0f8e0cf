"""The inspection pack: the training matrix PDF and the read-only link for an inspector."""

import io
import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from wagtail.models import ModelLogEntry

from certificates.models import Certificate
from providers.inspection import create_inspection_link, revoke_inspection_link
from providers.inspection_pdf import render_matrix_pdf
from providers.models import InspectionLink, Membership
from tests.providers.test_compliance import (  # noqa: F401 (fixtures)
    certify,
    lessons_fixture,
    member,
    quiz_fixture,
    staff_with_every_status_fixture,
)

pytestmark = pytest.mark.django_db

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def pdf_text(data):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def public_url(link):
    return reverse("providers:inspection_public", args=[link.token])


@pytest.fixture
def urn_provider(provider):
    provider.ofsted_urn = "EY123456"
    provider.save(update_fields=["ofsted_urn"])
    return provider


# --- The manager's page and links ----------------------------------------------------------


def test_the_page_explains_the_pack(manager_client, provider):
    response = manager_client.get(reverse("providers:inspection", args=[provider.pk]))

    assert response.status_code == 200
    assert "It does not include email addresses" in response.text
    assert reverse("providers:inspection_pdf", args=[provider.pk]) in response.text
    assert "No link is open at the moment" in response.text


def test_creating_a_link_stores_it_for_14_days_logs_it_and_lists_it(manager_client, provider, manager):
    before = timezone.now()

    response = manager_client.post(reverse("providers:inspection", args=[provider.pk]), follow=True)

    link = InspectionLink.objects.get()
    assert link.provider == provider and link.created_by == manager
    assert before + timedelta(days=14) <= link.expires_at <= timezone.now() + timedelta(days=14)
    assert ModelLogEntry.objects.filter(
        action="providers.inspection_link_create", object_id=str(link.pk), user=manager
    ).exists()
    assert response.status_code == 200
    assert "Link created" in response.text
    assert f"http://testserver{public_url(link)}" in response.text
    assert reverse("providers:inspection_link_revoke", args=[provider.pk, link.pk]) in response.text


def test_revoking_withdraws_the_link_and_logs_it(manager_client, client, provider, manager):
    link = create_inspection_link(provider, actor=manager)
    assert client.get(public_url(link)).status_code == 200

    response = manager_client.post(
        reverse("providers:inspection_link_revoke", args=[provider.pk, link.pk]), follow=True
    )

    link.refresh_from_db()
    assert link.revoked_at is not None
    assert ModelLogEntry.objects.filter(
        action="providers.inspection_link_revoke", object_id=str(link.pk)
    ).exists()
    assert "The link has been withdrawn" in response.text
    assert "Withdrawn" in response.text  # now in the list of links that no longer work
    gone = client.get(public_url(link))
    assert gone.status_code == 404
    assert "This link has expired or been withdrawn; ask the provider for a new one" in gone.text


def test_revoking_twice_changes_nothing(provider, manager):
    link = revoke_inspection_link(create_inspection_link(provider, actor=manager), actor=manager)
    first = link.revoked_at

    again = revoke_inspection_link(link, actor=manager)

    assert again.revoked_at == first
    assert ModelLogEntry.objects.filter(action="providers.inspection_link_revoke").count() == 1


def test_revoke_needs_post(manager_client, provider, manager):
    link = create_inspection_link(provider, actor=manager)

    response = manager_client.get(reverse("providers:inspection_link_revoke", args=[provider.pk, link.pk]))

    assert response.status_code == 405
    link.refresh_from_db()
    assert link.revoked_at is None


# --- The PDF -------------------------------------------------------------------------------


def test_the_matrix_pdf_has_names_codes_dates_and_verification_urls_but_no_emails(
    manager_client, urn_provider, staff_with_every_status
):
    response = manager_client.get(reverse("providers:inspection_pdf", args=[urn_provider.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "little-acorns-nursery-training-matrix-" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.metadata.title == "Safeguarding training matrix: Little Acorns Nursery"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    text = pdf_text(response.content)
    flat = re.sub(r"\s+", "", text)
    assert "Little Acorns Nursery" in text and "EY123456" in text
    assert f"{timezone.localdate():%-d %B %Y}" in text
    for name in ("Tara Trained", "Dev Due", "Ed Expired", "Ian Progress", "Ivy Invited"):
        assert name in text
    for status in (
        "Trained and in date",
        "Due within 30 days",
        "Expired",
        "In progress",
        "Not started",
        "Invited",
    ):
        assert status in text
    for certificate in Certificate.objects.filter(
        learner__memberships__provider=urn_provider, status="valid"
    ):
        assert certificate.code in text
        assert f"http://testserver/verify/{certificate.code}/" in flat
    assert not EMAIL.search(text), EMAIL.search(text)
    assert "Oscar" not in text


def test_the_pdf_renders_many_staff_on_several_pages(urn_provider, module_page, paid_order):
    paid_order(seats=1)
    for n in range(60):
        member(urn_provider, f"Person {n:02d}")
    from providers.compliance import staff_rows

    data = render_matrix_pdf(urn_provider, staff_rows(urn_provider))

    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 1
    assert "Person 59" in pdf_text(data)


# --- The public page -----------------------------------------------------------------------


def test_the_public_page_shows_the_live_matrix_without_emails(
    client, urn_provider, manager, module_page, staff_with_every_status
):
    link = create_inspection_link(urn_provider, actor=manager)
    tara = staff_with_every_status["trained"]
    certificate = Certificate.objects.get(learner=tara, status="valid")

    response = client.get(public_url(link))

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find("meta", attrs={"name": "robots"})["content"].startswith("noindex")
    assert response["Referrer-Policy"] == "no-referrer"
    main = soup.find("main").get_text(" ", strip=True)
    assert "Little Acorns Nursery" in main and "EY123456" in main
    assert f"{timezone.localtime(link.expires_at):%-d %B %Y}" in main and "valid until" in main
    rows = {tr.th.get_text(strip=True): tr for tr in soup.select("table tbody tr")}
    assert len(rows) == 10
    assert "Trained and in date" in rows["Tara Trained"].get_text()
    assert soup.find("a", href=f"http://testserver/verify/{certificate.code}/")
    assert not EMAIL.search(response.content.decode()), EMAIL.search(response.content.decode())

    # Live: a change now shows on the next visit.
    Certificate.objects.filter(pk=certificate.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    again = BeautifulSoup(client.get(public_url(link)).content, "html.parser")
    tara_row = next(
        tr for tr in again.select("table tbody tr") if tr.th.get_text(strip=True) == "Tara Trained"
    )
    assert "Expired" in tara_row.get_text()


def test_an_expired_link_is_a_clear_404(client, provider, manager):
    link = create_inspection_link(provider, actor=manager)
    InspectionLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.get(public_url(link))

    assert response.status_code == 404
    assert "This link has expired or been withdrawn; ask the provider for a new one" in response.text
    assert provider.name not in response.text
    assert 'name="robots" content="noindex' in response.text


def test_an_unknown_link_is_a_404(client):
    response = client.get(reverse("providers:inspection_public", args=["not-a-real-token"]))

    assert response.status_code == 404
    assert "We do not recognise this inspection link" in response.text


# --- Who may see it ------------------------------------------------------------------------


def test_another_providers_manager_and_a_staff_member_get_404_for_every_page(
    client, provider, other_provider, manager, module_page
):
    link = create_inspection_link(provider, actor=manager)
    staff = member(provider, "Lou Learner")
    certificate = certify(staff, module_page)
    stranger = Membership.objects.get(provider=other_provider).user
    gets = [
        reverse("providers:dashboard", args=[provider.pk]),
        reverse("providers:staff_csv", args=[provider.pk]),
        reverse("providers:certificates_zip", args=[provider.pk]),
        reverse("providers:certificate_download", args=[provider.pk, certificate.pk]),
        reverse("providers:inspection", args=[provider.pk]),
        reverse("providers:inspection_pdf", args=[provider.pk]),
    ]
    posts = [
        reverse("providers:inspection", args=[provider.pk]),
        reverse("providers:inspection_link_revoke", args=[provider.pk, link.pk]),
    ]

    for user in (stranger, staff):
        client.force_login(user)
        for url in gets:
            assert client.get(url).status_code == 404, (user, url)
        for url in posts:
            assert client.post(url).status_code == 404, (user, url)

    link.refresh_from_db()
    assert link.revoked_at is None
    assert InspectionLink.objects.count() == 1


def test_a_manager_cannot_revoke_another_providers_link_through_their_own(
    manager_client, provider, other_provider
):
    owner = Membership.objects.get(provider=other_provider).user
    theirs = create_inspection_link(other_provider, actor=owner)

    response = manager_client.post(reverse("providers:inspection_link_revoke", args=[provider.pk, theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
