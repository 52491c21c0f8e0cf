"""Who may see which provider. Anything a person may not see is a 404, never a 403."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Membership, Provider


def managed_provider(user, provider_id):
    """The provider ``user`` owns or manages, or 404 (for strangers, staff members and unknown ids)."""
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("provider")
        .filter(user=user, provider_id=provider_id, role__in=Membership.MANAGING_ROLES)
        .first()
    )
    if membership is None:
        raise Http404
    return membership.provider


def managed_object(model, provider, **lookup):
    """One of ``provider``'s objects (an order, invitation, seat...), or 404 if it belongs elsewhere."""
    return get_object_or_404(model, provider=provider, **lookup)


def managed_providers(user):
    """The providers ``user`` manages, for navigation."""
    if not user.is_authenticated:
        return Provider.objects.none()
    return Provider.objects.filter(
        memberships__user=user, memberships__role__in=Membership.MANAGING_ROLES
    ).order_by("name")
