from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from certificates.models import Certificate
from courses.access import enrolment_for, is_trainer
from courses.services import progress_for

from . import services
from .grading import AnswerError, mark_paper, read_answers
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


def learner_attempt(request, quiz, number):
    """The signed-in learner's own attempt, or 404: nobody sees another person's attempt."""
    enrolment = enrolment_for(request.user, quiz.module)
    if enrolment is None:
        raise Http404("No such attempt.")
    try:
        return Attempt.objects.select_related("enrolment").get(enrolment=enrolment, quiz=quiz, number=number)
    except Attempt.DoesNotExist:
        raise Http404("No such attempt.") from None


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
    attempt = learner_attempt(request, quiz, number)
    if attempt.is_submitted:
        return redirect(quiz_url(quiz, "result", number))
    answers, missing = {}, []
    if request.method == "POST":
        try:
            answers, missing = read_answers(attempt.paper, request.POST)
        except AnswerError as error:
            return HttpResponseBadRequest(str(error), content_type="text/plain")
        if not missing:
            services.submit_attempt(attempt, answers)
            return redirect(quiz_url(quiz, "result", number))
    elif request.method != "GET":
        return HttpResponseBadRequest("Use the quiz form.", content_type="text/plain")
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
    attempt = learner_attempt(request, quiz, number)
    if not attempt.is_submitted:
        return redirect(quiz_url(quiz, "attempt", number))
    marks = mark_paper(attempt.paper, attempt.answers)
    module = quiz.module
    missed_lessons = {m.entry["lesson"] for m in marks if not m.is_correct}
    attempts = list(Attempt.objects.filter(enrolment=attempt.enrolment, quiz=quiz))
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
        "certificate": Certificate.objects.filter(attempt=attempt).first() if attempt.passed else None,
    }
    return TemplateResponse(request, "quizzes/result.html", context)
