"""State changes for providers, orders, seats and invitations. Views and webhooks call these.

Every change that counts seats locks the provider's row first, so two managers (or a manager and a
webhook) acting at the same moment are served one after the other and never give away a seat twice."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log

from courses.models import Enrolment
from courses.services import enrol

from .models import (
    INVITATION_VALID_FOR,
    MAX_SEATS_PER_ORDER,
    BillingSettings,
    DocumentSequence,
    Invitation,
    Membership,
    PriceTier,
    Provider,
    SeatAssignment,
    SeatOrder,
)

PAID_STATUSES = (SeatOrder.Status.PAID, SeatOrder.Status.REFUNDED)


class ProviderError(Exception):
    """A change a manager asked for that cannot happen; the message is shown to them."""


# --- Providers ------------------------------------------------------------------------------


def create_provider(*, owner, **fields):
    """A new provider with ``owner`` as its owner."""
    with transaction.atomic():
        provider = Provider.objects.create(**fields)
        Membership.objects.create(provider=provider, user=owner, role=Membership.Role.OWNER)
        log(provider, "providers.create", user=owner, data={"name": provider.name})
    return provider


def update_provider(provider, form, *, actor):
    """Save a validated settings form and record which fields changed."""
    with transaction.atomic():
        form.save()
        log(provider, "providers.update", user=actor, data={"changed": form.changed_data})
    return provider


def lock_provider(provider):
    """Lock the provider's row until the transaction ends (a no-op on SQLite, which locks the file)."""
    return Provider.objects.select_for_update().get(pk=provider.pk)


# --- Prices and orders ----------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    quantity: int
    unit_price_pence: int
    vat_rate: Decimal
    net_pence: int
    vat_pence: int

    @property
    def total_pence(self):
        return self.net_pence + self.vat_pence


def quote(quantity):
    """The price of ``quantity`` seats: the tier with the largest minimum the quantity reaches."""
    if not isinstance(quantity, int) or not 1 <= quantity <= MAX_SEATS_PER_ORDER:
        raise ProviderError(f"Choose between 1 and {MAX_SEATS_PER_ORDER} seats.")
    tier = PriceTier.objects.filter(min_quantity__lte=quantity).order_by("-min_quantity").first()
    if tier is None:
        raise ProviderError("Seats are not on sale yet: no price has been set. Please contact us.")
    vat_rate = BillingSettings.load().vat_rate
    unit_pence = int((tier.unit_price * 100).to_integral_value(ROUND_HALF_UP))
    net = unit_pence * quantity
    vat = int((Decimal(net) * vat_rate / 100).to_integral_value(ROUND_HALF_UP))
    return Quote(quantity, unit_pence, vat_rate, net, vat)


def _next_document_number():
    """The next number in the one sequence shared by invoices and receipts. Call inside atomic()."""
    prefix = BillingSettings.load().invoice_prefix
    DocumentSequence.objects.get_or_create(name="invoice")
    DocumentSequence.objects.filter(name="invoice").update(last_number=F("last_number") + 1)
    number = DocumentSequence.objects.get(name="invoice").last_number
    return f"{prefix}-{number:06d}"


def _number_document(order):
    """Give ``order`` its invoice/receipt number and freeze what the document says."""
    billing = BillingSettings.load()
    order.invoice_number = _next_document_number()
    order.invoice_snapshot = invoice_snapshot(order, billing, timezone.localdate())


def invoice_snapshot(order, billing, issued_on):
    """What an order's invoice or receipt says, frozen when it is numbered."""
    provider = order.provider
    return {
        "issued_on": issued_on.isoformat(),
        "supplier_name": billing.supplier_name,
        "supplier_address": billing.supplier_address,
        "vat_number": billing.vat_number,
        "payment_terms_days": billing.payment_terms_days,
        "payment_instructions": billing.payment_instructions,
        "customer_name": provider.name,
        "customer_contact": provider.billing_name,
        "customer_email": provider.billing_email,
        "customer_address": provider.billing_address,
        "module": order.module.title,
    }


def place_order(provider, module, quantity, *, method, placed_by, purchase_order=""):
    """A pending order at today's price. An invoice order is numbered now (the invoice is its
    demand for payment); a card order is numbered when Stripe says it is paid."""
    price = quote(quantity)
    with transaction.atomic():
        order = SeatOrder(
            provider=provider,
            module=module,
            placed_by=placed_by,
            quantity=quantity,
            unit_price_pence=price.unit_price_pence,
            vat_rate=price.vat_rate,
            net_pence=price.net_pence,
            vat_pence=price.vat_pence,
            total_pence=price.total_pence,
            method=method,
            purchase_order=purchase_order.strip(),
        )
        if method == SeatOrder.Method.INVOICE:
            _number_document(order)
        order.save()
        log(order, "providers.order_place", user=placed_by, data={"quantity": quantity, "method": method})
    return order


def fulfil_order(order, *, actor=None, payment_intent_id=None):
    """Mark ``order`` paid, which makes its seats available. Safe to call any number of times and
    from several processes at once: the order row is locked and its state re-checked, so the seats
    are given exactly once. Returns True when this call made the change."""
    with transaction.atomic():
        locked = (
            SeatOrder.objects.select_for_update(of=("self", "provider"))
            .select_related("provider", "module")
            .get(pk=order.pk)
        )
        if locked.status == SeatOrder.Status.PAID:
            return False
        if locked.status != SeatOrder.Status.PENDING:
            raise ProviderError(
                f"This order is {locked.get_status_display().lower()} and cannot be marked paid."
            )
        locked.status = SeatOrder.Status.PAID
        locked.paid_at = timezone.now()
        if payment_intent_id:
            locked.stripe_payment_intent_id = payment_intent_id
        if not locked.invoice_number:
            _number_document(locked)
        locked.save()
        data = {"quantity": locked.quantity}
        if payment_intent_id:
            data["payment_intent"] = payment_intent_id
        log(locked, "providers.order_paid", user=actor, data=data)
    order.refresh_from_db()
    return True


def cancel_order(order, *, actor=None, reason=""):
    """Cancel an unpaid order. Returns True when this call made the change."""
    with transaction.atomic():
        locked = SeatOrder.objects.select_for_update().get(pk=order.pk)
        if locked.status == SeatOrder.Status.CANCELLED:
            return False
        if locked.status != SeatOrder.Status.PENDING:
            raise ProviderError("Only an order awaiting payment can be cancelled.")
        locked.status = SeatOrder.Status.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.save(update_fields=["status", "cancelled_at"])
        log(locked, "providers.order_cancel", user=actor, data={"reason": reason})
    order.refresh_from_db()
    return True


def flag_order(order, reason, *, actor=None):
    """Ask platform staff to look at ``order`` (shown in the admin's order list)."""
    reason = reason[:250]
    with transaction.atomic():
        SeatOrder.objects.filter(pk=order.pk).update(needs_attention=reason)
        log(order, "providers.order_flag", user=actor, data={"reason": reason})
    order.needs_attention = reason


def refund_seats(order, seats, *, actor=None):
    """Take ``seats`` of a paid order back after a refund (the total refunded so far, so a repeat
    is harmless). Only unused seats can go: when too few are free, the order is flagged for staff
    and no seat is removed. Returns True when seats were removed."""
    with transaction.atomic():
        provider = lock_provider(order.provider)
        locked = SeatOrder.objects.select_for_update().get(pk=order.pk)
        seats = max(0, min(seats, locked.quantity))
        to_remove = seats - locked.seats_refunded
        if locked.status not in (SeatOrder.Status.PAID, SeatOrder.Status.REFUNDED):
            locked.needs_attention = f"A refund of {seats} seat(s) arrived for an order that is not paid."
            locked.save(update_fields=["needs_attention"])
            log(locked, "providers.order_flag", user=actor, data={"reason": locked.needs_attention})
            return False
        if to_remove <= 0:
            return False
        free = seat_counts(provider, locked.module).available
        if free < to_remove:
            locked.needs_attention = (
                f"Refund of {to_remove} seat(s) received but only {free} unused: no seats removed. "
                "Agree with the provider which seats to release."
            )
            locked.save(update_fields=["needs_attention"])
            log(locked, "providers.order_refund_flagged", user=actor, data={"seats": to_remove, "free": free})
            return False
        locked.seats_refunded = seats
        if seats == locked.quantity:
            locked.status = SeatOrder.Status.REFUNDED
        locked.needs_attention = ""
        locked.save(update_fields=["seats_refunded", "status", "needs_attention"])
        log(locked, "providers.order_refund", user=actor, data={"seats": to_remove})
    order.refresh_from_db()
    return True


# --- Seats ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeatCounts:
    purchased: int
    assigned: int
    invited: int

    @property
    def available(self):
        return max(0, self.purchased - self.assigned - self.invited)


def seat_counts_by_module(provider):
    """SeatCounts for each module id the provider has seats or invitations for, in three queries:
    seats bought (paid, less refunded), in use, and held by open invitations."""
    bought = dict(
        SeatOrder.objects.filter(provider=provider, status__in=PAID_STATUSES)
        .order_by()
        .values("module_id")
        .annotate(seats=Sum(F("quantity") - F("seats_refunded")))
        .values_list("module_id", "seats")
    )
    assigned = dict(
        SeatAssignment.objects.filter(provider=provider)
        .order_by()
        .values("module_id")
        .annotate(n=Count("pk"))
        .values_list("module_id", "n")
    )
    invited = dict(
        Invitation.objects.open()
        .filter(provider=provider)
        .order_by()
        .values("module_id")
        .annotate(n=Count("pk"))
        .values_list("module_id", "n")
    )
    return {
        module_id: SeatCounts(
            bought.get(module_id) or 0, assigned.get(module_id, 0), invited.get(module_id, 0)
        )
        for module_id in {*bought, *assigned, *invited}
    }


def seat_counts(provider, module):
    """Seats bought (paid, less refunded), in use, held by open invitations, and free."""
    return seat_counts_by_module(provider).get(module.pk, SeatCounts(0, 0, 0))


def _require_free_seat(provider, module):
    if seat_counts(provider, module).available < 1:
        raise ProviderError(
            "There are no free seats left. Buy more seats, or return one that has not been started."
        )


def _give_seat(provider, module, user, *, actor):
    """Create the seat and the enrolment it brings. Call with the provider locked."""
    try:
        with transaction.atomic():
            assignment = SeatAssignment.objects.create(
                provider=provider, module=module, user=user, assigned_by=actor
            )
    except IntegrityError:
        raise ProviderError(f"{user.email} already has a seat for {module.title}.") from None
    assignment.enrolment = enrol(user, module, source=Enrolment.Source.SEAT, granted_by=actor)
    assignment.save(update_fields=["enrolment"])
    Membership.objects.get_or_create(provider=provider, user=user, defaults={"role": Membership.Role.LEARNER})
    log(assignment, "providers.seat_assign", user=actor, data={"learner": user.email, "module": module.title})
    return assignment


def assign_seat(provider, module, user, *, actor):
    """Give one of the provider's free seats to ``user`` (for example, a childminder to herself)."""
    with transaction.atomic():
        provider = lock_provider(provider)
        _require_free_seat(provider, module)
        return _give_seat(provider, module, user, actor=actor)


def _release(assignment, *, actor):
    enrolment = assignment.enrolment
    if assignment.is_started:
        raise ProviderError(
            f"{assignment.user.email} has started the module, so this seat cannot be returned or moved."
        )
    shared = SeatAssignment.objects.filter(enrolment=enrolment).exclude(pk=assignment.pk).exists()
    if enrolment is not None and enrolment.source == Enrolment.Source.SEAT and not shared:
        enrolment.delete()
    log(assignment, "providers.seat_return", user=actor, data={"learner": assignment.user.email})
    assignment.delete()


def return_seat(assignment, *, actor):
    """Put an unstarted seat back in the pool. The learner loses access to the module."""
    with transaction.atomic():
        lock_provider(assignment.provider)
        assignment = SeatAssignment.objects.select_related("enrolment", "user", "module").get(
            pk=assignment.pk
        )
        _release(assignment, actor=actor)


def move_seat(assignment, *, email, name="", actor):
    """Give an unstarted seat to someone else: return it and invite them, as one change."""
    with transaction.atomic():
        provider = lock_provider(assignment.provider)
        assignment = SeatAssignment.objects.select_related("enrolment", "user", "module").get(
            pk=assignment.pk
        )
        module = assignment.module
        if normalise_email(email) == assignment.user.email.lower():
            raise ProviderError("The seat already belongs to that person.")
        _release(assignment, actor=actor)
        return _invite(provider, module, email, name, actor=actor)


# --- Invitations ----------------------------------------------------------------------------


def normalise_email(email):
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ProviderError(f"“{email[:100]}” is not a valid email address.") from None
    return email.lower()


def invitation_problem(provider, module, email):
    """Why ``email`` cannot be invited now, or "" when it can (ignoring the seat count)."""
    if SeatAssignment.objects.filter(provider=provider, module=module, user__email__iexact=email).exists():
        return "already has a seat"
    if Invitation.objects.open().filter(provider=provider, module=module, email__iexact=email).exists():
        return "already invited"
    return ""


def _invite(provider, module, email, name, *, actor):
    """Invite with the provider already locked."""
    email = normalise_email(email)
    problem = invitation_problem(provider, module, email)
    if problem:
        raise ProviderError(f"{email} {problem}.")
    _require_free_seat(provider, module)
    now = timezone.now()
    # An unanswered invitation that has expired is renewed rather than duplicated.
    invitation = Invitation.objects.filter(
        provider=provider,
        module=module,
        email__iexact=email,
        accepted_at__isnull=True,
        cancelled_at__isnull=True,
    ).first() or Invitation(provider=provider, module=module, email=email, send_count=0)
    invitation.name = (name or invitation.name or "").strip()[:150]
    invitation.invited_by = actor
    invitation.sent_at = now
    invitation.expires_at = now + INVITATION_VALID_FOR
    invitation.send_count += 1
    invitation.save()
    log(invitation, "providers.invite", user=actor, data={"email": email, "module": module.title})
    transaction.on_commit(lambda: send_invitation_email(invitation))
    return invitation


def invite(provider, module, email, *, name="", actor):
    """Invite one person by email. The invitation holds one of the provider's free seats."""
    with transaction.atomic():
        provider = lock_provider(provider)
        return _invite(provider, module, email, name, actor=actor)


def resend_invitation(invitation, *, actor):
    """Send the email again and give the invitation a fresh expiry date."""
    with transaction.atomic():
        provider = lock_provider(invitation.provider)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at or invitation.cancelled_at:
            raise ProviderError("This invitation has already been answered or cancelled.")
        now = timezone.now()
        if invitation.expires_at <= now:
            _require_free_seat(provider, invitation.module)  # an expired invitation no longer held a seat
        invitation.sent_at = now
        invitation.expires_at = now + INVITATION_VALID_FOR
        invitation.send_count += 1
        invitation.invited_by = actor
        invitation.save(update_fields=["sent_at", "expires_at", "send_count", "invited_by"])
        log(invitation, "providers.invite_resend", user=actor, data={"email": invitation.email})
        transaction.on_commit(lambda: send_invitation_email(invitation))
    return invitation


def cancel_invitation(invitation, *, actor):
    """Withdraw an unanswered invitation; its seat goes back to the pool."""
    with transaction.atomic():
        lock_provider(invitation.provider)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            raise ProviderError("This invitation has already been accepted.")
        if invitation.cancelled_at:
            return invitation
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at"])
        log(invitation, "providers.invite_cancel", user=actor, data={"email": invitation.email})
    return invitation


def accept_invitation(invitation, user):
    """``user`` takes the seat the invitation held: they join the provider and are enrolled."""
    with transaction.atomic():
        provider = lock_provider(invitation.provider)
        invitation = (
            Invitation.objects.select_for_update(of=("self",)).select_related("module").get(pk=invitation.pk)
        )
        if invitation.accepted_at:
            if invitation.accepted_by_id == user.pk:
                return SeatAssignment.objects.get(provider=provider, module=invitation.module, user=user)
            raise ProviderError("This invitation has already been used.")
        if invitation.cancelled_at:
            raise ProviderError("This invitation was cancelled. Ask your manager to invite you again.")
        if invitation.expires_at <= timezone.now():
            raise ProviderError("This invitation has expired. Ask your manager to send it again.")
        if invitation.email.lower() != user.email.lower():
            raise ProviderError(
                f"This invitation was sent to {invitation.email}. Sign in with that address to accept it."
            )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        # The invitation held the seat until now; the assignment holds it from here.
        assignment = _give_seat(provider, invitation.module, user, actor=invitation.invited_by)
        log(invitation, "providers.invite_accept", user=user, data={"email": invitation.email})
    return assignment


def send_invitation_email(invitation):
    path = reverse("providers:invitation", args=[invitation.token])
    context = {
        "invitation": invitation,
        "provider": invitation.provider,
        "module": invitation.module,
        "url": settings.SITE_URL.rstrip("/") + path,
    }
    subject = f"{invitation.provider.name} has invited you to safeguarding training"
    body = render_to_string("emails/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])
