"""Who may see lesson bodies: enrolled learners, and trainers (admin users) without enrolment."""

from .models import Enrolment


def is_trainer(user):
    return user.is_authenticated and user.has_perm("wagtailadmin.access_admin")


def enrolment_for(user, module):
    if not user.is_authenticated:
        return None
    enrolment = Enrolment.objects.filter(learner=user, module=module).first()
    if enrolment is not None:
        enrolment.module = module  # the caller's page object: no second fetch of the module
    return enrolment
