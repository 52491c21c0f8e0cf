"""Starting and submitting quiz attempts. Grading is on the server, against the frozen paper."""

import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from certificates.services import read_snapshot_inputs
from cms.audit import log_known, logged_together
from courses.models import Enrolment
from courses.services import on_module_passed, progress_for

from .grading import (
    AnswerError,
    attempt_window,
    draw_questions,
    mark_paper,
    paper_entry,
    read_answers,
    score_percent,
)
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
        pool = quiz.drawable_questions()
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


GRADED_FIELDS = ["answers", "score", "passed", "status", "submitted_at"]


@dataclass(frozen=True)
class Submission:
    """What became of a submitted form: the attempt, the answers read from the form, and the
    positions left unanswered (then nothing was saved and the form is shown again)."""

    attempt: Attempt
    answers: dict
    missing: list


def submit_form(enrolment, quiz, number, data, *, now=None):
    """Attempt ``number`` of ``enrolment`` at ``quiz``, graded from the quiz form's ``data`` (a
    QueryDict), or None when there is no such attempt.

    The attempt is read once, with its row locked, and the form is checked against the paper
    stored in it: a second submission changes nothing, a choice not in the paper raises
    AnswerError and an unanswered question saves nothing. ``enrolment`` (the signed-in learner's,
    with its module and learner) and ``quiz`` (the page being served) are used as they are."""
    # What a certificate would say, read before the transaction so that the database's one writer
    # is not kept waiting for it (cms/db/sqlite3): used only if this submission passes the module.
    inputs = read_snapshot_inputs(enrolment) if enrolment.completed_at is None else None
    with transaction.atomic():
        try:
            attempt = Attempt.objects.select_for_update(of=("self",)).get(
                enrolment_id=enrolment.pk, quiz_id=quiz.pk, number=number
            )
        except Attempt.DoesNotExist:
            return None
        attempt.quiz, attempt.enrolment = quiz, enrolment
        if attempt.is_submitted:
            return Submission(attempt, attempt.answers, [])
        answers, missing = read_answers(attempt.paper, data)
        if not missing:
            grade(attempt, answers, now or timezone.now(), snapshot_inputs=inputs)
    return Submission(attempt, answers, missing)


def submit_attempt(attempt, answers, *, now=None):
    """Grade ``answers`` ({position: [option keys]}) once. A second submission changes nothing."""
    with transaction.atomic():
        attempt = (
            Attempt.objects.select_for_update(of=("self",))
            .select_related("quiz", "enrolment__learner")
            .get(pk=attempt.pk)
        )
        if attempt.is_submitted:
            return attempt
        if len(answers) != len(attempt.paper):
            raise AnswerError("Every question needs an answer.")
        grade(attempt, answers, now or timezone.now())
    return attempt


def grade(attempt, answers, now, *, snapshot_inputs=None):
    """Mark a locked, open attempt against its stored paper and record the result: the graded
    responses, the audit log and, on a pass, the completed module and its certificate (saying
    ``snapshot_inputs``, certificates.services.read_snapshot_inputs, if the caller read them).
    Runs in the caller's transaction; its audit entries are written together at the end."""
    with logged_together():
        _grade(attempt, answers, now, snapshot_inputs)


def _grade(attempt, answers, now, snapshot_inputs):
    marks = mark_paper(attempt.paper, answers)
    attempt.answers = answers
    attempt.score = score_percent(marks)
    attempt.passed = attempt.score >= attempt.quiz.pass_mark
    attempt.status = Attempt.Status.SUBMITTED
    attempt.submitted_at = now
    attempt.save(update_fields=GRADED_FIELDS)  # the paper stays as it was drawn
    Response.objects.bulk_create(
        Response(
            attempt=attempt,
            question_id=m.entry["question"],
            chosen=m.chosen_refs,
            is_correct=m.is_correct,
        )
        for m in marks
    )
    log_known(
        attempt,
        "quizzes.submit",
        user=attempt.enrolment.learner,
        data={"score": attempt.score, "passed": attempt.passed, "number": attempt.number},
    )
    if attempt.passed:
        on_module_passed(attempt.enrolment, attempt=attempt, now=now, snapshot_inputs=snapshot_inputs)
