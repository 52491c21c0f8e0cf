"""Editing a statistic shows, above the form, every lesson and question that will change with it."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import ReferenceIndex

from cms.panels import statistic_usage, usage_summary
from quizzes.models import Question
from tests.factories import StatisticFactory, callout_block, chart_block
from tests.quizzes.conftest import make_question

pytestmark = pytest.mark.django_db


def edit_url(statistic):
    return reverse("wagtailsnippets_cms_statistic:edit", args=[statistic.pk])


def usage_panel(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").select_one("[data-statistic-usage]")


def lesson_using(make_lesson, blocks, **fields):
    lesson = make_lesson(blocks, **fields)
    ReferenceIndex.create_or_update_for_object(lesson)
    return lesson


def add_questions(statistic, lesson, count, start=1):
    """``count`` statistics questions on ``statistic`` (bulk, for speed)."""
    return Question.objects.bulk_create(
        Question(
            lesson=lesson,
            statistic=statistic,
            stem=f"Bulk question {n}: how many in {{period}}?",
            explanation="Police recorded {value}.",
        )
        for n in range(start, start + count)
    )


def test_edit_form_lists_the_lessons_and_questions_that_use_the_statistic(trainer_client, make_lesson):
    statistic = StatisticFactory()
    other = StatisticFactory()
    callout = lesson_using(make_lesson, [callout_block(statistic)], title="Where it happens")
    chart = lesson_using(make_lesson, [chart_block([other, statistic])], title="How it has grown")
    lesson_using(make_lesson, [callout_block(other)], title="Unrelated lesson")
    question = make_question(callout, stem="About how many crimes in {period}?", statistic=statistic)
    draft = make_question(chart, stem="Draft question on {label}", statistic=statistic, live=False)
    make_question(callout, stem="Unrelated question", statistic=other)

    panel = usage_panel(trainer_client.get(edit_url(statistic)))

    assert panel is not None
    summary = panel.p.get_text(" ", strip=True)
    assert summary == "Changing this figure changes 2 lessons and 2 questions once it is approved."
    pages = {a.get_text(strip=True): a["href"] for a in panel.select("[data-usage=pages] a")}
    assert pages == {
        "Where it happens": reverse("wagtailadmin_pages:edit", args=[callout.pk]),
        "How it has grown": reverse("wagtailadmin_pages:edit", args=[chart.pk]),
    }
    items = panel.select("[data-usage=questions] li")
    links = {li.a.get_text(strip=True): li.a["href"] for li in items}
    assert links == {
        "About how many crimes in {period}?": reverse(
            "wagtailsnippets_quizzes_question:edit", args=[question.pk]
        ),
        "Draft question on {label}": reverse("wagtailsnippets_quizzes_question:edit", args=[draft.pk]),
    }
    texts = [li.get_text(" ", strip=True) for li in items]
    assert texts[0] == "About how many crimes in {period}? (topic: Where it happens)"
    assert texts[1] == "Draft question on {label} (topic: How it has grown) (draft)"


def test_panel_sits_above_the_fields(trainer_client, make_lesson):
    statistic = StatisticFactory()
    lesson_using(make_lesson, [callout_block(statistic)])

    response = trainer_client.get(edit_url(statistic))

    html = response.content.decode()
    assert html.index("data-statistic-usage") < html.index('name="label"')
    assert "Where this statistic is used" in html


def test_a_statistic_nobody_uses_says_so_calmly(trainer_client):
    statistic = StatisticFactory()

    panel = usage_panel(trainer_client.get(edit_url(statistic)))

    assert panel.get_text(" ", strip=True) == (
        "No lesson or question uses this statistic yet, so changing it changes nothing learners see."
    )
    assert panel.select("a") == []


def test_not_shown_when_adding_a_statistic(trainer_client):
    response = trainer_client.get(reverse("wagtailsnippets_cms_statistic:add"))

    assert response.status_code == 200
    assert usage_panel(response) is None
    assert "Where this statistic is used" not in response.content.decode()


@pytest.mark.parametrize(
    ("pages", "questions", "lessons", "expected"),
    [
        (1, 0, True, "Changing this figure changes this lesson once it is approved."),
        (3, 0, True, "Changing this figure changes these 3 lessons once it is approved."),
        (0, 1, True, "Changing this figure changes this question once it is approved."),
        (0, 2, True, "Changing this figure changes these 2 questions once it is approved."),
        (3, 2, True, "Changing this figure changes 3 lessons and 2 questions once it is approved."),
        (1, 1, True, "Changing this figure changes 1 lesson and 1 question once it is approved."),
        (2, 1, False, "Changing this figure changes 2 pages and 1 question once it is approved."),
    ],
)
def test_summary_wording(pages, questions, lessons, expected):
    assert usage_summary(pages, questions, pages_are_lessons=lessons) == expected


def test_query_count_is_the_same_for_2_and_30_usages(trainer_client, make_lesson, django_assert_num_queries):
    statistic = StatisticFactory()
    first = lesson_using(make_lesson, [callout_block(statistic)])
    add_questions(statistic, first, 1)

    def edit_page_queries():
        trainer_client.get(edit_url(statistic))  # warm the caches (content types, site)
        with CaptureQueriesContext(connection) as queries:
            panel = usage_panel(trainer_client.get(edit_url(statistic)))
        return panel, len(queries)

    # the page ids from the reference index (a subquery) with the pages; the questions
    with django_assert_num_queries(2):
        pages, questions = statistic_usage(statistic)
    assert (len(pages), len(questions)) == (1, 1)
    small_panel, small_queries = edit_page_queries()
    assert len(small_panel.select("li")) == 2

    for _ in range(14):
        lesson_using(make_lesson, [callout_block(statistic)])
    add_questions(statistic, first, 14, start=2)

    with django_assert_num_queries(2):
        pages, questions = statistic_usage(statistic)
    assert (len(pages), len(questions)) == (15, 15)
    large_panel, large_queries = edit_page_queries()
    assert len(large_panel.select("li")) == 30
    assert large_queries == small_queries
