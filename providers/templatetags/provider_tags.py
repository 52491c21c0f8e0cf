from django import template

from providers.models import Invitation, Provider

register = template.Library()


@register.simple_tag
def local_contacts(user):
    """The providers ``user`` belongs to that have recorded local safeguarding contacts."""
    if not user.is_authenticated:
        return []
    return [
        p for p in Provider.objects.filter(memberships__user=user).order_by("name") if p.has_local_contacts
    ]


@register.simple_tag
def open_invitations(user):
    """Invitations waiting for ``user``'s email address, so they can accept them after signing in."""
    if not user.is_authenticated:
        return []
    return list(
        Invitation.objects.open().filter(email__iexact=user.email).select_related("provider", "module")
    )
