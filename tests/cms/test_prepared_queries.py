"""cms.prepared_queries: a queryset compiled once gives the same rows as the ORM, with other ids."""

import uuid
from datetime import date, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F
from django.utils import timezone

from certificates.models import Certificate
from certificates.views import OWN_CERTIFICATE
from cms.prepared_queries import PreparedQuery
from courses.access import ENROLMENT, PROGRESS_ROWS
from courses.models import Enrolment, LessonProgress
from tests.factories import UserFactory
from users.backends import USER_BY_ID

pytestmark = pytest.mark.django_db

COMPARED_FIELDS = [field.attname for field in LessonProgress._meta.concrete_fields]


def values(instance, fields):
    return {name: getattr(instance, name) for name in fields}


def test_the_rows_are_the_orms_rows_with_every_column_converted(enrolment, make_lesson):
    now = timezone.now().replace(microsecond=123456)
    lessons = [make_lesson(), make_lesson()]
    for number, lesson in enumerate(lessons):
        LessonProgress.objects.create(
            enrolment=enrolment,
            lesson=lesson,
            first_opened_at=now,
            last_opened_at=now + timedelta(minutes=number),
            completed_at=now if number else None,
            time_spent=timedelta(minutes=7, seconds=number),
        )
    other = Enrolment.objects.create(learner=UserFactory(), module=enrolment.module, source="demo")
    LessonProgress.objects.create(enrolment=other, lesson=lessons[0], first_opened_at=now, last_opened_at=now)

    prepared = sorted(PROGRESS_ROWS(enrolment=enrolment.pk), key=lambda row: row.pk)
    orm = sorted(LessonProgress.objects.filter(enrolment=enrolment), key=lambda row: row.pk)

    assert [values(row, COMPARED_FIELDS) for row in prepared] == [values(row, COMPARED_FIELDS) for row in orm]
    assert len(prepared) == 2
    assert isinstance(prepared[0].time_spent, timedelta) and prepared[1].completed_at == now
    assert [row.pk for row in PROGRESS_ROWS(enrolment=other.pk)] == [other.progress.get().pk]


def test_other_ids_find_other_rows_and_unknown_ids_none(enrolment, learner):
    stranger = UserFactory()

    assert [e.pk for e in ENROLMENT(learner=learner.pk, module=enrolment.module_id)] == [enrolment.pk]
    assert list(ENROLMENT(learner=stranger.pk, module=enrolment.module_id)) == []
    assert [u.email for u in USER_BY_ID(user=stranger.pk)] == [stranger.email]
    assert list(USER_BY_ID(user=stranger.pk + 1000)) == []


def test_the_queryset_is_built_and_compiled_once_per_database(learner):
    built = []

    def build(user):
        built.append(user)
        return type(learner).objects.filter(pk=user)

    query = PreparedQuery(build, "user")
    assert [u.pk for u in query(user=learner.pk)] == [learner.pk]
    assert [u.pk for u in query(user=learner.pk)] == [learner.pk]

    assert len(built) == 1  # with the marker id, never a real one
    assert built[0] != learner.pk


def test_parameters_must_be_exactly_the_markers(learner):
    with_constant = PreparedQuery(
        lambda user: type(learner).objects.filter(pk=user, email__endswith="@example.org"), "user"
    )
    unused_name = PreparedQuery(lambda user, module: type(learner).objects.filter(pk=user), "user", "module")
    annotated = PreparedQuery(
        lambda user: type(learner).objects.filter(pk=user).annotate(given=F("first_name")), "user"
    )
    related = PreparedQuery(
        lambda enrolment: LessonProgress.objects.filter(pk=enrolment).select_related("enrolment"), "enrolment"
    )

    for query, ids in (
        (with_constant, {"user": 1}),
        (unused_name, {"user": 1, "module": 1}),
        (related, {"enrolment": 1}),
        (annotated, {"user": 1}),
    ):
        with pytest.raises(ImproperlyConfigured):
            query(**ids)


def test_uuid_ids_find_the_same_row_as_the_orm(enrolment, learner):
    def certificate(person):
        return Certificate.objects.create(
            learner=person,
            module=enrolment.module,
            snapshot={"name": str(person)},
            expires_on=date(2030, 1, 1),
        )

    mine, theirs = certificate(learner), certificate(UserFactory())

    found = list(OWN_CERTIFICATE(certificate=mine.pk, learner=learner.pk))
    assert [(c.pk, c.code, c.status, c.pdf.name) for c in found] == [(mine.pk, mine.code, mine.status, "")]
    assert found[0].snapshot == mine.snapshot  # not selected, loaded when asked for
    assert list(OWN_CERTIFICATE(certificate=theirs.pk, learner=learner.pk)) == []
    assert list(OWN_CERTIFICATE(certificate=uuid.uuid4(), learner=learner.pk)) == []
    with pytest.raises(TypeError, match="UUID"):
        list(OWN_CERTIFICATE(certificate=str(mine.pk), learner=learner.pk))


@pytest.mark.parametrize("value", ["1", 1.0, None, True, "1 OR 1=1"])
def test_only_whole_numbers_are_accepted(learner, value):
    with pytest.raises(TypeError, match="whole number"):
        list(USER_BY_ID(user=value))
