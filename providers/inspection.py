"""Read-only inspection links: a manager creates one for an inspector and can withdraw it."""

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from .models import INSPECTION_LINK_VALID_FOR, InspectionLink


def create_inspection_link(provider, *, actor, now=None):
    """A new link to the provider's live training matrix, valid for INSPECTION_LINK_VALID_FOR."""
    now = now or timezone.now()
    with transaction.atomic():
        link = InspectionLink.objects.create(
            provider=provider, created_by=actor, created_at=now, expires_at=now + INSPECTION_LINK_VALID_FOR
        )
        log(
            link,
            "providers.inspection_link_create",
            user=actor,
            data={"expires_at": link.expires_at.isoformat()},
        )
    return link


def revoke_inspection_link(link, *, actor, now=None):
    """Withdraw ``link`` at once. Withdrawing it again changes nothing. Returns the updated link."""
    with transaction.atomic():
        locked = InspectionLink.objects.select_for_update().get(pk=link.pk)
        if locked.revoked_at is None:
            locked.revoked_at = now or timezone.now()
            locked.save(update_fields=["revoked_at"])
            log(locked, "providers.inspection_link_revoke", user=actor)
    return locked


def link_for_token(token, now=None):
    """(link, problem): the link for ``token`` when it can be used, else None and why not
    ("unknown", or "withdrawn" for an expired or revoked link)."""
    link = InspectionLink.objects.select_related("provider").filter(token=token).first()
    if link is None:
        return None, "unknown"
    if link.revoked_at is not None or link.expires_at <= (now or timezone.now()):
        return None, "withdrawn"
    return link, ""
