"""Module and lesson pages run a fixed number of queries, whatever the size of the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.models import Enrolment, LessonProgress
from courses.services import complete_lesson
from tests.factories import StatisticFactory, callout_block, chart_block
from users.models import User

pytestmark = pytest.mark.django_db


def lesson_with_statistic_blocks(make_lesson, count):
    statistics = StatisticFactory.create_batch(count)
    body = []
    for index, statistic in enumerate(statistics):
        body.append(callout_block(statistic))
        if index % 2:
            body.append(chart_block([statistics[index - 1], statistic]))
    return make_lesson(body)


def count_queries(client, url):
    client.get(url)  # warm per-process caches (site root paths), as on any running server
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def add_learners_with_progress(module_page, lessons, count):
    """Bulk rows, as many learners' data would look: enrolled, first lesson done."""
    now = timezone.now()
    users = User.objects.bulk_create(
        User(email=f"bulk{n}@example.org", certificate_name=f"Learner {n}") for n in range(count)
    )
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(learner=user, module=module_page, source=Enrolment.Source.DEMO, started_at=now)
        for user in users
    )
    LessonProgress.objects.bulk_create(
        LessonProgress(
            enrolment=enrolment, lesson=lessons[0], first_opened_at=now, last_opened_at=now, completed_at=now
        )
        for enrolment in enrolments
    )


def test_lesson_query_count_does_not_grow_from_2_to_20_statistic_blocks(
    learner_client, enrolment, make_lesson
):
    small = lesson_with_statistic_blocks(make_lesson, 2)
    large = lesson_with_statistic_blocks(make_lesson, 20)
    complete_lesson(enrolment, small)

    assert len(large.body) == 30
    assert count_queries(learner_client, large.url) == count_queries(learner_client, small.url)


def test_lesson_page_query_budget(learner_client, enrolment, make_lesson, django_assert_max_num_queries):
    lesson = lesson_with_statistic_blocks(make_lesson, 20)
    learner_client.get(lesson.url)

    # Routing (a query per URL segment), the page and its restrictions, enrolment, progress, the
    # progress write, siblings, course, module, breadcrumbs, one query per statistic block type,
    # the signposting settings, the session and user.
    with django_assert_max_num_queries(30):
        learner_client.get(lesson.url)


def test_module_page_queries_do_not_grow_from_3_to_30_lessons(
    learner_client, enrolment, module_page, make_lesson
):
    lessons = [make_lesson() for _ in range(3)]
    complete_lesson(enrolment, lessons[0])
    few = count_queries(learner_client, module_page.url)
    lessons += [make_lesson() for _ in range(27)]

    assert count_queries(learner_client, module_page.url) == few


def test_lesson_and_module_queries_do_not_grow_from_1_to_1000_learners(
    learner_client, enrolment, module_page, make_lesson
):
    lessons = [make_lesson() for _ in range(3)]
    complete_lesson(enrolment, lessons[0])
    lesson_before = count_queries(learner_client, lessons[1].url)
    module_before = count_queries(learner_client, module_page.url)
    learning_before = count_queries(learner_client, "/my-learning/")

    add_learners_with_progress(module_page, lessons, 999)

    assert count_queries(learner_client, lessons[1].url) == lesson_before
    assert count_queries(learner_client, module_page.url) == module_before
    assert count_queries(learner_client, "/my-learning/") == learning_before
