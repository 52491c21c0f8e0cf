"""The demo provider: a nursery whose manager has staff in every state, so the dashboard shows something.

Dates are relative to the day the demo is loaded, so "due within 30 days" stays true whenever it runs."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from certificates.services import add_months, issue_certificate
from courses.models import Enrolment, LessonPage
from courses.services import complete_lesson
from providers import services
from providers.models import INVITATION_VALID_FOR, BillingSettings, Invitation, PriceTier, Provider

PRICE_TIERS = [(1, Decimal("25.00")), (10, Decimal("20.00")), (50, Decimal("15.00"))]

PROVIDER = {
    "name": "Little Acorns Nursery",
    "kind": Provider.Kind.NURSERY,
    "ofsted_urn": "EY123456",
    "billing_name": "Maya Manager",
    "billing_email": "manager@example.com",
    "billing_address": "1 Oak Lane\nLeeds\nLS1 1AA",
    "dsl_name": "Maya Manager",
    "dsl_contact": "In the office, or 0113 496 0000",
    "deputy_dsl_name": "Dina Done",
    "deputy_dsl_contact": "Room 2, or 0113 496 0001",
    "children_services_contact": "Leeds Children's Social Work Service: 0113 496 0002 (example)",
    "lado_contact": "Leeds LADO: 0113 496 0003 (example)",
}

# name, email, and the state of their training.
STAFF = [
    ("Dina Done", "dina@example.com", "trained"),
    ("Dev Due", "dev@example.com", "due"),
    ("Eve Expired", "eve@example.com", "expired"),
    ("Ian Progress", "ian@example.com", "in_progress"),
    ("Nia New", "nia@example.com", "not_started"),
]
INVITED = ("Ivy Invited", "ivy@example.com")


def load_prices():
    """Seat prices and billing details for the platform, unless staff have set their own."""
    if not PriceTier.objects.exists():
        PriceTier.objects.bulk_create(PriceTier(min_quantity=q, unit_price=p) for q, p in PRICE_TIERS)
    billing = BillingSettings.load()
    if not billing.supplier_address:
        billing.supplier_address = "Safeguarding Training Ltd\n10 Example Street\nLeeds LS2 2BB"
        billing.vat_number = "GB 123 4567 89"
        billing.payment_instructions = (
            "Pay by bank transfer to Safeguarding Training Ltd, sort code 00-00-00, account 00000000 "
            "(example details), quoting the invoice number."
        )
        billing.save()


def load_provider(module, manager, platform_staff, password):
    """Little Acorns Nursery, owned by ``manager``, with 12 seats paid by invoice. Idempotent."""
    if Provider.objects.filter(name=PROVIDER["name"]).exists():
        return Provider.objects.get(name=PROVIDER["name"])
    with transaction.atomic():
        provider = services.create_provider(owner=manager, **PROVIDER)
        order = services.place_order(
            provider, module, 12, method="invoice", placed_by=manager, purchase_order="LA-2026-014"
        )
        services.fulfil_order(order, actor=platform_staff)
        lessons = list(LessonPage.objects.child_of(module).live().order_by("path"))
        today = timezone.localdate()
        User = get_user_model()
        for name, email, state in STAFF:
            user = User.objects.filter(email=email).first() or User.objects.create_user(
                email=email,
                password=password,
                certificate_name=name,
                first_name=name.split()[0],
                last_name=name.split()[-1],
            )
            assignment = services.assign_seat(provider, module, user, actor=manager)
            _bring_to_state(assignment.enrolment, lessons, state, today)
        name, email = INVITED
        Invitation.objects.create(
            provider=provider,
            module=module,
            email=email,
            name=name,
            invited_by=manager,
            expires_at=timezone.now() + INVITATION_VALID_FOR,
        )
    return provider


def _bring_to_state(enrolment, lessons, state, today):
    if state == "not_started":
        return
    if state == "in_progress":
        for lesson in lessons[:2]:
            complete_lesson(enrolment, lesson)
        return
    for lesson in lessons:
        complete_lesson(enrolment, lesson)
    issued = {
        "trained": add_months(today, -3),
        "due": add_months(today + timedelta(days=20), -module_months(enrolment)),
        "expired": add_months(today - timedelta(days=60), -module_months(enrolment)),
    }[state]
    Enrolment.objects.filter(pk=enrolment.pk).update(completed_at=_midday(issued))
    issue_certificate(enrolment, now=_midday(issued))


def module_months(enrolment):
    return enrolment.module.certificate_valid_months


def _midday(day):
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 12))
