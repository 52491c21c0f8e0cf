"""Quiz item analysis: the numbers, the query count, and the admin report with its exports."""

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment, ModulePage
from courses.services import enrol
from quizzes import services
from quizzes.analysis import item_analysis
from quizzes.models import Attempt, QuizPage, Response
from tests.factories import StatisticFactory, UserFactory
from tests.quizzes.conftest import make_question

pytestmark = pytest.mark.django_db

REPORT_URL = "/admin/reports/quiz-item-analysis/"
JANUARY = timezone.make_aware(datetime(2025, 1, 10, 12, 0))
FEBRUARY = timezone.make_aware(datetime(2025, 2, 10, 12, 0))


@pytest.fixture
def past_statistic(db):
    return StatisticFactory(review_by=timezone.localdate() - timedelta(days=1))


@pytest.fixture
def items(lessons, past_statistic):
    """Three questions: a single answer, a true-or-false and a statistics question (33,000:
    its options are the figure, a tenth, half and double)."""
    single = make_question(
        lessons[0],
        stem="Who do you tell first?",
        choices=[("Your DSL", True), ("Nobody yet", False), ("The child's friends", False)],
    )
    true_false = make_question(
        lessons[1], kind="true_false", stem="You may save the image as evidence.", true_false_answer=False
    )
    statistic = make_question(
        lessons[2],
        stem="In {period}, about how many crimes did police record?",
        statistic=past_statistic,
    )
    return single, true_false, statistic


def ref(question, text):
    return f"c{question.choices.get(text=text).pk}"


def make_attempts(enrolment, quiz, answer_sets, *, submitted_at=JANUARY, status=Attempt.Status.SUBMITTED):
    """Attempt and Response rows straight into the database (bulk, for speed).

    ``answer_sets`` is a list, one per attempt, of {question: (chosen refs, is_correct)}."""
    first = Attempt.objects.filter(enrolment=enrolment, quiz=quiz).order_by("-number").first()
    number = first.number if first else 0
    submitted = status == Attempt.Status.SUBMITTED
    attempts = Attempt.objects.bulk_create(
        Attempt(
            enrolment=enrolment,
            quiz=quiz,
            number=number + n,
            status=status,
            paper=[{"question": q.pk} for q in answers],
            submitted_at=submitted_at if submitted else None,
        )
        for n, answers in enumerate(answer_sets, start=1)
    )
    Response.objects.bulk_create(
        Response(attempt=attempt, question=question, chosen=chosen, is_correct=is_correct)
        for attempt, answers in zip(attempts, answer_sets, strict=True)
        for question, (chosen, is_correct) in answers.items()
    )
    return attempts


@pytest.fixture
def hand_data(enrolment, quiz, items):
    """Six submitted attempts with a known pattern (1 = right):

        attempt  single  true/false  statistic   total
        A1       0       0           1           1
        A2       0       0           1           1
        A3       0       1           1           2
        A4       1       1           0 (half)    2
        A5       1       1           1           3
        A6       1       1           1           3

    A1-A3 were submitted in January, A4-A6 in February."""
    single, true_false, statistic = items
    dsl, nobody, friends = (ref(single, t) for t in ("Your DSL", "Nobody yet", "The child's friends"))
    right_stat, wrong_stat = (["s:value"], True), (["s:half"], False)
    pattern = [
        ((nobody, False), ("true", False), right_stat),
        ((friends, False), ("true", False), right_stat),
        ((nobody, False), ("false", True), right_stat),
        ((dsl, True), ("false", True), wrong_stat),
        ((dsl, True), ("false", True), right_stat),
        ((dsl, True), ("false", True), right_stat),
    ]
    answer_sets = [{single: ([a[0]], a[1]), true_false: ([b[0]], b[1]), statistic: c} for a, b, c in pattern]
    make_attempts(enrolment, quiz, answer_sets[:3], submitted_at=JANUARY)
    make_attempts(enrolment, quiz, answer_sets[3:], submitted_at=FEBRUARY)
    return items


def by_question(results):
    return {stats.question.pk: stats for stats in results}


def test_numbers_match_a_hand_computed_data_set(hand_data):
    single, true_false, statistic = hand_data

    results = by_question(item_analysis())

    # Pearson r = (nΣxy − ΣxΣy) / √((nΣx² − (Σx)²)(nΣy² − (Σy)²)), x = item score (0/1),
    # y = rest of the attempt (total − x), n = 6.
    one = results[single.pk]
    # x = 0,0,0,1,1,1  y = 1,1,2,1,2,2: Σx=3 Σy=9 Σxy=5 Σx²=3 Σy²=15
    # r = (30 − 27) / √((18 − 9)(90 − 81)) = 3 / 9
    assert (one.attempts, one.correct) == (6, 3)
    assert one.facility == pytest.approx(3 / 6)
    assert one.discrimination == pytest.approx(1 / 3)
    assert one.choice_counts == [("Your DSL", 3), ("Nobody yet", 2), ("The child's friends", 1)]
    assert one.flags == []

    two = results[true_false.pk]
    # x = 0,0,1,1,1,1  y = 1,1,1,1,2,2: Σx=4 Σy=8 Σxy=6 Σx²=4 Σy²=12
    # r = (36 − 32) / √((24 − 16)(72 − 64)) = 4 / 8
    assert (two.attempts, two.correct) == (6, 4)
    assert two.facility == pytest.approx(4 / 6)
    assert two.discrimination == pytest.approx(0.5)
    assert two.choice_counts == [("True", 2), ("False", 4)]
    assert two.flags == []

    three = results[statistic.pk]
    # x = 1,1,1,0,1,1  y = 0,0,1,2,2,2: Σx=5 Σy=7 Σxy=5 Σx²=5 Σy²=13
    # r = (30 − 35) / √((30 − 25)(78 − 49)) = −5 / √145 ≈ −0.41523
    assert (three.attempts, three.correct) == (6, 5)
    assert three.facility == pytest.approx(5 / 6)
    assert three.discrimination == pytest.approx(-0.41523, abs=1e-5)
    assert three.choice_counts == [
        ("The figure (right answer)", 5),
        ("A tenth of the figure", 0),
        ("Half the figure", 1),
        ("Double the figure", 0),
    ]
    assert three.flags == ["Negative discrimination", "Statistic past review date"]
    # question bank order: by topic (lesson), then pk
    assert [s.question.pk for s in item_analysis()] == [single.pk, true_false.pk, statistic.pk]


def test_date_range_quiz_and_status_filters(hand_data, enrolment, quiz, course_page, learner):
    single, true_false, statistic = hand_data
    # an open attempt (rows made by hand: submitting would be the only way) does not count
    make_attempts(
        enrolment,
        quiz,
        [{single: ([ref(single, "Nobody yet")], False)}],
        status=Attempt.Status.IN_PROGRESS,
    )
    # nor does an attempt at another module's quiz, when filtering by quiz
    other_module = course_page.add_child(
        instance=ModulePage(title="Other", slug="other", duration_minutes=30)
    )
    other_quiz = other_module.add_child(instance=QuizPage(title="Other quiz", slug="other-quiz"))
    other_enrolment = enrol(learner, other_module, source=Enrolment.Source.DEMO)
    make_attempts(other_enrolment, other_quiz, [{single: ([ref(single, "Nobody yet")], False)}])

    assert by_question(item_analysis(quiz=quiz))[single.pk].attempts == 6
    assert by_question(item_analysis())[single.pk].attempts == 7
    assert [s.attempts for s in item_analysis(quiz=other_quiz)] == [1]

    february = by_question(item_analysis(quiz=quiz, date_from=date(2025, 2, 1)))
    # A4-A6 got the single answer question right, but 3 attempts are too few to flag it
    assert (february[single.pk].attempts, february[single.pk].facility) == (3, 1.0)
    assert february[single.pk].flags == []
    assert february[statistic.pk].flags == ["Statistic past review date"]

    january = by_question(item_analysis(quiz=quiz, date_to=date(2025, 1, 31)))
    assert january[single.pk].correct == 0 and january[true_false.pk].correct == 1
    assert item_analysis(quiz=quiz, date_from=date(2025, 3, 1)) == []


def test_too_easy_and_too_hard_need_enough_attempts(enrolment, quiz, items):
    single, true_false, statistic = items
    right = ([ref(single, "Your DSL")], True)
    answer_sets = [
        {single: right, true_false: (["true"], False), statistic: (["s:value"], n < 2)} for n in range(5)
    ]
    attempts = make_attempts(enrolment, quiz, answer_sets)

    results = by_question(item_analysis())

    # 5/5 right: facility 1 > 0.9; 0/5 right: facility 0 < 0.3; both without variance
    assert results[single.pk].flags == ["Too easy"]
    assert results[single.pk].discrimination is None
    assert results[true_false.pk].flags == ["Too hard"]
    assert results[true_false.pk].discrimination is None
    # the rest of every attempt scores 1, so the statistic question's index is undefined too
    assert results[statistic.pk].discrimination is None
    assert results[statistic.pk].facility == pytest.approx(2 / 5)
    assert results[statistic.pk].flags == ["Statistic past review date"]

    attempts[0].delete()
    results = by_question(item_analysis())
    assert results[single.pk].flags == results[true_false.pk].flags == []
    assert results[statistic.pk].flags == ["Statistic past review date"]
    # an option that is no longer there (an edited question) is labelled by its ref
    Response.objects.filter(question=single).update(chosen=["c999999"])
    assert by_question(item_analysis())[single.pk].choice_counts[-1] == ("c999999", 4)


def test_attempts_submitted_through_the_service_are_labelled(ready_enrolment, quiz, bank):
    attempt = services.start_attempt(ready_enrolment, quiz)
    services.submit_attempt(
        attempt,
        {str(i): [o["key"] for o in e["options"] if o["correct"]] for i, e in enumerate(attempt.paper)},
    )

    results = by_question(item_analysis(quiz=quiz))

    counts = {kind: dict(results[q.pk].choice_counts) for kind, q in bank.items()}
    assert counts["single"] == {"Right": 1, "Wrong": 0, "Also wrong": 0}
    assert counts["multiple"] == {"CEOP": 1, "IWF": 1, "A group chat": 0, "Nobody": 0}
    assert counts["true_false"] == {"True": 0, "False": 1}
    assert counts["statistic"]["The figure (right answer)"] == 1
    assert all(results[q.pk].facility == 1 for q in bank.values())


def test_query_count_is_constant_from_10_to_1000_attempts(trainer_client, enrolment, quiz, items):
    single, true_false, statistic = items
    dsl = ref(single, "Your DSL")
    pattern = [
        {
            single: ([dsl], n % 2 == 0),
            true_false: (["false"], n % 3 == 0),
            statistic: (["s:value"], n % 5 != 0),
        }
        for n in range(1000)
    ]

    def count():
        # len() straight away: captured_queries reads the connection's log, which the next
        # request resets
        with CaptureQueriesContext(connection) as queries:
            results = item_analysis(quiz=quiz)
        analysis_queries = len(queries)
        trainer_client.get(REPORT_URL)
        with CaptureQueriesContext(connection) as queries:
            response = trainer_client.get(REPORT_URL)
        page_queries = len(queries)
        assert response.status_code == 200
        return results, analysis_queries, page_queries

    make_attempts(enrolment, quiz, pattern[:10])
    small_results, small_analysis, small_page = count()
    make_attempts(enrolment, quiz, pattern[10:])
    large_results, large_analysis, large_page = count()

    assert [s.attempts for s in small_results] == [10, 10, 10]
    assert [s.attempts for s in large_results] == [1000, 1000, 1000]
    # the response rows, the questions (with statistic and topic), their choices
    assert small_analysis == large_analysis == 3
    assert small_page == large_page


def test_report_page_for_a_trainer(trainer_client, hand_data, quiz):
    single, _, statistic = hand_data

    response = trainer_client.get(REPORT_URL)

    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert page.h1.get_text(strip=True) == "Quiz item analysis"
    table = page.select_one("#listing-results table[aria-describedby=item-analysis-help]")
    assert table.caption.get_text(strip=True) == "Quiz item analysis: one row per question"
    assert [th.get_text(strip=True) for th in table.select("thead th[scope=col]")] == [
        "Question",
        "Topic (lesson)",
        "Attempts",
        "Facility",
        "Discrimination",
        "Choices picked",
        "Flags",
    ]
    rows = {
        row.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in row.find_all("td")]
        for row in table.select("tbody tr")
    }
    assert rows["Who do you tell first?"][:4] == ["Lesson 1", "6", "50%", "0.33"]
    assert "Your DSL: 3" in rows["Who do you tell first?"][4]
    stat_row = rows["In {period}, about how many crimes did police record?"]
    assert stat_row[3] == "-0.42"
    assert stat_row[5] == "Negative discrimination Statistic past review date"
    edit_url = reverse("wagtailsnippets_quizzes_question:edit", args=[single.pk])
    assert table.select_one(f"tbody th[scope=row] a[href='{edit_url}']")
    # filtered by quiz and date, and the AJAX results fragment
    filtered = trainer_client.get(REPORT_URL, {"quiz": quiz.pk, "submitted_from": "2025-02-01"})
    assert filtered.status_code == 200
    assert filtered.context["object_list"][0].attempts == 3
    results = trainer_client.get(reverse("quizzes_item_analysis_results"), {"submitted_to": "2025-01-31"})
    assert results.status_code == 200
    assert [s.attempts for s in results.context["object_list"]] == [3, 3, 3]
    # the Reports menu lists it
    assert REPORT_URL in trainer_client.get(reverse("wagtailadmin_home")).content.decode()


def read_csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_export_neutralises_formulas(trainer_client, hand_data, enrolment, quiz, lessons):
    single, _, statistic = hand_data
    formula = make_question(lessons[0], stem='=HYPERLINK("http://example.org","Click")')
    make_attempts(enrolment, quiz, [{formula: ([ref(formula, "Right")], True)}])

    response = trainer_client.get(REPORT_URL, {"export": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert "quiz-item-analysis-" in response["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header == [
        "Question",
        "Topic (lesson)",
        "Attempts",
        "Facility (%)",
        "Discrimination",
        "Choices picked",
        "Flags",
    ]
    rows = {row[0]: row for row in rows}
    assert rows['\'=HYPERLINK("http://example.org","Click")'][1:5] == ["Lesson 1", "1", "100", ""]
    assert rows["Who do you tell first?"][2:6] == [
        "6",
        "50",
        "0.33",
        "Your DSL: 3; Nobody yet: 2; The child's friends: 1",
    ]
    # numbers are not escaped: a negative index stays a number
    stat_row = rows["In {period}, about how many crimes did police record?"]
    assert stat_row[4] == "-0.42"
    assert stat_row[6] == "Negative discrimination; Statistic past review date"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows.values() for cell in row[:4])


@pytest.mark.parametrize("stem", ["+1 call the police", "-1 or more?", "@everyone in the group"])
def test_csv_export_neutralises_other_formula_prefixes(trainer_client, enrolment, quiz, lessons, stem):
    question = make_question(lessons[0], stem=stem)
    make_attempts(enrolment, quiz, [{question: ([ref(question, "Right")], True)}])

    _, row = read_csv(trainer_client.get(REPORT_URL, {"export": "csv"}))

    assert row[0] == "'" + stem


def test_xlsx_export_keeps_formulas_as_text(trainer_client, hand_data, enrolment, quiz, lessons):
    from openpyxl import load_workbook

    formula = make_question(lessons[0], stem="=1+2")
    make_attempts(enrolment, quiz, [{formula: ([ref(formula, "Right")], True)}])

    response = trainer_client.get(REPORT_URL, {"export": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows())
    assert rows[0][0].value == "Question" and rows[0][4].value == "Discrimination"
    cell = next(row[0] for row in rows if row[0].value == "=1+2")
    assert cell.data_type == "s"


def test_learners_cannot_reach_the_report(learner_client, hand_data):
    for url in (REPORT_URL, REPORT_URL + "?export=csv", reverse("quizzes_item_analysis_results")):
        response = learner_client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("wagtailadmin_login"))


def test_admin_users_need_the_question_permission(client, hand_data):
    editor = UserFactory()
    group = Group.objects.create(name="Report-less editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    editor.groups.add(group)
    client.force_login(editor)

    response = client.get(REPORT_URL)

    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    assert REPORT_URL not in client.get(reverse("wagtailadmin_home")).content.decode()

    group.permissions.add(Permission.objects.get(codename="change_question"))
    assert client.get(REPORT_URL).status_code == 200
