"""Stripe Checkout for card orders, and reading Stripe's signed webhook events.

The only module that imports stripe. Tests replace Stripe's HTTP layer through ``_http_client``."""

import logging
from dataclasses import dataclass

import stripe
from django.conf import settings

from .models import SeatOrder
from .services import ProviderError

logger = logging.getLogger(__name__)

CARD_UNAVAILABLE = "Card payments are not available just now. Please try again, or pay by invoice."


class InvalidWebhook(Exception):
    """A webhook request we cannot trust or read: missing or wrong signature, or not JSON."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


def stripe_enabled():
    """Card payments are offered only when both Stripe keys are set."""
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)


def _http_client():
    """The HTTP client the Stripe SDK uses; None means the SDK's own. Tests replace this."""
    return None


def _client():
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, http_client=_http_client(), max_network_retries=2)


def _percent(rate):
    """20.00 -> "20", 17.50 -> "17.5"."""
    return f"{rate.normalize():f}"


def checkout_params(order, *, success_url, cancel_url):
    """What we ask Stripe for: the order's seats at the frozen price, plus its VAT, in one payment."""
    currency = order.currency
    line_items = [
        {
            "quantity": order.quantity,
            "price_data": {
                "currency": currency,
                "unit_amount": order.unit_price_pence,
                "product_data": {"name": f"{order.module.title} seat"},
            },
        }
    ]
    if order.vat_pence > 0:
        line_items.append(
            {
                "quantity": 1,
                "price_data": {
                    "currency": currency,
                    "unit_amount": order.vat_pence,
                    "product_data": {"name": f"VAT at {_percent(order.vat_rate)}%"},
                },
            }
        )
    email = (
        order.placed_by.email
        if order.placed_by_id and order.placed_by.email
        else order.provider.billing_email
    )
    reference = str(order.pk)
    return {
        "mode": "payment",
        "line_items": line_items,
        "client_reference_id": reference,
        "metadata": {"order_id": reference},
        "payment_intent_data": {"metadata": {"order_id": reference}},
        "customer_email": email,
        "success_url": success_url,
        "cancel_url": cancel_url,
    }


def create_checkout_session(order, *, success_url, cancel_url):
    """Start a Stripe Checkout payment for a pending order and remember the session on it.

    ``success_url`` may contain Stripe's ``{CHECKOUT_SESSION_ID}`` placeholder; it is passed on as is."""
    if not stripe_enabled():
        raise ProviderError(CARD_UNAVAILABLE)
    if order.status != SeatOrder.Status.PENDING:
        raise ProviderError(
            f"This order is {order.get_status_display().lower()}, so there is nothing to pay."
        )
    params = checkout_params(order, success_url=success_url, cancel_url=cancel_url)
    try:
        session = _client().v1.checkout.sessions.create(params=params)
    except stripe.StripeError:
        logger.exception("Stripe refused a Checkout Session for order %s", order.pk)
        raise ProviderError(CARD_UNAVAILABLE) from None
    order.stripe_checkout_session_id = session.id
    order.save(update_fields=["stripe_checkout_session_id"])
    return CheckoutSession(id=session.id, url=session.url)


def construct_event(payload, signature_header):
    """The event in a webhook request, as plain dicts, once its signature is checked.

    Raises InvalidWebhook when the header is missing, the signature is wrong or stale, or the body
    is not a JSON event."""
    if not signature_header:
        raise InvalidWebhook("No Stripe-Signature header.")
    try:
        event = stripe.Webhook.construct_event(payload, signature_header, settings.STRIPE_WEBHOOK_SECRET)
    except stripe.SignatureVerificationError as error:
        raise InvalidWebhook(str(error)) from None
    except (ValueError, TypeError, AttributeError) as error:  # bad JSON, or JSON that is not an object
        raise InvalidWebhook(f"Not a JSON event: {error}") from None
    data = event.to_dict()
    if not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str):
        raise InvalidWebhook("The event has no id or type.")
    return data
