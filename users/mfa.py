"""Who must use two-step sign-in (allauth.mfa): anyone who can see other people's training records."""

from providers.models import Membership

# Why the middleware sends someone to set up an authenticator app.
REQUIRED_MESSAGE = (
    "Your role gives you access to other people's training records, so your account needs a second "
    "step at sign-in."
)


def mfa_required(user):
    """True for superusers, Wagtail admin users (trainers, lead trainers, platform staff) and
    provider owners and managers; learners may turn two-step sign-in on but need not."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.has_perm("wagtailadmin.access_admin"):
        return True
    return Membership.objects.filter(user=user, role__in=Membership.MANAGING_ROLES).exists()
