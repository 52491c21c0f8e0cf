"""Who may see lesson bodies: enrolled learners, and trainers (admin users) without enrolment."""

from .models import Enrolment, LessonProgress


def is_trainer(user):
    return user.is_authenticated and user.has_perm("wagtailadmin.access_admin")


def enrolment_for(user, module):
    if not user.is_authenticated:
        return None
    enrolment = Enrolment.objects.filter(learner=user, module=module).first()
    if enrolment is not None:
        enrolment.module = module  # the caller's page object: no second fetch of the module
    return enrolment


def enrolment_and_progress_rows(user, module):
    """``(enrolment, {lesson id: LessonProgress})`` for ``user`` on ``module``; ``(None, {})`` when
    not enrolled. One query once the learner has opened a lesson (the rows bring their enrolment),
    two before that."""
    if not user.is_authenticated:
        return None, {}
    rows = list(
        LessonProgress.objects.filter(enrolment__learner=user, enrolment__module=module).select_related(
            "enrolment"
        )
    )
    if not rows:
        return enrolment_for(user, module), {}
    enrolment = rows[0].enrolment
    enrolment.module = module  # the caller's page object: no second fetch of the module
    for row in rows:
        row.enrolment = enrolment
    return enrolment, {row.lesson_id: row for row in rows}
