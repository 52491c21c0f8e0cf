"""Many people reaching for the same seats at the same moment never get more seats than were paid for
(PostgreSQL: SQLite serialises writers by locking the whole file)."""

import threading

import pytest
from django.db import connection, connections

from providers import bulk, services
from providers.models import Invitation, SeatAssignment
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL; CI runs it there"),
]


def run_together(jobs):
    """Start every job at the same moment, each in its own thread and connection; return
    (results, ProviderErrors, other errors)."""
    barrier = threading.Barrier(len(jobs))
    results, refused, errors = [], [], []

    def run(job):
        try:
            barrier.wait(timeout=30)
            results.append(job())
        except services.ProviderError as error:
            refused.append(error)
        except Exception as error:  # noqa: BLE001 - reported by the assertions
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, refused, errors


def test_fifty_people_for_ten_seats_gives_exactly_ten(provider, module_page, manager, paid_order):
    paid_order(seats=10)
    users = [UserFactory() for _ in range(50)]

    def take(user):
        return lambda: services.assign_seat(provider, module_page, user, actor=manager)

    results, refused, errors = run_together([take(user) for user in users])

    assert errors == []
    assert len(results) == 10
    assert len(refused) == 40
    assert all("no free seats" in str(error) for error in refused)
    assert SeatAssignment.objects.filter(provider=provider, module=module_page).count() == 10
    counts = services.seat_counts(provider, module_page)
    assert (counts.purchased, counts.assigned, counts.available) == (10, 10, 0)


def test_two_managers_inviting_for_the_last_seat(provider, module_page, manager, paid_order):
    paid_order(seats=1)
    second_manager = UserFactory()

    results, refused, errors = run_together(
        [
            lambda: services.invite(provider, module_page, "first@example.org", actor=manager),
            lambda: services.invite(provider, module_page, "second@example.org", actor=second_manager),
        ]
    )

    assert errors == []
    assert len(results) == 1 and len(refused) == 1
    assert Invitation.objects.open().filter(provider=provider).count() == 1
    assert services.seat_counts(provider, module_page).available == 0


def test_bulk_confirm_and_a_single_invite_at_once_never_overfill(provider, module_page, manager, paid_order):
    paid_order(seats=3)
    rows = bulk.parse("a@example.org\nb@example.org\nc@example.org\n")

    results, refused, errors = run_together(
        [
            lambda: bulk.confirm_bulk_invite(provider, module_page, rows, actor=manager),
            lambda: services.invite(provider, module_page, "single@example.org", actor=manager),
        ]
    )

    assert errors == []
    assert Invitation.objects.open().filter(provider=provider).count() == 3
    assert services.seat_counts(provider, module_page).available == 0
