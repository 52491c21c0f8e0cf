"""Grading, the draw and the attempt window: pure functions, checked against hand-made data."""

import random
from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from cms.models import Statistic
from quizzes.grading import (
    AnswerError,
    attempt_window,
    draw_questions,
    mark_paper,
    read_answers,
    score_percent,
)
from quizzes.statistic_choices import statistic_options


def option(key, correct):
    return {"key": key, "ref": key, "text": key.upper(), "correct": correct}


PAPER = [
    {"kind": "single", "options": [option("a", True), option("b", False), option("c", False)]},
    {"kind": "multiple", "options": [option("d", True), option("e", True), option("f", False)]},
    {"kind": "true_false", "options": [option("t", False), option("u", True)]},
]


def query(**answers):
    data = QueryDict(mutable=True)
    for name, values in answers.items():
        data.setlist(name, values)
    return data


@pytest.mark.parametrize(
    "answers, expected",
    [
        ({"0": ["a"], "1": ["d", "e"], "2": ["u"]}, [True, True, True]),
        ({"0": ["b"], "1": ["d", "e"], "2": ["t"]}, [False, True, False]),
        ({"0": ["a"], "1": ["d"], "2": ["u"]}, [True, False, True]),  # part of select-all: wrong
        ({"0": ["a"], "1": ["d", "e", "f"], "2": ["u"]}, [True, False, True]),  # an extra wrong one
    ],
)
def test_each_question_is_all_or_nothing(answers, expected):
    marks = mark_paper(PAPER, answers)

    assert [m.is_correct for m in marks] == expected
    assert score_percent(marks) == round(100 * sum(expected) / 3)


def test_read_answers_reports_missing_questions_and_keeps_the_rest():
    answers, missing = read_answers(PAPER, query(q0=["a"], q2=["u"]))

    assert answers == {"0": ["a"], "2": ["u"]}
    assert missing == [1]


@pytest.mark.parametrize(
    "data",
    [
        {"q0": ["not-a-key"]},
        {"q0": ["d"]},  # another question's option
        {"q0": ["a", "b"]},  # two answers to a single-answer question
        {"q1": ["d", "d"]},
    ],
)
def test_answers_outside_the_paper_are_refused(data):
    with pytest.raises(AnswerError):
        read_answers(PAPER, query(**data))


@pytest.mark.parametrize(
    "value, unit, right",
    [
        ("33000", "count", "33,000"),
        ("38685", "count", "38,700"),
        ("44", "percent", "44%"),
        ("79", "percent", "79%"),
    ],
)
def test_statistic_options_put_the_figure_among_plausible_wrong_ones(value, unit, right):
    options = statistic_options(Statistic(value=Decimal(value), unit=unit))

    texts = [text for _, text, _ in options]
    assert [text for _, text, correct in options if correct] == [right]
    assert len(options) == 4
    assert len(set(texts)) == 4


@given(value=st.integers(min_value=1, max_value=99))
def test_percentage_options_are_distinct_and_in_range(value):
    options = statistic_options(Statistic(value=Decimal(value), unit="percent"))

    numbers = [int(text.rstrip("%")) for _, text, _ in options]
    assert len(options) >= 3
    assert len(set(numbers)) == len(numbers)
    assert all(0 < n < 100 for n in numbers)
    assert sum(correct for _, _, correct in options) == 1


@given(
    topics=st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=30),
    count=st.integers(min_value=1, max_value=20),
    seed=st.integers(),
)
def test_draw_covers_every_topic_and_never_repeats(topics, count, seed):
    pool = [SimpleNamespace(pk=n, lesson_id=topic) for n, topic in enumerate(topics)]

    drawn = draw_questions(pool, count, random.Random(seed))

    assert len({q.pk for q in drawn}) == len(drawn)
    assert {q.lesson_id for q in drawn} == set(topics)
    assert len(drawn) == min(len(pool), max(count, len(set(topics))))


NOON = datetime(2026, 11, 28, 12, 0)


@pytest.mark.parametrize(
    "submitted_hours, reset_hours, now_hours, remaining, wait_until_hours",
    [
        ([], None, 0, 3, None),
        ([0, 1], None, 2, 1, None),
        ([0, 1, 2], None, 3, 0, 26),  # limit reached: the cooldown runs from the last attempt
        ([0, 1, 2], None, 26, 3, None),  # cooldown over: a new set of attempts
        ([0, 1, 2, 30], None, 31, 2, None),
        ([0, 1, 2], 2.5, 3, 3, None),  # staff allowed more attempts
    ],
)
def test_attempt_window(submitted_hours, reset_hours, now_hours, remaining, wait_until_hours):
    def at(hours):
        return None if hours is None else NOON + timedelta(hours=hours)

    window = attempt_window(
        [at(h) for h in submitted_hours],
        limit=3,
        cooldown_hours=24,
        reset_at=at(reset_hours),
        now=at(now_hours),
    )

    assert window.remaining == remaining
    assert window.available_at == at(wait_until_hours)
