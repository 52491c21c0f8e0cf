"""Lesson pages run a fixed number of queries, however many statistic blocks they hold."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import StatisticFactory, callout_block, chart_block

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
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_lesson_query_count_does_not_grow_from_2_to_20_statistic_blocks(client, make_lesson):
    small = lesson_with_statistic_blocks(make_lesson, 2)
    large = lesson_with_statistic_blocks(make_lesson, 20)
    client.get(small.url)  # warm the site root cache, as on any live server

    small_count = count_queries(client, small.url)
    large_count = count_queries(client, large.url)

    assert large_count == small_count
    assert len(large.body) == 30


def test_lesson_page_query_budget(client, make_lesson, django_assert_max_num_queries):
    lesson = lesson_with_statistic_blocks(make_lesson, 20)
    client.get(lesson.url)

    # Wagtail routing (one query per URL segment), the page, its siblings, course, module,
    # breadcrumbs, one query per statistic block type, the signposting settings.
    with django_assert_max_num_queries(18):
        client.get(lesson.url)


def test_module_page_query_count_does_not_grow_with_lessons(client, module_page, make_lesson):
    for _ in range(3):
        make_lesson()
    client.get(module_page.url)
    few = count_queries(client, module_page.url)
    for _ in range(27):
        make_lesson()

    assert count_queries(client, module_page.url) == few
