"""Admin home: invoice orders awaiting payment, for platform staff, each linking to its order."""

from datetime import datetime, time, timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from providers import services
from providers.models import BillingSettings, SeatOrder
from providers.panels import InvoicesHomePanel

pytestmark = pytest.mark.django_db

PANEL = "#invoices-awaiting-payment-section"


def days_ago_at_noon(days):
    """Noon, local time, ``days`` calendar days ago: its local date is exactly that day whatever the
    time now and whatever summer time did in between (``now - timedelta`` near midnight is not)."""
    return timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=days), time(12)))


def home(client):
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def full_list_url():
    try:
        return reverse("providers_invoices_report")
    except NoReverseMatch:
        return reverse("seat_order_admin:index") + "?status=pending&method=invoice"


@pytest.fixture
def place(module_page, manager, price_tiers):
    def make(provider, seats, *, days_ago=0, method=SeatOrder.Method.INVOICE):
        order = services.place_order(provider, module_page, seats, method=method, placed_by=manager)
        if days_ago:
            placed = days_ago_at_noon(days_ago)
            snapshot = {**order.invoice_snapshot, "issued_on": timezone.localdate(placed).isoformat()}
            SeatOrder.objects.filter(pk=order.pk).update(created_at=placed, invoice_snapshot=snapshot)
            order.refresh_from_db()
        return order

    return make


def bulk_orders(provider, module, count, days_ago=1):
    """Unpaid invoice orders straight into the database, without an invoice snapshot."""
    placed = days_ago_at_noon(days_ago)
    SeatOrder.objects.bulk_create(
        SeatOrder(
            provider=provider,
            module=module,
            quantity=2,
            unit_price_pence=2500,
            vat_rate="20.00",
            net_pence=5000,
            vat_pence=1000,
            total_pence=6000,
            method=SeatOrder.Method.INVOICE,
            created_at=placed,
        )
        for _ in range(count)
    )


def test_staff_see_unpaid_invoices_oldest_first(staff_client, provider, other_provider, place):
    old = place(other_provider, 12, days_ago=45)  # 12 x £20 + VAT = £288.00, due 15 days ago
    new = place(provider, 3)  # 3 x £25 + VAT = £90.00, due in 30 days
    place(provider, 5, method=SeatOrder.Method.CARD)  # card: Stripe settles it
    services.fulfil_order(place(provider, 4), actor=None)  # paid
    services.cancel_order(place(provider, 6), actor=None)  # cancelled

    panel = home(staff_client).select_one(PANEL)

    assert panel is not None
    assert panel.select_one("h2").get_text(strip=True) == "Invoices awaiting payment"
    table = panel.select_one("table")
    assert table.caption.get_text(strip=True) == "Invoice orders awaiting payment, the oldest first"
    assert [th.get_text(strip=True) for th in table.select("thead th[scope=col]")] == [
        "Order",
        "Provider",
        "Total",
        "Placed",
        "Due",
        "Actions",
    ]
    rows = table.select("tbody tr")
    cells = [
        [row.th.get_text(strip=True)] + [td.get_text(" ", strip=True) for td in row.select("td")]
        for row in rows
    ]
    today = timezone.localdate()
    placed_old = today - timedelta(days=45)
    assert cells == [
        [
            old.invoice_number,
            "Bluebells Pre-school",
            "£288.00",
            f"{placed_old:%-d %b %Y}",
            f"{placed_old + timedelta(days=30):%-d %b %Y} Overdue by 15 days",
            f"Mark as paid : {old.invoice_number}",
        ],
        [
            new.invoice_number,
            "Little Acorns Nursery",
            "£90.00",
            f"{today:%-d %b %Y}",
            f"{today + timedelta(days=30):%-d %b %Y}",
            f"Mark as paid : {new.invoice_number}",
        ],
    ]
    assert [row.th.a["href"] for row in rows] == [
        reverse("seat_order_admin:inspect", args=[old.pk]),
        reverse("seat_order_admin:inspect", args=[new.pk]),
    ]
    assert rows[0].select("td")[-1].a["href"] == reverse("seat_order_admin:mark_paid", args=[old.pk])
    assert "2 invoice orders are waiting for payment" in panel.p.get_text(" ", strip=True)
    assert panel.select("a")[-1]["href"] == full_list_url()


def test_the_mark_paid_link_leads_to_the_confirmation(staff_client, provider, place):
    order = place(provider, 3)
    link = home(staff_client).select_one(f"{PANEL} tbody td:last-child a")["href"]

    response = staff_client.get(link)

    assert link == reverse("seat_order_admin:mark_paid", args=[order.pk])
    assert response.status_code == 200
    assert "Only mark this order paid when the money has arrived" in response.content.decode()


@pytest.mark.parametrize("user_client", ["trainer_client", "lead_client"])
def test_trainers_do_not_see_it(request, user_client, provider, place):
    place(provider, 3)
    client = request.getfixturevalue(user_client)

    page = home(client)

    assert page.select_one(PANEL) is None
    assert "Invoices awaiting payment" not in page.get_text()


def test_nothing_to_do(staff_client, provider, place):
    services.fulfil_order(place(provider, 4), actor=None)

    panel = home(staff_client).select_one(PANEL)

    assert panel.select("table") == []
    assert panel.select_one("[data-empty]").get_text(" ", strip=True) == (
        "Nothing to do: no invoice is waiting for payment."
    )


def test_ten_at_most_with_a_link_to_all(staff_client, provider, module_page):
    bulk_orders(provider, module_page, 14, days_ago=40)

    panel = home(staff_client).select_one(PANEL)

    rows = panel.select("tbody tr")
    assert len(rows) == 10
    # no invoice snapshot: due 30 days (today's terms) after placing
    assert all("Overdue by 10 days" in row.get_text(" ", strip=True) for row in rows)
    link = panel.select("a")[-1]
    assert link.get_text(strip=True) == "See all 14 unpaid invoices"
    assert link["href"] == full_list_url()


def test_query_count_is_the_same_for_3_and_300_orders(
    rf, staff_client, platform_staff, provider, module_page, django_assert_num_queries
):
    BillingSettings.load()  # the settings row exists once anyone has looked at billing

    def measure(expected_rows):
        request = rf.get("/admin/")
        request.user = platform_staff
        # the count, the first ten with their providers, the billing settings (default terms)
        with django_assert_num_queries(3):
            html = InvoicesHomePanel().render_html({"request": request})
        assert len(BeautifulSoup(html, "html.parser").select("tbody tr")) == expected_rows
        home(staff_client)  # warm the caches
        with CaptureQueriesContext(connection) as queries:
            home(staff_client)
        return len(queries)

    bulk_orders(provider, module_page, 3)
    small = measure(3)
    bulk_orders(provider, module_page, 297)
    large = measure(10)

    assert small == large
