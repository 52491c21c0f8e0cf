"""The "Enrolments and completions" report: its figures, filters, exports, permission and queries."""

import io
from datetime import datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment, ModulePage
from courses.reports import NO_PROVIDER, monthly_activity
from providers.models import Provider, SeatAssignment
from quizzes.models import Attempt, QuizPage
from tests.admin_reports import read_csv
from tests.factories import UserFactory
from users.models import User

pytestmark = pytest.mark.django_db

REPORT_URL = "/admin/reports/enrolments-and-completions/"
HEADINGS = [
    "Month",
    "Module",
    "Provider",
    "Enrolments",
    "Started",
    "Completed",
    "Quiz attempts",
    "Attempts passed",
    "Pass rate (%)",
]


def at(month, day):
    return timezone.make_aware(datetime(2025, month, day, 12, 0))


def make_provider(name):
    return Provider.objects.create(
        name=name, kind=Provider.Kind.NURSERY, billing_name=name, billing_email="pay@example.org"
    )


def make_enrolment(learner, module, created, *, started=None, completed=None, provider=None):
    """An enrolment with the given times (created_at is auto_now_add, so it is set afterwards)."""
    source = Enrolment.Source.SEAT if provider else Enrolment.Source.STAFF
    enrolment = Enrolment.objects.create(learner=learner, module=module, source=source)
    Enrolment.objects.filter(pk=enrolment.pk).update(
        created_at=created, started_at=started, completed_at=completed
    )
    if provider:
        SeatAssignment.objects.create(provider=provider, module=module, user=learner, enrolment=enrolment)
    return enrolment


def submit(enrolment, quiz, when, passed, number=1):
    return Attempt.objects.create(
        enrolment=enrolment,
        quiz=quiz,
        number=number,
        status=Attempt.Status.SUBMITTED,
        paper=[],
        score=80 if passed else 40,
        passed=passed,
        submitted_at=when,
    )


@pytest.fixture
def second_module(course_page):
    return course_page.add_child(instance=ModulePage(title="Reporting concerns", slug="reporting-concerns"))


@pytest.fixture
def quiz(module_page):
    return module_page.add_child(instance=QuizPage(title="Online safety quiz", slug="quiz", pass_mark=75))


@pytest.fixture
def hand_data(module_page, second_module, quiz):
    """Four learners over January and February 2025:

    * Acorns (seats for Online safety): A1 enrolled 10 Jan, started 12 Jan, completed 3 Feb, failed
      an attempt on 20 Jan and passed one on 3 Feb; A2 enrolled 15 Jan, started 1 Feb, failed on 2 Feb.
    * No seat: S1, granted by staff on 20 Jan, started 21 Jan, completed 25 Jan, passed on 25 Jan.
    * Bluebells (a seat for Reporting concerns): B1 enrolled 5 Feb and has done nothing since.
    * An attempt still in progress (not submitted) is never counted.

    So, per month x module x provider:
      Jan  Online safety       Acorns      enrolled 2, started 1, completed 0, attempts 1, passed 0: 0%
      Jan  Online safety       no provider enrolled 1, started 1, completed 1, attempts 1, passed 1: 100%
      Feb  Online safety       Acorns      enrolled 0, started 1, completed 1, attempts 2, passed 1: 50%
      Feb  Reporting concerns  Bluebells   enrolled 1, nothing else, no attempts: no pass rate
    """
    acorns, bluebells = make_provider("Little Acorns Nursery"), make_provider("Bluebells Pre-school")
    a1 = make_enrolment(
        UserFactory(), module_page, at(1, 10), started=at(1, 12), completed=at(2, 3), provider=acorns
    )
    a2 = make_enrolment(UserFactory(), module_page, at(1, 15), started=at(2, 1), provider=acorns)
    s1 = make_enrolment(UserFactory(), module_page, at(1, 20), started=at(1, 21), completed=at(1, 25))
    make_enrolment(UserFactory(), second_module, at(2, 5), provider=bluebells)
    submit(a1, quiz, at(1, 20), passed=False, number=1)
    submit(a1, quiz, at(2, 3), passed=True, number=2)
    submit(a2, quiz, at(2, 2), passed=False)
    submit(s1, quiz, at(1, 25), passed=True)
    Attempt.objects.create(enrolment=s1, quiz=quiz, number=2, paper=[])  # in progress
    return {"acorns": acorns, "bluebells": bluebells}


EXPECTED_CSV = [
    ["2025-01", "Online safety", "Little Acorns Nursery", "2", "1", "0", "1", "0", "0"],
    ["2025-01", "Online safety", NO_PROVIDER, "1", "1", "1", "1", "1", "100"],
    ["2025-02", "Online safety", "Little Acorns Nursery", "0", "1", "1", "2", "1", "50"],
    ["2025-02", "Reporting concerns", "Bluebells Pre-school", "1", "0", "0", "0", "0", ""],
]


def html_rows(response):
    """The table's rows as the CSV would write them: the month from <time datetime>, no % sign,
    and an empty cell where the page shows a dash."""
    table = BeautifulSoup(response.content, "html.parser").select_one("#listing-results table")
    rows = []
    for row in table.select("tbody tr"):
        cells = [row.th.time["datetime"]]
        for td in row.find_all("td"):
            text = td.get_text(" ", strip=True)
            cells.append("" if "No attempts" in text else text.removesuffix("%"))
        rows.append(cells)
    return table, rows


def test_figures_match_the_hand_checked_data_set(admin_client, hand_data):
    response = admin_client.get(REPORT_URL)

    assert response.status_code == 200
    table, rows = html_rows(response)
    assert table.caption.get_text(strip=True).startswith("Enrolments and completions")
    assert [th.get_text(strip=True) for th in table.select("thead th[scope=col]")] == [
        "Month",
        "Module",
        "Provider",
        "Enrolments",
        "Started",
        "Completed",
        "Quiz attempts",
        "Attempts passed",
        "Pass rate",
    ]
    assert rows == EXPECTED_CSV
    assert table.select_one("tbody th[scope=row] time").get_text(strip=True) == "January 2025"


def test_csv_export_matches_the_table(admin_client, hand_data):
    response = admin_client.get(REPORT_URL, {"export": "csv"})

    assert response["Content-Type"] == "text/csv"
    assert "enrolments-and-completions-" in response["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header == HEADINGS
    assert rows == EXPECTED_CSV == html_rows(admin_client.get(REPORT_URL))[1]


def test_xlsx_export(admin_client, hand_data):
    from openpyxl import load_workbook

    response = admin_client.get(REPORT_URL, {"export": "xlsx"})

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == HEADINGS
    assert values[3] == ["2025-02", "Online safety", "Little Acorns Nursery", 0, 1, 1, 2, 1, 50]


def test_date_module_and_provider_filters_change_the_rows(admin_client, hand_data, second_module):
    def rows(**params):
        return html_rows(admin_client.get(REPORT_URL, params))[1]

    # February only: the January rows go; A1's February completion and attempts stay
    assert rows(between_from="2025-02-01", between_to="2025-02-28") == EXPECTED_CSV[2:]
    # up to 20 January: A1's attempt on the 20th counts, S1's on the 25th does not
    january = rows(between_to="2025-01-20")
    assert january[0] == ["2025-01", "Online safety", "Little Acorns Nursery", "2", "1", "0", "1", "0", "0"]
    assert january[1] == ["2025-01", "Online safety", NO_PROVIDER, "1", "0", "0", "0", "0", ""]
    assert rows(module=second_module.pk) == EXPECTED_CSV[3:]
    assert rows(provider=hand_data["acorns"].pk) == [EXPECTED_CSV[0], EXPECTED_CSV[2]]
    # the AJAX results fragment and the export use the same filters
    fragment = admin_client.get(reverse("courses_enrolment_activity_results"), {"module": second_module.pk})
    assert [row.provider for row in fragment.context["object_list"]] == ["Bluebells Pre-school"]
    _, *exported = read_csv(admin_client.get(REPORT_URL, {"export": "csv", "module": second_module.pk}))
    assert exported == EXPECTED_CSV[3:]


def test_csv_neutralises_formulas_in_text_cells(admin_client, module_page):
    make_enrolment(UserFactory(), module_page, at(1, 10), provider=make_provider("=1+2 Nursery"))

    _, row = read_csv(admin_client.get(REPORT_URL, {"export": "csv"}))

    assert row[2] == "'=1+2 Nursery"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def staff_client(client, *codenames):
    """Sign in an admin user whose only permissions are ``codenames`` (plus admin access)."""
    user = UserFactory()
    group = Group.objects.create(name="Report readers")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    group.permissions.add(*Permission.objects.filter(codename__in=codenames))
    user.groups.add(group)
    client.force_login(user)
    return group


def test_the_view_enrolment_permission_opens_the_report(client, hand_data):
    group = staff_client(client, "view_certificate", "change_statistic")
    for url in (REPORT_URL, REPORT_URL + "?export=csv", reverse("courses_enrolment_activity_results")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("wagtailadmin_home")
    assert REPORT_URL not in client.get(reverse("wagtailadmin_home")).content.decode()

    group.permissions.add(Permission.objects.get(codename="view_enrolment"))
    response = client.get(REPORT_URL)
    assert response.status_code == 200
    assert html_rows(response)[1] == EXPECTED_CSV
    assert REPORT_URL in client.get(reverse("wagtailadmin_home")).content.decode()


def test_learners_are_sent_to_the_login_page(learner_client):
    response = learner_client.get(REPORT_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("wagtailadmin_login"))


def add_activity(module, quiz, providers, count, offset):
    """``count`` learners in bulk, spread over 24 months and the providers (every third has no
    seat), each with one submitted attempt, passed for every other learner."""
    users = User.objects.bulk_create(
        User(email=f"bulk{offset + n}@example.org", certificate_name=f"Learner {n}") for n in range(count)
    )
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(learner=user, module=module, source=Enrolment.Source.SEAT) for user in users
    )
    start = at(1, 15)
    SeatAssignment.objects.bulk_create(
        SeatAssignment(provider=providers[n % len(providers)], module=module, user=user, enrolment=enrolment)
        for n, (user, enrolment) in enumerate(zip(users, enrolments, strict=True))
        if n % 3
    )
    Attempt.objects.bulk_create(
        Attempt(
            enrolment=enrolment,
            quiz=quiz,
            number=1,
            status=Attempt.Status.SUBMITTED,
            paper=[],
            passed=n % 2 == 0,
            submitted_at=start + timedelta(days=31 * (n % 24)),
        )
        for n, enrolment in enumerate(enrolments)
    )


def test_query_count_is_the_same_for_10_and_2000_learners(
    admin_client, module_page, quiz, django_assert_max_num_queries
):
    providers = [make_provider(f"Provider {n}") for n in range(5)]

    def page_queries():
        admin_client.get(REPORT_URL)  # warm per-process caches
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(REPORT_URL)
        assert response.status_code == 200
        return len(queries), response.context["paginator"].count

    add_activity(module_page, quiz, providers, 10, 0)
    with django_assert_max_num_queries(6):
        monthly_activity()
    small_queries, small_rows = page_queries()
    add_activity(module_page, quiz, providers, 1990, 10)
    with django_assert_max_num_queries(6):
        rows = monthly_activity()
    large_queries, large_rows = page_queries()

    # attempts: 10 rows, then 16 months x 5 providers + 8 months without (n % 3 is fixed by the
    # month); enrolments: this month x (5 providers + no provider)
    assert small_rows == 16 and large_rows > 80
    assert sum(row.attempts for row in rows) == 2000
    assert small_queries == large_queries
