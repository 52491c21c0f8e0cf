import secrets
import uuid
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

RENEWAL_WINDOW = timedelta(days=60)  # how long before expiry a learner can renew

# Easy to read aloud and type: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_public_code():
    """An unguessable code such as 7KQ4-XM9T-2WHC (12 characters, about 59 bits)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


class CertificateQuerySet(models.QuerySet):
    def with_provider_renewal(self):
        """Annotate the shortest renewal interval (months) any of the learner's providers asks for.

        A subquery rather than a join and aggregate, so the queryset keeps its ordering and rows."""
        Membership = apps.get_model("providers", "Membership")
        shortest = (
            Membership.objects.filter(user=OuterRef("learner"), provider__renewal_months__isnull=False)
            .order_by()
            .values("user")
            .annotate(months=models.Min("provider__renewal_months"))
            .values("months")
        )
        return self.annotate(provider_renewal_months=Subquery(shortest))


class Certificate(models.Model):
    """Proof that a learner passed a module. What it says is frozen in ``snapshot`` at issue."""

    # A learner's record, not content: Wagtail's reference index ("where is this page used") would
    # otherwise queue a job on every save.
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        VALID = "valid", "Valid"
        SUPERSEDED = "superseded", "Superseded"
        REVOKED = "revoked", "Revoked"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=14, unique=True, default=new_public_code, editable=False)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="certificates",
        help_text="Empty once the learner deleted their account: the snapshot is kept until retain_until.",
    )
    module = models.ForeignKey("courses.ModulePage", on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(
        "courses.Enrolment", null=True, on_delete=models.SET_NULL, related_name="certificates"
    )
    attempt = models.OneToOneField(
        "quizzes.Attempt", null=True, blank=True, on_delete=models.SET_NULL, related_name="certificate"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.VALID)
    snapshot = models.JSONField(help_text="What the certificate says, frozen when it was issued.")
    issued_at = models.DateTimeField(default=timezone.now)
    expires_on = models.DateField()
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )
    pdf = models.FileField(upload_to="certificates/", blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)
    retain_until = models.DateField(
        null=True,
        blank=True,
        help_text="Set when the learner deleted their account: the daily job erases it after this date.",
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "module"],
                condition=models.Q(status="valid"),
                name="one_valid_certificate_per_module",
            ),
        ]

    def __str__(self):
        return f"{self.code}: {self.snapshot.get('name', '')}, {self.snapshot.get('module', '')}"

    @property
    def is_expired(self):
        return self.expires_on < timezone.localdate()

    def renew_by_for(self, months):
        """When to renew for a provider that asks for renewal every ``months`` (None: the module's
        own validity): the expiry date, or earlier when the provider's interval is shorter."""
        if not months:
            return self.expires_on
        from .services import add_months

        return min(self.expires_on, add_months(timezone.localdate(self.issued_at), months))

    @property
    def renew_by(self):
        """When the learner should renew, given the shortest interval of the providers they work for
        (annotated by ``with_provider_renewal()``; without it, the expiry date)."""
        return self.renew_by_for(getattr(self, "provider_renewal_months", None))

    @property
    def renewal_open(self):
        """From 60 days before the renewal date (and after it), the learner can take a refresher."""
        return self.renew_by <= timezone.localdate() + RENEWAL_WINDOW

    @property
    def display_status(self):
        """valid, expired, superseded or revoked: expired is derived from the date."""
        if self.status == self.Status.VALID and self.is_expired:
            return "expired"
        return self.status


class Reminder(models.Model):
    """An expiry reminder sent for a certificate. The unique pair makes each one go out once."""

    class Kind(models.TextChoices):
        DAYS_30 = "30_days", "30 days before expiry"
        DAYS_7 = "7_days", "7 days before expiry"
        EXPIRED = "expired", "On the day it expires"

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["certificate", "kind"], name="one_reminder_of_each_kind")
        ]

    def __str__(self):
        return f"{self.certificate.code}: {self.get_kind_display()}"


@register_setting(icon="doc-full")
class CertificateSettings(BaseGenericSetting):
    """Who signs the certificates and in whose name they are issued."""

    issuer = models.CharField(
        max_length=150, default="Safeguarding children training", help_text="Printed as the issuer."
    )
    signatory_name = models.CharField(max_length=150, default="Training lead")
    signatory_role = models.CharField(max_length=150, blank=True, default="Safeguarding training")
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Printed at the top of every certificate: a wide logo on a white or transparent "
        "background works best. Its title is read out as the logo's text alternative.",
    )
    retention_months = models.PositiveSmallIntegerField(
        "keep certificates of deleted accounts for (months)",
        default=72,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text="When a learner deletes their account, their certificates stay verifiable for "
        "employers and inspectors for this long, then the daily job erases them. The privacy page "
        "states it.",
    )

    panels = [
        FieldPanel("issuer"),
        FieldPanel("signatory_name"),
        FieldPanel("signatory_role"),
        FieldPanel("logo"),
        FieldPanel("retention_months"),
    ]

    class Meta:
        verbose_name = "Certificates"


SHARE_LINK_VALID_FOR = timedelta(days=30)
MAX_ACTIVE_SHARE_LINKS = 10


def new_share_token():
    """About 256 bits, URL-safe: the link itself is the only key to the record."""
    return secrets.token_urlsafe(32)


class ShareLinkQuerySet(models.QuerySet):
    def active(self, now=None):
        """Links that still open the record: not withdrawn and not past their expiry."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ShareLink(models.Model):
    """A read-only link to a learner's certificate record, for an employer. Valid 30 days, revocable."""

    # A record, not content: kept out of Wagtail's reference index ("where is this page used"),
    # which would otherwise hold a row for it and queue a job on every save.
    wagtail_reference_index_ignore = True

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificate_share_links"
    )
    token = models.CharField(max_length=64, unique=True, default=new_share_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="share_link_expires_after_creation",
            ),
        ]

    def __str__(self):
        # Never the token: this text is copied into the audit log.
        return f"Record link {self.pk} (until {timezone.localdate(self.expires_at):%d %B %Y})"

    def get_absolute_url(self):
        return reverse("certificates:shared_record", args=[self.token])

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()
