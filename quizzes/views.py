from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from courses.access import enrolment_for, is_trainer
from courses.services import progress_for

from . import services
from .grading import AnswerError, mark_paper
from .models import Attempt


def quiz_url(quiz, name, *args):
    return quiz.url + quiz.reverse_subpage(name, args=args)


def quiz_overview(request, quiz):
    if not request.user.is_authenticated and not getattr(request, "is_preview", False):
        return redirect_to_login(request.get_full_path())
    module = quiz.module
    enrolment = enrolment_for(request.user, module) if request.user.is_authenticated else None
    context = {"page": quiz, "self": quiz, "module": module, "enrolment": enrolment}
    if enrolment is None:
        if is_trainer(request.user) or getattr(request, "is_preview", False):
            context["pool_size"] = quiz.question_pool().count()
            return TemplateResponse(request, "quizzes/quiz_page.html", context)
        return TemplateResponse(request, "courses/no_access.html", context)
    attempts = list(Attempt.objects.filter(enrolment=enrolment, quiz=quiz).order_by("number"))
    context.update(
        attempts=[a for a in attempts if a.is_submitted],
        open_attempt=next((a for a in attempts if not a.is_submitted), None),
        passed=next((a for a in reversed(attempts) if a.passed), None) if enrolment.completed_at else None,
        progress=progress_for(enrolment, module.lessons),
        window=services.window_for(enrolment, quiz, attempts),
    )
    return TemplateResponse(request, "quizzes/quiz_page.html", context)


def learner_attempts(request, quiz, *, certificates=False, **filters):
    """The signed-in learner's own attempts at ``quiz`` (and ``filters``), in order, with their
    enrolment (and each one's certificate if asked): two plain queries, which cost less than one
    that joins them. The quiz, its module and the learner are the request's objects, so nothing
    fetches them again. Nobody gets another person's attempts."""
    module = quiz.module
    enrolment = enrolment_for(request.user, module) if module is not None else None
    if enrolment is None:
        return []
    enrolment.learner = request.user
    attempts = Attempt.objects.filter(enrolment_id=enrolment.pk, quiz_id=quiz.pk, **filters)
    attempts = attempts.order_by("number")
    if certificates:
        attempts = attempts.select_related("certificate")
    attempts = list(attempts)
    for attempt in attempts:
        attempt.quiz, attempt.enrolment = quiz, enrolment
    return attempts


def learner_attempt(request, quiz, number):
    """The signed-in learner's own attempt, or 404: nobody sees another person's attempt."""
    found = learner_attempts(request, quiz, number=number)
    if not found:
        raise Http404("No such attempt.")
    return found[0]


@require_POST
def start_attempt(request, quiz):
    if not request.user.is_authenticated:
        return redirect_to_login(quiz.url)
    enrolment = enrolment_for(request.user, quiz.module)
    if enrolment is None:
        raise Http404("You are not enrolled on this module.")
    try:
        attempt = services.start_attempt(enrolment, quiz)
    except services.QuizError as error:
        messages.error(request, str(error))
        return redirect(quiz.url)
    return redirect(quiz_url(quiz, "attempt", attempt.number))


def take_attempt(request, quiz, number):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        return submit_attempt(request, quiz, number)
    if request.method != "GET":
        return HttpResponseBadRequest("Use the quiz form.", content_type="text/plain")
    attempt = learner_attempt(request, quiz, number)
    if attempt.is_submitted:
        return redirect(quiz_url(quiz, "result", number))
    return attempt_form(request, quiz, attempt)


def submit_attempt(request, quiz, number):
    """Grade the posted form (services.submit_form reads and locks the attempt once), then show
    the result; a form with unanswered questions comes back with the answers given kept."""
    enrolment = enrolment_for(request.user, quiz.module) if quiz.module is not None else None
    if enrolment is None:
        raise Http404("No such attempt.")
    enrolment.learner = request.user
    try:
        submission = services.submit_form(enrolment, quiz, number, request.POST)
    except AnswerError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain")
    if submission is None:
        raise Http404("No such attempt.")
    if submission.missing:
        return attempt_form(request, quiz, submission.attempt, submission.answers, submission.missing)
    return redirect(quiz_url(quiz, "result", number))


def attempt_form(request, quiz, attempt, answers=None, missing=()):
    answers = answers or {}
    questions = [
        {
            "position": position,
            "entry": entry,
            "chosen": answers.get(str(position), []),
            "missing": position in missing,
        }
        for position, entry in enumerate(attempt.paper)
    ]
    context = {
        "page": quiz,
        "self": quiz,
        "module": quiz.module,
        "attempt": attempt,
        "questions": questions,
        "missing_count": len(missing),
    }
    return TemplateResponse(request, "quizzes/attempt.html", context)


def attempt_result(request, quiz, number):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    attempts = learner_attempts(request, quiz, certificates=True)
    attempt = next((a for a in attempts if a.number == number), None)
    if attempt is None:
        raise Http404("No such attempt.")
    if not attempt.is_submitted:
        return redirect(quiz_url(quiz, "attempt", number))
    marks = mark_paper(attempt.paper, attempt.answers)
    module = quiz.module
    missed_lessons = {m.entry["lesson"] for m in marks if not m.is_correct}
    context = {
        "page": quiz,
        "self": quiz,
        "module": module,
        "attempt": attempt,
        "marks": marks,
        "correct": sum(m.is_correct for m in marks),
        "revisit": [lesson for lesson in module.lessons if lesson.pk in missed_lessons],
        "window": services.window_for(attempt.enrolment, quiz, attempts, timezone.now()),
        "passed_any": attempt.enrolment.completed_at is not None,
        "certificate": getattr(attempt, "certificate", None) if attempt.passed else None,
    }
    return TemplateResponse(request, "quizzes/result.html", context)
