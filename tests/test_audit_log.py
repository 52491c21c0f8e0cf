"""Every state change of enrolments, certificates, seat orders, seats and invitations writes Wagtail's
audit log (wagtail.log_actions) with the person who made it, and the entry shows in the admin's
history views. Changes Stripe makes through the webhook have no user: the admin shows "system",
and the message says what Stripe reported."""

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry

from certificates.models import Certificate
from certificates.services import issue_certificate, revoke_certificate
from courses import services as courses
from courses.models import Enrolment
from providers import services as providers
from providers.models import PriceTier, SeatAssignment, SeatOrder
from providers.webhooks import record_and_handle
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def entries(obj, action=None):
    """The audit log entries of ``obj`` (an instance, or (model, pk) for one that was deleted)."""
    model, pk = obj if isinstance(obj, tuple) else (type(obj), obj.pk)
    found = ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=str(pk)
    )
    return found.filter(action=action) if action else found


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


class World:
    """A module with two lessons, a learner, a member of platform staff and a provider's manager."""

    def __init__(self, module, lessons, staff):
        self.module = module
        self.lessons = lessons
        self.staff = staff
        self.learner = UserFactory(email="learner@example.org")
        self.manager = UserFactory(email="manager@acorns.example")
        PriceTier.objects.create(min_quantity=1, unit_price=Decimal("25.00"))
        self.provider = providers.create_provider(owner=self.manager, name="Little Acorns", kind="nursery")

    def enrolment(self):
        return courses.enrol(self.learner, self.module, source=Enrolment.Source.DEMO)

    def order(self, seats=3):
        return providers.place_order(
            self.provider, self.module, seats, method=SeatOrder.Method.INVOICE, placed_by=self.manager
        )

    def paid_order(self, seats=3):
        order = self.order(seats)
        providers.fulfil_order(order, actor=self.staff)
        return order

    def seat(self):
        self.paid_order()
        return providers.assign_seat(self.provider, self.module, self.learner, actor=self.manager)

    def invitation(self):
        self.paid_order()
        return providers.invite(self.provider, self.module, self.learner.email, actor=self.manager)


@pytest.fixture
def world(module_page, make_lesson, platform_staff):
    return World(module_page, [make_lesson(), make_lesson()], platform_staff)


def completed_enrolment(w):
    enrolment = w.enrolment()
    Enrolment.objects.filter(pk=enrolment.pk).update(completed_at=timezone.now())
    enrolment.refresh_from_db()
    return enrolment


def superseded(w):
    enrolment = completed_enrolment(w)
    first = issue_certificate(enrolment)
    issue_certificate(enrolment)
    return first


def refund_of_a_seat_in_use(w):
    order = w.paid_order(seats=1)
    providers.assign_seat(w.provider, w.module, w.learner, actor=w.manager)
    providers.refund_seats(order, 1, actor=w.staff)
    return order


def returned_seat(w):
    seat = w.seat()
    providers.return_seat(seat, actor=w.manager)
    return (SeatAssignment, seat.pk)


def moved_seat(w):
    seat = w.seat()
    providers.move_seat(seat, email="newcomer@example.org", actor=w.manager)
    return (SeatAssignment, seat.pk)


def accepted_invitation(w):
    invitation = w.invitation()
    providers.accept_invitation(invitation, w.learner)
    return invitation


def seat_enrolment(w):
    return w.seat().enrolment


def act(function):
    """A case whose change is a call that returns nothing: ``function(w, obj)`` on ``make(w)``."""

    def run(make):
        def case(w):
            obj = make(w)
            function(w, obj)
            return obj

        return case

    return run


# (case, make the change and return the object it logs on, action, who: an attribute of World)
CASES = [
    # Enrolments
    (
        "staff grant an enrolment",
        lambda w: courses.enrol(w.learner, w.module, source=Enrolment.Source.STAFF, granted_by=w.staff),
        "courses.enrol",
        "staff",
    ),
    ("a seat enrols its learner", seat_enrolment, "courses.enrol", "manager"),
    (
        "the learner opens a lesson",
        act(lambda w, e: courses.open_lesson(e, w.lessons[0]))(lambda w: w.enrolment()),
        "courses.start",
        "learner",
    ),
    (
        "the learner completes a first lesson unopened",
        act(lambda w, e: courses.complete_lesson(e, w.lessons[0]))(lambda w: w.enrolment()),
        "courses.start",
        "learner",
    ),
    (
        "the learner completes the module",
        act(lambda w, e: [courses.complete_lesson(e, lesson) for lesson in w.lessons])(
            lambda w: w.enrolment()
        ),
        "courses.complete_module",
        "learner",
    ),
    (
        "staff allow more quiz attempts",
        act(lambda w, e: courses.allow_more_quiz_attempts(e, actor=w.staff))(lambda w: w.enrolment()),
        "courses.allow_more_attempts",
        "staff",
    ),
    (
        "the learner starts a refresher",
        act(lambda w, e: courses.start_renewal(e, actor=w.learner))(completed_enrolment),
        "courses.renew",
        "learner",
    ),
    # Certificates
    (
        "passing issues a certificate",
        lambda w: issue_certificate(completed_enrolment(w)),
        "certificates.issue",
        "learner",
    ),
    ("a retake supersedes the old certificate", superseded, "certificates.supersede", "learner"),
    (
        "staff revoke a certificate",
        act(lambda w, c: revoke_certificate(c, reason="Issued in error.", actor=w.staff))(
            lambda w: issue_certificate(completed_enrolment(w))
        ),
        "certificates.revoke",
        "staff",
    ),
    # Seat orders
    ("a manager places an order", lambda w: w.order(), "providers.order_place", "manager"),
    ("staff mark an invoice paid", lambda w: w.paid_order(), "providers.order_paid", "staff"),
    (
        "a manager cancels an unpaid order",
        act(lambda w, o: providers.cancel_order(o, actor=w.manager, reason="Ordered twice."))(
            lambda w: w.order()
        ),
        "providers.order_cancel",
        "manager",
    ),
    (
        "staff flag an order",
        act(lambda w, o: providers.flag_order(o, "Check the purchase order.", actor=w.staff))(
            lambda w: w.order()
        ),
        "providers.order_flag",
        "staff",
    ),
    (
        "staff refund unused seats",
        act(lambda w, o: providers.refund_seats(o, 1, actor=w.staff))(lambda w: w.paid_order()),
        "providers.order_refund",
        "staff",
    ),
    (
        "a refund of a seat in use is flagged",
        refund_of_a_seat_in_use,
        "providers.order_refund_flagged",
        "staff",
    ),
    (
        "a refund for an unpaid order is flagged",
        act(lambda w, o: providers.refund_seats(o, 1, actor=w.staff))(lambda w: w.order()),
        "providers.order_flag",
        "staff",
    ),
    # Seats
    ("a manager assigns a seat", lambda w: w.seat(), "providers.seat_assign", "manager"),
    ("a manager returns a seat", returned_seat, "providers.seat_return", "manager"),
    ("a manager moves a seat", moved_seat, "providers.seat_return", "manager"),
    # Invitations
    ("a manager invites", lambda w: w.invitation(), "providers.invite", "manager"),
    (
        "a manager resends an invitation",
        act(lambda w, i: providers.resend_invitation(i, actor=w.manager))(lambda w: w.invitation()),
        "providers.invite_resend",
        "manager",
    ),
    (
        "a manager cancels an invitation",
        act(lambda w, i: providers.cancel_invitation(i, actor=w.manager))(lambda w: w.invitation()),
        "providers.invite_cancel",
        "manager",
    ),
    ("the learner accepts an invitation", accepted_invitation, "providers.invite_accept", "learner"),
]


@pytest.mark.parametrize("make, action, who", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_each_change_is_logged_with_who_made_it(make, action, who, world):
    obj = make(world)

    logged = entries(obj, action)
    assert [entry.user for entry in logged] == [getattr(world, who)]
    assert log_registry.action_exists(action)
    assert logged.get().message  # a registered action: the history shows words, not a code


def test_a_change_that_makes_nothing_new_writes_no_entry(world):
    """Repeats (a second enrol, a second opening, marking paid twice) leave the log as it was."""
    enrolment = world.enrolment()
    courses.open_lesson(enrolment, world.lessons[0])
    order = world.paid_order()
    before = ModelLogEntry.objects.count()

    world.enrolment()
    courses.open_lesson(enrolment, world.lessons[0])
    providers.fulfil_order(order, actor=world.staff)

    assert ModelLogEntry.objects.count() == before
    assert entries(enrolment, "courses.start").count() == 1


def test_a_move_logs_the_return_and_the_new_invitation(world):
    seat = world.seat()

    invitation = providers.move_seat(seat, email="newcomer@example.org", actor=world.manager)

    assert entries(invitation, "providers.invite").get().user == world.manager
    assert (
        entries((SeatAssignment, seat.pk), "providers.seat_return").get().data["learner"]
        == world.learner.email
    )


# --- Stripe: no user, and a message that says what happened ----------------------------------


def stripe_event(event_id, event_type, order, **session):
    session = {
        "id": "cs_test_1",
        "client_reference_id": str(order.pk),
        "amount_total": order.total_pence,
        "currency": order.currency,
        **session,
    }
    return {"id": event_id, "type": event_type, "data": {"object": session}}


def card_order(w):
    return providers.place_order(w.provider, w.module, 2, method=SeatOrder.Method.CARD, placed_by=w.manager)


def test_a_card_payment_stripe_confirms_is_logged_as_the_system_naming_the_payment(world):
    order = card_order(world)

    record_and_handle(
        stripe_event(
            "evt_1", "checkout.session.completed", order, payment_status="paid", payment_intent="pi_42"
        )
    )

    entry = entries(order, "providers.order_paid").get()
    assert entry.user is None
    assert entry.user_display_name == "system"
    assert entry.message == "Marked a seat order paid: card payment pi_42 confirmed by Stripe"


def test_a_failed_payment_stripe_reports_cancels_with_the_reason(world):
    order = card_order(world)

    record_and_handle(stripe_event("evt_2", "checkout.session.async_payment_failed", order))

    entry = entries(order, "providers.order_cancel").get()
    assert entry.user is None
    assert entry.message == "Cancelled a seat order: payment failed"


def test_staff_marking_paid_by_hand_names_no_stripe_payment(world):
    order = world.paid_order()

    entry = entries(order, "providers.order_paid").get()
    assert entry.user == world.staff
    assert entry.message == "Marked a seat order paid"


# --- The admin: changes made there are logged, and the history views show them -------------


def history_rows(client, url):
    """(action, user) for each row of an admin history view."""
    response = client.get(url)
    assert response.status_code == 200
    html = BeautifulSoup(response.content, "html.parser")
    rows = html.select("table tbody tr")
    return [tuple(cell.get_text(" ", strip=True) for cell in row.find_all("td")[:2]) for row in rows]


def test_staff_changes_in_the_admin_are_logged_as_theirs(world):
    client = signed_in(world.staff)
    order = world.order()
    certificate = issue_certificate(completed_enrolment(world))
    newcomer = UserFactory(email="newcomer@example.org")

    client.post(reverse("seat_order_admin:mark_paid", args=[order.pk]))
    client.post(reverse("certificates_admin:edit", args=[certificate.pk]), {"reason": "Issued in error."})
    client.post(reverse("enrolments:add"), {"learner_email": newcomer.email, "module": world.module.pk})

    assert entries(order, "providers.order_paid").get().user == world.staff
    assert entries(certificate, "certificates.revoke").get().user == world.staff
    assert Certificate.objects.get(pk=certificate.pk).status == Certificate.Status.REVOKED
    granted = Enrolment.objects.get(learner=newcomer)
    assert entries(granted, "courses.enrol").get().user == world.staff


def test_the_enrolment_history_shows_who_did_what(world):
    enrolment = world.enrolment()
    courses.open_lesson(enrolment, world.lessons[0])
    courses.allow_more_quiz_attempts(enrolment, actor=world.staff)

    rows = history_rows(signed_in(world.staff), reverse("enrolments:history", args=[enrolment.pk]))

    staff_name = entries(enrolment, "courses.allow_more_attempts").get().user_display_name
    learner_name = entries(enrolment, "courses.start").get().user_display_name
    assert ("Allowed more quiz attempts", staff_name) in rows
    assert ("Started the module", learner_name) in rows
    assert ("Enrolled on a module", "system") in rows  # the demo enrolment: no one granted it


def test_the_certificate_history_shows_issue_supersede_and_revoke(world):
    old = superseded(world)
    revoke_certificate(old, reason="Issued in error.", actor=world.staff)

    rows = history_rows(signed_in(world.staff), reverse("certificates_admin:history", args=[old.pk]))

    actions = [action for action, _user in rows]
    assert "Issued a certificate" in actions
    assert "Replaced by a newer certificate for the module" in actions
    assert ("Revoked a certificate", entries(old, "certificates.revoke").get().user_display_name) in rows


def test_the_seat_order_history_shows_stripe_as_the_system(world):
    order = card_order(world)
    providers.flag_order(order, "Check the purchase order.", actor=world.staff)
    record_and_handle(
        stripe_event(
            "evt_3", "checkout.session.completed", order, payment_status="paid", payment_intent="pi_7"
        )
    )

    rows = history_rows(signed_in(world.staff), reverse("seat_order_admin:history", args=[order.pk]))

    assert ("Marked a seat order paid: card payment pi_7 confirmed by Stripe", "system") in rows
    staff_name = entries(order, "providers.order_flag").get().user_display_name
    assert ("Asked staff to look at an order: Check the purchase order.", staff_name) in rows
    manager_name = entries(order, "providers.order_place").get().user_display_name
    assert ("Placed a seat order", manager_name) in rows


def site_history_text(user):
    response = signed_in(user).get(reverse("wagtailadmin_reports:site_history"))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


def test_seats_and_invitations_show_in_platform_staffs_site_history(world, trainer):
    """Seats and invitations have no admin listing of their own: their entries are in the site
    history, which shows platform staff (who may view both) and hides them from trainers."""
    seat = world.seat()
    providers.invite(world.provider, world.module, "newcomer@example.org", actor=world.manager)

    staff_sees = site_history_text(world.staff)
    trainer_sees = site_history_text(trainer)

    assert "Gave a seat to a learner" in staff_sees
    assert "Invited someone to take a seat" in staff_sees
    assert str(seat) in staff_sees
    for learner_data in ["Gave a seat to a learner", "Invited someone to take a seat", "Revoked", "Enrolled"]:
        assert learner_data not in trainer_sees
