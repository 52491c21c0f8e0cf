"""State changes for enrolments and lesson progress. Views call these; nothing else writes them."""

import functools
from datetime import timedelta

from django.db import connections, router, transaction
from django.utils import timezone
from wagtail.log_actions import log

from cms.audit import log_known

from .models import Enrolment, LessonPage, LessonProgress
from .progress import module_progress
from .signals import enrolment_started

# A gap between two server timestamps longer than this is a break, not learning time.
ACTIVE_GAP = timedelta(minutes=30)


class CourseError(Exception):
    """A change the learner asked for that cannot happen; the message is shown to them."""


class LessonLocked(CourseError):
    pass


def enrol(learner, module, *, source, granted_by=None, due_date=None):
    """Give ``learner`` access to ``module``. Idempotent: an existing enrolment is returned as is."""
    with transaction.atomic():
        enrolment, created = Enrolment.objects.get_or_create(
            learner=learner,
            module=module,
            defaults={"source": source, "granted_by": granted_by, "due_date": due_date},
        )
        if created:
            log(
                enrolment,
                "courses.enrol",
                user=granted_by,
                data={"learner": learner.email, "module": module.title, "source": source},
            )
    return enrolment


def progress_for(enrolment, lessons, rows=None):
    """The learner's ModuleProgress over ``lessons`` (the module's live lessons, in order), from
    their progress ``rows`` ({lesson id: LessonProgress}) when the caller has loaded them."""
    if rows is None:
        rows = {row.lesson_id: row for row in LessonProgress.objects.filter(enrolment=enrolment)}
    in_order = enrolment.module.lesson_order == enrolment.module.LessonOrder.IN_ORDER
    return module_progress(lessons, rows, in_order=in_order)


def _learning_time(since, now):
    elapsed = now - since
    return elapsed if timedelta() <= elapsed <= ACTIVE_GAP else timedelta()


@functools.cache
def _view_update_sql(using):
    quote = connections[using].ops.quote_name
    table = quote(LessonProgress._meta.db_table)
    last_opened, time_spent, pk = (
        quote(LessonProgress._meta.get_field(name).column) for name in ("last_opened_at", "time_spent", "id")
    )
    # Names from the model; every value is a parameter.
    return f"UPDATE {table} SET {last_opened} = %s, {time_spent} = {time_spent} + %s WHERE {pk} = %s"  # noqa: S608


def _record_view(progress, now, learning_time):
    """Set the row's last view to ``now`` and add ``learning_time`` to its total in the database
    (so two tabs both count). Every lesson view makes this write, so its SQL is written out once
    (``QuerySet.update`` spends about 0.6 ms compiling it each time; cms.prepared_queries)."""
    using = router.db_for_write(LessonProgress)
    connection = connections[using]
    field = LessonProgress._meta.get_field
    with connection.cursor() as cursor:
        cursor.execute(
            _view_update_sql(using),
            [
                field("last_opened_at").get_db_prep_save(now, connection),
                field("time_spent").get_db_prep_save(learning_time, connection),
                progress.pk,
            ],
        )


def open_lesson(enrolment, lesson, *, progress=None, now=None):
    """Record that the learner opened ``lesson``; time since their last view counts as learning.

    ``progress`` is the learner's row for the lesson when the caller has already loaded it."""
    now = now or timezone.now()
    created = False
    if progress is None:
        progress, created = LessonProgress.objects.get_or_create(
            enrolment=enrolment, lesson=lesson, defaults={"first_opened_at": now, "last_opened_at": now}
        )
    if not created:
        _record_view(progress, now, _learning_time(progress.last_opened_at, now))
    if enrolment.started_at is None:
        started = Enrolment.objects.filter(pk=enrolment.pk, started_at__isnull=True).update(started_at=now)
        enrolment.started_at = now
        if started:
            log(enrolment, "courses.start", user=enrolment.learner, data={"lesson": lesson.title})
            enrolment_started.send(Enrolment, enrolment=enrolment)
    return progress


def acknowledge_content_note(enrolment, lesson, *, now=None):
    now = now or timezone.now()
    progress = open_lesson(enrolment, lesson, now=now)
    LessonProgress.objects.filter(pk=progress.pk, content_note_seen_at__isnull=True).update(
        content_note_seen_at=now
    )


def complete_lesson(enrolment, lesson, *, now=None):
    """Mark ``lesson`` done. Completing twice changes nothing; a locked lesson raises LessonLocked."""
    now = now or timezone.now()
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",)).select_related("module").get(pk=enrolment.pk)
        )
        lessons = list(LessonPage.objects.child_of(enrolment.module).live().public().order_by("path"))
        progress = progress_for(enrolment, lessons)
        state = progress.state_of(lesson)
        if state is None:
            raise CourseError("That lesson is not part of this module.")
        blocking = progress.blocking_lesson(lesson)
        if blocking is not None:
            raise LessonLocked(f"Finish “{blocking.title}” first: lessons in this module open in order.")
        row = state.progress
        if row is not None and row.completed_at:
            return row
        if row is None:
            row = LessonProgress(enrolment=enrolment, lesson=lesson, first_opened_at=now, last_opened_at=now)
        else:
            row.time_spent += _learning_time(row.last_opened_at, now)
            row.last_opened_at = now
        row.completed_at = now
        row.save()
        if enrolment.started_at is None:
            enrolment.started_at = now
            enrolment.save(update_fields=["started_at"])
            log(enrolment, "courses.start", user=enrolment.learner, data={"lesson": lesson.title})
        if progress.done + 1 == progress.total and enrolment.module.quiz is None:
            on_module_passed(enrolment, now=now)
    return row


def on_module_passed(enrolment, *, attempt=None, now=None, snapshot_inputs=None):
    """The learner has met the module's requirements: every lesson, and its quiz if it has one.

    The one place that completes a module; certificates hook in here. Runs inside the caller's
    transaction; completing twice changes nothing. ``snapshot_inputs``: what the certificate will
    say, read before the transaction began (certificates.services.read_snapshot_inputs), if the
    caller did."""
    now = now or timezone.now()
    updated = Enrolment.objects.filter(pk=enrolment.pk, completed_at__isnull=True).update(completed_at=now)
    if updated:
        from certificates.services import issue_certificate

        enrolment.completed_at = now
        issue_certificate(enrolment, attempt=attempt, now=now, snapshot_inputs=snapshot_inputs)
        log_known(
            enrolment,
            "courses.complete_module",
            user=enrolment.learner,
            data={"attempt": attempt.pk if attempt else None, "score": attempt.score if attempt else None},
        )


def allow_more_quiz_attempts(enrolment, *, actor, now=None):
    """Staff or a manager let a learner start a new set of quiz attempts (the limit restarts)."""
    now = now or timezone.now()
    with transaction.atomic():
        Enrolment.objects.filter(pk=enrolment.pk).update(quiz_attempts_reset_at=now)
        enrolment.quiz_attempts_reset_at = now
        log(enrolment, "courses.allow_more_attempts", user=actor)
    return enrolment


def start_renewal(enrolment, *, actor, now=None):
    """A refresher: the learner takes the quiz again (lessons stay open to review) with a new set
    of attempts; passing issues a new certificate and supersedes the old one."""
    from certificates.models import Certificate

    now = now or timezone.now()
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",)).select_related("module").get(pk=enrolment.pk)
        )
        if enrolment.completed_at is None:
            raise CourseError("This module is not finished yet: there is nothing to renew.")
        current = (
            Certificate.objects.filter(enrolment=enrolment, status=Certificate.Status.VALID)
            .with_provider_renewal()
            .order_by("-issued_at")
            .first()
        )
        if current and not current.renewal_open:
            raise CourseError(
                f"Your training is in date until {current.renew_by:%-d %B %Y}. "
                "You can renew it in the 60 days before then."
            )
        enrolment.completed_at = None
        enrolment.quiz_attempts_reset_at = now
        enrolment.save(update_fields=["completed_at", "quiz_attempts_reset_at"])
        log(enrolment, "courses.renew", user=actor)
    return enrolment
