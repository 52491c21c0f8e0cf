import pytest

from courses.services import complete_lesson
from quizzes.models import Choice, Question, QuizPage
from tests.factories import StatisticFactory


def make_question(
    lesson, kind="single", choices=(("Right", True), ("Wrong", False), ("Also wrong", False)), **fields
):
    fields.setdefault("stem", f"Question about {lesson.title}")
    fields.setdefault("explanation", "Because the guidance says so.")
    question = Question(kind=kind, lesson=lesson, **fields)
    if kind != Question.Kind.TRUE_FALSE and not fields.get("statistic"):
        question.choices = [Choice(text=text, is_correct=correct) for text, correct in choices]
    question.save()
    return question


@pytest.fixture
def lessons(make_lesson):
    return [make_lesson(title=f"Lesson {n}", slug=f"lesson-{n}") for n in range(1, 4)]


@pytest.fixture
def quiz(module_page, lessons):
    return module_page.add_child(
        instance=QuizPage(title="Online safety quiz", slug="quiz", questions_per_attempt=4, pass_mark=75)
    )


@pytest.fixture
def statistic(db):
    return StatisticFactory(label="Child abuse image crimes", period="2022/23", geography="UK")


@pytest.fixture
def bank(lessons, statistic):
    """Four questions, one of each kind, across the three lessons (topics)."""
    return {
        "single": make_question(lessons[0], stem="Who do you tell first?"),
        "multiple": make_question(
            lessons[1],
            kind="multiple",
            stem="Which are reporting routes? Select all that apply.",
            choices=[("CEOP", True), ("IWF", True), ("A group chat", False), ("Nobody", False)],
        ),
        "true_false": make_question(
            lessons[2], kind="true_false", stem="You may save the image.", true_false_answer=False
        ),
        "statistic": make_question(
            lessons[0],
            stem="In {period}, about how many crimes did police record ({geography})?",
            statistic=statistic,
            explanation="Police recorded {value} in {period}.",
        ),
    }


@pytest.fixture
def ready_enrolment(enrolment, lessons, quiz):
    """The learner has finished every lesson, so the quiz is open."""
    for lesson in lessons:
        complete_lesson(enrolment, lesson)
    return enrolment
