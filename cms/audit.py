"""Audit log entries on the busiest writes (a quiz submission and what a pass sets off).

``log_known`` writes the row ``wagtail.log_actions.log`` writes, through Wagtail's log registry and
its active log context, validated the same way except that the content type and the acting user
are not looked up again to prove they exist: ``full_clean`` makes a query for each, and on these
paths both rows were read a moment before. A passing submission logs three entries inside its
transaction; this spares it six queries. Everywhere else, call Wagtail's ``log``.

Inside ``logged_together()`` the entries ``log_known`` makes are kept and written as the block ends,
in the order they were made, in one INSERT: a passing submission writes its three in one statement
instead of three, inside its transaction, so they commit with the rest of the change or not at all.
"""

import itertools
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.log_actions import get_active_log_context
from wagtail.log_actions import registry as log_registry

_pending = ContextVar("audit_log_pending", default=None)  # the open logged_together block's entries


def log_known(instance, action, *, user, data=None):
    """As ``log(instance, action, user=user, data=data)``; ``instance`` and ``user`` are saved rows
    just read or written. Returns the entry, or None for a type Wagtail does not log."""
    log_registry.scan_for_actions()
    entry_model = log_registry.get_log_model_for_instance(instance)
    if entry_model is None:  # as log() does: nothing is logged for an unregistered type
        return None
    entry = entry_model(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        label=entry_model.objects.get_instance_title(instance),
        action=action,
        timestamp=timezone.now(),
        user=user or get_active_log_context().user,
        uuid=get_active_log_context().uuid,
        data=data or {},
    )
    entry.full_clean(exclude=["content_type", "user"])
    pending = _pending.get()
    if pending is None:
        entry_model.objects.bulk_create([entry])
    else:
        pending.append(entry)
    return entry


@contextmanager
def logged_together():
    """Write the entries ``log_known`` makes in the block when it ends, in one INSERT per log model
    (in the order they were made); none if the block raises. Use it inside the transaction that
    makes the changes logged, around code that does not roll back to a savepoint and carry on (an
    entry made before such a rollback would still be written). A block inside another leaves the
    writing to the outer one."""
    if _pending.get() is not None:
        yield
        return
    entries = []
    token = _pending.set(entries)
    try:
        yield
    finally:
        _pending.reset(token)
    for entry_model, group in itertools.groupby(entries, key=type):
        entry_model.objects.bulk_create(list(group))
