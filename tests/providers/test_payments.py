"""Stripe Checkout: the request our code sends, as seen at the HTTP boundary under the real SDK."""

import json
from decimal import Decimal

import pytest
import stripe

from providers import payments, services
from providers.models import BillingSettings, SeatOrder
from providers.services import ProviderError
from tests.providers.stripe_events import (
    SECRET_KEY,
    WEBHOOK_SECRET,
    FakeStripeAPI,
    checkout_session,
    event,
    signed,
)

pytestmark = pytest.mark.django_db

SUCCESS_URL = "https://training.example/providers/1/billing/7/?session_id={CHECKOUT_SESSION_ID}"
CANCEL_URL = "https://training.example/providers/1/billing/7/"


@pytest.fixture
def stripe_keys(settings):
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET


@pytest.fixture
def stripe_api(monkeypatch, stripe_keys):
    api = FakeStripeAPI()
    monkeypatch.setattr(payments, "_http_client", lambda: api)
    return api


@pytest.fixture
def card_order(provider, module_page, manager, price_tiers):
    def make(seats=12, placed_by=manager):
        return services.place_order(
            provider, module_page, seats, method=SeatOrder.Method.CARD, placed_by=placed_by
        )

    return make


def test_checkout_session_request_charges_the_order_total(stripe_api, card_order):
    order = card_order(12)  # 12 x £20.00 + 20% VAT = £288.00

    session = payments.create_checkout_session(order, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)

    assert len(stripe_api.requests) == 1
    sent = stripe_api.requests[0]
    assert sent["method"] == "post"
    assert sent["url"] == "https://api.stripe.com/v1/checkout/sessions"
    assert sent["headers"]["Authorization"] == f"Bearer {SECRET_KEY}"
    form = dict(sent["form"])
    assert form["mode"] == "payment"
    assert form["line_items[0][quantity]"] == "12"
    assert form["line_items[0][price_data][unit_amount]"] == "2000"
    assert form["line_items[0][price_data][currency]"] == "gbp"
    assert form["line_items[0][price_data][product_data][name]"] == "Online safety seat"
    assert form["line_items[1][quantity]"] == "1"
    assert form["line_items[1][price_data][unit_amount]"] == "4800"
    assert form["line_items[1][price_data][currency]"] == "gbp"
    assert form["line_items[1][price_data][product_data][name]"] == "VAT at 20%"
    assert "line_items[2][quantity]" not in form
    charged = sum(
        int(form[f"line_items[{i}][quantity]"]) * int(form[f"line_items[{i}][price_data][unit_amount]"])
        for i in (0, 1)
    )
    assert charged == order.total_pence == 28800
    assert form["client_reference_id"] == str(order.pk)
    assert form["metadata[order_id]"] == str(order.pk)
    assert form["customer_email"] == "manager@acorns.example"
    assert form["success_url"] == SUCCESS_URL  # Stripe's placeholder passed through untouched
    assert form["cancel_url"] == CANCEL_URL

    assert session.id.startswith("cs_test_")
    assert session.url == f"https://checkout.stripe.com/c/pay/{session.id}#fidkdWxOYHwnPyd1blpxYHZxWjA0"
    order.refresh_from_db()
    assert order.stripe_checkout_session_id == session.id
    assert order.status == SeatOrder.Status.PENDING


def test_without_vat_there_is_one_line_and_billing_email_when_nobody_placed_it(stripe_api, card_order):
    billing = BillingSettings.load()
    billing.vat_rate = Decimal("0")
    billing.save()
    order = card_order(3, placed_by=None)
    assert order.vat_pence == 0

    payments.create_checkout_session(order, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)

    form = dict(stripe_api.requests[0]["form"])
    assert form["line_items[0][quantity]"] == "3"
    assert form["line_items[0][price_data][unit_amount]"] == "2500"
    assert "line_items[1][quantity]" not in form
    assert form["customer_email"] == "accounts@acorns.example"


def test_odd_vat_rate_is_named_exactly(stripe_api, card_order):
    billing = BillingSettings.load()
    billing.vat_rate = Decimal("17.50")
    billing.save()
    order = card_order(1)  # £25.00 + 17.5% = £4.375 -> 438p

    payments.create_checkout_session(order, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)

    form = dict(stripe_api.requests[0]["form"])
    assert form["line_items[1][price_data][product_data][name]"] == "VAT at 17.5%"
    assert form["line_items[1][price_data][unit_amount]"] == "438"
    assert order.total_pence == 2500 + 438


def test_stripe_error_becomes_a_provider_error_and_nothing_is_stored(stripe_api, card_order):
    order = card_order(2)
    stripe_api.error = (
        400,
        {
            "error": {
                "type": "invalid_request_error",
                "code": "parameter_invalid_empty",
                "message": "Bad request",
            }
        },
    )

    with pytest.raises(ProviderError) as raised:
        payments.create_checkout_session(order, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)

    assert (
        str(raised.value) == "Card payments are not available just now. Please try again, or pay by invoice."
    )
    assert len(stripe_api.requests) == 1
    order.refresh_from_db()
    assert order.stripe_checkout_session_id is None


def test_network_failure_becomes_a_provider_error(monkeypatch, stripe_keys, card_order):
    class Unreachable(FakeStripeAPI):
        def request(self, *args, **kwargs):
            raise stripe.APIConnectionError("Could not connect to Stripe.")

    monkeypatch.setattr(payments, "_http_client", Unreachable)
    order = card_order(2)

    with pytest.raises(ProviderError, match="pay by invoice"):
        payments.create_checkout_session(order, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)
    order.refresh_from_db()
    assert order.stripe_checkout_session_id is None


def test_an_order_that_is_not_pending_is_not_sent_to_stripe(stripe_api, card_order):
    order = card_order(2)
    services.cancel_order(order)

    with pytest.raises(ProviderError, match="cancelled"):
        payments.create_checkout_session(order, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)
    assert stripe_api.requests == []


@pytest.mark.parametrize(
    ("secret_key", "webhook_secret", "enabled"),
    [
        ("", "", False),
        (SECRET_KEY, "", False),
        ("", WEBHOOK_SECRET, False),
        (SECRET_KEY, WEBHOOK_SECRET, True),
    ],
)
def test_stripe_enabled_needs_both_keys(settings, secret_key, webhook_secret, enabled):
    settings.STRIPE_SECRET_KEY = secret_key
    settings.STRIPE_WEBHOOK_SECRET = webhook_secret
    assert payments.stripe_enabled() is enabled


def test_without_keys_checkout_refuses_before_calling_stripe(settings, monkeypatch, card_order):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    api = FakeStripeAPI()
    monkeypatch.setattr(payments, "_http_client", lambda: api)

    with pytest.raises(ProviderError):
        payments.create_checkout_session(card_order(1), success_url=SUCCESS_URL, cancel_url=CANCEL_URL)
    assert api.requests == []


def test_construct_event_returns_plain_data_for_a_good_signature(stripe_keys, card_order):
    order = card_order(2)
    payload = json.dumps(event("checkout.session.completed", checkout_session(order)))

    data = payments.construct_event(payload.encode(), signed(payload))

    assert data["type"] == "checkout.session.completed"
    assert data["data"]["object"]["client_reference_id"] == str(order.pk)
    assert isinstance(data["data"]["object"], dict)


@pytest.mark.parametrize(
    "problem", ["missing header", "wrong secret", "tampered", "not json", "old timestamp", "garbled header"]
)
def test_construct_event_rejects_what_it_cannot_trust(stripe_keys, card_order, problem):
    payload = json.dumps(event("checkout.session.completed", checkout_session(card_order(2))))
    header = signed(payload)
    if problem == "missing header":
        header = ""
    elif problem == "wrong secret":
        header = signed(payload, secret="whsec_someone_else")
    elif problem == "tampered":
        payload = payload.replace('"paid"', '"unpaid"')
    elif problem == "not json":
        payload = "this is not json"
        header = signed(payload)
    elif problem == "old timestamp":
        header = signed(payload, timestamp=1_600_000_000)
    elif problem == "garbled header":
        header = "nonsense"

    with pytest.raises(payments.InvalidWebhook):
        payments.construct_event(payload.encode(), header)
