"""Platform staff in the Wagtail admin: providers, seat orders (mark paid, cancel) and price tiers."""

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.urls import reverse
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from providers import services
from providers.models import Membership, PriceTier, SeatOrder
from providers.wagtail_hooks import LOG_ACTIONS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def text(response):
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


@pytest.fixture
def invoice_order(provider, module_page, manager, price_tiers):
    return services.place_order(provider, module_page, 12, method=SeatOrder.Method.INVOICE, placed_by=manager)


@pytest.fixture
def card_order(provider, module_page, manager, price_tiers):
    return services.place_order(provider, module_page, 3, method=SeatOrder.Method.CARD, placed_by=manager)


def mark_paid_url(order):
    return reverse("seat_order_admin:mark_paid", args=[order.pk])


def cancel_url(order):
    return reverse("seat_order_admin:cancel_order", args=[order.pk])


def test_every_provider_log_action_is_registered():
    registered = {action for action, label in log_registry.get_choices()}

    assert {action for action, _, _ in LOG_ACTIONS} <= registered
    assert "providers.inspection_link_revoke" in registered


def test_mark_paid_asks_first_then_makes_the_seats_available(
    staff_client, platform_staff, invoice_order, provider
):
    confirm = staff_client.get(mark_paid_url(invoice_order))
    assert confirm.status_code == 200
    assert "Only mark this order paid when the money has arrived" in text(confirm)
    invoice_order.refresh_from_db()
    assert invoice_order.status == SeatOrder.Status.PENDING

    response = staff_client.post(mark_paid_url(invoice_order), follow=True)

    invoice_order.refresh_from_db()
    assert invoice_order.status == SeatOrder.Status.PAID
    assert invoice_order.paid_at is not None
    assert invoice_order.invoice_number == "INV-000001"  # the same number: the invoice becomes the receipt
    assert services.seat_counts(provider, invoice_order.module).available == 12
    entry = ModelLogEntry.objects.get(action="providers.order_paid")
    assert (entry.user, entry.object_id) == (platform_staff, str(invoice_order.pk))
    assert "12 seats are now available" in text(response)


def test_marking_paid_twice_is_harmless(staff_client, invoice_order, provider):
    staff_client.post(mark_paid_url(invoice_order))
    response = staff_client.post(mark_paid_url(invoice_order), follow=True)

    assert "already paid; nothing changed" in text(response)
    assert services.seat_counts(provider, invoice_order.module).purchased == 12
    assert ModelLogEntry.objects.filter(action="providers.order_paid").count() == 1


def test_card_orders_cannot_be_marked_paid_in_the_admin(staff_client, card_order, provider):
    confirm = staff_client.get(mark_paid_url(card_order))
    response = staff_client.post(mark_paid_url(card_order), follow=True)

    assert "Card orders are marked paid by Stripe" in text(confirm)
    assert 'type="submit"' not in str(BeautifulSoup(confirm.content, "html.parser").select_one("main"))
    assert "Card orders are marked paid by Stripe" in text(response)
    card_order.refresh_from_db()
    assert card_order.status == SeatOrder.Status.PENDING
    assert card_order.invoice_number is None
    assert services.seat_counts(provider, card_order.module).purchased == 0


def test_a_cancelled_order_cannot_be_marked_paid(staff_client, invoice_order):
    services.cancel_order(invoice_order)

    response = staff_client.post(mark_paid_url(invoice_order), follow=True)

    assert "cannot be marked paid" in text(response)
    invoice_order.refresh_from_db()
    assert invoice_order.status == SeatOrder.Status.CANCELLED


def test_staff_cancel_a_pending_order(staff_client, platform_staff, card_order):
    assert "Cancel this unpaid order?" in text(staff_client.get(cancel_url(card_order)))

    response = staff_client.post(cancel_url(card_order), follow=True)

    card_order.refresh_from_db()
    assert card_order.status == SeatOrder.Status.CANCELLED
    assert ModelLogEntry.objects.get(action="providers.order_cancel").user == platform_staff
    assert "is cancelled" in text(response)


def test_a_paid_order_cannot_be_cancelled_in_the_admin(staff_client, paid_order):
    order = paid_order(seats=4)

    response = staff_client.post(cancel_url(order), follow=True)

    assert "Only an order awaiting payment can be cancelled." in text(response)
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.PAID


def test_people_without_admin_access_cannot_mark_paid(client, provider, manager, invoice_order):
    # The provider's own manager is not platform staff.
    client.force_login(manager)
    for url in (mark_paid_url(invoice_order), reverse("seat_order_admin:index")):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("wagtailadmin_login") in response["Location"]
    response = client.post(mark_paid_url(invoice_order))
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response["Location"]

    client.logout()
    assert client.post(mark_paid_url(invoice_order)).status_code == 302
    invoice_order.refresh_from_db()
    assert invoice_order.status == SeatOrder.Status.PENDING


def test_staff_without_the_change_permission_cannot_mark_paid(client, invoice_order):
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="view_seatorder")
    )
    client.force_login(editor)

    assert client.get(reverse("seat_order_admin:index")).status_code == 200
    assert client.post(mark_paid_url(invoice_order)).status_code in (302, 403)
    invoice_order.refresh_from_db()
    assert invoice_order.status == SeatOrder.Status.PENDING


def test_order_list_shows_columns_filters_and_actions(staff_client, invoice_order, card_order, paid_order):
    paid = paid_order(seats=2)
    paid.needs_attention = "Refund of 2 seats: check with the provider."
    paid.save()

    response = staff_client.get(reverse("seat_order_admin:index"))

    assert response.status_code == 200
    page = text(response)
    for expected in [
        "Little Acorns Nursery",
        "Online safety",
        "£288.00",
        "£90.00",
        "INV-000001",
        "Refund of 2 seats",
    ]:
        assert expected in page
    html = response.content.decode()
    assert mark_paid_url(invoice_order) in html
    assert mark_paid_url(card_order) not in html  # card orders are paid through Stripe
    assert mark_paid_url(paid) not in html
    filtered = text(staff_client.get(reverse("seat_order_admin:index") + "?status=paid&method=invoice"))
    assert "£60.00" in filtered and "£288.00" not in filtered and "£90.00" not in filtered


def test_order_edit_only_touches_the_reference_and_the_flag(staff_client, invoice_order):
    url = reverse("seat_order_admin:edit", args=[invoice_order.pk])
    form = BeautifulSoup(staff_client.get(url).content, "html.parser")
    assert form.select_one("[name=purchase_order]") is not None
    assert form.select_one("[name=total_pence]") is None and form.select_one("[name=status]") is None

    staff_client.post(
        url, {"purchase_order": "PO-2", "needs_attention": "", "total_pence": "1", "status": "paid"}
    )

    invoice_order.refresh_from_db()
    assert invoice_order.purchase_order == "PO-2"
    assert (invoice_order.total_pence, invoice_order.status) == (28800, SeatOrder.Status.PENDING)
    assert staff_client.get(reverse("seat_order_admin:add")).status_code in (302, 403)


def test_order_inspect_page_shows_amounts_and_mark_paid(staff_client, invoice_order):
    response = staff_client.get(reverse("seat_order_admin:inspect", args=[invoice_order.pk]))

    page = text(response)
    assert "Total £288.00" in page and "VAT at 20% £48.00" in page
    assert mark_paid_url(invoice_order) in response.content.decode()


def test_provider_list_shows_kind_urn_members_and_searches_by_name(
    staff_client, provider, other_provider, staff_member
):
    provider.ofsted_urn = "EY123456"
    provider.save()

    response = staff_client.get(reverse("provider_admin:index"))
    searched = text(staff_client.get(reverse("provider_admin:index") + "?q=acorns"))

    soup = BeautifulSoup(response.content, "html.parser")
    row = next(tr for tr in soup.select("tbody tr") if "Little Acorns" in tr.get_text())
    cells = " ".join(row.get_text(" ").split())
    assert "Nursery" in cells and "EY123456" in cells
    assert Membership.objects.filter(provider=provider).count() == 2
    assert " 2 " in f" {cells} "
    assert "Little Acorns Nursery" in searched and "Bluebells" not in searched


def test_price_tiers_can_be_created_edited_and_deleted(staff_client):
    response = staff_client.post(
        reverse("price_tier_admin:add"), {"min_quantity": "1", "unit_price": "24.50"}
    )
    assert response.status_code == 302
    tier = PriceTier.objects.get()
    assert tier.unit_price == Decimal("24.50")

    staff_client.post(
        reverse("price_tier_admin:edit", args=[tier.pk]), {"min_quantity": "1", "unit_price": "22"}
    )
    tier.refresh_from_db()
    assert tier.unit_price == Decimal("22.00")
    assert services.quote(2).net_pence == 4400

    bad = staff_client.post(reverse("price_tier_admin:add"), {"min_quantity": "0", "unit_price": "0.10"})
    assert bad.status_code == 200
    assert PriceTier.objects.count() == 1

    staff_client.post(reverse("price_tier_admin:delete", args=[tier.pk]))
    assert not PriceTier.objects.exists()


def test_providers_menu_groups_the_three_lists(staff_client):
    html = staff_client.get(reverse("wagtailadmin_home")).content.decode()

    for name in ("provider_admin", "seat_order_admin", "price_tier_admin"):
        assert reverse(f"{name}:index") in html
