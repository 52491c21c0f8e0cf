from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from certificates.models import Certificate
from quizzes.models import Attempt, QuizPage

from . import services
from .access import enrolment_and_progress_rows, enrolment_for, is_trainer
from .models import Enrolment, LessonPage, LessonProgress, live_children_by_parent
from .progress import module_progress


def lesson_gate(request, lesson):
    """Decide what an opened lesson URL shows: the lesson, a page about access, or a redirect.

    Returns (response, enrolment, progress); the lesson is shown when response is None. An
    enrolled learner is checked first: that is most requests, and it needs no permission lookup."""
    if getattr(request, "is_preview", False):
        return None, None, None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path()), None, None
    module = lesson.module
    enrolment, rows = enrolment_and_progress_rows(request.user, module)
    if enrolment is None:
        if is_trainer(request.user):
            return None, None, None
        response = TemplateResponse(request, "courses/no_access.html", {"page": lesson, "module": module})
        return response, None, None
    progress = services.progress_for(enrolment, lesson.module_lessons, rows)
    if progress.state_of(lesson) is None:  # not a live, public lesson of the module
        raise Http404("No such lesson.")
    blocking = progress.blocking_lesson(lesson)
    if blocking is not None:
        messages.info(request, f"“{lesson.title}” opens when you have finished “{blocking.title}”.")
        return redirect(progress.next_lesson.url), enrolment, progress
    return None, enrolment, progress


def needs_content_note(lesson, progress):
    state = progress.state_of(lesson)
    return lesson.sensitive and not (state.progress and state.progress.content_note_seen_at)


def serve_lesson(request, lesson):
    response, enrolment, progress = lesson_gate(request, lesson)
    if response is not None:
        return response
    if enrolment is not None:
        if needs_content_note(lesson, progress):
            return TemplateResponse(
                request, "courses/content_note.html", {"page": lesson, "module": lesson.module}
            )
        services.open_lesson(enrolment, lesson, progress=progress.state_of(lesson).progress)
    context = lesson.get_context(request)
    context.update(enrolment=enrolment, progress=progress)
    if progress is not None:
        context["lesson_state"] = progress.state_of(lesson)
    return TemplateResponse(request, lesson.get_template(request), context)


def lesson_action(view):
    """POST-only lesson routes for an enrolled learner; everyone else gets login or 404."""

    @require_POST
    def wrapped(request, lesson):
        if not request.user.is_authenticated:
            return redirect_to_login(lesson.url)
        enrolment = enrolment_for(request.user, lesson.module)
        if enrolment is None:
            raise Http404("You are not enrolled on this module.")
        return view(request, lesson, enrolment)

    return wrapped


@lesson_action
def complete_lesson(request, lesson, enrolment):
    try:
        services.complete_lesson(enrolment, lesson)
    except services.CourseError as error:
        messages.error(request, str(error))
        return redirect(lesson.module.url)
    progress = services.progress_for(enrolment, lesson.module_lessons)
    if progress.is_complete:
        quiz = lesson.module.quiz
        if quiz is not None:
            messages.success(request, "You have finished every lesson. The quiz is open now.")
            return redirect(quiz.url)
        messages.success(request, f"You have finished every lesson in {lesson.module.title}.")
        return redirect(lesson.module.url)
    return redirect(progress.next_lesson.url)


@lesson_action
def continue_after_content_note(request, lesson, enrolment):
    services.acknowledge_content_note(enrolment, lesson)
    return redirect(lesson.url)


@login_required
def my_learning(request):
    enrolments = list(
        Enrolment.objects.filter(learner=request.user).select_related("module").order_by("-created_at")
    )
    modules = [enrolment.module for enrolment in enrolments]
    lessons_by_module = live_children_by_parent(LessonPage, modules)
    quiz_by_module = {pk: quizzes[0] for pk, quizzes in live_children_by_parent(QuizPage, modules).items()}
    rows = {}
    for row in LessonProgress.objects.filter(enrolment__in=enrolments):
        rows.setdefault(row.enrolment_id, {})[row.lesson_id] = row
    certificates = {
        c.module_id: c
        for c in Certificate.objects.filter(learner=request.user, status=Certificate.Status.VALID)
    }
    best_attempts = {}
    submitted = Attempt.objects.filter(enrolment__in=enrolments, status=Attempt.Status.SUBMITTED)
    for attempt in submitted.order_by("score", "submitted_at"):
        best_attempts[attempt.enrolment_id] = attempt  # the last one kept is the best score
    items = [
        {
            "enrolment": enrolment,
            "progress": module_progress(
                lessons_by_module.get(enrolment.module_id, []),
                rows.get(enrolment.pk, {}),
                in_order=enrolment.module.lesson_order == enrolment.module.LessonOrder.IN_ORDER,
            ),
            "best_attempt": best_attempts.get(enrolment.pk),
            "quiz": quiz_by_module.get(enrolment.module_id),
            "certificate": certificates.get(enrolment.module_id),
        }
        for enrolment in enrolments
    ]
    return TemplateResponse(request, "courses/my_learning.html", {"items": items})
