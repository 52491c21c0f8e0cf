"""The Stripe webhook: signed, real-shaped events posted to it, outcomes read back from the database."""

import json

import pytest
from django.db import OperationalError
from django.urls import reverse

from providers import payments, services
from providers.models import DocumentSequence, SeatOrder, StripeEvent
from tests.factories import UserFactory
from tests.providers.stripe_events import (
    SECRET_KEY,
    WEBHOOK_SECRET,
    FakeStripeAPI,
    charge,
    checkout_session,
    event,
    new_id,
    post_event,
    post_raw,
    signed,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def stripe_keys(settings):
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET


@pytest.fixture
def card_order(provider, module_page, manager, price_tiers):
    """A pending card order whose Checkout Session has been created (10 seats: £240.00 with VAT)."""

    def make(seats=10):
        order = services.place_order(
            provider, module_page, seats, method=SeatOrder.Method.CARD, placed_by=manager
        )
        order.stripe_checkout_session_id = new_id("cs")
        order.save(update_fields=["stripe_checkout_session_id"])
        return order

    return make


def completed(order, payment_status="paid", **fields):
    return event(
        "checkout.session.completed", checkout_session(order, payment_status=payment_status, **fields)
    )


def async_succeeded(order, **fields):
    return event("checkout.session.async_payment_succeeded", checkout_session(order, **fields))


def async_failed(order, **fields):
    return event(
        "checkout.session.async_payment_failed", checkout_session(order, payment_status="unpaid", **fields)
    )


def refunded(order, amount_refunded):
    return event(
        "charge.refunded",
        charge(
            payment_intent=order.stripe_payment_intent_id,
            amount=order.total_pence,
            amount_refunded=amount_refunded,
        ),
    )


def outcome(evt):
    return StripeEvent.objects.get(event_id=evt["id"]).outcome


def available(order):
    return services.seat_counts(order.provider, order.module).available


def invoice_numbers_used():
    sequence = DocumentSequence.objects.filter(name="invoice").first()
    return sequence.last_number if sequence else 0


# --- Paying -------------------------------------------------------------------------------------


def test_paid_checkout_session_fulfils_the_order(client, card_order):
    order = card_order(10)
    evt = completed(order, payment_intent="pi_test_paid_once")

    response = post_event(client, evt)

    assert response.status_code == 200
    assert response.content == b"fulfilled"
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.PAID
    assert order.paid_at is not None
    assert order.stripe_payment_intent_id == "pi_test_paid_once"
    assert order.invoice_number and order.invoice_number.startswith("INV-")
    assert order.invoice_snapshot["customer_name"] == "Little Acorns Nursery"
    counts = services.seat_counts(order.provider, order.module)
    assert (counts.purchased, counts.available) == (10, 10)
    record = StripeEvent.objects.get()
    assert (record.event_id, record.type, record.order, record.outcome) == (
        evt["id"],
        "checkout.session.completed",
        order,
        "fulfilled",
    )


def test_same_event_twenty_times_gives_the_seats_once(client, card_order):
    order = card_order(10)
    evt = completed(order)

    responses = [post_event(client, evt) for _ in range(20)]

    assert [r.status_code for r in responses] == [200] * 20
    assert responses[0].content == b"fulfilled"
    assert {r.content for r in responses[1:]} == {b"already received"}
    assert StripeEvent.objects.count() == 1
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.PAID
    assert services.seat_counts(order.provider, order.module).purchased == 10
    assert invoice_numbers_used() == 1


def test_checkout_then_webhook_journey(client, card_order, monkeypatch):
    """The session our code creates (through the real SDK) is the one the webhook accepts."""
    api = FakeStripeAPI()
    monkeypatch.setattr(payments, "_http_client", lambda: api)
    order = card_order(3)
    session = payments.create_checkout_session(
        order, success_url="https://training.example/done", cancel_url="https://training.example/billing"
    )

    response = post_event(client, completed(order, session_id=session.id))

    assert response.content == b"fulfilled"
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.PAID
    assert available(order) == 3


def test_a_new_event_for_an_order_already_paid_changes_nothing(client, card_order):
    order = card_order(10)
    post_event(client, completed(order, payment_intent="pi_test_first"))
    order.refresh_from_db()
    paid_at, number = order.paid_at, order.invoice_number

    repeat = completed(order, payment_intent="pi_test_first")
    response = post_event(client, repeat)

    assert response.status_code == 200
    assert outcome(repeat) == "already paid"
    order.refresh_from_db()
    assert (order.paid_at, order.invoice_number) == (paid_at, number)
    assert StripeEvent.objects.count() == 2
    assert services.seat_counts(order.provider, order.module).purchased == 10
    assert invoice_numbers_used() == 1


# --- Delayed payment methods and out-of-order delivery -------------------------------------------


def test_unpaid_session_waits_then_async_success_fulfils(client, card_order):
    order = card_order(10)
    first = completed(order, payment_status="unpaid", payment_intent="pi_test_bacs")

    response = post_event(client, first)

    assert response.status_code == 200
    assert outcome(first) == "waiting for payment"
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.PENDING
    assert order.invoice_number is None
    assert available(order) == 0

    second = async_succeeded(order, payment_intent="pi_test_bacs")
    post_event(client, second)

    assert outcome(second) == "fulfilled"
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.PAID
    assert order.stripe_payment_intent_id == "pi_test_bacs"
    assert available(order) == 10


def test_unpaid_session_then_async_failure_cancels(client, card_order):
    order = card_order(10)
    post_event(client, completed(order, payment_status="unpaid"))

    failed = async_failed(order)
    response = post_event(client, failed)

    assert response.status_code == 200
    assert outcome(failed) == "cancelled"
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.CANCELLED
    assert order.cancelled_at is not None
    assert available(order) == 0


def test_async_success_before_completed(client, card_order):
    order = card_order(10)
    success = async_succeeded(order, payment_intent="pi_test_early")
    late = completed(order, payment_status="unpaid", payment_intent="pi_test_early")

    post_event(client, success)
    response = post_event(client, late)

    assert response.status_code == 200
    assert (outcome(success), outcome(late)) == ("fulfilled", "already paid")
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.PAID
    assert available(order) == 10
    assert invoice_numbers_used() == 1


def test_async_failure_before_completed(client, card_order):
    order = card_order(10)
    failure = async_failed(order)
    late = completed(order, payment_status="unpaid")

    post_event(client, failure)
    response = post_event(client, late)

    assert response.status_code == 200
    assert (outcome(failure), outcome(late)) == ("cancelled", "order is cancelled")
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.CANCELLED
    assert available(order) == 0


def test_payment_for_a_cancelled_order_is_flagged_not_lost(client, card_order):
    order = card_order(10)
    services.cancel_order(order)
    evt = completed(order, payment_intent="pi_test_too_late")

    response = post_event(client, evt)

    assert response.status_code == 200  # a retry would not help; a person must look
    assert outcome(evt).startswith("flagged")
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.CANCELLED
    assert "pi_test_too_late" in order.needs_attention
    assert "cancelled" in order.needs_attention
    assert available(order) == 0


def test_async_failure_for_a_paid_order_is_flagged(client, card_order):
    order = card_order(10)
    post_event(client, completed(order))
    failure = async_failed(order)

    response = post_event(client, failure)

    assert response.status_code == 200
    assert outcome(failure).startswith("flagged")
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.PAID
    assert order.needs_attention
    assert available(order) == 10


def test_a_session_that_is_not_the_orders_does_not_pay_it(client, card_order):
    order = card_order(10)
    evt = completed(order, session_id="cs_test_somebody_elses")

    response = post_event(client, evt)

    assert response.status_code == 200
    assert outcome(evt).startswith("flagged")
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.PENDING
    assert "cs_test_somebody_elses" in order.needs_attention
    assert available(order) == 0


def test_a_session_for_a_different_amount_does_not_pay_it(client, card_order):
    order = card_order(10)
    evt = completed(order, amount_total=100)

    post_event(client, evt)

    order.refresh_from_db()
    assert order.status == SeatOrder.Status.PENDING
    assert outcome(evt).startswith("flagged")


def test_a_session_for_no_known_order_is_recorded(client, card_order):
    order = card_order(10)
    evt = completed(order, client_reference_id="999999", metadata={})

    response = post_event(client, evt)

    assert response.status_code == 200
    record = StripeEvent.objects.get()
    assert (record.outcome, record.order) == ("no matching order", None)
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.PENDING


# --- Refunds ------------------------------------------------------------------------------------


@pytest.fixture
def paid_card_order(client, card_order):
    def make(seats=10):
        order = card_order(seats)
        post_event(client, completed(order))
        order.refresh_from_db()
        assert order.status == SeatOrder.Status.PAID
        return order

    return make


def test_full_refund_takes_back_free_seats(client, paid_card_order):
    order = paid_card_order(10)
    evt = refunded(order, order.total_pence)

    response = post_event(client, evt)

    assert response.status_code == 200
    assert outcome(evt) == "refunded 10 seats"
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.REFUNDED
    assert order.seats_refunded == 10
    assert available(order) == 0
    assert StripeEvent.objects.get(event_id=evt["id"]).order == order


def test_partial_refunds_take_back_whole_seats(client, paid_card_order):
    order = paid_card_order(10)  # £24.00 a seat with VAT, £240.00 in all
    first = refunded(order, 7199)  # just under three seats: two whole seats

    post_event(client, first)

    assert outcome(first) == "refunded 2 seats"
    order.refresh_from_db()
    assert (order.status, order.seats_refunded, available(order)) == (SeatOrder.Status.PAID, 2, 8)

    second = refunded(order, 7200)  # running total now covers three seats
    post_event(client, second)
    assert outcome(second) == "refunded 1 seat"
    order.refresh_from_db()
    assert (order.seats_refunded, available(order)) == (3, 7)

    small = refunded(order, 7300)  # not another whole seat
    post_event(client, small)
    assert outcome(small) == "already refunded"
    order.refresh_from_db()
    assert order.seats_refunded == 3

    rest = refunded(order, order.total_pence)
    post_event(client, rest)
    assert outcome(rest) == "refunded 7 seats"
    order.refresh_from_db()
    assert (order.status, order.seats_refunded, available(order)) == (SeatOrder.Status.REFUNDED, 10, 0)


def test_refund_smaller_than_a_seat_takes_nothing(client, paid_card_order):
    order = paid_card_order(10)
    evt = refunded(order, 500)

    post_event(client, evt)

    assert outcome(evt) == "refund covers no whole seat"
    order.refresh_from_db()
    assert (order.status, order.seats_refunded) == (SeatOrder.Status.PAID, 0)


def test_refund_of_seats_in_use_is_flagged_and_removes_none(client, paid_card_order, staff_member, manager):
    order = paid_card_order(2)
    services.assign_seat(order.provider, order.module, staff_member, actor=manager)
    services.invite(order.provider, order.module, "new.starter@acorns.example", actor=manager)
    assert available(order) == 0
    evt = refunded(order, order.total_pence)

    response = post_event(client, evt)

    assert response.status_code == 200
    assert outcome(evt).startswith("flagged")
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.PAID
    assert order.seats_refunded == 0
    assert "only 0 unused" in order.needs_attention
    counts = services.seat_counts(order.provider, order.module)
    assert (counts.purchased, counts.assigned, counts.invited) == (2, 1, 1)


def test_refund_with_some_seats_in_use_takes_only_as_many_as_are_free(client, paid_card_order, manager):
    order = paid_card_order(10)
    for _ in range(4):
        services.assign_seat(order.provider, order.module, UserFactory(), actor=manager)
    # Six seats free: refunding six is fine, refunding seven is not.
    six = refunded(order, 6 * 2400)
    post_event(client, six)
    assert outcome(six) == "refunded 6 seats"

    seventh = refunded(order, 7 * 2400)
    post_event(client, seventh)
    assert outcome(seventh).startswith("flagged")
    order.refresh_from_db()
    assert order.seats_refunded == 6
    assert order.needs_attention


def test_refund_for_an_unknown_payment_is_recorded(client, paid_card_order):
    order = paid_card_order(10)
    evt = event(
        "charge.refunded", charge(payment_intent="pi_test_not_ours", amount=5000, amount_refunded=5000)
    )

    response = post_event(client, evt)

    assert response.status_code == 200
    assert outcome(evt) == "no matching order"
    order.refresh_from_db()
    assert (order.status, order.seats_refunded) == (SeatOrder.Status.PAID, 0)


# --- Requests we refuse or ignore -------------------------------------------------------------


def _assert_nothing_changed(order):
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.PENDING
    assert order.invoice_number is None
    assert StripeEvent.objects.count() == 0


def test_tampered_body_is_refused(client, card_order):
    order = card_order(10)
    payload = json.dumps(completed(order, payment_status="unpaid"))
    header = signed(payload)

    response = post_raw(client, payload.replace('"unpaid"', '"paid"'), header)

    assert response.status_code == 400
    _assert_nothing_changed(order)


def test_wrong_secret_is_refused(client, card_order):
    order = card_order(10)

    response = post_event(client, completed(order), secret="whsec_not_ours")

    assert response.status_code == 400
    _assert_nothing_changed(order)


def test_missing_signature_is_refused(client, card_order):
    order = card_order(10)

    response = post_raw(client, json.dumps(completed(order)))

    assert response.status_code == 400
    _assert_nothing_changed(order)


def test_replayed_old_delivery_is_refused(client, card_order):
    order = card_order(10)
    payload = json.dumps(completed(order))

    response = post_raw(client, payload, signed(payload, timestamp=1_600_000_000))

    assert response.status_code == 400
    _assert_nothing_changed(order)


def test_signed_body_that_is_not_json_is_refused(client, card_order):
    order = card_order(10)

    response = post_raw(client, "not json", signed("not json"))

    assert response.status_code == 400
    _assert_nothing_changed(order)


def test_get_is_not_allowed(client, card_order):
    order = card_order(10)

    response = client.get(reverse("providers:stripe_webhook"))

    assert response.status_code == 405
    _assert_nothing_changed(order)


@pytest.mark.parametrize("missing", ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"])
def test_webhook_is_not_there_without_stripe(client, card_order, settings, missing):
    order = card_order(10)
    evt = completed(order)
    payload = json.dumps(evt)
    header = signed(payload)
    setattr(settings, missing, "")

    response = post_raw(client, payload, header)

    assert response.status_code == 404
    _assert_nothing_changed(order)


def test_unknown_event_type_is_recorded_and_ignored(client, card_order):
    order = card_order(10)
    evt = event("customer.created", {"id": "cus_test_1", "object": "customer", "email": "a@example.com"})

    response = post_event(client, evt)

    assert response.status_code == 200
    record = StripeEvent.objects.get()
    assert (record.event_id, record.type, record.outcome, record.order) == (
        evt["id"],
        "customer.created",
        "ignored",
        None,
    )
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.PENDING


def test_expired_session_is_ignored(client, card_order):
    order = card_order(10)
    evt = event(
        "checkout.session.expired", checkout_session(order, payment_status="unpaid", status="expired")
    )

    post_event(client, evt)

    assert outcome(evt) == "ignored"
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.PENDING


def test_busy_database_asks_stripe_to_retry_and_the_retry_works(client, card_order, monkeypatch):
    order = card_order(10)
    evt = completed(order)
    real_fulfil = services.fulfil_order

    def busy(*args, **kwargs):
        raise OperationalError("could not obtain lock on row in relation")

    monkeypatch.setattr(services, "fulfil_order", busy)
    response = post_event(client, evt)

    assert response.status_code == 503
    assert StripeEvent.objects.count() == 0  # not recorded, so the retry is handled in full
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.PENDING

    monkeypatch.setattr(services, "fulfil_order", real_fulfil)
    retry = post_event(client, evt)

    assert retry.status_code == 200
    assert outcome(evt) == "fulfilled"
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.PAID
