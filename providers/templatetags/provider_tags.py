from django import template

from cms.page_cache import cached_content
from providers.models import Invitation, Provider
from users.roles import session_roles

register = template.Library()


@register.simple_tag(takes_context=True)
def local_contacts(context):
    """The providers the signed-in person belongs to that have recorded local safeguarding
    contacts. Which providers is kept in the session (users.roles); their contacts in the content
    cache, which a provider's change empties (cms.page_cache): no query on a lesson page."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    provider_ids = session_roles(request)["providers"]
    if not provider_ids:
        return []
    return cached_content(
        "local-contacts",
        *provider_ids,
        compute=lambda: [p for p in Provider.objects.filter(pk__in=provider_ids) if p.has_local_contacts],
    )


@register.simple_tag
def open_invitations(user):
    """Invitations waiting for ``user``'s email address, so they can accept them after signing in."""
    if not user.is_authenticated:
        return []
    return list(
        Invitation.objects.open().filter(email__iexact=user.email).select_related("provider", "module")
    )
