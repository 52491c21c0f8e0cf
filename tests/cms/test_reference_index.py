"""Wagtail's reference index ("where is this page used") holds content only. A record with an admin
view (enrolments, seat orders) is registered for it by its viewset, and each save then queues a
job and adds rows: thousands of enrolments would swamp a module's usage listing. Every record model
opts out, so one given an admin view later stays out too."""

from django.apps import apps
from wagtail.models import ReferenceIndex

OUR_APPS = {"cms", "courses", "quizzes", "certificates", "providers", "users"}
CONTENT = {
    "cms.HomePage",
    "cms.StandardPage",
    "cms.SignpostingSettings",
    "certificates.CertificateSettings",  # its logo: the image's usage lists it
    "courses.CoursePage",
    "courses.ModulePage",
    "courses.LessonPage",
    "quizzes.QuizPage",
    "quizzes.Question",
}


def test_only_content_models_are_indexed():
    indexed = {
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS and ReferenceIndex.model_is_indexable(model)
    }

    assert indexed == CONTENT
