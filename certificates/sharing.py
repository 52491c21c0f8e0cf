"""Links a learner gives an employer to see their certificate record, read-only, for 30 days."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from .models import MAX_ACTIVE_SHARE_LINKS, SHARE_LINK_VALID_FOR, ShareLink


class SharingError(Exception):
    """A share link that cannot be made; the message says why."""


def share_url(link):
    """The full address to give an employer."""
    return settings.SITE_URL.rstrip("/") + link.get_absolute_url()


def create_share_link(learner, *, now=None):
    """A new link to the learner's record, valid for 30 days. At most 10 can be active at once."""
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the learner's row so two clicks at once cannot both pass the cap.
        get_user_model().objects.select_for_update().filter(pk=learner.pk).first()
        if ShareLink.objects.filter(learner=learner).active(now).count() >= MAX_ACTIVE_SHARE_LINKS:
            raise SharingError(
                f"You already have {MAX_ACTIVE_SHARE_LINKS} active links. "
                "Withdraw one you no longer need before you create another."
            )
        link = ShareLink.objects.create(
            learner=learner, created_at=now, expires_at=now + SHARE_LINK_VALID_FOR
        )
        log(
            link,
            "certificates.share_link_create",
            user=learner,
            data={"link": link.pk, "expires_at": link.expires_at.isoformat()},
        )
    return link


def revoke_share_link(link, *, actor):
    """Withdraw a link at once. Withdrawing one that is already withdrawn changes nothing."""
    with transaction.atomic():
        locked = ShareLink.objects.select_for_update().get(pk=link.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        log(locked, "certificates.share_link_revoke", user=actor, data={"link": locked.pk})
    return locked
