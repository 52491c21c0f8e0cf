"""The demo course is built in code, completely, and a second run changes nothing."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from wagtail.images import get_image_model
from wagtail.models import Page, Revision, Site

from certificates.models import Certificate, CertificateSettings
from cms.demo import content
from cms.demo import providers as demo_providers
from cms.management.commands.load_demo import DEMO_ACCOUNTS
from cms.models import HomePage, SignpostingSettings, Statistic
from courses.models import CoursePage, Enrolment, LessonPage, ModulePage
from providers import compliance
from providers.models import PriceTier, Provider, SeatAssignment, SeatOrder
from users.models import User

pytestmark = pytest.mark.django_db


def counts():
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "statistics": Statistic.objects.count(),
        "users": User.objects.count(),
        "emails": EmailAddress.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "sites": Site.objects.count(),
        "contacts": len(SignpostingSettings.load().contacts),
        "orders": SeatOrder.objects.count(),
        "price tiers": PriceTier.objects.count(),
        "seats": SeatAssignment.objects.count(),
        "certificates": Certificate.objects.count(),
        "images": get_image_model().objects.count(),
    }


def test_the_demo_certificates_carry_the_demo_logo(capsys):
    call_command("load_demo")

    logo = CertificateSettings.load().logo
    assert logo.title == "Safeguarding children training logo"
    assert (logo.width, logo.height) == (900, 200)


def test_load_demo_twice_gives_the_same_counts(capsys):
    call_command("load_demo")
    first = counts()
    call_command("load_demo")

    assert counts() == first
    assert first["statistics"] == len(content.STATISTICS)
    assert first["users"] == len(DEMO_ACCOUNTS) + len(demo_providers.STAFF)
    assert first["enrolments"] == 1 + len(demo_providers.STAFF)
    assert first["orders"] == 1
    assert first["price tiers"] == len(demo_providers.PRICE_TIERS)


def test_the_demo_provider_has_staff_in_every_state(capsys):
    call_command("load_demo")
    provider = Provider.objects.get(name=demo_providers.PROVIDER["name"])
    rows = compliance.staff_rows(provider)
    statuses = {row.email: row.status for row in rows}
    assert statuses == {
        "manager@example.com": compliance.NOT_STARTED,
        **{email: state for _, email, state in demo_providers.STAFF},
        demo_providers.INVITED[1]: compliance.INVITED,
    }
    assert provider.memberships.get(user__email="manager@example.com").role == "owner"


def test_demo_builds_the_online_safety_module_with_at_least_five_lessons(trainer_client):
    call_command("load_demo")

    home = HomePage.objects.get()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert not Page.objects.filter(slug="wagtail-welcome").exists()
    course = CoursePage.objects.child_of(home).get(title="Safeguarding children")
    module = ModulePage.objects.child_of(course).get(title="Online safety")
    lessons = LessonPage.objects.child_of(module).live()
    assert lessons.count() >= 5
    for lesson in lessons:
        assert trainer_client.get(lesson.url).status_code == 200


def test_every_demo_figure_is_a_statistic_with_a_source():
    call_command("load_demo")

    used = set()
    for lesson in LessonPage.objects.all():
        for block in lesson.body:
            if block.block_type == "statistic_callout":
                used.add(block.value["statistic"].pk)
            elif block.block_type == "statistic_chart":
                used.update(statistic.pk for statistic in block.value["statistics"])
    statistics = Statistic.objects.filter(pk__in=used)
    assert statistics.count() >= 10
    for statistic in statistics:
        assert statistic.source_url.startswith("https://")
        assert statistic.period and statistic.geography and statistic.source_title


def test_demo_prose_copies_no_figures_and_uses_the_right_terms():
    prose_fields = []
    for lesson in content.LESSONS:
        prose_fields += [lesson["summary"], lesson["content_note"]]
        for block_type, value in lesson["body"]:
            if block_type == "paragraph":
                prose_fields.append(value)
            elif block_type in {"key_point", "content_note", "statistic_callout"}:
                prose_fields.append(value.get("text", "") + value.get("context", ""))
    prose = " ".join(prose_fields)

    for statistic in content.STATISTICS:
        figure = f"{statistic['value']:,.0f}"
        if statistic["value"] >= 100:  # small numbers collide with ages and dates
            assert figure not in prose, f"{figure} is copied into lesson text"
    legal_maximum = "£18 million or 10%"  # a penalty set in law, not a statistic
    assert not re.search(r"\d+(\.\d+)?\s*%", prose.replace(legal_maximum, ""))
    # the term appears only in quotation marks, where the lesson explains why not to use it
    assert "child pornography" not in prose.lower().replace("“child pornography”", "")


def test_demo_logins_are_verified_and_only_made_where_settings_allow(settings, client):
    settings.DEMO_ACCOUNTS = False
    call_command("load_demo")
    assert User.objects.count() == 0

    settings.DEMO_ACCOUNTS = True
    call_command("load_demo")
    for email in ["trainer@example.com", "manager@example.com", "learner@example.com"]:
        assert EmailAddress.objects.get(email=email).verified
    groups = {user.email: {group.name for group in user.groups.all()} for user in User.objects.all()}
    assert groups["trainer@example.com"] == {"Trainer"}
    assert groups["lead@example.com"] == {"Lead trainer"}
    assert groups["staff@example.com"] == {"Platform staff"}
    assert groups["learner@example.com"] == groups["manager@example.com"] == set()
    assert not User.objects.filter(is_superuser=True).exists()


def test_demo_logins_are_printed_only_in_debug(settings, capsys):
    settings.DEBUG = False
    call_command("load_demo")
    assert "password" not in capsys.readouterr().out

    settings.DEBUG = True
    call_command("load_demo")
    assert "learner@example.com" in capsys.readouterr().out
