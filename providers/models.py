"""Providers (the settings that employ childcare staff), their members, seat orders and invitations.

State changes live in providers/services.py; payments.py is the only module that talks to Stripe."""

import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

INVITATION_VALID_FOR = timedelta(days=14)
INSPECTION_LINK_VALID_FOR = timedelta(days=14)
MAX_SEATS_PER_ORDER = 1000


def new_token():
    return secrets.token_urlsafe(32)


class Provider(models.Model):
    """A nursery, pre-school, school or childminder. A childminder is a provider of one."""

    class Kind(models.TextChoices):
        NURSERY = "nursery", "Nursery"
        PRE_SCHOOL = "pre_school", "Pre-school"
        CHILDMINDER = "childminder", "Childminder"
        SCHOOL = "school", "School"
        OTHER = "other", "Other"

    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    ofsted_urn = models.CharField(
        "Ofsted URN",
        max_length=10,
        blank=True,
        validators=[
            RegexValidator(
                r"^(EY|SC)?\d{6,7}$",
                "An Ofsted URN is 6 or 7 digits, sometimes after EY (for example EY123456).",
            )
        ],
        help_text="Optional. Printed on the inspection pack.",
    )
    billing_name = models.CharField("Billing contact", max_length=150)
    billing_email = models.EmailField("Billing email")
    billing_address = models.TextField(blank=True, help_text="Printed on invoices.")
    renewal_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Leave blank to follow each module's validity. Set, for example, 12 to ask your staff "
        "to renew every year; a longer period than the module's is ignored.",
    )
    # Local procedures: shown beside the national signposting in every lesson for this provider's staff.
    dsl_name = models.CharField("Designated Safeguarding Lead", max_length=150, blank=True)
    dsl_contact = models.CharField("How to reach the DSL", max_length=250, blank=True)
    deputy_dsl_name = models.CharField("Deputy DSL", max_length=150, blank=True)
    deputy_dsl_contact = models.CharField("How to reach the deputy", max_length=250, blank=True)
    children_services_contact = models.CharField(
        "Local children's services (front door / MASH)", max_length=250, blank=True
    )
    lado_contact = models.CharField("Local authority designated officer (LADO)", max_length=250, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def has_local_contacts(self):
        return any((self.dsl_name, self.deputy_dsl_name, self.children_services_contact, self.lado_contact))


class Membership(models.Model):
    """A person's place in a provider. Certificates stay the person's own whatever happens here."""

    # A record, not content: kept out of Wagtail's reference index ("where is this page used"),
    # which would otherwise hold a row for it and queue a job on every save.
    wagtail_reference_index_ignore = True

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MANAGER = "manager", "Manager"
        LEARNER = "learner", "Staff member"

    MANAGING_ROLES = (Role.OWNER, Role.MANAGER)

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.LEARNER)
    job_title = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["provider", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "user"], name="one_membership_per_provider")
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}) at {self.provider}"

    @property
    def can_manage(self):
        return self.role in self.MANAGING_ROLES


class PriceTier(models.Model):
    """The price of one seat when an order has at least ``min_quantity`` seats (before VAT)."""

    min_quantity = models.PositiveIntegerField(unique=True, validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(
        "Price per seat (£, before VAT)",
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.50"))],
    )

    class Meta:
        ordering = ["min_quantity"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_quantity__gte=1), name="price_tier_min_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=Decimal("0.50")), name="price_tier_price"
            ),
        ]

    def __str__(self):
        return f"{self.min_quantity}+ seats: £{self.unit_price} each"


@register_setting(icon="doc-full")
class BillingSettings(BaseGenericSetting):
    """Who is selling, the VAT rate, and how to pay an invoice. Frozen into each invoice when numbered."""

    vat_rate = models.DecimalField(
        "VAT rate (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    supplier_name = models.CharField(max_length=150, default="Safeguarding children training")
    supplier_address = models.TextField(blank=True)
    vat_number = models.CharField("VAT registration number", max_length=20, blank=True)
    invoice_prefix = models.CharField(
        max_length=10,
        default="INV",
        validators=[RegexValidator(r"^[A-Z0-9]{1,10}$", "Capital letters and digits.")],
    )
    payment_terms_days = models.PositiveSmallIntegerField(default=30, validators=[MaxValueValidator(365)])
    payment_instructions = models.TextField(
        blank=True,
        default="Pay by bank transfer quoting the invoice number.",
        help_text="Bank details and how to quote the invoice number.",
    )

    panels = [
        FieldPanel("vat_rate"),
        MultiFieldPanel(
            [FieldPanel("supplier_name"), FieldPanel("supplier_address"), FieldPanel("vat_number")],
            heading="Supplier",
        ),
        MultiFieldPanel(
            [
                FieldPanel("invoice_prefix"),
                FieldPanel("payment_terms_days"),
                FieldPanel("payment_instructions"),
            ],
            heading="Invoices",
        ),
    ]

    class Meta:
        verbose_name = "Billing"


class DocumentSequence(models.Model):
    """The last number used in a numbering sequence (invoices and receipts share one)."""

    name = models.CharField(max_length=20, unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.name}: {self.last_number}"


class SeatOrder(models.Model):
    """Seats for one module bought by one provider. Amounts are in pence, frozen when ordered."""

    # A record, not content: kept out of Wagtail's reference index ("where is this page used"),
    # which would otherwise hold a row for it and queue a job on every save.
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting payment"
        PAID = "paid", "Paid"
        REFUNDED = "refunded", "Refunded"
        CANCELLED = "cancelled", "Cancelled"

    class Method(models.TextChoices):
        CARD = "card", "Card"
        INVOICE = "invoice", "Invoice"

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="orders")
    module = models.ForeignKey("courses.ModulePage", on_delete=models.PROTECT, related_name="+")
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    quantity = models.PositiveIntegerField()
    unit_price_pence = models.PositiveIntegerField()
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    net_pence = models.PositiveIntegerField()
    vat_pence = models.PositiveIntegerField()
    total_pence = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="gbp")
    method = models.CharField(max_length=10, choices=Method.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    purchase_order = models.CharField("Purchase order reference", max_length=50, blank=True)
    seats_refunded = models.PositiveIntegerField(default=0)
    needs_attention = models.CharField(
        max_length=250,
        blank=True,
        help_text="Set when an event needs a person, for example a refund of seats in use.",
    )
    invoice_number = models.CharField(max_length=24, unique=True, null=True, blank=True)
    invoice_snapshot = models.JSONField(default=dict, blank=True)
    stripe_checkout_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1, quantity__lte=MAX_SEATS_PER_ORDER),
                name="seat_order_quantity",
            ),
            models.CheckConstraint(
                condition=models.Q(seats_refunded__lte=models.F("quantity")),
                name="seat_order_refund_le_quantity",
            ),
            models.CheckConstraint(
                condition=models.Q(total_pence=models.F("net_pence") + models.F("vat_pence")),
                name="seat_order_total_adds_up",
            ),
        ]

    def __str__(self):
        return f"Order {self.pk}: {self.quantity} seats for {self.provider}"

    @property
    def seats_usable(self):
        return (
            self.quantity - self.seats_refunded
            if self.status in (self.Status.PAID, self.Status.REFUNDED)
            else 0
        )


class SeatAssignment(models.Model):
    """A seat in use: one learner of the provider holds access to the module through it."""

    # A record, not content: kept out of Wagtail's reference index ("where is this page used"),
    # which would otherwise hold a row for it and queue a job on every save.
    wagtail_reference_index_ignore = True

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="seats")
    module = models.ForeignKey("courses.ModulePage", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seats")
    enrolment = models.ForeignKey("courses.Enrolment", null=True, on_delete=models.SET_NULL, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "module", "user"], name="one_seat_per_provider_module_user"
            )
        ]

    def __str__(self):
        return f"Seat for {self.user} at {self.provider}"

    @property
    def is_started(self):
        """A started seat stays with its learner: it cannot be returned or moved."""
        enrolment = self.enrolment
        return enrolment is not None and bool(enrolment.started_at or enrolment.completed_at)


class InvitationQuerySet(models.QuerySet):
    def open(self, now=None):
        """Sent, not accepted, not cancelled and not expired: these hold a seat."""
        return self.filter(
            accepted_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=now or timezone.now()
        )


class Invitation(models.Model):
    """An email asking someone to join a provider and take a seat. An open invitation holds a seat."""

    # A record, not content: kept out of Wagtail's reference index ("where is this page used"),
    # which would otherwise hold a row for it and queue a job on every save.
    wagtail_reference_index_ignore = True

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="invitations")
    module = models.ForeignKey("courses.ModulePage", on_delete=models.PROTECT, related_name="+")
    email = models.EmailField()
    name = models.CharField(max_length=150, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    send_count = models.PositiveSmallIntegerField(default=1)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One unanswered invitation per person, provider and module; resending reuses it.
            models.UniqueConstraint(
                fields=["provider", "module", "email"],
                condition=models.Q(accepted_at__isnull=True, cancelled_at__isnull=True),
                name="one_unanswered_invitation",
            )
        ]

    def __str__(self):
        return f"Invitation for {self.email} to {self.provider}"

    @property
    def status(self):
        if self.accepted_at:
            return "accepted"
        if self.cancelled_at:
            return "cancelled"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"


class InspectionLink(models.Model):
    """A read-only link to a provider's live training matrix, for an inspector. Expires; revocable."""

    # A record, not content: kept out of Wagtail's reference index ("where is this page used"),
    # which would otherwise hold a row for it and queue a job on every save.
    wagtail_reference_index_ignore = True

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="inspection_links")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Inspection link for {self.provider}"

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()


class StripeEvent(models.Model):
    """Every Stripe webhook event we accepted, recorded once: a repeat delivery changes nothing."""

    # A record, not content: kept out of Wagtail's reference index ("where is this page used"),
    # which would otherwise hold a row for it and queue a job on every save.
    wagtail_reference_index_ignore = True

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(default=timezone.now)
    order = models.ForeignKey(
        SeatOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    outcome = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.event_id}"


class ManagerDigest(models.Model):
    """The weekly training summary emailed to a provider's owners and managers: one per ISO week."""

    # A record, not content: kept out of Wagtail's reference index ("where is this page used"),
    # which would otherwise hold a row for it and queue a job on every save.
    wagtail_reference_index_ignore = True

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="digests")
    week_start = models.DateField(help_text="The Monday of the ISO week the digest covers.")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "week_start"], name="one_manager_digest_per_week")
        ]

    def __str__(self):
        return f"Digest for {self.provider}, week of {self.week_start:%-d %B %Y}"
