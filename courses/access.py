"""Who may see lesson bodies: enrolled learners, and trainers (admin users) without enrolment."""

from cms.prepared_queries import PreparedQuery

from .models import Enrolment, LessonProgress

# Every lesson and module page a learner opens asks for these two: compiled once (cms.prepared_queries).
ENROLMENT = PreparedQuery(
    lambda learner, module: Enrolment.objects.filter(learner_id=learner, module_id=module),
    "learner",
    "module",
)
PROGRESS_ROWS = PreparedQuery(
    lambda enrolment: LessonProgress.objects.filter(enrolment_id=enrolment), "enrolment"
)


def is_trainer(user):
    return user.is_authenticated and user.has_perm("wagtailadmin.access_admin")


def enrolment_for(user, module):
    if not user.is_authenticated:
        return None
    enrolment = next(iter(ENROLMENT(learner=user.pk, module=module.pk)), None)
    if enrolment is not None:
        enrolment.module = module  # the caller's page object: no second fetch of the module
    return enrolment


def enrolment_and_progress_rows(user, module):
    """``(enrolment, {lesson id: LessonProgress})`` for ``user`` on ``module``; ``(None, {})`` when
    not enrolled. Two queries, each compiled once (one when not enrolled)."""
    enrolment = enrolment_for(user, module)
    if enrolment is None:
        return None, {}
    rows = {}
    for row in PROGRESS_ROWS(enrolment=enrolment.pk):
        row.enrolment = enrolment
        rows[row.lesson_id] = row
    return enrolment, rows
