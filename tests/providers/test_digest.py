"""The weekly digest for owners and managers: who needs attention, once per provider and ISO week."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certificates.services import add_months
from providers import digest as digest_module
from providers import services
from providers.digest import send_manager_digests, week_start
from providers.models import ManagerDigest, Membership
from tests.factories import UserFactory
from tests.providers.test_compliance import certify, member

pytestmark = pytest.mark.django_db


def monday():
    return week_start(timezone.localdate())


def day_label(day):
    return f"{day.day} {day:%B %Y}"


def digests_to(address):
    return [message for message in mail.outbox if message.to == [address]]


@pytest.fixture
def attention(provider, module_page, paid_order, manager):
    """One person in each state; a second manager; dates relative to this week's Monday."""
    paid_order(seats=20)
    today = monday()
    second_manager = member(provider, "Mo Manager", "mo@acorns.example", role=Membership.Role.MANAGER)
    certify(second_manager, module_page, issued_on=today - timedelta(days=10))  # trained: not listed
    people = {"second_manager": second_manager}
    people["due"] = member(provider, "Dev Due", "dev@acorns.example")
    certify(
        people["due"], module_page, issued_on=today - timedelta(days=700), expires_on=today + timedelta(10)
    )
    people["expired"] = member(provider, "Ed Expired", "ed@acorns.example")
    certify(
        people["expired"], module_page, issued_on=today - timedelta(days=800), expires_on=today - timedelta(5)
    )
    people["long_lapsed"] = member(provider, "Len Lapsed", "len@acorns.example")
    certify(
        people["long_lapsed"],
        module_page,
        issued_on=today - timedelta(days=900),
        expires_on=today - timedelta(days=200),
    )
    people["trained"] = member(provider, "Tara Trained", "tara@acorns.example")
    certify(people["trained"], module_page, issued_on=today - timedelta(days=10))
    people["not_started"] = member(provider, "Noel Nothing", "noel@acorns.example")
    services.invite(provider, module_page, "ivy@elsewhere.example", name="Ivy Invited", actor=manager)
    services.invite(provider, module_page, "nameless@elsewhere.example", actor=manager)
    mail.outbox.clear()  # the invitations
    return people


def test_digest_lists_who_needs_attention_with_dates(attention, provider, manager):
    today = monday()

    assert send_manager_digests(today) == 1

    # One message to each owner and manager; none to staff members.
    assert sorted(message.to[0] for message in mail.outbox) == ["manager@acorns.example", "mo@acorns.example"]
    assert all(len(message.to) == 1 and not message.cc and not message.bcc for message in mail.outbox)
    message = digests_to("manager@acorns.example")[0]
    assert message.subject == "Weekly safeguarding training summary for Little Acorns Nursery"
    body = message.body
    assert f"- Dev Due, Online safety: renew by {day_label(today + timedelta(10))}" in body
    assert f"- Ed Expired, Online safety: renewal was due on {day_label(today - timedelta(5))}" in body
    assert "- Ivy Invited, Online safety" in body
    assert "- Name not given (see the dashboard), Online safety" in body  # an invitation without a name
    assert "- Noel Nothing, Online safety" in body
    # The owner has no enrolment either: the dashboard says "not started", so does the digest.
    assert f"- {manager.display_name}, Online safety" in body
    assert "Due for renewal within 30 days (1):" in body
    assert "Expired in the last 90 days (1):" in body
    assert "Invited but not yet joined (2):" in body
    assert "Not started (2):" in body
    for absent in ("Len Lapsed", "Tara Trained", "Mo Manager"):
        assert absent not in body
    assert "@" not in body  # names only: no one's email address
    assert f"http://testserver/providers/{provider.pk}/" in body
    assert digests_to("mo@acorns.example")[0].body == body
    record = ManagerDigest.objects.get()
    assert (record.provider, record.week_start) == (provider, today)


def test_a_providers_shorter_renewal_interval_makes_a_24_month_certificate_due(
    provider, module_page, paid_order
):
    paid_order(seats=2)
    provider.renewal_months = 12
    provider.save()
    today = monday()
    issued_on = today - timedelta(days=350)
    yearly = member(provider, "Yan Yearly", "yan@acorns.example")
    certificate = certify(yearly, module_page, issued_on=issued_on, expires_on=add_months(issued_on, 24))
    Membership.objects.filter(provider=provider, role=Membership.Role.OWNER).delete()
    member(provider, "Olu Owner", "olu@acorns.example", role=Membership.Role.OWNER)
    certify(Membership.objects.get(role="owner").user, module_page, issued_on=today)

    assert send_manager_digests(today) == 1

    renew_by = add_months(issued_on, 12)
    assert certificate.expires_on > today + timedelta(days=300)  # the certificate itself is in date
    assert f"- Yan Yearly, Online safety: renew by {day_label(renew_by)}" in mail.outbox[0].body
    assert mail.outbox[0].to == ["olu@acorns.example"]


def test_nothing_is_sent_when_nothing_needs_attention(provider, module_page, paid_order, manager):
    paid_order(seats=2)
    certify(manager, module_page, issued_on=monday())  # the only person, trained and in date
    mail.outbox.clear()

    assert send_manager_digests(monday()) == 0
    assert mail.outbox == []
    assert not ManagerDigest.objects.exists()


def test_a_provider_without_seats_gets_no_digest(provider, staff_member):
    assert send_manager_digests(monday()) == 0
    assert mail.outbox == []


def test_sent_once_per_week_however_often_the_job_runs(attention):
    today = monday()

    sent = [send_manager_digests(today + timedelta(days=day)) for day in range(7) for _ in range(2)]

    assert sum(sent) == 1
    assert len(mail.outbox) == 2  # owner and manager, once

    assert send_manager_digests(today + timedelta(days=7)) == 1  # the next week
    assert send_manager_digests(today + timedelta(days=8)) == 0
    assert len(mail.outbox) == 4
    assert sorted(ManagerDigest.objects.values_list("week_start", flat=True)) == [
        today,
        today + timedelta(days=7),
    ]


def test_the_week_is_the_iso_week(attention):
    sunday = monday() + timedelta(days=6)

    assert send_manager_digests(sunday) == 1
    assert ManagerDigest.objects.get().week_start == monday()
    assert send_manager_digests(sunday + timedelta(days=1)) == 1  # Monday starts a new week


def test_a_failed_send_is_retried_next_run(attention, monkeypatch):
    class BrokenConnection:
        def send_messages(self, messages):
            raise ConnectionError("SMTP server unreachable")

    monkeypatch.setattr(digest_module, "get_connection", BrokenConnection)
    assert send_manager_digests(monday()) == 0
    assert not ManagerDigest.objects.exists()
    monkeypatch.undo()

    assert send_manager_digests(monday()) == 1
    assert len(mail.outbox) == 2


def test_a_concurrent_run_that_sent_first_wins(attention, provider, monkeypatch):
    """Between this run's check and its insert, another run records (and sends) the digest."""
    build = digest_module.build_digest

    def other_run_first(provider, today):
        ManagerDigest.objects.create(provider=provider, week_start=week_start(today))
        return build(provider, today)

    monkeypatch.setattr(digest_module, "build_digest", other_run_first)

    assert send_manager_digests(monday()) == 0
    assert mail.outbox == []
    assert ManagerDigest.objects.filter(provider=provider).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL; CI runs it there")
def test_two_runs_at_the_same_moment_send_one_digest(attention, provider, monkeypatch):
    """Both runs pass the "already sent this week?" check; the UNIQUE constraint lets one through."""
    barrier = threading.Barrier(2)
    build = digest_module.build_digest
    counts, errors = [], []

    def build_together(provider, today):
        barrier.wait(timeout=10)
        return build(provider, today)

    monkeypatch.setattr(digest_module, "build_digest", build_together)

    def run():
        try:
            counts.append(send_manager_digests(monday()))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(counts) == [0, 1]
    assert ManagerDigest.objects.filter(provider=provider).count() == 1
    assert len(mail.outbox) == 2  # owner and manager, once each


def other_provider_with_someone_due(other_provider, module_page, paid_order):
    paid_order(seats=2, target=other_provider)
    today = monday()
    olive = member(other_provider, "Olive Other", "olive@bluebells.example")
    certify(olive, module_page, issued_on=today - timedelta(days=700), expires_on=today + timedelta(days=3))
    return olive


def test_another_providers_staff_never_appear(attention, other_provider, module_page, paid_order):
    other_provider_with_someone_due(other_provider, module_page, paid_order)

    assert send_manager_digests(monday()) == 2

    ours = digests_to("manager@acorns.example")[0].body
    theirs = digests_to("owner@bluebells.example")[0].body
    assert "Olive Other" not in ours
    assert "Dev Due" in ours
    assert "Olive Other" in theirs
    assert "Bluebells Pre-school" in theirs
    for name in ("Dev Due", "Ed Expired", "Ivy Invited", "Noel Nothing", "Little Acorns"):
        assert name not in theirs
    assert "olive@bluebells.example" not in [message.to[0] for message in mail.outbox]


def test_one_providers_failure_does_not_stop_the_others(
    attention, provider, other_provider, module_page, paid_order, monkeypatch, caplog
):
    other_provider_with_someone_due(other_provider, module_page, paid_order)
    build = digest_module.build_digest

    def broken_for_ours(target, today):
        if target.pk == provider.pk:
            raise RuntimeError("something went wrong")
        return build(target, today)

    monkeypatch.setattr(digest_module, "build_digest", broken_for_ours)

    assert send_manager_digests(monday()) == 1
    assert [message.to for message in mail.outbox] == [["owner@bluebells.example"]]
    assert f"Could not send the weekly digest for provider {provider.pk}" in caplog.text


def test_queries_do_not_grow_with_the_staff(provider, module_page, paid_order, manager):
    """A fixed number of queries per provider (staff_rows runs one per table); none per person."""
    paid_order(seats=40)
    today = monday()

    def add_staff(count, start):
        for number in range(start, start + count):
            person = member(provider, f"Person {number}", f"person{number}@acorns.example")
            if number % 3 == 0:
                certify(
                    person, module_page, issued_on=today - timedelta(700), expires_on=today + timedelta(9)
                )
            elif number % 3 == 1:
                services.invite(provider, module_page, f"invitee{number}@elsewhere.example", actor=manager)

    def count_queries(week):
        with CaptureQueriesContext(connection) as queries:
            assert send_manager_digests(week) == 1
        return len(queries)

    add_staff(3, 0)
    small = count_queries(today)
    add_staff(12, 3)
    UserFactory()  # someone outside the provider
    large = count_queries(today + timedelta(days=7))

    assert large == small
    assert "Person 14" in mail.outbox[-1].body
