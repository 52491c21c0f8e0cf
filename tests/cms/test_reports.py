"""The "Statistics due for review" report: which statistics, where each is used, the filters,
exports, permission and query counts."""

import io
import uuid
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, ReferenceIndex

from cms.models import Statistic
from courses.models import LessonPage, ModulePage
from tests.admin_reports import read_csv, sign_in_with
from tests.factories import StatisticFactory, UserFactory, callout_block, chart_block
from tests.quizzes.conftest import make_question

pytestmark = pytest.mark.django_db

REPORT_URL = "/admin/reports/statistics-due-for-review/"
HEADINGS = [
    "Statistic",
    "Figure",
    "Period",
    "Review by",
    "Days overdue",
    "Used in pages",
    "Used in questions",
]


def days(n):
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def second_module(course_page):
    return course_page.add_child(instance=ModulePage(title="Reporting concerns", slug="reporting-concerns"))


@pytest.fixture
def hand_data(make_lesson, second_module):
    """Four statistics (review dates relative to today):

    Image crimes       review 40 days ago   used by "Callout lesson", "Chart lesson" (Online safety)
                                            and the question "How many image crimes?"
    Grooming offences  review 3 days ago    used nowhere
    Sextortion         review in 20 days    used by "Other lesson" (Reporting concerns)
    Far future         review in 200 days   used nowhere

    By default (past due): Image crimes (40 days overdue), then Grooming offences (3)."""
    crimes = StatisticFactory(label="Image crimes", value=33000, period="2022/23", review_by=days(-40))
    grooming = StatisticFactory(label="Grooming offences", value=7062, period="2023/24", review_by=days(-3))
    sextortion = StatisticFactory(label="Sextortion", value=110, period="2023", review_by=days(20))
    StatisticFactory(label="Far future", review_by=days(200))
    callout = make_lesson([callout_block(crimes)], title="Callout lesson")
    chart = make_lesson([chart_block([crimes, grooming])], title="Chart lesson")
    other = second_module.add_child(
        instance=LessonPage(title="Other lesson", slug="other", body=[callout_block(sextortion)])
    )
    question = make_question(callout, stem="How many image crimes?", statistic=crimes)
    # grooming's only reference went when the chart was edited
    chart.body = [chart_block([crimes])]
    chart.save()
    for source in (callout, chart, other, question):
        ReferenceIndex.create_or_update_for_object(source)
    return {"crimes": crimes, "grooming": grooming, "sextortion": sextortion}


def expected_rows():
    return {
        "crimes": [
            "Image crimes",
            "33,000",
            "2022/23",
            str(days(-40)),
            "40",
            "Callout lesson; Chart lesson",
            "How many image crimes?",
        ],
        "grooming": ["Grooming offences", "7,062", "2023/24", str(days(-3)), "3", "", ""],
        "sextortion": ["Sextortion", "110", "2023", str(days(20)), "0", "Other lesson", ""],
    }


def html_rows(response):
    """The table's rows as the CSV writes them: the date from <time datetime>, lists joined with
    "; ", an empty cell where the page shows a dash, and the "Past review date" label left out."""
    table = BeautifulSoup(response.content, "html.parser").select_one("#listing-results table")
    if table is None:
        return []
    rows = []
    for row in table.select("tbody tr"):
        cells = [row.th.get_text(strip=True)]
        for td in row.find_all("td"):
            if td.find("time"):
                cells.append(td.time["datetime"])
            elif td.find("li"):
                cells.append("; ".join(li.get_text(strip=True) for li in td.find_all("li")))
            else:
                text = td.get_text(" ", strip=True)
                cells.append("" if "Not used" in text else text.removesuffix(" Past review date"))
        rows.append(cells)
    return rows


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_lists_statistics_past_review_and_where_they_are_used(admin_client, hand_data):
    response = admin_client.get(REPORT_URL)

    assert response.status_code == 200
    table = BeautifulSoup(response.content, "html.parser").select_one("#listing-results table")
    assert table.caption.get_text(strip=True) == "Statistics due for review, and where each is used"
    assert [th.get_text(strip=True) for th in table.select("thead th[scope=col]")] == HEADINGS
    expected = expected_rows()
    assert html_rows(response) == [expected["crimes"], expected["grooming"]]
    edit_url = reverse("wagtailsnippets_cms_statistic:edit", args=[hand_data["crimes"].pk])
    assert table.select_one(f"tbody th[scope=row] a[href='{edit_url}']").get_text() == "Image crimes"
    # overdue is said in words too, not by colour alone
    assert "Past review date" in table.select("tbody tr")[0].get_text()


def test_csv_export_matches_the_table(admin_client, hand_data):
    response = admin_client.get(REPORT_URL, {"export": "csv"})

    assert "statistics-due-for-review-" in response["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header == HEADINGS
    expected = expected_rows()
    assert rows == html_rows(admin_client.get(REPORT_URL)) == [expected["crimes"], expected["grooming"]]


def test_xlsx_export(admin_client, hand_data):
    from openpyxl import load_workbook

    response = admin_client.get(REPORT_URL, {"export": "xlsx"})

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == HEADINGS
    assert [row[0] for row in values[1:]] == ["Image crimes", "Grooming offences"]
    assert values[1][5] == "Callout lesson; Chart lesson"


def test_review_date_range_and_module_filters(admin_client, hand_data, module_page, second_module):
    expected = expected_rows()

    def rows(**params):
        _, *exported = read_csv(admin_client.get(REPORT_URL, {**params, "export": "csv"}))
        assert exported == html_rows(admin_client.get(REPORT_URL, params))
        return exported

    # the next 30 days instead of the past
    today = timezone.localdate()
    assert rows(review_by_from=str(today), review_by_to=str(days(30))) == [expected["sextortion"]]
    # everything up to the end of next month, overdue included
    assert rows(review_by_to=str(days(30))) == [
        expected["crimes"],
        expected["grooming"],
        expected["sextortion"],
    ]
    # past due and used in Online safety: grooming is used nowhere now
    assert rows(module=module_page.pk) == [expected["crimes"]]
    assert rows(module=second_module.pk) == []
    assert rows(module=second_module.pk, review_by_from=str(today)) == [expected["sextortion"]]
    fragment = admin_client.get(reverse("cms_statistics_review_results"), {"module": module_page.pk})
    assert [s.label for s in fragment.context["object_list"]] == ["Image crimes"]


def test_module_filter_counts_a_question_on_a_lesson_of_the_module(admin_client, make_lesson, module_page):
    """A statistic only a question uses still belongs to the question's module."""
    statistic = StatisticFactory(label="Asked only", review_by=days(-1))
    question = make_question(make_lesson(title="Plain lesson"), stem="Asked?", statistic=statistic)
    ReferenceIndex.create_or_update_for_object(question)

    assert [row[0] for row in html_rows(admin_client.get(REPORT_URL, {"module": module_page.pk}))] == [
        "Asked only"
    ]


def test_csv_neutralises_formulas(admin_client):
    StatisticFactory(label="=cmd|' /C calc'!A0", review_by=days(-1))

    _, row = read_csv(admin_client.get(REPORT_URL, {"export": "csv"}))

    assert row[0] == "'=cmd|' /C calc'!A0"


def test_the_change_statistic_permission_opens_the_report(client, hand_data):
    # viewing statistics is not enough: the report is for those who can correct them
    group = sign_in_with(client, "view_statistic", "view_enrolment", "view_seatorder")
    for url in (REPORT_URL, REPORT_URL + "?export=csv", reverse("cms_statistics_review_results")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("wagtailadmin_home")
    assert REPORT_URL not in client.get(reverse("wagtailadmin_home")).content.decode()

    group.permissions.add(Permission.objects.get(codename="change_statistic"))
    assert len(html_rows(client.get(REPORT_URL))) == 2
    assert REPORT_URL in client.get(reverse("wagtailadmin_home")).content.decode()


def add_used_statistics(lesson, count):
    """``count`` overdue statistics in bulk, each referred to by ``lesson`` (reference rows in bulk)."""
    statistics = Statistic.objects.bulk_create(
        Statistic(
            label=f"Bulk figure {n:05d}",
            value=n,
            period="2024",
            geography="UK",
            source_title="Source",
            source_url="https://example.org/",
            review_by=days(-1 - n % 300),
        )
        for n in range(count)
    )
    ReferenceIndex.objects.bulk_create(
        ReferenceIndex(
            content_type=ContentType.objects.get_for_model(LessonPage),
            base_content_type=ContentType.objects.get_for_model(Page),
            object_id=str(lesson.pk),
            to_content_type=ContentType.objects.get_for_model(Statistic),
            to_object_id=str(statistic.pk),
            model_path="body.statistic_callout.statistic",
            content_path=f"body.{statistic.pk}.statistic",
            content_path_hash=uuid.uuid4(),
        )
        for statistic in statistics
    )


def test_query_count_is_the_same_for_10_and_2000_statistics(
    admin_client, make_lesson, module_page, django_assert_max_num_queries
):
    lesson = make_lesson(title="Busy lesson")

    def page_queries(params):
        admin_client.get(REPORT_URL, params)  # warm per-process caches
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(REPORT_URL, params)
            if response.streaming:
                b"".join(response.streaming_content)  # the CSV rows are read as they stream
        assert response.status_code == 200
        return len(queries)

    add_used_statistics(lesson, 10)
    small = [page_queries({}), page_queries({"export": "csv"}), page_queries({"module": module_page.pk})]
    add_used_statistics(lesson, 1990)
    with django_assert_max_num_queries(small[0]):
        response = admin_client.get(REPORT_URL)
    large = [page_queries({}), page_queries({"export": "csv"}), page_queries({"module": module_page.pk})]

    assert response.context["paginator"].count == 2000
    assert all(statistic.used_pages == ["Busy lesson"] for statistic in response.context["object_list"])
    assert small == large
