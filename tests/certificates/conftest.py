import pytest
from django.utils import timezone

from courses.services import complete_lesson
from quizzes import services as quiz_services
from quizzes.models import Choice, Question, QuizPage


@pytest.fixture
def one_question_quiz(enrolment, make_lesson, module_page):
    """A module with one lesson (done by the enrolled learner) and a one-question quiz."""
    lesson = make_lesson()
    quiz = module_page.add_child(instance=QuizPage(title="Quiz", slug="quiz", questions_per_attempt=1))
    question = Question(kind="single", lesson=lesson, stem="Who?", explanation="The DSL.")
    question.choices = [Choice(text="DSL", is_correct=True), Choice(text="Nobody", is_correct=False)]
    question.save()
    complete_lesson(enrolment, lesson)
    return quiz


@pytest.fixture
def pass_quiz():
    """pass_quiz(enrolment, quiz): start an attempt and answer it rightly; returns the attempt."""

    def answer_rightly(enrolment, quiz, now=None):
        attempt = quiz_services.start_attempt(enrolment, quiz)
        key = next(o["key"] for o in attempt.paper[0]["options"] if o["correct"])
        return quiz_services.submit_attempt(attempt, {"0": [key]}, now=now or timezone.now())

    return answer_rightly
