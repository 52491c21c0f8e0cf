"""The "Certificates" report: statuses, the Show/module/date filters, exports, permission, queries."""

import io
from datetime import datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates.models import Certificate
from courses.models import ModulePage
from tests.admin_reports import read_csv, sign_in_with
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REPORT_URL = "/admin/reports/certificates/"
HEADINGS = ["Code", "Name on certificate", "Module", "Provider", "Issued", "Expires", "Status"]


def issued(year, month, day):
    return timezone.make_aware(datetime(year, month, day, 12, 0))


def make_certificate(code, name, module, issued_at, expires_in_days, status="valid", provider=""):
    expires_on = timezone.localdate() + timedelta(days=expires_in_days)
    return Certificate.objects.create(
        code=code,
        learner=UserFactory(),
        module=module,
        status=status,
        issued_at=issued_at,
        expires_on=expires_on,
        snapshot={"name": name, "module": module.title, "provider": provider},
    )


@pytest.fixture
def second_module(course_page):
    return course_page.add_child(instance=ModulePage(title="Reporting concerns", slug="reporting-concerns"))


@pytest.fixture
def hand_data(module_page, second_module):
    """Six certificates; the status is relative to today, whatever day the test runs:

    code       name        module              issued       expires in   status
    AAAA-0001  Ann Valid   Online safety       10 Jan 2025  200 days     Valid
    AAAA-0002  Ben Soon    Online safety       10 Feb 2025   10 days     Expires within 30 days
    AAAA-0003  Cat Old     Online safety       10 Jan 2024   -5 days     Expired
    AAAA-0004  Dan Retook  Online safety        1 Jun 2024  300 days     Superseded (not "Valid")
    AAAA-0005  Eve Gone    Online safety        1 Mar 2025  100 days     Revoked
    AAAA-0006  Fay Other   Reporting concerns  20 Jan 2025   30 days     Expires within 30 days (day 30)

    Newest first: 0005, 0002, 0006, 0001, 0004, 0003."""
    return [
        make_certificate("AAAA-0001", "Ann Valid", module_page, issued(2025, 1, 10), 200, provider="Acorns"),
        make_certificate("AAAA-0002", "Ben Soon", module_page, issued(2025, 2, 10), 10, provider="Acorns"),
        make_certificate("AAAA-0003", "Cat Old", module_page, issued(2024, 1, 10), -5),
        make_certificate(
            "AAAA-0004", "Dan Retook", module_page, issued(2024, 6, 1), 300, status="superseded"
        ),
        make_certificate("AAAA-0005", "Eve Gone", module_page, issued(2025, 3, 1), 100, status="revoked"),
        make_certificate("AAAA-0006", "Fay Other", second_module, issued(2025, 1, 20), 30),
    ]


def expected(code, name, module, provider, issued_on, days, status):
    return [code, name, module, provider, issued_on, str(timezone.localdate() + timedelta(days=days)), status]


EXPIRING = "Expires within 30 days"
ROWS = {
    "0005": ("AAAA-0005", "Eve Gone", "Online safety", "", "2025-03-01", 100, "Revoked"),
    "0002": ("AAAA-0002", "Ben Soon", "Online safety", "Acorns", "2025-02-10", 10, EXPIRING),
    "0006": ("AAAA-0006", "Fay Other", "Reporting concerns", "", "2025-01-20", 30, EXPIRING),
    "0001": ("AAAA-0001", "Ann Valid", "Online safety", "Acorns", "2025-01-10", 200, "Valid"),
    "0004": ("AAAA-0004", "Dan Retook", "Online safety", "", "2024-06-01", 300, "Superseded"),
    "0003": ("AAAA-0003", "Cat Old", "Online safety", "", "2024-01-10", -5, "Expired"),
}


def rows_for(*codes):
    return [expected(*ROWS[code]) for code in codes]


def html_rows(response):
    """The table's rows as the CSV writes them (dates from their <time datetime>)."""
    table = BeautifulSoup(response.content, "html.parser").select_one("#listing-results table")
    if table is None:
        return []
    rows = []
    for row in table.select("tbody tr"):
        cells = [row.th.get_text(strip=True)]
        for td in row.find_all("td"):
            time = td.find("time")
            cells.append(time["datetime"] if time else td.get_text(" ", strip=True))
        rows.append(cells)
    return rows


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_rows_and_statuses_match_the_hand_checked_data_set(admin_client, hand_data):
    response = admin_client.get(REPORT_URL)

    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    table = page.select_one("#listing-results table")
    assert table.caption.get_text(strip=True) == "Certificates: one row per certificate"
    assert [th.get_text(strip=True) for th in table.select("thead th[scope=col]")] == HEADINGS
    assert html_rows(response) == rows_for("0005", "0002", "0006", "0001", "0004", "0003")
    inspect_url = reverse("certificates_admin:inspect", args=[hand_data[0].pk])
    assert table.select_one(f"tbody th[scope=row] a[href='{inspect_url}']").get_text() == "AAAA-0001"


def test_csv_export_matches_the_table(admin_client, hand_data):
    response = admin_client.get(REPORT_URL, {"export": "csv"})

    assert response["Content-Type"] == "text/csv"
    assert "certificates-" in response["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header == HEADINGS
    assert (
        rows
        == html_rows(admin_client.get(REPORT_URL))
        == rows_for("0005", "0002", "0006", "0001", "0004", "0003")
    )


def test_xlsx_export_has_the_same_rows(admin_client, hand_data):
    from openpyxl import load_workbook

    response = admin_client.get(REPORT_URL, {"export": "xlsx"})

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == HEADINGS
    assert [row[0] for row in values[1:]] == [f"AAAA-000{n}" for n in (5, 2, 6, 1, 4, 3)]
    assert values[1][6] == "Revoked"


@pytest.mark.parametrize(
    "params, codes",
    [
        ({"show": "expiring"}, ["0002", "0006"]),
        ({"show": "expired"}, ["0003"]),
        ({"show": "revoked"}, ["0005"]),
        ({"issued_from": "2025-01-01", "issued_to": "2025-01-31"}, ["0006", "0001"]),
        ({"issued_from": "2025-01-11"}, ["0005", "0002", "0006"]),
        ({"show": "expiring", "issued_to": "2025-01-31"}, ["0006"]),
    ],
)
def test_show_and_issue_date_filters(admin_client, hand_data, params, codes):
    assert html_rows(admin_client.get(REPORT_URL, params)) == rows_for(*codes)
    _, *exported = read_csv(admin_client.get(REPORT_URL, {**params, "export": "csv"}))
    assert exported == rows_for(*codes)


def test_module_filter(admin_client, hand_data, second_module):
    assert html_rows(admin_client.get(REPORT_URL, {"module": second_module.pk})) == rows_for("0006")
    fragment = admin_client.get(reverse("certificates_report_results"), {"module": second_module.pk})
    assert [c.code for c in fragment.context["object_list"]] == ["AAAA-0006"]


def test_csv_neutralises_formulas(admin_client, module_page):
    make_certificate("AAAA-0007", "=HYPERLINK(1)", module_page, issued(2025, 1, 1), 100, provider="+44 Ltd")

    _, row = read_csv(admin_client.get(REPORT_URL, {"export": "csv"}))

    assert row[1] == "'=HYPERLINK(1)"
    assert row[3] == "'+44 Ltd"


def test_the_view_certificate_permission_opens_the_report(client, hand_data):
    group = sign_in_with(client, "view_enrolment", "change_statistic")
    for url in (REPORT_URL, REPORT_URL + "?export=csv", reverse("certificates_report_results")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("wagtailadmin_home")
    assert REPORT_URL not in client.get(reverse("wagtailadmin_home")).content.decode()

    group.permissions.add(
        Permission.objects.get(codename="view_certificate", content_type__app_label="certificates")
    )
    response = client.get(REPORT_URL)
    assert response.status_code == 200
    assert len(html_rows(response)) == 6
    assert REPORT_URL in client.get(reverse("wagtailadmin_home")).content.decode()


def add_certificates(module, count, offset):
    """``count`` superseded and revoked certificates of one learner, in bulk."""
    learner = UserFactory()
    Certificate.objects.bulk_create(
        Certificate(
            code=f"BULK-{offset + n:04d}-X",
            learner=learner,
            module=module,
            status="superseded" if n % 2 else "revoked",
            issued_at=issued(2025, 1, 1) + timedelta(hours=n),
            expires_on=timezone.localdate() + timedelta(days=n % 400 - 100),
            snapshot={"name": f"Learner {n}", "module": module.title, "provider": "Acorns"},
        )
        for n in range(count)
    )


def test_query_count_is_the_same_for_10_and_2000_certificates(
    admin_client, module_page, django_assert_max_num_queries
):
    def page_queries(params):
        admin_client.get(REPORT_URL, params)  # warm per-process caches
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(REPORT_URL, params)
            if response.streaming:
                b"".join(response.streaming_content)  # the CSV rows are read as they stream
        assert response.status_code == 200
        return len(queries)

    add_certificates(module_page, 10, 0)
    small = [page_queries({}), page_queries({"export": "csv"}), page_queries({"show": "revoked"})]
    add_certificates(module_page, 1990, 10)
    with django_assert_max_num_queries(small[0]):
        response = admin_client.get(REPORT_URL)
    large = [page_queries({}), page_queries({"export": "csv"}), page_queries({"show": "revoked"})]

    assert response.context["paginator"].count == 2000
    assert small == large
