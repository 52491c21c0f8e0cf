"""Starting and submitting quiz attempts. Grading is on the server, against the frozen paper."""

import random

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from courses.models import Enrolment
from courses.services import on_module_passed, progress_for

from .grading import AnswerError, attempt_window, draw_questions, mark_paper, paper_entry, score_percent
from .models import Attempt, Response


class QuizError(Exception):
    """Something the learner cannot do right now; the message says why."""


class QuizLocked(QuizError):
    pass


class NoAttemptsLeft(QuizError):
    pass


def window_for(enrolment, quiz, attempts, now=None):
    return attempt_window(
        [a.submitted_at for a in attempts if a.is_submitted],
        limit=quiz.attempt_limit,
        cooldown_hours=quiz.cooldown_hours,
        reset_at=enrolment.quiz_attempts_reset_at,
        now=now or timezone.now(),
    )


def start_attempt(enrolment, quiz, *, rng=None, now=None):
    """The learner's open attempt, or a new one with a freshly drawn paper."""
    now = now or timezone.now()
    rng = rng or random.SystemRandom()
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",)).select_related("module").get(pk=enrolment.pk)
        )
        attempts = list(Attempt.objects.filter(enrolment=enrolment, quiz=quiz).order_by("number"))
        open_attempt = next((a for a in attempts if not a.is_submitted), None)
        if open_attempt:
            return open_attempt
        if enrolment.completed_at is not None:
            raise QuizError("You have already passed this quiz.")
        if not progress_for(enrolment, quiz.module.lessons).is_complete:
            raise QuizLocked("The quiz opens when you have finished every lesson.")
        window = window_for(enrolment, quiz, attempts, now)
        if window.remaining == 0:
            when = timezone.localtime(window.available_at).strftime("%-d %B %Y at %H:%M")
            raise NoAttemptsLeft(f"You have used all your attempts for now. You can try again from {when}.")
        pool = list(quiz.question_pool())
        if not pool:
            raise QuizError("This quiz has no questions yet. Please try again later.")
        paper = [paper_entry(q, rng) for q in draw_questions(pool, quiz.questions_per_attempt, rng)]
        return Attempt.objects.create(
            enrolment=enrolment,
            quiz=quiz,
            number=len(attempts) + 1,
            paper=paper,
            started_at=now,
        )


def submit_attempt(attempt, answers, *, now=None):
    """Grade ``answers`` ({position: [option keys]}) once. A second submission changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("quiz", "enrolment")
            .get(pk=attempt.pk)
        )
        if attempt.is_submitted:
            return attempt
        if len(answers) != len(attempt.paper):
            raise AnswerError("Every question needs an answer.")
        marks = mark_paper(attempt.paper, answers)
        attempt.answers = answers
        attempt.score = score_percent(marks)
        attempt.passed = attempt.score >= attempt.quiz.pass_mark
        attempt.status = Attempt.Status.SUBMITTED
        attempt.submitted_at = now
        attempt.save()
        Response.objects.bulk_create(
            Response(
                attempt=attempt,
                question_id=m.entry["question"],
                chosen=m.chosen_refs,
                is_correct=m.is_correct,
            )
            for m in marks
        )
        log(
            attempt,
            "quizzes.submit",
            user=attempt.enrolment.learner,
            data={"score": attempt.score, "passed": attempt.passed, "number": attempt.number},
        )
        if attempt.passed:
            on_module_passed(attempt.enrolment, attempt=attempt, now=now)
    return attempt
