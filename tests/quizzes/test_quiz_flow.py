"""Taking the quiz through its pages: honest attempts, graded on the server, feedback that teaches."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone
from wagtail.models import ModelLogEntry

from courses.models import Enrolment
from courses.services import allow_more_quiz_attempts, enrol
from quizzes import services
from quizzes.models import Attempt, Response
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def soup(response):
    assert response.status_code == 200, response
    return BeautifulSoup(response.content, "html.parser")


def url(quiz, name, *args):
    return quiz.url + quiz.reverse_subpage(name, args=args)


def start(client, quiz):
    response = client.post(url(quiz, "start"))
    assert response.status_code == 302, response
    return Attempt.objects.latest("pk")


def answer_all(attempt, right=True, skip=()):
    """Form data answering every question of ``attempt`` rightly (or wrongly)."""
    data = {}
    for position, entry in enumerate(attempt.paper):
        if position in skip:
            continue
        keys = [o["key"] for o in entry["options"] if o["correct"] == right]
        data[f"q{position}"] = keys if entry["kind"] == "multiple" else keys[:1]
    return data


def test_quiz_opens_only_when_every_lesson_is_done(learner_client, enrolment, quiz, bank, lessons):
    page = soup(learner_client.get(quiz.url))
    assert "opens when you have finished every lesson" in page.text
    assert page.select_one("form[action$='start/']") is None

    response = learner_client.post(url(quiz, "start"), follow=True)

    assert "opens when you have finished every lesson" in response.content.decode()
    assert not Attempt.objects.exists()


def test_attempt_draws_every_topic_and_hides_the_answer_key(learner_client, ready_enrolment, quiz, bank):
    attempt = start(learner_client, quiz)
    response = learner_client.get(url(quiz, "attempt", attempt.number))
    html, page = response.content.decode(), soup(response)

    assert {entry["lesson"] for entry in attempt.paper} == {q.lesson_id for q in bank.values()}
    assert len(attempt.paper) == 4
    keys = {o["key"] for entry in attempt.paper for o in entry["options"]}
    refs = {o["ref"] for entry in attempt.paper for o in entry["options"]}
    inputs = page.select("form.quiz-form input[type=radio], form.quiz-form input[type=checkbox]")
    assert {i["value"] for i in inputs} == keys  # random per-attempt keys, nothing else
    attribute_values = {
        value for element in page.find_all(True) for value in element.attrs.values() if isinstance(value, str)
    }
    assert not refs & attribute_values  # no choice ids, "s:value" or true/false refs in the markup
    assert "correct" not in html.lower().replace("select all that apply", "")
    # the statistic question shows the figure among other figures, with the stem filled in
    assert "In 2022/23, about how many crimes did police record (UK)?" in html
    assert "33,000" in html and "66,000" in html


def test_a_choice_not_in_the_attempt_is_a_400_and_records_nothing(
    learner_client, ready_enrolment, quiz, bank
):
    attempt = start(learner_client, quiz)
    data = answer_all(attempt)
    data["q0"] = ["made-up-key"]

    response = learner_client.post(url(quiz, "attempt", attempt.number), data)

    assert response.status_code == 400
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS
    assert not Response.objects.exists()


def test_a_missing_answer_is_a_form_error_that_keeps_the_other_answers(
    learner_client, ready_enrolment, quiz, bank
):
    attempt = start(learner_client, quiz)
    data = answer_all(attempt, skip={2})

    html = soup(learner_client.post(url(quiz, "attempt", attempt.number), data))

    assert "1 question still needs an answer" in html.select_one(".error-summary").text
    assert html.select_one("#question-2.question--error")
    for position, keys in data.items():
        for key in keys:
            assert html.select_one(f"input[name={position}][value='{key}']").has_attr("checked")
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS


def test_submitting_twice_grades_once(learner_client, ready_enrolment, quiz, bank):
    attempt = start(learner_client, quiz)
    first = learner_client.post(url(quiz, "attempt", attempt.number), answer_all(attempt, right=False))
    second = learner_client.post(url(quiz, "attempt", attempt.number), answer_all(attempt, right=True))

    assert first.status_code == second.status_code == 302
    assert second.url == url(quiz, "result", attempt.number)
    attempt.refresh_from_db()
    assert attempt.score == 0
    assert Response.objects.filter(attempt=attempt).count() == 4
    assert ModelLogEntry.objects.filter(action="quizzes.submit").count() == 1


def test_pass_completes_the_module_and_the_result_teaches(
    learner_client, ready_enrolment, quiz, bank, statistic
):
    attempt = start(learner_client, quiz)
    learner_client.post(url(quiz, "attempt", attempt.number), answer_all(attempt))

    html = soup(learner_client.get(url(quiz, "result", attempt.number)))

    assert "you passed" in html.h1.text
    assert "100%" in html.select_one(".result-score").text
    ready_enrolment.refresh_from_db()
    assert ready_enrolment.completed_at is not None
    items = html.select(".feedback__item")
    assert len(items) == 4
    stat_item = next(item for item in items if "about how many crimes" in item.text)
    assert "Police recorded 33,000 in 2022/23." in stat_item.text
    assert stat_item.select_one(".statistic__source a")["href"] == statistic.source_url
    # a passed learner cannot start again
    assert soup(learner_client.get(quiz.url)).select_one("form[action$='start/']") is None


def test_fail_shows_answers_sources_and_lessons_to_revisit(
    learner_client, ready_enrolment, quiz, bank, lessons
):
    attempt = start(learner_client, quiz)
    learner_client.post(url(quiz, "attempt", attempt.number), answer_all(attempt, right=False))

    html = soup(learner_client.get(url(quiz, "result", attempt.number)))

    assert "not passed" in html.h1.text
    assert [a.text for a in html.select("#revisit-heading + ul a")] == [lesson.title for lesson in lessons]
    assert "You have 2 attempts left." in html.text
    multiple = next(i for i in html.select(".feedback__item") if "Select all that apply" in i.text)
    assert set(multiple.select("dd")[1].text.split("; ")) == {"CEOP", "IWF"}
    ready_enrolment.refresh_from_db()
    assert ready_enrolment.completed_at is None


def test_attempt_limit_and_cooldown_are_enforced_on_the_server(learner_client, ready_enrolment, quiz, bank):
    for _ in range(3):
        attempt = start(learner_client, quiz)
        learner_client.post(url(quiz, "attempt", attempt.number), answer_all(attempt, right=False))

    response = learner_client.post(url(quiz, "start"), follow=True)

    assert "You have used all your attempts for now" in response.content.decode()
    assert Attempt.objects.count() == 3
    Attempt.objects.update(submitted_at=timezone.now() - timedelta(hours=25))
    start(learner_client, quiz)
    assert Attempt.objects.count() == 4


def test_staff_reset_allows_more_attempts(ready_enrolment, quiz, bank):
    for _ in range(3):
        attempt = services.start_attempt(ready_enrolment, quiz)
        services.submit_attempt(
            attempt, {str(i): [e["options"][0]["key"]] for i, e in enumerate(attempt.paper)}
        )
    with pytest.raises(services.NoAttemptsLeft):
        services.start_attempt(ready_enrolment, quiz)

    allow_more_quiz_attempts(ready_enrolment, actor=None)

    assert services.start_attempt(ready_enrolment, quiz).number == 4


def test_another_learners_attempt_is_not_found(client, ready_enrolment, quiz, bank, module_page):
    attempt = services.start_attempt(ready_enrolment, quiz)
    other = UserFactory()
    enrol(other, module_page, source=Enrolment.Source.DEMO)
    client.force_login(other)

    assert client.get(url(quiz, "attempt", attempt.number)).status_code == 404
    assert client.post(url(quiz, "attempt", attempt.number), answer_all(attempt)).status_code == 404
    assert client.get(url(quiz, "result", attempt.number)).status_code == 404


def test_statistics_question_follows_a_statistic_edit(ready_enrolment, quiz, bank, statistic):
    statistic.value = Decimal("38685")
    statistic.period = "2023/24"
    statistic.save()

    attempt = services.start_attempt(ready_enrolment, quiz)

    entry = next(e for e in attempt.paper if e["question"] == bank["statistic"].pk)
    assert entry["stem"] == "In 2023/24, about how many crimes did police record (UK)?"
    assert [o["text"] for o in entry["options"] if o["correct"]] == ["38,700"]
    assert entry["explanation"] == "Police recorded 38,685 in 2023/24."


def test_draft_questions_are_not_drawn(ready_enrolment, quiz, bank):
    bank["multiple"].live = False
    bank["multiple"].save()

    attempt = services.start_attempt(ready_enrolment, quiz)

    assert bank["multiple"].pk not in {e["question"] for e in attempt.paper}


def test_options_are_shuffled_per_attempt(ready_enrolment, quiz, bank, lessons):
    from tests.quizzes.conftest import make_question

    question = make_question(lessons[0], choices=[(f"Choice {n}", n == 0) for n in range(5)])
    orders = set()
    for _ in range(8):
        paper = services.start_attempt(ready_enrolment, quiz).paper
        Attempt.objects.all().delete()
        entry = next((e for e in paper if e["question"] == question.pk), None)
        if entry:
            orders.add(tuple(o["text"] for o in entry["options"]))
    assert len(orders) > 1


def test_quiz_pages_need_sign_in(client, quiz):
    response = client.get(quiz.url)

    assert response.status_code == 302
    assert re.search(r"/accounts/login/\?next=", response.url)


def test_with_a_quiz_finishing_the_lessons_leads_to_the_quiz(learner_client, enrolment, quiz, lessons):
    for lesson in lessons[:2]:
        learner_client.post(lesson.url + "complete/")

    response = learner_client.post(lessons[2].url + "complete/")

    assert response.url == quiz.url
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None


def count_queries(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_quiz_pages_keep_a_fixed_query_count(learner_client, ready_enrolment, quiz, bank, lessons):
    from tests.quizzes.conftest import make_question

    attempt = start(learner_client, quiz)
    small = {
        "attempt": count_queries(learner_client, url(quiz, "attempt", attempt.number)),
    }
    learner_client.post(url(quiz, "attempt", attempt.number), answer_all(attempt, right=False))
    small["result"] = count_queries(learner_client, url(quiz, "result", attempt.number))
    small["overview"] = count_queries(learner_client, quiz.url)
    for n in range(40):
        make_question(lessons[n % 3], stem=f"Extra question {n}")
    quiz.questions_per_attempt = 30
    quiz.save()
    big = start(learner_client, quiz)
    large = {"attempt": count_queries(learner_client, url(quiz, "attempt", big.number))}
    learner_client.post(url(quiz, "attempt", big.number), answer_all(big, right=False))
    large["result"] = count_queries(learner_client, url(quiz, "result", big.number))
    large["overview"] = count_queries(learner_client, quiz.url)

    assert len(big.paper) == 30
    assert large == small


def test_my_learning_shows_the_quiz_result_in_a_fixed_number_of_queries(
    learner_client, ready_enrolment, quiz, bank, module_page
):
    from django.urls import reverse

    before = count_queries(learner_client, reverse("my_learning"))
    html = soup(learner_client.get(reverse("my_learning")))
    assert html.select_one(".enrolment a.button")["href"] == quiz.url
    attempt = start(learner_client, quiz)
    learner_client.post(url(quiz, "attempt", attempt.number), answer_all(attempt, right=False))
    attempt = start(learner_client, quiz)
    learner_client.post(url(quiz, "attempt", attempt.number), answer_all(attempt, right=True))

    html = soup(learner_client.get(reverse("my_learning")))

    assert "Passed, best score 100%" in html.select_one(".enrolment").text
    assert "You have completed this module." in html.text
    assert count_queries(learner_client, reverse("my_learning")) == before
