"""Stripe delivering at the same moment from several connections still pays an order once (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from providers import services
from providers.models import DocumentSequence, SeatOrder, StripeEvent
from tests.providers.stripe_events import (
    SECRET_KEY,
    WEBHOOK_SECRET,
    checkout_session,
    event,
    new_id,
    post_event,
)

pytestmark = [
    # serialized_rollback: tests that flush the database may run first, and the page tree needs the
    # root page, site and locale that the migrations created.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL; CI runs it there"),
]


@pytest.fixture(autouse=True)
def stripe_keys(settings):
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET


@pytest.fixture
def card_order(provider, module_page, manager, price_tiers):
    order = services.place_order(provider, module_page, 10, method=SeatOrder.Method.CARD, placed_by=manager)
    order.stripe_checkout_session_id = new_id("cs")
    order.save(update_fields=["stripe_checkout_session_id"])
    return order


def deliver_at_once(events):
    """Post each event from its own thread (own connection), all released together."""
    barrier = threading.Barrier(len(events))
    responses, errors = [], []

    def deliver(evt):
        try:
            barrier.wait(timeout=10)
            response = post_event(Client(), evt)
            responses.append((response.status_code, response.content.decode()))
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver, args=(evt,)) for evt in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses, errors


def test_same_event_from_ten_connections_gives_seats_once(card_order):
    evt = event("checkout.session.completed", checkout_session(card_order, payment_intent="pi_test_race"))

    responses, errors = deliver_at_once([evt] * 10)

    assert errors == []
    assert [status for status, _ in responses] == [200] * 10
    assert sorted(body for _, body in responses) == ["already received"] * 9 + ["fulfilled"]
    assert StripeEvent.objects.count() == 1
    card_order.refresh_from_db()
    assert card_order.status == SeatOrder.Status.PAID
    assert card_order.stripe_payment_intent_id == "pi_test_race"
    assert services.seat_counts(card_order.provider, card_order.module).purchased == 10
    assert DocumentSequence.objects.get(name="invoice").last_number == 1


def test_completed_and_async_succeeded_at_once_pay_once(card_order):
    session = checkout_session(card_order, payment_intent="pi_test_both")
    completed = event("checkout.session.completed", session)
    succeeded = event("checkout.session.async_payment_succeeded", session)

    responses, errors = deliver_at_once([completed, succeeded])

    assert errors == []
    assert sorted(responses) == [(200, "already paid"), (200, "fulfilled")]
    assert set(StripeEvent.objects.values_list("event_id", flat=True)) == {completed["id"], succeeded["id"]}
    card_order.refresh_from_db()
    assert card_order.status == SeatOrder.Status.PAID
    assert services.seat_counts(card_order.provider, card_order.module).purchased == 10
    assert DocumentSequence.objects.get(name="invoice").last_number == 1
