"""The dashboard's record is kept in the cache, and every change it shows makes it fresh again.

Each change below goes through the code that makes it in the product (services, the account
form, the models' own save), with its transaction's commit callbacks run, as after a real commit.
"""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certificates.services import add_months, issue_certificate, revoke_certificate
from courses.models import Enrolment
from courses.services import complete_lesson, enrol, open_lesson
from providers import record_cache, services
from providers.models import Membership
from tests.providers.test_compliance import (  # noqa: F401 (fixtures)
    lessons_fixture,
    member,
    quiz_fixture,
)
from tests.providers.test_dashboard import dashboard_url, table_rows

pytestmark = pytest.mark.django_db

RECORD_TABLES = ("certificates_certificate", "courses_enrolment", "courses_lessonprogress", "quizzes_attempt")


def record_tables_read(captured):
    read = " ".join(query["sql"] for query in captured.captured_queries)
    return [table for table in RECORD_TABLES if table in read]


def row_of(client, provider, email, **params):
    rows = {row["Email"]: row for row in table_rows(client.get(dashboard_url(provider, **params)))}
    return rows.get(email)


@pytest.fixture(name="learner")
def learner_fixture(provider, module_page, lessons, quiz, paid_order):
    paid_order(seats=5)
    return member(provider, "Lena Learner", "lena@acorns.example")


@pytest.fixture(name="enrolment")
def enrolment_fixture(learner, module_page):
    return enrol(learner, module_page, source=Enrolment.Source.SEAT)


def test_a_second_view_is_served_from_the_cache_without_reading_the_record(
    manager_client, provider, learner, enrolment
):
    first = manager_client.get(dashboard_url(provider))
    with CaptureQueriesContext(connection) as again:
        second = manager_client.get(dashboard_url(provider))

    assert second.status_code == 200
    assert table_rows(second) == table_rows(first) != []
    assert not record_tables_read(again)
    # Other filters are a record of their own.
    assert row_of(manager_client, provider, "lena@acorns.example", status="in_progress") is None
    assert row_of(manager_client, provider, "lena@acorns.example", status="not_started") is not None


def test_the_cached_record_is_the_same_for_every_manager_and_holds_nothing_personal(
    client, manager_client, provider, learner, enrolment, manager
):
    deputy = member(provider, "Dee Deputy", "dee@acorns.example", role=Membership.Role.MANAGER)
    first = manager_client.get(dashboard_url(provider))
    client.force_login(deputy)
    second = client.get(dashboard_url(provider))

    assert second.status_code == 200 and table_rows(second) == table_rows(first)
    record = second.content.decode().split('<section aria-labelledby="summary-heading">', 1)[1]
    assert "csrfmiddlewaretoken" not in record


def test_starting_and_completing_lessons_show_at_once(
    manager_client, provider, learner, enrolment, lessons, django_capture_on_commit_callbacks
):
    assert row_of(manager_client, provider, "lena@acorns.example")["Status"] == "Not started"

    with django_capture_on_commit_callbacks(execute=True):
        open_lesson(enrolment, lessons[0])
    assert row_of(manager_client, provider, "lena@acorns.example")["Status"] == "In progress"

    with django_capture_on_commit_callbacks(execute=True):
        complete_lesson(enrolment, lessons[0])
    assert row_of(manager_client, provider, "lena@acorns.example")["Progress"] == "1 of 3 lessons"


def test_opening_a_lesson_again_leaves_the_record_cached(
    manager_client, provider, learner, enrolment, lessons, django_capture_on_commit_callbacks
):
    """Only learning time changes, which may lag: the record is not worked out again."""
    open_lesson(enrolment, lessons[0])
    manager_client.get(dashboard_url(provider))
    version = record_cache.record_version(provider.pk)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        open_lesson(Enrolment.objects.get(pk=enrolment.pk), lessons[0])

    assert callbacks == [] and record_cache.record_version(provider.pk) == version


def test_a_certificate_issued_then_revoked_shows_at_once(
    manager_client, provider, learner, enrolment, manager, django_capture_on_commit_callbacks
):
    manager_client.get(dashboard_url(provider))
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issue_certificate(enrolment)
    row = row_of(manager_client, provider, "lena@acorns.example")
    assert row["Status"] == "Trained and in date" and certificate.code in row["Certificate"]

    with django_capture_on_commit_callbacks(execute=True):
        revoke_certificate(certificate, reason="Issued in error", actor=manager)
    row = row_of(manager_client, provider, "lena@acorns.example")
    assert row["Status"] != "Trained and in date" and certificate.code not in row["Certificate"]


def test_a_learner_renaming_themself_shows_at_once(
    manager_client, provider, learner, enrolment, django_capture_on_commit_callbacks
):
    manager_client.get(dashboard_url(provider))
    learner.certificate_name = "Lena Renamed"
    with django_capture_on_commit_callbacks(execute=True):
        learner.save(update_fields=["certificate_name"])

    assert row_of(manager_client, provider, "lena@acorns.example")["Name"] == "Lena Renamed"


def test_a_login_leaves_the_record_cached(
    manager_client, provider, learner, enrolment, django_capture_on_commit_callbacks
):
    manager_client.get(dashboard_url(provider))
    version = record_cache.record_version(provider.pk)
    learner.last_login = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        learner.save(update_fields=["last_login"])

    assert record_cache.record_version(provider.pk) == version


def test_invitations_and_seats_show_at_once(
    manager_client, provider, module_page, learner, manager, django_capture_on_commit_callbacks
):
    manager_client.get(dashboard_url(provider))
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite(
            provider, module_page, "ivy@elsewhere.example", name="Ivy", actor=manager
        )
    assert row_of(manager_client, provider, "ivy@elsewhere.example")["Status"] == "Invited"

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_invitation(invitation, actor=manager)
    assert row_of(manager_client, provider, "ivy@elsewhere.example") is None

    with django_capture_on_commit_callbacks(execute=True):
        services.assign_seat(provider, module_page, learner, actor=manager)
    assert "1 in use" in manager_client.get(dashboard_url(provider)).text


def test_a_member_leaving_shows_at_once(
    manager_client, provider, learner, enrolment, django_capture_on_commit_callbacks
):
    manager_client.get(dashboard_url(provider))
    with django_capture_on_commit_callbacks(execute=True):
        Membership.objects.get(provider=provider, user=learner).delete()

    assert row_of(manager_client, provider, "lena@acorns.example") is None


def test_another_providers_change_leaves_this_record_cached(
    manager_client,
    provider,
    other_provider,
    module_page,
    learner,
    enrolment,
    django_capture_on_commit_callbacks,
):
    manager_client.get(dashboard_url(provider))
    version = record_cache.record_version(provider.pk)
    stranger = member(other_provider, "Oscar Other", "oscar@bluebells.example")
    with django_capture_on_commit_callbacks(execute=True):
        issue_certificate(enrol(stranger, module_page, source=Enrolment.Source.SEAT))

    assert record_cache.record_version(provider.pk) == version
    with CaptureQueriesContext(connection) as again:
        manager_client.get(dashboard_url(provider))
    assert not record_tables_read(again)


def test_a_change_rolled_back_renews_nothing(
    provider, learner, enrolment, lessons, django_capture_on_commit_callbacks
):
    version = record_cache.record_version(provider.pk)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        complete_lesson(enrolment, lessons[0])
        raise RuntimeError

    assert record_cache.record_version(provider.pk) == version


def test_a_new_day_and_a_new_renewal_interval_each_give_a_fresh_record(
    manager_client, provider, learner, enrolment, monkeypatch, django_capture_on_commit_callbacks
):
    certificate = issue_certificate(enrolment)
    assert row_of(manager_client, provider, "lena@acorns.example")["Status"] == "Trained and in date"

    # The day after the certificate's expiry date (nothing in the database changes).
    after = certificate.expires_on + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: after)
    assert row_of(manager_client, provider, "lena@acorns.example")["Status"] == "Expired"
    monkeypatch.undo()

    provider.renewal_months = 1
    with django_capture_on_commit_callbacks(execute=True):
        provider.save()
    expires = add_months(timezone.localdate(certificate.issued_at), 1)
    assert row_of(manager_client, provider, "lena@acorns.example")["Expires"] == f"{expires:%-d %b %Y}"


def test_an_entry_is_kept_no_longer_than_the_first_open_invitation(
    manager_client, provider, module_page, learner, manager, monkeypatch
):
    invitation = services.invite(provider, module_page, "ivy@elsewhere.example", actor=manager)
    type(invitation).objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + timedelta(seconds=90)
    )
    kept = []
    cache = record_cache.get_cache()
    real_set = cache.set

    def spy(key, value, timeout=None, **kwargs):
        if key.startswith("providers:record:"):
            kept.append(timeout)
        return real_set(key, value, timeout, **kwargs)

    monkeypatch.setattr(cache, "set", spy)
    manager_client.get(dashboard_url(provider))

    assert len(kept) == 1 and 80 <= kept[0] <= 90 < record_cache.TIMEOUT_SECONDS
