"""Admin home: statistics past their review date, and Wagtail's own "Awaiting your review" panel
showing a statistic a trainer has sent for review."""

from datetime import timedelta
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cms.models import Statistic
from tests.factories import StatisticFactory

pytestmark = pytest.mark.django_db

HOME = "wagtailadmin_home"
PANEL = "#statistics-past-review-section"


def home(client):
    response = client.get(reverse(HOME))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def overdue(days, **fields):
    return StatisticFactory(review_by=timezone.localdate() - timedelta(days=days), **fields)


def full_list_url():
    try:
        return reverse("cms_statistics_review")
    except NoReverseMatch:
        return reverse("wagtailsnippets_cms_statistic:list") + "?ordering=review_by"


@pytest.mark.parametrize("user_client", ["trainer_client", "lead_client"])
def test_trainers_see_overdue_statistics_most_overdue_first(request, user_client):
    client = request.getfixturevalue(user_client)
    recent = overdue(3, label="Sextortion reports")
    oldest = overdue(400, label="Online grooming crimes")
    overdue(0, label="Due today")  # review_by is today: not past yet
    StatisticFactory(label="Fresh figure")

    panel = home(client).select_one(PANEL)

    assert panel is not None
    assert panel.select_one("h2").get_text(strip=True) == "Statistics past their review date"
    table = panel.select_one("table")
    assert table.caption.get_text(strip=True) == "Statistics past their review date, the most overdue first"
    assert [th.get_text(strip=True) for th in table.select("thead th[scope=col]")] == [
        "Statistic",
        "Period",
        "Review by",
    ]
    rows = table.select("tbody tr")
    assert [row.th.get_text(strip=True) for row in rows] == ["Online grooming crimes", "Sextortion reports"]
    assert [row.th.a["href"] for row in rows] == [
        reverse("wagtailsnippets_cms_statistic:edit", args=[oldest.pk]),
        reverse("wagtailsnippets_cms_statistic:edit", args=[recent.pk]),
    ]
    review_cell = rows[1].select("td")[1]
    assert review_cell.time["datetime"] == recent.review_by.isoformat()
    assert review_cell.get_text(" ", strip=True) == f"{recent.review_by:%-d %b %Y} (3 days overdue)"
    assert "2 statistics are past the date" in panel.p.get_text(" ", strip=True)
    assert panel.select("a")[-1]["href"] == full_list_url()


def test_shows_ten_and_links_to_the_full_list(trainer_client):
    for days in range(1, 13):
        overdue(days, label=f"Figure {days:02d}")

    panel = home(trainer_client).select_one(PANEL)

    labels = [row.th.get_text(strip=True) for row in panel.select("tbody tr")]
    assert labels == [f"Figure {days:02d}" for days in range(12, 2, -1)]
    link = panel.select("a")[-1]
    assert link.get_text(strip=True) == "See all 12 statistics by review date"
    assert link["href"] == full_list_url()


def test_platform_staff_do_not_see_it(staff_client):
    overdue(10)

    page = home(staff_client)

    assert page.select_one(PANEL) is None
    assert "Statistics past their review date" not in page.get_text()


def test_nothing_to_do(lead_client):
    StatisticFactory()

    panel = home(lead_client).select_one(PANEL)

    assert panel.select_one("[data-empty]").get_text(" ", strip=True) == (
        "Nothing to do: every statistic is within its review date."
    )
    assert panel.select("table") == []
    assert panel.select("a")[-1].get_text(strip=True) == "All statistics by review date"


def test_query_count_is_the_same_for_3_and_60_overdue_statistics(lead_client):
    def home_queries():
        home(lead_client)  # warm the caches (content types, site root paths)
        with CaptureQueriesContext(connection) as queries:
            page = home(lead_client)
        return page, len(queries)

    Statistic.objects.bulk_create(
        StatisticFactory.build(review_by=timezone.localdate() - timedelta(days=n + 1)) for n in range(3)
    )
    small_page, small_queries = home_queries()
    assert len(small_page.select(f"{PANEL} tbody tr")) == 3

    Statistic.objects.bulk_create(
        StatisticFactory.build(review_by=timezone.localdate() - timedelta(days=n + 10)) for n in range(57)
    )
    large_page, large_queries = home_queries()
    assert len(large_page.select(f"{PANEL} tbody tr")) == 10
    assert "See all 60 statistics" in large_page.select_one(PANEL).get_text(" ", strip=True)
    assert large_queries == small_queries


def test_query_count_of_the_panel_itself(rf, lead_trainer, django_assert_num_queries):
    from cms.panels import StatisticsReviewHomePanel

    request = rf.get("/admin/")
    request.user = lead_trainer
    for size in (3, 40):
        Statistic.objects.bulk_create(
            StatisticFactory.build(review_by=timezone.localdate() - timedelta(days=1)) for _ in range(size)
        )
        # the count and the first ten
        with django_assert_num_queries(2):
            html = StatisticsReviewHomePanel().render_html({"request": request})
        assert html.count("<tr>") == 1 + min(10, Statistic.objects.count())


def test_a_statistic_sent_for_review_awaits_the_lead_trainer(client, trainer, lead_trainer):
    """Wagtail's own "Awaiting your review" panel covers snippets in the review workflow."""
    statistic = StatisticFactory(label="Child abuse image crimes", value=Decimal("30925"))
    data = {
        field: getattr(statistic, field)
        for field in ["label", "unit", "qualifier", "period", "geography", "source_title", "source_url"]
    }
    data.update(
        basis_note="",
        value="33000",
        source_published="2024-03-01",
        review_by="2027-03-31",
        **{"action-submit": "Submit for review"},
    )
    client.force_login(trainer)
    response = client.post(reverse("wagtailsnippets_cms_statistic:edit", args=[statistic.pk]), data)
    assert response.status_code == 302
    statistic.refresh_from_db()
    assert statistic.value == Decimal("30925")  # waiting for approval
    assert statistic.workflow_in_progress
    assert home(client).select_one("#awaiting-review-section") is None  # a trainer does not approve

    client.force_login(lead_trainer)
    panel = home(client).select_one("#awaiting-review-section")

    assert panel is not None
    link = panel.select_one("td.title a")
    assert link["href"] == reverse("wagtailsnippets_cms_statistic:edit", args=[statistic.pk])
    assert link.get_text(strip=True).startswith("Child abuse image crimes (2022/23): 33,000")
    text = panel.get_text(" ", strip=True)
    assert str(trainer) in text  # submitted by
    assert "Approve" in [button.get_text(strip=True) for button in panel.select("button")]
