"""The training record page, its CSV, the certificates ZIP and a manager's certificate download."""

import csv
import io
import zipfile

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from certificates.models import Certificate
from providers.models import Membership
from tests.factories import UserFactory
from tests.providers.test_compliance import (  # noqa: F401 (fixtures)
    bulk_staff,
    certify,
    lessons_fixture,
    member,
    quiz_fixture,
    staff_with_every_status_fixture,
)

pytestmark = pytest.mark.django_db


def dashboard_url(provider, **params):
    url = reverse("providers:dashboard", args=[provider.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def table_rows(response):
    """The staff table as a list of {column header: cell text}."""
    soup = BeautifulSoup(response.content, "html.parser")
    table = soup.find("table", class_="data-table")
    if table is None:
        return []
    headers = [th.get_text(" ", strip=True) for th in table.thead.find_all("th")]
    rows = []
    for tr in table.tbody.find_all("tr"):
        cells = [cell.get_text(" ", strip=True) for cell in tr.find_all(["th", "td"])]
        rows.append(dict(zip(headers, cells, strict=True)))
    return rows


def read_csv(response):
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode(
        "utf-8-sig"
    )
    return list(csv.DictReader(io.StringIO(text)))


# --- The page ------------------------------------------------------------------------------


def test_dashboard_shows_summary_seats_and_every_person_with_text_statuses(
    manager_client, provider, staff_with_every_status
):
    response = manager_client.get(dashboard_url(provider))

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    summary = {
        li.get_text(" ", strip=True).rsplit(" ", 1)[0]: int(li.strong.text)
        for li in soup.select(".summary-list li")
    }
    assert summary == {
        "Trained and in date": 1,
        "Due within 30 days": 1,
        "Expired": 2,
        "In progress": 2,
        "Not started": 3,
        "Invited": 1,
    }
    assert soup.select_one(".compliance-bar")["aria-hidden"] == "true"  # the list above is its text
    assert "20 bought" in soup.get_text() and reverse("providers:buy", args=[provider.pk]) in response.text
    rows = {row["Email"]: row for row in table_rows(response)}
    assert len(rows) == 10
    ian = rows["ian@acorns.example"]
    assert ian["Status"] == "In progress"
    assert ian["Progress"] == "1 of 3 lessons"
    assert ian["Quiz result"] == "90% (passed)"
    assert ian["Learning time"] == "1 hour 5 minutes"
    tara = Certificate.objects.get(learner__email="tara@acorns.example", status="valid")
    assert rows["tara@acorns.example"]["Status"] == "Trained and in date"
    assert tara.code in rows["tara@acorns.example"]["Certificate"]
    assert rows["tara@acorns.example"]["Expires"] == f"{tara.expires_on:%-d %b %Y}"
    assert soup.find("a", href=reverse("certificates:verify_code", args=[tara.code]))
    assert soup.find("a", href=reverse("providers:certificate_download", args=[provider.pk, tara.pk]))
    assert soup.find("a", href=reverse("providers:staff", args=[provider.pk]))
    assert "Oscar" not in response.text


def test_filter_by_status_and_search(manager_client, provider, staff_with_every_status):
    expired = table_rows(manager_client.get(dashboard_url(provider, status="expired")))
    assert {row["Email"] for row in expired} == {"ed@acorns.example", "sue@acorns.example"}

    found = table_rows(manager_client.get(dashboard_url(provider, q="Progress")))
    assert [row["Email"] for row in found] == ["ian@acorns.example"]

    nothing = manager_client.get(dashboard_url(provider, q="zzz"))
    assert table_rows(nothing) == [] and "Nobody matches these filters" in nothing.text

    ignored = manager_client.get(dashboard_url(provider, status="bogus", sort="bogus", page="x"))
    assert ignored.status_code == 200 and len(table_rows(ignored)) == 10


def test_sort_by_name_status_and_expiry(manager_client, provider, staff_with_every_status):
    names = [row["Name"] for row in table_rows(manager_client.get(dashboard_url(provider, sort="name")))]
    assert names == sorted(names, key=str.casefold)
    descending = table_rows(manager_client.get(dashboard_url(provider, sort="name", order="desc")))
    assert [row["Name"] for row in descending] == names[::-1]
    by_status = table_rows(manager_client.get(dashboard_url(provider, sort="status")))
    assert [row["Status"] for row in by_status[:2]] == ["Expired", "Expired"]
    assert by_status[-1]["Status"] == "Trained and in date"
    by_expiry = table_rows(manager_client.get(dashboard_url(provider, sort="expiry")))
    assert [row["Email"] for row in by_expiry[:3]] == [
        "ed@acorns.example",
        "dev@acorns.example",
        "tara@acorns.example",
    ]


def test_pagination_keeps_the_filters(manager_client, provider, module_page, lessons, quiz, paid_order):
    paid_order(seats=5)
    bulk_staff(provider, module_page, 120, lessons, quiz)

    first = manager_client.get(dashboard_url(provider, q="staff", sort="name", order="desc"))
    soup = BeautifulSoup(first.content, "html.parser")
    assert len(table_rows(first)) == 50
    next_link = soup.find("a", rel="next")["href"]
    assert "q=staff" in next_link and "sort=name" in next_link and "order=desc" in next_link
    assert "page=2" in next_link
    third = manager_client.get(dashboard_url(provider, q="staff", sort="name", order="desc", page=3))
    names = [row["Name"] for row in table_rows(third)]
    assert len(names) == 20
    assert names[-1] == "Staff Member 00000"  # descending: the first one comes last
    assert "Page 3 of 3" in third.text


def test_the_dashboard_runs_the_same_number_of_queries_for_10_and_200_staff(
    manager_client, provider, module_page, lessons, quiz, paid_order
):
    """Working the record out (each view asks for other filters, so none comes from the cache)."""
    paid_order(seats=5)
    bulk_staff(provider, module_page, 10, lessons, quiz)
    manager_client.get(dashboard_url(provider))  # warm caches (site, settings)
    with CaptureQueriesContext(connection) as small:
        assert manager_client.get(dashboard_url(provider, order="desc")).status_code == 200
    bulk_staff(provider, module_page, 190, lessons, quiz, start=10)
    with CaptureQueriesContext(connection) as large:
        response = manager_client.get(dashboard_url(provider, sort="status"))

    assert len(table_rows(response)) == 50
    assert len(small.captured_queries) == len(large.captured_queries)


def test_the_dashboard_with_2000_staff_stays_at_the_same_query_count(
    manager_client, provider, module_page, lessons, quiz, paid_order, django_assert_num_queries
):
    paid_order(seats=5)
    bulk_staff(provider, module_page, 10, lessons, quiz)
    manager_client.get(dashboard_url(provider))
    with CaptureQueriesContext(connection) as small:
        manager_client.get(dashboard_url(provider, page=2))
    bulk_staff(provider, module_page, 1990, lessons, quiz, start=10)

    with django_assert_num_queries(len(small.captured_queries)):
        response = manager_client.get(dashboard_url(provider, page=40))

    assert "Page 40 of 41" in response.text


def test_a_provider_with_nobody_but_its_owner_gets_a_helpful_page(manager_client, provider):
    response = manager_client.get(dashboard_url(provider))

    assert response.status_code == 200
    assert "You have no seats yet" in response.text
    assert len(table_rows(response)) == 1


# --- CSV -----------------------------------------------------------------------------------


def test_csv_has_the_tables_rows_and_columns_plus_verification_urls(
    manager_client, provider, staff_with_every_status
):
    page = {row["Email"]: row for row in table_rows(manager_client.get(dashboard_url(provider)))}

    response = manager_client.get(reverse("providers:staff_csv", args=[provider.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    today = timezone.localdate()
    assert (
        f'filename="little-acorns-nursery-training-record-{today:%Y-%m-%d}.csv"'
        in response["Content-Disposition"]
    )
    rows = {row["Email"]: row for row in read_csv(response)}
    assert rows.keys() == page.keys()
    for email, row in rows.items():
        shown = page[email]
        for column in ("Name", "Role", "Status", "Progress", "Quiz result", "Learning time"):
            assert row[column] == shown[column], (email, column)
    tara = Certificate.objects.get(learner__email="tara@acorns.example", status="valid")
    assert rows["tara@acorns.example"]["Certificate code"] == tara.code
    assert rows["tara@acorns.example"]["Expires on"] == tara.expires_on.isoformat()
    assert rows["tara@acorns.example"]["Verification URL"] == f"http://testserver/verify/{tara.code}/"


def test_csv_respects_the_filter_and_search(manager_client, provider, staff_with_every_status):
    url = reverse("providers:staff_csv", args=[provider.pk])

    expired = read_csv(manager_client.get(url + "?status=expired"))
    searched = read_csv(manager_client.get(url + "?q=ivy"))

    assert {row["Email"] for row in expired} == {"ed@acorns.example", "sue@acorns.example"}
    assert [row["Status"] for row in searched] == ["Invited"]


def test_csv_neutralises_spreadsheet_formulas(manager_client, provider, module_page, paid_order):
    paid_order(seats=3)
    member(provider, '=HYPERLINK("http://evil.example","Click")', "formula@acorns.example")
    member(provider, "+44 Plus", "plus@acorns.example")
    member(provider, "@SUM(A1)", "at@acorns.example")
    member(provider, "\tTabbed", "tab@acorns.example")

    response = manager_client.get(reverse("providers:staff_csv", args=[provider.pk]))

    rows = {row["Email"]: row for row in read_csv(response)}
    assert rows["formula@acorns.example"]["Name"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert rows["plus@acorns.example"]["Name"] == "'+44 Plus"
    assert rows["at@acorns.example"]["Name"] == "'@SUM(A1)"
    assert rows["tab@acorns.example"]["Name"] == "'\tTabbed"
    for row in rows.values():
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


# --- Certificates: one, and all as a ZIP ---------------------------------------------------


def test_a_manager_downloads_a_members_certificate(manager_client, provider, staff_with_every_status):
    certificate = Certificate.objects.get(learner__email="tara@acorns.example", status="valid")

    response = manager_client.get(
        reverse("providers:certificate_download", args=[provider.pk, certificate.pk])
    )

    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert certificate.code in text and "Tara Trained" in text


def test_a_certificate_of_someone_outside_the_provider_is_404(manager_client, provider, module_page):
    outsider = UserFactory()
    certificate = certify(outsider, module_page)
    revoked_member = member(provider, "Rae Revoked")
    revoked = certify(revoked_member, module_page, status=Certificate.Status.REVOKED)

    for target in (certificate, revoked):
        response = manager_client.get(
            reverse("providers:certificate_download", args=[provider.pk, target.pk])
        )
        assert response.status_code == 404


def test_the_zip_holds_one_readable_pdf_per_current_certificate(
    manager_client, provider, module_page, staff_with_every_status
):
    tara = staff_with_every_status["trained"]
    # A retake: the old certificate is superseded and must not be in the ZIP.
    old = Certificate.objects.get(learner=tara, status="valid")
    Certificate.objects.filter(pk=old.pk).update(status="superseded")
    new = certify(tara, module_page)
    expected = {
        c.code: c.snapshot["name"]
        for c in Certificate.objects.filter(learner__memberships__provider=provider, status="valid")
    }
    assert len(expected) == 3

    response = manager_client.get(reverse("providers:certificates_zip", args=[provider.pk]))

    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    assert "little-acorns-nursery-certificates-" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    names = archive.namelist()
    assert len(names) == 3
    assert f"tara-trained-{new.code}.pdf" in names
    for name in names:
        code = name.removesuffix(".pdf")[-14:]
        text = PdfReader(io.BytesIO(archive.read(name))).pages[0].extract_text()
        assert code in text and expected[code] in text
    assert old.code not in " ".join(names)
    assert not any("oscar" in name for name in names)  # another provider's staff
    revoked = Certificate.objects.get(learner=staff_with_every_status["revoked_only"])
    assert revoked.code not in " ".join(names)


def test_zip_file_names_are_safe(manager_client, provider, module_page, paid_order):
    paid_order(seats=1)
    person = member(provider, "../../Étienne O'Brien/\\evil")
    certificate = certify(person, module_page)

    response = manager_client.get(reverse("providers:certificates_zip", args=[provider.pk]))

    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert names == [f"etienne-obrienevil-{certificate.code}.pdf"]


def test_a_provider_without_certificates_gets_a_valid_empty_zip(manager_client, provider):
    response = manager_client.get(reverse("providers:certificates_zip", args=[provider.pk]))

    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == []


def test_the_zip_is_written_file_by_file(provider, module_page, paid_order):
    from providers.compliance import current_certificates
    from providers.views.compliance import zip_chunks

    paid_order(seats=2)
    for name in ("Ann One", "Bea Two"):
        certify(member(provider, name), module_page)

    chunks = list(zip_chunks(current_certificates(provider)))

    assert len(chunks) == 3  # one per certificate, then the central directory
    assert all(chunks[:2])
    assert len(zipfile.ZipFile(io.BytesIO(b"".join(chunks))).namelist()) == 2


# --- Who may see it ------------------------------------------------------------------------


def manager_urls(provider, certificate_id):
    return [
        reverse("providers:dashboard", args=[provider.pk]),
        reverse("providers:staff_csv", args=[provider.pk]),
        reverse("providers:certificates_zip", args=[provider.pk]),
        reverse("providers:certificate_download", args=[provider.pk, certificate_id]),
    ]


def test_another_providers_manager_and_a_staff_member_get_404(client, provider, other_provider, module_page):
    staff = member(provider, "Lou Learner")
    certificate = certify(staff, module_page)
    stranger = Membership.objects.get(provider=other_provider).user

    for user in (stranger, staff):
        client.force_login(user)
        for url in manager_urls(provider, certificate.pk):
            assert client.get(url).status_code == 404, url


def test_signed_out_visitors_are_sent_to_sign_in(client, provider):
    response = client.get(dashboard_url(provider))

    assert response.status_code == 302 and reverse("account_login") in response["Location"]
