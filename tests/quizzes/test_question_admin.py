"""Trainers write questions in the Wagtail admin; a question that could not be graded is refused."""

import pytest
from django.urls import reverse

from quizzes.models import Question

pytestmark = pytest.mark.django_db


def form_data(lesson, kind, choices, **extra):
    data = {
        "kind": kind,
        "lesson": lesson.pk,
        "stem": "Who do you tell first?",
        "explanation": "The DSL, straight away.",
        "source_title": "",
        "source_url": "",
        "statistic": "",
        "true_false_answer": "",
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
        "action-publish": "action-publish",
    }
    for index, (text, correct) in enumerate(choices):
        data[f"choices-{index}-text"] = text
        data[f"choices-{index}-ORDER"] = str(index + 1)
        data[f"choices-{index}-id"] = ""
        data[f"choices-{index}-DELETE"] = ""
        if correct:
            data[f"choices-{index}-is_correct"] = "on"
    data.update(extra)
    return data


ADD = "wagtailsnippets_quizzes_question:add"


def test_lead_trainer_publishes_a_single_answer_question(lead_client, make_lesson):
    lesson = make_lesson()

    response = lead_client.post(
        reverse(ADD), form_data(lesson, "single", [("The DSL", True), ("A friend", False)])
    )

    assert response.status_code == 302
    question = Question.objects.get()
    assert question.live
    assert [(c.text, c.is_correct) for c in question.choices.all()] == [
        ("The DSL", True),
        ("A friend", False),
    ]
    assert question.revisions.count() == 1


@pytest.mark.parametrize(
    "kind, choices, extra, message",
    [
        ("single", [("A", False), ("B", False)], {}, "exactly one of them correct"),
        ("single", [("A", True), ("B", True)], {}, "exactly one of them correct"),
        ("multiple", [("A", True), ("B", True), ("C", True)], {}, "at least one correct and one not"),
        ("true_false", [], {}, "Say whether the statement is true or false"),
    ],
)
def test_ungradeable_questions_are_refused(trainer_client, make_lesson, kind, choices, extra, message):
    lesson = make_lesson()

    response = trainer_client.post(reverse(ADD), form_data(lesson, kind, choices, **extra))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Question.objects.exists()


def test_statistics_question_needs_no_choices(trainer_client, make_lesson, statistic):
    lesson = make_lesson()

    response = trainer_client.post(
        reverse(ADD),
        form_data(lesson, "single", [], statistic=statistic.pk, stem="In {period}, about how many?"),
    )

    assert response.status_code == 302
    assert Question.objects.get().statistic == statistic


@pytest.mark.parametrize(
    "field, text, message",
    [
        ("stem", "In {year}, how many?", "Unknown placeholder {year}"),
        ("stem", "It was {value} in {period}: true?", "Unknown placeholder {value}"),  # gives the answer away
        ("stem", "In {period, how many?", "Unmatched {"),
        ("explanation", "It was {count}.", "Unknown placeholder {count}"),
    ],
)
def test_statistics_question_placeholders_are_checked(
    trainer_client, make_lesson, statistic, field, text, message
):
    lesson = make_lesson()
    data = form_data(lesson, "single", [], statistic=statistic.pk, stem="In {period}, about how many?")
    data[field] = text

    response = trainer_client.post(reverse(ADD), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Question.objects.exists()
