"""Stripe's webhook: verify the signature, record each event once, act from allowed states.

Every event is answered 200 unless a retry could help (the database was busy): an event we ignore,
a repeat, or one that needs a person (the order is flagged) would only be sent again for nothing."""

import logging

from django.db import IntegrityError, OperationalError, transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from . import payments, services
from .models import SeatOrder, StripeEvent
from .order_forms import is_row_id
from .services import ProviderError

logger = logging.getLogger(__name__)


@csrf_exempt
def stripe_webhook(request):
    if not payments.stripe_enabled():
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        event = payments.construct_event(request.body, request.headers.get("Stripe-Signature", ""))
    except payments.InvalidWebhook as error:
        logger.warning("Rejected a Stripe webhook: %s", error)
        return HttpResponseBadRequest("Invalid webhook.", content_type="text/plain")
    try:
        outcome = record_and_handle(event)
    except OperationalError:
        logger.exception("Stripe event %s could not be handled now; Stripe will retry", event["id"])
        return HttpResponse("Busy, please retry.", status=503, content_type="text/plain")
    return HttpResponse(outcome, content_type="text/plain")


def record_and_handle(event):
    """Record the event and act on it in one transaction, so a repeat delivery changes nothing.

    On PostgreSQL a concurrent repeat waits on the event id's unique index until the first delivery
    commits, then fails to insert and is answered as a repeat."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = StripeEvent.objects.create(event_id=event["id"], type=event["type"][:100])
        except IntegrityError:
            return "already received"
        handler = HANDLERS.get(event["type"])
        if handler is None:
            outcome, order = "ignored", None
        else:
            outcome, order = handler(((event.get("data") or {}).get("object")) or {})
        record.outcome = outcome[:250]
        record.order = order
        record.save(update_fields=["outcome", "order"])
    return outcome


# --- Helpers --------------------------------------------------------------------------------


def _stripe_id(value):
    """An id field that may have been expanded into an object."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _flag(order, reason):
    """Ask a person to look at ``order``; returns the outcome to record."""
    services.flag_order(order, reason)
    logger.warning("Order %s needs attention: %s", order.pk, reason)
    return f"flagged: {reason}"


def _session_order(session):
    reference = session.get("client_reference_id") or (session.get("metadata") or {}).get("order_id")
    if not isinstance(reference, str) or not is_row_id(reference):
        return None
    return SeatOrder.objects.filter(pk=int(reference)).first()


def _session_problem(order, session):
    """Why this Checkout Session cannot pay for ``order``, or "" when it can."""
    expected = order.stripe_checkout_session_id
    if expected and session.get("id") != expected:
        return f"checkout session {session.get('id')} is not the one made for this order ({expected})"
    amount, currency = session.get("amount_total"), session.get("currency")
    if amount is not None and amount != order.total_pence:
        return f"checkout session {session.get('id')} is for {amount}p, not the order's {order.total_pence}p"
    if currency and currency.lower() != order.currency.lower():
        return f"checkout session {session.get('id')} is in {currency}, not {order.currency}"
    return ""


def _fulfil(order, session):
    payment_intent = _stripe_id(session.get("payment_intent"))
    try:
        changed = services.fulfil_order(order, payment_intent_id=payment_intent)
    except ProviderError as error:
        return _flag(
            order, f"Stripe took a card payment ({payment_intent or session.get('id')}), but: {error}"
        )
    return "fulfilled" if changed else "already paid"


def _pending_outcome(order):
    order.refresh_from_db(fields=["status"])
    if order.status == SeatOrder.Status.PENDING:
        return "waiting for payment"
    if order.status == SeatOrder.Status.PAID:
        return "already paid"
    return f"order is {order.get_status_display().lower()}"


# --- Event handlers: each takes the event's data.object and returns (outcome, order) --------


def checkout_session_completed(session):
    order = _session_order(session)
    if order is None:
        return "no matching order", None
    problem = _session_problem(order, session)
    if session.get("payment_status") == "paid":
        if problem:
            return _flag(order, f"Card payment received, but {problem}."), order
        return _fulfil(order, session), order
    # Delayed methods (Bacs Direct Debit, for example): async_payment_succeeded or _failed follows.
    if problem:
        return f"ignored: {problem}", order
    return _pending_outcome(order), order


def checkout_session_async_payment_succeeded(session):
    order = _session_order(session)
    if order is None:
        return "no matching order", None
    problem = _session_problem(order, session)
    if problem:
        return _flag(order, f"Delayed payment received, but {problem}."), order
    return _fulfil(order, session), order


def checkout_session_async_payment_failed(session):
    order = _session_order(session)
    if order is None:
        return "no matching order", None
    problem = _session_problem(order, session)
    if problem:
        return f"ignored: {problem}", order
    try:
        changed = services.cancel_order(order, reason="payment failed")
    except ProviderError:
        status = order.get_status_display().lower()
        return _flag(order, f"Stripe says the payment failed, but the order is {status}."), order
    return ("cancelled" if changed else "already cancelled"), order


def refunded_seats(order, charge):
    """The whole seats covered by the total refunded so far (a full refund takes every seat)."""
    refunded = int(charge.get("amount_refunded") or 0)
    if charge.get("refunded") or refunded >= order.total_pence:
        return order.quantity
    return max(0, refunded) * order.quantity // order.total_pence


def charge_refunded(charge):
    payment_intent = _stripe_id(charge.get("payment_intent"))
    order = (
        SeatOrder.objects.filter(stripe_payment_intent_id=payment_intent).first() if payment_intent else None
    )
    if order is None:
        return "no matching order", None
    # Lock as refund_seats does (provider, then order), so the count read here is the one it sees.
    services.lock_provider(order.provider)
    order = SeatOrder.objects.select_for_update().get(pk=order.pk)
    seats = refunded_seats(order, charge)
    before = order.seats_refunded
    if seats == 0:
        return "refund covers no whole seat", order
    if services.refund_seats(order, seats):
        removed = seats - before
        return f"refunded {removed} seat{'s' if removed != 1 else ''}", order
    order.refresh_from_db()
    if order.seats_refunded >= seats:
        return "already refunded", order
    return f"flagged: {order.needs_attention}"[:250], order


HANDLERS = {
    "checkout.session.completed": checkout_session_completed,
    "checkout.session.async_payment_succeeded": checkout_session_async_payment_succeeded,
    "checkout.session.async_payment_failed": checkout_session_async_payment_failed,
    "charge.refunded": charge_refunded,
}
