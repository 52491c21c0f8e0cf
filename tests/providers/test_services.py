"""The providers services: prices, orders, document numbers, seats and refunds."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from courses.models import Enrolment
from courses.services import enrol, open_lesson
from providers import services
from providers.models import BillingSettings, Invitation, Membership, SeatAssignment, SeatOrder
from providers.services import ProviderError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_creating_a_provider_makes_the_creator_its_owner(provider, manager):
    membership = Membership.objects.get(provider=provider)
    assert (membership.user, membership.role) == (manager, Membership.Role.OWNER)
    assert ModelLogEntry.objects.filter(action="providers.create", object_id=str(provider.pk)).exists()


@pytest.mark.parametrize(
    ("quantity", "unit_pence", "net", "vat"),
    [
        (1, 2500, 2500, 500),
        (9, 2500, 22500, 4500),
        (10, 2000, 20000, 4000),
        (12, 2000, 24000, 4800),
        (50, 1500, 75000, 15000),
    ],
)
def test_quote_uses_the_largest_tier_the_quantity_reaches(price_tiers, quantity, unit_pence, net, vat):
    price = services.quote(quantity)
    assert (price.unit_price_pence, price.net_pence, price.vat_pence) == (unit_pence, net, vat)
    assert price.total_pence == net + vat


def test_vat_is_rounded_half_up_to_the_penny(price_tiers):
    settings = BillingSettings.load()
    settings.vat_rate = Decimal("17.5")
    settings.save()
    # 1 seat at £25.00: VAT 437.5p rounds to 438p.
    assert services.quote(1).vat_pence == 438


@pytest.mark.parametrize("quantity", [0, -1, 1001, "12", 2.5, None])
def test_quote_refuses_impossible_quantities(price_tiers, quantity):
    with pytest.raises(ProviderError, match="between 1 and 1000"):
        services.quote(quantity)


def test_no_price_tiers_means_no_sale(db):
    with pytest.raises(ProviderError, match="no price"):
        services.quote(3)


def test_invoice_orders_are_numbered_when_placed_and_card_orders_when_paid(
    provider, module_page, manager, price_tiers
):
    invoice = services.place_order(
        provider, module_page, 3, method="invoice", placed_by=manager, purchase_order=" PO-7 "
    )
    card = services.place_order(provider, module_page, 2, method="card", placed_by=manager)
    assert invoice.invoice_number == "INV-000001"
    assert invoice.purchase_order == "PO-7"
    assert invoice.invoice_snapshot["customer_name"] == "Little Acorns Nursery"
    assert card.invoice_number is None
    services.fulfil_order(card)
    card.refresh_from_db()
    assert card.invoice_number == "INV-000002"
    later = services.place_order(provider, module_page, 1, method="invoice", placed_by=manager)
    assert later.invoice_number == "INV-000003"


def test_fulfilling_twice_gives_the_seats_once(provider, module_page, manager, price_tiers):
    order = services.place_order(provider, module_page, 4, method="invoice", placed_by=manager)
    assert services.seat_counts(provider, module_page).available == 0
    assert services.fulfil_order(order, actor=manager) is True
    assert services.fulfil_order(order, actor=manager) is False
    assert services.seat_counts(provider, module_page).available == 4
    assert ModelLogEntry.objects.filter(action="providers.order_paid", object_id=str(order.pk)).count() == 1


def test_a_cancelled_order_cannot_be_paid(provider, module_page, manager, price_tiers):
    order = services.place_order(provider, module_page, 4, method="invoice", placed_by=manager)
    services.cancel_order(order, actor=manager)
    with pytest.raises(ProviderError, match="cancelled"):
        services.fulfil_order(order)
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.CANCELLED
    assert services.seat_counts(provider, module_page).purchased == 0


def test_a_paid_order_cannot_be_cancelled(paid_order):
    order = paid_order(seats=2)
    with pytest.raises(ProviderError, match="awaiting payment"):
        services.cancel_order(order)


def test_the_database_refuses_an_order_whose_total_does_not_add_up(provider, module_page, manager):
    with pytest.raises(IntegrityError):
        SeatOrder.objects.create(
            provider=provider,
            module=module_page,
            quantity=1,
            unit_price_pence=100,
            vat_rate=20,
            net_pence=100,
            vat_pence=20,
            total_pence=999,
            method="invoice",
        )


def test_seats_count_assigned_and_invited_against_paid_orders(provider, module_page, manager, paid_order):
    paid_order(seats=3)
    services.assign_seat(provider, module_page, manager, actor=manager)
    services.invite(provider, module_page, "new@acorns.example", actor=manager)
    counts = services.seat_counts(provider, module_page)
    assert (counts.purchased, counts.assigned, counts.invited, counts.available) == (3, 1, 1, 1)


def test_an_expired_invitation_no_longer_holds_a_seat(provider, module_page, manager, paid_order):
    paid_order(seats=1)
    invitation = services.invite(provider, module_page, "late@acorns.example", actor=manager)
    assert services.seat_counts(provider, module_page).available == 0
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.seat_counts(provider, module_page).available == 1


def test_assigning_a_seat_enrols_the_learner_and_needs_a_free_seat(
    provider, module_page, manager, paid_order
):
    paid_order(seats=1)
    assignment = services.assign_seat(provider, module_page, manager, actor=manager)
    assert assignment.enrolment == Enrolment.objects.get(learner=manager, module=module_page)
    assert assignment.enrolment.source == Enrolment.Source.SEAT
    someone = UserFactory()
    with pytest.raises(ProviderError, match="no free seats"):
        services.assign_seat(provider, module_page, someone, actor=manager)
    assert not Enrolment.objects.filter(learner=someone).exists()


def test_a_person_cannot_hold_two_seats_of_one_provider_for_one_module(
    provider, module_page, manager, paid_order
):
    paid_order(seats=2)
    services.assign_seat(provider, module_page, manager, actor=manager)
    with pytest.raises(ProviderError, match="already has a seat"):
        services.assign_seat(provider, module_page, manager, actor=manager)
    assert SeatAssignment.objects.count() == 1


def test_returning_an_unstarted_seat_frees_it_and_ends_access(
    provider, module_page, staff_member, manager, paid_order
):
    paid_order(seats=1)
    assignment = services.assign_seat(provider, module_page, staff_member, actor=manager)
    services.return_seat(assignment, actor=manager)
    assert not Enrolment.objects.filter(learner=staff_member).exists()
    assert services.seat_counts(provider, module_page).available == 1


def test_a_started_seat_cannot_be_returned_or_moved(
    provider, module_page, make_lesson, staff_member, manager, paid_order
):
    lesson = make_lesson()
    paid_order(seats=1)
    assignment = services.assign_seat(provider, module_page, staff_member, actor=manager)
    open_lesson(assignment.enrolment, lesson)
    with pytest.raises(ProviderError, match="has started"):
        services.return_seat(assignment, actor=manager)
    with pytest.raises(ProviderError, match="has started"):
        services.move_seat(assignment, email="other@acorns.example", actor=manager)
    assert SeatAssignment.objects.filter(pk=assignment.pk).exists()
    assert not Invitation.objects.exists()


def test_returning_a_seat_keeps_an_enrolment_that_came_from_elsewhere(
    provider, module_page, staff_member, manager, paid_order
):
    enrol(staff_member, module_page, source=Enrolment.Source.STAFF)
    paid_order(seats=1)
    assignment = services.assign_seat(provider, module_page, staff_member, actor=manager)
    services.return_seat(assignment, actor=manager)
    assert Enrolment.objects.filter(learner=staff_member, source=Enrolment.Source.STAFF).exists()


def test_moving_a_seat_returns_it_and_invites_the_new_person_in_one_change(
    provider, module_page, staff_member, manager, paid_order
):
    paid_order(seats=1)
    assignment = services.assign_seat(provider, module_page, staff_member, actor=manager)
    invitation = services.move_seat(
        assignment, email="New.Person@Acorns.example", name="New Person", actor=manager
    )
    assert invitation.email == "new.person@acorns.example"
    assert not SeatAssignment.objects.exists()
    assert services.seat_counts(provider, module_page).available == 0


def test_a_refund_takes_back_free_seats_once(provider, module_page, paid_order):
    order = paid_order(seats=5)
    assert services.refund_seats(order, 2) is True
    assert services.refund_seats(order, 2) is False  # the same cumulative refund again
    order.refresh_from_db()
    assert (order.seats_refunded, order.status) == (2, SeatOrder.Status.PAID)
    assert services.seat_counts(provider, module_page).available == 3
    services.refund_seats(order, 5)
    order.refresh_from_db()
    assert order.status == SeatOrder.Status.REFUNDED
    assert services.seat_counts(provider, module_page).available == 0


def test_a_refund_of_seats_in_use_is_flagged_and_removes_none(provider, module_page, manager, paid_order):
    order = paid_order(seats=2)
    services.assign_seat(provider, module_page, manager, actor=manager)
    assert services.refund_seats(order, 2) is False
    order.refresh_from_db()
    assert order.seats_refunded == 0
    assert "only 1 unused" in order.needs_attention
    assert services.seat_counts(provider, module_page).assigned == 1


def test_accepting_an_invitation_takes_its_seat(provider, module_page, manager, paid_order):
    paid_order(seats=1)
    invitation = services.invite(provider, module_page, "Sam@Acorns.example", name="Sam", actor=manager)
    sam = UserFactory(email="sam@acorns.example")
    assignment = services.accept_invitation(invitation, sam)
    assert assignment.enrolment.learner == sam
    assert Membership.objects.get(provider=provider, user=sam).role == Membership.Role.LEARNER
    counts = services.seat_counts(provider, module_page)
    assert (counts.assigned, counts.invited, counts.available) == (1, 0, 0)
    assert services.accept_invitation(invitation, sam) == assignment  # accepting twice is harmless


def test_an_invitation_is_only_for_the_address_it_was_sent_to(provider, module_page, manager, paid_order):
    paid_order(seats=1)
    invitation = services.invite(provider, module_page, "sam@acorns.example", actor=manager)
    with pytest.raises(ProviderError, match="sent to sam@acorns.example"):
        services.accept_invitation(invitation, UserFactory(email="someone@else.example"))
    assert not SeatAssignment.objects.exists()
