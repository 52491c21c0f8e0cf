"""Trainers find statistics in the Wagtail admin, see where each is used and when it is overdue."""

from datetime import timedelta
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ReferenceIndex

from cms.models import Statistic
from tests.factories import StatisticFactory, UserFactory, callout_block

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_listing_flags_statistics_past_their_review_date(admin_client):
    StatisticFactory(label="Fresh figure", review_by=timezone.localdate() + timedelta(days=30))
    StatisticFactory(label="Stale figure", review_by=timezone.localdate() - timedelta(days=1))

    response = admin_client.get(reverse("wagtailsnippets_cms_statistic:list"))

    html = BeautifulSoup(response.content, "html.parser")
    rows = {row.select_one("td.title").get_text(" ", strip=True): row.text for row in html.select("tbody tr")}
    assert "Past review date" in next(text for label, text in rows.items() if "Stale figure" in label)
    assert "Past review date" not in next(text for label, text in rows.items() if "Fresh figure" in label)


def test_edit_form_warns_when_past_review(admin_client):
    stale = StatisticFactory(review_by=timezone.localdate() - timedelta(days=1))
    fresh = StatisticFactory()

    stale_page = admin_client.get(reverse("wagtailsnippets_cms_statistic:edit", args=[stale.pk]))
    fresh_page = admin_client.get(reverse("wagtailsnippets_cms_statistic:edit", args=[fresh.pk]))

    assert "Past its review date" in stale_page.content.decode()
    assert "Past its review date" not in fresh_page.content.decode()


def test_usage_view_lists_the_lessons_that_use_a_statistic(admin_client, make_lesson):
    statistic = StatisticFactory()
    lesson = make_lesson([callout_block(statistic)], title="Where it happens")
    make_lesson(title="Unrelated lesson")
    ReferenceIndex.create_or_update_for_object(lesson)

    response = admin_client.get(reverse("wagtailsnippets_cms_statistic:usage", args=[statistic.pk]))

    assert response.status_code == 200
    assert "Where it happens" in response.content.decode()
    assert "Unrelated lesson" not in response.content.decode()


def test_search_finds_a_statistic_by_its_label(admin_client):
    StatisticFactory(label="Sextortion reports to NCMEC")
    StatisticFactory(label="Childline counselling sessions")

    response = admin_client.get(reverse("wagtailsnippets_cms_statistic:list"), {"q": "sextortion"})

    body = response.content.decode()
    assert "Sextortion reports to NCMEC" in body
    assert "Childline counselling sessions" not in body


def test_an_edit_waits_in_a_draft_until_it_is_published(admin_client):
    statistic = StatisticFactory(value=Decimal("30925"))
    url = reverse("wagtailsnippets_cms_statistic:edit", args=[statistic.pk])
    data = {
        field: getattr(statistic, field)
        for field in [
            "label",
            "unit",
            "qualifier",
            "period",
            "geography",
            "basis_note",
            "source_title",
            "source_url",
        ]
    }
    data.update(value="33000", source_published="2024-03-01", review_by="2027-03-31")

    response = admin_client.post(url, data)

    assert response.status_code == 302
    statistic.refresh_from_db()
    assert statistic.value == Decimal("30925")  # the published figure is untouched
    assert statistic.has_unpublished_changes
    assert Decimal(statistic.latest_revision.content["value"]) == Decimal("33000")

    admin_client.post(url, {**data, "action-publish": "on"})

    statistic.refresh_from_db()
    assert statistic.value == Decimal("33000")
    assert not statistic.has_unpublished_changes


def test_negative_value_is_refused(admin_client):
    statistic = StatisticFactory()
    url = reverse("wagtailsnippets_cms_statistic:edit", args=[statistic.pk])
    data = {
        field: getattr(statistic, field)
        for field in ["label", "unit", "qualifier", "period", "geography", "source_title", "source_url"]
    }
    data.update(value="-5", review_by="2027-03-31")

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert Statistic.objects.get(pk=statistic.pk).value == statistic.value


@pytest.mark.parametrize(
    "value, unit, qualifier, expected",
    [
        ("33000", "count", "more_than", "more than 33,000"),
        ("44", "percent", "exact", "44%"),
        ("25", "percent", "about", "about 25%"),
        ("1234567.5", "count", "exact", "1,234,567.5"),
    ],
)
def test_display_value(value, unit, qualifier, expected):
    statistic = Statistic(value=Decimal(value), unit=unit, qualifier=qualifier)

    assert statistic.display_value == expected
