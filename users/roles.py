"""What a signed-in person's role lets them see, decided once and kept in their session.

The site asks on every request whether someone must use two-step sign-in (the middleware), whether
to show them the admin link (every page's header) and which providers' local contacts end their
lessons. Each answer costs permission or membership queries, and a learner's rarely changes, so
they are worked out together, kept in the session and worked out again after ``RECHECK_SECONDS``:
a learner made a manager, or given admin access, is asked for two-step sign-in and sees the link
within minutes. The admin and provider pages check roles on every request; these only decide what
to show."""

import time

from providers.models import Membership
from users.mfa import mfa_required

SESSION_KEY = "users.roles"
RECHECK_SECONDS = 300
FIELDS = {"user", "decided_at", "admin_access", "mfa_required", "providers"}


def decide(user, now=None):
    """The record kept in the session for ``user``."""
    return {
        "user": user.pk,
        "decided_at": int(now if now is not None else time.time()),
        "admin_access": user.is_active and user.has_perm("wagtailadmin.access_admin"),
        "mfa_required": mfa_required(user),
        "providers": sorted(set(Membership.objects.filter(user=user).values_list("provider_id", flat=True))),
    }


def session_roles(request):
    """The signed-in user's record, from the session while it is fresh."""
    user = request.user
    kept = request.session.get(SESSION_KEY)
    now = int(time.time())
    if (
        isinstance(kept, dict)
        and kept.keys() == FIELDS  # a record an older version of this module wrote is worked out again
        and kept["user"] == user.pk
        and 0 <= now - kept["decided_at"] < RECHECK_SECONDS
    ):
        return kept
    kept = decide(user, now)
    request.session[SESSION_KEY] = kept
    return kept


def forget(request):
    """Work the record out again on the next request: the person's own memberships just changed."""
    request.session.pop(SESSION_KEY, None)


class _AdminAccess:
    """True in a template when the signed-in user may use the Wagtail admin; asks only when used."""

    def __init__(self, request):
        self.request = request

    def __bool__(self):
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        return session_roles(self.request)["admin_access"]


def context(request):
    """Context processor: ``can_access_admin`` for the header's admin link and Wagtail's user bar."""
    return {"can_access_admin": _AdminAccess(request)}
