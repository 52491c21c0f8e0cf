"""Which Content Security Policy a response gets.

The public site (lessons, quizzes, certificates, organisations, sign-in) runs no inline script or
style, so it gets the strict ``CONTENT_SECURITY_POLICY``. The Wagtail admin's own templates use
inline scripts and styles, so pages under its prefix get ``ADMIN_CONTENT_SECURITY_POLICY``
instead; both live in cms/settings/base.py and docs/security.md explains them.
"""

from functools import cached_property

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings
from django.urls import reverse


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's policy for requests under the admin's prefix.

    A view that sets its own policy with django-csp's ``@csp`` decorator keeps it."""

    @cached_property
    def admin_prefix(self):
        # Looked up at the first response, once the URLconf is loaded: "/admin/".
        return reverse("wagtailadmin_home")

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and request.path_info.startswith(self.admin_prefix):
            parts.config = default_config(settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"])
        return parts
