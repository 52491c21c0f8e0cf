"""The quiz's busiest paths, submitting and starting an attempt: what a submission costs in queries,
and that the shortcuts they take (the quiz's module, view restrictions and question pool from the
content cache, the learner's attempt read once under its lock, the audit entry written without
looking its rows up again, the certificate's PDF left to a background job) change nothing a
learner, a trainer or an auditor sees."""

import re
from urllib.parse import urlencode

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.http import QueryDict
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry, PageViewRestriction

from certificates.models import Certificate
from certificates.services import signatory_settings
from courses.models import CoursePage, Enrolment
from courses.services import complete_lesson, enrol
from quizzes import services
from quizzes.models import Attempt, Choice, Response
from tests.factories import UserFactory
from tests.quizzes.conftest import make_question
from tests.quizzes.test_quiz_flow import answer_all, soup, start, url

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # as in production

# A submission with the database task backend, on a second attempt in the same session. A fail:
# the session and the user; the learner's enrolment; what a certificate would say (the learner's
# seat and lesson progress, read before the transaction in case this is the pass); BEGIN, the
# attempt (locked), its graded fields, the responses in one INSERT, the audit entry; COMMIT. A pass
# adds completing the module and issuing the certificate (courses.services.on_module_passed,
# certificates.services): IN_PASS_TRANSACTION below.
FAIL_QUERIES = 11
PASS_QUERIES = 17  # with the savepoint around the certificate insert

# What a pass does while it holds the database's one write lock (cms/db/sqlite3), in order: the
# attempt read and locked, graded and its responses written, the module completed, this pass's or
# the learner's valid certificate looked for (one query), the new one written and its PDF job
# queued, then the three audit entries (submission, certificate, completed module) in one INSERT.
# Nothing is read that could have been read before the lock.
IN_PASS_TRANSACTION = [
    ("SELECT", "quizzes_attempt"),
    ("UPDATE", "quizzes_attempt"),
    ("INSERT", "quizzes_response"),
    ("UPDATE", "courses_enrolment"),
    ("SELECT", "certificates_certificate"),
    ("SAVEPOINT", None),  # the insert alone, in case a concurrent pass issued first (PostgreSQL)
    ("INSERT", "certificates_certificate"),
    ("RELEASE", None),
    ("INSERT", "django_tasks_database_dbtaskresult"),
    ("INSERT", "wagtailcore_modellogentry"),
]
IN_FAIL_TRANSACTION = IN_PASS_TRANSACTION[:3] + IN_PASS_TRANSACTION[-1:]


def ready_learner(module_page, lessons):
    learner = UserFactory()
    enrolment = enrol(learner, module_page, source=Enrolment.Source.DEMO)
    for lesson in lessons:
        complete_lesson(enrolment, lesson)
    client = Client()
    client.force_login(learner)
    return learner, client


def posted_submissions(client, quiz):
    """A failing, then a passing submission through the quiz form, each posted from the attempt's
    page as a learner does, after a first (failing) one that warms the session:
    {"fail": (attempt, its queries), "pass": (attempt, its queries)}. The queries are copied at once:
    the next request clears Django's query log, which CaptureQueriesContext reads from."""
    posted = {}
    for name, right in (("warm-up", False), ("fail", False), ("pass", True)):
        attempt = start(client, quiz)
        assert client.get(url(quiz, "attempt", attempt.number)).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url(quiz, "attempt", attempt.number), answer_all(attempt, right=right))
        assert response.status_code == 302
        assert response.url == url(quiz, "result", attempt.number)
        attempt.refresh_from_db()
        assert attempt.is_submitted and attempt.passed is right
        assert Response.objects.filter(attempt=attempt).count() == len(attempt.paper)
        posted[name] = attempt, queries.captured_queries
        if name == "warm-up":  # the site's first request is served: now cached as on a running site
            signatory_settings()
    del posted["warm-up"]
    return posted


def counted_submissions(client, quiz):
    """How many queries the failing and the passing submission of ``posted_submissions`` made."""
    return {name: len(queries) for name, (_attempt, queries) in posted_submissions(client, quiz).items()}


@override_settings(TASKS=DATABASE_TASKS)
def test_a_submission_makes_the_same_few_queries_however_much_data(module_page, lessons, quiz, bank):
    # What a running site has made or cached once: the certificate settings (made by the first
    # certificate; cached after the warm-up below) and the content types of the audit log.
    ContentType.objects.get_for_models(Attempt, Certificate, Enrolment)
    learner, client = ready_learner(module_page, lessons)
    small = counted_submissions(client, quiz)

    # More questions, a longer paper, and other learners with attempts and certificates.
    for n in range(40):
        make_question(lessons[n % len(lessons)], stem=f"Extra question {n}")
    quiz.questions_per_attempt = 30
    quiz.save_revision().publish()
    for _ in range(15):
        other, _client = ready_learner(module_page, lessons)
        enrolment = Enrolment.objects.get(learner=other)
        for right in (False, True):
            attempt = services.start_attempt(enrolment, quiz)
            form = answer_all(attempt, right=right)
            services.submit_attempt(attempt, {field[1:]: keys for field, keys in form.items()})
    assert Certificate.objects.count() == 16
    learner, client = ready_learner(module_page, lessons)
    large = counted_submissions(client, quiz)

    assert len(Attempt.objects.filter(enrolment__learner=learner).last().paper) == 30
    assert small == large == {"fail": FAIL_QUERIES, "pass": PASS_QUERIES}


@override_settings(TASKS=DATABASE_TASKS)
def test_a_pass_only_enqueues_the_certificate_pdf(learner_client, ready_enrolment, quiz, bank):
    attempt = start(learner_client, quiz)

    learner_client.post(url(quiz, "attempt", attempt.number), answer_all(attempt))

    certificate = Certificate.objects.get(attempt=attempt)
    assert not certificate.pdf  # not rendered while the learner waits
    job = DBTaskResult.objects.get()
    assert job.task_path == "certificates.tasks.store_certificate_pdf"
    assert job.args_kwargs == {"args": [str(certificate.pk)], "kwargs": {}}
    assert job.status == "READY"


def test_the_submission_is_logged_as_wagtail_logs_it(learner_client, ready_enrolment, learner, quiz, bank):
    attempt = start(learner_client, quiz)

    learner_client.post(url(quiz, "attempt", attempt.number), answer_all(attempt, right=False))

    written = ModelLogEntry.objects.for_instance(attempt).get(action="quizzes.submit")
    attempt.refresh_from_db()
    expected = log(
        attempt,
        "quizzes.submit",
        user=learner,
        data={"score": attempt.score, "passed": False, "number": attempt.number},
    )
    fields = ("content_type_id", "object_id", "label", "action", "user_id", "data", "revision_id")
    assert {f: getattr(written, f) for f in fields} == {f: getattr(expected, f) for f in fields}
    assert written.label == f"Attempt 1 by {learner}"
    assert written.data == {"score": 0, "passed": False, "number": 1}
    assert written.timestamp is not None


def test_a_pass_logs_the_completed_module_and_the_certificate_as_wagtail_logs_them(
    learner_client, ready_enrolment, learner, quiz, bank
):
    attempt = start(learner_client, quiz)

    learner_client.post(url(quiz, "attempt", attempt.number), answer_all(attempt))

    attempt.refresh_from_db()
    certificate = Certificate.objects.get(attempt=attempt)
    fields = ("content_type_id", "object_id", "label", "action", "user_id", "data", "revision_id")
    for instance, action, data in (
        (certificate, "certificates.issue", {"code": certificate.code}),
        (ready_enrolment, "courses.complete_module", {"attempt": attempt.pk, "score": attempt.score}),
    ):
        written = ModelLogEntry.objects.for_instance(instance).get(action=action)
        expected = log(instance, action, user=learner, data=data)
        assert {f: getattr(written, f) for f in fields} == {f: getattr(expected, f) for f in fields}


def test_a_restriction_added_to_the_module_guards_the_quiz_at_once(
    learner_client, ready_enrolment, quiz, bank, module_page
):
    attempt = start(learner_client, quiz)
    assert learner_client.get(url(quiz, "attempt", attempt.number)).status_code == 200  # caches warm

    PageViewRestriction.objects.create(page=module_page, restriction_type=PageViewRestriction.GROUPS)
    response = learner_client.post(url(quiz, "attempt", attempt.number), answer_all(attempt))

    assert response.status_code == 302
    assert "login" in response["Location"]  # Wagtail's restriction: staff groups only
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS


def test_the_certificate_and_result_name_the_module_and_course_as_published_now(
    learner_client, ready_enrolment, quiz, bank, module_page, course_page
):
    attempt = start(learner_client, quiz)
    assert learner_client.get(url(quiz, "attempt", attempt.number)).status_code == 200  # caches warm

    module_page.title = "Online safety (2025)"
    module_page.save_revision().publish()
    course = CoursePage.objects.get(pk=course_page.pk)
    course.title = "Safeguarding children and young people"
    course.save_revision().publish()
    learner_client.post(url(quiz, "attempt", attempt.number), answer_all(attempt))

    snapshot = Certificate.objects.get(attempt=attempt).snapshot
    assert (snapshot["module"], snapshot["course"]) == (module_page.title, course.title)
    html = soup(learner_client.get(url(quiz, "result", attempt.number)))
    assert "You have completed Online safety (2025)." in html.text
    assert [a.text for a in html.select(".breadcrumbs a")] == ["Home", course.title, module_page.title]


def test_a_new_attempt_draws_the_questions_as_published_now(ready_enrolment, quiz, bank, statistic):
    services.start_attempt(ready_enrolment, quiz)  # the pool is kept in the content cache now
    Attempt.objects.all().delete()

    single = bank["single"]
    single.stem = "Who do you tell first, every time?"
    single.choices = [Choice(text="The DSL", is_correct=True), Choice(text="Nobody", is_correct=False)]
    single.save_revision().publish()
    bank["multiple"].unpublish()
    statistic.value = 38685
    statistic.save()
    paper = {entry["question"]: entry for entry in services.start_attempt(ready_enrolment, quiz).paper}

    assert bank["multiple"].pk not in paper
    assert paper[single.pk]["stem"] == "Who do you tell first, every time?"
    assert sorted(o["text"] for o in paper[single.pk]["options"]) == ["Nobody", "The DSL"]
    assert [o["text"] for o in paper[bank["statistic"].pk]["options"] if o["correct"]] == ["38,700"]


STATEMENT = re.compile(r'^(SELECT|UPDATE|INSERT INTO|DELETE FROM) .*?"(\w+)"', re.DOTALL)


def statement(sql):
    """("SELECT", "quizzes_attempt") for a query's SQL: what it does, and to which table (the first
    named: for a SELECT, the first column's); ("SAVEPOINT", None) and ("RELEASE", None) for those."""
    if sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):
        return sql.split()[0], None
    verb, table = STATEMENT.match(sql).groups()
    return verb.split()[0], table


def in_transaction(queries):
    """The statements between the submission's BEGIN and its COMMIT, and the SQL that came before.
    ``queries``: CaptureQueriesContext's captured_queries."""
    sql = [q["sql"] for q in queries]
    begin = next(i for i, s in enumerate(sql) if s.startswith("BEGIN"))
    commit = next(i for i, s in enumerate(sql) if s == "COMMIT")
    assert begin < commit and not any(s.startswith(("BEGIN", "COMMIT")) for s in sql[begin + 1 : commit])
    return [statement(s) for s in sql[begin + 1 : commit]], sql[:begin]


# Real transactions: the submission's BEGIN and COMMIT, not a savepoint inside the test's own.
# serialized_rollback: the page tree the migrations made is put back for the tests that follow.
@pytest.mark.skipif(connection.vendor != "sqlite", reason="about SQLite's one write lock (cms/db/sqlite3)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_a_submission_holds_the_write_lock_only_for_its_writes(module_page, lessons, quiz, bank):
    ContentType.objects.get_for_models(Attempt, Certificate, Enrolment)
    learner, client = ready_learner(module_page, lessons)
    posted = posted_submissions(client, quiz)

    attempt, queries = posted["pass"]
    inside, before = in_transaction(queries)
    assert inside == IN_PASS_TRANSACTION
    assert [statement(s)[1] for s in before[-2:]] == ["providers_seatassignment", "courses_lessonprogress"]
    assert in_transaction(posted["fail"][1])[0] == IN_FAIL_TRANSACTION
    certificate = Certificate.objects.get(attempt=attempt)
    assert certificate.snapshot["learning_minutes"] == 0 and certificate.snapshot["provider"] == ""
    entries = ModelLogEntry.objects.filter(user=learner).order_by("pk")
    assert [e.action for e in entries][-3:] == [
        "quizzes.submit",
        "certificates.issue",
        "courses.complete_module",
    ]


@override_settings(TASKS=DATABASE_TASKS)
def test_a_pass_that_fails_half_way_leaves_nothing_done(
    learner_client, ready_enrolment, quiz, bank, monkeypatch
):
    attempt = start(learner_client, quiz)
    logged = ModelLogEntry.objects.count()

    def broken_job(*args, **kwargs):
        raise RuntimeError("The task queue is down.")

    monkeypatch.setattr("certificates.services.enqueue_with_transaction", broken_job)
    with pytest.raises(RuntimeError):
        services.submit_form(
            ready_enrolment, quiz, attempt.number, QueryDict(urlencode(answer_all(attempt), True))
        )

    attempt.refresh_from_db()
    ready_enrolment.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS and attempt.score is None
    assert not Response.objects.filter(attempt=attempt).exists()
    assert ready_enrolment.completed_at is None
    assert not Certificate.objects.exists() and not DBTaskResult.objects.exists()
    assert ModelLogEntry.objects.count() == logged  # the submission's entry, made first, too
