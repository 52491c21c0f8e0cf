"""Sends people whose role requires two-step sign-in to set it up before they use the site."""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from users.mfa import REQUIRED_MESSAGE
from users.roles import session_roles


class MFARequiredMiddleware:
    """Redirects a signed-in user who must use two-step sign-in, and has no authenticator app yet,
    to allauth's set-up page. Comes after AuthenticationMiddleware, MessageMiddleware and allauth's
    AccountMiddleware (which turns "sign in again first" into a redirect)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt = None

    def __call__(self, request):
        if settings.MFA_REQUIRED_FOR_STAFF and self._must_set_up(request):
            if request.method == "GET":
                messages.info(request, REQUIRED_MESSAGE)
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def exempt_prefixes(self):
        """The pages a person needs to set two-step sign-in up (and to leave), and files."""
        if self._exempt is None:
            self._exempt = tuple(
                prefix
                for prefix in (
                    reverse("mfa_index"),  # every two-step sign-in page: set-up, recovery codes
                    reverse("account_reauthenticate"),  # allauth asks for the password before set-up
                    reverse("account_email"),  # set-up needs a verified email address
                    reverse("account_logout"),
                    reverse("healthz"),
                    settings.STATIC_URL,
                    settings.MEDIA_URL,
                )
                if prefix
            )
        return self._exempt

    def _must_set_up(self, request):
        user = request.user
        # The path first: the health check and files need no session or user.
        if request.path_info.startswith(self.exempt_prefixes()) or not user.is_authenticated:
            return False
        # Kept in the session (users.roles), so a learner's requests cost no query.
        if not session_roles(request)["mfa_required"]:
            return False
        return not is_mfa_enabled(user, [Authenticator.Type.TOTP])
