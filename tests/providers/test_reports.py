"""The "Seats by provider" and "Invoices awaiting payment" reports: figures, filters, exports,
permission and query counts."""

import io
from datetime import date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import ModulePage
from providers.models import BillingSettings, Invitation, Provider, SeatAssignment, SeatOrder
from tests.admin_reports import read_csv, sign_in_with
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SEATS_URL = "/admin/reports/seats-by-provider/"
INVOICES_URL = "/admin/reports/invoices-awaiting-payment/"
PAID, PENDING = SeatOrder.Status.PAID, SeatOrder.Status.PENDING


def at(year, month, day):
    return timezone.make_aware(datetime(year, month, day, 12, 0))


def make_provider(name):
    return Provider.objects.create(
        name=name, kind=Provider.Kind.NURSERY, billing_name=name, billing_email="pay@example.org"
    )


def make_order(provider, module, quantity, status, placed, *, method="invoice", refunded=0, **fields):
    """An order at £25 a seat plus 20% VAT, placed at ``placed``."""
    net = 2500 * quantity
    return SeatOrder.objects.create(
        provider=provider,
        module=module,
        quantity=quantity,
        unit_price_pence=2500,
        vat_rate="20.00",
        net_pence=net,
        vat_pence=net // 5,
        total_pence=net + net // 5,
        method=method,
        status=status,
        seats_refunded=refunded,
        created_at=placed,
        **fields,
    )


def assign(provider, module, when):
    return SeatAssignment.objects.create(
        provider=provider, module=module, user=UserFactory(), assigned_at=when
    )


def invite(provider, module, email, expires_at, created=None):
    return Invitation.objects.create(
        provider=provider,
        module=module,
        email=email,
        expires_at=expires_at,
        created_at=created or timezone.now(),
    )


@pytest.fixture
def second_module(course_page):
    return course_page.add_child(instance=ModulePage(title="Reporting concerns", slug="reporting-concerns"))


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def html_rows(response):
    """The table's rows as the CSV writes them: dates from <time datetime>, amounts without "£",
    and the "Overdue" label left out."""
    table = BeautifulSoup(response.content, "html.parser").select_one("#listing-results table")
    if table is None:
        return []
    rows = []
    for row in table.select("tbody tr"):
        cells = [row.th.get_text(strip=True)]
        for td in row.find_all("td"):
            time = td.find("time")
            text = time["datetime"] if time else td.get_text(" ", strip=True)
            cells.append(text.removeprefix("£").removesuffix(" Overdue").replace(",", ""))
        rows.append(cells)
    return rows


# --- Seats by provider ----------------------------------------------------------------------


@pytest.fixture
def seats_data(module_page, second_module):
    """Two providers (Acorns and Bluebells), two modules:

    Acorns, Online safety: paid 10 seats (10 Jan 2025) and 5 seats with 2 refunded (3 Mar 2025),
      so 13 bought; a pending order of 4 and a cancelled one of 3 do not count. Three seats
      assigned (two in January, one in March): 10 unused. One open invitation holds one of them;
      an expired invitation does not.
    Acorns, Reporting concerns: paid 2 (15 Jan 2025), none assigned: 2 unused.
    Bluebells, Online safety: paid 1 (20 Jan 2025, by card), assigned: 0 unused.
    """
    acorns, bluebells = make_provider("Little Acorns Nursery"), make_provider("Bluebells Pre-school")
    make_order(acorns, module_page, 10, PAID, at(2025, 1, 10))
    make_order(acorns, module_page, 5, SeatOrder.Status.REFUNDED, at(2025, 3, 3), refunded=2)
    make_order(acorns, module_page, 4, PENDING, at(2025, 3, 4))
    make_order(acorns, module_page, 3, SeatOrder.Status.CANCELLED, at(2025, 3, 5))
    make_order(acorns, second_module, 2, PAID, at(2025, 1, 15))
    make_order(bluebells, module_page, 1, PAID, at(2025, 1, 20), method="card")
    assign(acorns, module_page, at(2025, 1, 11))
    assign(acorns, module_page, at(2025, 1, 12))
    assign(acorns, module_page, at(2025, 3, 6))
    assign(bluebells, module_page, at(2025, 1, 21))
    invite(acorns, module_page, "new@acorns.example", timezone.now() + timedelta(days=7), at(2025, 3, 7))
    invite(acorns, module_page, "late@acorns.example", timezone.now() - timedelta(days=1), at(2025, 1, 5))
    return {"acorns": acorns, "bluebells": bluebells}


SEAT_HEADINGS = ["Provider", "Module", "Seats bought", "Assigned", "Unused", "Held by open invitations"]
SEAT_ROWS = [
    ["Bluebells Pre-school", "Online safety", "1", "1", "0", "0"],
    ["Little Acorns Nursery", "Online safety", "13", "3", "10", "1"],
    ["Little Acorns Nursery", "Reporting concerns", "2", "0", "2", "0"],
]


def test_seat_figures_match_the_hand_checked_data_set(admin_client, seats_data):
    response = admin_client.get(SEATS_URL)

    assert response.status_code == 200
    table = BeautifulSoup(response.content, "html.parser").select_one("#listing-results table")
    assert table.caption.get_text(strip=True) == "Seats by provider: one row per provider and module"
    assert [th.get_text(strip=True) for th in table.select("thead th[scope=col]")] == SEAT_HEADINGS
    assert html_rows(response) == SEAT_ROWS


def test_seats_csv_export_matches_the_table(admin_client, seats_data):
    response = admin_client.get(SEATS_URL, {"export": "csv"})

    assert "seats-by-provider-" in response["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header == SEAT_HEADINGS
    assert rows == html_rows(admin_client.get(SEATS_URL)) == SEAT_ROWS


def test_seats_filters_change_the_rows(admin_client, seats_data, second_module):
    def rows(**params):
        return html_rows(admin_client.get(SEATS_URL, params))

    assert rows(module=second_module.pk) == SEAT_ROWS[2:]
    assert rows(provider=seats_data["bluebells"].pk) == SEAT_ROWS[:1]
    # March only: the refunded order's 3 seats, one seat assigned, the open invitation sent then
    assert rows(ordered_from="2025-03-01", ordered_to="2025-03-31") == [
        ["Little Acorns Nursery", "Online safety", "3", "1", "2", "1"]
    ]
    _, *exported = read_csv(admin_client.get(SEATS_URL, {"export": "csv", "module": second_module.pk}))
    assert exported == SEAT_ROWS[2:]


def test_seats_csv_neutralises_formulas(admin_client, module_page):
    make_order(make_provider("@SUM(A1) Nursery"), module_page, 1, PAID, at(2025, 1, 1))

    _, row = read_csv(admin_client.get(SEATS_URL, {"export": "csv"}))

    assert row[0] == "'@SUM(A1) Nursery"


# --- Invoices awaiting payment --------------------------------------------------------------


@pytest.fixture
def invoices_data(module_page, second_module):
    """Three unpaid invoices, oldest first (terms in the settings: 14 days; on the invoices: 30):

    INV-000001  Acorns     Online safety       4 seats  £120.00  placed 10 Jan 2025, due 9 Feb 2025
    (none)      Acorns     Online safety       1 seat    £30.00  placed 1 Feb 2025 with no snapshot,
                                                                 so due 14 days later: 15 Feb 2025
    INV-000002  Bluebells  Reporting concerns  2 seats   £60.00  placed 5 days ago, due in 25 days

    A paid invoice, a cancelled invoice and an unpaid card order are not listed."""
    BillingSettings.objects.create(payment_terms_days=14)
    acorns, bluebells = make_provider("Little Acorns Nursery"), make_provider("Bluebells Pre-school")
    recent = timezone.now() - timedelta(days=5)
    snapshot = {"issued_on": "2025-01-10", "payment_terms_days": 30}
    make_order(
        acorns,
        module_page,
        4,
        PENDING,
        at(2025, 1, 10),
        invoice_number="INV-000001",
        invoice_snapshot=snapshot,
    )
    make_order(acorns, module_page, 1, PENDING, at(2025, 2, 1))
    make_order(
        bluebells,
        second_module,
        2,
        PENDING,
        recent,
        invoice_number="INV-000002",
        invoice_snapshot={"issued_on": timezone.localdate(recent).isoformat(), "payment_terms_days": 30},
    )
    make_order(acorns, module_page, 7, PAID, at(2025, 1, 2), invoice_number="INV-000003")
    make_order(
        acorns, module_page, 8, SeatOrder.Status.CANCELLED, at(2025, 1, 3), invoice_number="INV-000004"
    )
    make_order(bluebells, module_page, 9, PENDING, at(2025, 1, 4), method="card")
    return {"recent": timezone.localdate(recent)}


INVOICE_HEADINGS = [
    "Invoice",
    "Provider",
    "Module",
    "Seats",
    "Total incl. VAT (£)",
    "Placed on",
    "Due",
    "Days overdue",
]


def invoice_rows(recent):
    today = timezone.localdate()
    return [
        [
            "INV-000001",
            "Little Acorns Nursery",
            "Online safety",
            "4",
            "120.00",
            "2025-01-10",
            "2025-02-09",
            str((today - date(2025, 2, 9)).days),
        ],
        [
            "",
            "Little Acorns Nursery",
            "Online safety",
            "1",
            "30.00",
            "2025-02-01",
            "2025-02-15",
            str((today - date(2025, 2, 15)).days),
        ],
        [
            "INV-000002",
            "Bluebells Pre-school",
            "Reporting concerns",
            "2",
            "60.00",
            str(recent),
            str(recent + timedelta(days=30)),
            "0",
        ],
    ]


def test_invoice_figures_match_the_hand_checked_data_set(admin_client, invoices_data):
    response = admin_client.get(INVOICES_URL)

    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    table = page.select_one("#listing-results table")
    assert [th.get_text(strip=True) for th in table.select("thead th[scope=col]")][4] == "Total incl. VAT"
    rows = html_rows(response)
    expected = invoice_rows(invoices_data["recent"])
    # the order without a number shows as its name in the table (and as an empty cell in the CSV)
    assert rows[1][0].startswith("Order ")
    assert [rows[0], rows[1][1:], rows[2]] == [expected[0], expected[1][1:], expected[2]]
    assert "£120.00" in table.select("tbody tr")[0].get_text()
    # overdue is said in words, not only by the number
    assert "Overdue" in table.select("tbody tr")[0].get_text()
    assert "Overdue" not in table.select("tbody tr")[2].get_text()


def test_invoices_csv_export_matches_the_table(admin_client, invoices_data):
    response = admin_client.get(INVOICES_URL, {"export": "csv"})

    assert "invoices-awaiting-payment-" in response["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header == INVOICE_HEADINGS
    assert rows == invoice_rows(invoices_data["recent"])
    table = html_rows(admin_client.get(INVOICES_URL))
    assert [row[1:] for row in rows] == [row[1:] for row in table]
    assert [rows[0][0], rows[2][0]] == [table[0][0], table[2][0]]


def test_invoices_xlsx_export(admin_client, invoices_data):
    from openpyxl import load_workbook

    response = admin_client.get(INVOICES_URL, {"export": "xlsx"})

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == INVOICE_HEADINGS
    assert values[1][:5] == ["INV-000001", "Little Acorns Nursery", "Online safety", 4, 120]


def test_invoices_filters_change_the_rows(admin_client, invoices_data, second_module):
    expected = invoice_rows(invoices_data["recent"])

    def rows(**params):
        _, *exported = read_csv(admin_client.get(INVOICES_URL, {**params, "export": "csv"}))
        assert [row[1:] for row in exported] == [
            row[1:] for row in html_rows(admin_client.get(INVOICES_URL, params))
        ]
        return exported

    assert rows(placed_from="2025-01-01", placed_to="2025-01-31") == expected[:1]
    assert rows(placed_from="2025-02-01") == expected[1:]
    assert rows(module=second_module.pk) == expected[2:]


# --- Permission and queries -----------------------------------------------------------------


def test_the_view_seat_order_permission_opens_both_reports(client, seats_data, invoices_data):
    group = sign_in_with(client, "view_enrolment", "view_certificate", "view_provider")
    urls = [SEATS_URL, INVOICES_URL, reverse("providers_seats_report_results")]
    for url in urls + [SEATS_URL + "?export=csv", INVOICES_URL + "?export=xlsx"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("wagtailadmin_home")
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert SEATS_URL not in home and INVOICES_URL not in home

    group.permissions.add(Permission.objects.get(codename="view_seatorder"))
    # both fixtures made a "Little Acorns Nursery": two providers, so two rows for them
    assert SEAT_ROWS[1] in html_rows(client.get(SEATS_URL))
    # the three unpaid invoices and the pending order of 4 seats in the seats data
    assert len(html_rows(client.get(INVOICES_URL))) == 4
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert SEATS_URL in home and INVOICES_URL in home


def page_queries(client, url, params=None):
    client.get(url, params)  # warm per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        if response.streaming:
            b"".join(response.streaming_content)  # the CSV rows are read as they stream
    assert response.status_code == 200
    return len(queries)


def add_providers_with_seats(module, count, offset):
    """``count`` providers in bulk, each with a paid order of 5 seats, one seat assigned, one
    invitation open, and an unpaid invoice."""
    providers = Provider.objects.bulk_create(
        Provider(
            name=f"Provider {offset + n:05d}", kind="nursery", billing_name="B", billing_email="b@example.org"
        )
        for n in range(count)
    )
    SeatOrder.objects.bulk_create(
        SeatOrder(
            provider=provider,
            module=module,
            quantity=5,
            unit_price_pence=2500,
            vat_rate="20.00",
            net_pence=12500,
            vat_pence=2500,
            total_pence=15000,
            method=method,
            status=status,
            invoice_number=f"BULK-{offset + n:05d}-{status}",
            invoice_snapshot={"issued_on": "2025-01-10", "payment_terms_days": 30},
            created_at=at(2025, 1, 10),
        )
        for n, provider in enumerate(providers)
        for method, status in (("card", PAID), ("invoice", PENDING))
    )
    learner = UserFactory()  # one learner with a seat at every provider
    SeatAssignment.objects.bulk_create(
        SeatAssignment(provider=provider, module=module, user=learner) for provider in providers
    )
    Invitation.objects.bulk_create(
        Invitation(
            provider=provider,
            module=module,
            email="invited@example.org",
            expires_at=timezone.now() + timedelta(days=7),
        )
        for provider in providers
    )


@pytest.mark.parametrize("url", [SEATS_URL, INVOICES_URL])
def test_query_count_is_the_same_for_10_and_2000_providers(
    admin_client, module_page, url, django_assert_max_num_queries
):
    add_providers_with_seats(module_page, 10, 0)
    small = [page_queries(admin_client, url), page_queries(admin_client, url, {"export": "csv"})]
    add_providers_with_seats(module_page, 1990, 10)
    with django_assert_max_num_queries(small[0]):
        response = admin_client.get(url)
    large = [page_queries(admin_client, url), page_queries(admin_client, url, {"export": "csv"})]

    assert response.context["paginator"].count == 2000
    assert small == large
