"""The training record page, kept in the cache until something on it changes.

Working out 2,000 people's statuses takes the database and Python well over a hundred
milliseconds; a manager opens the page far more often than their staff's records change. So the
part of the dashboard below the heading (summary, seats and the page of staff) is rendered once
and kept under a key made of:

- the provider's *record version*: a random token in the cache, renewed whenever something the
  page shows changes for that provider (below);
- the content version (cms.page_cache): publishing a lesson changes the lesson counts, and
  changing the provider (its renewal interval) renews it too;
- today's local date, since "due" and "expired" follow the calendar;
- the filters and the page number asked for.

What renews a provider's record version, once the transaction that made the change commits:
saving or deleting one of its memberships, invitations, seats or seat orders; and, for each
provider the learner is a member of, saving or deleting a learner's enrolment or certificate,
saving a completed lesson or a submitted quiz attempt, starting an enrolment, or changing the
learner's name or email (``learner_changed`` is there for changes made with ``QuerySet.update``).
A version is read before the page is worked out, so a page made from rows older than a change is
never kept under the version that follows it (as for cms.page_cache).

Only the learning time may lag, by at most TIMEOUT_SECONDS: every lesson view adds to it, and
renewing the record on each would leave nothing cached while staff learn. An entry is kept no
longer than until the provider's first open invitation expires, so a lapsed invitation drops off
on time."""

from hashlib import sha256
from uuid import uuid4

from django.db import transaction
from django.db.models import Min
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from cms.page_cache import content_version, get_cache

TIMEOUT_SECONDS = 5 * 60
VERSION_KEY = "providers:record-version:{}"
ENTRY_KEY = "providers:record:{}:{}"
# Saving only these changes nothing the record shows.
USER_FIELDS_NOT_SHOWN = frozenset({"last_login", "password"})


def record_version(provider_id):
    """The provider's current record version; a new one if the cache has none (or lost it)."""
    cache = get_cache()
    key = VERSION_KEY.format(provider_id)
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid4().hex, timeout=None)
        version = cache.get(key)
    return version


def cached_record(provider, choices, render):
    """The dashboard's record for ``choices`` (the filters and page asked for, as a dict):
    ``render()`` (an HTML string), kept until the provider's record changes."""
    from .models import Invitation

    version = record_version(provider.pk)  # read before anything the record is made from
    parts = (version, content_version(), timezone.localdate().isoformat(), sorted(choices.items()))
    key = ENTRY_KEY.format(provider.pk, sha256(repr(parts).encode()).hexdigest())
    cache = get_cache()
    html = cache.get(key)
    if html is not None:
        return html
    now = timezone.now()
    html = render()
    first_expiry = Invitation.objects.open(now).filter(provider=provider).aggregate(first=Min("expires_at"))
    timeout = TIMEOUT_SECONDS
    if first_expiry["first"] is not None:
        timeout = max(0, min(timeout, int((first_expiry["first"] - now).total_seconds())))
    if timeout:
        cache.set(key, html, timeout)
    return html


def renew_record_versions(provider_ids):
    """Make the cached record of each provider in ``provider_ids`` stale."""
    provider_ids = set(provider_ids)
    if provider_ids:
        get_cache().set_many({VERSION_KEY.format(pk): uuid4().hex for pk in provider_ids}, timeout=None)


def providers_changed(*provider_ids):
    """Renew these providers' record versions once the current transaction commits (at once
    outside one)."""
    transaction.on_commit(lambda: renew_record_versions(provider_ids), robust=True)


def learner_changed(*learner_ids):
    """Renew the record version of every provider these learners (user ids) are members of, once
    the current transaction commits."""
    _members_changed(user_id__in=learner_ids)


def _members_changed(**memberships):
    """Renew, once the current transaction commits, the record version of each provider with a
    membership matching ``memberships`` (Membership filter arguments)."""

    def renew():
        from .models import Membership

        renew_record_versions(Membership.objects.filter(**memberships).values_list("provider_id", flat=True))

    transaction.on_commit(renew, robust=True)


# --- signals ------------------------------------------------------------------------------------


def on_provider_row_changed(sender, instance, **kwargs):
    providers_changed(instance.provider_id)


def on_learner_row_changed(sender, instance, **kwargs):
    learner_changed(instance.learner_id)


def on_user_changed(sender, instance, created=False, update_fields=None, **kwargs):
    if created or (update_fields is not None and set(update_fields) <= USER_FIELDS_NOT_SHOWN):
        return  # a new account is in no provider yet; a login changes nothing shown
    learner_changed(instance.pk)


def on_enrolment_started(sender, enrolment, **kwargs):
    learner_changed(enrolment.learner_id)


def on_progress_saved(sender, instance, **kwargs):
    # Opening a lesson only adds learning time (allowed to lag): a lesson counts once completed.
    if instance.completed_at is not None:
        _members_changed(user__enrolments=instance.enrolment_id)


def on_attempt_saved(sender, instance, **kwargs):
    # An attempt in progress is not on the record: only its submitted result is.
    if instance.status == instance.Status.SUBMITTED:
        _members_changed(user__enrolments=instance.enrolment_id)


def connect_signals():
    """Called once the apps are ready (providers.apps)."""
    from django.contrib.auth import get_user_model

    from certificates.models import Certificate
    from courses.models import Enrolment, LessonProgress
    from courses.signals import enrolment_started
    from quizzes.models import Attempt

    from .models import Invitation, Membership, SeatAssignment, SeatOrder

    receivers = [
        ((Membership, Invitation, SeatAssignment, SeatOrder), on_provider_row_changed),
        ((Enrolment, Certificate), on_learner_row_changed),
    ]
    for models, receiver in receivers:
        for model in models:
            label = model._meta.label
            post_save.connect(receiver, sender=model, dispatch_uid=f"record-cache-saved-{label}")
            post_delete.connect(receiver, sender=model, dispatch_uid=f"record-cache-deleted-{label}")
    # Lessons and attempts go only with their enrolment (whose delete is watched): watching their
    # own deletes would make Django load and signal each of those many rows instead of deleting
    # them in bulk.
    post_save.connect(on_progress_saved, sender=LessonProgress, dispatch_uid="record-cache-saved-progress")
    post_save.connect(on_attempt_saved, sender=Attempt, dispatch_uid="record-cache-saved-attempt")
    post_save.connect(on_user_changed, sender=get_user_model(), dispatch_uid="record-cache-user")
    enrolment_started.connect(on_enrolment_started, dispatch_uid="record-cache-enrolment-started")
