"""Review before publishing: a trainer's change to a statistic, question or lesson reaches learners
only once a lead trainer approves it in the "Lead trainer review" workflow."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import TaskState, Workflow, WorkflowState

from cms.models import Statistic
from courses.models import Enrolment
from courses.services import enrol
from quizzes.models import Question, QuizPage
from quizzes.statistic_choices import statistic_options
from tests.factories import StatisticFactory, UserFactory, callout_block
from tests.quizzes.conftest import make_question

pytestmark = pytest.mark.django_db

EDIT = "wagtailsnippets_cms_statistic:edit"
FIELDS = ["label", "unit", "qualifier", "period", "geography", "basis_note", "source_title", "source_url"]


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def statistic_form(statistic, **changes):
    data = {field: getattr(statistic, field) for field in FIELDS}
    data.update(value=str(statistic.value), review_by="2027-03-31", source_published="")
    data.update(changes)
    return data


def workflow_action_url(statistic, action):
    task_state = TaskState.objects.get(workflow_state__object_id=str(statistic.pk), status="in_progress")
    return reverse(
        "wagtailsnippets_cms_statistic:workflow_action", args=[statistic.pk, action, task_state.pk]
    )


@pytest.fixture
def figure():
    return StatisticFactory(label="Child abuse image crimes recorded", value=Decimal("30925"))


@pytest.fixture
def lesson(make_lesson, figure):
    return make_lesson([callout_block(figure)], title="What the figures show")


@pytest.fixture
def learner_client(module_page):
    learner = UserFactory()
    enrol(learner, module_page, source=Enrolment.Source.DEMO)
    return signed_in(learner)


def right_answer(question):
    options = statistic_options(Question.objects.select_related("statistic").get(pk=question.pk).statistic)
    return next(text for _, text, correct in options if correct)


def lesson_text(client, lesson):
    response = client.get(lesson.url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_submitted_statistic_changes_nothing_for_learners_until_a_lead_trainer_approves(
    trainer, lead_trainer, figure, lesson, learner_client
):
    question = make_question(lesson, stem="About how many crimes in {period}?", statistic=figure)

    response = signed_in(trainer).post(
        reverse(EDIT, args=[figure.pk]), statistic_form(figure, value="33000", **{"action-submit": "on"})
    )

    assert response.status_code == 302
    figure.refresh_from_db()
    assert figure.value == Decimal("30925")
    assert WorkflowState.objects.get(object_id=str(figure.pk)).status == WorkflowState.STATUS_IN_PROGRESS
    assert "30,925" in lesson_text(learner_client, lesson)
    assert "33,000" not in lesson_text(learner_client, lesson)
    assert right_answer(question) == "30,900"  # rounded to three significant figures

    approved = signed_in(lead_trainer).post(workflow_action_url(figure, "approve"))

    assert approved.status_code in {200, 302}
    figure.refresh_from_db()
    assert figure.value == Decimal("33000")
    assert WorkflowState.objects.get(object_id=str(figure.pk)).status == WorkflowState.STATUS_APPROVED
    assert "33,000" in lesson_text(learner_client, lesson)
    assert right_answer(question) == "33,000"


def test_a_lead_trainer_can_ask_for_changes_with_a_comment(trainer, lead_trainer, figure):
    signed_in(trainer).post(
        reverse(EDIT, args=[figure.pk]), statistic_form(figure, value="33000", **{"action-submit": "on"})
    )

    signed_in(lead_trainer).post(
        workflow_action_url(figure, "reject"), {"comment": "The source says 'more than 33,000'."}
    )

    figure.refresh_from_db()
    assert figure.value == Decimal("30925")
    state = WorkflowState.objects.get(object_id=str(figure.pk))
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert TaskState.objects.get(workflow_state=state).comment == "The source says 'more than 33,000'."


def test_a_trainer_cannot_approve_their_own_change(trainer, figure):
    client = signed_in(trainer)
    client.post(
        reverse(EDIT, args=[figure.pk]), statistic_form(figure, value="33000", **{"action-submit": "on"})
    )

    response = client.post(workflow_action_url(figure, "approve"))

    assert response.status_code in {302, 403}
    figure.refresh_from_db()
    assert figure.value == Decimal("30925")
    assert WorkflowState.objects.get(object_id=str(figure.pk)).status == WorkflowState.STATUS_IN_PROGRESS


def test_a_trainer_publishing_directly_is_refused(trainer, figure):
    signed_in(trainer).post(
        reverse(EDIT, args=[figure.pk]), statistic_form(figure, value="33000", **{"action-publish": "on"})
    )

    figure.refresh_from_db()
    assert figure.value == Decimal("30925")


def test_a_statistic_never_approved_stays_out_of_lessons_and_quizzes(
    make_lesson, module_page, learner_client
):
    draft = StatisticFactory(value=Decimal("41234"), live=False)
    lesson = make_lesson([callout_block(draft)], title="Draft figure lesson")
    quiz = module_page.add_child(instance=QuizPage(title="Quiz", slug="quiz"))
    in_pool = make_question(lesson, stem="Plain question")
    make_question(lesson, stem="How many in {period}?", statistic=draft)

    assert "41,234" not in lesson_text(learner_client, lesson)
    assert list(quiz.question_pool()) == [in_pool]

    draft.save_revision().publish()

    assert "41,234" in lesson_text(learner_client, lesson)
    assert len(quiz.question_pool()) == 2


def test_a_lesson_edit_waits_for_approval(trainer, lead_trainer, lesson, learner_client):
    lesson.title = "A retitled lesson"
    revision = lesson.save_revision(user=trainer)
    workflow = lesson.get_workflow()
    assert workflow == Workflow.objects.get(name="Lead trainer review")
    workflow.start(lesson, trainer)

    assert "A retitled lesson" not in lesson_text(learner_client, lesson)

    task_state = TaskState.objects.get(workflow_state__object_id=str(lesson.pk), status="in_progress")
    signed_in(lead_trainer).post(
        reverse("wagtailadmin_pages:workflow_action", args=[lesson.pk, "approve", task_state.pk])
    )

    lesson.refresh_from_db()
    assert lesson.live_revision_id == revision.pk
    assert "A retitled lesson" in lesson_text(learner_client, lesson)


def test_statistics_and_questions_use_the_review_workflow(figure, lesson):
    question = make_question(lesson)
    assert figure.get_workflow().name == "Lead trainer review"
    assert question.get_workflow().name == "Lead trainer review"
    assert Statistic.objects.get(pk=figure.pk).live
