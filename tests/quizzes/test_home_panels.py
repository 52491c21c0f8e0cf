"""Admin home: questions flagged by item analysis over the last 12 months, for trainers."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.panels import WINDOW_DAYS, FlaggedQuestionsHomePanel
from tests.factories import StatisticFactory
from tests.quizzes.conftest import make_question
from tests.quizzes.test_item_analysis import make_attempts, ref

pytestmark = pytest.mark.django_db

PANEL = "#flagged-questions-section"


def home(client):
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def report_url():
    since = timezone.localdate() - timedelta(days=WINDOW_DAYS)
    return reverse("quizzes_item_analysis") + f"?submitted_from={since:%Y-%m-%d}"


@pytest.fixture
def recently():
    return timezone.now() - timedelta(days=20)


@pytest.fixture
def questions(lessons):
    easy = make_question(
        lessons[0], stem="Who do you tell first?", choices=[("DSL", True), ("Nobody", False)]
    )
    hard = make_question(
        lessons[1], kind="true_false", stem="You may save the image.", true_false_answer=False
    )
    fine = make_question(
        lessons[2], stem="Which number in an emergency?", choices=[("999", True), ("101", False)]
    )
    return easy, hard, fine


def answer(questions, n):
    """One attempt: ``easy`` always right, ``hard`` always wrong, ``fine`` right 3 times in 5."""
    easy, hard, fine = questions
    return {
        easy: ([ref(easy, "DSL")], True),
        hard: (["true"], False),
        fine: ([ref(fine, "999")], True) if n % 5 < 3 else ([ref(fine, "101")], False),
    }


def test_trainer_sees_the_flagged_questions_with_their_flags(
    trainer_client, enrolment, quiz, questions, recently
):
    easy, hard, fine = questions
    make_attempts(enrolment, quiz, [answer(questions, n) for n in range(5)], submitted_at=recently)

    panel = home(trainer_client).select_one(PANEL)

    assert panel is not None
    assert panel.select_one("h2").get_text(strip=True) == "Questions flagged by item analysis"
    table = panel.select_one("table")
    assert table.caption.get_text(strip=True) == "Questions flagged by item analysis, the most answered first"
    assert [th.get_text(strip=True) for th in table.select("thead th[scope=col]")] == [
        "Question",
        "Attempts",
        "Right",
        "Flags",
    ]
    rows = {
        row.th.get_text(strip=True): [td.get_text(strip=True) for td in row.select("td")]
        for row in table.select("tbody tr")
    }
    assert rows == {
        "Who do you tell first?": ["5", "100%", "Too easy"],
        "You may save the image.": ["5", "0%", "Too hard"],
    }
    links = [row.th.a["href"] for row in table.select("tbody tr")]
    assert sorted(links) == sorted(
        reverse("wagtailsnippets_quizzes_question:edit", args=[question.pk]) for question in (easy, hard)
    )
    assert "2 questions need a look" in panel.p.get_text(" ", strip=True)
    report = panel.select("a")[-1]
    assert report.get_text(strip=True) == "Quiz item analysis report"
    assert report["href"] == report_url()


def test_too_few_attempts_or_old_attempts_raise_no_flag(lead_client, enrolment, quiz, questions, recently):
    # four recent attempts: one short of MIN_ATTEMPTS; plenty more over a year ago
    make_attempts(enrolment, quiz, [answer(questions, n) for n in range(4)], submitted_at=recently)
    long_ago = timezone.now() - timedelta(days=WINDOW_DAYS + 30)
    make_attempts(enrolment, quiz, [answer(questions, n) for n in range(20)], submitted_at=long_ago)

    panel = home(lead_client).select_one(PANEL)

    assert panel.select("table") == []
    assert (
        panel.select_one("[data-empty]")
        .get_text(" ", strip=True)
        .startswith("Nothing to do: no question is flagged by the attempts submitted since")
    )
    assert panel.select("a")[-1]["href"] == report_url()

    # the fifth recent attempt is enough: the cached analysis is not reused
    make_attempts(enrolment, quiz, [answer(questions, 4)], submitted_at=recently)
    panel = home(lead_client).select_one(PANEL)
    assert len(panel.select("tbody tr")) == 2


def test_a_statistic_past_review_alone_is_left_to_the_statistics_panel(
    trainer_client, enrolment, quiz, lessons, recently
):
    statistic = make_question(
        lessons[0],
        stem="How many crimes in {period}?",
        statistic=StatisticFactory(review_by=timezone.localdate() - timedelta(days=5)),
    )
    make_attempts(
        enrolment,
        quiz,
        [{statistic: (["s:value"], n % 2 == 0)} for n in range(6)],
        submitted_at=recently,
    )

    panel = home(trainer_client).select_one(PANEL)

    assert panel.select_one("[data-empty]") is not None


def test_platform_staff_do_not_see_it(staff_client, enrolment, quiz, questions, recently):
    make_attempts(enrolment, quiz, [answer(questions, n) for n in range(5)], submitted_at=recently)

    page = home(staff_client)

    assert page.select_one(PANEL) is None
    assert "Questions flagged by item analysis" not in page.get_text()


def test_query_count_is_the_same_for_10_and_1000_attempts(
    rf, lead_client, lead_trainer, enrolment, quiz, questions, recently, django_assert_num_queries
):
    request = rf.get("/admin/")
    request.user = lead_trainer

    def measure(expected_rows):
        # the fingerprint of the responses; the analysis (the response rows, the questions with
        # statistic and topic, their choices); the questions shown
        with django_assert_num_queries(5):
            html = FlaggedQuestionsHomePanel().render_html({"request": request})
        assert len(BeautifulSoup(html, "html.parser").select("tbody tr")) == expected_rows
        # until the responses change, the analysis comes from the cache
        with django_assert_num_queries(2):
            assert FlaggedQuestionsHomePanel().render_html({"request": request}) == html
        home(lead_client)  # warm the caches
        with CaptureQueriesContext(connection) as queries:
            home(lead_client)
        return len(queries)

    make_attempts(enrolment, quiz, [answer(questions, n) for n in range(10)], submitted_at=recently)
    small = measure(2)
    make_attempts(enrolment, quiz, [answer(questions, n) for n in range(10, 1000)], submitted_at=recently)
    large = measure(2)

    assert small == large
