"""Stripe-shaped test data: signed webhook events, and a stand-in for Stripe's HTTP API.

Events are built like the ones Stripe sends (API objects inside an event envelope) and signed with
the real stripe library, so the endpoint checks them exactly as it would in production."""

import itertools
import json
import time
from urllib.parse import parse_qsl

import stripe
from django.urls import reverse

WEBHOOK_SECRET = "whsec_test_0123456789abcdef"
SECRET_KEY = "sk_test_0123456789abcdef"
API_VERSION = "2025-08-27.basil"

_numbers = itertools.count(1)


def new_id(prefix):
    return f"{prefix}_test_{time.time_ns():x}{next(_numbers):04d}"


def checkout_session(order, *, payment_status="paid", session_id=None, payment_intent=None, **fields):
    """A Checkout Session object for ``order`` as Stripe returns it once the customer has finished."""
    created = int(time.time())
    session = {
        "id": session_id or order.stripe_checkout_session_id or new_id("cs"),
        "object": "checkout.session",
        "amount_subtotal": order.total_pence,
        "amount_total": order.total_pence,
        "automatic_tax": {"enabled": False, "liability": None, "status": None},
        "billing_address_collection": None,
        "cancel_url": "https://training.example/providers/1/billing/",
        "client_reference_id": str(order.pk),
        "created": created,
        "currency": order.currency,
        "customer": None,
        "customer_creation": "if_required",
        "customer_details": {
            "address": None,
            "email": order.placed_by.email if order.placed_by else order.provider.billing_email,
            "name": "Ann Acorn",
            "phone": None,
            "tax_exempt": "none",
            "tax_ids": [],
        },
        "customer_email": order.placed_by.email if order.placed_by else order.provider.billing_email,
        "expires_at": created + 86400,
        "livemode": False,
        "locale": None,
        "metadata": {"order_id": str(order.pk)},
        "mode": "payment",
        "payment_intent": payment_intent or new_id("pi"),
        "payment_method_types": ["card", "bacs_debit"],
        "payment_status": payment_status,
        "status": "complete",
        "success_url": "https://training.example/providers/1/billing/1/?session_id={CHECKOUT_SESSION_ID}",
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        "url": None,
    }
    session.update(fields)
    return session


def charge(*, payment_intent, amount, amount_refunded, currency="gbp"):
    """A Charge object as sent with ``charge.refunded`` (amount_refunded is the running total)."""
    return {
        "id": new_id("ch"),
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": amount_refunded,
        "captured": True,
        "created": int(time.time()),
        "currency": currency,
        "livemode": False,
        "metadata": {},
        "paid": True,
        "payment_intent": payment_intent,
        "payment_method_details": {"type": "card"},
        "refunded": amount_refunded >= amount,
        "status": "succeeded",
    }


def event(type_, obj, *, event_id=None):
    """The event envelope Stripe posts to a webhook endpoint."""
    return {
        "id": event_id or new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": type_,
    }


def signed(payload, secret=WEBHOOK_SECRET, timestamp=None):
    """The Stripe-Signature header for ``payload`` (a str)."""
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)


def post_event(client, evt, *, secret=WEBHOOK_SECRET):
    """Post ``evt`` to the webhook, signed as Stripe would sign it."""
    payload = json.dumps(evt)
    return post_raw(client, payload, signed(payload, secret))


def post_raw(client, payload, signature=None):
    headers = {"HTTP_STRIPE_SIGNATURE": signature} if signature is not None else {}
    return client.post(
        reverse("providers:stripe_webhook"), data=payload, content_type="application/json", **headers
    )


class FakeStripeAPI(stripe.HTTPClient):
    """Stands in for the network under the real Stripe SDK: records each request and answers as
    Stripe's API does. Set ``error`` to (status, body) to answer with an API error instead."""

    name = "fake"

    def __init__(self):
        super().__init__()
        self.requests = []
        self.error = None

    def request(self, method, url, headers, post_data=None, **kwargs):
        if isinstance(post_data, bytes):
            post_data = post_data.decode()
        form = parse_qsl(post_data or "", keep_blank_values=True)
        self.requests.append({"method": method, "url": url, "headers": dict(headers or {}), "form": form})
        if self.error:
            status, body = self.error
            return json.dumps(body), status, {"request-id": "req_test_error"}
        fields = dict(form)
        return json.dumps(self._session(fields)), 200, {"request-id": new_id("req")}

    def request_stream(self, *args, **kwargs):
        raise NotImplementedError

    def close(self):
        pass

    @staticmethod
    def _session(fields):
        session_id = new_id("cs")
        total = 0
        for index in itertools.count():
            prefix = f"line_items[{index}]"
            if f"{prefix}[quantity]" not in fields:
                break
            total += int(fields[f"{prefix}[quantity]"]) * int(fields[f"{prefix}[price_data][unit_amount]"])
        created = int(time.time())
        return {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": total,
            "amount_total": total,
            "cancel_url": fields.get("cancel_url"),
            "client_reference_id": fields.get("client_reference_id"),
            "created": created,
            "currency": fields.get("line_items[0][price_data][currency]"),
            "customer": None,
            "customer_email": fields.get("customer_email"),
            "expires_at": created + 86400,
            "livemode": False,
            "metadata": {"order_id": fields.get("metadata[order_id]")},
            "mode": fields.get("mode"),
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": fields.get("success_url"),
            "url": f"https://checkout.stripe.com/c/pay/{session_id}#fidkdWxOYHwnPyd1blpxYHZxWjA0",
        }
