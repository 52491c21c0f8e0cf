"""The weekly email to a provider's owners and managers: whose training needs their attention.

Safe to run every day, and twice in a day: each provider gets at most one digest per ISO week
(ManagerDigest, UNIQUE per provider and week). The statuses and dates come from
providers.compliance.staff_rows, so they match the dashboard, the provider's renewal interval included.
Queries: a fixed number per provider (staff_rows runs one per table), none per staff member."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import compliance
from .models import ManagerDigest, Membership, Provider

logger = logging.getLogger(__name__)

# People whose training expired longer ago than this are left to the dashboard.
EXPIRED_WITHIN = timedelta(days=90)


@dataclass
class Digest:
    """What one provider's managers are told this week (names only: the dashboard has the rest)."""

    provider: Provider
    due: list
    expired: list
    invited: list
    not_started: list

    @property
    def total(self):
        return len(self.due) + len(self.expired) + len(self.invited) + len(self.not_started)


def week_start(day):
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def build_digest(provider, today):
    """The staff of ``provider`` who need attention on ``today``: due within 30 days, expired in the
    last 90 days, invited but not joined, not started. Rows without a module (a provider that has no
    seats yet) are left out: there is no training to chase."""
    rows = [row for row in compliance.staff_rows(provider, today=today) if row.module is not None]
    expired_since = today - EXPIRED_WITHIN
    return Digest(
        provider=provider,
        due=compliance.sort_rows([row for row in rows if row.status == compliance.DUE], "expiry"),
        # A lapsed certificate with no date (superseded, its renewal revoked) cannot be placed in the
        # 90 days, so only dated ones are listed; the dashboard shows all of them.
        expired=compliance.sort_rows(
            [
                row
                for row in rows
                if row.status == compliance.EXPIRED and row.expires_on and row.expires_on >= expired_since
            ],
            "expiry",
            descending=True,
        ),
        invited=[row for row in rows if row.status == compliance.INVITED],
        not_started=[row for row in rows if row.status == compliance.NOT_STARTED],
    )


def person_name(row):
    """A name for the digest, never an email address (a person or invitation without a name)."""
    name = (row.name or "").strip()
    if not name or "@" in name:
        return "Name not given (see the dashboard)"
    return name


def send_manager_digests(today=None):
    """Email this week's digest to each provider's owners and managers, once per provider and ISO week.
    Providers where nothing needs attention get nothing. Returns how many digests were sent."""
    today = today or timezone.localdate()
    week = week_start(today)
    providers = (
        Provider.objects.exclude(digests__week_start=week)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(role__in=Membership.MANAGING_ROLES)
                .select_related("user")
                .order_by("user__email"),
                to_attr="managing_memberships",
            )
        )
        .order_by("pk")
    )
    sent = 0
    for provider in providers:
        recipients = [m.user.email for m in provider.managing_memberships if m.user.is_active]
        if not recipients:
            continue
        try:
            digest = build_digest(provider, today)
            if not digest.total:
                continue
            with transaction.atomic():
                ManagerDigest.objects.create(provider=provider, week_start=week)
                # The email is queued (cms/mail.py) with the record: if queueing fails, both roll back.
                send_digest(digest, recipients)
        except IntegrityError:
            continue  # another run sent it first
        except Exception:  # noqa: BLE001 - one provider's failure must not stop the others
            logger.exception("Could not send the weekly digest for provider %s", provider.pk)
            continue
        sent += 1
    return sent


def send_digest(digest, recipients):
    """One plain-text message per owner or manager (they do not see each other's addresses)."""
    provider = digest.provider
    context = {
        "digest": digest,
        "provider": provider,
        "due": [(person_name(row), row) for row in digest.due],
        "expired": [(person_name(row), row) for row in digest.expired],
        "invited": [(person_name(row), row) for row in digest.invited],
        "not_started": [(person_name(row), row) for row in digest.not_started],
        "dashboard_url": settings.SITE_URL.rstrip("/") + reverse("providers:dashboard", args=[provider.pk]),
    }
    subject = f"Weekly safeguarding training summary for {provider.name}"
    body = render_to_string("emails/manager_digest.txt", context)
    messages = [EmailMessage(subject, body, None, [address]) for address in recipients]
    get_connection().send_messages(messages)
