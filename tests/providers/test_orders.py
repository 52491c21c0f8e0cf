"""Managers buy seats (invoice or card), see their orders and billing history, and cancel unpaid orders."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import ModelLogEntry

from courses.models import ModulePage
from providers import payments, services
from providers.models import BillingSettings, Membership, SeatOrder
from tests.factories import UserFactory
from tests.providers.stripe_events import FakeStripeAPI

pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_off(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""


@pytest.fixture
def stripe_on(settings, monkeypatch):
    """Card payments on, with Stripe's HTTP API replaced by a recorder that answers as Stripe does."""
    settings.STRIPE_SECRET_KEY = "sk_test_orders"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_orders"
    api = FakeStripeAPI()
    monkeypatch.setattr(payments, "_http_client", lambda: api)
    return api


def buy_url(provider):
    return reverse("providers:buy", args=[provider.pk])


def order_url(order, query=""):
    return reverse("providers:order", args=[order.provider_id, order.pk]) + query


def text(response):
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


def post_buy(client, provider, module, quantity="12", method="invoice", action="place", **extra):
    data = {"module": module.pk, "quantity": quantity, "method": method, "action": action, **extra}
    if action == "place" and "quoted_total" not in extra:
        # What the quote step put in the form: place exactly the price the manager saw.
        data["quoted_total"] = str(services.quote(int(quantity)).total_pence)
    return client.post(buy_url(provider), data)


# --- Buying ---------------------------------------------------------------------------------


def test_buy_page_shows_price_tiers_and_preselects_the_only_module(
    manager_client, provider, module_page, price_tiers, stripe_off
):
    response = manager_client.get(buy_url(provider))

    assert response.status_code == 200
    page = text(response)
    assert "1 to 9 £25.00" in page
    assert "10 to 49 £20.00" in page
    assert "50 or more £15.00" in page
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("select[name=module] option[selected]")["value"] == str(module_page.pk)
    assert soup.select_one("label[for=id_quantity]") is not None


def test_show_the_price_quotes_net_vat_and_total_without_ordering(
    manager_client, provider, module_page, price_tiers, stripe_off
):
    response = post_buy(manager_client, provider, module_page, quantity="12", action="quote")

    assert response.status_code == 200
    page = text(response)
    assert "12 seats at £20.00 each" in page
    assert "Price before VAT £240.00" in page
    assert "VAT at 20% £48.00" in page
    assert "Total to pay £288.00" in page
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("input[name=quoted_total]")["value"] == "28800"
    assert soup.select_one("button[value=place]") is not None
    assert not SeatOrder.objects.exists()


def test_placing_an_invoice_order_numbers_it_and_keeps_the_purchase_order(
    manager_client, manager, provider, module_page, price_tiers, stripe_off
):
    response = post_buy(manager_client, provider, module_page, quantity="12", purchase_order=" PO-7781 ")

    order = SeatOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == order_url(order)
    assert (order.provider, order.module, order.quantity) == (provider, module_page, 12)
    assert (order.net_pence, order.vat_pence, order.total_pence) == (24000, 4800, 28800)
    assert order.method == SeatOrder.Method.INVOICE
    assert order.status == SeatOrder.Status.PENDING
    assert order.invoice_number == "INV-000001"
    assert order.purchase_order == "PO-7781"
    assert order.placed_by == manager
    assert ModelLogEntry.objects.filter(action="providers.order_place", object_id=str(order.pk)).exists()
    page = text(manager_client.get(response["Location"]))
    assert "Order placed. Your invoice is ready to download; seats appear when payment arrives." in page
    assert services.seat_counts(provider, module_page).purchased == 0  # not until it is paid


def test_placing_without_having_seen_the_price_shows_the_price_first(
    manager_client, provider, module_page, price_tiers, stripe_off
):
    first = post_buy(manager_client, provider, module_page, quantity="12", quoted_total="")
    changed = post_buy(manager_client, provider, module_page, quantity="60", quoted_total="28800")

    assert first.status_code == changed.status_code == 200
    assert "Total to pay £288.00" in text(first)
    assert "Total to pay £1,080.00" in text(changed)
    assert "Check the price below" in text(changed)
    assert not SeatOrder.objects.exists()


def test_card_order_redirects_to_stripe_checkout(
    manager_client, provider, module_page, price_tiers, stripe_on
):
    form = manager_client.get(buy_url(provider))
    assert 'value="card"' in form.content.decode()

    response = post_buy(
        manager_client, provider, module_page, quantity="3", method="card", purchase_order="PO-1"
    )

    order = SeatOrder.objects.get()
    assert response.status_code == 303
    assert response["Location"].startswith(
        "https://checkout.stripe.com/c/pay/" + order.stripe_checkout_session_id
    )
    assert order.method == SeatOrder.Method.CARD
    assert order.status == SeatOrder.Status.PENDING
    assert order.invoice_number is None  # numbered when Stripe says it is paid
    assert order.purchase_order == ""
    (request,) = stripe_on.requests
    form = dict(request["form"])
    assert form["client_reference_id"] == str(order.pk)
    assert form["success_url"] == "http://testserver" + order_url(order, "?checkout=success")
    assert form["cancel_url"] == "http://testserver" + order_url(order, "?checkout=cancelled")


def test_checkout_that_cannot_start_shows_the_message_and_cancels_the_order(
    manager_client, provider, module_page, price_tiers, stripe_on
):
    stripe_on.error = (
        500,
        {"error": {"type": "api_error", "message": "Something went wrong on Stripe's end."}},
    )

    response = post_buy(manager_client, provider, module_page, quantity="3", method="card")

    assert response.status_code == 400
    assert "Card payments are not available just now" in text(response)
    assert SeatOrder.objects.get().status == SeatOrder.Status.CANCELLED


def test_card_is_hidden_without_stripe_and_a_forged_card_order_is_refused(
    manager_client, provider, module_page, price_tiers, stripe_off
):
    form = manager_client.get(buy_url(provider))
    assert 'value="card"' not in form.content.decode()
    assert 'value="invoice"' in form.content.decode()

    response = post_buy(manager_client, provider, module_page, quantity="3", method="card")

    assert response.status_code == 400
    assert "That way of paying is not available" in text(response)
    assert not SeatOrder.objects.exists()


@pytest.mark.parametrize(
    "quantity, message",
    [
        ("0", "Choose between 1 and 1000 seats."),
        ("-1", "Choose between 1 and 1000 seats."),
        ("1001", "Choose between 1 and 1000 seats."),
        ("abc", "Enter the number of seats as a whole number"),
        ("", "Enter the number of seats."),
    ],
)
def test_bad_quantity_is_a_form_error_and_orders_nothing(
    manager_client, provider, module_page, price_tiers, stripe_off, quantity, message
):
    response = manager_client.post(
        buy_url(provider),
        {
            "module": module_page.pk,
            "quantity": quantity,
            "method": "invoice",
            "action": "place",
            "quoted_total": "1",
        },
    )

    assert response.status_code == 400
    assert message in text(response)
    assert "There is a problem" in text(response)
    assert not SeatOrder.objects.exists()


def test_missing_unknown_or_unpublished_module_is_refused(
    manager_client, provider, module_page, course_page, price_tiers, stripe_off
):
    draft = course_page.add_child(instance=ModulePage(title="Draft module", slug="draft-module", live=False))
    for module in ["", str(draft.pk), "999999", "abc"]:
        response = manager_client.post(
            buy_url(provider),
            {
                "module": module,
                "quantity": "12",
                "method": "invoice",
                "action": "place",
                "quoted_total": "28800",
            },
        )
        assert response.status_code == 400, module
        assert "Choose a module" in text(response)
    assert "Draft module" not in manager_client.get(buy_url(provider)).content.decode()
    assert not SeatOrder.objects.exists()


def test_without_price_tiers_the_page_says_seats_are_not_on_sale(
    manager_client, provider, module_page, stripe_off
):
    page = manager_client.get(buy_url(provider))
    response = manager_client.post(
        buy_url(provider), {"module": module_page.pk, "quantity": "3", "method": "invoice", "action": "quote"}
    )

    assert page.status_code == 200
    assert "Seats are not on sale yet" in text(page)
    assert response.status_code == 400
    assert "Seats are not on sale yet" in text(response)
    assert not SeatOrder.objects.exists()


# --- The order page and cancelling ----------------------------------------------------------


@pytest.fixture
def card_order(provider, module_page, manager, price_tiers):
    return services.place_order(provider, module_page, 3, method=SeatOrder.Method.CARD, placed_by=manager)


@pytest.fixture
def invoice_order(provider, module_page, manager, price_tiers):
    return services.place_order(
        provider, module_page, 12, method=SeatOrder.Method.INVOICE, placed_by=manager, purchase_order="PO-42"
    )


def test_order_page_shows_amounts_method_reference_and_invoice_link(manager_client, invoice_order):
    response = manager_client.get(order_url(invoice_order))

    assert response.status_code == 200
    page = text(response)
    for expected in [
        "Awaiting payment",
        "Seats 12",
        "Price before VAT £240.00",
        "VAT at 20% £48.00",
        "Total £288.00",
        "Payment Invoice",
        "Purchase order reference PO-42",
        "Invoice number INV-000001",
    ]:
        assert expected in page
    pdf_link = reverse("providers:invoice_pdf", args=[invoice_order.provider_id, invoice_order.pk])
    assert f'href="{pdf_link}"' in response.content.decode()


def test_checkout_success_says_seats_are_coming_and_changes_nothing(manager_client, card_order, provider):
    response = manager_client.get(order_url(card_order, "?checkout=success"))

    assert response.status_code == 200
    assert (
        "Payment received. Your seats will appear shortly, usually within a minute; refresh this page."
        in text(response)
    )
    card_order.refresh_from_db()
    assert card_order.status == SeatOrder.Status.PENDING
    assert card_order.invoice_number is None
    assert services.seat_counts(provider, card_order.module).purchased == 0
    assert "invoice.pdf" not in response.content.decode()


def test_checkout_success_message_is_not_shown_once_paid(manager_client, card_order):
    services.fulfil_order(card_order)

    page = text(manager_client.get(order_url(card_order, "?checkout=success")))

    assert "Your seats will appear shortly" not in page
    assert "Paid" in page


def test_checkout_cancelled_offers_to_cancel_or_pay_by_invoice(manager_client, card_order, provider):
    response = manager_client.get(order_url(card_order, "?checkout=cancelled"))

    page = text(response)
    assert "Payment was cancelled; nothing was charged" in page
    soup = BeautifulSoup(response.content, "html.parser")
    cancel_form = soup.find(
        "form", action=reverse("providers:order_cancel", args=[provider.pk, card_order.pk])
    )
    assert cancel_form is not None and cancel_form["method"] == "post"
    invoice_link = soup.find("a", string="Pay by invoice instead")
    assert "method=invoice" in invoice_link["href"] and "quantity=3" in invoice_link["href"]
    card_order.refresh_from_db()
    assert card_order.status == SeatOrder.Status.PENDING


def test_pay_by_invoice_instead_prefills_the_buy_form(
    manager_client, provider, module_page, price_tiers, stripe_on
):
    response = manager_client.get(buy_url(provider) + f"?module={module_page.pk}&quantity=3&method=invoice")

    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("input[name=quantity]")["value"] == "3"
    assert soup.select_one("input[name=method][value=invoice]").has_attr("checked")


def test_manager_cancels_a_pending_order(manager_client, manager, invoice_order):
    url = reverse("providers:order_cancel", args=[invoice_order.provider_id, invoice_order.pk])

    assert manager_client.get(url).status_code == 405
    response = manager_client.post(url, follow=True)

    invoice_order.refresh_from_db()
    assert invoice_order.status == SeatOrder.Status.CANCELLED
    assert "The order was cancelled" in text(response)
    assert ModelLogEntry.objects.get(action="providers.order_cancel").user == manager


def test_a_paid_order_cannot_be_cancelled(manager_client, paid_order):
    order = paid_order(seats=5)

    response = manager_client.post(
        reverse("providers:order_cancel", args=[order.provider_id, order.pk]), follow=True
    )

    order.refresh_from_db()
    assert order.status == SeatOrder.Status.PAID
    assert "Only an order awaiting payment can be cancelled." in text(response)


# --- Billing history ------------------------------------------------------------------------


def test_billing_lists_orders_newest_first_with_seat_summary(
    manager_client, provider, module_page, manager, price_tiers, paid_order, staff_member
):
    paid = paid_order(seats=12)
    services.assign_seat(provider, module_page, staff_member, actor=manager)
    services.invite(provider, module_page, "new.starter@example.org", actor=manager)
    card = services.place_order(provider, module_page, 3, method=SeatOrder.Method.CARD, placed_by=manager)

    response = manager_client.get(reverse("providers:billing", args=[provider.pk]))

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    (orders,) = [t for t in soup.select("table") if "Orders" in t.caption.get_text()]
    rows = [" ".join(row.get_text(" ").split()) for row in orders.select("tbody tr")]
    assert rows[0].startswith(f"Order {card.pk}")
    assert "£90.00" in rows[0] and "Awaiting payment" in rows[0] and "Not yet" in rows[0]
    assert rows[1].startswith(f"Order {paid.pk}")
    assert "£288.00" in rows[1] and "Paid" in rows[1] and "INV-000001" in rows[1]
    (seats,) = [t for t in soup.select("table") if "Seats by module" in t.caption.get_text()]
    assert " ".join(seats.select_one("tbody tr").get_text(" ").split()) == "Online safety 12 1 1 10"


def test_billing_queries_do_not_grow_with_orders(manager_client, provider, module_page, manager, price_tiers):
    url = reverse("providers:billing", args=[provider.pk])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(url).status_code == 200
        return len(captured)

    for _ in range(2):
        services.place_order(provider, module_page, 2, method=SeatOrder.Method.INVOICE, placed_by=manager)
    queries()  # the first page of a session also works out the person's roles (users.roles)
    few = queries()
    for _ in range(15):
        services.place_order(provider, module_page, 2, method=SeatOrder.Method.INVOICE, placed_by=manager)
    assert queries() == few


# --- Who may see these pages ----------------------------------------------------------------


def test_another_providers_order_pages_are_404(
    manager_client, provider, other_provider, module_page, price_tiers
):
    theirs = services.place_order(
        other_provider, module_page, 2, method=SeatOrder.Method.INVOICE, placed_by=None
    )

    for name in ["order", "invoice_pdf"]:
        # Through our own provider's URL, and through theirs.
        assert (
            manager_client.get(reverse(f"providers:{name}", args=[provider.pk, theirs.pk])).status_code == 404
        )
        assert (
            manager_client.get(reverse(f"providers:{name}", args=[other_provider.pk, theirs.pk])).status_code
            == 404
        )
    for provider_id in (provider.pk, other_provider.pk):
        response = manager_client.post(reverse("providers:order_cancel", args=[provider_id, theirs.pk]))
        assert response.status_code == 404
    assert manager_client.get(reverse("providers:billing", args=[other_provider.pk])).status_code == 404
    assert manager_client.get(reverse("providers:buy", args=[other_provider.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == SeatOrder.Status.PENDING


def test_a_staff_member_of_the_provider_gets_404(client, provider, staff_member, invoice_order, module_page):
    assert Membership.objects.get(user=staff_member).role == Membership.Role.LEARNER
    client.force_login(staff_member)

    urls = [
        reverse("providers:buy", args=[provider.pk]),
        reverse("providers:billing", args=[provider.pk]),
        reverse("providers:order", args=[provider.pk, invoice_order.pk]),
        reverse("providers:invoice_pdf", args=[provider.pk, invoice_order.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("providers:order_cancel", args=[provider.pk, invoice_order.pk])).status_code
        == 404
    )
    assert (
        client.post(
            reverse("providers:buy", args=[provider.pk]),
            {"module": module_page.pk, "quantity": "2", "method": "invoice", "action": "place"},
        ).status_code
        == 404
    )
    invoice_order.refresh_from_db()
    assert invoice_order.status == SeatOrder.Status.PENDING
    assert SeatOrder.objects.count() == 1


def test_signed_out_visitors_are_sent_to_sign_in(client, provider):
    response = client.get(reverse("providers:billing", args=[provider.pk]))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_vat_rate_comes_from_billing_settings_at_order_time(
    manager_client, provider, module_page, price_tiers, stripe_off
):
    billing = BillingSettings.load()
    billing.vat_rate = "17.5"
    billing.save()

    response = post_buy(manager_client, provider, module_page, quantity="2", action="quote")

    assert "VAT at 17.5% £8.75" in text(response)
    assert "Total to pay £58.75" in text(response)
    UserFactory()  # unrelated users change nothing
